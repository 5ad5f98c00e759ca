"""Frequency and magnitude tables built from microdata, with margins and hierarchies.

A table is the full cross-product of the *nodes* of each dimension: the published categories, every
coarser level of its hierarchy and the total. Each cell is one variable of the additivity system: for
every dimension, every parent node equals the sum of its children whatever the other dimensions'
nodes are. Several tables built from the same microdata form a :class:`TableSet`; a cell they share
(the same node in every dimension, ``Total`` in the dimensions a table does not have) is one cell, so
suppression and the attacker's equations are linked across the tables.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from crossroads.disclosure.errors import DisclosureInputError
from crossroads.disclosure.hierarchy import Hierarchy
from crossroads.disclosure.microdata import Microdata, as_pandas, require_columns, require_rows

TOTAL = "Total"


@dataclass(frozen=True)
class Dimension:
    """The nodes of one spanning variable, finest first, and each node's parent (the total has none)."""

    name: str
    nodes: tuple[str, ...]
    parent: Mapping[str, str]
    leaf_level: Mapping[str, str]  # data value -> its published leaf node
    level_of: Mapping[str, int]  # node -> 0 (leaf) ... top (total)

    def children(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for child in self.nodes:
            par = self.parent.get(child)
            if par is not None:
                out.setdefault(par, []).append(child)
        return out

    @classmethod
    def build(
        cls,
        name: str,
        values: np.ndarray,
        hierarchy: Hierarchy | None = None,
        levels: Sequence[str] | None = None,
        *,
        table: str = "table",
    ) -> Dimension:
        """A dimension over the distinct ``values``; with a hierarchy, its ``levels`` become sub-totals."""
        distinct = sorted({str(v) for v in pd.unique(values)})
        if hierarchy is None:
            flat = dict.fromkeys(distinct, TOTAL)
            return cls(
                name,
                (*distinct, TOTAL),
                flat,
                {v: v for v in distinct},
                {**dict.fromkeys(distinct, 0), TOTAL: 1},
            )
        use = list(levels) if levels is not None else list(hierarchy.levels)
        unknown = [lv for lv in use if lv not in hierarchy.levels]
        if unknown:
            raise DisclosureInputError(
                f"level(s) {unknown} not in hierarchy {hierarchy.name!r}", table=table, column=name
            )
        positions = sorted(hierarchy.levels.index(lv) for lv in use)
        frame = hierarchy.frame
        leaf_col = hierarchy.levels[0]
        known = set(frame[leaf_col])
        missing = [v for v in distinct if v not in known]
        if missing:
            raise DisclosureInputError(
                f"{len(missing)} value(s) not in hierarchy {hierarchy.name!r}", table=table, column=name
            )
        sub = frame[frame[leaf_col].isin(distinct)]
        cols = [hierarchy.levels[p] for p in positions]
        nodes: list[str] = []
        parent: dict[str, str] = {}
        level_of: dict[str, int] = {}
        for j, col in enumerate(cols):
            values_j = sorted(sub[col].unique())
            for v in values_j:
                node = _node(col, v, j == 0)
                nodes.append(node)
                level_of[node] = j
                if j + 1 < len(cols):
                    up = sub.loc[sub[col] == v, cols[j + 1]].iloc[0]
                    parent[node] = _node(cols[j + 1], up, False)
                else:
                    parent[node] = TOTAL
        nodes.append(TOTAL)
        level_of[TOTAL] = len(cols)
        leaf = {str(r[leaf_col]): _node(cols[0], r[cols[0]], True) for _, r in sub.iterrows()}
        return cls(name, tuple(nodes), parent, leaf, level_of)


def _node(level: str, value: str, finest: bool) -> str:
    # Sub-total nodes are prefixed with their level so that codes of different levels never collide.
    return str(value) if finest else f"{level}:{value}"


@dataclass
class Table:
    """One table: its dimensions and cells (``value``; for magnitude tables also contributor figures)."""

    name: str
    kind: Literal["frequency", "magnitude"]
    dimensions: list[Dimension]
    cells: pd.DataFrame  # one row per cell: a column per dimension, value, records, contributors, top...
    value_name: str = "count"
    constraints: sp.csr_matrix = field(default=None, repr=False)

    @property
    def dims(self) -> list[str]:
        return [d.name for d in self.dimensions]

    def pivot(self, values: str = "value") -> pd.DataFrame:
        """The table as a grid (first dimension down, the others across), for display."""
        if len(self.dimensions) == 1:
            return self.cells.set_index(self.dims[0])[[values]]
        return self.cells.pivot_table(
            index=self.dims[0], columns=self.dims[1:], values=values, aggfunc="first", sort=False
        )


def _check_values(df: pd.DataFrame, column: str, table: str, *, magnitude: bool) -> None:
    col = df[column]
    if col.isna().any():
        raise DisclosureInputError(
            "missing value (first at this row)",
            table=table,
            column=column,
            row=int(np.flatnonzero(col.isna().to_numpy())[0]),
        )
    if magnitude:
        if not pd.api.types.is_numeric_dtype(col):
            raise DisclosureInputError("a magnitude must be numeric", table=table, column=column)
        neg = col.to_numpy() < 0
        if neg.any():
            raise DisclosureInputError(
                f"{int(neg.sum())} negative magnitude(s) (first at this row): the dominance and p% rules "
                "need non-negative contributions",
                table=table,
                column=column,
                row=int(np.flatnonzero(neg)[0]),
            )


def build_table(
    data: Microdata,
    dims: Sequence[str],
    *,
    value: str | None = None,
    contributor: str | None = None,
    hierarchies: Mapping[str, Hierarchy | tuple[Hierarchy, Sequence[str]]] | None = None,
    top: int = 3,
    name: str = "table",
) -> Table:
    """A frequency table (``value=None``: counts of records) or magnitude table (sums of ``value``).

    For magnitude tables ``contributor`` names the unit whose contributions the dominance rules weigh
    (e.g. the employer); without it every record is its own contributor. ``top`` largest
    contributions are kept per cell for the (n,k) and p% rules.
    """
    dims = list(dims)
    if not dims:
        raise DisclosureInputError("a table needs at least one dimension", table=name)
    require_rows(data, table=name)
    require_columns(data, dims, table=name, role="dimension")
    extra = [c for c in (value, contributor) if c is not None]
    require_columns(data, extra, table=name, role="column")
    df = as_pandas(data).reset_index(drop=True)
    for d in dims:
        _check_values(df, d, name, magnitude=False)
    if value is not None:
        _check_values(df, value, name, magnitude=True)
    if contributor is not None:
        _check_values(df, contributor, name, magnitude=False)
    hierarchies = hierarchies or {}
    dimensions = []
    for d in dims:
        spec = hierarchies.get(d)
        h, levels = spec if isinstance(spec, tuple) else (spec, None)
        dimensions.append(Dimension.build(d, df[d].to_numpy(), h, levels, table=name))

    # Node of every record at every level of every dimension.
    level_nodes: list[list[np.ndarray]] = []
    for dim in dimensions:
        leaf = df[dim.name].astype(str).map(dim.leaf_level).to_numpy(dtype=object)
        per_level = [leaf]
        top_level = max(dim.level_of.values())
        current = leaf
        for _ in range(1, top_level + 1):
            mapping = dim.parent
            current = (
                np.array([mapping[v] for v in current], dtype=object)
                if len(current) < 50_000
                else pd.Series(current).map(mapping).to_numpy(dtype=object)
            )
            per_level.append(current)
        level_nodes.append(per_level)

    values = df[value].to_numpy(dtype=np.float64) if value is not None else np.ones(len(df))
    contrib = df[contributor].to_numpy() if contributor is not None else np.arange(len(df))
    parts = []
    for combo in itertools.product(*[range(len(ln)) for ln in level_nodes]):
        keys = {
            dim.name: level_nodes[i][lv] for i, (dim, lv) in enumerate(zip(dimensions, combo, strict=True))
        }
        frame = pd.DataFrame({**keys, "__v": values, "__c": contrib})
        if value is None:
            agg = frame.groupby(dims, sort=False).agg(value=("__v", "sum"), records=("__v", "size"))
            agg["contributors"] = agg["records"]
            for t in range(1, top + 1):
                agg[f"top{t}"] = np.where(agg["records"] >= t, 1.0, 0.0)
        else:
            per = frame.groupby([*dims, "__c"], sort=False)["__v"].sum().reset_index()
            per = per.sort_values("__v", ascending=False, kind="stable")
            per["__rank"] = per.groupby(dims, sort=False).cumcount()
            agg = per.groupby(dims, sort=False).agg(value=("__v", "sum"), contributors=("__v", "size"))
            agg["records"] = frame.groupby(dims, sort=False).size()
            for t in range(1, top + 1):
                tt = per[per["__rank"] == t - 1].set_index(dims)["__v"]
                agg[f"top{t}"] = tt.reindex(agg.index).fillna(0.0).to_numpy()
        parts.append(agg.reset_index())
    observed = pd.concat(parts, ignore_index=True)
    # The full cross-product of nodes: empty cells are published zeros and belong to the equations.
    grid = pd.MultiIndex.from_product([list(d.nodes) for d in dimensions], names=dims).to_frame(index=False)
    cells = grid.merge(observed, on=dims, how="left")
    fill = {c: 0 for c in cells.columns if c not in dims}
    cells = cells.fillna(fill)
    for c in ("records", "contributors"):
        cells[c] = cells[c].astype(np.int64)
    table = Table(
        name,
        "frequency" if value is None else "magnitude",
        dimensions,
        cells,
        value_name="count" if value is None else value,
    )
    table.constraints = additivity(dimensions)
    return table


def additivity(dimensions: Sequence[Dimension]) -> sp.csr_matrix:
    """The table's equations, one row per (dimension, parent node, nodes of the other dimensions):
    +1 on the parent cell, -1 on each child cell. Cells are numbered in row-major order of the nodes."""
    sizes = [len(d.nodes) for d in dimensions]
    strides = np.cumprod([1, *sizes[::-1]])[:-1][::-1]
    index = [{node: i for i, node in enumerate(d.nodes)} for d in dimensions]
    rows, cols, vals = [], [], []
    row = 0
    for di, dim in enumerate(dimensions):
        others = [np.arange(s) for j, s in enumerate(sizes) if j != di]
        other_strides = [strides[j] for j in range(len(sizes)) if j != di]
        if others:
            grids = np.meshgrid(*others, indexing="ij")
            base = sum(g.ravel() * st for g, st in zip(grids, other_strides, strict=True))
        else:
            base = np.zeros(1, np.int64)
        base = np.asarray(base, np.int64)
        m = len(base)
        for par, kids in dim.children().items():
            r = np.arange(row, row + m)
            rows.append(r)
            cols.append(base + index[di][par] * strides[di])
            vals.append(np.ones(m))
            for kid in kids:
                rows.append(r)
                cols.append(base + index[di][kid] * strides[di])
                vals.append(-np.ones(m))
            row += m
    n_cells = int(np.prod(sizes))
    if row == 0:
        return sp.csr_matrix((0, n_cells))
    return sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(row, n_cells)
    )


@dataclass
class TableSet:
    """Linked tables: every distinct cell once, and the equations of all tables over those cells."""

    tables: list[Table]
    cells: pd.DataFrame  # the union of the tables' cells; dimension columns over all tables' dimensions
    constraints: sp.csr_matrix
    table_cells: dict[str, np.ndarray]  # table name -> index into ``cells`` of its cells, in its order

    @classmethod
    def link(cls, tables: Sequence[Table]) -> TableSet:
        if not tables:
            raise DisclosureInputError("no tables to protect")
        names = [t.name for t in tables]
        if len(set(names)) != len(names):
            raise DisclosureInputError(f"table names must be unique, got {names}")
        kinds = {t.kind for t in tables}
        if len(kinds) > 1:
            raise DisclosureInputError("linked tables must all be frequency or all be magnitude tables")
        all_dims: list[str] = []
        for t in tables:
            all_dims += [d for d in t.dims if d not in all_dims]
        frames = []
        for t in tables:
            f = t.cells.copy()
            for d in all_dims:
                if d not in f.columns:
                    f[d] = TOTAL
            f["__table"] = t.name
            f["__pos"] = np.arange(len(f))
            frames.append(f)
        stacked = pd.concat(frames, ignore_index=True)
        key = stacked[all_dims].astype(str).agg("\x1f".join, axis=1)
        cell_id, uniques = pd.factorize(key)
        first = pd.Series(np.arange(len(stacked))).groupby(cell_id).first().to_numpy()
        cells = stacked.iloc[first].drop(columns=["__table", "__pos"]).reset_index(drop=True)
        # A shared cell must have the same value in every table (they come from the same microdata).
        check = (
            pd.DataFrame({"id": cell_id, "v": stacked["value"].to_numpy()})
            .groupby("id")["v"]
            .agg(["min", "max"])
        )
        bad = check[(check["max"] - check["min"]).abs() > 1e-9 * (1 + check["max"].abs())]
        if len(bad):
            raise DisclosureInputError(
                f"{len(bad)} shared cell(s) differ between the tables: they are not built from the same data"
            )
        table_cells: dict[str, np.ndarray] = {}
        blocks = []
        for t in tables:
            ids = cell_id[(stacked["__table"] == t.name).to_numpy()]
            table_cells[t.name] = ids
            a = t.constraints.tocoo()
            blocks.append(sp.csr_matrix((a.data, (a.row, ids[a.col])), shape=(a.shape[0], len(uniques))))
        constraints = sp.vstack(blocks).tocsr()
        # Identical equations from different tables (e.g. the shared margin's sum) are kept once.
        constraints = _unique_rows(constraints)
        return cls(list(tables), cells, constraints, table_cells)

    @property
    def dims(self) -> list[str]:
        return [c for c in self.cells.columns if c not in _NON_DIM]


_NON_DIM = {"value", "records", "contributors"} | {f"top{t}" for t in range(1, 50)}


def _unique_rows(m: sp.csr_matrix) -> sp.csr_matrix:
    keys = [
        (tuple(m.indices[m.indptr[i] : m.indptr[i + 1]]), tuple(m.data[m.indptr[i] : m.indptr[i + 1]]))
        for i in range(m.shape[0])
    ]
    seen: dict[tuple[tuple[int, ...], tuple[float, ...]], int] = {}
    keep = []
    for i, k in enumerate(keys):
        order = np.argsort(k[0])
        norm = (tuple(np.asarray(k[0])[order].tolist()), tuple(np.asarray(k[1])[order].tolist()))
        if norm not in seen:
            seen[norm] = i
            keep.append(i)
    return m[keep]
