"""Primary suppression rules: which cells are sensitive, and how much protection each needs.

Each rule marks cells and sets the *protection levels* the attacker's interval must reach: the upper
level ``upl`` (the cell may be as high as value + upl) and the lower level ``lpl`` (as low as
value - lpl, never below zero). The levels follow τ-ARGUS:
- threshold rule (fewer than ``min_count`` records/contributors, but not empty): ``ratio`` × value,
  at least ``absolute`` (for counts, 1: the attacker must not be able to tell 2 from 1 nor 1 from 0);
- (n,k) dominance (the n largest contributions exceed k % of the cell): upl = (100/k)·(x1+…+xn) - T,
  the amount by which the cell must be thought larger for the n to fall back to k %;
- p % rule (the second largest contributor would estimate the largest within p %:
  T - x1 - x2 < p/100 · x1): upl = p/100 · x1 - (T - x1 - x2).
Lower levels equal the upper ones, capped at the value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crossroads.disclosure.errors import DisclosureInputError


@dataclass(frozen=True)
class Threshold:
    """Cells with 0 < count < ``min_count`` are sensitive (count = records, or contributors)."""

    min_count: int = 5
    ratio: float = 0.3
    absolute: float = 1.0
    on: str = "records"

    @property
    def label(self) -> str:
        return f"threshold (< {self.min_count} {self.on})"


@dataclass(frozen=True)
class Dominance:
    """(n,k) dominance: the ``n`` largest contributions exceed ``k`` % of the cell total."""

    n: int = 1
    k: float = 85.0

    @property
    def label(self) -> str:
        return f"({self.n},{self.k:g}) dominance"


@dataclass(frozen=True)
class PPercent:
    """p % rule: the total less the two largest contributions is below p % of the largest."""

    p: float = 10.0

    @property
    def label(self) -> str:
        return f"p% rule (p={self.p:g})"


Rule = Threshold | Dominance | PPercent


@dataclass
class PrimaryResult:
    primary: np.ndarray  # bool per cell
    upl: np.ndarray
    lpl: np.ndarray
    reason: np.ndarray  # object: the first rule that marked the cell, or ""


def apply_rules(cells: pd.DataFrame, rules: list[Rule], *, kind: str, table: str = "table") -> PrimaryResult:
    """Mark sensitive cells of ``cells`` (a :class:`~crossroads.disclosure.tables.Table`'s cells)."""
    n = len(cells)
    value = cells["value"].to_numpy(dtype=np.float64)
    primary = np.zeros(n, bool)
    upl = np.zeros(n)
    reason = np.full(n, "", dtype=object)
    for rule in rules:
        if isinstance(rule, Threshold):
            if rule.on not in cells.columns:
                raise DisclosureInputError(f"threshold on unknown count {rule.on!r}", table=table)
            count = cells[rule.on].to_numpy()
            hit = (count > 0) & (count < rule.min_count)
            need = np.maximum(rule.ratio * value, rule.absolute)
        elif isinstance(rule, Dominance):
            if kind != "magnitude":
                raise DisclosureInputError("the dominance rule applies to magnitude tables only", table=table)
            cols = [f"top{t}" for t in range(1, rule.n + 1)]
            missing = [c for c in cols if c not in cells.columns]
            if missing:
                raise DisclosureInputError(
                    f"build the table with top >= {rule.n} for {rule.label}", table=table
                )
            top_n = cells[cols].to_numpy().sum(axis=1)
            hit = (value > 0) & (top_n > rule.k / 100.0 * value + 1e-12)
            need = 100.0 / rule.k * top_n - value
        else:
            if kind != "magnitude":
                raise DisclosureInputError("the p% rule applies to magnitude tables only", table=table)
            x1 = cells["top1"].to_numpy()
            x2 = cells["top2"].to_numpy()
            rest = value - x1 - x2
            hit = (value > 0) & (rest < rule.p / 100.0 * x1 - 1e-12)
            need = rule.p / 100.0 * x1 - rest
        new = hit & ~primary
        reason[new] = rule.label
        upl = np.where(hit, np.maximum(upl, need), upl)
        primary |= hit
    upl = np.where(primary, np.maximum(upl, 0.0), 0.0)
    lpl = np.minimum(upl, value)
    return PrimaryResult(primary, upl, lpl, reason)
