"""``Engine.materialise(..., present=column)``: only the rows where the column is known are kept (on DuckDB
stored whole, then the others deleted), without touching a table stored whole from the same expression, and
released with the slice like any stored table."""

from __future__ import annotations

from typing import Any

import ibis
import pyarrow as pa


def _rows(engine: Any, table: Any) -> list[tuple[int, Any]]:
    return sorted((r["k"], r["value"]) for r in engine.to_arrow(table).to_pylist())


def test_only_rows_with_a_value_are_kept(engine_on: Any, backend_name: str) -> None:
    e = engine_on
    base = e.register_arrow("known", pa.table({"k": [1, 2, 3, 4], "code": ["a", None, "c", "x"]}))
    # A value computed from the row (a class of codes), null for a missing code and for an unknown one.
    value = ibis.cases((base.code == "a", "A"), (base.code == "c", "C"), else_=ibis.null("string"))
    expr = base.select("k", value=value)
    whole = e.materialise(expr)
    mark = e.stored_count()
    known = e.materialise(expr, eager=True, present="value")
    assert _rows(e, known) == [(1, "A"), (3, "C")]
    # The table stored whole from the same expression (Ibis's cache) keeps every row.
    assert _rows(e, whole) == [(1, "A"), (2, None), (3, "C"), (4, None)]
    # Joined like any table: a point without a row reads null.
    joined = base.left_join(known, "k").select("k", "value")
    assert _rows(e, joined) == [(1, "A"), (2, None), (3, "C"), (4, None)]
    if backend_name == "duckdb":
        name = known.op().name
        listed = e.con.con.execute("select count(*) from duckdb_tables() where table_name = ?", [name])
        assert listed.fetchall() == [(1,)]
        e.release_since(mark)
        listed = e.con.con.execute("select count(*) from duckdb_tables() where table_name = ?", [name])
        assert listed.fetchall() == [(0,)]
        assert _rows(e, whole) == [(1, "A"), (2, None), (3, "C"), (4, None)]
