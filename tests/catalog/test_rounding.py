"""One rounding rule: halves away from zero, also where the double lies just below a half."""

from __future__ import annotations

from typing import Any

import ibis
import pyarrow as pa
import pytest

from crossroads.catalog.model import round_half_up

# (value, digits, expected by hand). 0.4575 is stored as 0.45749999999999996: scaling it by 1000 gives
# 457.49999999999994, which DuckDB's round took down to 0.457 while Spark's took it up to 0.458.
CASES = [
    (0.4575, 3, 0.458),
    (1.0 / 3.0, 3, 0.333),
    (2.0 / 3.0, 4, 0.6667),
    (0.125, 2, 0.13),
    (1.005, 2, 1.01),
    (-1.25, 1, -1.3),
    (-0.0004, 3, -0.0),
    (2.5, 0, 3.0),
    (140.0, 1, 140.0),
    (0.1 + 0.2, 1, 0.3),
]


def test_round_half_up_by_hand(ibis_con: Any, backend_name: str) -> None:
    data = pa.table(
        {
            "i": pa.array(range(len(CASES)), pa.int64()),
            "v": pa.array([c[0] for c in CASES], pa.float64()),
            "d": pa.array([c[1] for c in CASES], pa.int64()),
        }
    )
    if backend_name == "duckdb":
        t = ibis_con.create_table("cases", data, temp=True)
    else:
        ibis_con._session.createDataFrame(data.to_pandas()).createOrReplaceTempView("cases")
        t = ibis_con.table("cases")
    columns = {f"r{d}": round_half_up(t.v, d) for d in sorted({c[1] for c in CASES})}
    got = t.select("i", "d", **columns).order_by("i").to_pyarrow().to_pylist()
    for row, (value, digits, expected) in zip(got, CASES, strict=True):
        assert row[f"r{digits}"] == pytest.approx(expected, abs=1e-12), (value, digits)


def test_null_stays_null() -> None:
    t = ibis.memtable({"v": pa.array([None, 1.5], pa.float64())})
    got = ibis.duckdb.connect().to_pyarrow(t.select(r=round_half_up(t.v, 0)))["r"].to_pylist()
    assert got == [None, 2.0]
