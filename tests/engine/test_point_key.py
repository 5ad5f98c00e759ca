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
