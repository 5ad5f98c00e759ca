"""Frames: the rows of a dataset (person-year, person-quarter, window of quarters) and when they are measured.

A frame has ``insz``, ``year``, for quarterly units ``quarter``, and ``measure_quarter``: the quarter on
whose last day the yearly variables are measured. Quarterly variables are measured in the row's quarter.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from crossroads.catalog import periods as xp
from crossroads.engine import periods
from crossroads.engine.backends import Engine

DEFAULT_MEASUREMENT = {None: (0, 4), "inflow": (-1, 4), "outflow": (1, 1)}
"""(year offset, quarter): 31 Dec of Y; inflow Q4 of Y-1; outflow Q1 of Y+1 (S000-4)."""
QUARTERS_AFTER_OUTFLOW = 4


def measurement(dataset: Any) -> tuple[int, int]:
    m = getattr(dataset, "measurement", None)
    if m is not None:
        return int(m.year_offset), int(m.quarter)
    return DEFAULT_MEASUREMENT[getattr(dataset, "selection", None)]


def person_year(population: ir.Table, offset: int, q: int) -> ir.Table:
    return population.mutate(measure_quarter=((population.year + offset) * 10 + q).cast("int32"))


def person_quarter(engine: Engine, population: ir.Table, offset: int, q: int, after: int = 0) -> ir.Table:
    """Four quarters per person-year, plus ``after`` quarters following the year flagged ``after_outflow``."""
    steps = list(range(4 + after))
    offsets = engine.register_arrow("quarter_steps", pa.table({"step": pa.array(steps, pa.int32())}))
    base = person_year(population, offset, q)
    j = base.cross_join(offsets)
    first = (j.year * 10 + 1).cast("int32")
    j = j.mutate(quarter=xp.add_quarters(first, j.step), after_outflow=(j.step >= 4).cast("int8"))
    j = j.drop("step")
    return j if after else j.drop("after_outflow")


def window_quarters(reference: Any, before: int, after: int) -> list[int]:
    """The quarters of a window: ``before`` quarters up to and including the reference date's quarter (it
    ends on or before the reference day, so it is a quarter "before"), then ``after`` quarters following it.

    15/018 (S001-8): 8 before and 20 after 31 Dec 2008 -> 2007 Q1 ... 2008 Q4 and 2009 Q1 ... 2013 Q4 (28).
    """
    ref = periods.of_date(reference)
    return [periods.shift(ref, n) for n in range(-before + 1, after + 1)]


def window(engine: Engine, persons: ir.Table, reference: Any, before: int, after: int) -> ir.Table:
    """Each person over the quarters of :func:`window_quarters`."""
    ref = periods.of_date(reference)
    quarters = window_quarters(reference, before, after)
    qt = engine.register_arrow("window_quarters", pa.table({"quarter": pa.array(quarters, pa.int32())}))
    p = persons.select("insz").distinct()
    j = p.cross_join(qt)
    return j.mutate(year=(j.quarter // 10).cast("int32"), measure_quarter=ibis.literal(ref, "int32"))


UNBOUNDED_OPTIONS = ("year", "from", "to")
"""Request options that move a derivation's reading to a period of its own (not the point's quarters)."""


def run_quarters(version: Any, group_years: dict[str, tuple[int, int] | None]) -> tuple[int, int] | None:
    """The first and last quarter of the quarter-keyed tables (``catalog.jobs.QUARTER_TABLES``: the DmfA
    blocks, the socio-economic position) a run reads, or None when that cannot be told from the permit
    alone (then every quarter is read).

    Those tables span every quarter the warehouse holds (at scale 1.0: 291 M occupations and 818 M
    positions over 18 years); 21/128 reads 2014-2020 of them. A dataset of persons at a reference date,
    person-years, person-quarters or job-quarters has its rows in its years (the dataset's, else its
    groups', ``group_years``), its window or its reference date; quarterly, job and employer variables are
    measured in the row's quarter, the others in the measurement quarter (``measurement``). Each variable
    reads its point's quarter and ``Variable.history_quarters`` quarters before it. Any other unit asking
    such a variable (records dated at will, employers), a variable reading all history, or a period option
    makes the whole run unbounded.
    """
    from crossroads import catalog  # the catalog is read here only, at the start of a run
    from crossroads.catalog.jobs import QUARTER_TABLES

    spans: list[tuple[int, int]] = []
    for dataset in version.datasets:
        points = _points_spans(dataset, group_years)
        if dataset.unit == "job-quarter":  # the frame itself is cut from the occupations
            if points is None:
                return None
            spans.append(points[0])
        for req in dataset.variables:
            var = catalog.get(req.name)
            if not set(var.sources) & set(QUARTER_TABLES):
                continue
            history = var.history_quarters
            if points is None or history is None or any(k in req.options for k in UNBOUNDED_OPTIONS):
                return None
            rows, measured = points
            # The row's employer (main job) is looked up in the row's quarter too.
            spans.append(rows)
            first, last = rows if var.unit in ("person-quarter", "job", "employer") else measured
            spans.append((periods.shift(first, -history), last))
    if not spans:
        return None
    return min(s[0] for s in spans), max(s[1] for s in spans)


def _points_spans(
    dataset: Any, group_years: dict[str, tuple[int, int] | None]
) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """First and last quarter of a dataset's rows and of its measurement quarters; None if unknown."""
    reference = getattr(dataset, "reference_date", None)
    if dataset.unit not in ("person", "person-year", "person-quarter", "job-quarter"):
        return None  # records dated at will, employers (their own DmfA reads), aggregates
    if reference is not None:
        q = periods.of_date(reference)
        return (q, q), (q, q)
    if dataset.unit == "person":
        return None
    if dataset.window is not None:
        w = dataset.window
        quarters = window_quarters(w.reference, w.quarters_before, w.quarters_after)
        ref = periods.of_date(w.reference)
        return (min(quarters), max(quarters)), (ref, ref)
    if dataset.years is not None:
        first, last = int(dataset.years.first), int(dataset.years.last)
    else:
        years = [group_years.get(name) for name in dataset.populations]
        if not years or any(y is None for y in years):
            return None
        first = min(y[0] for y in years if y is not None)
        last = max(y[1] for y in years if y is not None)
    offset, q = measurement(dataset)
    measured = (periods.quarter(first + offset, q), periods.quarter(last + offset, q))
    if dataset.unit == "person-year":
        return measured, measured
    after = QUARTERS_AFTER_OUTFLOW if any(v.after_outflow for v in dataset.variables) else 0
    return (periods.quarter(first, 1), periods.shift(periods.quarter(last, 4), after)), measured
