"""Remedies for microdata: global recoding, the 15/018 geographic fallback, local suppression and an
optimal k-anonymisation over the permit's hierarchies — each with the information it costs.

Information loss is measured three ways, each per quasi-identifier and overall:
- *precision loss* (Sweeney): generalisation level / hierarchy height, averaged over the variables;
- *LM loss* (Iyengar's loss metric, ARX's "Loss"): per cell (leaves under the published value - 1) /
  (leaves in the hierarchy - 1), 1 for a suppressed cell, averaged over all cells;
- *entropy loss*: Shannon entropy (bits) of the variable's distribution before minus after.
Suppressed records and cells are counted as well.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from crossroads.disclosure.errors import DisclosureInputError
from crossroads.disclosure.hierarchy import TOP, Hierarchy
from crossroads.disclosure.microdata import (
    Microdata,
    as_pandas,
    combine,
    encode,
    num_rows,
    require_columns,
    require_rows,
)

SUPPRESSED = TOP  # a suppressed value is published as "*"


def _entropy(counts: np.ndarray) -> float:
    counts = counts[counts > 0].astype(np.float64)
    if counts.size == 0:
        return 0.0
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum())


def entropy_bits(values: pd.Series | np.ndarray | Sequence[Any]) -> float:
    """Shannon entropy (bits) of the distribution of ``values``."""
    codes, _ = pd.factorize(np.asarray(values, dtype=object))
    return _entropy(np.bincount(codes[codes >= 0]))


def conditional_entropy_bits(
    original: np.ndarray | Sequence[Any], published: np.ndarray | Sequence[Any]
) -> float:
    """H(original | published) in bits: what a reader of the published value still does not know.

    This is the non-uniform entropy loss of ARX per record, averaged: 0 when nothing was recoded.
    """
    a = pd.factorize(np.asarray(original, dtype=object))[0].astype(np.int64)
    b = pd.factorize(np.asarray(published, dtype=object))[0].astype(np.int64)
    return _conditional_entropy(a, b)


def _conditional_entropy(a: np.ndarray, b: np.ndarray) -> float:
    _, joint = combine([a, b], [int(a.max()) + 1, int(b.max()) + 1])
    return _entropy(joint) - _entropy(np.bincount(b))


@dataclass(frozen=True)
class VariableLoss:
    variable: str
    level: str  # the level published ("municipality", "werkwinkel", ... or "mixed" for per-record remedies)
    precision_loss: float  # level / height (0 = as collected, 1 = fully generalised)
    lm_loss: float
    entropy: float  # H(original), bits
    entropy_loss: float  # H(original | published), bits
    cells_suppressed: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "variable": self.variable,
            "level": self.level,
            "precision_loss": self.precision_loss,
            "lm_loss": self.lm_loss,
            "entropy": self.entropy,
            "entropy_loss": self.entropy_loss,
            "cells_suppressed": self.cells_suppressed,
        }


@dataclass(frozen=True)
class InformationLoss:
    """What a remedy cost, per variable and overall."""

    remedy: str
    records: int
    records_suppressed: int
    variables: list[VariableLoss]

    @property
    def cells_suppressed(self) -> int:
        return sum(v.cells_suppressed for v in self.variables)

    @property
    def precision_loss(self) -> float:
        return float(np.mean([v.precision_loss for v in self.variables])) if self.variables else 0.0

    @property
    def lm_loss(self) -> float:
        return float(np.mean([v.lm_loss for v in self.variables])) if self.variables else 0.0

    @property
    def entropy_loss(self) -> float:
        return float(sum(v.entropy_loss for v in self.variables))

    def to_dict(self) -> dict[str, Any]:
        return {
            "remedy": self.remedy,
            "records": self.records,
            "records_suppressed": self.records_suppressed,
            "cells_suppressed": self.cells_suppressed,
            "precision_loss": self.precision_loss,
            "lm_loss": self.lm_loss,
            "entropy_loss": self.entropy_loss,
            "variables": [v.to_dict() for v in self.variables],
        }


def _lm_per_value(h: Hierarchy | None) -> dict[str, float]:
    """LM loss of each publishable value of a hierarchy (any level), ``*`` counting 1."""
    if h is None:
        return {SUPPRESSED: 1.0}
    total = len(h.frame)
    out: dict[str, float] = {SUPPRESSED: 1.0}
    for lv in range(h.height):
        for value, leaves in h.leaves_under(lv).items():
            out.setdefault(value, (leaves - 1) / (total - 1) if total > 1 else 0.0)
    return out


def _variable_loss(
    name: str, before: pd.Series, after: pd.Series, h: Hierarchy | None, level: str, precision: float
) -> VariableLoss:
    after_codes, after_values = pd.factorize(after.to_numpy(dtype=object))
    counts = np.bincount(after_codes, minlength=len(after_values))
    labels = [str(v) for v in after_values]
    suppressed = int(sum(c for v, c in zip(labels, counts, strict=True) if v == SUPPRESSED))
    n = max(len(after), 1)
    if h is None:
        lm = suppressed / n
    else:
        table = _lm_per_value(h)
        lm = float(sum(table.get(v, 0.0) * c for v, c in zip(labels, counts, strict=True)) / n)
    before_codes = pd.factorize(before.to_numpy(dtype=object))[0].astype(np.int64)
    return VariableLoss(
        variable=name,
        level=level,
        precision_loss=float(precision),
        lm_loss=lm,
        entropy=_entropy(np.bincount(before_codes)),
        entropy_loss=_conditional_entropy(before_codes, after_codes.astype(np.int64)),
        cells_suppressed=suppressed,
    )


# --- global recoding --------------------------------------------------------------------------------


def recode(
    data: Microdata, levels: Mapping[str, tuple[Hierarchy, int | str]], *, table: str = "data"
) -> tuple[pd.DataFrame, InformationLoss]:
    """Global recoding: every value of each column is replaced by its ancestor at the given level."""
    require_columns(data, list(levels), table=table, role="recoded column")
    df = as_pandas(data).copy()
    losses = []
    for column, (h, level) in levels.items():
        idx = h.levels.index(level) if isinstance(level, str) else int(level)
        if not 0 <= idx <= h.height:
            raise DisclosureInputError(
                f"level {level!r} is not in hierarchy {h.name!r}", table=table, column=column
            )
        before = df[column]
        if before.isna().any():
            raise DisclosureInputError(
                "missing value (first at this row)",
                table=table,
                column=column,
                row=int(np.flatnonzero(before.isna().to_numpy())[0]),
            )
        df[column] = h.recode(before.to_numpy(), idx, table=table, column=column)
        losses.append(_variable_loss(column, before, df[column], h, h.level_name(idx), idx / h.height))
    return df, InformationLoss("global recoding", len(df), 0, losses)


# --- the 15/018 geographic fallback -----------------------------------------------------------------


@dataclass
class FallbackResult:
    data: pd.DataFrame
    levels: dict[str, int]  # records published at each level
    groups_below: int  # groups still smaller than the minimum at the last level
    records_below: int
    loss: InformationLoss


def geographic_fallback(
    data: Microdata,
    hierarchy: Hierarchy,
    *,
    column: str = "municipality",
    fallback: Sequence[str] = ("municipality", "werkwinkel", "arrondissement"),
    by: Sequence[str] = (),
    min_count: int = 5,
    counting: Literal["residual", "all"] = "residual",
    table: str = "data",
) -> FallbackResult:
    """The municipality rule of 15/018 (S001-4), applied record by record.

    A record keeps its municipality when its group — the records with the same municipality (and the
    same values of ``by``, if the rule is applied within a cross-classification) — has at least
    ``min_count`` records. Otherwise it gets the next level of ``fallback`` (werkwinkel, which nests in
    one arrondissement, so "werkwinkel + arrondissement" is the werkwinkel's group), and so on.

    ``counting="residual"`` (default) counts, at each coarser level, only the records that fall back
    to it: those are the records published with that value, so every published value is shared by at
    least ``min_count`` records (except at the last level, reported as ``groups_below``).
    ``counting="all"`` counts every record of the werkwinkel or arrondissement, the literal reading of
    "the subgroup by werkwinkel".

    The output keeps one column per fallback level: the finest published value and every coarser one;
    finer columns are empty where a record fell back. ``geo_level`` names the level published.
    """
    require_rows(data, table=table)
    require_columns(data, [column, *by], table=table, role="column")
    names = list(fallback)
    if not names or names[0] != hierarchy.levels[0]:
        raise DisclosureInputError(
            f"the fallback must start at the hierarchy's finest level {hierarchy.levels[0]!r}", table=table
        )
    unknown = [n for n in names if n not in hierarchy.levels]
    if unknown:
        raise DisclosureInputError(
            f"fallback level(s) {unknown} not in hierarchy {hierarchy.name!r}", table=table
        )
    df = as_pandas(data).reset_index(drop=True)
    leaf = df[column]
    if leaf.isna().any():
        raise DisclosureInputError(
            "missing value (first at this row)",
            table=table,
            column=column,
            row=int(np.flatnonzero(leaf.isna().to_numpy())[0]),
        )
    for b in by:
        if df[b].isna().any():
            raise DisclosureInputError(
                "missing value (first at this row)",
                table=table,
                column=b,
                row=int(np.flatnonzero(df[b].isna().to_numpy())[0]),
            )
    level_values = {
        name: pd.Series(hierarchy.recode(leaf.to_numpy(), name, table=table, column=column)) for name in names
    }
    n = len(df)
    assigned = np.full(n, -1)
    pending = np.ones(n, bool)
    for j, name in enumerate(names):
        keys = [df[b] for b in by] + [level_values[name]]
        frame = pd.DataFrame({f"k{i}": k.to_numpy() for i, k in enumerate(keys)})
        if counting == "residual":
            sizes = frame[pending].groupby(list(frame.columns), sort=False).transform("size")
            size = np.zeros(n, np.int64)
            size[pending] = sizes.to_numpy() if isinstance(sizes, pd.Series) else _group_size(frame[pending])
        else:
            size = _group_size(frame)
        ok = pending & ((size >= min_count) | (j == len(names) - 1))
        assigned[ok] = j
        pending &= ~ok
    last = names[-1]
    frame = pd.DataFrame({f"k{i}": df[b].to_numpy() for i, b in enumerate(by)})
    frame["geo"] = level_values[last].to_numpy()
    at_last = assigned == len(names) - 1
    last_size = np.zeros(n, np.int64)
    if at_last.any():
        last_size[at_last] = (
            _group_size(frame[at_last]) if counting == "residual" else _group_size(frame)[at_last]
        )
    below = at_last & (last_size < min_count)
    groups_below = int(frame[below].drop_duplicates().shape[0]) if below.any() else 0

    out = df.drop(columns=[column])
    for j, name in enumerate(names):
        values = level_values[name].to_numpy(dtype=object).copy()
        values[assigned > j] = None  # finer than what this record may show
        out[column if j == 0 else name] = values
    out["geo_level"] = np.asarray(names, dtype=object)[assigned]
    ordered = [c for c in df.columns if c != column]
    pos = list(df.columns).index(column)
    geo_cols = [column, *names[1:], "geo_level"]
    rest = [c for c in ordered if c not in geo_cols]
    out = out[rest[:pos] + geo_cols + rest[pos:]]
    counts = {name: int((assigned == j).sum()) for j, name in enumerate(names)}
    published = pd.Series(np.where(assigned == 0, level_values[names[0]].to_numpy(dtype=object), None))
    for j, name in enumerate(names[1:], start=1):
        published[assigned == j] = level_values[name][assigned == j]
    precision = float(np.mean([hierarchy.levels.index(names[a]) for a in assigned]) / hierarchy.height)
    vloss = _variable_loss(column, leaf, published, hierarchy, "mixed", precision)
    return FallbackResult(
        data=out,
        levels=counts,
        groups_below=groups_below,
        records_below=int(below.sum()),
        loss=InformationLoss("geographic fallback (15/018)", n, 0, [vloss]),
    )


def _group_size(frame: pd.DataFrame) -> np.ndarray:
    codes = [pd.factorize(frame[c].to_numpy())[0].astype(np.int64) for c in frame.columns]
    ids, sizes = combine(codes, [int(c.max()) + 1 if len(c) else 1 for c in codes])
    return sizes[ids]


# --- local suppression --------------------------------------------------------------------------------


def local_suppression(
    data: Microdata,
    quasi_identifiers: Sequence[str],
    k: int,
    *,
    order: Sequence[str] | None = None,
    hierarchies: Mapping[str, Hierarchy] | None = None,
    table: str = "data",
) -> tuple[pd.DataFrame, InformationLoss]:
    """Suppress quasi-identifier values (set to ``*``) until every class has at least ``k`` records.

    Records in classes smaller than k lose the value of the first variable of ``order`` (default: the
    most diverse first, as it splits classes most); those still in small classes lose the next, and
    so on. Records whose every quasi-identifier is suppressed form one class; if it is smaller than k,
    records of the largest class that can spare them are suppressed as well.
    """
    qis = list(quasi_identifiers)
    require_rows(data, table=table)
    require_columns(data, qis, table=table, role="quasi-identifier")
    df = as_pandas(data).reset_index(drop=True)
    encoded = {q: encode(df, q, table=table) for q in qis}
    order = list(order) if order is not None else sorted(qis, key=lambda q: -encoded[q].cardinality)
    codes = {q: encoded[q].codes.copy() for q in qis}
    cards = {q: encoded[q].cardinality + 1 for q in qis}  # the extra code is "*"
    suppressed = {q: np.zeros(len(df), bool) for q in qis}
    for q in order:
        ids, sizes = combine([codes[c] for c in qis], [cards[c] for c in qis])
        small = sizes[ids] < k
        small &= ~np.logical_and.reduce([suppressed[c] for c in qis])
        if not small.any():
            break
        codes[q][small] = cards[q] - 1
        suppressed[q] |= small
    # Fully suppressed records form one class of their own ("*" everywhere): an attacker whose target
    # is missing elsewhere knows it is one of them, so that class needs k records too. Top it up from
    # the largest class that can spare the records.
    all_gone = np.logical_and.reduce([suppressed[c] for c in qis])
    need = k - int(all_gone.sum())
    if 0 < need < k:
        ids, sizes = combine([codes[c] for c in qis], [cards[c] for c in qis])
        gone_class = ids[all_gone][0]
        spare = np.flatnonzero((sizes - need >= k) & (np.arange(len(sizes)) != gone_class))
        if len(spare):
            donor = spare[np.argmax(sizes[spare])]
            take = np.flatnonzero(ids == donor)[:need]
        else:  # no class can spare them: the whole file is below k anyway
            take = np.flatnonzero(~all_gone)
        for q in qis:
            codes[q][take] = cards[q] - 1
            suppressed[q][take] = True
    out = df.copy()
    losses = []
    for q in qis:
        if suppressed[q].any():
            col = out[q].astype(object)
            col[suppressed[q]] = SUPPRESSED
            out[q] = col
        h = (hierarchies or {}).get(q)
        losses.append(_variable_loss(q, df[q], out[q], h, "mixed", float(suppressed[q].mean())))
    all_gone = np.logical_and.reduce([suppressed[c] for c in qis])
    return out, InformationLoss(f"local suppression (k={k})", len(df), int(all_gone.sum()), losses)


# --- optimal k-anonymisation (lattice search) ---------------------------------------------------------


@dataclass
class Anonymisation:
    """The chosen generalisation node and its result."""

    levels: dict[str, int]
    level_names: dict[str, str]
    records_suppressed: int
    loss: InformationLoss
    lm_loss: float
    nodes_total: int
    nodes_evaluated: int
    data: pd.DataFrame = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "levels": self.level_names,
            "records_suppressed": self.records_suppressed,
            "lm_loss": self.lm_loss,
            "nodes_total": self.nodes_total,
            "nodes_evaluated": self.nodes_evaluated,
            "loss": self.loss.to_dict(),
        }


@dataclass
class _Lattice:
    """Per quasi-identifier: leaf code → node code at every level, and each node's LM loss."""

    names: list[str]
    level_codes: list[list[np.ndarray]]  # [qi][level] -> array over leaf codes
    level_labels: list[list[np.ndarray]]  # [qi][level] -> label of each node code
    level_lm: list[list[np.ndarray]]  # [qi][level] -> LM loss of each node code
    heights: list[int]


def _build_lattice(
    df: pd.DataFrame, qis: list[str], hierarchies: Mapping[str, Hierarchy], table: str
) -> tuple[_Lattice, list[np.ndarray]]:
    level_codes, level_labels, level_lm, heights, leaf_codes = [], [], [], [], []
    for q in qis:
        enc = encode(df, q, table=table)
        leaf_codes.append(enc.codes)
        uniques = np.asarray(enc.uniques).astype(str)
        h = hierarchies.get(q)
        codes_q, labels_q, lm_q = [], [], []
        if h is None:  # no hierarchy: keep or suppress
            codes_q.append(np.arange(len(uniques), dtype=np.int32))
            labels_q.append(uniques.astype(object))
            lm_q.append(np.zeros(len(uniques)))
            height = 1
        else:
            known = np.isin(uniques, h.frame[h.levels[0]].to_numpy())
            if not known.all():
                bad_code = int(np.flatnonzero(~known)[0])
                row = int(np.flatnonzero(enc.codes == bad_code)[0]) if (enc.codes == bad_code).any() else None
                if row is not None:
                    raise DisclosureInputError(
                        f"value not in hierarchy {h.name!r}", table=table, column=q, row=row
                    )
            total = len(h.frame)
            for lv in range(h.height):
                m = h.mapping(lv)
                labels = np.array([m.get(u, TOP) for u in uniques], dtype=object)
                node_codes, node_labels = pd.factorize(labels)
                under = h.leaves_under(lv)
                codes_q.append(node_codes.astype(np.int32))
                labels_q.append(np.asarray(node_labels, dtype=object))
                lm_q.append(np.array([(under.get(str(lb), 1) - 1) / max(total - 1, 1) for lb in node_labels]))
            height = h.height
        codes_q.append(np.zeros(len(uniques), np.int32))  # the top: "*"
        labels_q.append(np.array([TOP], dtype=object))
        lm_q.append(np.ones(1))
        level_codes.append(codes_q)
        level_labels.append(labels_q)
        level_lm.append(lm_q)
        heights.append(height)
    return _Lattice(qis, level_codes, level_labels, level_lm, heights), leaf_codes


def anonymise(
    data: Microdata,
    quasi_identifiers: Sequence[str],
    hierarchies: Mapping[str, Hierarchy],
    *,
    k: int = 5,
    suppression_limit: float = 0.05,
    table: str = "data",
) -> Anonymisation:
    """Optimal k-anonymisation by full-domain generalisation with record suppression.

    Every combination of generalisation levels (a node of the lattice) is a candidate; records left in
    classes smaller than k are suppressed, and a node is admissible when at most ``suppression_limit``
    of the records are. Among admissible nodes the one with the smallest LM loss (suppressed cells
    count 1) is chosen, exactly (branch and bound):

    - lower bound: the LM loss of the generalisation alone, from the marginal distributions; suppression
      can only raise it, so a node whose bound reaches the best loss found is never counted;
    - order: an incumbent from a greedy climb (to the successor of least bound until admissible),
      then the candidates coarsest first, so that an inadmissible node prunes every finer one;
    - monotonicity: a coarser node never suppresses more, so a node below an inadmissible one is
      inadmissible; and a projection (2 to 5 of the variables, counted once) never has more records
      in small classes than the full node, so an inadmissible projection settles the node uncounted;
    - roll-up: a node is counted from the distinct combinations of the smallest already-counted node
      beneath it, not from the records.
    """
    qis = list(quasi_identifiers)
    require_rows(data, table=table)
    require_columns(data, qis, table=table, role="quasi-identifier")
    missing = [h for h in hierarchies if h not in qis]
    if missing:
        raise DisclosureInputError(f"hierarchies given for non-quasi-identifiers: {missing}", table=table)
    if not 0 <= suppression_limit < 1:
        raise DisclosureInputError(
            f"suppression limit must be in [0, 1), got {suppression_limit}", table=table
        )
    df = as_pandas(data)
    n = num_rows(df)
    lat, leaf_codes = _build_lattice(df, qis, hierarchies, table)
    n_q = len(qis)
    # Distinct leaf combinations with their weights: the base every node rolls up from.
    base_ids, base_w = combine(leaf_codes, [len(lc[0]) for lc in lat.level_codes])
    base_rep = _representatives(base_ids, len(base_w), leaf_codes)

    # Lower bound per (qi, level): mean LM of the generalisation over all records.
    gen_lm = []
    for qi in range(n_q):
        counts = np.bincount(leaf_codes[qi], minlength=len(lat.level_codes[qi][0])).astype(np.float64)
        gen_lm.append(
            [
                float((lat.level_lm[qi][lv][lat.level_codes[qi][lv]] * counts).sum() / n)
                for lv in range(lat.heights[qi] + 1)
            ]
        )
    nodes = np.array(list(itertools.product(*[range(h + 1) for h in lat.heights])), dtype=np.int64)
    bound = np.zeros(len(nodes))
    for qi in range(n_q):
        bound += np.asarray(gen_lm[qi])[nodes[:, qi]]
    bound /= n_q
    limit_records = suppression_limit * n
    # Counted nodes kept for roll-ups: (levels, representative leaf codes per column, weights).
    cache: list[tuple[np.ndarray, list[np.ndarray], np.ndarray]] = [
        (np.zeros(n_q, np.int64), base_rep, base_w)
    ]
    infeasible = np.empty((0, n_q), np.int64)
    best: tuple[float, np.ndarray] | None = None
    evaluated = 0

    def evaluate(node: np.ndarray) -> float | None:
        """The node's loss, or None when it suppresses more than the limit."""
        nonlocal evaluated, infeasible
        _, src_rep, src_w = min((c for c in cache if (c[0] <= node).all()), key=lambda c: len(c[2]))
        cols = [lat.level_codes[qi][node[qi]][src_rep[qi]] for qi in range(n_q)]
        ids, _ = combine(cols, [len(lat.level_labels[qi][node[qi]]) for qi in range(n_q)])
        sizes = np.bincount(ids, weights=src_w).astype(np.int64)
        evaluated += 1
        small = sizes < k
        suppressed = int(sizes[small].sum())
        if len(sizes) < 0.5 * len(src_w):  # worth keeping as a base for finer-grained roll-ups
            cache.append((node.copy(), _representatives(ids, len(sizes), src_rep), sizes))
            if len(cache) > 8:  # bound memory: drop the largest table but never the base
                cache.pop(1 + int(np.argmax([len(c[2]) for c in cache[1:]])))
        if suppressed > limit_records:
            infeasible = np.vstack([infeasible, node])
            return None
        kept = ~small[ids]
        lm = sum(float((lat.level_lm[qi][node[qi]][cols[qi][kept]] * src_w[kept]).sum()) for qi in range(n_q))
        return (lm + suppressed * n_q) / (n * n_q)

    def known_infeasible(node: np.ndarray) -> bool:
        return bool(len(infeasible)) and bool((infeasible >= node).all(axis=1).any())

    # Cheap necessary condition: records in small classes of a projection (a subset of the variables)
    # are never more than in the full node. Projections on small subsets are counted once, densely.
    projections = _projection_histograms(lat, leaf_codes, max_cells=1 << 18)

    # The largest LM loss one record can have at each level: for the suppression part of the bound.
    max_lm = [[float(lat.level_lm[qi][lv].max()) for lv in range(lat.heights[qi] + 1)] for qi in range(n_q)]

    def projection_suppression(node: np.ndarray) -> float:
        """A lower bound on the records the node suppresses (stops early once above the limit)."""
        most = 0.0
        for subset, hist in projections:
            key = np.zeros(1, np.int64)
            for qi in subset:
                codes = lat.level_codes[qi][node[qi]]
                key = (key[:, None] * len(lat.level_labels[qi][node[qi]]) + codes[None, :]).ravel()
            sizes = np.bincount(key, weights=hist)
            most = max(most, float(sizes[(sizes > 0) & (sizes < k)].sum()))
            if most > limit_records:
                break
        return most

    # Branch and bound: an incumbent first, then every candidate whose bound is below the best loss,
    # coarsest first, so that an inadmissible node prunes every finer candidate before it is counted.
    done = np.zeros(len(nodes), bool)

    def visit(idx: int) -> None:
        nonlocal best, infeasible
        done[idx] = True
        node = nodes[idx]
        if known_infeasible(node):
            return
        must_suppress = projection_suppression(node)
        if must_suppress > limit_records:
            infeasible = np.vstack([infeasible, node])
            return
        if best is not None:
            # each suppressed record adds at least (n_q - its largest generalisation loss) to the bound
            spare = n_q - sum(max_lm[qi][node[qi]] for qi in range(n_q))
            if bound[idx] + must_suppress * spare / (n * n_q) >= best[0] - 1e-15:
                return
        loss = evaluate(node)
        if loss is not None and (best is None or loss < best[0] - 1e-15):
            best = (loss, node.copy())

    # The incumbent: climb from the bottom, one level at a time, always to the successor with the
    # smallest bound, until a node is admissible (nodes ruled out by projections cost nothing).
    strides = np.cumprod([1, *[h + 1 for h in lat.heights[::-1]]])[:-1][::-1]
    node = np.zeros(n_q, np.int64)
    while best is None:
        idx = int((node * strides).sum())
        if not done[idx]:
            visit(idx)
        steps = [node + np.eye(n_q, dtype=np.int64)[qi] for qi in range(n_q) if node[qi] < lat.heights[qi]]
        if best is not None or not steps:
            break
        node = min(steps, key=lambda s: (bound[int((s * strides).sum())], s.sum()))
    if best is not None:
        for idx in np.lexsort((-nodes.sum(axis=1), -bound)):
            if not done[idx] and bound[idx] < best[0] - 1e-15:
                visit(int(idx))
    if best is None:
        raise DisclosureInputError(
            f"no generalisation reaches k={k} with at most {suppression_limit:.1%} of the records suppressed",
            table=table,
        )
    loss_value, node = best
    return _apply_node(df, qis, lat, leaf_codes, node, k, hierarchies, loss_value, len(nodes), evaluated)


def _projection_histograms(
    lat: _Lattice, leaf_codes: list[np.ndarray], max_cells: int
) -> list[tuple[tuple[int, ...], np.ndarray]]:
    """Dense counts of the leaf combinations of the largest subsets of variables small enough to count.

    Only maximal subsets are kept: a superset splits every class of a subset further, so it never has
    fewer records in small classes, and its bound is at least as tight.
    """
    n_q = len(leaf_codes)
    cards = [len(lat.level_codes[qi][0]) for qi in range(n_q)]
    chosen: list[tuple[int, ...]] = []
    for size in range(n_q - 1, 1, -1):
        for subset in itertools.combinations(range(n_q), size):
            if int(np.prod([cards[qi] for qi in subset])) > max_cells:
                continue
            if any(set(subset) <= set(bigger) for bigger in chosen):
                continue
            chosen.append(subset)
    out = []
    for subset in chosen:
        cells = int(np.prod([cards[qi] for qi in subset]))
        key = leaf_codes[subset[0]].astype(np.int64, copy=True)
        for qi in subset[1:]:
            np.multiply(key, cards[qi], out=key)
            np.add(key, leaf_codes[qi], out=key)
        out.append((subset, np.bincount(key, minlength=cells).astype(np.float64)))
    return out


def _representatives(ids: np.ndarray, groups: int, codes: list[np.ndarray]) -> list[np.ndarray]:
    """One member's codes per group (any member will do: all members roll up alike)."""
    member = np.empty(groups, np.int64)
    member[ids] = np.arange(len(ids), dtype=np.int64)
    # int32 halves the memory traffic of the gathers that dominate every roll-up
    return [np.ascontiguousarray(c[member], dtype=np.int32) for c in codes]


def _apply_node(
    df: pd.DataFrame,
    qis: list[str],
    lat: _Lattice,
    leaf_codes: list[np.ndarray],
    node: np.ndarray,
    k: int,
    hierarchies: Mapping[str, Hierarchy],
    loss_value: float,
    total: int,
    evaluated: int,
) -> Anonymisation:
    cols = [lat.level_codes[qi][node[qi]][leaf_codes[qi]] for qi in range(len(qis))]
    ids, sizes = combine(cols, [len(lat.level_labels[qi][node[qi]]) for qi in range(len(qis))])
    suppressed = sizes[ids] < k
    n_supp = int(suppressed.sum())
    out = df.copy()
    losses = []
    for qi, q in enumerate(qis):
        labels = [str(lb) for lb in lat.level_labels[qi][node[qi]]]
        cats = list(dict.fromkeys([*labels, TOP]))
        position = {c: i for i, c in enumerate(cats)}
        codes = np.array([position[lb] for lb in labels], dtype=np.int64)[cols[qi]]
        codes[suppressed] = position[TOP]
        out[q] = pd.Categorical.from_codes(codes, categories=cats)
        lm_codes = np.append(lat.level_lm[qi][node[qi]], 1.0)  # the extra code is "*"
        pub = cols[qi].copy()
        pub[suppressed] = len(labels)
        h = hierarchies.get(q)
        height = lat.heights[qi]
        name = h.level_name(int(node[qi])) if h is not None else (q if node[qi] == 0 else TOP)
        losses.append(
            VariableLoss(
                variable=q,
                level=name,
                precision_loss=float(node[qi] / height),
                lm_loss=float(lm_codes[pub].mean()),
                entropy=_entropy(np.bincount(leaf_codes[qi])),
                entropy_loss=_conditional_entropy(leaf_codes[qi], pub),
                cells_suppressed=n_supp,
            )
        )
    levels = {q: int(node[qi]) for qi, q in enumerate(qis)}
    names = {q: losses[qi].level for qi, q in enumerate(qis)}
    info = InformationLoss(f"optimal {k}-anonymisation", len(df), n_supp, losses)
    return Anonymisation(levels, names, n_supp, info, loss_value, total, evaluated, out)
