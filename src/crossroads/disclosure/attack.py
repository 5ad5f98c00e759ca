"""The attacker's linear programs: how precisely can a suppressed cell be recomputed?

Given the published cells, the table equations (every margin and sub-total) and non-negativity, the
feasible values of each suppressed cell form an interval [min, max]; both ends are solved exactly
with HiGHS (the solver scipy ships; here through its own Python binding ``highspy`` because one
model re-solved warm from the previous basis, with only the objective changed, is two orders of
magnitude faster than a fresh ``scipy.optimize.linprog`` per cell). The suppressed cells split into
independent groups (connected through the equations they share); each group is one model.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from crossroads.disclosure.errors import DisclosureError

INF = highspy.kHighsInf


class LinearProgram:
    """A HiGHS model  min c·x  s.t.  A·x = b, lower <= x <= upper, re-solved warm after each change."""

    def __init__(
        self,
        a: sp.spmatrix,
        b: np.ndarray,
        lower: np.ndarray,
        upper: np.ndarray,
        cost: np.ndarray,
        *,
        primal: bool = True,
    ):
        csc = sp.csc_matrix(a)
        self.n = csc.shape[1]
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        # Re-solves start from the last basis; presolve would discard it.
        self.highs.setOptionValue("presolve", "off")
        if primal:  # after a change of objective the last basis stays feasible: primal simplex resumes
            self.highs.setOptionValue("simplex_strategy", 4)
        lp = highspy.HighsLp()
        lp.num_col_ = self.n
        lp.num_row_ = csc.shape[0]
        lp.col_cost_ = np.asarray(cost, np.float64)
        lp.col_lower_ = np.asarray(lower, np.float64)
        lp.col_upper_ = np.where(np.isinf(upper), INF, upper).astype(np.float64)
        lp.row_lower_ = np.asarray(b, np.float64)
        lp.row_upper_ = np.asarray(b, np.float64)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
        lp.a_matrix_.index_ = csc.indices.astype(np.int32)
        lp.a_matrix_.value_ = csc.data.astype(np.float64)
        self.highs.passModel(lp)
        self.solves = 0

    def set_cost(self, index: np.ndarray, cost: np.ndarray) -> None:
        idx = np.asarray(index, np.int32)
        self.highs.changeColsCost(len(idx), idx, np.asarray(cost, np.float64))

    def set_bounds(self, index: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        idx = np.asarray(index, np.int32)
        up = np.where(np.isinf(upper), INF, upper).astype(np.float64)
        self.highs.changeColsBounds(len(idx), idx, np.asarray(lower, np.float64), up)

    def solve(self) -> tuple[str, float, np.ndarray]:
        """("optimal" | "unbounded" | "infeasible", objective, x)."""
        self.highs.run()
        self.solves += 1
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            x = np.asarray(self.highs.getSolution().col_value)
            return "optimal", float(self.highs.getInfo().objective_function_value), x
        if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return "unbounded", -np.inf, np.empty(0)
        if status == highspy.HighsModelStatus.kInfeasible:
            return "infeasible", np.nan, np.empty(0)
        raise DisclosureError(f"the linear program did not solve: {self.highs.modelStatusToString(status)}")


_TOL = 1e-9


def _row_bounds(a: sp.csr_matrix, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bounds per unknown that single equations give, for settling a bound without a program.

    In a_rj·x_j = b_r - Σ a_ri·x_i with every x >= 0 and σ the sign of a_rj: if every other unknown's
    coefficient has sign σ, σ·a_rj·x_j <= σ·b_r, so x_j <= b_r / a_rj (a cap); if every other has the
    opposite sign, x_j >= b_r / a_rj (a floor).
    """
    coo = a.tocoo()
    pos = np.bincount(coo.row, weights=(coo.data > 0).astype(float), minlength=a.shape[0])
    neg = np.bincount(coo.row, weights=(coo.data < 0).astype(float), minlength=a.shape[0])
    same = np.where(coo.data > 0, pos[coo.row] - 1, neg[coo.row] - 1)  # others sharing x_j's sign
    opposite = np.where(coo.data > 0, neg[coo.row], pos[coo.row])
    ratio = b[coo.row] / coo.data
    floor = np.zeros(a.shape[1])
    cap = np.full(a.shape[1], np.inf)
    cap_rows = opposite == 0  # others only take away: x_j <= b_r / a_rj (whatever a_rj's sign)
    np.minimum.at(cap, coo.col[cap_rows], ratio[cap_rows])
    floor_rows = same == 0  # others only add: x_j >= b_r / a_rj
    np.maximum.at(floor, coo.col[floor_rows], ratio[floor_rows])
    return floor, cap


@dataclass
class Audit:
    """Feasible interval of every suppressed cell (NaN for published cells)."""

    lower: np.ndarray
    upper: np.ndarray
    programs: int  # linear programs solved

    def width(self) -> np.ndarray:
        return self.upper - self.lower


def audit(values: np.ndarray, constraints: sp.csr_matrix, suppressed: np.ndarray) -> Audit:
    """Solve min and max of every suppressed cell subject to the equations and the published cells."""
    values = np.asarray(values, dtype=np.float64)
    n = len(values)
    lower = np.full(n, np.nan)
    upper = np.full(n, np.nan)
    sup_idx = np.flatnonzero(suppressed)
    if len(sup_idx) == 0:
        return Audit(lower, upper, 0)
    a = constraints.tocsc()
    a_s = a[:, sup_idx].tocsr()
    pub = np.flatnonzero(~suppressed)
    rhs = -(a[:, pub] @ values[pub])
    used_rows = np.flatnonzero(np.diff(a_s.indptr) > 0)
    a_s = a_s[used_rows]
    rhs = rhs[used_rows]
    if a_s.shape[0]:
        pattern = (a_s != 0).astype(np.int8)
        n_comp, label = connected_components((pattern.T @ pattern).tocsr(), directed=False)
    else:
        n_comp, label = len(sup_idx), np.arange(len(sup_idx))
    programs = 0
    a_s_csc = a_s.tocsc()
    for comp in range(n_comp):
        members = np.flatnonzero(label == comp)
        sub = a_s_csc[:, members].tocsr()
        rows = np.flatnonzero(np.diff(sub.indptr) > 0)
        cells = sup_idx[members]
        if len(rows) == 0:  # in no equation at all: any non-negative value fits
            lower[cells] = 0.0
            upper[cells] = np.inf
            continue
        k = len(members)
        a_c = sub[rows]
        b_c = rhs[rows]
        floor, cap = _row_bounds(a_c, b_c)
        program = LinearProgram(a_c, b_c, np.zeros(k), np.full(k, np.inf), np.zeros(k))
        # Every solution is a feasible table: when one already sits on a bound that no table can pass
        # (0, or a floor or cap from a single equation), that end of the interval is exact.
        seen_lo = np.full(k, np.inf)
        seen_hi = np.full(k, -np.inf)
        for j in range(k):
            for sense in (1.0, -1.0):
                if sense > 0 and seen_lo[j] <= floor[j] + _TOL * (1 + abs(floor[j])):
                    lower[cells[j]] = floor[j]
                    continue
                if sense < 0 and np.isfinite(cap[j]) and seen_hi[j] >= cap[j] - _TOL * (1 + abs(cap[j])):
                    upper[cells[j]] = cap[j]
                    continue
                program.set_cost(np.array([j]), np.array([sense]))
                status, objective, x = program.solve()
                program.set_cost(np.array([j]), np.array([0.0]))
                if status == "unbounded" and sense < 0:
                    upper[cells[j]] = np.inf
                    continue
                if status != "optimal":
                    raise DisclosureError(f"the attacker's program for a suppressed cell is {status}")
                seen_lo = np.minimum(seen_lo, x)
                seen_hi = np.maximum(seen_hi, x)
                if sense > 0:
                    lower[cells[j]] = objective
                else:
                    upper[cells[j]] = -objective
        programs += program.solves
    return Audit(lower, upper, programs)
