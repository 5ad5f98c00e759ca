"""The blocks of a pass of slices (``Engine._part``): written once into per-slice parts; a person of two
slices (a household member of another slice) is in both parts but once in the pass's rows that other blocks
of the pass are built on. Golden rows by hand."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from crossroads.engine.backends import FIRST_COLUMN, SLICE_COLUMN

A, B, C, D = "85073003328", "17073003385", "90010100136", "90010100235"


def _rows(engine: Any, table: Any) -> list[tuple[str, int]]:
    t = engine.to_arrow(table.select("insz", "amount"))
    return sorted(zip(t.column("insz").to_pylist(), t.column("amount").to_pylist(), strict=True))


def test_parts_hold_each_slice_and_the_pass_each_person_once(engine_on: Any) -> None:
    e = engine_on
    slices = e.register_arrow(
        "slices",
        pa.table({"insz": [A, B, A, C, D], SLICE_COLUMN: pa.array([0, 0, 1, 1, 2], pa.int32())}),
    )
    rows = e.register_arrow("rows", pa.table({"insz": [A, A, B, C, D], "amount": [1, 2, 3, 4, 5]}))
    built: list[str] = []

    def build() -> Any:
        built.append("rows")
        return rows

    def totals() -> Any:
        # built on the pass's rows of "scoped:rows" while the pass is pinned: A's rows counted once
        r = e.memo("scoped:rows", build)
        return r.group_by("insz").aggregate(amount=r.amount.sum())

    e.set_run_scope(slices, pass_slices=2)
    try:
        e.set_slice(0)
        part0 = _rows(e, e.memo("scoped:rows", build))
        assert part0 == sorted([(A, 1), (A, 2), (B, 3)])
        assert FIRST_COLUMN not in e.memo("scoped:rows", build).columns
        assert _rows(e, e.memo("scoped:totals", totals)) == sorted([(A, 3), (B, 3)])
        whole = e._pinned["scoped:rows", 0][0]
        assert _rows(e, whole) == sorted([(A, 1), (A, 2), (B, 3), (C, 4)])  # D is in the next pass
        e.set_slice(1)
        assert _rows(e, e.memo("scoped:rows", build)) == sorted([(A, 1), (A, 2), (C, 4)])
        assert _rows(e, e.memo("scoped:totals", totals)) == sorted([(A, 3), (C, 4)])
        assert built == ["rows"]  # built once for the pass
        e.set_slice(2)  # the next pass: its own rows, built again
        assert _rows(e, e.memo("scoped:rows", build)) == [(D, 5)]
        assert built == ["rows", "rows"]
    finally:
        e.set_run_scope(None)


E = "90010100334"  # a household member of slice 0 in no target group


def test_own_blocks_hold_own_persons_members_blocks_the_households(engine_on: Any) -> None:
    """With ``own__`` in the slices, a ``scoped:`` block's parts hold each slice's own persons only and a
    ``members:`` block's parts also their households' members; companions are built from the block's pass
    rows in the same go (each member's sum in every slice that reads about them)."""
    import pytest

    from crossroads.engine.backends import OWN_COLUMN, EngineError

    e = engine_on
    slices = e.register_arrow(
        "slices",
        pa.table(
            {
                "insz": [A, B, E, A, C, D],
                SLICE_COLUMN: pa.array([0, 0, 0, 1, 1, 2], pa.int32()),
                OWN_COLUMN: [True, True, False, False, True, True],
            }
        ),
    )
    rows = e.register_arrow("rows", pa.table({"insz": [A, A, B, C, D, E], "amount": [1, 2, 3, 4, 5, 6]}))
    built: list[str] = []

    def build() -> Any:
        built.append("rows")
        return rows

    def sums(r: Any) -> Any:
        return r.group_by("insz").aggregate(amount=r.amount.sum())

    e.set_run_scope(slices, pass_slices=2)
    try:
        e.set_slice(0)
        own = e.memo("scoped:rows", build, companions={"members:sums": sums})
        assert _rows(e, own) == sorted([(A, 1), (A, 2), (B, 3)])  # not E's 6
        assert _rows(e, e.memo("members:sums", lambda: sums(own))) == sorted([(A, 3), (B, 3), (E, 6)])
        assert _rows(e, e.memo("members:rows", build)) == sorted([(A, 1), (A, 2), (B, 3), (E, 6)])
        # the pass's rows: each own person once (A is own in slice 0 only); the members' block: everyone
        assert _rows(e, e._pinned["scoped:rows", 0][0]) == sorted([(A, 1), (A, 2), (B, 3), (C, 4)])
        assert _rows(e, e._pinned["members:sums", 0][0]) == sorted([(A, 3), (B, 3), (C, 4), (E, 6)])

        def wide_on_own() -> Any:
            return e.memo("scoped:rows", build)  # the pass's rows lack E: refused, not silently short

        with pytest.raises(EngineError, match="own persons only"):
            e.memo("members:wide", wide_on_own)
        e.set_slice(1)
        assert _rows(e, e.memo("scoped:rows", build)) == [(C, 4)]  # A is a member here, not own
        assert _rows(e, e.memo("members:sums", lambda: sums(rows))) == sorted([(A, 3), (C, 4)])
        assert _rows(e, e.memo("members:rows", build)) == sorted([(A, 1), (A, 2), (C, 4)])
        assert built == ["rows", "rows"]  # once per block and pass: the companion came with scoped:rows
        with pytest.raises(EngineError, match="keyed members:"):
            e.memo("scoped:other", build, companions={"scoped:bad": sums})
    finally:
        e.set_run_scope(None)
