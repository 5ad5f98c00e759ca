"""Employer variables of 15/018 (unit ``employer``) on both engines: golden values computed by hand on
``tiny_social_economy`` (see its docstring for the employers, lists and DmfA lines).

Points: employers at 2013 Q4 (31 Dec 2013), E1 also at 2012 Q4, E3 also at 2008 Q4.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

sys.path.insert(0, str(Path(__file__).parent))

import tiny_social_economy as tse

from crossroads import catalog, codelists, engine
from crossroads.catalog import periods as xp
from crossroads.catalog import social_economy as se
from crossroads.warehouse.storage import Warehouse

E1, E2, E3, E4, E5 = tse.E1, tse.E2, tse.E3, tse.E4, tse.E5
Q13, Q12, Q08 = 20134, 20124, 20084
POINTS = [(E1, Q13), (E1, Q12), (E2, Q13), (E3, Q13), (E3, Q08), (E4, Q13), (E5, Q13)]
RAW: dict[str, Any] = {"scheme": None}
# As the permit's YAML gives them (unquoted dates are dates); the other case passes strings.
PERMIT_TURNOVER = {"from": date(2012, 12, 31), "to": date(2013, 12, 31), "scheme": None}

SURVEY_NAMES = {f"survey_{c}" for c, _, _ in se.SURVEY}
GOLDEN_NAMES: set[str] = {
    "employer_nace",
    "employer_size_class",
    "activity_sector",
    "employer_location",
    "local_unit_location",
    "organisation_type",
    "work_form",
    "provider_activity",
    "provider_sector",
    "liquidity_ratio",
    "solvency_ratio",
    "profitability_ratio",
    "credit_policy_ratio",
    "investment_policy_ratio",
    "employer_municipality",
    "employer_jobs",
    "employer_jobs_fte_class",
    "employer_turnover_pct",
    "public_body_type",
    *SURVEY_NAMES,
}

# (variable, options, {point: value}); the hand computation next to each value.
CASES: list[tuple[str, dict[str, Any], dict[tuple[str, int], Any]]] = [
    ("employer_nace", RAW, {(E1, Q13): "81300", (E4, Q13): None, (E5, Q13): None}),
    # employer_year of the point's year: E1 2013 "1" (3 workers); E2 has only a 2012 row -> empty in 2013
    ("employer_size_class", RAW, {(E1, Q13): "1", (E4, Q13): "1", (E2, Q13): None, (E5, Q13): None}),
    # NACE division 81 -> M-N; 47 -> G-I; 88 -> O-Q; E4 has no NACE; E5 is not in the registers
    (
        "activity_sector",
        RAW,
        {(E1, Q13): "M-N", (E2, Q13): "G-I", (E3, Q13): "O-Q", (E4, Q13): None, (E5, Q13): None},
    ),
    # default level: Antwerpen 11002 and Hasselt 71072 are central cities -> their own code; Vilvoorde
    # 23088 -> arrondissement 23000; Brussel 21004 -> 21000
    (
        "employer_location",
        RAW,
        {(E1, Q13): "11002", (E2, Q13): "23000", (E3, Q13): "21000", (E4, Q13): "71072", (E5, Q13): None},
    ),
    (
        "employer_location",
        {"level": "municipality", "scheme": None},
        {(E2, Q13): "23088", (E1, Q13): "11002"},
    ),
    (
        "employer_location",
        {"level": "arrondissement", "scheme": None},
        {(E1, Q13): "11000", (E4, Q13): "71000"},
    ),
    # Brussels has no province -> region 04000; Vilvoorde -> Vlaams-Brabant 20001
    ("employer_location", {"level": "province", "scheme": None}, {(E3, Q13): "04000", (E2, Q13): "20001"}),
    # E1 2013 Q4 lines: U2 (P1, P3, P4) = 3, U1 (P2) = 1 -> U2 Gent 44021, a central city.
    # E1 2012 Q4: U1 (P5, P6) = 2, U2 (P3) = 1 -> U1 Boechout 11004 -> arrondissement 11000.
    # E2: no unit on its line -> empty. E4: U4 and U5 one line each -> lowest number U4 (Genk 71016).
    (
        "local_unit_location",
        RAW,
        {(E1, Q13): "44021", (E1, Q12): "11000", (E2, Q13): None, (E4, Q13): "71016", (E3, Q13): None},
    ),
    ("local_unit_location", {"level": "province", "scheme": None}, {(E1, Q13): "40000", (E4, Q13): "70000"}),
    # lists at the date: E1 on the agency's list (and the cooperatives') -> SIE; E2 cooperatives -> COOP
    # (registers: REG); E3 social purpose -> VSO in 2013 Q4, agency's 2008 list -> SIE in 2008 Q4; E1 in
    # 2012 Q4 on no list dated in that quarter -> registers' VZW; E5 unknown -> empty
    (
        "organisation_type",
        RAW,
        {
            (E1, Q13): "SIE",
            (E2, Q13): "COOP",
            (E3, Q13): "VSO",
            (E3, Q08): "SIE",
            (E4, Q13): "SIE",
            (E1, Q12): "VZW",
            (E5, Q13): None,
        },
    ),
    # E1 list MAAT beats registers BW (2013 Q4), registers in 2012 Q4; E3 2008 list SW, registers INV in
    # 2013; E4 on the 2013 list without a work form -> registers LDE
    (
        "work_form",
        RAW,
        {
            (E1, Q13): "MAAT",
            (E1, Q12): "BW",
            (E2, Q13): "NONE",
            (E3, Q13): "INV",
            (E3, Q08): "SW",
            (E4, Q13): "LDE",
            (E5, Q13): None,
        },
    ),
    (
        "provider_activity",
        RAW,
        {(E1, Q13): "GROEN", (E3, Q08): "SCHOON", (E3, Q13): None, (E4, Q13): "ANDERE"},
    ),
    ("provider_sector", RAW, {(E1, Q13): "MIL", (E3, Q08): "PDV", (E4, Q13): None, (E1, Q12): None}),
    # employer_year of the point's year: E1 2013 and 2012 rows; E2 has only 2012 -> empty in 2013
    ("liquidity_ratio", RAW, {(E1, Q13): 1.234, (E1, Q12): 0.9, (E2, Q13): None}),
    ("solvency_ratio", RAW, {(E1, Q13): 0.35, (E1, Q12): 0.3}),
    ("profitability_ratio", RAW, {(E1, Q13): -0.05, (E1, Q12): 0.02}),
    ("credit_policy_ratio", RAW, {(E1, Q13): 45.5, (E1, Q12): 60.0}),
    ("investment_policy_ratio", RAW, {(E1, Q13): 0.12, (E1, Q12): 0.2, (E4, Q13): None}),
    # default classes (schemes named after the ratios): 1.234 in [1, 1.5); 0.35 in [0.2, 0.4);
    # -0.05 in [-0.1, 0); 45.5 days in [30, 60); 0.12 in [0.1, 0.2)
    ("liquidity_ratio", {}, {(E1, Q13): "1-1.5", (E1, Q12): "0.5-1", (E2, Q13): None}),
    ("solvency_ratio", {}, {(E1, Q13): "0.2-0.4"}),
    ("profitability_ratio", {}, {(E1, Q13): "-0.1-0"}),
    ("credit_policy_ratio", {}, {(E1, Q13): "30-60", (E1, Q12): "60-90"}),
    ("investment_policy_ratio", {}, {(E1, Q13): "0.1-0.2", (E1, Q12): "0.2-0.4"}),
    ("employer_municipality", RAW, {(E1, Q13): "11002", (E3, Q13): "21004", (E5, Q13): None}),
    # on 31 Dec 2013: E1 P1 (from 1 Jan 2013), P2 (ends 31 Dec, inclusive), P4 (two occupations = one job);
    # P3 ended 30 Nov -> 3.  31 Dec 2012: P5, P6 (P3 ended 30 Dec) -> 2.  E2: P7 starts that day -> 1.
    # E3: nothing declared in 2013 Q4 -> 0.  E4: P9 and P0 -> 2.  E5: no declaration -> 0.
    (
        "employer_jobs",
        RAW,
        {(E1, Q13): 3, (E1, Q12): 2, (E2, Q13): 1, (E3, Q13): 0, (E4, Q13): 2, (E5, Q13): 0},
    ),
    # FTE: E1 P1 38/38 = 1 + P2 19/38 = 0.5 + P4 (30 + 19)/38 = 1.29 capped at 1 -> 2.5; 2012: 1 + 0.5 = 1.5;
    # E2 30.4/38 = 0.8; E3 0; E4 P9 1 + P0 unknown (reference hours 0) -> 1.0
    (
        "employer_jobs_fte_class",
        RAW,
        {(E1, Q13): 2.5, (E1, Q12): 1.5, (E2, Q13): 0.8, (E3, Q13): 0.0, (E4, Q13): 1.0},
    ),
    # default scheme employer_fte: 2.5 in [1, 5) -> "1"; 0.8 in [0, 1) -> "0"; 0.0 -> "0"
    ("employer_jobs_fte_class", {}, {(E1, Q13): "1", (E2, Q13): "0", (E3, Q13): "0"}),
    # 100 x (J(31 Dec 2013) - J(31 Dec 2012)) / J(31 Dec 2013): E1 100 x (3 - 2) / 3 = 33.33;
    # E2 100 x (1 - 0) / 1 = 100; E3 J(to) = 0 -> empty (it had 1 job on 31 Dec 2012); E4 (2 - 0) / 2 = 100
    (
        "employer_turnover_pct",
        PERMIT_TURNOVER,
        {(E1, Q13): 33.33, (E2, Q13): 100.0, (E3, Q13): None, (E4, Q13): 100.0, (E5, Q13): None},
    ),
    # defaults: to = the point's day, from = 4 quarters earlier: same as above for 2013 Q4; E1 at 2012 Q4:
    # 31 Dec 2011 has no declaration -> 100 x (2 - 0) / 2 = 100
    ("employer_turnover_pct", RAW, {(E1, Q13): 33.33, (E1, Q12): 100.0}),
    # from 15 Nov 2013: P1, P2, P3 (until 30 Nov), P4 -> 4 jobs; to 31 Dec 2013: 3 -> 100 x (3 - 4) / 3
    (
        "employer_turnover_pct",
        {"from": "2013-11-15", "to": "2013-12-31", "scheme": None},
        {(E1, Q13): -33.33},
    ),
    # E1, E2 private (E2's category 399 is public in annex 27 -> OVER though marked PRIV); E3 PUBL with
    # private category 000 -> OVER; E4 category 750 -> LOK
    (
        "public_body_type",
        RAW,
        {(E1, Q13): "PRIV", (E2, Q13): "OVER", (E3, Q13): "OVER", (E4, Q13): "LOK", (E5, Q13): None},
    ),
    ("survey_innovation", RAW, {(E1, Q13): "4", (E2, Q13): None, (E3, Q13): None, (E1, Q12): "4"}),
    ("survey_hr_policy", RAW, {(E1, Q13): "FORMEEL", (E3, Q13): "GEEN", (E4, Q13): None}),
    ("survey_partnerships", RAW, {(E1, Q13): "10110", (E3, Q13): None}),
    *[
        (f"survey_{column}", RAW, {(E1, Q13): tse.TABLES["se_employer_survey"][0][column], (E2, Q13): None})
        for column, _, _ in se.SURVEY
        if column not in ("innovation", "hr_policy", "partnerships")
    ],
]


@pytest.fixture(scope="session")
def se_wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return tse.build(tmp_path_factory.mktemp("tiny_se") / "wh")


_engines: dict[str, engine.Engine] = {}
_results: dict[str, dict[tuple[str, int], Any]] = {}


@pytest.fixture(scope="module", autouse=True)
def _close_engines() -> Iterator[None]:
    yield
    for e in _engines.values():
        e.close()
    _engines.clear()
    _results.clear()


def _values(
    backend: str, name: str, options: dict[str, Any], wh: Warehouse, spark: Any
) -> dict[tuple[str, int], Any]:
    key = f"{backend}:{name}:{sorted(options.items())}"
    if key not in _results:
        if backend not in _engines:
            _engines[backend] = engine.connect(wh, backend, spark=spark)  # type: ignore[arg-type]
        e = _engines[backend]
        pts = e.register_arrow(
            "employer_points",
            pa.table(
                {
                    "enterprise_number": [p for p, _ in POINTS],
                    "ref_quarter": pa.array([q for _, q in POINTS], pa.int32()),
                }
            ),
        )
        pts = pts.mutate(
            ref_date=xp.quarter_end(pts.ref_quarter), ref_year=(pts.ref_quarter // 10).cast("int32")
        )
        t = e.to_arrow(catalog.get(name).derive(e, pts, dict(options)))
        keys = list(zip(t["enterprise_number"].to_pylist(), t["ref_quarter"].to_pylist(), strict=True))
        assert len(keys) == len(set(keys)), f"{name}: more than one row for a point"
        assert set(keys) <= set(POINTS)
        _results[key] = dict(zip(keys, t["value"].to_pylist(), strict=True))
    return _results[key]


def _spark(backend_name: str, request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue("spark_session") if backend_name == "spark" else None


def test_cases_cover_golden_names() -> None:
    assert {name for name, _, _ in CASES} == GOLDEN_NAMES
    assert all(catalog.get(n).unit == "employer" for n in GOLDEN_NAMES)


@pytest.mark.parametrize(
    ("name", "options", "expected"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_golden(
    name: str,
    options: dict[str, Any],
    expected: dict[tuple[str, int], Any],
    backend_name: str,
    se_wh: Warehouse,
    request: pytest.FixtureRequest,
) -> None:
    got = _values(backend_name, name, options, se_wh, _spark(backend_name, request))
    for point, value in expected.items():
        if isinstance(value, float):
            assert got.get(point) == pytest.approx(value), (name, point)
        else:
            assert got.get(point) == value, (name, point)


@pytest.mark.spark
@pytest.mark.parametrize("name", sorted(GOLDEN_NAMES))
def test_duckdb_and_spark_agree(name: str, se_wh: Warehouse, spark_session: Any) -> None:
    options = PERMIT_TURNOVER if name == "employer_turnover_pct" else RAW
    assert _values("duckdb", name, options, se_wh, None) == _values(
        "spark", name, options, se_wh, spark_session
    )


def test_bad_options_are_refused(se_wh: Warehouse) -> None:
    with engine.connect(se_wh, "duckdb") as e:
        pts = e.register_arrow(
            "p", pa.table({"enterprise_number": [E1], "ref_quarter": pa.array([Q13], pa.int32())})
        )
        pts = pts.mutate(
            ref_date=xp.quarter_end(pts.ref_quarter), ref_year=(pts.ref_quarter // 10).cast("int32")
        )
        with pytest.raises(ValueError, match="option 'level' must be one of"):
            catalog.get("employer_location").derive(e, pts, {"level": "werkwinkel"})
        with pytest.raises(ValueError, match="'from' must be before 'to'"):
            catalog.get("employer_turnover_pct").derive(e, pts, {"from": "2013-12-31", "to": "2012-12-31"})
        with pytest.raises(ValueError, match="must be a date"):
            catalog.get("employer_turnover_pct").derive(e, pts, {"from": "end of 2012"})
        with pytest.raises(ValueError, match="unknown option"):
            catalog.get("work_form").derive(e, pts, {"level": "province"})


def test_central_cities_and_labels() -> None:
    m = codelists.municipalities().set_index("nis_code")
    for code, name in se.CENTRAL_CITIES.items():
        assert m.loc[code, "name_nl"] == name
    labels = catalog.get("employer_location").value_labels()
    assert labels is not None
    assert labels["11002"] == "Antwerpen" and labels["23000"] == "arrondissement Halle-Vilvoorde"
    assert set(catalog.get("public_body_type").value_labels() or {}) >= {"LOK", "OVER", "PRIV"}
    assert (catalog.get("survey_partnerships").value_labels() or {}).get(
        "00000"
    ) == "samenwerking met niemand"
    assert catalog.get("work_form").value_labels() == catalog.get("work_form").value_labels()
    # every public category of annex 27 named in a group really is public
    grouped = {c for _, _, _, codes in se.PUBLIC_BODY_TYPES for c in codes}
    assert grouped <= se._public_categories()
