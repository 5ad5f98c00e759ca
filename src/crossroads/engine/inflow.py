"""Inflow and outflow of a population (S000-4).

Inflow of year Y: in the target group in Y and **not in the system** in Y-1; outflow of Y: in the group in Y
and not in the system in Y+1. "The system" is the rule's membership without the domicile condition, so a
voucher worker who moves into Flanders is not counted as entering the voucher system. The measurement
quarters (Q4 of Y-1 for the inflow, Q1 of Y+1 for the outflow) are set in ``windows.measurement``.
"""

from __future__ import annotations

from typing import Literal

import ibis.expr.types as ir

Selection = Literal["inflow", "outflow"]
OFFSET: dict[str, int] = {"inflow": -1, "outflow": 1}


def select(population: ir.Table, system: ir.Table, selection: Selection) -> ir.Table:
    """Rows ``(insz, year, ...)`` of ``population`` not in ``system`` in the neighbouring year."""
    if selection not in OFFSET:
        raise ValueError(f"unknown selection {selection!r}; known: inflow, outflow")
    neighbour = system.select("insz", year=(system.year - OFFSET[selection]).cast("int32")).distinct()
    return population.anti_join(neighbour, ["insz", "year"])
