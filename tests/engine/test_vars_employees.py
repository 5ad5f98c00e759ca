"""The employees-file variables of 15/018 (S001-4, S001-7) on both engines, golden values by hand.

Warehouse: ``tiny_se_persons`` (its docstring describes every person). Points: A1-A8 at 2013 Q4
(31 Dec 2013) and a few at 2008 Q4 / 2009 Q1.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest
import tiny_se_persons as tw

from crossroads import engine
from crossroads.warehouse.storage import Warehouse

A1, A2, A3, A4, A5, A6, A7, A8 = (tw.A[i] for i in range(1, 9))
Q4, Q08, Q09 = 20134, 20084, 20091
POINTS = [(tw.A[i], Q4) for i in range(1, 9)] + [(A1, Q08), (A6, Q09)]
RAW = {"scheme": None}

# (variable, options) -> {(person, quarter): expected}
GOLDEN: list[tuple[str, dict[str, Any], dict[tuple[str, int], Any]]] = [
    # sep_nomenclature.webapp_order: 141 -> 4 (cumul, main job wage earner); 352 -> 15 (SWT);
    # 4 -> 20 and 39 -> 20 (other/unknown); 371 -> 18 (incapacity); 34 -> 13 (pensioner); no row -> empty
    (
        "sep_derived",
        {},
        {(A1, Q4): "4", (A2, Q4): "15", (A5, Q4): "20", (A7, Q4): "20", (A6, Q4): "18", (A4, Q4): "13"}
        | {(A3, Q4): None},
    ),
    # A1 listed at 31 Dec 2013 (E1, DG, BE, LOW, ARBH) and 31 Dec 2008 (E4, OK, MID, VOL): the snapshot of
    # the point's quarter; A5 listed 2013 with origin and education unknown; A2 not listed
    ("staff_type", {}, {(A1, Q4): "DG", (A1, Q08): "OK", (A5, Q4): "DG", (A2, Q4): None}),
    ("provider_origin", {}, {(A1, Q4): "BE", (A5, Q4): None}),
    ("provider_education_level", {}, {(A1, Q4): "LOW", (A1, Q08): "MID", (A5, Q4): None}),
    ("work_ability", {}, {(A1, Q4): "ARBH", (A1, Q08): "VOL", (A5, Q4): "MMPP", (A6, Q4): None}),
    # H10 on 31 Dec 2013: A1 (43) and A2 (33) eligible, A3 (18, child benefit) and A4 (63) not -> FTE max 2.
    # A1's 2013 FTE, definition 1 (all services): Q1 49400/49400 = 1; Q2 (24700 + 24700 sick) = 1; Q3 1;
    #   Q4 (30 + 35 days) x 7.6 h = 494 h = 1  -> mean 4/4 = 1.0; A2 0; A3's job does not count -> FTE 1.0.
    # Definition 2 (no assimilated days): Q2 24700/49400 = 0.5; Q4 30 x 7.6 = 228 h / 494 = 0.461538
    #   -> (1 + 0.5 + 1 + 0.461538) / 4 = 0.740385 -> 0.74.
    # H11: A5 (23) eligible, no job -> FTE 0, max 1.  H12: A7 (73) -> max 0, FTE 0.  A6, A8: no household.
    ("household_fte", {}, {(A1, Q4): 1.0, (A3, Q4): 1.0, (A5, Q4): 0.0, (A7, Q4): 0.0, (A6, Q4): None}),
    ("household_fte", {"definition": 1}, {(A1, Q4): 1.0, (A2, Q4): 1.0}),
    ("household_fte", {"definition": 2}, {(A1, Q4): 0.74, (A4, Q4): 0.74, (A5, Q4): 0.0}),
    ("household_fte_max", {}, {(A1, Q4): 2, (A4, Q4): 2, (A5, Q4): 1, (A7, Q4): 0, (A6, Q4): None}),
    # A6: art. 60 1 Jul - 30 Nov 2013 overlaps Q4 (RMI, VERH, TEWERK, SE, SZ); the 2012 one does not.
    # A5: no art. 60 job, leefloon -> RMI; A2: equivalent aid -> MH; A1: nothing
    ("ocmw_regulation", {}, {(A6, Q4): "RMI", (A5, Q4): "RMI", (A2, Q4): "MH", (A1, Q4): None}),
    ("ocmw_intervention_kind", {}, {(A6, Q4): "VERH", (A5, Q4): None}),
    ("ocmw_activation_type", {}, {(A6, Q4): "TEWERK", (A5, Q4): None}),
    ("ocmw_programme_type", {}, {(A6, Q4): "SE"}),
    ("ocmw_employment_purpose", {}, {(A6, Q4): "SZ"}),
    ("unemployment_measure", {}, {(A5, Q4): "activering", (A2, Q4): None, (A1, Q4): None}),
    # A5: 50.00 EUR a day x 26 = 1,300.00 EUR a month; A2 (SWT): 40.00 x 26 = 1,040.00
    ("unemployment_benefit_class", RAW, {(A5, Q4): 1300.0, (A2, Q4): 1040.0, (A1, Q4): None}),
    # the default scheme amount_generic (classes of 500 EUR): 1,300 and 1,040 are in class 03 (1,000-1,500)
    ("unemployment_benefit_class", {}, {(A5, Q4): "03", (A2, Q4): "03"}),
    # A6's PRIM spells in 2013: 1 Jan - 28 Feb (59 days; the spell began 1 Nov 2012), 15 Feb - 10 Mar
    # overlapping it (only 1-10 Mar is new: 10), 20-31 Dec (12; runs on into 2014); INV not counted
    # -> 59 + 10 + 12 = 81.  Year 2012: 1 Nov - 31 Dec = 61.  Default year = the point's (2009): 0.
    ("primary_incapacity_days", {"year": 2013}, {(A6, Q4): 81, (A1, Q4): 0}),
    ("primary_incapacity_days", {"year": 2012}, {(A6, Q4): 61}),
    ("primary_incapacity_days", {}, {(A6, Q4): 81, (A6, Q09): 0}),
]
# Work intensity by both definitions (its golden values for definition 1 at 21/150's points live in
# test_variables.py, so the name is not in GOLDEN_NAMES): H10 1.0 / 2 = 0.5 and 0.740385 / 2 = 0.370;
# H11 0 / 1 = 0.0; H12 FTE max 0 -> empty.
WORK_INTENSITY: list[tuple[dict[str, Any], dict[tuple[str, int], Any]]] = [
    ({}, {(A1, Q4): 0.5, (A5, Q4): 0.0, (A7, Q4): None, (A6, Q4): None}),
    ({"definition": 1}, {(A2, Q4): 0.5}),
    ({"definition": 2}, {(A1, Q4): 0.37, (A3, Q4): 0.37, (A5, Q4): 0.0, (A7, Q4): None}),
]

GOLDEN_NAMES: set[str] = {name for name, _, _ in GOLDEN}

_results: dict[str, dict[tuple[str, int], Any]] = {}
_engines: dict[str, engine.Engine] = {}


@pytest.fixture(scope="session")
def se_persons_wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return tw.build(tmp_path_factory.mktemp("se_persons") / "wh")


@pytest.fixture(scope="module", autouse=True)
def _close_engines() -> Iterator[None]:
    yield
    for e in _engines.values():
        e.close()
    _engines.clear()


def _values(
    backend: str, name: str, options: dict[str, Any], wh: Warehouse, spark: Any
) -> dict[tuple[str, int], Any]:
    key = f"{backend}:{name}:{json.dumps(options, sort_keys=True)}"
    if key not in _results:
        from crossroads.engine.extract import variables_at

        if backend not in _engines:
            _engines[backend] = engine.connect(wh, backend, spark=spark)  # type: ignore[arg-type]
        pts = pa.table(
            {"insz": [p for p, _ in POINTS], "ref_quarter": pa.array([q for _, q in POINTS], pa.int32())}
        )
        t = variables_at(_engines[backend], pts, [(name, options)])
        _results[key] = dict(
            zip(
                zip(t["insz"].to_pylist(), t["ref_quarter"].to_pylist(), strict=True),
                t[name].to_pylist(),
                strict=True,
            )
        )
    return _results[key]


def _spark(backend_name: str, request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue("spark_session") if backend_name == "spark" else None


@pytest.mark.parametrize(
    ("name", "options", "expected"), GOLDEN, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(GOLDEN)]
)
def test_golden(
    name: str,
    options: dict[str, Any],
    expected: dict[tuple[str, int], Any],
    backend_name: str,
    se_persons_wh: Warehouse,
    request: pytest.FixtureRequest,
) -> None:
    got = _values(backend_name, name, options, se_persons_wh, _spark(backend_name, request))
    for point, value in expected.items():
        assert got[point] == value, (name, options, point)


@pytest.mark.parametrize(("options", "expected"), WORK_INTENSITY)
def test_work_intensity_definitions(
    options: dict[str, Any],
    expected: dict[tuple[str, int], Any],
    backend_name: str,
    se_persons_wh: Warehouse,
    request: pytest.FixtureRequest,
) -> None:
    got = _values(
        backend_name, "household_work_intensity", options, se_persons_wh, _spark(backend_name, request)
    )
    for point, value in expected.items():
        assert got[point] == value, (options, point)


@pytest.mark.spark
@pytest.mark.parametrize(
    ("name", "options", "expected"), GOLDEN, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(GOLDEN)]
)
def test_duckdb_and_spark_agree(
    name: str, options: dict[str, Any], expected: Any, se_persons_wh: Warehouse, spark_session: Any
) -> None:
    assert _values("duckdb", name, options, se_persons_wh, None) == _values(
        "spark", name, options, se_persons_wh, spark_session
    )


def test_bad_options_refused(se_persons_wh: Warehouse) -> None:
    from crossroads import catalog

    with engine.connect(se_persons_wh) as e:
        pts = e.register_arrow("p", pa.table({"insz": [A1], "ref_quarter": pa.array([Q4], pa.int32())}))
        with pytest.raises(ValueError, match="definition"):
            catalog.get("household_fte").derive(e, pts, {"definition": 3})
        with pytest.raises(ValueError, match="year"):
            catalog.get("primary_incapacity_days").derive(e, pts, {"year": "last"})
        with pytest.raises(ValueError, match="unknown option"):
            catalog.get("household_fte_max").derive(e, pts, {"definition": 2})
