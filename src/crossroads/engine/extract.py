"""Compile a permit version into expressions per dataset and run them (issue 3, items 3 and 4).

Order of work: link the provider inputs (match reports) -> resolve every target group per year
(population rules + domicile) -> the overlap of jointly sampled groups -> the phase-1 sample -> per dataset
its frame (selection, measurement, quarters) -> one derivation per requested catalog variable -> a pyarrow
table sorted by its keys. Rows keep ``insz`` (and the main employer's ``enterprise_number`` where job
variables are requested); ``identifier_columns`` lists them for the pseudonyms step.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from rich.progress import Progress

from crossroads import catalog
from crossroads.catalog import jobs
from crossroads.catalog import periods as xp
from crossroads.catalog.model import left_join_on
from crossroads.engine import inflow, linkage, population, sampling, windows
from crossroads.engine.backends import BackendName, Engine, EngineError, connect
from crossroads.warehouse.schema import table_names
from crossroads.warehouse.storage import Warehouse

_ARROW_TYPES = {"string": pa.string(), "int": pa.int64(), "float": pa.float64()}
EMPLOYER_COLUMN = "enterprise_number"


@dataclass
class Extract:
    """The result of one run: datasets still holding identifiers, plus what the delivery records."""

    permit_version: int
    phase: int
    backend: str
    as_of: date | None
    datasets: dict[str, pa.Table] = field(default_factory=dict)
    identifier_columns: dict[str, dict[str, str]] = field(default_factory=dict)
    variables: dict[str, list[str]] = field(default_factory=dict)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    """Dataset -> delivered column -> catalog variable (a request's ``column`` may rename)."""
    match_reports: dict[str, dict[str, int]] = field(default_factory=dict)
    population_counts: dict[str, int] = field(default_factory=dict)
    population_counts_by_year: dict[str, dict[int, int]] = field(default_factory=dict)
    overlap: pa.Table = field(default_factory=lambda: pa.table({"year": pa.array([], pa.int32())}))
    sample: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def _years(group: Any, version: Any) -> tuple[int, int]:
    if group.years is not None:
        return int(group.years.first), int(group.years.last)
    spans = [d.years for d in version.datasets if group.name in d.populations and d.years is not None]
    if not spans:
        raise EngineError(f"target group {group.name!r} has no years and no dataset gives them")
    return min(s.first for s in spans), max(s.last for s in spans)


def _check_in_force(version: Any, phase: int, as_of: date | None) -> None:
    phases = list(getattr(version, "phases", []) or [])
    if phase not in phases:
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

    def population(self, name: str) -> ir.Table:
        if name not in self.pops:
            g = self.groups[name]
            first, last = _years(g, self.version)
            pop = population.target_group(self.engine, g.rule, first, last, dict(g.params))
            self.pops[name] = self.engine.materialise(pop)
        return self.pops[name]

    def system(self, name: str) -> ir.Table:
        """Membership without domicile, one year wider on each side (for inflow and outflow)."""
        if name not in self.systems:
            g = self.groups[name]
            first, last = _years(g, self.version)
            m = population.members(self.engine, g.rule, first - 1, last + 1, dict(g.params))
            self.systems[name] = self.engine.materialise(m)
        return self.systems[name]

    def restrict(self, name: str, persons: ir.Table) -> None:
        self.pops[name] = self.engine.materialise(self.population(name).semi_join(persons, "insz"))


def _union_with_flags(run: _Run, names: list[str]) -> ir.Table:
    parts = []
    for n in names:
        p = run.population(n).select("insz", "year")
        parts.append(p.mutate(**{_flag(m): ibis.literal(1 if m == n else 0, "int8") for m in names}))
    u = parts[0]
    for p in parts[1:]:
        u = u.union(p, distinct=False)
    return u.group_by("insz", "year").aggregate(**{_flag(m): u[_flag(m)].max() for m in names})


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
    rng = np.random.default_rng(seed)
    record: dict[str, Any] = {
        "seed": seed,
        "method": "numpy.random.default_rng(seed).choice without replacement, "
        "persons ordered by INSZ, draws in permit order",
        "draws": {},
    }
    for d in draws:
        u = run.population(d.groups[0]).select("insz")
        for g in d.groups[1:]:
            u = u.union(run.population(g).select("insz"), distinct=True)
        persons = run.engine.to_arrow(u.distinct()).column("insz").combine_chunks()
        chosen = sampling.draw_persons(persons, d.size, rng)
        table = run.engine.register_arrow(f"sample_{d.name}", pa.table({"insz": chosen}))
        for g in d.groups:
            run.restrict(g, table)
        record["draws"][d.name] = {
            "groups": list(d.groups),
            "requested": d.size,
            "drawn": len(chosen),
            "population": len(pc.unique(persons)),
        }
    return record


def _scope(run: _Run) -> ir.Table:
    """Everyone the datasets may read about: the (sampled) groups and their households' members."""
    persons: ir.Table | None = None
    for name in run.groups:
        p = run.population(name).select("insz")
        persons = p if persons is None else persons.union(p, distinct=True)
    if persons is None:
        raise EngineError("the permit version has no target groups")
    hh = run.engine.table("household").select("insz", "household_id")
    households = hh.semi_join(persons, "insz").select("household_id").distinct()
    members = hh.semi_join(households, "household_id").select("insz")
    return persons.union(members, distinct=True)


def _frame(run: _Run, dataset: Any) -> tuple[ir.Table, list[str]]:
    names = dataset.populations
    if len(names) == 1:
        pop = run.population(names[0]).select("insz", "year")
        flags: list[str] = []
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
        flags = []
    elif dataset.unit == "person-quarter":
        after = windows.QUARTERS_AFTER_OUTFLOW if any(v.after_outflow for v in dataset.variables) else 0
        frame = windows.person_quarter(run.engine, pop, offset, q, after)
    elif dataset.unit == "person-year":
        frame = windows.person_year(pop, offset, q)
    else:
        raise EngineError(
            f"dataset {dataset.name!r}: unit {dataset.unit!r} is not supported by the engine yet"
        )
    return run.engine.materialise(frame), flags


def _points(engine: Engine, frame: ir.Table, column: str) -> ir.Table:
    p = frame.select("insz", ref_quarter=frame[column]).distinct()
    p = p.mutate(ref_date=xp.quarter_end(p.ref_quarter), ref_year=(p.ref_quarter // 10).cast("int32"))
    return engine.materialise(p)


def _column(req: Any) -> str:
    return str(getattr(req, "column_name", None) or getattr(req, "column", None) or req.name)


def _blank_unless(out: ir.Table, column: str, keep: ir.BooleanValue) -> ir.Table:
    return out.mutate(**{column: ibis.ifelse(keep, out[column], ibis.null(out[column].type()))})


def _dataset(run: _Run, dataset: Any) -> tuple[pa.Table, dict[str, str], dict[str, str]]:
    """The dataset's table, its variable columns (column -> catalog name) and identifier columns."""
    frame, flags = _frame(run, dataset)
    engine = run.engine
    quarterly = "quarter" in frame.columns
    points: dict[str, ir.Table] = {}
    out = frame
    requested: dict[str, str] = {}
    job_requested = False
    for req in dataset.variables:
        var = catalog.get(req.name)
        name = _column(req)
        column = "quarter" if (var.unit == "person-quarter" and quarterly) else "measure_quarter"
        if column not in points:
            points[column] = _points(engine, frame, column)
        res = var.derive(engine, points[column], dict(req.options))
        # Computed on its own: one small query per variable instead of one huge query per dataset.
        res = engine.materialise(res.select("insz", **{column: res.ref_quarter, name: res.value}), eager=True)
        out = left_join_on(out, res, ["insz", column])
        if "after_outflow" in out.columns and not req.after_outflow:
            out = _blank_unless(out, name, out.after_outflow != 1)
        requested[name] = var.name
        job_requested = job_requested or (var.unit == "person-quarter" and "dmfa_occupation" in var.sources)
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
    identifiers = {"insz": "person"}
    if job_requested:
        column = "quarter" if quarterly else "measure_quarter"
        if column not in points:
            points[column] = _points(engine, frame, column)
        main = jobs.at_points(points[column], jobs.main_jobs(engine))
        main = main.select("insz", **{column: main.ref_quarter, EMPLOYER_COLUMN: main.enterprise_number})
        out = left_join_on(out, main, ["insz", column])
        identifiers[EMPLOYER_COLUMN] = "employer"
    keys = ["insz", "year"] + (["quarter"] if quarterly else [])
    extra = [c for c in ("measure_quarter", "after_outflow") if c in out.columns]
    if dataset.selection is None and getattr(dataset, "measurement", None) is None and dataset.window is None:
        extra = [c for c in extra if c != "measure_quarter"]
    employer = [EMPLOYER_COLUMN] if job_requested else []
    columns = keys + extra + flags + employer + list(requested)
    table = engine.to_arrow(out.select(*columns))
    table = table.sort_by([(k, "ascending") for k in keys])
    return _normalise(table, requested), requested, identifiers


def _normalise(table: pa.Table, requested: dict[str, str]) -> pa.Table:
    """The same Arrow types whichever backend ran (Spark and DuckDB differ in integer widths)."""
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
) -> Extract:
    """Run a permit version on a warehouse: phase 1 (samples) or phase 2 (full groups, same code path)."""
    _check_in_force(permit_version, phase, as_of)
    result = Extract(permit_version=int(permit_version.version), phase=phase, backend=backend, as_of=as_of)
    engine = connect(warehouse, backend, spark)
    try:
        with Progress(disable=not progress, transient=True) as bar:
            steps = 3 + len(permit_version.datasets)
            task = bar.add_task(f"extract on {backend}", total=steps)
            t0 = time.perf_counter()
            stored = set(table_names())
            for inp in getattr(permit_version, "inputs", []):
                if inp.table in stored:
                    result.match_reports[inp.name] = linkage.link(engine, inp.table, inp.key)
            result.timings["linkage"] = time.perf_counter() - t0
            bar.advance(task)

            run = _Run(engine, permit_version)
            t0 = time.perf_counter()
            for name in run.groups:
                counts = engine.to_arrow(run.population(name).group_by("year").aggregate(n=ibis._.count()))
                result.population_counts_by_year[name] = {
                    int(y): int(n)
                    for y, n in zip(counts["year"].to_pylist(), counts["n"].to_pylist(), strict=True)
                }
                result.population_counts[name] = int(
                    engine.scalar(run.population(name).select("insz").distinct().count())
                )
            draws = sampling.draws_of(permit_version)
            result.overlap = _overlap(run, draws)
            result.timings["populations"] = time.perf_counter() - t0
            bar.advance(task)

            t0 = time.perf_counter()
            if phase == 1:
                result.sample = _draw(run, draws, seed)
            else:
                result.sample = {"seed": seed, "draws": {}, "note": "phase 2: full populations, no sample"}
            result.timings["sample"] = time.perf_counter() - t0
            bar.advance(task)
            engine.set_scope(_scope(run))

            for ds in permit_version.datasets:
                t0 = time.perf_counter()
                bar.update(task, description=f"dataset {ds.name}")
                table, columns, ids = _dataset(run, ds)
                result.datasets[ds.name] = table
                result.variables[ds.name] = list(columns.values())
                result.columns[ds.name] = columns
                result.identifier_columns[ds.name] = ids
                result.timings[f"dataset:{ds.name}"] = time.perf_counter() - t0
                bar.advance(task)
    finally:
        engine.close()
    return result


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
    p = engine.materialise(
        p.mutate(ref_date=xp.quarter_end(p.ref_quarter), ref_year=(p.ref_quarter // 10).cast("int32"))
    )
    out = p.select("insz", "ref_quarter")
    for name, options in requests:
        res = catalog.get(name).derive(engine, p, options)
        out = left_join_on(out, res.rename(**{name: "value"}), ["insz", "ref_quarter"])
    table = engine.to_arrow(out).sort_by([("insz", "ascending"), ("ref_quarter", "ascending")])
    return _normalise(table, {n: n for n, _ in requests})
