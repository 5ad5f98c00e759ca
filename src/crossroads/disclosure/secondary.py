"""Secondary (complementary) suppression: make every primary cell safe from recomputation.

For each primary cell and each direction (up by its upper protection level, down by its lower), the
*protection program* looks for a deviation y of the cell values that keeps every equation true
(A·y = 0), keeps every cell non-negative (y ≥ -a), moves the primary cell by exactly the required
amount and moves published cells as little as possible, weighted by their value (cells already
suppressed move for free). Every cell that y moves is then suppressed: a + y is a table the attacker
cannot rule out, so the primary cell's interval reaches the required bound. Suppressing more cells
only widens intervals, so once all primary cells are processed all are protected. This is the
cell-by-cell linear-programming heuristic of Fischetti & Salazar, solved with scipy's HiGHS.

A deviation found for one cell often protects others; those are recorded and skipped. The result is
then audited by the attacker's programs (:mod:`crossroads.disclosure.attack`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from crossroads.disclosure.attack import Audit, LinearProgram, audit
from crossroads.disclosure.errors import InfeasibleProtection
from crossroads.disclosure.primary import PrimaryResult, Rule, Threshold, apply_rules
from crossroads.disclosure.tables import Table, TableSet

_EPS = 1e-7


@dataclass
class Protection:
    """The protected table set: each cell's status, its protection levels and its audited interval."""

    tableset: TableSet
    cells: pd.DataFrame  # dims..., value, status, rule, upl, lpl, lower, upper, published
    audit: Audit | None
    programs: int  # protection programs solved
    failures: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def protected(self) -> bool:
        return self.failures.empty

    def published(self, table: str) -> pd.DataFrame:
        """The cells of one table as they may be published (suppressed values empty)."""
        idx = self.tableset.table_cells[table]
        t = next(t for t in self.tableset.tables if t.name == table)
        frame = self.cells.iloc[idx][[*t.dims, "value", "status", "published"]].reset_index(drop=True)
        return frame

    def summary(self) -> dict[str, Any]:
        status = self.cells["status"].value_counts()
        total_value = float(self.cells["value"].sum())
        suppressed = self.cells["status"] != "published"
        return {
            "cells": len(self.cells),
            "primary": int(status.get("primary", 0)),
            "secondary": int(status.get("secondary", 0)),
            "suppressed_value_share": float(self.cells.loc[suppressed, "value"].sum() / total_value)
            if total_value
            else 0.0,
            "protection_programs": self.programs,
            "audit_programs": self.audit.programs if self.audit else 0,
            "protected": self.protected,
            "failures": len(self.failures),
        }


def _weights(values: np.ndarray) -> np.ndarray:
    # Cost of disturbing a published cell: its value (+1, so empty cells are not free).
    return values + 1.0


def protect(
    tables: Table | Sequence[Table],
    rules: Sequence[Rule] = (Threshold(),),
    *,
    primary: PrimaryResult | None = None,
) -> Protection:
    """Primary suppression by ``rules``, secondary suppression, then the attacker's audit."""
    tabs = [tables] if isinstance(tables, Table) else list(tables)
    ts = TableSet.link(tabs)
    cells = ts.cells
    values = cells["value"].to_numpy(dtype=np.float64)
    pr = primary or apply_rules(cells, list(rules), kind=tabs[0].kind, table=tabs[0].name)
    suppressed = pr.primary.copy()
    n = len(values)
    a = ts.constraints.tocsr()
    m = a.shape[0]
    a_eq = sp.hstack([a, -a]).tocsc()  # y = y_plus - y_minus
    weights = _weights(values)
    program: LinearProgram | None = None
    rounds = 0
    grew = True
    # Audit, protect what fails, audit again: primary cells usually shield each other, so only a few
    # need a protection program, and the last audit is the published pattern's audit.
    while True:
        result_audit = audit(values, a, suppressed)
        short_up = pr.primary & (result_audit.upper < values + pr.upl - _EPS * (1 + values))
        short_down = pr.primary & (result_audit.lower > values - pr.lpl + _EPS * (1 + values))
        failing = np.flatnonzero(short_up | short_down)
        if len(failing) == 0:
            break
        if rounds and not grew:  # cannot happen if the programs are right; never loop forever
            raise InfeasibleProtection(
                f"{len(failing)} primary cell(s) stay recomputable although no further suppression is found"
            )
        rounds += 1
        before = int(suppressed.sum())
        if program is None:
            cost = np.where(suppressed, 0.0, weights)
            program = LinearProgram(
                a_eq,
                np.zeros(m),
                np.zeros(2 * n),
                np.concatenate([np.full(n, np.inf), values]),
                np.concatenate([cost, cost]),
                primal=False,
            )
        known_up = np.zeros(n)  # deviations shown feasible in this round, per cell and direction
        known_down = np.zeros(n)
        for p in failing[np.argsort(-values[failing], kind="stable")]:
            for direction, need, short in ((1, pr.upl[p], short_up[p]), (-1, pr.lpl[p], short_down[p])):
                if not short or (known_up[p] if direction > 0 else known_down[p]) >= need - _EPS:
                    continue
                y = _deviation(program, n, p, direction, need, values[p])
                moved = np.flatnonzero((np.abs(y) > _EPS) & ~suppressed)
                if len(moved):
                    suppressed[moved] = True
                    program.set_cost(np.concatenate([moved, moved + n]), np.zeros(2 * len(moved)))
                known_up = np.maximum(known_up, np.where(y > 0, y, 0.0))
                known_down = np.maximum(known_down, np.where(y < 0, -y, 0.0))
        grew = int(suppressed.sum()) > before
    programs = program.solves if program is not None else 0
    status = np.where(pr.primary, "primary", np.where(suppressed, "secondary", "published"))
    out = cells.copy()
    out["status"] = status
    out["rule"] = pr.reason
    out["upl"] = pr.upl
    out["lpl"] = pr.lpl
    out["published"] = np.where(suppressed, np.nan, values)
    out["lower"] = result_audit.lower
    out["upper"] = result_audit.upper
    failures = find_failures(out)
    return Protection(ts, out, result_audit, programs, failures)


def _deviation(
    program: LinearProgram, n: int, p: int, direction: int, need: float, value: float
) -> np.ndarray:
    """Solve the protection program for cell ``p`` moved by ``need`` up (+1) or down (-1)."""
    cols = np.array([p, n + p])
    fixed = np.array([need, 0.0]) if direction > 0 else np.array([0.0, need])
    program.set_bounds(cols, fixed, fixed)
    status, _, x = program.solve()
    program.set_bounds(cols, np.zeros(2), np.array([np.inf, value]))
    if status != "optimal":
        raise InfeasibleProtection(
            f"no suppression pattern protects a primary cell (cell {p}) by {need:g} "
            f"{'up' if direction > 0 else 'down'}"
        )
    return np.asarray(x[:n] - x[n:])


def find_failures(cells: pd.DataFrame) -> pd.DataFrame:
    """Primary cells whose audited interval is narrower than their protection levels require."""
    prim = cells["status"] == "primary"
    value = cells["value"]
    too_high = cells["upper"] < value + cells["upl"] - 1e-6 * (1 + value.abs())
    too_low = cells["lower"] > value - cells["lpl"] + 1e-6 * (1 + value.abs())
    return cells[prim & (too_high | too_low)]
