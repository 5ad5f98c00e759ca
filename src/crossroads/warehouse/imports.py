"""Import of real files (CSV, Parquet) into a warehouse table, validated row by row.

Every row read ends in exactly one of three places, and the counts are asserted to add up:

- **loaded**: appended to the table as new Parquet files (``import-<timestamp>-NNNNN.parquet``);
- **already loaded**: its key is in the warehouse with identical content (a second import changes nothing);
- **quarantined**: written to ``quarantine/<table>-<timestamp>.csv`` with file, row number, field, rule
  and reason, and its own values (the quarantine stays on the custodian side). Reasons and console output
  never carry a value, only rule, field, file and row number.

Rows are checked with the same single-row rules as ``crossroads warehouse validate`` plus parsing (types),
uniqueness of the key within the import and against the warehouse, and references into the warehouse.

Atomicity: new Parquet files get names no manifest entry uses, the quarantine file is written aside, and the
manifest is replaced last by an atomic rename. Any exception before that (a disk error, Ctrl-C) removes what
this import wrote, so the warehouse is left exactly as it was.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from crossroads.warehouse.schema import Field, Table, table
from crossroads.warehouse.storage import TableWriter, Warehouse, sha256_file
from crossroads.warehouse.validation import RULES, q, register_codelists, row_rules

_SQL_TYPE = {
    "string": "VARCHAR",
    "int8": "TINYINT",
    "int16": "SMALLINT",
    "int32": "INTEGER",
    "int64": "BIGINT",
    "float64": "DOUBLE",
    "date": "DATE",
    "bool": "BOOLEAN",
}

# the raw text of a field in the staging table, empty strings read as "not given"
_RAW = "__raw_"


class ImportFileError(Exception):
    """A file cannot be imported at all (unreadable, unknown table, missing column): names file and field."""


@dataclass
class FileResult:
    name: str
    sha256: str
    read: int = 0
    loaded: int = 0
    already_loaded: int = 0
    quarantined: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    absent_columns: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    root: str
    table: str
    files: list[FileResult]
    quarantine_file: str | None
    rejections: dict[tuple[str, str], list[str]]
    """(rule, field) -> rejected rows as "file row N" (no values)."""
    unchanged: bool
    created: bool

    @property
    def read(self) -> int:
        return sum(f.read for f in self.files)

    @property
    def loaded(self) -> int:
        return sum(f.loaded for f in self.files)

    @property
    def already_loaded(self) -> int:
        return sum(f.already_loaded for f in self.files)

    @property
    def quarantined(self) -> int:
        return sum(f.quarantined for f in self.files)

    def summary(self) -> str:
        q_note = (
            f"; rejected rows in {self.quarantine_file}" if self.quarantine_file and self.quarantined else ""
        )
        change = " nothing changed (already imported)." if self.unchanged else ""
        return (
            f"{self.table}: read {self.read:,} rows from {len(self.files)} file(s): {self.loaded:,} loaded, "
            f"{self.already_loaded:,} already loaded, {self.quarantined:,} quarantined "
            f"({self.root}){q_note}.{change}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "warehouse": self.root,
            "table": self.table,
            "read": self.read,
            "loaded": self.loaded,
            "already_loaded": self.already_loaded,
            "quarantined": self.quarantined,
            "quarantine_file": self.quarantine_file,
            "unchanged": self.unchanged,
            "created": self.created,
            "files": [vars(f) for f in self.files],
            "rejections": [
                {"rule": r, "field": f, "rows": len(refs), "first": refs[:5]}
                for (r, f), refs in sorted(self.rejections.items())
            ],
        }


# ---------------------------------------------------------------------------------------------- reading
def _looks_like_value(name: str) -> bool:
    """A header cell made of digits (and separators) is a value, e.g. an INSZ of a file without header."""
    return any(ch.isdigit() for ch in name) and not any(ch.isalpha() for ch in name)


def _sniff_delimiter(header: str) -> str:
    return ";" if header.count(";") > header.count(",") else ","


def _read_csv(path: Path) -> tuple[pa.Table, list[dict[str, Any]]]:
    """All columns as text, plus the malformed lines; ``__row`` numbers data rows (1 = first data row)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            first = fh.readline()
        delimiter = _sniff_delimiter(first)
        names = next(csv.reader([first], delimiter=delimiter))
    except (OSError, UnicodeDecodeError, StopIteration) as exc:
        raise ImportFileError(f"{path}: cannot read the CSV header (row 0): {type(exc).__name__}") from None
    if not names or not any(n.strip() for n in names):
        raise ImportFileError(f"{path}: the CSV file has no header row (row 0)")
    names = [n.strip() for n in names]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        shown = [d for d in dupes if not _looks_like_value(d)]
        raise ImportFileError(
            f"{path}: the header row (row 0) repeats {len(dupes)} column name(s)"
            + (f": {', '.join(shown)}" if shown else "")
        )
    malformed: list[dict[str, Any]] = []

    def on_invalid(row: Any) -> str:
        malformed.append(
            {
                "line": row.number,
                "expected": row.expected_columns,
                "actual": row.actual_columns,
                "text": row.text,
            }
        )
        return "skip"

    try:
        tbl = pacsv.read_csv(
            path,
            # single-threaded so that every malformed line reports its line number
            read_options=pacsv.ReadOptions(use_threads=False, encoding="utf-8"),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, invalid_row_handler=on_invalid, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
        # pyarrow's message can quote the offending bytes: keep only the row it names
        raise ImportFileError(f"{path}: not a readable CSV file ({_row_of(str(exc))})") from None
    bad_lines = {int(m["line"]) for m in malformed if m["line"] is not None}
    lines = [n for n in range(2, 2 + tbl.num_rows + len(malformed)) if n not in bad_lines][: tbl.num_rows]
    rows = pa.array([n - 1 for n in lines], pa.int64())
    for m in malformed:
        m["row"] = None if m["line"] is None else int(m["line"]) - 1
    return tbl.append_column("__row", rows), malformed


def _row_of(message: str) -> str:
    import re

    m = re.search(r"[Rr]ow #?(\d+)", message)
    return f"around row {m.group(1)}" if m else "parse error"


def _read_parquet(path: Path) -> pa.Table:
    try:
        tbl = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise ImportFileError(f"{path}: not a readable Parquet file ({type(exc).__name__})") from None
    cols = []
    for name in tbl.column_names:
        col = tbl.column(name)
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            cols.append(col.cast(pa.string()))
        elif pa.types.is_boolean(col.type):
            cols.append(pc.if_else(col, "true", "false"))
        else:
            try:
                cols.append(col.cast(pa.string()))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise ImportFileError(
                    f"{path}: column {name!r} has type {col.type}, which cannot be read as text for checking"
                ) from None
    text = pa.table(cols, names=tbl.column_names)
    return text.append_column("__row", pa.array(range(1, tbl.num_rows + 1), pa.int64()))


# ---------------------------------------------------------------------------------------------- parsing
def _parsed(f: Field) -> str:
    """SQL turning the raw text of ``f`` into its typed value, NULL when empty or unparsable."""
    raw = f"NULLIF(trim({q(_RAW + f.name)}), '')"
    t = _SQL_TYPE[f.type]
    if f.type == "string":
        return raw
    if f.type.startswith("int"):
        # a regex first: DuckDB would round '1.5' to 2, and an integer field must not take fractions
        return f"CASE WHEN regexp_full_match({raw}, '[+-]?[0-9]+') THEN TRY_CAST({raw} AS {t}) END"
    if f.type == "date":
        iso = "'[0-9]{4}-[0-9]{2}-[0-9]{2}'"
        return f"CASE WHEN regexp_full_match({raw}, {iso}) THEN TRY_CAST({raw} AS DATE) END"
    if f.type == "bool":
        return (
            f"CASE WHEN lower({raw}) IN ('true', 't', '1') THEN true "
            f"WHEN lower({raw}) IN ('false', 'f', '0') THEN false END"
        )
    return f"TRY_CAST({raw} AS {t})"


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_PARSE_RULE = {
    "int8": "parse.integer",
    "int16": "parse.integer",
    "int32": "parse.integer",
    "int64": "parse.integer",
    "float64": "parse.float",
    "date": "parse.date",
    "bool": "parse.bool",
}


def _outside(rows_table: str) -> str:
    """SQL: row ``t`` is not listed in ``rows_table`` (by file and row number)."""
    return f"NOT EXISTS (SELECT 1 FROM {rows_table} x WHERE x.__file = t.__file AND x.__row = t.__row)"


# ---------------------------------------------------------------------------------------------- the import
class _Rollback:
    """What this import wrote, removed again on failure."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: list[Path] = []
        self.patterns: list[tuple[Path, str]] = []
        self.dirs_before = {p for p in root.rglob("*") if p.is_dir()} if root.exists() else set()
        self.root_existed = root.exists()

    def undo(self) -> None:
        for p in self.files:
            p.unlink(missing_ok=True)
        for folder, pattern in self.patterns:
            for p in folder.rglob(pattern):
                p.unlink(missing_ok=True)
        tmp = self.root / "manifest.json.tmp"
        tmp.unlink(missing_ok=True)
        if not self.root.exists():
            return
        # remove folders this import created (deepest first), only if they are empty again
        for d in sorted((p for p in self.root.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
            if d not in self.dirs_before and not any(d.iterdir()):
                d.rmdir()
        if not self.root_existed and not any(self.root.iterdir()):
            self.root.rmdir()


def _stage(
    paths: list[Path], spec: Table, step: Callable[[str, int], None]
) -> tuple[pa.Table, list[FileResult], list[tuple[int, dict[str, Any]]]]:
    """Every file as text columns ``__raw_<field>`` plus ``__file`` and ``__row``; malformed lines apart."""
    staged: list[pa.Table] = []
    results: list[FileResult] = []
    malformed_rows: list[tuple[int, dict[str, Any]]] = []
    required = [f.name for f in spec.fields if not f.nullable]
    for i, p in enumerate(paths):
        step(f"reading {p.name}", i)
        res = FileResult(p.name, sha256_file(p))
        if p.suffix.lower() == ".csv":
            tbl, malformed = _read_csv(p)
        else:
            tbl, malformed = _read_parquet(p), []
        present = [c for c in tbl.column_names if c != "__row"]
        missing = [c for c in required if c not in present]
        if missing:
            # the header's own words are not repeated: without a header the first data row would be
            matched = [c for c in present if c in spec.field_names]
            raise ImportFileError(
                f"{p}: required column(s) {', '.join(missing)} of table {spec.name} missing from the header "
                f"(row 0); it has {len(present)} column(s), {len(matched)} of them fields of {spec.name}"
                + (f" ({', '.join(matched)})" if matched else "; is the header row missing?")
            )
        # names that look like values (digits only) are not listed: the header may be a data row
        res.ignored_columns = [c for c in present if c not in spec.field_names and not _looks_like_value(c)]
        res.absent_columns = [c for c in spec.field_names if c not in present]
        cols = {
            f"{_RAW}{f}": (tbl.column(f) if f in present else pa.nulls(tbl.num_rows, pa.string()))
            for f in spec.field_names
        }
        cols["__file"] = pa.array([i] * tbl.num_rows, pa.int32())
        cols["__row"] = tbl.column("__row")
        staged.append(pa.table(cols))
        malformed_rows += [(i, m) for m in malformed]
        res.read = tbl.num_rows + len(malformed)
        results.append(res)

    return pa.concat_tables(staged), results, malformed_rows


def _find_rejections(con: duckdb.DuckDBPyConnection, spec: Table, wh: Warehouse | None) -> None:
    """Fill ``__rejects`` (file, row, field, rule, detail) and ``__already`` (file, row) from ``__typed``.

    ``wh`` is the existing warehouse (None when this import creates it), for keys and references.
    """
    checks: list[tuple[str, str, str, str]] = []  # rule, field, violation SQL, detail
    for f in spec.fields:
        if f.type in _PARSE_RULE:
            checks.append(
                (
                    _PARSE_RULE[f.type],
                    f.name,
                    f"(NULLIF(trim({q(_RAW + f.name)}), '') IS NOT NULL AND {q(f.name)} IS NULL)",
                    f"type {f.type}",
                )
            )
    for r in row_rules(spec):
        violation = r.violation
        if r.rule == "schema.not_null":  # an unparsable value is reported once, as a parse error
            violation = f"NULLIF(trim({q(_RAW + r.field)}), '') IS NULL"
        checks.append((r.rule, r.field, violation, r.detail))
    selects = [
        f"SELECT __file, __row, {_lit(fld)} AS field, {_lit(rule)} AS rule, {_lit(detail)} AS detail "
        f"FROM __typed WHERE {violation}"
        for rule, fld, violation, detail in checks
    ]
    con.execute("CREATE TEMP TABLE __rejects AS " + " UNION ALL ".join(selects))

    keys = ", ".join(q(k) for k in spec.key)
    key_not_null = " AND ".join(f"{q(k)} IS NOT NULL" for k in spec.key)
    # the key must be unique within what is imported now: every row of a repeated key waits in quarantine
    con.execute(f"""INSERT INTO __rejects SELECT __file, __row, '{", ".join(spec.key)}', 'key.duplicate',
                    'repeated within the imported file(s)' FROM (SELECT __file, __row,
                    count(*) OVER (PARTITION BY {keys}) AS n FROM __typed WHERE {key_not_null})
                    WHERE n > 1""")

    # references into the warehouse (and into this import for a table that points to itself)
    for f in spec.fields:
        if not f.references:
            continue
        target, tfield = f.references.split(".")
        sources = []
        if wh is not None and wh.has_table(target):
            sources.append(f"SELECT {q(tfield)} AS __k FROM {q(target)}")
        if target == spec.name:
            sources.append(f"SELECT {q(tfield)} AS __k FROM __typed t WHERE {_outside('__rejects')}")
        known = " UNION ".join(sources) if sources else "SELECT NULL::VARCHAR AS __k WHERE false"
        con.execute(f"""INSERT INTO __rejects SELECT t.__file, t.__row, '{f.name}', 'ref.missing',
                        'no row of {f.references}' FROM __typed t WHERE t.{q(f.name)} IS NOT NULL
                        AND t.{q(f.name)} NOT IN (SELECT __k FROM ({known}) WHERE __k IS NOT NULL)""")

    # keys already in the warehouse: identical content = already loaded, different content = conflict
    con.execute("CREATE TEMP TABLE __already (__file INTEGER, __row BIGINT)")
    if wh is not None and wh.has_table(spec.name):
        same = " AND ".join(f"t.{q(c)} IS NOT DISTINCT FROM w.{q(c)}" for c in spec.field_names)
        on = " AND ".join(f"t.{q(k)} = w.{q(k)}" for k in spec.key)
        con.execute(f"""CREATE TEMP TABLE __existing AS SELECT t.__file, t.__row,
                        bool_or({same}) AS identical FROM __typed t JOIN {q(spec.name)} w ON {on}
                        WHERE {_outside("__rejects")}
                        GROUP BY t.__file, t.__row""")
        con.execute("""INSERT INTO __rejects SELECT __file, __row, 'key', 'import.key_conflict', ''
                       FROM __existing WHERE NOT identical""")
        con.execute("INSERT INTO __already SELECT __file, __row FROM __existing WHERE identical")


def _new_manifest(
    manifest: dict[str, Any] | None,
    spec: Table,
    records: list[dict[str, Any]],
    results: list[FileResult],
    quarantine_rel: str | None,
    now: datetime,
    keep_synthetic: bool = False,
) -> dict[str, Any]:
    """The manifest after this import: the new files added to the table, the files logged by sha256."""
    log = (manifest or {}).get("imports", [])
    base = manifest or {"synthetic": False, "created": now.isoformat(timespec="seconds"), "tables": {}}
    tables = dict(base.get("tables", {}))
    entry = tables.get(spec.name, {"rows": 0, "files": []})
    tables[spec.name] = {
        "rows": int(entry.get("rows", 0)) + sum(r["rows"] for r in records),
        "files": sorted([*entry.get("files", []), *records], key=lambda r: r["path"]),
    }
    log = [
        *log,
        *(
            {
                "table": spec.name,
                "file": r.name,
                "sha256": r.sha256,
                "read": r.read,
                "loaded": r.loaded,
                "already_loaded": r.already_loaded,
                "quarantined": r.quarantined,
                "quarantine": quarantine_rel,
                "at": now.isoformat(timespec="seconds"),
            }
            for r in results
        ),
    ]
    new_manifest = {
        **base,
        # imported rows are real: a warehouse holding any is no longer synthetic, so simulated reference
        # dates (allowed only on synthetic warehouses) are refused on it from now on; the synthetic build
        # importing its own synthetic provider files keeps the flag
        "synthetic": bool(keep_synthetic and base.get("synthetic")),
        "tables": tables,
        "imports": log,
        "updated": now.isoformat(timespec="seconds"),
    }
    new_manifest.pop("format", None)
    return new_manifest


def import_files(
    directory: str | Path,
    table_name: str,
    files: Sequence[str | Path],
    on_step: Callable[[str, int, int], None] | None = None,
    now: datetime | None = None,
    keep_synthetic: bool = False,
) -> ImportResult:
    """Import ``files`` into ``table_name`` of the warehouse at ``directory`` (created when empty).

    ``keep_synthetic``: the files are synthetic themselves (the build's provider files), so a synthetic
    warehouse stays synthetic; ``now`` fixes the time stamp (file names, log) for reproducible builds.
    """
    try:
        spec = table(table_name)
    except KeyError as exc:
        raise ImportFileError(str(exc.args[0])) from None
    wh = Warehouse(directory)
    if wh.root.exists() and not wh.exists() and any(p.name != "quarantine" for p in wh.root.iterdir()):
        raise ImportFileError(
            f"{wh.root}: not a warehouse (no manifest.json) and not empty; import into an empty "
            "directory to create one"
        )
    paths = [Path(f) for f in files]
    if not paths:
        raise ImportFileError("no files to import")
    for p in paths:
        if not p.is_file():
            raise ImportFileError(f"{p}: no such file")
        if p.suffix.lower() not in (".csv", ".parquet", ".pq"):
            raise ImportFileError(f"{p}: unknown file type {p.suffix!r}; use .csv or .parquet")
    now = now or datetime.now(UTC)
    stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
    total_steps = len(paths) + 3

    def step(name: str, done: int) -> None:
        if on_step:
            on_step(name, done, total_steps)

    manifest = wh.manifest() if wh.exists() else None
    con = duckdb.connect()
    register_codelists(con)
    if manifest is not None:
        wh.duckdb(con)

    # ------------------------------------------------------------------ read every file as text
    raw, results, malformed_rows = _stage(paths, spec, step)
    con.register("__raw_in", raw)
    typed_cols = ", ".join(f"CAST({_parsed(f)} AS {_SQL_TYPE[f.type]}) AS {q(f.name)}" for f in spec.fields)
    raw_cols = ", ".join(q(_RAW + f) for f in spec.field_names)
    con.execute(f"CREATE TEMP TABLE __typed AS SELECT __file, __row, {typed_cols}, {raw_cols} FROM __raw_in")
    con.unregister("__raw_in")

    # ------------------------------------------------------ rules -> rejections (file, row, field, rule)
    step("checking rows", len(paths))
    _find_rejections(con, spec, wh if manifest is not None else None)

    # ------------------------------------------------------------------ counts per file
    rejected_rows = dict(
        con.execute("SELECT __file, count(DISTINCT __row) FROM __rejects GROUP BY 1").fetchall()
    )
    already_rows = dict(con.execute("SELECT __file, count(*) FROM __already GROUP BY 1").fetchall())
    malformed_per_file: dict[int, int] = {}
    for i, _m in malformed_rows:
        malformed_per_file[i] = malformed_per_file.get(i, 0) + 1
    new_filter = f"{_outside('__rejects')} AND {_outside('__already')}"
    new_rows = dict(
        con.execute(f"SELECT __file, count(*) FROM __typed t WHERE {new_filter} GROUP BY 1").fetchall()
    )
    for i, res in enumerate(results):
        res.quarantined = int(rejected_rows.get(i, 0)) + malformed_per_file.get(i, 0)
        res.already_loaded = int(already_rows.get(i, 0))
        res.loaded = int(new_rows.get(i, 0))
        # nothing is dropped silently: every row read is loaded, already there, or quarantined (three
        # independent counts that must add up to the rows read)
        if res.loaded + res.already_loaded + res.quarantined != res.read:
            raise RuntimeError(f"{res.name}: import row accounting does not add up; nothing was written")
    n_new = sum(new_rows.values())

    rejections: dict[tuple[str, str], list[str]] = {}
    for fi, row, fld, rule in con.execute(
        "SELECT __file, __row, field, rule FROM __rejects ORDER BY __file, __row, rule, field"
    ).fetchall():
        rejections.setdefault((rule, fld), []).append(f"{results[fi].name} row {row}")
    for i, m in malformed_rows:
        where = f"row {m['row']}" if m["row"] is not None else "an unnumbered row"
        rejections.setdefault(("import.malformed_row", ""), []).append(f"{results[i].name} {where}")

    log = (manifest or {}).get("imports", [])
    logged = {(e.get("table"), e.get("sha256")) for e in log}
    unchanged = n_new == 0 and manifest is not None and all((spec.name, r.sha256) in logged for r in results)
    if unchanged:
        step("nothing to change", total_steps)
        return ImportResult(str(wh.root), spec.name, results, None, rejections, unchanged=True, created=False)

    # ------------------------------------------------------------------ write aside, then commit the manifest
    rollback = _Rollback(wh.root)
    try:
        quarantine_rel: str | None = None
        if any(r.quarantined for r in results):
            step("writing the quarantine", len(paths) + 1)
            quarantine_rel = _write_quarantine(con, wh, spec, results, malformed_rows, stamp, rollback)
        step("appending rows", len(paths) + 2)
        records: list[dict[str, Any]] = []
        if n_new:
            # every file this writer opens carries the import's stamp: the rollback finds them all by name
            rollback.patterns.append((wh.table_dir(spec.name), f"import-{stamp}-*.parquet"))
            writer = TableWriter(wh, spec, stem=f"import-{stamp}")
            reader = con.sql(
                f"SELECT {', '.join(q(c) for c in spec.field_names)} FROM __typed t "
                f"WHERE {new_filter} ORDER BY __file, __row"
            ).to_arrow_reader(200_000)
            for batch in reader:
                writer.write(batch)
            records = writer.close()
        new_manifest = _new_manifest(manifest, spec, records, results, quarantine_rel, now, keep_synthetic)
        step("updating the manifest", len(paths) + 3)
        wh.write_manifest(new_manifest)  # the commit: an atomic rename
    except BaseException:
        rollback.undo()
        raise
    return ImportResult(
        str(wh.root),
        spec.name,
        results,
        quarantine_rel,
        rejections,
        unchanged=False,
        created=manifest is None,
    )


def _write_quarantine(
    con: duckdb.DuckDBPyConnection,
    wh: Warehouse,
    spec: Table,
    results: list[FileResult],
    malformed: list[tuple[int, dict[str, Any]]],
    stamp: str,
    rollback: _Rollback,
) -> str:
    """One line per rejected row and rule: where, why (no values), then the row's own values."""
    folder = wh.root / "quarantine"
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{spec.name}-{stamp}.csv"
    tmp = folder / f".{final.name}.tmp"
    rollback.files += [tmp, final]
    header = ["source_file", "row", "field", "rule", "reason", *spec.field_names, "raw_line"]
    rows = con.execute(
        f"SELECT r.__file, r.__row, r.field, r.rule, r.detail, "
        f"{', '.join('t.' + q(_RAW + f) for f in spec.field_names)} "
        "FROM __rejects r JOIN __typed t USING (__file, __row) ORDER BY r.__file, r.__row, r.rule, r.field"
    ).fetchall()
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        for fi, row, fld, rule, detail, *values in rows:
            reason = RULES[rule][1] + (f" ({detail})" if detail else "")
            out.writerow([results[fi].name, row, fld, rule, reason, *values, ""])
        for fi, m in malformed:
            reason = f"{RULES['import.malformed_row'][1]} ({m['actual']} fields, expected {m['expected']})"
            out.writerow(
                [
                    results[fi].name,
                    m["row"],
                    "",
                    "import.malformed_row",
                    reason,
                    *([""] * len(spec.field_names)),
                    m["text"],
                ]
            )
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, final)
    return str(final.relative_to(wh.root))
