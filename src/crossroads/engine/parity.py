"""Do two runs of one permit version agree? Tables, match reports, counts, samples and bookkeeping compared.

Used to show that DuckDB and Spark give the same extract (issue 6, ``tests/engine/test_seed_parity.py`` and
``benchmarks/parity_seed_permits.py``). Differences are reported by column and value, never by identifier.
"""

from __future__ import annotations

import math
from typing import Any

import pyarrow as pa

from crossroads.engine.extract import Extract

IDENTIFIERS = {"insz", "enterprise_number"}
"""Columns whose values are never printed in a difference."""


def _norm(v: Any) -> Any:
    # Floats to 9 decimals (and NaN as null): the engines sum in different orders.
    if isinstance(v, float):
        return None if math.isnan(v) else round(v, 9)
    return v


def _key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple((v is None, str(type(v).__name__), v if v is not None else 0) for v in row)


def diff_tables(a: pa.Table, b: pa.Table, limit: int = 5) -> list[str]:
    """Differences of two tables as sets of rows: columns and types, row count, then cell by cell after
    sorting both on every column (at most ``limit`` cells shown, then a count)."""
    out = []
    if a.column_names != b.column_names:
        out.append(f"columns differ: {a.column_names} vs {b.column_names}")
        return out
    if a.schema != b.schema:
        out.append(f"schema differs: {a.schema} vs {b.schema}")
    if a.num_rows != b.num_rows:
        out.append(f"row count {a.num_rows} vs {b.num_rows}")
    ra = sorted((tuple(_norm(v) for v in r.values()) for r in a.to_pylist()), key=_key)
    rb = sorted((tuple(_norm(v) for v in r.values()) for r in b.to_pylist()), key=_key)
    bad = 0
    for x, y in zip(ra, rb, strict=False):  # row counts may differ
        for c, u, v in zip(a.column_names, x, y, strict=True):
            same = u == v or (isinstance(u, float) and isinstance(v, float) and abs(u - v) <= 1e-9)
            if not same:
                bad += 1
                if bad <= limit:
                    # Show where, never whom: identifier columns are left out of the printed row.
                    row = {k: w for k, w in zip(a.column_names, x, strict=True) if k not in IDENTIFIERS}
                    shown = "(identifier)" if c in IDENTIFIERS else f"{u!r} vs {v!r}"
                    out.append(f"col {c}: {shown} (row {row})")
    if bad:
        out.append(f"{bad} differing cells")
    return out


def compare(d: Extract, s: Extract) -> list[str]:
    """Every difference between two extracts of the same permit version (empty: they agree)."""
    probs: list[str] = []
    if set(d.datasets) != set(s.datasets):
        probs.append(f"dataset names {sorted(d.datasets)} vs {sorted(s.datasets)}")
    for name in d.datasets:
        if name in s.datasets:
            probs += [f"{name}: {p}" for p in diff_tables(d.datasets[name], s.datasets[name])]
    for attr in (
        "match_reports",
        "population_counts",
        "population_counts_by_year",
        "sample",
        "identifier_columns",
        "variables",
        "columns",
        "aggregates",
    ):
        if getattr(d, attr) != getattr(s, attr):
            probs.append(f"{attr}: {getattr(d, attr)} vs {getattr(s, attr)}")
    probs += [f"overlap: {p}" for p in diff_tables(d.overlap, s.overlap)]
    return probs
