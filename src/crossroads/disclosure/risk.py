"""Re-identification risk of microdata for a set of quasi-identifiers.

Equivalence classes are the groups of records sharing all quasi-identifier values. From their sizes
follow k-anonymity (the smallest class), sample uniques and the prosecutor risk of each record
(1 / class size: the attacker knows the target is in the file). The journalist risk (1 / population
class size) needs the population frequencies; without them, when the file is a sample drawn with a
known fraction, the population class sizes are estimated with the negative-binomial model of
Benedetti & Franconi (the model of μ-ARGUS and sdcMicro's individual risk), see
``docs/explanation/disclosure-control.md``. l-diversity, entropy l-diversity and α (the largest share of
one sensitive value in a class) follow pycanon's definitions so that the figures can be compared.

Everything is computed with numpy group-bys over integer codes: one pass to encode, one to combine.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import integrate

from crossroads.disclosure.errors import DisclosureInputError
from crossroads.disclosure.microdata import (
    EncodedColumn,
    Microdata,
    combine,
    dense_enough,
    encode,
    num_rows,
    require_columns,
    require_rows,
    values_frame,
)


@dataclass(frozen=True)
class Diversity:
    """Diversity of one sensitive variable within the equivalence classes (pycanon's definitions)."""

    variable: str
    l: int  # smallest number of distinct values in a class  # noqa: E741
    entropy_l: float  # exp(smallest entropy in a class), natural log; pycanon reports int() of it
    alpha: float  # largest share of one value within a class
    classes_with_one_value: int  # classes where every member shares the sensitive value
    records_with_one_value: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "variable": self.variable,
            "l": self.l,
            "entropy_l": self.entropy_l,
            "alpha": self.alpha,
            "classes_with_one_value": self.classes_with_one_value,
            "records_with_one_value": self.records_with_one_value,
        }


@dataclass(frozen=True)
class RiskMeasure:
    """An overall risk under one attacker model: the largest, the mean, and the share above a threshold."""

    model: str  # "prosecutor", "journalist" or "journalist (estimated)"
    maximum: float
    mean: float
    threshold: float
    share_above: float  # share of records whose risk exceeds ``threshold``
    records_above: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "maximum": self.maximum,
            "mean": self.mean,
            "threshold": self.threshold,
            "share_above": self.share_above,
            "records_above": self.records_above,
        }


@dataclass
class RiskSummary:
    """The risk figures of one table. ``class_id``/``class_sizes`` stay in memory, not in ``to_dict``."""

    table: str
    quasi_identifiers: list[str]
    records: int
    classes: int
    k: int
    k_target: int
    sample_uniques: int
    records_below_k: int
    classes_below_k: int
    prosecutor: RiskMeasure
    journalist: RiskMeasure | None
    population_uniques: float | None  # exact count, or the model's expected number
    population_uniques_method: str | None
    diversity: list[Diversity]
    class_id: np.ndarray = field(repr=False)
    class_sizes: np.ndarray = field(repr=False)
    population_sizes: np.ndarray | None = field(default=None, repr=False)
    _data: Any = field(default=None, repr=False)

    @property
    def l_diversity(self) -> int | None:
        """pycanon's multi-attribute l (``gen=True``): the smallest l over the sensitive variables."""
        return min((d.l for d in self.diversity), default=None)

    @property
    def entropy_l_diversity(self) -> float | None:
        return min((d.entropy_l for d in self.diversity), default=None)

    @property
    def alpha(self) -> float | None:
        return max((d.alpha for d in self.diversity), default=None)

    def record_risk(self, model: str = "prosecutor") -> np.ndarray:
        """Risk per record (in the order of the input rows)."""
        if model == "prosecutor":
            return 1.0 / self.class_sizes[self.class_id]
        if model == "journalist" and self.population_sizes is not None:
            return 1.0 / self.population_sizes[self.class_id]
        raise ValueError(f"no {model!r} risk available for table {self.table!r}")

    def class_size_histogram(
        self, bins: Sequence[int] = (1, 2, 3, 4, 5, 10, 20, 50, 100)
    ) -> list[dict[str, Any]]:
        """Classes and records per class-size band (the last band is open-ended)."""
        edges = [*bins, math.inf]
        out = []
        for lo, hi in itertools.pairwise(edges):
            sel = (self.class_sizes >= lo) & (self.class_sizes < hi)
            label = str(lo) if hi == lo + 1 else (f"{lo}+" if hi == math.inf else f"{lo}-{int(hi) - 1}")
            out.append(
                {"size": label, "classes": int(sel.sum()), "records": int(self.class_sizes[sel].sum())}
            )
        return out

    def classes_at_risk(self, limit: int = 50) -> pd.DataFrame:
        """The smallest classes below the target k, shown by their quasi-identifier values and size.

        Classes are combinations of values, not persons: no record number is shown.
        """
        small = np.flatnonzero(self.class_sizes < self.k_target)
        cols = [*self.quasi_identifiers, "size"]
        if len(small) == 0 or self._data is None:
            return pd.DataFrame(columns=cols)
        small = small[np.argsort(self.class_sizes[small], kind="stable")][:limit]
        wanted = np.zeros(len(self.class_sizes), bool)
        wanted[small] = True
        rows = np.flatnonzero(wanted[self.class_id])
        first_ids, first_pos = np.unique(self.class_id[rows], return_index=True)
        frame = values_frame(self._data, self.quasi_identifiers, rows[first_pos])
        frame["size"] = self.class_sizes[first_ids]
        return frame.sort_values("size", kind="stable").reset_index(drop=True)

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "quasi_identifiers": self.quasi_identifiers,
            "records": self.records,
            "classes": self.classes,
            "k": self.k,
            "k_target": self.k_target,
            "sample_uniques": self.sample_uniques,
            "records_below_k": self.records_below_k,
            "classes_below_k": self.classes_below_k,
            "prosecutor": self.prosecutor.to_dict(),
            "journalist": self.journalist.to_dict() if self.journalist else None,
            "population_uniques": self.population_uniques,
            "population_uniques_method": self.population_uniques_method,
            "l_diversity": self.l_diversity,
            "entropy_l_diversity": self.entropy_l_diversity,
            "alpha": self.alpha,
            "diversity": [d.to_dict() for d in self.diversity],
            "class_sizes": self.class_size_histogram(),
        }


def _measure(
    model: str, sizes_seen: np.ndarray, weights: np.ndarray, risk: np.ndarray, threshold: float
) -> RiskMeasure:
    """Aggregate per-class ``risk`` over records (``weights`` = records per class)."""
    n = float(weights.sum())
    above = risk > threshold + 1e-12
    records_above = int(weights[above].sum())
    return RiskMeasure(
        model=model,
        maximum=float(risk.max()),
        mean=float((risk * weights).sum() / n),
        threshold=threshold,
        share_above=records_above / n,
        records_above=records_above,
    )


@cache
def negative_binomial_risk(f: int, fraction: float) -> float:
    """E[1/F | f] under the Benedetti–Franconi model: F - f ~ NegBin(f, p) with p the sampling fraction.

    E[1/F] = ∫₀¹ t^(f-1) · (p / (1 - (1-p)·t))^f dt; for f = 1 this is p·ln(1/p)/(1-p).
    """
    if fraction >= 1.0:
        return 1.0 / f
    q = 1.0 - fraction

    def integrand(t: float) -> float:
        return float(t ** (f - 1) * (fraction / (1.0 - q * t)) ** f)

    value, _ = integrate.quad(integrand, 0.0, 1.0, limit=200)
    return float(value)


def _diversity(name: str, sa: EncodedColumn, class_id: np.ndarray, sizes: np.ndarray) -> Diversity:
    card = max(sa.cardinality, 1)
    pair = class_id * card + sa.codes
    space = len(sizes) * card
    if dense_enough(space, len(pair)):  # count (class, value) pairs in a flat array: no hashing
        all_counts = np.bincount(pair, minlength=space)
        pair_key = np.flatnonzero(all_counts)
        counts = all_counts[pair_key].astype(np.float64)
    else:
        pair_id, pair_key = pd.factorize(pair)
        counts = np.bincount(pair_id).astype(np.float64)
    pair_class = np.asarray(pair_key) // card
    n_classes = len(sizes)
    distinct = np.bincount(pair_class, minlength=n_classes)
    share = counts / sizes[pair_class]
    entropy = np.bincount(pair_class, weights=-share * np.log(share), minlength=n_classes)
    top = np.zeros(n_classes)
    np.maximum.at(top, pair_class, share)
    one = distinct == 1
    return Diversity(
        variable=name,
        l=int(distinct.min()),
        entropy_l=float(np.exp(entropy.min())),
        alpha=float(top.max()),
        classes_with_one_value=int(one.sum()),
        records_with_one_value=int(sizes[one].sum()),
    )


def _population_sizes(
    data: Microdata,
    qis: list[str],
    class_id: np.ndarray,
    sizes: np.ndarray,
    population: Microdata,
    count_column: str | None,
    table: str,
) -> np.ndarray:
    """Population size of each sample class, by joining the classes' values to the population counts."""
    require_columns(population, qis, table="population", role="quasi-identifier")
    pop = population.to_pandas() if not isinstance(population, pd.DataFrame) else population
    if count_column is not None:
        require_columns(pop, [count_column], table="population", role="count column")
        counts = pop.groupby(qis, sort=False, dropna=False, observed=True)[count_column].sum()
    else:
        counts = pop.groupby(qis, sort=False, dropna=False, observed=True).size()
    first_ids, first_pos = np.unique(class_id, return_index=True)
    reps = values_frame(data, qis, first_pos)
    merged = reps.merge(counts.rename("__pop").reset_index(), on=qis, how="left")
    pop_sizes = merged["__pop"].fillna(0).to_numpy(dtype=np.float64)
    out = np.empty(len(sizes), np.float64)
    out[first_ids] = pop_sizes
    short = out < sizes
    if short.any():
        raise DisclosureInputError(
            f"{int(short.sum())} class(es) have more records in the sample than in the population: "
            "the population frequencies do not cover this sample",
            table=table,
        )
    return out


def assess(
    data: Microdata,
    quasi_identifiers: Sequence[str],
    *,
    sensitive: Sequence[str] = (),
    k: int = 5,
    threshold: float | None = None,
    population: Microdata | None = None,
    population_count: str | None = None,
    sampling_fraction: float | None = None,
    table: str = "data",
) -> RiskSummary:
    """The risk summary of ``data`` for ``quasi_identifiers``.

    ``k`` is the target class size; a record is *at risk* when its risk exceeds ``threshold``
    (default ``1/k``, i.e. its class is smaller than k). Pass ``population`` (records, or counts in
    ``population_count``) for exact journalist risk, or ``sampling_fraction`` for the model estimate.
    """
    qis = list(quasi_identifiers)
    sens = list(sensitive)
    if not qis:
        raise DisclosureInputError("no quasi-identifiers given", table=table)
    require_columns(data, qis, table=table, role="quasi-identifier")
    require_columns(data, sens, table=table, role="sensitive variable")
    require_rows(data, table=table)
    if k < 1:
        raise DisclosureInputError(f"k must be at least 1, got {k}", table=table)
    if sampling_fraction is not None and not 0 < sampling_fraction <= 1:
        raise DisclosureInputError(
            f"sampling fraction must be in (0, 1], got {sampling_fraction}", table=table
        )
    thr = 1.0 / k if threshold is None else threshold
    encoded = [encode(data, c, table=table) for c in qis]
    class_id, sizes = combine([e.codes for e in encoded], [e.cardinality for e in encoded])
    n = num_rows(data)
    fsizes = sizes.astype(np.float64)
    prosecutor = _measure("prosecutor", sizes, fsizes, 1.0 / fsizes, thr)

    journalist: RiskMeasure | None = None
    pop_sizes: np.ndarray | None = None
    uniques_pop: float | None = None
    method: str | None = None
    if population is not None:
        pop_sizes = _population_sizes(data, qis, class_id, sizes, population, population_count, table)
        journalist = _measure("journalist", sizes, fsizes, 1.0 / pop_sizes, thr)
        uniques_pop = float(((sizes == 1) & (pop_sizes == 1)).sum())
        method = "exact: sample uniques that are unique in the given population"
    elif sampling_fraction is not None:
        distinct_f, inverse = np.unique(sizes, return_inverse=True)
        per_f = np.array([negative_binomial_risk(int(f), float(sampling_fraction)) for f in distinct_f])
        est = per_f[inverse]
        journalist = _measure("journalist (estimated)", sizes, fsizes, est, thr)
        # P(F = 1 | f = 1) = p under the model: expected number of sample uniques unique in the population.
        uniques_pop = float((sizes == 1).sum() * sampling_fraction)
        method = f"negative-binomial model (Benedetti-Franconi), sampling fraction {sampling_fraction:g}"

    diversity = [_diversity(s, encode(data, s, table=table), class_id, fsizes) for s in sens]
    below = sizes < k
    return RiskSummary(
        table=table,
        quasi_identifiers=qis,
        records=n,
        classes=len(sizes),
        k=int(sizes.min()),
        k_target=k,
        sample_uniques=int((sizes == 1).sum()),
        records_below_k=int(sizes[below].sum()),
        classes_below_k=int(below.sum()),
        prosecutor=prosecutor,
        journalist=journalist,
        population_uniques=uniques_pop,
        population_uniques_method=method,
        diversity=diversity,
        class_id=class_id,
        class_sizes=sizes,
        population_sizes=pop_sizes,
        _data=data,
    )
