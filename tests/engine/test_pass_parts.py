"""The blocks of a pass of slices (``Engine._part``): written once into per-slice parts; a person of two
slices (a household member of another slice) is in both parts but once in the pass's rows that other blocks
of the pass are built on. Golden rows by hand."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from crossroads.engine.backends import OWN_COLUMN, SLICE_COLUMN

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
        assert OWN_COLUMN not in e.memo("scoped:rows", build).columns
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
