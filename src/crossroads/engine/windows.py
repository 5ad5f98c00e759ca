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
