"""The spell covering each point's day: persons with one spell a day, and persons whose spells overlap (two
spells cover a day: the latest start, or the first by the caller's order), on both engines."""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis
import pyarrow as pa

from crossroads.catalog.model import spell_at

D = date
# Points on the last day of 2020Q1 (31 Mar) and 2020Q2 (30 Jun).
POINTS = [
    (p, q, d)
    for p in ("P1", "P2", "P3", "P4", "P5")
    for q, d in ((20201, D(2020, 3, 31)), (20202, D(2020, 6, 30)))
]
SPELLS = [
    # P1: two spells one after the other (no overlap): Q1 in A, Q2 in B.
    ("P1", "A", 2, D(2019, 1, 1), D(2020, 4, 30)),
    ("P1", "B", 1, D(2020, 5, 1), None),
    # P2: B nested in A, covering 31 Mar only: Q1 both cover (latest start B; rank 1 puts A first), Q2 A.
    ("P2", "A", 1, D(2018, 1, 1), None),
    ("P2", "B", 2, D(2020, 3, 1), D(2020, 4, 15)),
    # P3: one spell ending before 30 Jun: Q1 only.
    ("P3", "A", 1, D(2020, 1, 1), D(2020, 6, 29)),
    # P4: consecutive spells touching on 31 Mar (B starts the day A ends): both cover 31 Mar.
    ("P4", "A", 1, D(2019, 1, 1), D(2020, 3, 31)),
    ("P4", "B", 2, D(2020, 3, 31), D(2020, 12, 31)),
    # P5: no spell covering either day; a spell with no start never matches.
    ("P5", "A", 1, D(2021, 1, 1), None),
    ("P5", "B", 1, None, None),
]


def _tables(con: Any, backend: str) -> tuple[Any, Any]:
    points = pa.table(
        {
            "insz": [p for p, _, _ in POINTS],
            "ref_quarter": pa.array([q for _, q, _ in POINTS], pa.int32()),
            "ref_date": pa.array([d for _, _, d in POINTS], pa.date32()),
        }
    )
    spells = pa.table(
        {
            "insz": [s[0] for s in SPELLS],
            "code": [s[1] for s in SPELLS],
            "rank": pa.array([s[2] for s in SPELLS], pa.int32()),
            "start_date": pa.array([s[3] for s in SPELLS], pa.date32()),
            "end_date": pa.array([s[4] for s in SPELLS], pa.date32()),
        }
    )
    out = []
    for name, data in (("points", points), ("spells", spells)):
        if backend == "duckdb":
            out.append(con.create_table(name, data, temp=True))
        else:
            con._session.createDataFrame(data.to_pandas()).createOrReplaceTempView(name)
            out.append(con.table(name))
    return out[0], out[1]


def _got(con: Any, t: Any) -> dict[tuple[str, int], str]:
    rows = con.to_pyarrow(t.select("insz", "ref_quarter", "code")).to_pylist()
    got = {(r["insz"], r["ref_quarter"]): r["code"] for r in rows}
    assert len(got) == len(rows), "one spell per point"
    return got


def test_latest_start_covering_the_day(ibis_con: Any, backend_name: str) -> None:
    points, spells = _tables(ibis_con, backend_name)
    assert _got(ibis_con, spell_at(points, spells)) == {
        ("P1", 20201): "A",
        ("P1", 20202): "B",
        ("P2", 20201): "B",
        ("P2", 20202): "A",
        ("P3", 20201): "A",
        ("P4", 20201): "B",
        ("P4", 20202): "B",
    }


def test_first_by_the_callers_order(ibis_con: Any, backend_name: str) -> None:
    points, spells = _tables(ibis_con, backend_name)
    got = spell_at(points, spells, order_by=["rank", ibis.desc("start_date")])
    assert _got(ibis_con, got) == {
        ("P1", 20201): "A",
        ("P1", 20202): "B",
        ("P2", 20201): "A",
        ("P2", 20202): "A",
        ("P3", 20201): "A",
        ("P4", 20201): "A",
        ("P4", 20202): "B",
    }


def test_the_spells_columns_and_the_points_date_come_along(ibis_con: Any, backend_name: str) -> None:
    points, spells = _tables(ibis_con, backend_name)
    t = spell_at(points, spells)
    assert t.columns == ("insz", "ref_quarter", "ref_date", "code", "rank", "start_date", "end_date")
    row = ibis_con.to_pyarrow(t.filter((t.insz == "P2") & (t.ref_quarter == 20201))).to_pylist()[0]
    assert (row["rank"], row["start_date"], row["end_date"]) == (2, D(2020, 3, 1), D(2020, 4, 15))
