"""The datasets join their person derivations on one 64-bit number per point on DuckDB
(``extract.point_key``): exact for every INSZ and quarter, loud on anything else."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from crossroads import engine
from crossroads.engine.extract import point_key
from crossroads.warehouse.storage import Warehouse


def test_point_key_is_the_insz_and_quarter_side_by_side(engine_on: Any, backend_name: str) -> None:
    e = engine_on
    t = e.register_arrow(
        "points",
        pa.table({"insz": ["85073003328", "01010199797"], "quarter": pa.array([20194, 20211], pa.int32())}),
    )
    key = point_key(e, "person", t, "quarter")
    assert point_key(e, "employer", t, "quarter") is None  # employer points keep their pair
    if backend_name == "spark":
        assert key is None  # Spark joins on the pair
        return
    assert key is not None
    got = e.to_arrow(t.select(k=key)).column("k").to_pylist()
    assert got == [8507300332820194, 101019979720211]  # the leading zero of the INSZ is kept apart by width


def test_point_key_refuses_an_insz_that_is_not_a_number(tiny_wh: Warehouse) -> None:
    """DuckDB only: Spark joins on the pair."""
    with engine.connect(tiny_wh, "duckdb") as e:
        t = e.register_arrow(
            "points", pa.table({"insz": ["8507300332X"], "quarter": pa.array([20194], pa.int32())})
        )
        key = point_key(e, "person", t, "quarter")
        assert key is not None
        with pytest.raises(Exception, match=r"(?i)conver|cast"):
            e.to_arrow(t.select(k=key))


def test_points_with_their_key_meet_the_same_rows(tiny_wh: Warehouse) -> None:
    """``jobs.at_points`` on points carrying their key joins on it: the same rows and columns as the pair."""
    from datetime import date

    from crossroads.catalog import jobs
    from crossroads.catalog.model import POINT_KEY

    with engine.connect(tiny_wh, "duckdb") as e:
        points = e.register_arrow(
            "points",
            pa.table(
                {
                    "insz": ["85073003328", "85073003328", "01010199797"],
                    "ref_quarter": pa.array([20194, 20201, 20194], pa.int32()),
                    "ref_date": pa.array([date(2019, 12, 31), date(2020, 3, 31), date(2019, 12, 31)]),
                    "ref_year": pa.array([2019, 2020, 2019], pa.int32()),
                }
            ),
        )
        rows = e.register_arrow(
            "rows",
            pa.table(
                {
                    "insz": ["85073003328", "85073003328", "01010199797", "01010199797"],
                    "quarter": pa.array([20194, 20194, 20201, 20194], pa.int32()),
                    "days": [10, 20, 30, 40],
                }
            ),
        )
        keyed = points.mutate(**{POINT_KEY: point_key(e, "person", points, "ref_quarter")})
        by_pair, by_key = jobs.at_points(points, rows), jobs.at_points(keyed, rows)
        assert (
            by_key.columns
            == by_pair.columns
            == ("insz", "ref_quarter", "ref_date", "ref_year", "quarter", "days")
        )
        got = sorted((r["insz"], r["ref_quarter"], r["days"]) for r in e.to_arrow(by_key).to_pylist())
        # By hand: the first person's two 20194 rows at their 20194 point, none at 20201; the other's 20194.
        assert got == [("01010199797", 20194, 40), ("85073003328", 20194, 10), ("85073003328", 20194, 20)]
        assert got == sorted(
            (r["insz"], r["ref_quarter"], r["days"]) for r in e.to_arrow(by_pair).to_pylist()
        )
