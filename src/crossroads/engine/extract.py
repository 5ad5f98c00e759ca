"""Compile a permit version into expressions per dataset and run them (issue 3, items 3 and 4; issue 6).

Order of work: link the provider inputs (match reports) -> resolve every target group per year
(population rules + domicile; a group's ``params.input`` is replaced by the version's ``ProviderInput``)
-> the overlap of jointly sampled groups -> the phase-1 sample (one draw per group or joint sample) -> every
dataset's frame -> one derivation per distinct (variable, options) over the union of the points of the
datasets asking it (``_Derivations``) -> per dataset the frame joined with its derivations, sorted by its keys
by the engine: a pyarrow table, or a Parquet file with ``write_to``. With ``slice_persons`` the steps from the
frames on run once per slice of persons (whole households), each slice's stored tables dropped before the
next.

Frames by dataset unit (keys in brackets):

- ``person-year`` [insz, year], ``person-quarter`` [insz, year, quarter], windows of quarters (21/150).
- ``person`` [insz]: the persons of the groups in the year of ``reference_date``, measured in its quarter.
- ``person-record`` [insz, record_seq]: the rows of the one record table the record variables read
  (``Variable.record_table``) for the persons of the groups; person variables are measured in the
  quarter of the table's first date field (certificate: issue_date) and refused when it has none;
  ``record_seq`` numbers a person's records 1, 2, ... by that date (the source's record number stays home).
- ``employer`` [enterprise_number]: the employers of employer groups in the reference year.
- ``job-quarter`` [insz, enterprise_number, quarter]: every DmfA job of the persons in the quarter.
- ``aggregate``: distinct persons (``person_count``) or employers (``employer_count``) per combination of
  the other variables, at the reference date; small counts are hidden by the delivery's disclosure step.

Variables by unit: person variables join on ``insz`` and the measurement quarter; employer variables on
``enterprise_number`` (in person datasets: the person's main employer of the quarter, attached here); job
variables only in job-quarter datasets, record variables only in person-record datasets. Rows keep ``insz``
and ``enterprise_number``; ``identifier_columns`` lists them (and any identifier-valued variable) for the
pseudonyms step. ``employer_seq`` is the row's ``enterprise_number`` column itself (delivered as the
sequence number), ``group_membership`` the frame's ``in_<group>`` flags.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from rich.progress import Progress

from crossroads import catalog
from crossroads.catalog import frames, jobs, model
from crossroads.catalog import periods as xp
from crossroads.catalog.model import left_join_on
from crossroads.engine import inflow, linkage, population, sampling, windows
from crossroads.engine.backends import OWN_COLUMN, SLICE_COLUMN, BackendName, Engine, EngineError, connect
from crossroads.engine.slicing import household_slices
from crossroads.permits.vocabulary import disclosure_mismatch, requested_scheme, unit_mismatch
from crossroads.warehouse.schema import table_names
from crossroads.warehouse.storage import Warehouse

_ARROW_TYPES = {"string": pa.string(), "int": pa.int64(), "float": pa.float64()}
EMPLOYER_COLUMN = "enterprise_number"
ORDER_COLUMN = "order__"
"""A random rank for each person (or employer) of a run, unique: a dataset's rows are sorted by it instead of
their identifier, then by their other keys, so that a row's place tells nothing of the identifier it had (an
INSZ begins with the birth date; enterprise numbers grow with time) once the identifiers are replaced by
sequence numbers. Not delivered."""


@dataclass
class Extract:
    """The result of one run: datasets still holding identifiers, plus what the delivery records."""

    permit_version: int
    phase: int
    backend: str
    as_of: date | None
    datasets: dict[str, pa.Table] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    """With ``extract(write_to=...)``: the microdata datasets streamed to Parquet files instead of
    ``datasets`` (sorted and typed the same; aggregates stay in ``datasets``)."""
    slices: int = 1
    """Slices of persons the datasets were built in (``extract(slice_persons=...)``)."""
    passes: int = 1
    """Passes of slices whose shared building blocks were built together (``extract(pass_persons=...)``)."""
    run_quarters: tuple[int, int] | None = None
    """The quarters of the DmfA and the socio-economic position the run read (``windows.run_quarters``);
    None: every quarter."""
    identifier_columns: dict[str, dict[str, str]] = field(default_factory=dict)
    variables: dict[str, list[str]] = field(default_factory=dict)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    """Dataset -> delivered column -> catalog variable (a request's ``column`` may rename)."""
    aggregates: dict[str, list[str]] = field(default_factory=dict)
    """Aggregate dataset -> its count column(s), whose small counts the disclosure step hides."""
    match_reports: dict[str, dict[str, int]] = field(default_factory=dict)
    population_counts: dict[str, int] = field(default_factory=dict)
    population_counts_by_year: dict[str, dict[int, int]] = field(default_factory=dict)
    overlap: pa.Table = field(default_factory=lambda: pa.table({"year": pa.array([], pa.int32())}))
    sample: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


ENTITY_KEY = {"person": "insz", "employer": EMPLOYER_COLUMN}
"""The key column of each kind of target group's members."""
PERSON_VARIABLE_UNITS = ("person-year", "person-quarter")
BELOW_MIN_CELL = "below_min_cell"
JOINS_PER_STEP = 6
"""Derivations joined onto a large dataset frame per stored step (bounds the hash tables held at once)."""
STAGED_ROWS = 5_000_000
"""Frames above this many rows are joined in stored steps of ``JOINS_PER_STEP`` derivations."""
WRITES_AHEAD = 1
"""Files of a sliced run whose rows may wait, fetched, for the sink's writing thread (``_Sink``) while the
engine computes the next: each holds a slice's rows of a dataset in memory (at 150,000 persons x 28
quarters, ~1 GB), so the rows of at most ``WRITES_AHEAD + 1`` files are held at once."""
PASS_PERSONS = 12_000_000
"""Persons of the slices whose shared building blocks (the flattened DmfA, person rows) are built in one
pass: the country's population in one, written into the slices' parts (at scale 1.0, 21/128 group 2 of
7.5 M persons: 45 min and 18 GB of temporary disk in one pass, 50 min and 10.8 GB in three passes of 3 M).
Fewer persons per pass: less temporary disk, the DmfA and the socio-economic position read once a pass."""


def _input_of(version: Any, group: Any, name: Any) -> Any:
    inputs = {i.name: i for i in getattr(version, "inputs", []) or []}
    if not isinstance(name, str) or name not in inputs:
        known = ", ".join(sorted(inputs)) or "none"
        raise EngineError(
            f"target group {group.name!r}: params.input {name!r} is not an input of permit version "
            f"{version.version} (inputs: {known})"
        )
    return inputs[name]


def _quarter_param(group: Any) -> int | None:
    q = group.params.get("quarter")
    if q is None:
        return None
    if not (isinstance(q, int) or (isinstance(q, str) and q.isdigit())) or int(q) % 10 not in (1, 2, 3, 4):
        raise EngineError(f"target group {group.name!r}: params.quarter must be YYYYQ, e.g. 20134")
    return int(q)


def _years(group: Any, version: Any) -> tuple[int, int]:
    """The group's years: its own; else (groups without years, 15/018) the year of ``params.quarter``, of
    its input's reference date, of the reference dates or windows of the datasets that use it; else the
    span of those datasets' years."""
    if group.years is not None:
        return int(group.years.first), int(group.years.last)
    q = _quarter_param(group)
    if q is not None:
        return q // 10, q // 10
    if "input" in group.params:
        ref = _input_of(version, group, group.params["input"]).reference_date
        if ref is not None:
            return ref.year, ref.year
    using = [d for d in version.datasets if group.name in d.populations]
    refs = [d.reference_date.year for d in using if getattr(d, "reference_date", None) is not None]
    refs += [d.window.reference.year for d in using if d.window is not None]
    if refs:
        return min(refs), max(refs)
    spans = [d.years for d in using if d.years is not None]
    if not spans:
        raise EngineError(f"target group {group.name!r} has no years and no dataset gives them")
    return min(s.first for s in spans), max(s.last for s in spans)


def _group_years(version: Any) -> dict[str, tuple[int, int] | None]:
    """Each target group's years (``_years``), None where neither the group nor its datasets give them."""
    years: dict[str, tuple[int, int] | None] = {}
    for group in version.target_groups:
        try:
            years[group.name] = _years(group, version)
        except EngineError:
            years[group.name] = None
    return years


def _check_in_force(version: Any, phase: int | None, as_of: date | None) -> None:
    """Refuse a phase the version does not have (None: any) or a date outside its lifetime."""
    phases = list(getattr(version, "phases", []) or [])
    if phase is not None and phase not in phases:
        raise EngineError(f"permit version {version.version} allows phase(s) {phases}, not phase {phase}")
    if as_of is None:
        return
    if version.effective > as_of:
        raise EngineError(
            f"permit version {version.version} takes effect on {version.effective}, after {as_of}"
        )
    until = getattr(getattr(version, "retention", None), "until", None)
    if until is not None and as_of > until:
        raise EngineError(
            f"permit version {version.version}: retention ended on {until}; no extraction on {as_of}"
        )


def _flag(name: str) -> str:
    return f"in_{name}"


class _Run:
    def __init__(self, engine: Engine, version: Any) -> None:
        self.engine = engine
        self.version = version
        self.groups = {g.name: g for g in version.target_groups}
        self.pops: dict[str, ir.Table] = {}
        self.systems: dict[str, ir.Table] = {}
        self.slicing: ir.Table | None = None
        """The persons of the groups, their slice and rank (``insz``, ``SLICE_COLUMN``, ``ORDER_COLUMN``) in a
        sliced run."""
        self.slice: int | None = None
        """The slice the groups are cut to; None: everyone."""
        self._sliced: dict[tuple[str, str], ir.Table] = {}
        self._by_slice: dict[tuple[str, str], ir.Table] = {}
        self._orders: dict[str, tuple[ir.Table, int]] = {}

    def entity(self, name: str) -> str:
        return str(getattr(self.groups[name], "entity", "person") or "person")

    def key(self, name: str) -> str:
        return ENTITY_KEY[self.entity(name)]

    def params(self, name: str) -> dict[str, Any]:
        """The group's params, with ``input`` (an input's name) replaced by the version's ProviderInput."""
        g = self.groups[name]
        params = dict(g.params)
        if "input" in params:
            params["input"] = _input_of(self.version, g, params["input"])
        return params

    def population(self, name: str) -> ir.Table:
        if name not in self.pops:
            g = self.groups[name]
            first, last = _years(g, self.version)
            pop = population.target_group(self.engine, g.rule, first, last, self.params(name))
            self.pops[name] = self.engine.materialise(pop, keep=True)
        return self._in_slice(("population", name), self.pops[name])

    def system(self, name: str) -> ir.Table:
        """Membership without domicile, one year wider on each side (for inflow and outflow)."""
        if name not in self.systems:
            g = self.groups[name]
            first, last = _years(g, self.version)
            m = population.members(self.engine, g.rule, first - 1, last + 1, self.params(name))
            self.systems[name] = self.engine.materialise(m, keep=True)
        return self._in_slice(("system", name), self.systems[name])

    def set_slice(self, number: int | None) -> None:
        """From now on, groups hold only the persons of slice ``number`` of ``slicing`` (None: everyone)."""
        if number is not None and self.slicing is None:
            raise EngineError("a slice needs the run's slicing")
        self.slice = number
        self._sliced = {}
        self._orders = {}

    def order(self, key: str, rows: ir.Table) -> ir.Table:
        """``key`` and ``ORDER_COLUMN``: the random rank of each value of ``key`` in ``rows``, the same in
        every dataset of the run (a slice's persons: their ranks in the slicing, drawn once for the run)."""
        if key not in self._orders and key == "insz" and self.slicing is not None and self.slice is not None:
            mine = self.slicing.filter(self.slicing[SLICE_COLUMN] == self.slice).select("insz", ORDER_COLUMN)
            self._orders[key] = (self.engine.materialise(mine), int(self.engine.scalar(self.slicing.count())))
        known, ranked = self._orders.get(key, (None, 0))
        ids = rows.select(key).filter(rows[key].notnull())
        # Those not ranked yet, then distinct: in a slice none are (its persons' ranks were drawn for the
        # run), and the distinct of an empty remainder is free where that of every frame row was not.
        new = self.engine.to_arrow((ids if known is None else ids.anti_join(known, key)).distinct())
        if new.num_rows or known is None:
            # Ranked after those ranked before: still unique, and in random order among themselves.
            ranks = pa.array(ranked + random_ranks(new.num_rows), pa.int64())
            added = self.engine.register_arrow("order", new.append_column(ORDER_COLUMN, ranks))
            known = added if known is None else self.engine.materialise(known.union(added))
            self._orders[key] = (known, ranked + new.num_rows)
        return known

    def _in_slice(self, key: tuple[str, str], table: ir.Table) -> ir.Table:
        if self.slice is None or self.slicing is None or "insz" not in table.columns:
            return table
        if key not in self._sliced:
            whole = self._by_slice.get(key)
            if whole is None:
                # The run's rows with their slice, sorted by it, stored once: a slice's rows are then read
                # from its own row groups (at 1.0, a semi-join of the whole group per slice cost 1.4 s of 40).
                numbered = table.join(self.slicing.select("insz", SLICE_COLUMN), "insz")
                whole = self.engine.materialise(numbered.order_by(SLICE_COLUMN), keep=True)
                self._by_slice[key] = whole
            mine = whole.filter(whole[SLICE_COLUMN] == self.slice).drop(SLICE_COLUMN)
            self._sliced[key] = self.engine.materialise(mine)
        return self._sliced[key]

    def restrict(self, name: str, members: ir.Table) -> None:
        key = self.key(name)
        self.pops[name] = self.engine.materialise(self.population(name).semi_join(members, key), keep=True)


def populations(
    permit_version: Any,
    warehouse: Warehouse | str | Path,
    *,
    backend: BackendName = "duckdb",
    as_of: date | None = None,
    spark: Any = None,
) -> Extract:
    """Link the version's provider inputs and build its target groups in full (phase 2, no sample): the
    counts per group and year, the overlap of the joint samples and the match reports; no dataset.

    The first two steps of ``extract``, for a custodian checking the groups' sizes against the permit.
    """
    _check_in_force(permit_version, None, as_of)  # the full groups are what either phase starts from
    result = Extract(permit_version=int(permit_version.version), phase=2, backend=backend, as_of=as_of)
    engine = connect(warehouse, backend, spark)
    try:
        _populations(engine, permit_version, result)
    finally:
        engine.close()
    return result


def _populations(engine: Engine, permit_version: Any, result: Extract) -> _Run:
    """Linkage and target groups (counts, overlap) into ``result``; the run that holds the groups."""
    t0 = time.perf_counter()
    stored = set(table_names())
    for inp in getattr(permit_version, "inputs", []):
        if inp.table in stored:
            result.match_reports[inp.name] = linkage.link(
                engine, inp.table, inp.key, getattr(inp, "reference_date", None)
            )
    result.timings["linkage"] = time.perf_counter() - t0
    run = _Run(engine, permit_version)
    t0 = time.perf_counter()
    for name in run.groups:
        counts = engine.to_arrow(run.population(name).group_by("year").aggregate(n=ibis._.count()))
        result.population_counts_by_year[name] = {
            int(y): int(n) for y, n in zip(counts["year"].to_pylist(), counts["n"].to_pylist(), strict=True)
        }
        key = run.key(name)
        distinct = run.population(name).select(key).distinct()
        result.population_counts[name] = int(engine.scalar(distinct.count()))
    result.overlap = _overlap(run, sampling.draws_of(permit_version))
    result.timings["populations"] = time.perf_counter() - t0
    return run


def _union_with_flags(run: _Run, names: list[str]) -> ir.Table:
    key = run.key(names[0])
    parts = []
    for n in names:
        p = run.population(n).select(key, "year")
        parts.append(p.mutate(**{_flag(m): ibis.literal(1 if m == n else 0, "int8") for m in names}))
    u = parts[0]
    for p in parts[1:]:
        u = u.union(p, distinct=False)
    return u.group_by(key, "year").aggregate(**{_flag(m): u[_flag(m)].max() for m in names})


def _overlap(run: _Run, draws: list[sampling.Draw]) -> pa.Table:
    """Persons per year by combination of the groups of each joint sample (issuer/network/both)."""
    tables = []
    for d in draws:
        if len(d.groups) < 2:
            continue
        u = _union_with_flags(run, d.groups)
        agg = u.group_by("year", *[_flag(g) for g in d.groups]).aggregate(persons=u.count())
        t = run.engine.to_arrow(agg)
        t = t.append_column("sample", pa.array([d.name] * t.num_rows, pa.string()))
        tables.append(t)
    if not tables:
        return pa.table({"year": pa.array([], pa.int32()), "persons": pa.array([], pa.int64())})
    out = pa.concat_tables(tables, promote_options="permissive")
    out = out.cast(
        pa.schema(
            [
                pa.field(
                    f.name,
                    pa.int64() if f.name == "persons" else (pa.int32() if f.name == "year" else f.type),
                )
                for f in out.schema
            ]
        )
    )
    keys = [(c, "ascending") for c in out.column_names if c != "persons"]
    return out.sort_by(keys)


def _draw(run: _Run, draws: list[sampling.Draw], seed: int) -> dict[str, Any]:
    """One draw per group (or joint sample), in permit order, from one generator.

    A person in several groups with separate draws (21/128) can be drawn in one group and not in another:
    each group keeps only its own draw, so ``in_<group>`` is 1 only where the person was drawn for that
    group. Employer groups with a sample size draw enterprise numbers the same way.
    """
    rng = np.random.default_rng(seed)
    record: dict[str, Any] = {
        "seed": seed,
        "method": "numpy.random.default_rng(seed).choice without replacement, "
        "persons ordered by INSZ, draws in permit order",
        "draws": {},
    }
    for d in draws:
        keys = {run.key(g) for g in d.groups}
        if len(keys) > 1:
            raise EngineError(f"joint sample {d.name!r} mixes person and employer groups")
        key = keys.pop()
        u = run.population(d.groups[0]).select(key)
        for g in d.groups[1:]:
            u = u.union(run.population(g).select(key), distinct=True)
        members = run.engine.to_arrow(u.distinct()).column(key).combine_chunks()
        chosen = sampling.draw_persons(members, d.size, rng)
        table = run.engine.register_arrow(f"sample_{d.name}", pa.table({key: chosen}))
        for g in d.groups:
            run.restrict(g, table)
        record["draws"][d.name] = {
            "groups": list(d.groups),
            "requested": d.size,
            "drawn": len(chosen),
            "population": len(pc.unique(members)),
        }
    return record


def _scope(run: _Run) -> ir.Table | None:
    """Everyone the datasets may read about: the persons of the (sampled) person groups and their
    households' members; None (everyone) when the version has employer groups only."""
    if not run.groups:
        raise EngineError("the permit version has no target groups")
    persons = _group_persons(run)
    if persons is None:
        return None
    hh = run.engine.table("household").select("insz", "household_id")
    households = hh.semi_join(persons, "insz").select("household_id").distinct()
    members = hh.semi_join(households, "household_id").select("insz")
    return persons.union(members, distinct=True)


def _group_persons(run: _Run) -> ir.Table | None:
    """``insz`` of everyone in the person groups (None without a person group)."""
    persons: ir.Table | None = None
    for name in run.groups:
        if run.entity(name) != "person":
            continue
        p = run.population(name).select("insz")
        persons = p if persons is None else persons.union(p, distinct=True)
    return persons


@dataclass
class _Frame:
    """The rows of a dataset before its variables: keys, the columns variables are measured at, flags."""

    table: ir.Table
    entity: str
    """``person`` or ``employer``: what the rows are about (``person`` for job and record rows too)."""
    keys: list[str]
    extra: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    quarter: str = "measure_quarter"
    """Column whose quarter the quarterly variables are measured at."""
    measure: str | None = "measure_quarter"
    """Column whose quarter the yearly variables are measured at (None: person variables refused)."""
    record: tuple[str, str] | None = None
    """Person-record datasets: (record table, its key column)."""


def _requested_vars(dataset: Any) -> list[tuple[Any, Any]]:
    out = []
    for req in dataset.variables:
        try:
            out.append((req, catalog.get(req.name)))
        except KeyError:
            raise EngineError(
                f"dataset {dataset.name!r}: variable {req.name!r} is not in the catalog"
            ) from None
    return out


def _dataset_entity(run: _Run, dataset: Any) -> str:
    entities = {run.entity(n) for n in dataset.populations}
    if len(entities) != 1:
        raise EngineError(f"dataset {dataset.name!r} mixes person and employer target groups")
    entity = entities.pop()
    wanted = {"employer": "employer", "employer-quarter": "employer"}.get(dataset.unit)
    if dataset.unit == "aggregate":
        wanted = entity
    if wanted is None:
        wanted = "person"
    if entity != wanted:
        raise EngineError(
            f"dataset {dataset.name!r}: unit {dataset.unit!r} needs {wanted} target groups, "
            f"not {entity} groups"
        )
    return entity


def _reference_quarter(dataset: Any) -> int:
    ref = getattr(dataset, "reference_date", None)
    if ref is None:
        raise EngineError(f"dataset {dataset.name!r}: unit {dataset.unit!r} needs a reference_date")
    return int(ref.year * 10 + (ref.month + 2) // 3)


def _members_at(run: _Run, dataset: Any, flags_wanted: bool) -> tuple[ir.Table, list[str]]:
    """The members (person or employer key) of the dataset's groups in the reference date's year."""
    names = dataset.populations
    key = run.key(names[0])
    year = _reference_quarter(dataset) // 10
    if flags_wanted:
        pop = _union_with_flags(run, names)
        flags = [_flag(n) for n in names]
    else:
        pop = run.population(names[0]).select(key, "year")
        for n in names[1:]:
            pop = pop.union(run.population(n).select(key, "year"), distinct=True)
        flags = []
    pop = pop.filter(pop.year == year)
    return pop.select(key, *flags).distinct(), flags


def _person_flags(run: _Run, names: list[str]) -> ir.Table:
    """One row per person of the groups (any year) with its ``in_<group>`` flags."""
    u = _union_with_flags(run, names)
    return u.group_by("insz").aggregate(**{_flag(n): u[_flag(n)].max() for n in names})


def _record_table(dataset: Any, requested: list[tuple[Any, Any]]) -> tuple[str, str]:
    tables = {(v.record_table, v.record_key) for _, v in requested if v.unit == "record"}
    if not tables:
        raise EngineError(f"dataset {dataset.name!r}: a person-record dataset needs a record variable")
    if len(tables) > 1:
        names = ", ".join(sorted(str(t) for t, _ in tables))
        raise EngineError(
            f"dataset {dataset.name!r}: the record variables come from several record tables ({names}); "
            "one person-record dataset holds the records of one table"
        )
    table, key = tables.pop()
    if not table or not key:
        raise EngineError(f"dataset {dataset.name!r}: a record variable names no record_table/record_key")
    return str(table), str(key)


def record_date_column(table: str) -> str | None:
    """The record table's date: its first ``date`` field (certificate: issue_date)."""
    from crossroads.warehouse.schema import table as table_spec

    for f in table_spec(table).fields:
        if f.type == "date":
            return str(f.name)
    return None


def _record_rows(run: _Run, dataset: Any, table: str, key: str) -> ir.Table:
    """The record table's rows of the dataset's persons (any year of their groups)."""
    persons = run.population(dataset.populations[0]).select("insz")
    for n in dataset.populations[1:]:
        persons = persons.union(run.population(n).select("insz"), distinct=True)
    # Through the scope's rows (a sliced run cuts them once per pass): the whole table per slice cost more
    # with every slice.
    rows = jobs.person_rows(run.engine, table)
    rows = rows.semi_join(persons.distinct(), "insz")
    date_col = record_date_column(table)
    if dataset.years is not None and date_col is not None:
        y = rows[date_col].year()
        rows = rows.filter((y >= dataset.years.first) & (y <= dataset.years.last))
    return rows.rename(record_id=key)


def _frame(run: _Run, dataset: Any, requested: list[tuple[Any, Any]]) -> _Frame:
    names = dataset.populations
    entity = _dataset_entity(run, dataset)
    want_flags = any(v.name == frames.GROUP_MEMBERSHIP for _, v in requested)
    unit = dataset.unit
    if unit in ("person", "employer", "aggregate"):
        refq = _reference_quarter(dataset)
        members, flags = _members_at(run, dataset, want_flags and unit != "aggregate")
        table = members.mutate(measure_quarter=ibis.literal(refq, "int32"))
        key = ENTITY_KEY[entity]
        return _Frame(
            run.engine.materialise(table),
            entity,
            [key],
            flags=flags,
            measure="measure_quarter" if entity == "person" else None,
        )
    if unit == "job-quarter":
        if getattr(dataset, "reference_date", None) is not None:
            refq = _reference_quarter(dataset)
            members, flags = _members_at(run, dataset, want_flags)
            persons = members.mutate(quarter=ibis.literal(refq, "int32"))
        else:
            base, flags = _frame_person(run, dataset, force_flags=want_flags)
            if "quarter" not in base.columns:
                raise EngineError(
                    f"dataset {dataset.name!r}: unit job-quarter needs a reference_date or years"
                )
            persons = base.select("insz", "quarter", *flags)
        occ = jobs.occupations(run.engine)
        held = occ.select("insz", "quarter", EMPLOYER_COLUMN).distinct()
        table = persons.join(held, ["insz", "quarter"])
        table = table.select("insz", EMPLOYER_COLUMN, "quarter", *flags, measure_quarter=table.quarter)
        return _Frame(
            run.engine.materialise(table),
            entity,
            ["insz", EMPLOYER_COLUMN, "quarter"],
            flags=flags,
            quarter="quarter",
        )
    if unit == "person-record":
        table_name, key = _record_table(dataset, requested)
        rows = _record_rows(run, dataset, table_name, key)
        date_col = record_date_column(table_name)
        cols: dict[str, Any] = {}
        if date_col is not None:
            cols["measure_quarter"] = xp.quarter_of_date(rows[date_col])
        # The source's record number (a certificate number) could be looked up at the source: the delivery
        # numbers each person's records 1, 2, ... by date instead (record_seq).
        order = [rows[date_col], rows.record_id] if date_col is not None else [rows.record_id]
        seq = (ibis.row_number().over(ibis.window(group_by="insz", order_by=order)) + 1).cast("int64")
        table = rows.select("insz", "record_id", record_seq=seq, **cols)
        flags = []
        if want_flags:
            fl = _person_flags(run, names)
            flags = [_flag(n) for n in names]
            table = left_join_on(table, fl, ["insz"])
            table = table.mutate(**{f: table[f].fill_null(0).cast("int8") for f in flags})
        measure = "measure_quarter" if date_col is not None else None
        return _Frame(
            run.engine.materialise(table),
            entity,
            ["insz", "record_seq"],
            flags=flags,
            quarter=measure or "measure_quarter",
            measure=measure,
            record=(table_name, key),
        )
    if unit not in ("person-year", "person-quarter"):
        raise EngineError(f"dataset {dataset.name!r}: unit {unit!r} is not supported by the engine yet")
    table, flags = _frame_person(run, dataset, force_flags=want_flags)
    quarterly = "quarter" in table.columns
    keys = ["insz", "year"] + (["quarter"] if quarterly else [])
    extra = [c for c in ("measure_quarter", "after_outflow") if c in table.columns]
    if dataset.selection is None and getattr(dataset, "measurement", None) is None and dataset.window is None:
        extra = [c for c in extra if c != "measure_quarter"]
    return _Frame(
        table, entity, keys, extra=extra, flags=flags, quarter="quarter" if quarterly else "measure_quarter"
    )


def _frame_person(run: _Run, dataset: Any, force_flags: bool = False) -> tuple[ir.Table, list[str]]:
    """Person-year / person-quarter / window frames (21/150's, unchanged, plus flags on request)."""
    names = dataset.populations
    if len(names) == 1:
        # One group: its flag is 1 on every row, added to the frame of the persons alone, which is then the
        # same stored table as another dataset's over the same group, years and quarters (one set of points
        # for the derivations of both, ``_Derivations.ask``).
        pop = run.population(names[0]).select("insz", "year")
        flags: list[str] = []
        if force_flags:
            frame, _ = _frame_person(run, dataset)
            return frame.mutate(**{_flag(names[0]): ibis.literal(1, "int8")}), [_flag(names[0])]
    else:
        pop = _union_with_flags(run, names)
        flags = [_flag(n) for n in names]
    if dataset.years is not None:
        pop = pop.filter((pop.year >= dataset.years.first) & (pop.year <= dataset.years.last))
    if dataset.selection is not None:
        system = run.system(names[0]).select("insz", "year")
        for n in names[1:]:
            system = system.union(run.system(n).select("insz", "year"), distinct=True)
        pop = inflow.select(pop, system, dataset.selection)
    offset, q = windows.measurement(dataset)
    if getattr(dataset, "reference_date", None) is not None:
        ref = dataset.reference_date
        pop = pop.filter(pop.year == ref.year)
        frame = pop.mutate(measure_quarter=ibis.literal(ref.year * 10 + (ref.month + 2) // 3, "int32"))
    elif dataset.window is not None:
        w = dataset.window
        frame = windows.window(run.engine, pop, w.reference, w.quarters_before, w.quarters_after)
        if force_flags:
            # A person's flags in a window: member of the group in any of its years.
            fl = pop.group_by("insz").aggregate(**{f: pop[f].max() for f in flags})
            frame = left_join_on(frame, fl, ["insz"])
        else:
            flags = []
    elif dataset.unit == "person-quarter" or dataset.unit == "job-quarter":
        after = windows.QUARTERS_AFTER_OUTFLOW if any(v.after_outflow for v in dataset.variables) else 0
        frame = windows.person_quarter(run.engine, pop, offset, q, after)
    elif dataset.unit == "person-year":
        frame = windows.person_year(pop, offset, q)
    else:
        raise EngineError(
            f"dataset {dataset.name!r}: unit {dataset.unit!r} is not supported by the engine yet"
        )
    return run.engine.materialise(frame), flags


def _column(req: Any) -> str:
    return str(getattr(req, "column_name", None) or getattr(req, "column", None) or req.name)


def _blank_unless(out: ir.Table, column: str, keep: ir.BooleanValue) -> ir.Table:
    return out.mutate(**{column: ibis.ifelse(keep, out[column], ibis.null(out[column].type()))})


def _refuse(dataset: Any, var: Any, why: str) -> EngineError:
    return EngineError(
        f"dataset {dataset.name!r} ({dataset.unit}): variable {var.name!r} (unit {var.unit}) {why}"
    )


def check_units(dataset: Any, var: Any) -> str | None:
    """Why a variable cannot be delivered in a dataset of this unit (None: it can); the same rule as
    ``crossroads permit validate`` (``permits.vocabulary.unit_mismatch``)."""
    return unit_mismatch(str(dataset.unit), str(var.name), str(var.unit))


@dataclass
class _Prepared:
    """A dataset after its frame, before its variables: what it asks of the run's derivations."""

    dataset: Any
    frame: _Frame
    out: ir.Table
    requested_vars: list[tuple[Any, Any]]
    main_attached: bool
    employer_keyed: bool
    deliver_employer: bool
    needs: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    """Delivered column -> its derivation (see ``_Derivations``); record variables are derived per dataset."""


POINT_KEYS = {"person": ("insz",), "job": ("insz", EMPLOYER_COLUMN), "employer": (EMPLOYER_COLUMN,)}
"""The key columns of the points of each kind of derivation (besides ``ref_quarter``)."""
POINT_KEY = model.POINT_KEY
"""A person-point's ``insz`` and quarter as one 64-bit number (DuckDB): the datasets join their derivations on
it instead of the pair (a slice's files join ~50 derivations of 4 M rows: 18-27 % less time)."""
_Need = tuple[str, str, str]
"""(points kind, catalog name, options as JSON): one derivation, shared by every dataset that asks it."""


class _Derivations:
    """Each variable (with its options) derived once per run, over the union of the points of every dataset
    that asks for it: 21/150 asks ~40 distinct variables 112 times over four datasets whose points overlap.

    A derivation is a function of the point alone (person or employer, quarter), so its value at a point does
    not depend on which other points are in the set.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sources: dict[tuple[str, str, str], ir.Table] = {}
        """(dataset, points kind, column) -> the points expression of that dataset."""
        self.asked: dict[_Need, tuple[Any, dict[str, Any], set[tuple[str, str, str]]]] = {}
        self.results: dict[_Need, ir.Table] = {}
        self.stored_with: dict[_Need, tuple[ir.Table, str]] = {}
        """Needs stored together with others (``_store_together``): the shared table and the need's column."""
        self._unions: dict[frozenset[Any], ir.Table] = {}
        """Stored points, by the distinct point expressions (operations) they are the union of."""
        self.usual: dict[_Need, Any] = {}
        """Needs stored without the points of their variable's usual value (``Variable.usual``): that value,
        which the datasets give the points without a row (``usual_at``)."""

    def ask(
        self, dataset: str, kind: str, column: str, source: ir.Table, var: Any, options: dict[str, Any]
    ) -> _Need:
        keys = POINT_KEYS[kind]
        src_id = (dataset, kind, column)
        if src_id not in self.sources:
            # Flattened onto the stored frame: a frame that adds columns to another's (a group's flag) gives
            # the same points, hence the same stored union of them (``_points``).
            p = _flat(source.select(*keys, ref_quarter=source[column].cast("int32")).op()).to_expr()
            for k in keys:
                p = p.filter(p[k].notnull())
            self.sources[src_id] = p
        need = (kind, str(var.name), json.dumps(options, sort_keys=True, default=str))
        entry = self.asked.setdefault(need, (var, options, set()))
        entry[2].add(src_id)
        return need

    def _points(self, ids: frozenset[tuple[str, str, str]]) -> ir.Table:
        # Keyed by the distinct point expressions (Ibis compares them by structure): datasets over one
        # stored frame give equal ones, unioned once and stored once, on any engine.
        parts = {self.sources[i].op(): self.sources[i] for i in sorted(ids)}
        key = frozenset(parts)
        if key not in self._unions:
            u, *rest = parts.values()
            for q in rest:
                u = u.union(q, distinct=False)
            u = u.distinct()
            # A need's points are of one kind.
            self._unions[key] = self.engine.materialise(_point_columns(self.engine, min(ids)[1], u))
        return self._unions[key]

    def run(self, on_each: Any = None) -> None:
        derived = {
            need: var.derive(self.engine, self._points(frozenset(ids)), options, sparse=True)
            for need, (var, options, ids) in self.asked.items()
        }
        self.usual = {
            need: var.usual for need, (var, options, _) in self.asked.items() if var.sparse_for(options)
        }
        # Derivations that only pick and compute columns of the same stored block (the main job, the career
        # quarters, the person's facts at the points) are stored together: one query and one table for
        # them all instead of one each.
        together: dict[tuple[str, int], list[tuple[_Need, ops.Project]]] = {}
        for need, res in derived.items():
            picked = _picked(need[0], res)
            if picked is not None:
                together.setdefault((need[0], id(picked.parent)), []).append((need, picked))
        for (kind, _), group in together.items():
            if len(group) > 1:
                self._store_together(kind, group)
        for need, res in derived.items():
            if need not in self.results:
                kind = need[0]
                keyed = point_key(self.engine, kind, res, "ref_quarter")
                # Keyed: the key alone is stored (the files join on it alone; the INSZ and quarter beside it
                # were copied for every variable).
                res = (
                    res.select(*POINT_KEYS[kind], "ref_quarter", "value")
                    if keyed is None
                    else res.select("value", **{POINT_KEY: keyed})
                )
                # Only the points with a value: the datasets left-join the results, so a point without a
                # row reads null all the same, from a smaller hash table (the parents' residence reason of
                # 21/128 is known at 5 % of the points).
                # Computed on its own: one small query per variable instead of one huge query per dataset.
                self.results[need] = self.engine.materialise(res, eager=True, present="value")
            if on_each is not None:
                on_each(self.asked[need][0].name)

    def _store_together(self, kind: str, group: list[tuple[_Need, ops.Project]]) -> None:
        """Derivations that are projections of one stored block (``_picked``), stored as one table with a
        column each (``value_<i>``); each need's result is a projection of it, with the same columns as if
        alone."""
        needs = [need for need, _ in group]
        block = group[0][1].parent.to_expr()
        keys = [*POINT_KEYS[kind], "ref_quarter"]
        values = {f"value_{i}": op.values["value"].to_expr() for i, (_, op) in enumerate(group)}
        rows = block.select(*keys, **values)
        keyed = point_key(self.engine, kind, rows, "ref_quarter")
        if keyed is not None:
            rows = rows.select(*values, **{POINT_KEY: keyed})
        stored = self.engine.materialise(rows, eager=True)
        for i, need in enumerate(needs):
            self.stored_with[need] = (stored, f"value_{i}")
            if keyed is not None:
                self.results[need] = stored.select(stored[POINT_KEY], value=stored[f"value_{i}"])
            else:
                self.results[need] = stored.select(*keys, value=stored[f"value_{i}"])

    def results_together(
        self, kind: str, column: str, named: list[tuple[str, _Need]]
    ) -> tuple[ir.Table, list[str]]:
        """Like ``result`` for needs stored together (one shared table): their columns side by side, to be
        joined once."""
        stored = self.stored_with[named[0][1]][0]
        values = {name: stored[self.stored_with[need][1]] for name, need in named}
        if POINT_KEY in stored.columns:
            on = f"{POINT_KEY}{column}"
            return stored.select(**{on: stored[POINT_KEY]}, **values), [on]
        keys = [*POINT_KEYS[kind], column]
        return stored.select(*POINT_KEYS[kind], **{column: stored.ref_quarter}, **values), keys

    def usual_at(self, out: ir.Table, need: _Need, column: str, name: str) -> ir.Table:
        """``out`` with the need's usual value (``self.usual``) in ``name`` where a point (its keys and the
        measurement ``column`` known) has no row; as it was for other needs."""
        if need not in self.usual:
            return out
        known = out[column].notnull()
        for key in POINT_KEYS[need[0]]:
            known &= out[key].notnull()
        filled = ibis.ifelse(known, out[name].fill_null(self.usual[need]), out[name])
        return out.mutate(**{name: filled})

    def result(self, need: _Need, column: str, name: str) -> tuple[ir.Table, list[str]]:
        """The derivation's rows with the dataset's measurement column and the delivered column name, and the
        columns to join them on (``point_key``'s column for that measurement column, or the point's keys)."""
        res = self.results[need]
        if POINT_KEY in res.columns:
            on = f"{POINT_KEY}{column}"
            return res.select(**{on: res[POINT_KEY], name: res.value}), [on]
        keys = [*POINT_KEYS[need[0]], column]
        return res.select(*POINT_KEYS[need[0]], **{column: res.ref_quarter, name: res.value}), keys


def _picked(kind: str, res: ir.Table) -> ops.Project | None:
    """The derivation as one projection of the stored table it only picks and computes columns of, its
    point's columns taken as they are (None: it joins, filters or aggregates)."""
    op = _flat(res.op())
    if not isinstance(op, ops.Project) or not isinstance(op.parent, ops.DatabaseTable):
        return None
    keys = [*POINT_KEYS[kind], "ref_quarter"]
    if set(op.values) != {*keys, "value"}:
        return None
    for name in keys:
        value = op.values[name]
        if not (isinstance(value, ops.Field) and value.rel is op.parent and value.name == name):
            return None
    return op


def _flat(op: Any) -> Any:
    """A projection of projections as one projection of the innermost relation (the same values)."""
    while isinstance(op, ops.Project) and isinstance(op.parent, ops.Project):
        inner = op.parent
        fields = {ops.Field(inner, name): value for name, value in inner.values.items()}
        op = ops.Project(inner.parent, {name: v.replace(fields) for name, v in op.values.items()})
    return op


def point_key(engine: Engine, kind: str, t: ir.Table, column: str) -> ir.IntegerValue | None:
    """``POINT_KEY`` of person points (``insz`` and the quarter ``column``) on DuckDB; None elsewhere.

    An INSZ is 11 digits (the warehouse quarantines any other) and a quarter (``20194``) 5, so the number
    ``insz * 100000 + quarter`` is unique and fits 64 bits. Anything else in ``insz`` fails the cast loudly
    rather than matching wrongly.
    """
    if engine.name != "duckdb" or kind != "person":
        return None
    return model.point_key(t.insz, t[column])


def _point_columns(engine: Engine, kind: str, points: ir.Table) -> ir.Table:
    """Points (``ref_quarter``) with the columns the derivations read: the quarter's last day, its year and,
    where ``point_key`` gives one, the key the derivations' joins use (``jobs.at_points``)."""
    p = points.mutate(
        ref_date=xp.quarter_end(points.ref_quarter), ref_year=(points.ref_quarter // 10).cast("int32")
    )
    keyed = point_key(engine, kind, p, "ref_quarter")
    return p if keyed is None else p.mutate(**{POINT_KEY: keyed})


def _prepare(run: _Run, dataset: Any, derivations: _Derivations) -> _Prepared:
    """The dataset's frame, its main employer if employer variables need one, and its derivations asked."""
    requested_vars = _requested_vars(dataset)
    disclosure = getattr(run.version, "disclosure", None)
    for req, var in requested_vars:
        why = check_units(dataset, var) or disclosure_mismatch(
            disclosure, var.measure, requested_scheme(var, dict(req.options))
        )
        if why:
            raise _refuse(dataset, var, why)
    fr = _frame(run, dataset, requested_vars)
    engine = run.engine
    out = fr.table
    employer_keyed = EMPLOYER_COLUMN in fr.keys
    # 21/150's job variables (person-quarter, from the DmfA) deliver the main employer of the quarter.
    job_requested = any(
        v.unit == "person-quarter" and "dmfa_occupation" in v.sources for _, v in requested_vars
    )
    employer_vars = [v for _, v in requested_vars if v.unit == "employer" and v.name not in frames.COUNTS]
    deliver_employer = job_requested or any(v.name == frames.EMPLOYER_SEQ for v in employer_vars)
    main_attached = False
    if not employer_keyed and (deliver_employer or employer_vars) and fr.entity == "person":
        # The person's main employer of the quarter (largest FTE) carries the employer variables. One main
        # job per person and quarter: joined to the frame directly (storing the frame's points first for
        # ``jobs.at_points`` cost a second of a 38 s slice of 21/128).
        main = jobs.main_jobs(engine)
        main = main.select("insz", **{fr.quarter: main.quarter, EMPLOYER_COLUMN: main.enterprise_number})
        out = left_join_on(out, main, ["insz", fr.quarter])
        main_attached = True
    if main_attached or employer_keyed:
        out = engine.materialise(out)
    prep = _Prepared(dataset, fr, out, requested_vars, main_attached, employer_keyed, deliver_employer)
    for req, var in requested_vars:
        name = _column(req)
        if var.name in frames.COUNTS:
            if frames.COUNTS[var.name] != fr.entity:
                raise _refuse(
                    dataset, var, f"counts {frames.COUNTS[var.name]}s; the dataset's groups hold {fr.entity}s"
                )
            continue
        if var.name in (frames.GROUP_MEMBERSHIP, frames.EMPLOYER_SEQ):
            continue  # the frame's in_<group> columns; the row's employer column
        options = dict(req.options)
        if var.unit == "record":
            if fr.record is None or (var.record_table, var.record_key) != fr.record:
                raise _refuse(
                    dataset,
                    var,
                    f"reads records of {var.record_table!r}, not of the dataset's "
                    f"record table {fr.record[0] if fr.record else None!r}",
                )
            continue
        if var.unit == "job":
            need = derivations.ask(dataset.name, "job", "quarter", fr.table, var, options)
        elif var.unit == "employer":
            column = fr.quarter if fr.entity == "person" else "measure_quarter"
            if fr.entity == "person" and not (main_attached or employer_keyed):
                raise _refuse(dataset, var, "needs the row's employer")
            need = derivations.ask(dataset.name, "employer", column, out, var, options)
        else:
            column = fr.quarter if var.unit == "person-quarter" else fr.measure  # type: ignore[assignment]
            if column is None or column not in out.columns:
                raise _refuse(
                    dataset, var, "needs a date to be measured at; the dataset's record table has none"
                )
            need = derivations.ask(dataset.name, "person", column, fr.table, var, options)
        prep.needs[name] = (need, column if var.unit != "job" else "quarter")
    return prep


def _dataset(
    run: _Run, prep: _Prepared, derivations: _Derivations, sink: _Sink | None = None
) -> tuple[pa.Table | Path, dict[str, str], dict[str, str], list[str]]:
    """The dataset's table (or, with a ``sink``, the Parquet file its rows were streamed to), its variable
    columns (column -> catalog name), identifier columns and, for aggregate datasets, its count columns."""
    dataset, fr, out, engine = prep.dataset, prep.frame, prep.out, run.engine
    requested: dict[str, str] = {}
    counts: list[str] = []
    joined = 0
    # Small frames are joined in one query (storing steps cost 20 % of 21/150 at scale 0.1), unless the
    # backend cannot compile deeply nested queries.
    staged = not engine.capabilities.deep_queries or int(engine.scalar(fr.table.count())) > STAGED_ROWS
    # Derivations stored in one table (``_Derivations.stored_with``) measured at the same column are joined
    # once, their columns side by side: (table, column) -> the dataset's (column name, need) of them.
    together: dict[tuple[int, str], list[tuple[str, _Need]]] = {}
    for req, _var in prep.requested_vars:
        name = _column(req)
        if name in prep.needs and prep.needs[name][0] in derivations.stored_with:
            need, column = prep.needs[name]
            together.setdefault((id(derivations.stored_with[need][0]), column), []).append((name, need))
    records: ir.Table | None = None
    for req, var in prep.requested_vars:
        name = _column(req)
        if var.name == frames.GROUP_MEMBERSHIP or var.name == frames.EMPLOYER_SEQ:
            continue
        if var.name in frames.COUNTS:
            counts.append(name)
            requested[name] = var.name
            continue
        if var.unit == "record":
            assert fr.record is not None
            if records is None:
                # The frame's records read once for all record variables (once per variable, every
                # slice scanned the whole record table ~15 times).
                rows = jobs.person_rows(engine, fr.record[0]).rename(record_id=fr.record[1])
                records = engine.materialise(rows.semi_join(fr.table, ["insz", "record_id"]))
            res = var.derive(engine, records, dict(req.options))
            res = engine.materialise(res.select("insz", "record_id", **{name: res.value}), eager=True)
            out = left_join_on(out, res, ["insz", "record_id"])
        else:
            need, column = prep.needs[name]
            shared = derivations.stored_with.get(need)
            group = (id(shared[0]), column) if shared is not None else None
            if group is not None and group in together:
                res, on = derivations.results_together(need[0], column, together.pop(group))
            elif group is not None:
                res, on = None, []  # its column came with the first of its table's derivations
            else:
                res, on = derivations.result(need, column, name)
            if res is not None:
                if on[0].startswith(POINT_KEY) and on[0] not in out.columns:
                    out = out.mutate(**{on[0]: point_key(engine, need[0], out, column)})
                out = left_join_on(out, res, on)
            out = derivations.usual_at(out, need, column, name)
        if "after_outflow" in out.columns and not req.after_outflow:
            out = _blank_unless(out, name, out.after_outflow != 1)
        requested[name] = var.name
        joined += 1
        if staged and joined % JOINS_PER_STEP == 0:
            # Stored every few joins: one query joining ~40 derivations of a 21-million-row frame needs
            # every join's hash table at once and ran out of memory at scale 0.1.
            out = engine.materialise(out)
    for req in dataset.variables:
        condition = getattr(req, "condition", None)
        if condition:
            # Filled only where the 0/1 variable named by the condition is 1 (or 0 with "not "), S000-7.
            flag = condition.removeprefix("not ")
            if flag not in requested:
                raise EngineError(
                    f"dataset {dataset.name!r}: condition {condition!r} needs variable {flag!r}"
                )
            wanted = "0" if condition.startswith("not ") else "1"
            flag_value = out[flag].cast("string")
            out = _blank_unless(out, _column(req), flag_value.notnull() & (flag_value == wanted))
    if dataset.unit == "aggregate":
        return _aggregate(engine, dataset, fr, out, requested, counts)
    identifiers: dict[str, str] = {}
    if "insz" in out.columns:
        identifiers["insz"] = "person"
    employer = [EMPLOYER_COLUMN] if (prep.main_attached and prep.deliver_employer) else []
    if prep.employer_keyed or employer:
        identifiers[EMPLOYER_COLUMN] = "employer"
    for name, var_name in requested.items():
        kind = catalog.get(var_name).identifier
        if kind:
            identifiers[name] = kind  # any other identifier-valued variable is replaced too
    columns = fr.keys + fr.extra + fr.flags + employer + list(requested)
    # Sorted and typed by the engine: a sort or cast in Arrow would copy a table of millions of rows.
    typed = out.select(*columns)
    casts = {c: t for c, t in _delivered_types(typed, requested).items() if typed[c].type() != t}
    if casts:
        typed = typed.cast(casts)
    # Large frames: the joins stored first, then sorted (joining ~40 derivations and sorting in one query
    # held every join's hash table and the sort at once: out of memory at scale 0.1).
    rows = engine.materialise(typed) if staged else typed
    order = list(fr.keys)
    if order and order[0] in ("insz", EMPLOYER_COLUMN):
        # In a random order of the persons (employers), each one's rows together in key order: the rank is
        # unique, so it stands for the identifier (a sort on it is cheaper than on the INSZ too).
        rows = left_join_on(rows, run.order(order[0], fr.table), [order[0]])
        order[0] = ORDER_COLUMN
    ordered = rows.order_by(order)
    if sink is not None:
        path = sink.write(dataset.name, engine, ordered, lambda part: _normalise(part, requested))
        return path, requested, identifiers, []
    return _normalise(engine.to_arrow(ordered), requested), requested, identifiers, []


class _Sink:
    """One Parquet file per dataset, written batch by batch, across every slice of the run.

    A slice's rows are fetched from the engine, then encoded and written by one thread of the sink's own:
    Parquet encoding takes one core, and the engine's next queries (the next dataset, the next slice) run
    meanwhile instead of waiting. At most ``WRITES_AHEAD`` files' rows wait for the thread (bounded
    memory); a failed write is raised by the next call (``write``, ``close``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._writers: dict[str, pq.ParquetWriter] = {}
        self._empty: dict[str, pa.Table] = {}
        self._started: set[str] = set()
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crossroads-sink")
        self._pending: list[Future[None]] = []

    def write(
        self, name: str, engine: Engine, rows: ir.Table, transform: Callable[[pa.Table], pa.Table]
    ) -> Path:
        path = self.folder / f"{name}.parquet"
        batches = list(engine.batches(rows))  # the engine's query, while the thread writes earlier rows
        self._wait(WRITES_AHEAD - 1)
        if batches:
            self._started.add(name)
            self._pending.append(self._thread.submit(self._write, name, path, batches, transform))
        elif name not in self._started:
            self._empty[name] = transform(rows.schema().to_pyarrow().empty_table())
        return path

    def _write(
        self, name: str, path: Path, batches: list[pa.RecordBatch], transform: Callable[[pa.Table], pa.Table]
    ) -> None:
        """In the sink's thread: the batches, in order, to the dataset's file."""
        try:
            for batch in batches:
                part = transform(pa.Table.from_batches([batch]))
                if name not in self._writers:
                    # No column statistics: the file is an intermediate, read whole once (its identifiers
                    # replaced, ``extraction.pseudonymise_file``); they cost a fifth of its writing.
                    self._writers[name] = pq.ParquetWriter(
                        path, part.schema, compression="zstd", write_statistics=False
                    )
                self._writers[name].write_table(part)
        except (OSError, ValueError, pa.ArrowException) as exc:  # a full disk, a batch of other columns
            raise EngineError(f"writing {path} failed: {exc}") from exc

    def _wait(self, keep: int) -> None:
        """Until at most ``keep`` files wait for the thread; the first failure among those done is raised."""
        while len(self._pending) > keep:
            self._pending.pop(0).result()

    def abandon(self) -> None:
        """Close the files of a failed run (which publishes nothing), without the empty files, and without
        letting a second failure (a full disk) hide the first."""
        for pending in self._pending:
            pending.cancel()
        self._thread.shutdown(wait=True)
        self._pending = []
        for writer in self._writers.values():
            with contextlib.suppress(OSError, ValueError, pa.ArrowException):
                writer.close()

    def close(self) -> None:
        try:
            self._wait(0)
        finally:
            self._thread.shutdown(wait=True)
        for writer in self._writers.values():
            writer.close()
        for name, empty in self._empty.items():
            if name not in self._writers:  # no slice had rows: still a file with the columns
                pq.write_table(empty, self.folder / f"{name}.parquet")


def _aggregate(
    engine: Engine, dataset: Any, fr: _Frame, out: ir.Table, requested: dict[str, str], counts: list[str]
) -> tuple[pa.Table, dict[str, str], dict[str, str], list[str]]:
    """Distinct members per combination of the non-count variables (small counts: see extraction)."""
    if len(counts) != 1:
        raise EngineError(
            f"aggregate dataset {dataset.name!r} needs exactly one count variable "
            f"({', '.join(frames.COUNTS)})"
        )
    by = [c for c in requested if c not in counts]
    key = ENTITY_KEY[fr.entity]
    agg = (
        out.group_by(by).aggregate(**{counts[0]: out[key].nunique()})
        if by
        else out.aggregate(**{counts[0]: out[key].nunique()})
    )
    table = engine.to_arrow(agg.select(*by, counts[0]))
    if by:
        table = table.sort_by([(c, "ascending") for c in by])
    table = _normalise(table, requested)
    return table, requested, {}, counts


def _delivered_types(t: ir.Table, requested: dict[str, str]) -> dict[str, Any]:
    """The Ibis types ``_normalise`` gives each column (cast in the engine before the rows come back)."""
    wanted: dict[str, Any] = {}
    ibis_types = {"string": dt.string, "int": dt.int64, "float": dt.float64}
    for name in t.columns:
        typ = t[name].type()
        if name in requested:
            var = catalog.get(requested[name])
            if not typ.is_string() and var.value_type != "string":
                wanted[name] = ibis_types[var.value_type]
        elif name in ("year", "quarter", "measure_quarter"):
            wanted[name] = dt.int32
        elif name == "after_outflow" or name.startswith("in_"):
            wanted[name] = dt.int8
        elif name == "record_seq":
            wanted[name] = dt.int64
    return wanted


def _normalise(table: pa.Table, requested: dict[str, str]) -> pa.Table:
    """The same Arrow types whichever backend ran (Spark and DuckDB differ in integer widths), without the
    rows' random order (``ORDER_COLUMN``)."""
    if ORDER_COLUMN in table.column_names:
        table = table.drop_columns([ORDER_COLUMN])
    fields = []
    for f in table.schema:
        if f.name in requested:
            var = catalog.get(requested[f.name])
            numeric = not pa.types.is_string(f.type) and var.value_type != "string"
            fields.append(pa.field(f.name, _ARROW_TYPES[var.value_type] if numeric else f.type))
        elif f.name in ("year", "quarter", "measure_quarter"):
            fields.append(pa.field(f.name, pa.int32()))
        elif f.name == "after_outflow" or f.name.startswith("in_"):
            fields.append(pa.field(f.name, pa.int8()))
        elif f.name == "record_seq":
            fields.append(pa.field(f.name, pa.int64()))
        else:
            fields.append(pa.field(f.name, f.type))
    return table.cast(pa.schema(fields))


def extract(
    permit_version: Any,
    warehouse: Warehouse | str | Path,
    *,
    phase: int,
    seed: int,
    backend: BackendName = "duckdb",
    as_of: date | None = None,
    spark: Any = None,
    progress: bool = False,
    write_to: Path | None = None,
    slice_persons: int | None = None,
    pass_persons: int = PASS_PERSONS,
    quarter_window: bool = True,
) -> Extract:
    """Run a permit version on a warehouse: phase 1 (samples) or phase 2 (full groups, same code path).

    ``write_to`` (a folder): stream each microdata dataset to ``<folder>/<name>.parquet`` instead of
    returning it in memory (``Extract.files``), for full populations larger than memory.
    ``slice_persons`` (with ``write_to``): build the datasets for about that many persons at a time (whole
    households: ``slicing``), and drop each slice's building blocks before the next, so memory and spill
    space stay bounded whatever the population; the files hold the same rows as without slices. Rows come
    in a random order of their persons (or employers), each one's rows in key order (``ORDER_COLUMN``),
    slice after slice. The building blocks the
    slices share are built for ``pass_persons`` persons' slices at a time (a pass), which bounds their spill
    and the parts on disk. ``quarter_window``: read only the quarters of the DmfA and the socio-economic
    position the datasets need (``windows.run_quarters``, ``Extract.run_quarters``); False reads every
    quarter (the same files).
    """
    _check_in_force(permit_version, phase, as_of)
    if slice_persons is not None and write_to is None:
        raise EngineError("slices (slice_persons) need write_to: each slice's rows go to the dataset's file")
    if write_to is not None:
        write_to.mkdir(parents=True, exist_ok=True)
    result = Extract(permit_version=int(permit_version.version), phase=phase, backend=backend, as_of=as_of)
    engine = connect(warehouse, backend, spark)
    try:
        with Progress(disable=not progress, transient=True) as bar:
            steps = 3 + len(permit_version.datasets)
            task = bar.add_task(f"extract on {backend}", total=steps)
            run = _populations(engine, permit_version, result)
            bar.advance(task, 2)
            if quarter_window:
                # After the target groups: their rules read any quarter.
                result.run_quarters = windows.run_quarters(permit_version, _group_years(permit_version))
                engine.set_run_quarters(result.run_quarters)

            t0 = time.perf_counter()
            if phase == 1:
                result.sample = _draw(run, sampling.draws_of(permit_version), seed)
            else:
                result.sample = {"seed": seed, "draws": {}, "note": "phase 2: full populations, no sample"}
            result.timings["sample"] = time.perf_counter() - t0
            bar.advance(task)
            slicing = _slices(run, permit_version, slice_persons) if write_to is not None else None
            count = 1 if slicing is None else int(pc.max(slicing.column(SLICE_COLUMN)).as_py() or 0) + 1
            if count > 1:
                assert slice_persons is not None and slicing is not None
                per_pass = max(1, pass_persons // slice_persons)
                run.slicing = engine.register_arrow("slice_persons", slicing)
                engine.set_run_scope(_slice_scopes(run, run.slicing), pass_slices=per_pass)
                result.passes = -(-count // per_pass)
            slices: list[int | None] = list(range(count)) if count > 1 else [None]
            sink = _Sink(write_to) if write_to is not None else None
            try:
                for number in slices:
                    if number is not None:
                        bar.update(task, description=f"slice {number + 1} of {count}")
                    _datasets_of_slice(run, number, result, sink, bar, task, steps)
            except BaseException:
                if sink is not None:
                    sink.abandon()
                raise
            else:
                if sink is not None:
                    sink.close()
            finally:
                if count > 1:
                    engine.set_run_scope(None)
            result.slices = len(slices)
    finally:
        engine.close()
    return result


def slice_refusal(version: Any) -> str | None:
    """Why the datasets of a permit version cannot be built in slices of persons (None: they can)."""
    if any(str(getattr(g, "entity", "person") or "person") != "person" for g in version.target_groups) or any(
        d.unit == "aggregate" for d in version.datasets
    ):
        return (
            "slices need person target groups only and no aggregate dataset "
            "(an employer or a count spans every slice)"
        )
    return None


def _slices(run: _Run, version: Any, slice_persons: int | None) -> pa.Table | None:
    """The persons of the person groups (``insz``), their slice (``SLICE_COLUMN``) and random rank
    (``ORDER_COLUMN``): slices of about ``slice_persons`` persons holding whole households
    (``slicing.household_slices``); None: one pass."""
    if slice_persons is None:
        return None
    if slice_persons < 1:
        raise EngineError(f"slice_persons must be at least 1, not {slice_persons}")
    refusal = slice_refusal(version)
    if refusal:
        raise EngineError(refusal)
    persons = _group_persons(run)
    assert persons is not None  # slices need person groups only (slice_refusal)
    e = run.engine
    hh = e.table("household").select("insz", "household_id")
    hh = hh.filter(hh.insz.notnull() & hh.household_id.notnull())
    # Persons and households numbered by the engine (encoding 21 M INSZ strings in Arrow took 15 s at 1.0).
    nodes = e.materialise(
        persons.select("insz")
        .union(hh.select("insz"), distinct=True)
        .mutate(node=ibis.row_number().cast("int32"))
    )
    homes = e.materialise(hh.select("household_id").distinct().mutate(home=ibis.row_number().cast("int32")))
    edges = e.to_arrow(hh.join(nodes, "insz").join(homes, "household_id").select("node", "home"))
    own = e.to_arrow(persons.distinct().join(nodes, "insz").select("insz", "node").order_by("insz"))
    number = household_slices(
        own.column("node").to_numpy(),
        edges.column("node").to_numpy(),
        edges.column("home").to_numpy(),
        slice_persons,
        component_keys=random_numbers,  # slices in random order: their place tells nothing of their persons
    )
    table = pa.table(
        {
            "insz": own.column("insz").cast(pa.string()),
            SLICE_COLUMN: pa.array(number, pa.int32()),
            ORDER_COLUMN: pa.array(random_ranks(own.num_rows), pa.int64()),
        }
    )
    # By slice: each slice's rows are then read from their own row groups (files' statistics).
    return table.take(pc.sort_indices(table.column(SLICE_COLUMN)))


def _slice_scopes(run: _Run, own: ir.Table) -> ir.Table:
    """``insz``, ``slice__``, ``own__``: the scope of each slice (as ``_scope`` gives it for that slice
    alone): the persons of the groups in the slice (``own``: ``insz``, ``slice__``) and their households'
    members, who may live in other slices (a household cut by a slice too large) or be in no group."""
    own = own.select("insz", SLICE_COLUMN)
    hh = run.engine.table("household").select("insz", "household_id")
    homes = hh.join(own, "insz").select("household_id", SLICE_COLUMN).distinct()
    members = hh.join(homes, "household_id").select("insz", SLICE_COLUMN)
    own = own.mutate(**{OWN_COLUMN: ibis.literal(True)})
    return own.union(members.mutate(**{OWN_COLUMN: ibis.literal(False)}), distinct=True)


def _datasets_of_slice(
    run: _Run,
    number: int | None,
    result: Extract,
    sink: _Sink | None,
    bar: Progress,
    task: Any,
    steps: int,
) -> None:
    """Frames, derivations and datasets for the persons of one slice (``None``: everyone)."""
    engine, version = run.engine, run.version
    mark = engine.stored_count()
    run.set_slice(number)
    if number is None:
        engine.set_scope(_scope(run))
    else:
        engine.set_slice(number)  # the slice's scope and its parts of the run's person rows
    t0 = time.perf_counter()
    derivations = _Derivations(engine)
    prepared = []
    for ds in version.datasets:
        bar.update(task, description=f"frame of {ds.name}")
        prepared.append(_prepare(run, ds, derivations))
    _add_time(result, "frames", t0)
    t0 = time.perf_counter()
    bar.update(task, total=steps + len(derivations.asked), completed=3)

    def derived(name: str) -> None:
        bar.update(task, description=f"variable {name}", advance=1)

    derivations.run(derived)
    _add_time(result, "variables", t0)
    for prep in prepared:
        ds = prep.dataset
        t0 = time.perf_counter()
        bar.update(task, description=f"dataset {ds.name}")
        table, columns, ids, count_columns = _dataset(run, prep, derivations, sink)
        if count_columns:
            result.aggregates[ds.name] = count_columns
        if isinstance(table, Path):
            result.files[ds.name] = table
        else:
            result.datasets[ds.name] = table
        result.variables[ds.name] = list(columns.values())
        result.columns[ds.name] = columns
        result.identifier_columns[ds.name] = ids
        _add_time(result, f"dataset:{ds.name}", t0)
        bar.advance(task)
    if number is not None:
        run.set_slice(None)
        engine.set_slice(None)
        engine.release_since(mark)


def random_numbers(n: int) -> npt.NDArray[np.int64]:
    """``n`` random 64-bit numbers from the operating system's CSPRNG: no seed to guess or to repeat."""
    return np.frombuffer(secrets.token_bytes(8 * n), dtype=np.int64)


def random_ranks(n: int) -> npt.NDArray[np.int64]:
    """0 .. n - 1 in a random order (``random_numbers``)."""
    return np.argsort(random_numbers(n), kind="stable").astype(np.int64)


def _add_time(result: Extract, step: str, since: float) -> None:
    result.timings[step] = result.timings.get(step, 0.0) + time.perf_counter() - since


def variables_at(engine: Engine, points: pa.Table, requests: list[tuple[str, dict[str, Any]]]) -> pa.Table:
    """Catalog variables measured at given points (``insz``, ``ref_quarter``), in one query.

    For checks and ad-hoc use: ``points`` is an Arrow table; the result has ``insz``, ``ref_quarter`` and one
    column per requested variable, sorted by the points.
    """
    p = engine.register_arrow(
        "points",
        points.select(["insz", "ref_quarter"]).cast(
            pa.schema([pa.field("insz", pa.string()), pa.field("ref_quarter", pa.int32())])
        ),
    )
    p = engine.materialise(_point_columns(engine, "person", p))  # as a run's points (``_Derivations``)
    out = p.select("insz", "ref_quarter")
    for name, options in requests:
        res = catalog.get(name).derive(engine, p, options)
        out = left_join_on(out, res.rename(**{name: "value"}), ["insz", "ref_quarter"])
    table = engine.to_arrow(out).sort_by([("insz", "ascending"), ("ref_quarter", "ascending")])
    return _normalise(table, {n: n for n, _ in requests})
