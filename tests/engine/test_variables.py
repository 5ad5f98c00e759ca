"""Every catalog variable on both engines: hand-computed golden values, and DuckDB == Spark row for row.

Points: persons P1-P9 of ``tiny_warehouse`` at 2020 Q2 (30 Jun 2020) and 2020 Q4 (31 Dec 2020), raw values
(``scheme: null``) so the arithmetic below is the catalog's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest
import tiny_warehouse as tw

from crossroads import catalog, engine
from crossroads.warehouse.storage import Warehouse

POINTS = [(tw.P[i], q) for i in range(1, 10) for q in (20202, 20204)]
P1, P2, P3, P4, P5, P6, P7, P8 = (tw.P[i] for i in range(1, 9))
Q2, Q4 = 20202, 20204

GOLDEN: dict[str, dict[tuple[str, int], Any]] = {
    # born 15 Jun 1980: 40 on 30 Jun and on 31 Dec 2020; P4 born 31 Dec 1995: 24 on 30 Jun, 25 on 31 Dec
    "age_class": {(P1, Q2): 40, (P1, Q4): 40, (P4, Q2): 24, (P4, Q4): 25},
    # P3: Moroccan (354) until 1 May 2018, Belgian since -> 150; origin = father's nationality at birth 354;
    # P2's mother's nationality at birth is unknown -> Belgian, origin undetermined (150U)
    "nationality_class": {(P3, Q4): "150"},
    "origin_class": {(P1, Q4): "150", (P2, Q4): "150U", (P3, Q4): "354"},
    "birthplace_class": {(P3, Q4): "354", (P1, Q4): "150"},
    # P1: ISCED 2 in 2015, 5 in 2021 -> in 2020 the 2015 level: low; no data -> UNK
    "education_level": {(P1, Q4): "LOW", (P2, Q4): "UNK"},
    # P2 moved from Brussels (21004) to Antwerp (11002, province 10000) on 1 Jul 2020; P3 abroad
    "province": {(P2, Q2): "04000", (P2, Q4): "10000", (P3, Q4): "ABR", (P4, Q4): "40000"},
    "registration_year": {(P3, Q4): 2017},
    # first registration 1 Mar 2017 -> 3 completed years on 31 Dec 2020; reason only when < 5 years
    "residence_duration_class": {(P3, Q4): 3, (P2, Q4): 30},
    "residence_reason": {(P3, Q4): "WRK", (P2, Q4): None},
    "lipro": {(P1, Q4): "MAR+", (P8, Q4): "CMAR", (P5, Q4): None},
    # H1 on 31 Dec 2020: P1 (40) and P7 (45) eligible; P8 (20, child benefit = student) and P9 (10) not.
    # P1's FTE 2020 Q1-Q4: 1.0 (E2: 494 h / (38 h x 13)) + 0.5 (E1: 247 / 494) + 0 + 0 = 1.5 -> mean 0.375;
    # P7 0 -> household 0.375 / FTE max 2 = 0.1875 -> 0.188.  At 2020 Q2 (2019 Q3-2020 Q2): (0.5+0+1+0.5)/4
    # = 0.5 -> 0.25.  P4 alone: (0.6154)/4 / 1 = 0.154
    "household_work_intensity": {(P1, Q4): 0.188, (P7, Q4): 0.188, (P1, Q2): 0.25, (P4, Q4): 0.154},
    # H1 2020: P1 wages 2,000 + 3,050 EUR; P7 pension 1,000 EUR/month x 12 = 12,000 -> 17,050.00
    "household_income_class": {(P1, Q4): 17050.0},
    # P1 2020 Q2: 247 h / (38 h x 13 = 494 h) = 0.5.  P4: 40 days x (38 h / 5 days) = 304 h / 494 h = 0.6154
    "labour_volume": {(P1, Q2): 0.5, (P4, Q2): 0.6154, (P1, Q4): None},
    "work_regime": {(P1, Q2): 3.0, (P4, Q2): 5.0},
    "part_time_pct": {(P1, Q2): 50.0, (P4, Q2): 100.0},  # 19 h / 38 h
    "wage_mass_class": {(P1, Q2): 3050.0, (P4, Q2): 4000.0},  # 3,000 + 50 EUR; 4,000 EUR
    # P1 part time: 3,000 EUR x 7.6 / 247 h = 92.3077 -> 92.31; P4 full time: 4,000 EUR / 40 days = 100.00
    "daily_wage_class": {(P1, Q2): 92.31, (P4, Q2): 100.0},
    # P1 with E1 in 2019 Q2, 2019 Q3 and 2020 Q2 (2020 Q1 was at E2) -> 3
    "job_seniority": {(P1, Q2): 3, (P4, Q2): 1},
    # voucher quarters of P1: network 2019 Q2, Q3, 2020 Q2 + issuer 2019 Q4 (+ 2020 Q2 again) -> 4
    "system_seniority": {(P1, Q2): 4, (P2, Q4): 2, (P5, Q4): 0},
    "benefits_during_employment": {(P1, Q2): "1", (P4, Q2): "0", (P5, Q4): None},
    # P1's occupation ends 30 Jun 2020 = last day -> 1; P4's ends 15 May 2020 -> 0
    "in_service_last_day": {(P1, Q2): "1", (P4, Q2): "0"},
    "sep": {(P1, Q2): "111", (P5, Q4): "34"},
    "sep_additional": {(P1, Q2): "I", (P4, Q2): "-", (P5, Q4): "P"},
    "employer_size": {(P1, Q2): "5", (P4, Q2): "3"},
    "nace": {(P1, Q2): "81210"},
    "joint_committee": {(P1, Q2): "322.01"},
    "dwse_code": {(P1, Q2): "DC01", (P4, Q2): "DC02"},
    "sector": {(P1, Q2): "N"},
    "working": {(P5, Q4): "0", (P6, Q4): "1"},
    # P5 2020 Q4: 34 (pensioner) -> 4; P1 2020 Q2 and P6 2020 Q4: 111 (working) -> no user position
    "user_position": {(P5, Q4): "4", (P1, Q2): None, (P6, Q4): None},
    # P5 2020: 10 paper + 20 electronic; P6 2020: 7 electronic (5 in 2019 -> not new)
    "vouchers_bought": {(P5, Q4): 30, (P6, Q4): 7, (P1, Q4): 0},
    "new_user": {(P5, Q4): "1", (P6, Q4): "0"},
    "voucher_kind": {(P5, Q4): "PE", (P6, Q4): "E", (P1, Q4): None},
    "sex": {(P1, Q4): "2", (P2, Q4): "1"},
    # P1's E1 occupation runs 1 Apr 2019 - 30 Jun 2020; P4's category-597 job 1 Apr - 15 May 2020
    "entry_year": {(P1, Q2): 2019, (P4, Q2): 2020, (P1, Q4): None},
    "exit_year": {(P1, Q2): 2020, (P4, Q2): 2020},
}

_results: dict[str, pa.Table] = {}
_engines: dict[str, engine.Engine] = {}


@pytest.fixture(scope="module", autouse=True)
def _close_engines() -> Iterator[None]:
    yield
    for e in _engines.values():
        e.close()
    _engines.clear()


def _values(backend: str, name: str, wh: Warehouse, spark: Any) -> dict[tuple[str, int], Any]:
    """One query per variable and backend on one engine per backend (building blocks computed once)."""
    key = f"{backend}:{name}"
    if key not in _results:
        from crossroads.engine.extract import variables_at

        if backend not in _engines:
            _engines[backend] = engine.connect(wh, backend, spark=spark)  # type: ignore[arg-type]
        pts = pa.table(
            {"insz": [p for p, _ in POINTS], "ref_quarter": pa.array([q for _, q in POINTS], pa.int32())}
        )
        _results[key] = variables_at(_engines[backend], pts, [(name, {"scheme": None})])
    t = _results[key]
    return {
        (i, q): v
        for i, q, v in zip(
            t["insz"].to_pylist(), t["ref_quarter"].to_pylist(), t[name].to_pylist(), strict=True
        )
    }


def _golden_elsewhere() -> set[str]:
    """Variables whose golden tests live in ``test_vars_*.py`` (each declares ``GOLDEN_NAMES``)."""
    import importlib.util
    from pathlib import Path

    names: set[str] = set()
    for path in sorted(Path(__file__).parent.glob("test_vars_*.py")):
        spec = importlib.util.spec_from_file_location(f"_golden_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        names |= set(module.GOLDEN_NAMES)
    return names


def test_every_variable_has_golden_values() -> None:
    elsewhere = _golden_elsewhere()
    assert not set(GOLDEN) & elsewhere
    assert set(GOLDEN) | elsewhere == set(catalog.names())


@pytest.mark.parametrize("name", list(GOLDEN))
def test_golden(name: str, backend_name: str, tiny_wh: Warehouse, request: pytest.FixtureRequest) -> None:
    spark = request.getfixturevalue("spark_session") if backend_name == "spark" else None
    got = _values(backend_name, name, tiny_wh, spark)
    for point, expected in GOLDEN[name].items():
        assert got[point] == expected, (name, point)


@pytest.mark.spark
@pytest.mark.parametrize("name", list(GOLDEN))
def test_duckdb_and_spark_agree(name: str, tiny_wh: Warehouse, spark_session: Any) -> None:
    assert _values("duckdb", name, tiny_wh, None) == _values("spark", name, tiny_wh, spark_session)


@pytest.mark.parametrize(
    ("limit", "expected"),
    # P3 registered first on 1 Mar 2017: 3 completed years on 31 Dec 2020. Limit 3 -> 3 < 3 fails -> empty;
    # limit 4 -> WRK; no limit (21/128) -> WRK. P1 (Belgian, no reason registered) stays empty.
    [(3, None), (4, "WRK"), (None, "WRK")],
)
def test_residence_reason_limit_option(
    limit: int | None,
    expected: str | None,
    backend_name: str,
    tiny_wh: Warehouse,
    request: pytest.FixtureRequest,
) -> None:
    from crossroads.engine.extract import variables_at

    spark = request.getfixturevalue("spark_session") if backend_name == "spark" else None
    e = engine.connect(tiny_wh, backend_name, spark=spark)  # type: ignore[arg-type]
    try:
        pts = pa.table({"insz": [P3, P1], "ref_quarter": pa.array([Q4, Q4], pa.int32())})
        t = variables_at(e, pts, [("residence_reason", {"max_residence_years": limit})])
    finally:
        e.close()
    got = dict(zip(t["insz"].to_pylist(), t["residence_reason"].to_pylist(), strict=True))
    assert got == {P3: expected, P1: None}


def test_residence_reason_refuses_a_bad_limit(tiny_wh: Warehouse) -> None:
    from crossroads.engine.extract import variables_at

    e = engine.connect(tiny_wh, "duckdb")
    try:
        pts = pa.table({"insz": [P3], "ref_quarter": pa.array([Q4], pa.int32())})
        with pytest.raises(ValueError, match="max_residence_years"):
            variables_at(e, pts, [("residence_reason", {"max_residence_years": 0})])
    finally:
        e.close()
