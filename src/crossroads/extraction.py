"""One phase-1 extract under a permit, from the permit check to the published delivery and its audit entry.

The order is the law of the flow (DESIGN.md): the permit and the reference date are checked first and a
refusal stops everything (and is audited); the engine builds the datasets; ``pseudonyms`` replaces every
INSZ and enterprise number; ``disclosure`` applies the permit's disclosure settings (risk per person,
remedies mapped back onto every row of the person: :func:`protect_risk`); ``delivery`` packages, scans
every byte for the warehouse's identifiers and publishes atomically; governance registers the delivery
for retention and appends the audit event. The CLI (``crossroads extract``, ``crossroads demo``) only
calls :func:`run`.

Aggregate datasets (``unit: aggregate``, S001-6) are not microdata: the person-based risk step skips them
and their counts below ``min_cell`` are replaced by a mere mention (:func:`hide_small_counts`). The permit's
geographic fallback (15/018, S001-4) is applied per record before the risk step
(:func:`apply_geographic_fallback`). Files without quasi-identifiers (employer, job, record files of a
permit whose quasi-identifiers are person characteristics) are listed in the risk report, not assessed.

Phase 2 (``enclave=True``, ``crossroads extract --phase 2 --enclave``): the same flow on the full
populations writes an enclave *workspace* (registered as such for retention, audited as
``extract.enclave``): pseudonymised with the permit's conversion table (so phase-1 and phase-2 numbers
agree), leak-scanned, aggregates cut to min_cell, microdata unprotected because they never leave. Full
populations do not fit in memory: the engine streams each dataset to a Parquet file in a private temporary
folder (in slices of ``slice_persons`` persons when the permit allows it), the identifiers are replaced batch
by batch, and the workspace's files are written and leak-scanned from those files (:class:`StoredRows`); the
temporary folder, which holds identifiers, is removed whatever happens.

Reference dates (``--as-of``): the permits of the seeds are historical (21/150 expired on 1 Sep 2024),
so a date other than today is allowed only on a synthetic warehouse, and is then recorded as a
simulation in the manifest and the audit trail.
"""

from __future__ import annotations

import getpass
import hashlib
import importlib
import re
import secrets
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from crossroads.delivery import leaks
from crossroads.delivery.contents import Dataset, DeliveryInfo, Rows, StoredRows, VariableInfo
from crossroads.delivery.formats import FORMATS
from crossroads.delivery.packaging import Delivered, make_delivery
from crossroads.scratch import private_folder

Step = Callable[[str], None]
_LONG_NUMBER = re.compile(r"\d{10,}")  # never let a number shaped like an identifier into the audit trail
SLICE_PERSONS = 200_000
"""Persons per slice when an enclave workspace is built in slices (21/128 at scale 0.1: 6.6 GB peak
with 150,000; memory grows with the slice, not with the population)."""
WORKSPACE_FORMATS: tuple[str, ...] = ("parquet", "csv")
"""An enclave workspace's default formats: both are written batch by batch (Stata and SPSS files are
written from memory, see ``delivery.formats.LABELLED_MAX_ROWS``)."""


class ExtractRefused(Exception):
    """The extract is not allowed (permit, date, phase, warehouse). The message names no person."""


class PartNotReady(RuntimeError):
    """A part of Crossroads this extract needs is not available in this installation."""


@dataclass(frozen=True)
class ExtractRequest:
    permit_file: Path
    warehouse: Path
    out: Path
    phase: int = 1
    as_of: date | None = None
    """Reference date; None = today."""
    seed: int | None = None
    """Sample seed; None = drawn at random and recorded in the manifest."""
    backend: str = "duckdb"
    formats: tuple[str, ...] = FORMATS
    actor: str = field(default_factory=lambda: _current_user())
    enclave: bool = False
    """Phase 2: build the full populations into an enclave workspace under ``out`` (never a delivery)."""
    slice_persons: int | None = None
    """Enclave only: persons per slice (None: ``SLICE_PERSONS`` when the permit allows slices, else one
    pass; 0: one pass)."""
    pass_persons: int | None = None
    """Enclave only: persons of the slices whose shared building blocks are built together (None: the
    engine's ``PASS_PERSONS``, a country in one pass); fewer need less temporary disk."""


@dataclass(frozen=True)
class ExtractResult:
    delivery: Delivered
    permit_number: str
    version: int
    as_of: date
    simulation: bool
    seed: int
    rows: dict[str, int]
    risk: dict[str, Any]

    @property
    def path(self) -> Path:
        return self.delivery.path


def _current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "crossroads"


def today_utc() -> date:
    return datetime.now(UTC).date()


# ----------------------------------------------------------------------------- seams to the other parts
def _require(module: str, attribute: str) -> Any:
    """``module.attribute``, or a clear PartNotReady naming what is missing."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        raise PartNotReady(f"{module} is not available ({exc.name} missing)") from None
    if not hasattr(mod, attribute):
        raise PartNotReady(f"{module}.{attribute} is not available yet")
    return getattr(mod, attribute)


def run_engine(
    version: Any,
    warehouse: Any,
    *,
    phase: int,
    seed: int,
    backend: str,
    as_of: date,
    write_to: Path | None = None,
    slice_persons: int | None = None,
    pass_persons: int | None = None,
) -> Any:
    """The engine's ``Extract`` (datasets with identifiers still in them; with ``write_to``, the microdata
    in Parquet files there, built ``slice_persons`` persons at a time, their shared blocks ``pass_persons``
    persons at a time)."""
    extract = _require("crossroads.engine", "extract")
    if write_to is None:
        return extract(version, warehouse, phase=phase, seed=seed, backend=backend, as_of=as_of)
    passes = {"pass_persons": pass_persons} if pass_persons else {}
    return extract(
        version,
        warehouse,
        phase=phase,
        seed=seed,
        backend=backend,
        as_of=as_of,
        write_to=write_to,
        slice_persons=slice_persons,
        **passes,
    )


def workspace_slices(version: Any, asked: int | None) -> int | None:
    """Persons per slice for an enclave workspace: ``asked`` (0: one pass), else ``SLICE_PERSONS`` when the
    permit's datasets can be built in slices (person groups, no aggregate), else one pass (None)."""
    if asked == 0:
        return None
    if asked is not None:
        if asked < 0:
            raise ExtractRefused(f"--slice-persons must be 0 (one pass) or more, not {asked}")
        return asked
    refusal = _require("crossroads.engine", "slice_refusal")
    return None if refusal(version) else SLICE_PERSONS


def check_key(store: Any, permit_number: str) -> None:
    """Refuse a permit whose key was destroyed (crypto-shredding): its sequence numbers are gone for good."""
    from crossroads.governance import KeyDestroyed, KeyNotFound

    try:
        store.keys.key_for(permit_number)
    except KeyNotFound:
        return  # first extract of the permit: the conversion table creates the key
    except KeyDestroyed:
        raise ExtractRefused(
            f"permit {permit_number}: its key was destroyed (retention); "
            "no sequence numbers can be assigned any more"
        ) from None


def conversion_table(store: Any, permit_number: str) -> Any:
    """The permit's conversion table (custodian side); it creates the permit's key on first use."""
    table_cls = _require("crossroads.pseudonyms", "ConversionTable")
    return table_cls(Path(store.home) / "pseudonyms", permit_number, store.keys)


def pseudonymise(
    datasets: Mapping[str, pa.Table], identifier_columns: Mapping[str, Mapping[str, str]], conversion: Any
) -> dict[str, pa.Table]:
    """Every dataset with its INSZ and enterprise columns replaced by sequence numbers."""
    replace = _require("crossroads.pseudonyms", "replace")
    out = {}
    for name, table in datasets.items():
        columns = dict(identifier_columns.get(name, {}))
        out[name] = replace(table, columns, conversion) if columns else table
    return out


def pseudonymise_file(source: Path, target: Path, columns: Mapping[str, str], conversion: Any) -> StoredRows:
    """A dataset file with its identifier columns replaced by sequence numbers, batch by batch.

    The numbers of every identifier in the file are assigned first in one call (extending the encrypted
    table once, not per batch); each batch is then checked like an in-memory table (no column named or
    valued like an identifier may remain).
    """
    replace = _require("crossroads.pseudonyms", "replace")
    for column, kind in columns.items():
        conversion.assign(_distinct_values(source, column), kind)
    rows = StoredRows(source)
    writer: pq.ParquetWriter | None = None
    try:
        for batch in rows.batches():
            part = replace(pa.Table.from_batches([batch]), columns, conversion)
            if writer is None:
                writer = pq.ParquetWriter(target, part.schema, compression="zstd")
            writer.write_table(part)
        if writer is None:  # no rows: the columns still, with their delivered names and types
            empty = replace(rows.schema.empty_table(), columns, conversion)
            pq.write_table(empty, target, compression="zstd")
    finally:
        if writer is not None:
            writer.close()
    return StoredRows(target)


def _distinct_values(source: Path, column: str) -> pa.Array:
    """The distinct values of a file's column, read batch by batch (the whole column of a 209-million-row
    file is ~3 GB of strings; its persons are ~7 M)."""
    parts = [pc.unique(batch.column(0)) for batch in pq.ParquetFile(source).iter_batches(columns=[column])]
    if not parts:
        return pa.array([], type=pq.read_schema(source).field(column).type)
    return pc.unique(pa.chunked_array(parts))


def assess_risk(tables: Mapping[str, pa.Table], settings: Any, title: str = "Disclosure report") -> Any:
    """The disclosure risk report of the datasets as they are (``to_html(path)``, ``to_dict()``)."""
    assess = _require("crossroads.disclosure", "assess_delivery")
    return assess(persons_view(_missing_as_class(tables, settings), settings), settings, title=title)


MAX_ROUNDS = 10
"""Protection rounds at most; a second round is rare (see :func:`protect_risk`)."""


def protect_risk(
    tables: Mapping[str, pa.Table], settings: Any, title: str = "Disclosure report"
) -> tuple[dict[str, pa.Table], DeliveredRisk]:
    """The datasets with the permit's remedies applied to every row, and the report of what was done.

    The remedies are decided on one record per person and quasi-identifier profile (:func:`persons_view`)
    and mapped back onto every quarter/year row of that person carrying that profile
    (:func:`apply_to_rows`): a suppressed value becomes missing, a recoded value is replaced consistently.
    Suppression can make two profiles of one person identical (a person aged 20-24, then 25-29, with
    the age suppressed in both), and the class they were counted in then holds one person less; so the
    protected files are assessed again, and protected again, until every file reaches the permit's k
    per person (or :data:`MAX_ROUNDS` is reached: the report then says AT RISK).
    """
    protect = _require("crossroads.disclosure", "protect_delivery")
    target = _target_k(settings)
    current = dict(tables)
    rounds: list[Any] = []
    delivered: Any = None
    for _ in range(MAX_ROUNDS):
        filled = _missing_as_class(current, settings)
        profiles = {name: person_profiles(t, settings) for name, t in filled.items()}
        views = {name: _without_person(p) for name, p in profiles.items()}
        protected, report = protect(views, settings, title=title)
        if all(t.risk is None or t.risk.k >= target for t in report.tables):
            delivered = report  # nothing below k: this assessment describes the files as delivered
            break
        rounds.append(report)
        qis = list(getattr(settings, "quasi_identifiers", ()) or ())
        current = {
            name: apply_to_rows(current[name], filled[name], profiles[name], protected[name], qis)
            for name in current
        }
    if delivered is None:
        delivered = assess_risk(current, settings, title=title)
    return current, DeliveredRisk(rounds, delivered, tables, current, settings)


def _target_k(settings: Any) -> int:
    k = getattr(settings, "k", None)
    return int(k if k is not None else getattr(settings, "min_cell", 5) or 5)


def _without_person(profile: pa.Table) -> pa.Table:
    if not _has_profiles(profile):
        return profile
    return profile.drop_columns(["person_seq"]).replace_schema_metadata(None)


def _has_profiles(profile: pa.Table) -> bool:
    return (
        "person_seq" in profile.column_names
        and profile.schema.metadata is not None
        and profile.schema.metadata.get(b"crossroads:profiles") == b"1"
    )


def person_profiles(table: pa.Table, settings: Any) -> pa.Table:
    """One record per (person_seq, quasi-identifiers) with the person's first sensitive values.

    The delivered files repeat a person on every quarter (and year) row; counted per row, one person
    with four quarter rows would look like a class of four. k-anonymity is about persons, so the
    table is reduced to the distinct (person_seq, quasi-identifiers). A table without ``person_seq``
    or quasi-identifiers is returned as it is.
    """
    qis = list(getattr(settings, "quasi_identifiers", ()) or ())
    sensitive = list(getattr(settings, "sensitive", ()) or ())
    keys = [c for c in qis if c in table.column_names]
    if "person_seq" not in table.column_names or not keys:
        return table
    sens = [c for c in sensitive if c in table.column_names and c not in keys]
    # use_threads=False: "first" is only defined on an ordered scan, and the order of the profiles is
    # the order in which the protection's rows are mapped back
    grouped = table.select(["person_seq", *keys, *sens]).group_by(["person_seq", *keys], use_threads=False)
    reduced = grouped.aggregate([(c, "first") for c in sens])
    names = {f"{c}_first": c for c in sens}
    reduced = reduced.rename_columns([names.get(c, c) for c in reduced.column_names])
    reduced = reduced.select(["person_seq", *keys, *sens])
    return reduced.replace_schema_metadata({b"crossroads:profiles": b"1"})


def persons_view(tables: Mapping[str, pa.Table], settings: Any) -> dict[str, pa.Table]:
    """One record per person and quasi-identifier combination (without ``person_seq``), for the risk."""
    out = {}
    for name, table in tables.items():
        out[name] = _without_person(person_profiles(table, settings))
    return out


SUPPRESSED = "*"  # how the disclosure module marks a suppressed quasi-identifier value


def apply_to_rows(
    table: pa.Table, filled: pa.Table, profiles: pa.Table, protected: Any, quasi_identifiers: list[str]
) -> pa.Table:
    """``table`` with the protection decided on its person profiles applied to every one of its rows.

    ``filled`` is ``table`` with missing values as a class (the values the profiles were built from);
    ``profiles`` the records the protection ran on, in the same order as the rows of ``protected``.
    A suppressed value (``*``, or none) becomes missing; a value the remedies left alone keeps its type;
    a recoded value replaces the original (the column is then text).
    """
    import pandas as pd

    keys = [c for c in quasi_identifiers if c in table.column_names]
    if not keys:
        return table
    frame = protected if isinstance(protected, pd.DataFrame) else protected.to_pandas()
    if len(frame) != profiles.num_rows:
        raise PartNotReady(f"the protection returned {len(frame)} records for {profiles.num_rows} profiles")
    if _has_profiles(profiles):
        # row -> its profile: a left join of every row on (person_seq, quasi-identifiers as assessed)
        left = filled.select(["person_seq", *keys]).to_pandas()
        left["__row"] = range(len(left))
        right = profiles.select(["person_seq", *keys]).to_pandas()
        for q in keys:
            right[f"__new_{q}"] = frame[q].to_numpy()
        joined = left.merge(right, on=["person_seq", *keys], how="left", validate="many_to_one")
        joined = joined.sort_values("__row")
        new = {q: joined[f"__new_{q}"].to_numpy(dtype=object) for q in keys}
    else:  # assessed row by row: the protection's rows are the table's rows
        if len(frame) != table.num_rows:
            raise PartNotReady(f"the protection returned {len(frame)} rows for {table.num_rows}")
        new = {q: frame[q].to_numpy(dtype=object) for q in keys}
    out = table
    for q in keys:
        original = table.column(q)
        assessed = filled.column(q).to_pylist()
        values = new[q]
        # "*" is suppressed; no value at all (a geographic level fallen back to a coarser one) too
        gone = [v is None or v == SUPPRESSED or (isinstance(v, float) and v != v) for v in values]
        recoded = [not g and str(v) != str(a) for v, a, g in zip(values, assessed, gone, strict=True)]
        if any(recoded):
            base = original.cast(pa.string()).to_pylist()
            column = pa.array(
                [
                    None if g else (str(v) if r else b)
                    for v, b, g, r in zip(values, base, gone, recoded, strict=True)
                ],
                pa.string(),
            )
        elif any(gone):
            column = _blank(pa.array(gone, pa.bool_()), original)
        else:
            continue
        out = out.set_column(out.column_names.index(q), q, column)
    return out


def _blank(gone: pa.Array, original: Any) -> Any:
    """``original`` with the values where ``gone`` is true set to missing (type kept)."""
    import pyarrow.compute as pc

    return pc.if_else(gone, pa.scalar(None, original.type), original)


MISSING = "(ontbrekend)"


def _missing_as_class(tables: Mapping[str, pa.Table], settings: Any) -> dict[str, pa.Table]:
    """The tables with missing quasi-identifier and sensitive values as a class of their own.

    A missing value is legitimate in a delivery (residence reason only below 5 years of residence) and an
    attacker sees it like any other value, so the risk assessment counts it as one more class.
    """
    import pyarrow.compute as pc

    columns = set(getattr(settings, "quasi_identifiers", ()) or ())
    columns |= set(getattr(settings, "sensitive", ()) or ())
    out = {}
    for name, table in tables.items():
        for column in columns & set(table.column_names):
            values = table.column(column)
            if values.null_count:
                filled = pc.fill_null(values.cast(pa.string()), MISSING)
                table = table.set_column(table.column_names.index(column), column, filled)
        out[name] = table
    return out


# ----------------------------------------------------------------------------- aggregates and geography
def hide_small_counts(table: pa.Table, count_columns: list[str], min_cell: int) -> pa.Table:
    """An aggregate with every count below ``min_cell`` replaced by a mere mention (S001-6).

    The count becomes empty and ``below_min_cell`` is 1 on that row (0 elsewhere): the researcher sees
    that a small group exists, never its size. Only the cell itself is hidden (primary suppression);
    the aggregates carry no totals from which a hidden cell could be recovered by subtraction.
    """
    import pyarrow.compute as pc

    below: pa.ChunkedArray | pa.Array | None = None
    out = table
    for column in count_columns:
        values = out.column(column)
        small = pc.fill_null(pc.less(values, min_cell), False)
        out = out.set_column(
            out.column_names.index(column), column, pc.if_else(small, pa.scalar(None, values.type), values)
        )
        below = small if below is None else pc.or_(below, small)
    if below is None:
        return table
    return out.append_column(BELOW_MIN_CELL, pc.cast(below, pa.int8()))


BELOW_MIN_CELL = "below_min_cell"
LEVEL_SUFFIX = "_level"


def fallback_columns(settings: Any) -> list[str]:
    """The columns the geographic fallback adds next to its first level (``municipality_werkwinkel`` ...)."""
    levels = list(getattr(settings, "geographic_fallback", ()) or ())
    if not levels:
        return []
    return [f"{levels[0]}_{level}" for level in levels[1:]] + [levels[0] + LEVEL_SUFFIX]


def apply_geographic_fallback(table: pa.Table, settings: Any, name: str = "data") -> pa.Table:
    """The permit's geographic fallback (15/018, S001-4) applied to every row of a delivered table.

    Counted per person (one record per person and municipality, like the risk step): a municipality
    shared by fewer than ``min_cell`` persons is replaced by the next level (werkwinkel with its
    arrondissement), and if still too small by the last (arrondissement alone). The first level's
    column is emptied where a record fell back; ``<first>_<level>`` columns hold each coarser level
    (filled down to the level published) and ``<first>_level`` names the level shown. Values outside the
    hierarchy (abroad, unknown) and missing values are left as they are, with no level.
    """
    import numpy as np
    import pandas as pd

    from crossroads.disclosure import geographic_fallback
    from crossroads.disclosure.hierarchy import geography

    levels = list(getattr(settings, "geographic_fallback", ()) or ())
    if not levels or levels[0] not in table.column_names or table.num_rows == 0:
        return table
    first = levels[0]
    hierarchy = geography()
    known = set(hierarchy.mapping(first))
    values = table.column(first).cast(pa.string()).to_pylist()
    person = table.column("person_seq").to_pylist() if "person_seq" in table.column_names else None
    keys = [(person[i] if person is not None else i, v) for i, v in enumerate(values)]
    records = sorted({k for k in keys if k[1] is not None and k[1] in known}, key=lambda k: (str(k[0]), k[1]))
    extra = fallback_columns(settings)
    new: dict[str, list[Any]] = {c: [None] * table.num_rows for c in [first, *extra]}
    new[first] = list(values)
    if records:
        frame = pd.DataFrame({first: [k[1] for k in records]})
        fb = geographic_fallback(
            frame,
            hierarchy,
            column=first,
            fallback=levels,
            min_count=int(getattr(settings, "min_cell", 5) or 5),
            table=name,
        )
        decided = {k: j for j, k in enumerate(records)}
        cols = {first: fb.data[first].to_numpy(dtype=object)}
        for level, column in zip(levels[1:], extra, strict=False):
            cols[column] = fb.data[level].to_numpy(dtype=object)
        cols[extra[-1]] = fb.data["geo_level"].to_numpy(dtype=object)
        for i, k in enumerate(keys):
            j = decided.get(k)
            if j is None:
                continue
            for column, array in cols.items():
                v = array[j]
                new[column][i] = None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
    out = table.set_column(table.column_names.index(first), first, pa.array(new[first], pa.string()))
    position = out.column_names.index(first) + 1
    for offset, column in enumerate(extra):
        if column in out.column_names:
            out = out.remove_column(out.column_names.index(column))
        out = out.add_column(position + offset, column, pa.array(new[column], pa.string()))
    return out


def _published_geography(table: pa.Table, settings: Any) -> pa.Array:
    """The finest geographic value each row shows after the fallback, tagged with its level (for the risk
    step, which must count published values, not the emptied municipality column)."""
    levels = list(getattr(settings, "geographic_fallback", ()) or ())
    first = levels[0]
    columns = [first, *fallback_columns(settings)[:-1]]
    rows = [table.column(c).to_pylist() for c in columns]
    level = table.column(first + LEVEL_SUFFIX).to_pylist()
    out = []
    for i, lv in enumerate(level):
        if lv is None:
            out.append(rows[0][i])  # outside the hierarchy or missing: shown as it is
            continue
        j = levels.index(lv)
        out.append(f"{lv}:{rows[j][i]}")
    return pa.array(out, pa.string())


def protect_with_fallback(
    tables: Mapping[str, pa.Table],
    settings: Any,
    title: str,
) -> tuple[dict[str, pa.Table], DeliveredRisk]:
    """:func:`protect_risk` on the tables after the geographic fallback.

    The risk step sees the published geography (level and value) in the first level's column and does
    not apply the fallback again; a value it suppresses there empties every level column of that row.
    """
    levels = list(getattr(settings, "geographic_fallback", ()) or ())
    if not levels:
        return protect_risk(tables, settings, title=title)
    first = levels[0]
    after = {name: apply_geographic_fallback(t, settings, name) for name, t in tables.items()}
    shown = {}
    for name, t in after.items():
        if first + LEVEL_SUFFIX in t.column_names:
            t = t.set_column(t.column_names.index(first), first, _published_geography(t, settings))
        shown[name] = t
    plain = _without_fallback(settings)
    protected, risk = protect_risk(shown, plain, title=title)
    out = {}
    for name, t in protected.items():
        original = after[name]
        if first + LEVEL_SUFFIX in original.column_names:
            import pyarrow.compute as pc

            gone = pc.and_(pc.is_null(t.column(first)), pc.is_valid(shown[name].column(first)))
            t = t.set_column(t.column_names.index(first), first, original.column(first))
            for column in [first, *fallback_columns(settings)]:
                values = t.column(column)
                t = t.set_column(
                    t.column_names.index(column),
                    column,
                    pc.if_else(gone, pa.scalar(None, values.type), values),
                )
        out[name] = t
    return out, risk


def _without_fallback(settings: Any) -> Any:
    copy = getattr(settings, "model_copy", None)
    if callable(copy):
        return copy(update={"geographic_fallback": []})
    from crossroads.disclosure.assessment import Settings

    s = Settings.from_any(settings)
    return Settings(s.min_cell, s.k, s.quasi_identifiers, s.sensitive, (), s.suppression_limit)


def protect_delivery_tables(
    tables: Mapping[str, pa.Table], settings: Any, aggregates: Mapping[str, list[str]], title: str
) -> tuple[dict[str, pa.Table], DeliveredRisk]:
    """The disclosure step of a delivery: small counts of aggregates hidden, microdata protected per person.

    Aggregate datasets are not microdata (no person per row): the person-based risk step skips them and
    their counts below ``min_cell`` are hidden instead (:func:`hide_small_counts`).
    """
    min_cell = int(getattr(settings, "min_cell", 5) or 5)
    micro = {n: t for n, t in tables.items() if n not in aggregates}
    if micro:
        protected, risk = protect_with_fallback(micro, settings, title)
    else:
        protected, risk = {}, None
    out = {}
    for name, t in tables.items():
        out[name] = (
            hide_small_counts(t, list(aggregates[name]), min_cell) if name in aggregates else protected[name]
        )
    if risk is None:
        raise PartNotReady("the delivery holds aggregates only; the risk report needs a microdata file")
    return out, risk


# ----------------------------------------------------------------------------- codebook entries
_STRUCTURAL: dict[str, tuple[str, str, str]] = {
    # column -> (Dutch label, English label, unit)
    "person_seq": (
        "volgnummer van de persoon (betekenisloos, eigen aan deze machtiging)",
        "person sequence number (meaningless, specific to this permit)",
        "person",
    ),
    "employer_seq": (
        "volgnummer van de werkgever (betekenisloos, eigen aan deze machtiging)",
        "employer sequence number (meaningless, specific to this permit)",
        "employer",
    ),
    "year": ("jaar", "year", "person-year"),
    "quarter": (
        "kwartaal (JJJJK, 20204 = 4de kwartaal 2020)",
        "quarter (YYYYQ, 20204 = 2020 Q4)",
        "person-quarter",
    ),
    "ref_quarter": ("referentiekwartaal (JJJJK)", "reference quarter (YYYYQ)", "person-quarter"),
    "measure_quarter": (
        "meetkwartaal van de jaarlijkse kenmerken (JJJJK)",
        "quarter the yearly characteristics are measured in (YYYYQ)",
        "person-year",
    ),
    "after_outflow": ("kwartaal na de uitstroom", "quarter after the outflow", "person-quarter"),
    "record_seq": (
        "volgnummer van het record bij de persoon (1, 2, ... naar datum)",
        "number of the record within the person (1, 2, ... by date)",
        "person-record",
    ),
    "below_min_cell": (
        "aantal kleiner dan de minimale celgrootte van de machtiging: niet vermeld (1 = ja)",
        "count below the permit's minimum cell size: not shown (1 = yes)",
        "aggregate",
    ),
}
_YES_NO = {"0": "neen", "1": "ja"}
_AFTER_SUFFIXES = ("_after_outflow", "_after")


def variable_infos(version: Any, dataset: Any, columns: list[str]) -> dict[str, VariableInfo]:
    """Codebook entries for the columns of one permit dataset, from the catalog and the class schemes."""
    from crossroads import catalog

    requests = {r.column_name: r for r in dataset.variables}
    groups = {f"in_{g.name}": g for g in version.target_groups}
    geo = _fallback_infos(getattr(version, "disclosure", None))
    infos: dict[str, VariableInfo] = {}
    for column in columns:
        if column in geo and column not in requests:
            infos[column] = geo[column]
            continue
        if column in _STRUCTURAL:
            nl, en, unit = _STRUCTURAL[column]
            labels = _YES_NO if column in ("after_outflow", "below_min_cell") else None
            infos[column] = VariableInfo(column, nl, en, unit=unit, value_labels=labels)
            continue
        if column in groups:
            # membership flag of a jointly sampled population (the workers by source, S000-3)
            group = groups[column]
            entity = "employer" if getattr(group, "entity", "person") == "employer" else "person-year"
            infos[column] = VariableInfo(
                column,
                f"behoort tot: {group.label}",
                f"belongs to target group {group.name}",
                unit=entity,
                value_labels=_YES_NO,
                description=group.description or "",
            )
            continue
        request, suffix = requests.get(column), ""
        if request is None:
            for end in _AFTER_SUFFIXES:
                if column.endswith(end) and column[: -len(end)] in requests:
                    request, suffix = requests[column[: -len(end)]], end
        if request is None:
            infos[column] = VariableInfo(column, column, description="not described in the catalog")
            continue
        var = catalog.get(request.name)
        scheme = var.scheme_for(request.options)
        scheme_label = None
        if scheme is not None:
            from crossroads import classes

            scheme_label = classes.scheme(scheme).label
        after_nl, after_en = (" (na de uitstroom)", " (after the outflow)") if suffix else ("", "")
        infos[column] = VariableInfo(
            column,
            var.label_nl + after_nl,
            var.label_en + after_en,
            unit=str(var.unit),
            scheme=scheme,
            scheme_label=scheme_label,
            value_labels=var.value_labels(scheme),
            sources=tuple(var.sources),
            description=var.description,
        )
    return infos


def _fallback_infos(settings: Any) -> dict[str, VariableInfo]:
    """Codebook entries of the columns the geographic fallback adds (15/018, S001-4)."""
    levels = list(getattr(settings, "geographic_fallback", ()) or ())
    if not levels:
        return {}
    min_cell = int(getattr(settings, "min_cell", 5) or 5)
    first = levels[0]
    rule = (
        f"{first} shown only where at least {min_cell} persons share it; else "
        + ", then ".join(levels[1:])
        + " (the permit's geographic fallback, applied per record)"
    )
    out = {
        first: VariableInfo(
            first,
            f"{first} (leeg waar teruggevallen op een grovere indeling)",
            f"{first} (empty where the record fell back to a coarser level)",
            unit="person",
            description=rule,
        )
    }
    for level in levels[1:]:
        column = f"{first}_{level}"
        out[column] = VariableInfo(
            column,
            f"{level} van de {first} (na de terugvalregel)",
            f"{level} of the {first} (after the fallback)",
            unit="person",
            description=rule,
        )
    out[first + LEVEL_SUFFIX] = VariableInfo(
        first + LEVEL_SUFFIX,
        "getoond geografisch niveau",
        "geographic level shown",
        unit="person",
        value_labels={level: level for level in levels},
        description=rule,
    )
    return out


# ----------------------------------------------------------------------------- checks
def check_reference_date(as_of: date | None, today: date, warehouse: Any) -> tuple[date, bool]:
    """(reference date, simulation?) — a date other than today only on a synthetic warehouse."""
    if as_of is None or as_of == today:
        return today, False
    if not warehouse.is_synthetic:
        raise ExtractRefused(
            f"--as-of {as_of.isoformat()} differs from today ({today.isoformat()}): a reference date other "
            f"than today is allowed only on a synthetic warehouse, and {warehouse.root} is not one "
            "(its manifest does not say synthetic: true)"
        )
    return as_of, True


def check_permit(permit: Any, store: Any, as_of: date, phase: int, enclave: bool = False) -> Any:
    """The permit version in force on ``as_of`` after the file's and the registry's checks."""
    version = version_in_force(permit, store, as_of)
    if phase != 1 and not enclave:
        raise ExtractRefused(
            f"permit {permit.number}: phase {phase} data never leaves as a delivery; "
            "phase 2 runs on the full population inside the enclave (--enclave builds "
            "its workspace)"
        )
    if phase == 1 and enclave:
        raise ExtractRefused(f"permit {permit.number}: an enclave workspace holds phase 2 only")
    if phase not in version.phases:
        raise ExtractRefused(f"permit {permit.number} version {version.version} has no phase {phase}")
    return version


def version_in_force(permit: Any, store: Any, as_of: date) -> Any:
    """The version of the file in force on ``as_of``, if the registry holds the same one in force."""
    from crossroads.governance import PermitRefused
    from crossroads.permits import PermitNotInForce

    try:
        version = permit.version_in_force(as_of)
    except PermitNotInForce as exc:
        raise ExtractRefused(str(exc)) from None
    try:
        registered = store.permit_in_force(permit.number, as_of)
    except PermitRefused as exc:
        hint = " (register it with `crossroads permit register FILE`)" if "not registered" in str(exc) else ""
        raise ExtractRefused(f"{exc}{hint}") from None
    if registered.version != version.version:
        raise ExtractRefused(
            f"permit {permit.number}: the file's version in force on {as_of.isoformat()} is "
            f"{version.version} but the registry's is {registered.version}; register the amended file"
        )
    return version


# ----------------------------------------------------------------------------- the target groups alone
@dataclass(frozen=True)
class PopulationsResult:
    """The full target groups of a permit version (no sample), counted: nothing is written."""

    permit_number: str
    version: int
    as_of: date
    simulation: bool
    backend: str
    persons: dict[str, int]
    """Group -> distinct members over its years."""
    by_year: dict[str, dict[int, int]]
    approximate: dict[str, int | None]
    """Group -> the size the permit expects (``approximate_size``), if it says one."""
    overlap: pa.Table
    match_reports: dict[str, dict[str, int]]


def count_populations(
    permit_file: Path,
    warehouse: Path,
    *,
    as_of: date | None = None,
    backend: str = "duckdb",
    actor: str | None = None,
    store: Any | None = None,
    today: date | None = None,
) -> PopulationsResult:
    """Link the permit's inputs and count its target groups in full, for a custodian to check their sizes
    against the permit before an extract. The same checks as an extract (permit registered and in force,
    reference date) and the same audit trail: ``populations.counted``, or ``extract.refused``."""
    from crossroads import permits
    from crossroads.governance import Store
    from crossroads.warehouse.storage import Warehouse

    own_store = store is None
    store = store if store is not None else Store()
    who = actor or _current_user()
    day = today or today_utc()
    try:
        permit = permits.load(permit_file)
        wh = Warehouse(warehouse)
        wh.manifest()  # a clear WarehouseError when it is not one
        try:
            ref, simulation = check_reference_date(as_of, day, wh)
            version = version_in_force(permit, store, ref)
        except ExtractRefused as refusal:
            detail = {"reason": _LONG_NUMBER.sub("#", str(refusal)), "as_of": (as_of or day).isoformat()}
            detail["what"] = "populations"
            store.audit.append(who, "extract.refused", permit=permit.number, detail=detail)
            raise
        counted = _require("crossroads.engine", "populations")(version, wh, backend=backend, as_of=ref)
        result = PopulationsResult(
            permit_number=permit.number,
            version=int(version.version),
            as_of=ref,
            simulation=simulation,
            backend=backend,
            persons=dict(counted.population_counts),
            by_year={g: dict(sorted(c.items())) for g, c in counted.population_counts_by_year.items()},
            approximate={g.name: g.approximate_size for g in version.target_groups},
            overlap=counted.overlap,
            match_reports=dict(counted.match_reports),
        )
        store.audit.append(
            who,
            "populations.counted",
            permit=permit.number,
            version=result.version,
            counts=result.persons,
            detail={
                "as_of": ref.isoformat(),
                "simulation": simulation,
                "backend": backend,
                "match_reports": result.match_reports,
            },
        )
        return result
    finally:
        if own_store:
            store.close()


# ----------------------------------------------------------------------------- the extract
def run(
    request: ExtractRequest, *, store: Any | None = None, today: date | None = None, step: Step | None = None
) -> ExtractResult:
    """Run one extract; raise :class:`ExtractRefused` (audited) when it is not allowed."""
    from crossroads.governance import Store

    tell = step or (lambda _s: None)
    own_store = store is None
    store = store if store is not None else Store()
    try:
        return _run(request, store, today or today_utc(), tell)
    finally:
        if own_store:
            store.close()


def _run(request: ExtractRequest, store: Any, today: date, tell: Step) -> ExtractResult:
    from crossroads import permits
    from crossroads.warehouse.storage import Warehouse

    permit = permits.load(request.permit_file)
    wh = Warehouse(request.warehouse)
    wh.manifest()  # a clear WarehouseError when it is not one
    try:
        as_of, simulation = check_reference_date(request.as_of, today, wh)
        version = check_permit(permit, store, as_of, request.phase, request.enclave)
        check_key(store, permit.number)
    except ExtractRefused as refusal:
        store.audit.append(
            request.actor,
            "extract.refused",
            permit=permit.number,
            detail={
                "reason": _LONG_NUMBER.sub("#", str(refusal)),
                "today": today.isoformat(),
                "as_of": (request.as_of or today).isoformat(),
                "phase": request.phase,
            },
        )
        raise
    seed = request.seed if request.seed is not None else secrets.randbelow(10**9)
    # An enclave workspace holds full populations: built into files in a private folder (it holds
    # identifiers until they are replaced), removed whatever happens.
    work = private_folder("crossroads-workspace") if request.enclave else None
    try:
        return _build(request, store, tell, permit, version, wh, as_of, simulation, seed, work)
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)


def _build(
    request: ExtractRequest,
    store: Any,
    tell: Step,
    permit: Any,
    version: Any,
    wh: Any,
    as_of: date,
    simulation: bool,
    seed: int,
    work: Path | None,
) -> ExtractResult:
    slices = workspace_slices(version, request.slice_persons) if work is not None else None
    how = f", {slices:,} persons per slice" if slices else ""
    tell(
        f"building the datasets of permit {permit.number} version {version.version} ({request.backend}{how})"
    )
    extract = run_engine(
        version,
        wh,
        phase=request.phase,
        seed=seed,
        backend=request.backend,
        as_of=as_of,
        write_to=work / "built" if work is not None else None,
        slice_persons=slices,
        pass_persons=request.pass_persons,
    )
    tell("replacing INSZ and enterprise numbers by sequence numbers")
    conversion = conversion_table(store, permit.number)
    tables: dict[str, Rows] = dict(pseudonymise(extract.datasets, extract.identifier_columns, conversion))
    files: Mapping[str, Path] = getattr(extract, "files", {}) or {}
    if files:
        assert work is not None
        (work / "pseudonymised").mkdir()
        for name, path in files.items():
            columns = extract.identifier_columns.get(name, {})
            tables[name] = pseudonymise_file(path, work / "pseudonymised" / path.name, columns, conversion)
            path.unlink()  # the file with identifiers goes as soon as it is replaced
    tell("applying the permit's disclosure settings (small-cell risk and remedies)")
    aggregates = getattr(extract, "aggregates", {}) or {}
    risk: Any = None
    if request.enclave:
        # Phase 2 stays in the secure environment: the microdata keep every value (outputs are checked
        # at the airlock); only the anonymous aggregates are cut to the permit's minimum cell already.
        min_cell = int(version.disclosure.min_cell or 5)
        tables = {
            n: hide_small_counts(t, list(aggregates[n]), min_cell)
            if n in aggregates and isinstance(t, pa.Table)
            else t
            for n, t in tables.items()
        }
    else:
        tables, risk = protect_delivery_tables(
            tables,
            version.disclosure,
            aggregates,
            title=f"Small-cell risk analysis — permit {permit.number} version {version.version}, "
            f"phase {request.phase} (remedies applied to the delivered files)",
        )
    datasets = []
    for spec in version.datasets:
        if spec.name not in tables:
            raise PartNotReady(f"the engine did not produce dataset {spec.name!r} of permit {permit.number}")
        table = tables[spec.name]
        datasets.append(
            Dataset(
                spec.name, spec.label, spec.unit, table, variable_infos(version, spec, table.column_names)
            )
        )
    tell("collecting the warehouse's identifiers for the leak scan")
    identifiers = warehouse_identifiers(wh)
    run_date = datetime.now(UTC)
    purpose = " ".join(version.purpose.split())
    info = DeliveryInfo(
        permit_number=permit.number,
        permit_slug=permit.slug,
        permit_version=version.version,
        permit_title=" ".join(permit.title.split()),
        phase=request.phase,
        run_id=secrets.token_hex(4),
        run_date=run_date,
        as_of=as_of,
        simulation=simulation,
        version_label=version.label,
        seed=seed,
        recipient=f"{version.output_unit.organisation}/{version.output_unit.unit}",
        purpose=purpose,
    )
    warehouse_manifest = wh.manifest()
    reports = {
        "population": {
            "counts": _plain(extract.population_counts),
            "counts_by_year": _plain(getattr(extract, "population_counts_by_year", {})),
            "sample": _plain(extract.sample),
        },
        "match_reports": _plain(extract.match_reports),
        "worker_sources_overlap": _overlap_report(extract, version.disclosure.min_cell),
    }
    delivered = make_delivery(
        request.out,
        info,
        datasets,
        identifiers=identifiers,
        disclosure=risk,
        reports=reports,
        formats=request.formats,
        step=tell,
        manifest_extra={
            "warehouse": {
                "synthetic": bool(warehouse_manifest.get("synthetic")),
                "scale": warehouse_manifest.get("scale"),
                "manifest_sha256": _sha256(wh.manifest_path),
            },
            "backend": request.backend,
            # which amendment governed this run (21/128 has three versions, S003-5)
            "version_in_force": {
                "version": version.version,
                "approved": version.approved.isoformat(),
                "effective": version.effective.isoformat(),
            },
            "leak_scan": {"identifiers": identifiers.counts()},
            "disclosure": _manifest_entry(risk),
            **(
                {
                    "enclave": {
                        "workspace": True,
                        "slices": int(getattr(extract, "slices", 1)),
                        "note": ENCLAVE_NOTE,
                    }
                }
                if request.enclave
                else {}
            ),
        },
    )
    rows = {d.name: d.table.num_rows for d in datasets}
    try:
        # No delivery may exist without its retention entry and its audit event.
        if request.enclave:
            store.register_workspace(permit.number, version.version, delivered.path, run_date)
        else:
            store.register_delivery(
                permit.number, version.version, delivered.path, run_date, phase=request.phase
            )
        store.audit.append(
            request.actor,
            "extract.enclave" if request.enclave else "extract",
            permit=permit.number,
            version=version.version,
            purpose=purpose[:500],
            counts={
                **{f"rows_{k}": v for k, v in rows.items()},
                "files": len(delivered.manifest["files"]) + 1,
            },
            detail={
                "delivery": info.name,
                "phase": request.phase,
                "as_of": as_of.isoformat(),
                "simulation": simulation,
                "seed": seed,
                "backend": request.backend,
                "manifest_sha256": _sha256(delivered.path / "manifest.json"),
            },
        )
    except BaseException:
        shutil.rmtree(delivered.path, ignore_errors=True)
        raise
    risk_dict = risk.to_dict() if risk is not None else {}
    return ExtractResult(
        delivered,
        permit.number,
        version.version,
        as_of,
        simulation,
        seed,
        rows,
        risk_dict if isinstance(risk_dict, dict) else {},
    )


ENCLAVE_NOTE = (
    "phase-2 workspace of the secure environment: the full populations, pseudonymised; it is not "
    "a delivery and nothing in it leaves except anonymous results through the airlock"
)


class DeliveredRisk:
    """The disclosure report of a delivery whose remedies were applied to the files.

    ``rounds`` are the reports that decided the remedies (the first: the risk of the files as built, and
    after each remedy with its information loss); ``delivered`` is the assessment of the files as
    delivered. A suppressed value is missing in the files, so it shares the class of the values that
    were missing already.
    """

    def __init__(
        self,
        rounds: list[Any],
        delivered: Any,
        built: Mapping[str, pa.Table],
        protected: Mapping[str, pa.Table],
        settings: Any,
    ) -> None:
        self.rounds = rounds
        self.delivered = delivered
        self.target_k = _target_k(settings)
        qis = list(getattr(settings, "quasi_identifiers", ()) or ())
        self.blanked = {name: _blanked(built[name], protected[name], qis) for name in built}

    @property
    def first(self) -> Any:
        return self.rounds[0] if self.rounds else self.delivered

    def to_html(self, path: Path) -> Any:
        html = self.first.to_html(None)
        note = self._html_note()
        html = html.replace("</body>", note + "</body>", 1) if "</body>" in html else html + note
        Path(path).write_text(html, encoding="utf-8")
        return html

    def _html_note(self) -> str:
        from html import escape

        applied = "applied to the delivered files" if self.rounds else "not needed: no class was below k"
        rows = "".join(
            f"<tr><td>{escape(str(name))}</td><td>{escape(str(t['k_before']))}</td>"
            f"<td>{escape(str(t['k_delivered']))}</td>"
            f"<td>{escape(', '.join(f'{q} {n:,}' for q, n in t['values_blanked'].items()))}</td></tr>"
            for name, t in self.manifest_entry()["tables"].items()
        )
        return (
            f"<section id='as-delivered'><h2>The files as delivered</h2><p>Remedies {applied} "
            f"({len(self.rounds)} round(s)). {escape(str(self.delivered.summary_line()))}</p>"
            "<table><tr><th>file</th><th>k as built</th><th>k as delivered</th>"
            f"<th>values set to missing (rows)</th></tr>{rows}</table></section>"
        )

    def to_dict(self) -> dict[str, Any]:
        doc = dict(self.first.to_dict())
        delivered = self.delivered.to_dict()
        doc["remedies_applied"] = bool(self.rounds)
        doc["protection_rounds"] = len(self.rounds)
        doc["as_delivered"] = {
            "summary": delivered.get("summary"),
            "passed": delivered.get("passed"),
            "tables": [
                {"name": t.get("name"), "records": t.get("records"), "risk": t.get("risk")}
                for t in delivered.get("tables", [])
            ],
        }
        return doc

    def manifest_entry(self) -> dict[str, Any]:
        """The remedies applied per file with their information loss, and k as built and as delivered."""
        delivered = {t.get("name"): t for t in self.delivered.to_dict().get("tables", [])}
        built = {t.get("name"): t for t in self.first.to_dict().get("tables", [])}
        rounds = [report.to_dict().get("tables", []) for report in self.rounds]
        out: dict[str, Any] = {}
        for name in delivered:
            before = built.get(name, {})
            remedies = []
            for number, tables in enumerate(rounds, start=1):
                for t in tables:
                    if t.get("name") == name:
                        remedies += [
                            {
                                "round": number,
                                "remedy": r.get("remedy"),
                                "description": r.get("description"),
                                "k_after": (r.get("after") or {}).get("k"),
                                "information_loss": r.get("loss"),
                            }
                            for r in t.get("remedies", [])
                        ]
            out[name] = {
                "k_before": (before.get("risk") or {}).get("k"),
                "k_delivered": (delivered[name].get("risk") or {}).get("k"),
                "values_blanked": self.blanked.get(name, {}),
                "remedies": remedies,
            }
        return {
            "remedies_applied": bool(self.rounds),
            "protection_rounds": len(self.rounds),
            "target_k": self.target_k,
            "passed": self.delivered.passed,
            "tables": out,
        }


def _blanked(built: pa.Table, delivered: pa.Table, quasi_identifiers: list[str]) -> dict[str, int]:
    """Per quasi-identifier: the rows whose value the protection set to missing (counts only)."""
    out = {}
    for q in quasi_identifiers:
        if q in built.column_names:
            out[q] = delivered.column(q).null_count - built.column(q).null_count
    return out


def warehouse_identifiers(warehouse: Any) -> leaks.Identifiers:
    """Every INSZ and enterprise number held anywhere in a warehouse (all identifier fields of all tables)."""
    from crossroads.warehouse.schema import table as schema_table

    con = warehouse.duckdb()
    selects: dict[str, list[str]] = {"insz": [], "enterprise": []}
    for name in warehouse.manifest().get("tables", {}):
        try:
            spec = schema_table(name)
        except KeyError:
            continue
        if not warehouse.files(name):
            continue
        for f in spec.identifier_fields:
            if f.identifier in selects:
                selects[f.identifier].append(
                    f'SELECT CAST("{f.name}" AS VARCHAR) AS v FROM "{name}" WHERE "{f.name}" IS NOT NULL'
                )
    # One distinct union per kind, handed over as Arrow: no Python object per number.
    found: dict[str, pa.Array] = {}
    for kind, parts in selects.items():
        if parts:
            found[kind] = con.sql(" UNION ".join(parts)).to_arrow_table().column("v")
        else:
            found[kind] = pa.array([], pa.string())
    return leaks.Identifiers(insz=found["insz"], enterprise=found["enterprise"])


def _manifest_entry(risk: Any) -> dict[str, Any] | None:
    entry = getattr(risk, "manifest_entry", None)
    return entry() if callable(entry) else None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _plain(value: Any) -> Any:
    """JSON-friendly copy (dicts, lists, numbers, strings) of an engine report."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


def _overlap_report(extract: Any, min_cell: int) -> dict[str, Any]:
    """The overlap of the two worker sources per year (population counts), small counts suppressed."""
    overlap = getattr(extract, "overlap", None)
    if overlap is None or not isinstance(overlap, pa.Table):
        return {"rows": []}
    rows = overlap.to_pylist()
    suppressed = 0
    for row in rows:
        for key, value in row.items():
            is_count = key not in ("year", "sample") and not key.startswith("in_")  # not a flag or key
            if is_count and isinstance(value, int) and 0 < value < min_cell:
                row[key] = None  # fewer than min_cell persons: not shown (S000-2 small-cell rule)
                suppressed += 1
    return {"rows": rows, "min_cell": min_cell, "suppressed_cells": suppressed}
