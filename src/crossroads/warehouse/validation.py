"""Validation of a warehouse: every rule runs as one vectorised DuckDB query over the Parquet files.

A finding names the rule, the table, the field, how many rows break it, and the first rows that do, by file
(relative to the warehouse) and row number within that file (1 = first row), or by the key's sequence numbers
where the key holds no identifier. It never names an INSZ, enterprise, RSZ or unit number, nor any other
value: the report can be shown, logged and mailed without leaking what the rows hold.

Row rules (:func:`row_rules`) are plain SQL predicates over one row; the import module evaluates the very same
predicates on incoming files before anything is appended. Cross-row rules (keys, references, spells, deaths,
DmfA consistency) run here on the whole warehouse.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from functools import cache, partial
from pathlib import Path
from typing import Any, Literal

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from crossroads import codelists
from crossroads.warehouse.schema import ENUMS, TABLES, Field, Table, table
from crossroads.warehouse.storage import Warehouse, sha256_file

Severity = Literal["error", "warning"]

# Every rule once: id -> (severity, what it means). The message never carries a value.
RULES: dict[str, tuple[Severity, str]] = {
    "storage.missing_file": ("error", "a file listed in the manifest is missing"),
    "storage.checksum": ("error", "a file's sha256 differs from the manifest"),
    "storage.row_count": ("error", "a file's row count differs from the manifest"),
    "storage.unreadable": ("error", "a file listed in the manifest is not readable Parquet"),
    "schema.missing_column": ("error", "a column of the schema is missing from the file"),
    "schema.extra_column": ("warning", "the file has a column the schema does not know"),
    "schema.type": ("error", "the column's type differs from the schema"),
    "schema.not_null": ("error", "a required field is empty"),
    "schema.quarter": ("error", "not a quarter YYYYQ (Q 1-4) or a month YYYYMM"),
    "parse.integer": ("error", "not an integer (or out of range for the field's type)"),
    "parse.float": ("error", "not a number"),
    "parse.date": ("error", "not a date in the form YYYY-MM-DD"),
    "parse.bool": ("error", "not a boolean (true/false/1/0)"),
    "id.insz": ("error", "not a valid INSZ (11 digits, check digits, birth-date part)"),
    "id.enterprise": ("error", "not a valid enterprise number (10 digits, first 0 or 1, mod 97)"),
    "id.rsz": ("error", "not a valid RSZ number (domain 100006-199999934, check digits)"),
    "id.local_unit": ("error", "not an establishment-unit number (10 digits, first digit 2-8)"),
    "code.unknown": ("error", "value not in the field's code list"),
    "code.out_of_period": ("error", "code not valid in the line's quarter (DmfA annex validity)"),
    "key.duplicate": ("error", "the table's key occurs more than once"),
    "ref.missing": ("error", "the referenced row does not exist"),
    "spell.end_before_start": ("error", "the spell ends before it starts"),
    "spell.residence_overlap": (
        "error",
        "two residence spells of one person overlap (two residences at once)",
    ),
    "spell.household_overlap": ("error", "two household spells of one person overlap"),
    "death.residence_after": ("error", "residence or household spell after the person's death"),
    "death.work_after": (
        "error",
        "work (DmfA occupation, self-employment, PWA, art. 60, vouchers) after death",
    ),
    "death.benefit_after": ("error", "benefit spell after the person's death"),
    "death.position_after": ("error", "socio-economic position in a quarter after the person's death"),
    "dmfa.outside_quarter": ("error", "DmfA line dates do not meet its quarter"),
    "dmfa.quarter_mismatch": ("error", "a DmfA line's quarter differs from its parent block's quarter"),
    "dmfa.negative": ("error", "DmfA days, hours or regime values negative or out of range"),
    "dmfa.contribution_base": ("error", "contribution negative or larger than its calculation base"),
    "dmfa.no_remuneration": ("warning", "DmfA occupation without any remuneration line"),
    "dmfa.no_occupation": ("warning", "DmfA worker line without any occupation"),
    "value.negative": ("error", "count or hours negative"),
    "input.reference_date": ("error", "a provider list's reference date is not the last day of a quarter"),
    "input.unlisted_employer": (
        "warning",
        "listed employee whose employer is not on the employer list of the same reference date",
    ),
    "input.employee_without_job": (
        "warning",
        "listed employee without a DmfA job at the listed employer in the quarter of the reference date",
    ),
    "input.survey_unlisted": ("warning", "survey answers of an employer that is on no employer list"),
    "import.key_conflict": ("error", "the key is already in the warehouse with different content"),
    "import.malformed_row": ("error", "the line does not have the header's number of fields"),
}

_MATERIALISE_ROWS = 100_000

# the fields by which a DmfA block points to its parent block (its quarter must be the parent's)
_DMFA_PARENT_KEYS = ("declaration_id", "person_id", "worker_line_id", "occupation_id")

_IDENTIFIER_RULE = {
    "insz": "id.insz",
    "enterprise": "id.enterprise",
    "rsz": "id.rsz",
    "local_unit": "id.local_unit",
}


@dataclass(frozen=True)
class RowRef:
    """Where a finding is: file (relative to the warehouse root) and 1-based row in it; key if it is safe."""

    file: str
    row: int
    key: dict[str, int] | None = None

    def __str__(self) -> str:
        if self.row == 0:  # a finding about the file as a whole
            return self.file
        if self.key:
            return f"{self.file} row {self.row} ({', '.join(f'{k}={v}' for k, v in self.key.items())})"
        return f"{self.file} row {self.row}"


@dataclass
class Finding:
    rule: str
    table: str
    field: str | None
    count: int
    examples: list[RowRef] = dc_field(default_factory=list)
    detail: str = ""
    """Extra words on the rule (e.g. the referenced table); never a row value."""

    @property
    def severity(self) -> Severity:
        return RULES[self.rule][0]

    @property
    def message(self) -> str:
        return RULES[self.rule][1] + (f" ({self.detail})" if self.detail else "")


@dataclass
class Report:
    root: str
    findings: list[Finding]
    checks: int
    rows: dict[str, int]
    seconds: float

    @property
    def errors(self) -> int:
        return sum(f.count for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(f.count for f in self.findings if f.severity == "warning")

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def by_rule(self) -> dict[str, list[Finding]]:
        grouped: dict[str, list[Finding]] = {}
        for f in sorted(self.findings, key=lambda f: (f.severity != "error", f.rule, f.table, f.field or "")):
            grouped.setdefault(f.rule, []).append(f)
        return grouped

    def summary(self) -> str:
        return (
            f"{self.checks} checks on {len(self.rows)} tables ({sum(self.rows.values()):,} rows) in "
            f"{self.seconds:.1f} s: {self.errors:,} errors, {self.warnings:,} warnings "
            f"in {len(self.findings)} findings"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "warehouse": self.root,
            "checks": self.checks,
            "rows": self.rows,
            "seconds": round(self.seconds, 3),
            "errors": self.errors,
            "warnings": self.warnings,
            "findings": [
                {
                    "rule": f.rule,
                    "severity": f.severity,
                    "table": f.table,
                    "field": f.field,
                    "count": f.count,
                    "message": f.message,
                    "examples": [asdict(e) for e in f.examples],
                }
                for f in self.findings
            ],
        }


# ---------------------------------------------------------------------------------------------- SQL pieces
def q(name: str) -> str:
    """Quote an identifier for DuckDB."""
    return '"' + name.replace('"', '""') + '"'


def insz_valid_sql(x: str) -> str:
    """SQL that is true for a valid INSZ (mirrors ``identifiers.insz_is_valid``), NULL-safe via TRY_CAST."""
    base = f"TRY_CAST(substr({x}, 1, 9) AS BIGINT)"
    cc = f"TRY_CAST(substr({x}, 10, 2) AS BIGINT)"
    m = f"TRY_CAST(substr({x}, 3, 2) AS INTEGER)"
    d = f"TRY_CAST(substr({x}, 5, 2) AS INTEGER)"
    return (
        f"(regexp_full_match({x}, '[0-9]{{11}}') AND ({cc} = 97 - {base} % 97 "
        f"OR {cc} = 97 - (2000000000 + {base}) % 97) AND {d} BETWEEN 0 AND 31 AND ("
        # bis numbers add 20 (sex unknown) or 40 (sex known) to the month; month 00 = unknown
        f"{m} BETWEEN 0 AND 12 OR {m} BETWEEN 21 AND 32 OR {m} BETWEEN 41 AND 52 "
        f"OR ({m} IN (20, 40) AND {d} = 0)))"
    )


def enterprise_valid_sql(x: str) -> str:
    return (
        f"(regexp_full_match({x}, '[01][0-9]{{9}}') AND "
        f"(TRY_CAST(substr({x}, 1, 8) AS BIGINT) + TRY_CAST(substr({x}, 9, 2) AS BIGINT)) % 97 = 0)"
    )


def rsz_valid_sql(x: str) -> str:
    n = f"TRY_CAST({x} AS BIGINT)"
    expected = f"(96 - ({n} // 100 * 100) % 97)"
    # zone 00011: the RSZ number may be 0 when the enterprise number is given, so all zeros means "not given"
    return (
        f"(regexp_full_match({x}, '0+') OR (regexp_full_match({x}, '[0-9]{{1,9}}') AND "
        f"{n} BETWEEN 100006 AND 199999934 AND {n} % 100 = CASE WHEN {expected} = 0 THEN 97 "
        f"ELSE {expected} END))"
    )


def local_unit_valid_sql(x: str) -> str:
    return f"regexp_full_match({x}, '[2-8][0-9]{{9}}')"


_ID_SQL = {
    "insz": insz_valid_sql,
    "enterprise": enterprise_valid_sql,
    "rsz": rsz_valid_sql,
    "local_unit": local_unit_valid_sql,
}


# only a well-formed quarter can be turned into dates (a malformed one is reported by schema.quarter)
_VALID_QUARTER = "(quarter % 10 BETWEEN 1 AND 4 AND quarter // 10 BETWEEN 1900 AND 2100)"


def quarter_start_sql(qcol: str) -> str:
    return f"make_date(CAST({qcol} // 10 AS BIGINT), CAST(({qcol} % 10 - 1) * 3 + 1 AS BIGINT), 1)"


def quarter_end_sql(qcol: str) -> str:
    return f"CAST({quarter_start_sql(qcol)} + INTERVAL 3 MONTH - INTERVAL 1 DAY AS DATE)"


def code_table(name: str) -> str:
    return f"__codes_{name}"


@cache
def codelist_values(name: str) -> list[str]:
    if name in ENUMS:
        return sorted(ENUMS[name])
    return sorted(codelists.codes(name))


# DmfA annexes that say from which to which quarter a code may be declared. NACE is left out on purpose: the
# DWH harmonises activity codes to NACE-BEL 2008 for every year, also before 2008.
PERIOD_LISTS = (
    "worker_codes", "service_codes", "remuneration_codes", "reduction_codes", "joint_committees",
    "worker_status", "employer_categories", "employment_measures", "reorganisation_measures",
)  # fmt: skip


def _quarter_of(text: str, end: bool) -> int:
    """YYYYQ from an annex's ``2003/1`` or ``01/01/2003``; an end on a quarter's first day is exclusive."""
    text = text.strip()
    if not text:
        return 99994 if end else 19001
    if len(text) == 6 and text[4] == "/":  # 2003/1
        year, q = int(text[:4]), int(text[5])
    else:  # 31/12/2007
        day, month, year = (int(p) for p in text.split("/"))
        if year >= 9999:
            return 99994
        if end and day == 1 and month in (1, 4, 7, 10):  # "until 01/01/2008" = up to 2007 Q4
            month, year = (month - 3, year) if month > 1 else (12, year - 1)
        q = (month - 1) // 3 + 1
    return 99994 if year >= 9999 else year * 10 + q


@cache
def code_periods(name: str) -> tuple[tuple[str, int, int], ...]:
    """(code, first quarter, last quarter) rows of a DmfA annex; a code may have several periods."""
    df = codelists.load(name)
    code_col = {"reduction_codes": "CodeDMFA"}.get(name, "Code")
    if "Geldig_vanaf" in df.columns:
        start, stop = "Geldig_vanaf", "Geldig_tot"
    elif "Vanaf" in df.columns:
        start, stop = "Vanaf", "Tot"
    else:
        start, stop = "begin_geldigheid", "einde_geldigheid"
    return tuple(
        (str(c).strip(), _quarter_of(str(a), False), _quarter_of(str(b), True))
        for c, a, b in zip(df[code_col], df[start], df[stop], strict=True)
    )


def period_table(name: str) -> str:
    return f"__periods_{name}"


def register_codelists(con: duckdb.DuckDBPyConnection) -> None:
    """Make every code list used by the schema a one-column table ``__codes_<name>(code)``, and the DmfA
    annexes' validity periods tables ``__periods_<name>(code, q_from, q_to)``."""
    used = {f.codelist for t in TABLES for f in t.fields if f.codelist}
    for name in sorted(n for n in used if n):
        # a real temporary table (not a registered Arrow view): planning and scanning it is far cheaper
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {code_table(name)} AS SELECT unnest($v::VARCHAR[]) AS code",
            {"v": codelist_values(name)},
        )
        if name in PERIOD_LISTS:
            rows = code_periods(name)
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {period_table(name)} AS SELECT unnest($c::VARCHAR[]) AS code, "
                "unnest($a::INTEGER[]) AS q_from, unnest($b::INTEGER[]) AS q_to",
                {"c": [r[0] for r in rows], "a": [r[1] for r in rows], "b": [r[2] for r in rows]},
            )


@dataclass(frozen=True)
class RowRule:
    rule: str
    field: str
    violation: str
    """SQL predicate over one row, TRUE when the row breaks the rule (never NULL)."""
    detail: str = ""
    single_column: bool = False
    """The predicate reads only ``field``: it can be decided once per distinct value."""


def _as_text(f: Field) -> str:
    col = q(f.name)
    if f.type == "string":
        return col
    if f.type == "bool":
        return f"CASE WHEN {col} THEN '1' ELSE '0' END"
    return f"CAST({col} AS VARCHAR)"


def row_rules(spec: Table, columns: set[str] | None = None) -> list[RowRule]:
    """The single-row rules of a table, limited to the columns present with the right type."""
    have = set(spec.field_names) if columns is None else columns
    rules: list[RowRule] = []
    for f in spec.fields:
        if f.name not in have:
            continue
        col = q(f.name)
        if not f.nullable:
            rules.append(RowRule("schema.not_null", f.name, f"{col} IS NULL"))
        if f.identifier:
            ok = _ID_SQL[f.identifier](col)
            rules.append(
                RowRule(
                    _IDENTIFIER_RULE[f.identifier],
                    f.name,
                    f"({col} IS NOT NULL AND NOT coalesce({ok}, false))",
                    single_column=True,
                )
            )
        if f.codelist:
            rules.append(
                RowRule(
                    "code.unknown",
                    f.name,
                    f"({col} IS NOT NULL AND {_as_text(f)} NOT IN "
                    f"(SELECT code FROM {code_table(f.codelist)}))",
                    detail=f"code list {f.codelist}",
                )
            )
        if f.codelist in PERIOD_LISTS and "quarter" in have and f.name != "quarter":
            # a known code declared outside the quarters the annex allows it in
            rules.append(
                RowRule(
                    "code.out_of_period",
                    f.name,
                    f"({col} IS NOT NULL AND quarter IS NOT NULL AND {col} IN (SELECT code FROM "
                    f"{code_table(f.codelist)}) AND NOT EXISTS (SELECT 1 FROM {period_table(f.codelist)} p "
                    f"WHERE p.code = {col} AND quarter BETWEEN p.q_from AND p.q_to))",
                    detail=f"code list {f.codelist}",
                )
            )
        if f.name == "quarter":
            rules.append(
                RowRule(
                    "schema.quarter",
                    f.name,
                    f"({col} IS NOT NULL AND NOT ({col} % 10 BETWEEN 1 AND 4 AND "
                    f"{col} // 10 BETWEEN 1900 AND 2100))",
                )
            )
        if f.name == "month":
            rules.append(
                RowRule(
                    "schema.quarter",
                    f.name,
                    f"({col} IS NOT NULL AND NOT ({col} % 100 BETWEEN 1 AND 12 AND "
                    f"{col} // 100 BETWEEN 1900 AND 2100))",
                )
            )
    if {"start_date", "end_date"} <= have:
        rules.append(RowRule("spell.end_before_start", "end_date", "coalesce(end_date < start_date, false)"))
    if spec.group == "inputs" and "reference_date" in have:
        # the DWH observes on the last day of a quarter; a list "stand op" any other day cannot be linked
        rules.append(
            RowRule(
                "input.reference_date",
                "reference_date",
                "coalesce(month(reference_date) NOT IN (3, 6, 9, 12) OR "
                "reference_date <> last_day(reference_date), false)",
                single_column=True,
            )
        )
    rules += _dmfa_row_rules(spec, have)
    counts = {
        "pwa_work": ("hours",),
        "voucher_order": ("orders", "vouchers"),
        "voucher_worker_payment": ("vouchers",),
    }
    for name in counts.get(spec.name, ()):
        if name in have:
            rules.append(RowRule("value.negative", name, f"coalesce({q(name)} < 0, false)"))
    return rules


def _dmfa_row_rules(spec: Table, have: set[str]) -> list[RowRule]:
    rules: list[RowRule] = []
    non_negative = {
        "dmfa_service": ("days", "hours"),
        "dmfa_occupation": ("mean_hours_worker", "mean_hours_reference"),
    }.get(spec.name, ())
    for name in non_negative:
        if name in have:
            rules.append(RowRule("dmfa.negative", name, f"coalesce({q(name)} < 0, false)"))
    if spec.name == "dmfa_occupation":
        if "days_per_week" in have:  # hundredths of days in a week
            rules.append(
                RowRule(
                    "dmfa.negative", "days_per_week", "coalesce(days_per_week NOT BETWEEN 0 AND 700, false)"
                )
            )
        if "contract_type" in have:
            rules.append(
                RowRule(
                    "dmfa.negative",
                    "contract_type",
                    "coalesce(contract_type NOT IN (0, 1), false)",
                    detail="0 or 1",
                )
            )
    if spec.name in ("dmfa_occupation", "dmfa_worker_line") and {"quarter", "start_date", "end_date"} <= have:
        # the line must meet its quarter: start on or before its last day, end on or after its first day
        rules.append(
            RowRule(
                "dmfa.outside_quarter",
                "start_date",
                f"coalesce(CASE WHEN {_VALID_QUARTER} THEN start_date > {quarter_end_sql('quarter')} END, "
                "false)",
            )
        )
        rules.append(
            RowRule(
                "dmfa.outside_quarter",
                "end_date",
                f"coalesce(CASE WHEN {_VALID_QUARTER} THEN end_date < {quarter_start_sql('quarter')} END, "
                "false)",
            )
        )
    if spec.name == "dmfa_worker_contribution" and {"base_cents", "amount_cents"} <= have:
        rules.append(
            RowRule(
                "dmfa.contribution_base",
                "amount_cents",
                "coalesce(base_cents < 0 OR amount_cents < 0 OR amount_cents > base_cents, false)",
            )
        )
    return rules


def _key_is_safe(spec: Table) -> bool:
    """A key may be shown when none of its fields holds an identifier (DmfA line numbers, decision ids)."""
    return all(spec.field(k).identifier is None and spec.field(k).type.startswith("int") for k in spec.key)


# ---------------------------------------------------------------------------------------------- the checks
@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[], list[Finding]]


class Validator:
    """Builds the checks for one warehouse; :func:`validate` runs them all, reporting progress per check."""

    def __init__(
        self,
        wh: Warehouse,
        examples: int = 5,
        checksums: bool = True,
        con: duckdb.DuckDBPyConnection | None = None,
    ) -> None:
        self.wh = wh
        self.examples = examples
        self.checksums = checksums
        self.con = con or duckdb.connect()
        self.manifest = wh.manifest()
        register_codelists(self.con)
        self.columns: dict[str, dict[str, pa.DataType]] = {}
        self.rows: dict[str, int] = {}
        self._present: list[str] = []
        self._schema_findings: list[Finding] = []

    # -------------------------------------------------------------- helpers
    def _rel(self, filename: str) -> str:
        try:
            return str(Path(filename).resolve().relative_to(self.wh.root.resolve()))
        except ValueError:
            return filename

    def _view(self, name: str) -> str:
        return q(f"__v_{name}")

    def _refs(self, raw: Any, spec: Table | None) -> list[RowRef]:
        out: list[RowRef] = []
        for item in raw or []:
            key = None
            if spec is not None and _key_is_safe(spec) and item.get("k") is not None:
                key = {k: int(v) for k, v in item["k"].items() if v is not None}
            out.append(RowRef(self._rel(item["f"]), int(item["r"]) + 1, key))
        return out

    def _pos(self, alias: str, spec: Table) -> str:
        """The struct an example is built from: file, row and, when safe, the key."""
        parts = [f"f := {alias}.filename", f"r := {alias}.file_row_number"]
        if _key_is_safe(spec):
            parts.append("k := struct_pack(" + ", ".join(f"{q(k)} := {alias}.{q(k)}" for k in spec.key) + ")")
        return "struct_pack(" + ", ".join(parts) + ")"

    def _examples(self, sql_from_where: str, alias: str, spec: Table) -> list[RowRef]:
        """The first rows (by file and row) of a failing check; only run when the count is not zero."""
        if self.examples <= 0:
            return []
        rows = self.con.execute(
            f"SELECT {self._pos(alias, spec)} AS __p {sql_from_where} "
            f"ORDER BY {alias}.filename, {alias}.file_row_number LIMIT {self.examples}"
        ).fetchall()
        return self._refs([r[0] for r in rows], spec)

    def _count_and_examples(self, sql_from_where: str, alias: str, spec: Table) -> tuple[int, list[RowRef]]:
        # counting first and fetching examples only for failing checks keeps a clean warehouse to one scan
        row = self.con.execute(f"SELECT count(*) {sql_from_where}").fetchone()
        assert row is not None
        count = int(row[0])
        return count, (self._examples(sql_from_where, alias, spec) if count else [])

    def has(self, name: str, *cols: str) -> bool:
        return name in self._present and all(c in self.columns.get(name, {}) for c in cols)

    # -------------------------------------------------------------- check list
    def checks(self) -> list[Check]:
        """Every check; the first one (files and schema) prepares the views the others read."""
        out = [Check("files and schema", self._check_files)]
        for spec in TABLES:
            if spec.name in self.manifest.get("tables", {}):
                out.append(Check(f"rows of {spec.name}", partial(self._check_rows, spec)))
                out.append(Check(f"key of {spec.name}", partial(self._check_key, spec)))
        for spec in TABLES:
            for f in spec.fields:
                if f.references and spec.name in self.manifest.get("tables", {}):
                    out.append(
                        Check(
                            f"references {spec.name}.{f.name}",
                            partial(self._check_reference, spec, f),
                        )
                    )
        out.append(Check("residence and household spells", self._check_overlaps))
        out.append(Check("events after death", self._check_death))
        out.append(Check("DmfA consistency", self._check_dmfa))
        out.append(Check("provider inputs of 15/018", self._check_inputs))
        return out

    # -------------------------------------------------------------- files and schema
    def _check_files(self) -> list[Finding]:
        findings: list[Finding] = []
        for name, entry in self.manifest.get("tables", {}).items():
            try:
                spec = table(name)
            except KeyError:
                continue  # tables from a newer schema: not ours to judge
            expected = {f.name: f.arrow_type for f in spec.fields}
            cols: dict[str, pa.DataType] = {}
            files_ok: list[str] = []
            file_rows: dict[str, int] = {}
            for rec in entry.get("files", []):
                path = self.wh.root / rec["path"]
                if not path.is_file():
                    findings.append(Finding("storage.missing_file", name, None, 1, [RowRef(rec["path"], 0)]))
                    continue
                if self.checksums and rec.get("sha256") and sha256_file(path) != rec["sha256"]:
                    findings.append(Finding("storage.checksum", name, None, 1, [RowRef(rec["path"], 0)]))
                try:
                    meta = pq.read_metadata(path)
                except (pa.ArrowInvalid, OSError):
                    findings.append(Finding("storage.unreadable", name, None, 1, [RowRef(rec["path"], 0)]))
                    continue
                if rec.get("rows") is not None and meta.num_rows != rec["rows"]:
                    findings.append(Finding("storage.row_count", name, None, 1, [RowRef(rec["path"], 0)]))
                file_schema = meta.schema.to_arrow_schema()
                for fname, ftype in expected.items():
                    idx = file_schema.get_field_index(fname)
                    if idx < 0:
                        findings.append(
                            Finding("schema.missing_column", name, fname, 1, [RowRef(rec["path"], 0)])
                        )
                        continue
                    got = file_schema.field(idx).type
                    if pa.types.is_large_string(got) or pa.types.is_string_view(got):
                        got = pa.string()
                    if got != ftype:
                        findings.append(
                            Finding(
                                "schema.type",
                                name,
                                fname,
                                1,
                                [RowRef(rec["path"], 0)],
                                detail=f"{got} instead of {ftype}",
                            )
                        )
                    else:
                        cols.setdefault(fname, got)
                for extra in set(file_schema.names) - set(expected):
                    findings.append(Finding("schema.extra_column", name, extra, 1, [RowRef(rec["path"], 0)]))
                files_ok.append(str(path))
                file_rows[str(path)] = meta.num_rows
            # a column is checked only when every file has it with the right type
            bad = {
                f.field
                for f in findings
                if f.table == name and f.rule in ("schema.missing_column", "schema.type")
            }
            self.columns[name] = {c: t for c, t in cols.items() if c not in bad}
            self.rows[name] = 0
            if files_ok:
                listing = ", ".join("'" + p.replace("'", "''") + "'" for p in files_ok)
                self.rows[name] = sum(file_rows.values())
                # small tables are copied into DuckDB once (every later check skips the Parquet set-up);
                # large ones stay views over the files, so memory stays bounded
                kind = "TEMP TABLE" if self.rows[name] <= _MATERIALISE_ROWS else "VIEW"
                self.con.execute(
                    f"CREATE OR REPLACE {kind} {self._view(name)} AS SELECT * FROM read_parquet([{listing}], "
                    "filename=true, file_row_number=true, union_by_name=true, hive_partitioning=false)"
                )
                self._present.append(name)
        return findings

    # -------------------------------------------------------------- row rules
    def _check_rows(self, spec: Table) -> list[Finding]:
        if spec.name not in self._present:
            return []
        rules = row_rules(spec, set(self.columns[spec.name]))
        if not rules:
            return []
        view = self._view(spec.name)
        findings = []
        # identifier checks are costly string arithmetic: decide them once per distinct value (a person has
        # one INSZ but dozens of quarterly rows), and count rows only when a bad value exists
        # (a temporary table, because DuckDB would push the test below a DISTINCT subquery, into the scan)
        for r in [r for r in rules if r.single_column]:
            col = q(r.field)
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE __distinct AS SELECT DISTINCT {col} FROM {view}")
            self.con.execute(
                f"CREATE OR REPLACE TEMP TABLE __bad AS SELECT {col} FROM __distinct WHERE {r.violation}"
            )
            if self.con.execute("SELECT count(*) FROM __bad").fetchone() != (0,):
                sql = f"FROM {view} t WHERE t.{col} IN (SELECT {col} FROM __bad)"
                count, ex = self._count_and_examples(sql, "t", spec)
                findings.append(Finding(r.rule, spec.name, r.field, count, ex, r.detail))
        self.con.execute("DROP TABLE IF EXISTS __distinct; DROP TABLE IF EXISTS __bad")
        rules = [r for r in rules if not r.single_column]
        if not rules:
            return findings
        counts = f"SELECT {', '.join(f'count(*) FILTER (WHERE {r.violation})' for r in rules)}"
        row = self.con.execute(f"{counts} FROM {view} t").fetchone()
        assert row is not None
        for r, count in zip(rules, row, strict=True):
            if count:
                ex = self._examples(f"FROM {view} t WHERE {r.violation}", "t", spec)
                findings.append(Finding(r.rule, spec.name, r.field, int(count), ex, r.detail))
        return findings

    def _check_key(self, spec: Table) -> list[Finding]:
        if not self.has(spec.name, *spec.key):
            return []
        keys = ", ".join(q(k) for k in spec.key)
        v = self._view(spec.name)
        count, ex = self._count_and_examples(
            f"FROM {v} t SEMI JOIN (SELECT {keys} FROM {v} GROUP BY ALL HAVING count(*) > 1) d "
            f"USING ({keys})",
            "t",
            spec,
        )
        return [Finding("key.duplicate", spec.name, ", ".join(spec.key), count, ex)] if count else []

    def _check_reference(self, spec: Table, f: Field) -> list[Finding]:
        if not self.has(spec.name, f.name):
            return []
        assert f.references is not None
        target, tfield = f.references.split(".")
        col = q(f.name)
        view = self._view(spec.name)
        if not self.has(target, tfield):  # the referenced table is absent: every reference dangles
            count, ex = self._count_and_examples(f"FROM {view} t WHERE t.{col} IS NOT NULL", "t", spec)
            return (
                [Finding("ref.missing", spec.name, f.name, count, ex, detail=f"→ {f.references}")]
                if count
                else []
            )
        # a DmfA block must also share its parent block's quarter: one join answers both questions
        quarters = (
            f.name in _DMFA_PARENT_KEYS and self.has(spec.name, "quarter") and self.has(target, "quarter")
        )
        parent_quarter = ", min(quarter) AS __qmin, max(quarter) AS __qmax" if quarters else ""
        join = (
            f"FROM {view} t LEFT JOIN (SELECT {q(tfield)} AS __k{parent_quarter} FROM {self._view(target)} "
            f"GROUP BY {q(tfield)}) r ON t.{col} = r.__k"
        )
        missing = f"t.{col} IS NOT NULL AND r.__k IS NULL"
        mismatch = "r.__k IS NOT NULL AND (t.quarter <> r.__qmin OR t.quarter <> r.__qmax)"
        counts = f"count(*) FILTER (WHERE {missing})" + (
            f", count(*) FILTER (WHERE {mismatch})" if quarters else ""
        )
        row = self.con.execute(f"SELECT {counts} {join}").fetchone()
        assert row is not None
        findings = []
        if row[0]:
            ex = self._examples(f"{join} WHERE {missing}", "t", spec)
            findings.append(
                Finding("ref.missing", spec.name, f.name, int(row[0]), ex, detail=f"→ {f.references}")
            )
        if quarters and row[1]:
            ex = self._examples(f"{join} WHERE {mismatch}", "t", spec)
            findings.append(
                Finding(
                    "dmfa.quarter_mismatch", spec.name, "quarter", int(row[1]), ex, detail=f"against {target}"
                )
            )
        return findings

    # -------------------------------------------------------------- spells
    def _check_overlaps(self) -> list[Finding]:
        findings = []
        for name, rule in (
            ("residence", "spell.residence_overlap"),
            ("household", "spell.household_overlap"),
        ):
            if not self.has(name, "insz", "start_date", "end_date"):
                continue
            spec = table(name)
            # sorted by start, any overlap shows up between neighbours: the earlier spell is still running
            sql = (
                f"FROM (SELECT *, lag(coalesce(end_date, DATE '9999-12-31')) OVER "
                f"(PARTITION BY insz ORDER BY start_date, end_date NULLS LAST) AS __prev_end "
                f"FROM {self._view(name)}) t WHERE t.__prev_end >= t.start_date"
            )
            count, ex = self._count_and_examples(sql, "t", spec)
            if count:
                findings.append(Finding(rule, name, "start_date", count, ex))
        return findings

    # -------------------------------------------------------------- death
    def _death_table(self) -> str | None:
        if not self.has("person", "insz", "death_date"):
            return None
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE __deaths AS SELECT insz, death_date, "
            f"year(death_date) * 10 + quarter(death_date) AS death_quarter, "
            f"year(death_date) * 100 + month(death_date) AS death_month "
            f"FROM {self._view('person')} WHERE death_date IS NOT NULL"
        )
        return "__deaths"

    def _check_death(self) -> list[Finding]:
        deaths = self._death_table()
        if deaths is None:
            return []
        findings = []
        spells = {
            "death.residence_after": ("residence", "household"),
            "death.work_after": ("self_employment", "ocmw_employment"),
            "death.benefit_after": (
                "unemployment",
                "career_break",
                "incapacity",
                "social_assistance",
                "pension",
                "child_benefit",
                "disability_allowance",
            ),
        }
        for rule, names in spells.items():
            for name in names:
                if not self.has(name, "insz", "start_date", "end_date"):
                    continue
                sql = (
                    f"FROM {self._view(name)} t JOIN {deaths} d USING (insz) "
                    f"WHERE t.start_date > d.death_date OR coalesce(t.end_date > d.death_date, false)"
                )
                count, ex = self._count_and_examples(sql, "t", table(name))
                if count:
                    findings.append(Finding(rule, name, "start_date", count, ex))
        # a person on a provider's employee list at a reference date after their death
        if self.has("se_employees", "insz", "reference_date"):
            sql = (
                f"FROM {self._view('se_employees')} t JOIN {deaths} d USING (insz) "
                f"WHERE t.reference_date > d.death_date"
            )
            count, ex = self._count_and_examples(sql, "t", table("se_employees"))
            if count:
                findings.append(
                    Finding("death.work_after", "se_employees", "reference_date", count, ex, detail="listed")
                )
        quarterly = (
            ("death.work_after", "pwa_work"),
            ("death.work_after", "voucher_worker_payment"),
            ("death.position_after", "socio_economic_position"),
        )
        for rule, name in quarterly:
            if self.has(name, "insz", "quarter"):
                sql = (
                    f"FROM {self._view(name)} t JOIN {deaths} d USING (insz) "
                    f"WHERE t.quarter > d.death_quarter"
                )
                count, ex = self._count_and_examples(sql, "t", table(name))
                if count:
                    findings.append(Finding(rule, name, "quarter", count, ex))
        if self.has("voucher_order", "insz", "month"):
            sql = (
                f"FROM {self._view('voucher_order')} t JOIN {deaths} d USING (insz) "
                f"WHERE t.month > d.death_month"
            )
            count, ex = self._count_and_examples(sql, "t", table("voucher_order"))
            if count:
                findings.append(
                    Finding(
                        "death.benefit_after", "voucher_order", "month", count, ex, detail="voucher orders"
                    )
                )
        if (
            self.has("dmfa_occupation", "worker_line_id", "start_date", "end_date", "quarter")
            and self.has("dmfa_worker_line", "worker_line_id", "person_id")
            and self.has("dmfa_natural_person", "person_id", "insz")
        ):
            sql = (
                f"FROM {self._view('dmfa_occupation')} t "
                f"JOIN {self._view('dmfa_worker_line')} w ON t.worker_line_id = w.worker_line_id "
                f"JOIN {self._view('dmfa_natural_person')} p ON w.person_id = p.person_id "
                f"JOIN {deaths} d ON p.insz = d.insz "
                f"WHERE t.start_date > d.death_date OR t.quarter > d.death_quarter"
            )
            count, ex = self._count_and_examples(sql, "t", table("dmfa_occupation"))
            if count:
                findings.append(Finding("death.work_after", "dmfa_occupation", "start_date", count, ex))
        return findings

    # -------------------------------------------------------------- DmfA
    def _check_dmfa(self) -> list[Finding]:
        findings = []
        # quarters against the parent block are checked with the references (one join)
        absent = (
            ("dmfa_occupation", "occupation_id", "dmfa_remuneration", "dmfa.no_remuneration"),
            ("dmfa_worker_line", "worker_line_id", "dmfa_occupation", "dmfa.no_occupation"),
        )
        for name, k, children, rule in absent:
            if self.has(name, k):
                other = (
                    f"(SELECT DISTINCT {q(k)} FROM {self._view(children)})"
                    if self.has(children, k)
                    else f"(SELECT NULL::BIGINT AS {q(k)} WHERE false)"
                )
                sql = f"FROM {self._view(name)} t ANTI JOIN {other} c ON t.{q(k)} = c.{q(k)}"
                count, ex = self._count_and_examples(sql, "t", table(name))
                if count:
                    findings.append(Finding(rule, name, k, count, ex))
        return findings

    # -------------------------------------------------------------- provider inputs
    def _check_inputs(self) -> list[Finding]:
        """Cross-list checks of the 15/018 provider inputs (S001-1, S001-2): warnings, lists are as sent."""
        findings: list[Finding] = []
        emp_cols = ("enterprise_number", "reference_date")
        if self.has("se_employees", "employer_enterprise_number", "reference_date") and self.has(
            "se_employers", *emp_cols
        ):
            employers = self._view("se_employers")
            # only reference dates for which the agency sent an employer list (2008 has employees only)
            sql = (
                f"FROM {self._view('se_employees')} t WHERE t.employer_enterprise_number IS NOT NULL "
                f"AND t.reference_date IN (SELECT reference_date FROM {employers}) "
                f"AND NOT EXISTS (SELECT 1 FROM {employers} e WHERE e.enterprise_number = "
                f"t.employer_enterprise_number AND e.reference_date = t.reference_date)"
            )
            count, ex = self._count_and_examples(sql, "t", table("se_employees"))
            if count:
                findings.append(
                    Finding(
                        "input.unlisted_employer", "se_employees", "employer_enterprise_number", count, ex
                    )
                )
        if (
            self.has("se_employees", "insz", "employer_enterprise_number", "reference_date")
            and self.has("dmfa_natural_person", "declaration_id", "insz", "quarter")
            and self.has("dmfa_employer_declaration", "declaration_id", "enterprise_number", "quarter")
        ):
            quarter = "(year(t.reference_date) * 10 + quarter(t.reference_date))"
            sql = (
                f"FROM {self._view('se_employees')} t WHERE t.employer_enterprise_number IS NOT NULL "
                f"AND NOT EXISTS (SELECT 1 FROM {self._view('dmfa_natural_person')} n "
                f"JOIN {self._view('dmfa_employer_declaration')} d ON d.declaration_id = n.declaration_id "
                f"WHERE n.insz = t.insz AND d.enterprise_number = t.employer_enterprise_number "
                f"AND n.quarter = {quarter})"
            )
            count, ex = self._count_and_examples(sql, "t", table("se_employees"))
            if count:
                findings.append(Finding("input.employee_without_job", "se_employees", "insz", count, ex))
        if self.has("se_employer_survey", "enterprise_number") and self.has("se_employers", *emp_cols):
            sql = (
                f"FROM {self._view('se_employer_survey')} t WHERE t.enterprise_number NOT IN "
                f"(SELECT enterprise_number FROM {self._view('se_employers')})"
            )
            count, ex = self._count_and_examples(sql, "t", table("se_employer_survey"))
            if count:
                findings.append(
                    Finding("input.survey_unlisted", "se_employer_survey", "enterprise_number", count, ex)
                )
        return findings


def validate(
    wh: Warehouse | str | Path,
    examples: int = 5,
    checksums: bool = True,
    on_check: Callable[[str, int, int], None] | None = None,
) -> Report:
    """Run every check on the warehouse; ``on_check(name, done, total)`` follows each (for a progress bar)."""
    wh = wh if isinstance(wh, Warehouse) else Warehouse(wh)
    start = time.perf_counter()
    v = Validator(wh, examples=examples, checksums=checksums)
    findings: list[Finding] = []
    checks = v.checks()
    for done, c in enumerate(checks, 1):
        findings += c.run()
        if on_check:
            on_check(c.name, done, len(checks))
    return Report(str(wh.root), findings, len(checks), v.rows, time.perf_counter() - start)
