"""Derivations that only pick and compute columns of one stored block (the main job, the career quarters,
a person's facts at the points) are stored as one table (``extract._Derivations``): each still gives its own
values, exactly as alone, and a derivation that filters or joins is stored apart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from derived import rows_by_point, stored_table

from crossroads.engine import backends
from crossroads.engine.extract import _Derivations, point_key


@dataclass
class _Var:
    name: str
    pick: Any
    usual: Any = None

    def sparse_for(self, options: dict[str, Any]) -> bool:
        return self.usual is not None

    def derive(
        self, engine: Any, points: ir.Table, options: dict[str, Any], sparse: bool = False
    ) -> ir.Table:
        return self.pick(points)


def _values(engine: Any, res: ir.Table) -> list[tuple[str, int, Any]]:
    return sorted(rows_by_point(engine, res))


def _three_points(engine: Any, name: str) -> ir.Table:
    """A frame of three points: one person in two quarters, another in one."""
    return engine.register_arrow(
        name,
        pa.table(
            {
                "insz": ["85073003328", "85073003328", "01010199797"],
                "quarter": pa.array([20194, 20201, 20194], pa.int32()),
            }
        ),
    )


def test_projections_of_one_block_stored_together(engine_on: Any) -> None:
    e = engine_on
    frame = _three_points(e, "frame")
    days = {("85073003328", 20194): 10, ("85073003328", 20201): 20, ("01010199797", 20194): 30}
    facts = pa.table(
        {
            "insz": [k[0] for k in days],
            "quarter": pa.array([k[1] for k in days], pa.int32()),
            "days": list(days.values()),
        }
    )
    blocks: dict[str, ir.Table] = {}

    def block(points: ir.Table) -> ir.Table:
        # One stored block per set of points, as the catalog's memo gives it.
        if "block" not in blocks:
            f = e.register_arrow("facts", facts)
            j = points.join(f, (points.insz == f.insz) & (points.ref_quarter == f.quarter))
            blocks["block"] = e.materialise(j.select(points.insz, points.ref_quarter, f.days))
        return blocks["block"]

    def doubled(points: ir.Table) -> ir.Table:
        b = block(points)
        return b.select("insz", "ref_quarter", value=b.days * 2)

    def plus_one(points: ir.Table) -> ir.Table:  # a projection of a projection of the block
        b = block(points).select("insz", "ref_quarter", d=block(points).days)
        return b.select("insz", "ref_quarter", value=b.d + 1)

    def long_only(points: ir.Table) -> ir.Table:  # filters: stored apart
        b = block(points)
        b = b.filter(b.days >= 20)
        return b.select("insz", "ref_quarter", value=b.days)

    d = _Derivations(e)
    needs = {
        name: d.ask("ds", "person", "quarter", frame, _Var(name, pick), {})
        for name, pick in (("doubled", doubled), ("plus_one", plus_one), ("long_only", long_only))
    }
    d.run()
    # By hand from the three points' days (10, 20, 30).
    assert _values(e, d.results[needs["doubled"]]) == [
        ("01010199797", 20194, 60),
        ("85073003328", 20194, 20),
        ("85073003328", 20201, 40),
    ]
    assert _values(e, d.results[needs["plus_one"]]) == [
        ("01010199797", 20194, 31),
        ("85073003328", 20194, 11),
        ("85073003328", 20201, 21),
    ]
    assert _values(e, d.results[needs["long_only"]]) == [
        ("01010199797", 20194, 30),
        ("85073003328", 20201, 20),
    ]

    def stored(need: Any) -> Any:
        return stored_table(d.results[need])

    assert stored(needs["doubled"]) is stored(needs["plus_one"])  # one table for both
    assert stored(needs["long_only"]) is not stored(needs["doubled"])


def test_points_without_a_value_are_not_stored(engine_on: Any) -> None:
    """A derivation's null values are left out of its stored rows: the datasets left-join the results, so
    those points read null all the same (``_Derivations.run``)."""
    e = engine_on
    frame = _three_points(e, "frame_nulls")
    known = e.register_arrow(
        "known",
        pa.table({"insz": ["85073003328"], "quarter": pa.array([20201], pa.int32()), "reason": ["EU"]}),
    )

    def reason(points: ir.Table) -> ir.Table:
        j = points.left_join(known, (points.insz == known.insz) & (points.ref_quarter == known.quarter))
        return j.select(points.insz, points.ref_quarter, value=j.reason)

    d = _Derivations(e)
    need = d.ask("ds", "person", "quarter", frame, _Var("reason", reason), {})
    d.run()
    # Three points, one with a value: only that one is stored.
    assert _values(e, d.results[need]) == [("85073003328", 20201, "EU")]
    res, on = d.result(need, "quarter", "reason")
    rows = frame
    if on[0] not in frame.columns:  # keyed (DuckDB): the point key of the frame's measurement column
        rows = frame.mutate(**{on[0]: point_key(e, "person", frame, "quarter")})
    joined = rows.left_join(res, on).select("insz", "quarter", "reason")
    got = sorted((r["insz"], r["quarter"], r["reason"]) for r in e.to_arrow(joined).to_pylist())
    assert got == [("01010199797", 20194, None), ("85073003328", 20194, None), ("85073003328", 20201, "EU")]


def test_a_usual_value_is_stored_apart_from_the_points_and_filled_in_the_dataset(engine_on: Any) -> None:
    """A variable with a usual value (``Variable.usual``: 0 jobs) is stored with only the points the
    derivation gives a row for; the dataset gives the others that value, and leaves a row whose measurement
    column is unknown empty (``_Derivations.usual_at``)."""
    e = engine_on
    frame = _three_points(e, "frame_usual")
    jobs = e.register_arrow(
        "jobs", pa.table({"insz": ["85073003328"], "quarter": pa.array([20201], pa.int32()), "n": [2]})
    )

    def count(points: ir.Table) -> ir.Table:  # sparse: the points with a job only
        j = points.join(jobs, (points.insz == jobs.insz) & (points.ref_quarter == jobs.quarter))
        return j.select(points.insz, points.ref_quarter, value=j.n)

    d = _Derivations(e)
    need = d.ask("ds", "person", "quarter", frame, _Var("jobs", count, usual=0), {})
    d.run()
    assert _values(e, d.results[need]) == [("85073003328", 20201, 2)]  # one stored row of three points
    # The dataset's rows: the three points and one whose quarter is unknown.
    rows = e.register_arrow(
        "rows",
        pa.table(
            {
                "insz": ["85073003328", "85073003328", "01010199797", "01010199797"],
                "quarter": pa.array([20194, 20201, 20194, None], pa.int32()),
            }
        ),
    )
    res, on = d.result(need, "quarter", "jobs")
    if on[0] not in rows.columns:
        rows = rows.mutate(**{on[0]: point_key(e, "person", rows, "quarter")})
    out = d.usual_at(rows.left_join(res, on), need, "quarter", "jobs").select("insz", "quarter", "jobs")
    got = sorted((r["insz"], r["quarter"] or 0, r["jobs"]) for r in e.to_arrow(out).to_pylist())
    assert got == [
        ("01010199797", 0, None),
        ("01010199797", 20194, 0),
        ("85073003328", 20194, 0),
        ("85073003328", 20201, 2),
    ]
    # A variable without a usual value is left as it was.
    other = d.ask("ds", "person", "quarter", frame, _Var("plain", count), {})
    assert d.usual_at(rows, other, "quarter", "insz") is rows


def test_two_datasets_over_the_same_points_share_them(engine_on: Any) -> None:
    """A dataset whose frame adds a column to another's (a group's flag) has the same points: a derivation
    asked by both, and one asked by each alone, read one stored table of the three points
    (``_Derivations.ask``, ``_points``), and their values are those of the points."""
    e = engine_on
    frame = e.materialise(_three_points(e, "frame_shared"))
    flagged = frame.mutate(in_group=ibis.literal(1, "int8"))

    def quarter(points: ir.Table) -> ir.Table:
        return points.select("insz", "ref_quarter", value=points.ref_quarter)

    def year(points: ir.Table) -> ir.Table:
        return points.select("insz", "ref_quarter", value=points.ref_quarter // 10)

    d = _Derivations(e)
    both = d.ask("persons", "person", "quarter", flagged, _Var("quarter", quarter), {})
    assert d.ask("labour_market", "person", "quarter", frame, _Var("quarter", quarter), {}) == both
    alone = d.ask("labour_market", "person", "quarter", frame, _Var("year", year), {})
    sets = [frozenset(d.asked[need][2]) for need in (both, alone)]
    assert sets[0] != sets[1]  # asked by two datasets, and by one
    shared, one = (d._points(s) for s in sets)
    assert shared.get_name() == one.get_name()
    assert e.scalar(shared.count()) == 3
    d.run()
    assert _values(e, d.results[both]) == [
        ("01010199797", 20194, 20194),
        ("85073003328", 20194, 20194),
        ("85073003328", 20201, 20201),
    ]
    assert [v[2] for v in _values(e, d.results[alone])] == [2019, 2019, 2020]


def test_equal_small_tables_registered_once(engine_on: Any, monkeypatch: Any) -> None:
    """``register_arrow`` gives the table registered before for equal rows under the same name (expressions
    on them are then equal), another for other rows or another name, and never looks among large tables."""
    e = engine_on
    steps = pa.table({"step": pa.array([0, 1, 2, 3], pa.int32())})
    first = e.register_arrow("quarter_steps", steps)
    assert e.register_arrow("quarter_steps", pa.table({"step": pa.array([0, 1, 2, 3], pa.int32())})) is first
    assert e.register_arrow("other_steps", steps) is not first
    five = e.register_arrow("quarter_steps", pa.table({"step": pa.array([0, 1, 2, 3, 4], pa.int32())}))
    assert five is not first and e.scalar(five.count()) == 5
    # Types count: the same numbers as 64-bit integers are other rows.
    assert (
        e.register_arrow("quarter_steps", pa.table({"step": pa.array([0, 1, 2, 3], pa.int64())})) is not first
    )
    monkeypatch.setattr(backends, "_SAME_ROWS", 3)
    large = pa.table({"step": pa.array([7, 8, 9, 10], pa.int32())})
    assert e.register_arrow("large", large) is not e.register_arrow("large", large)
