"""The dynamics-file variables of 15/018 (S001-8) on both engines, golden values by hand.

Warehouse: ``tiny_se_persons`` (its docstring describes every person). Points: quarters of the window
(2008 Q4, 2009 Q1, 2013 Q3, 2013 Q4).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest
import tiny_se_persons as tw

from crossroads import engine
from crossroads.warehouse.storage import Warehouse

A1, A2, A3, A4, A5, A6, A7, A8 = (tw.A[i] for i in range(1, 9))
Q08, Q09, Q3, Q4 = 20084, 20091, 20133, 20134
POINTS = [(tw.A[i], q) for i in range(1, 9) for q in (Q08, Q09, Q3, Q4)]

GOLDEN: dict[str, dict[tuple[str, int], Any]] = {
    # from the position of the quarter's last day: 111 -> 1 employee; 211 -> 3 unemployed; 141 (wage
    # earner with a self-employed side job) -> 1; 351 (early retirement) and 352 (SWT) -> 5; 34 -> 4;
    # 4 (unknown) -> 9; 142 (main job self-employed) -> 2; 371 -> 6; 39 and 372 (disability allowance)
    # -> 7 other; no position -> empty (A3 has none)
    "labour_market_position": {
        (A1, Q08): "1",
        (A1, Q09): "3",
        (A1, Q4): "1",
        (A2, Q08): "5",
        (A2, Q4): "5",
        (A4, Q4): "4",
        (A5, Q4): "9",
        (A6, Q09): "2",
        (A6, Q4): "6",
        (A7, Q4): "7",
        (A8, Q4): "7",
        (A3, Q4): None,
        (A1, Q3): None,
    },
    # A1 2013 Q4 at E1 (on the agency's employer list of 31 Dec 2013) -> 1; 2008 Q4 at E4 (employer of A1
    # on the employee list of 31 Dec 2008) -> 1; A1 2013 Q3 at E1: the list is dated in Q4 and E1's
    # registered work form is NONE -> 0; A3 at E5 (registered work form SW) -> 1; A8 at E6 (recognised
    # cooperatives list of 31 Dec 2013) -> 1; A2 2009 Q1 at E2 (ordinary) -> 0; A6 2013 Q4 at E2 + art. 60
    # (1 Jul - 30 Nov 2013) -> 2, and 2013 Q3 art. 60 without a DmfA job -> 2; A5 30 PWA hours in 2013 Q4
    # -> 2; A7 self-employed -> 0; A4 nothing -> empty; A2 2013 Q4 no job -> empty
    "in_social_economy": {
        (A1, Q4): "1",
        (A1, Q08): "1",
        (A1, Q3): "0",
        (A3, Q4): "1",
        (A8, Q4): "1",
        (A2, Q09): "0",
        (A6, Q4): "2",
        (A6, Q3): "2",
        (A5, Q4): "2",
        (A7, Q4): "0",
        (A4, Q4): None,
        (A2, Q4): None,
        (A6, Q09): None,
    },
}

GOLDEN_NAMES: set[str] = set(GOLDEN)

_results: dict[str, dict[tuple[str, int], Any]] = {}
_engines: dict[str, engine.Engine] = {}


@pytest.fixture(scope="session")
def se_dynamics_wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return tw.build(tmp_path_factory.mktemp("se_dynamics") / "wh")


@pytest.fixture(scope="module", autouse=True)
def _close_engines() -> Iterator[None]:
    yield
    for e in _engines.values():
        e.close()
    _engines.clear()


def _values(backend: str, name: str, wh: Warehouse, spark: Any) -> dict[tuple[str, int], Any]:
    key = f"{backend}:{name}"
    if key not in _results:
        from crossroads.engine.extract import variables_at

        if backend not in _engines:
            _engines[backend] = engine.connect(wh, backend, spark=spark)  # type: ignore[arg-type]
        pts = pa.table(
            {"insz": [p for p, _ in POINTS], "ref_quarter": pa.array([q for _, q in POINTS], pa.int32())}
        )
        t = variables_at(_engines[backend], pts, [(name, {"scheme": None})])
        keys = zip(t["insz"].to_pylist(), t["ref_quarter"].to_pylist(), strict=True)
        _results[key] = dict(zip(keys, t[name].to_pylist(), strict=True))
    return _results[key]


@pytest.mark.parametrize("name", list(GOLDEN))
def test_golden(
    name: str, backend_name: str, se_dynamics_wh: Warehouse, request: pytest.FixtureRequest
) -> None:
    spark = request.getfixturevalue("spark_session") if backend_name == "spark" else None
    got = _values(backend_name, name, se_dynamics_wh, spark)
    for point, expected in GOLDEN[name].items():
        assert got[point] == expected, (name, point)


@pytest.mark.spark
@pytest.mark.parametrize("name", list(GOLDEN))
def test_duckdb_and_spark_agree(name: str, se_dynamics_wh: Warehouse, spark_session: Any) -> None:
    assert _values("duckdb", name, se_dynamics_wh, None) == _values(
        "spark", name, se_dynamics_wh, spark_session
    )


def test_every_position_code_has_a_label() -> None:
    from crossroads import catalog, codelists

    labels = catalog.get("labour_market_position").value_labels()
    assert labels is not None
    from crossroads.catalog import dynamics

    # every code of the nomenclature is mapped, to a labelled category
    assert set(codelists.load("sep_nomenclature")["code"]) == set(dynamics.POSITION_OF_SEP)
    assert set(dynamics.POSITION_OF_SEP.values()) <= set(labels)
