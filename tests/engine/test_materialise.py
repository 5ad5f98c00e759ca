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
    # The table stored whole from the same expression keeps every row.
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


def _listed(engine: Any, table: Any) -> int:
    query = "select count(*) from duckdb_tables() where table_name = ?"
    return int(engine.con.con.execute(query, [table.op().name]).fetchall()[0][0])


def test_an_equal_expression_is_stored_once_until_released(engine_on: Any, backend_name: str) -> None:
    e = engine_on
    base = e.register_arrow("once", pa.table({"k": [1, 2, 2], "n": pa.array([5, 7, 9], pa.int32())}))
    mark = e.stored_count()
    first = e.materialise(base.group_by("k").aggregate(total=base.n.sum()))
    again = e.materialise(base.group_by("k").aggregate(total=base.n.sum()))  # equal, built anew
    assert sorted(tuple(r.values()) for r in e.to_arrow(again).to_pylist()) == [(1, 5), (2, 16)]
    # The types Ibis gives the columns (a sum of int32 is int64; DuckDB's own sum would be a 128-bit one).
    assert str(again.schema()["total"]) == "int64"
    if backend_name == "duckdb":
        assert e.stored_count() == mark + 1 and again.op().name == first.op().name
        e.release_since(mark)
        assert _listed(e, first) == 0
        # Released: the expression is stored again, in a new table, not handed the dropped one.
        third = e.materialise(base.group_by("k").aggregate(total=base.n.sum()))
        assert third.op().name != first.op().name and _listed(e, third) == 1
        assert sorted(tuple(r.values()) for r in e.to_arrow(third).to_pylist()) == [(1, 5), (2, 16)]


def test_a_failed_store_leaves_no_table(tiny_wh: Any) -> None:
    """DuckDB stores a table itself (Spark checkpoints through a view, its cast does not fail)."""
    from crossroads import engine

    e = engine.connect(tiny_wh, "duckdb")
    try:
        base = e.register_arrow("bad", pa.table({"code": ["12", "x"]}))
        count = "select count(*) from duckdb_tables()"
        before, mark = e.con.con.execute(count).fetchall(), e.stored_count()
        expr = base.select(n=base.code.cast("int64"))  # "x" is not a number: storing fails
        for _ in range(2):  # the second time not handed a table that was never filled
            try:
                e.materialise(expr)
            except Exception as exc:  # DuckDB's conversion error
                assert "x" in str(exc)
            else:
                raise AssertionError("storing a failing expression did not fail")
            assert e.con.con.execute(count).fetchall() == before and e.stored_count() == mark
    finally:
        e.close()
