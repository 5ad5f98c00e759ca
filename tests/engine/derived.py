"""A derivation's stored rows read back by point, whether stored on the point's key (DuckDB:
``extract.point_key``, ``insz * 100000 + quarter``) or on the INSZ and quarter (Spark)."""

from __future__ import annotations

from typing import Any

import ibis.expr.operations as ops
import ibis.expr.types as ir


def rows_by_point(engine: Any, res: ir.Table) -> list[tuple[str, int, Any]]:
    """``(insz, quarter, value)`` of each stored row, in stored order (a point twice shows twice)."""
    rows = engine.to_arrow(res).to_pylist()
    if "ref_quarter" in res.columns:
        return [(r["insz"], r["ref_quarter"], r["value"]) for r in rows]
    return [(str(r["point__"] // 100000).zfill(11), r["point__"] % 100000, r["value"]) for r in rows]


def stored_table(res: ir.Table) -> Any:
    """The stored table a derivation's result reads (its projection's parent)."""
    op = res.op()
    return op.parent if isinstance(op, ops.Project) else op
