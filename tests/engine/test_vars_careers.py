"""The career variables of 21/128 (S003-3) and 15/018 (S001-8) on both engines, golden values by hand.

Warehouse: ``tiny_careers`` (its docstring describes every person). Points: C1-C7 at 2020 Q2 (30 Jun 2020)
and 2020 Q4 (31 Dec 2020), raw values (``scheme: null``) unless a test says otherwise. FTE arithmetic: the
reference person works 38 h a week, so a full quarter is 38 x 13 = 494 h (49400 in the DmfA's hundredths).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pyarrow as pa
import pytest
import tiny_careers as tw
from derived import rows_by_point, stored_table

from crossroads import catalog, engine
from crossroads.warehouse.storage import Warehouse

C1, C2, C3, C4, C5, C6, C7, C8 = (tw.C[i] for i in range(1, 9))
Q2, Q4 = 20202, 20204
POINTS = [(tw.C[i], q) for i in range(1, 9) for q in (Q2, Q4)]
RAW = {"scheme": None}
NOTHING = {(C7, Q2): None, (C7, Q4): None}

GOLDEN: dict[str, dict[tuple[str, int], Any]] = {
    # employers with an occupation running on the last day: C1 E1 and E2 (no end date) -> 2; C3's job
    # ended 15 May and C5's E1 job 31 May -> 0 and 1 (E2); nobody has a job in Q4; C7 nothing -> 0
    "jobs_wage_count": {(C1, Q2): 2, (C2, Q2): 1, (C3, Q2): 0, (C5, Q2): 1, (C6, Q2): 1, (C1, Q4): 0}
    | {(C7, Q2): 0},
    # + 1 for a self-employment spell on the last day: C1 SEC -> 3; C2 MAIN and HELP overlap -> still + 1
    # -> 2; C6 PENS -> 2; Q4: C1, C2 only self-employed -> 1; C4 benefits only -> 0
    "jobs_total_count": {(C1, Q2): 3, (C2, Q2): 2, (C6, Q2): 2, (C1, Q4): 1, (C2, Q4): 1, (C4, Q4): 0}
    | {(C3, Q2): 0, (C7, Q4): 0},
    # C1: E1 (running, 3,000 EUR) before E2 (running, 1,000 EUR); SEC does not outrank -> main job E1 = 1.
    # C2: one part-time job + self-employed MAIN -> self-employment is 1, the wage job 2.
    # C3: its only job (not running on 30 Jun) -> 1.  C5: main job by FTE is E1 (30400/49400 = 0.615 >
    #   9880/49400 = 0.2) but E2 runs on 30 Jun and E1 does not -> E2 first, E1 = 2.
    # C6: PENS self-employment, but the wage job is full time -> 1.  No wage job (C4, Q4) -> empty.
    "importance_code": {(C1, Q2): "1", (C2, Q2): "2", (C3, Q2): "1", (C5, Q2): "2", (C6, Q2): "1"}
    | {(C4, Q2): None, (C2, Q4): None}
    | NOTHING,
    # C1: 3800/3800 = 100 + 1520/3800 = 40 -> 140.0; C2 1900/3800 -> 50.0; C5: only E2 runs -> 50.0;
    # C3: nothing runs on 30 Jun -> the main job's 100.0
    "part_time_pct_cumulative": {(C1, Q2): 140.0, (C2, Q2): 50.0, (C5, Q2): 50.0, (C3, Q2): 100.0}
    | {(C6, Q2): 100.0, (C1, Q4): None},
    # all service days / 100: C1 50 + 10 (sickness) + 26 + 2 (unpaid) = 88; C2 32.5; C3 31; C5 40 + 13 = 53
    "days_in_service": {(C1, Q2): 88.0, (C2, Q2): 32.5, (C3, Q2): 31.0, (C5, Q2): 53.0, (C6, Q2): 65.0}
    | {(C1, Q4): None, (C4, Q2): None},
    # C1 E1: (38000 paid + 7600 sickness hours) / 49400 = 0.923077; E2: 26 days x (1520 / 200 = 7.6 h)
    #   = 19760 / 49400 = 0.4 (the 2 unpaid days, code 30, are left out) -> 1.323077 -> 1.3231.
    # C2 24700 / 49400 = 0.5; C3 31 days x 7.6 h = 23560 / 49400 = 0.476923 -> 0.4769;
    # C5 30400/49400 + 9880/49400 = 0.615385 + 0.2 = 0.815385 -> 0.8154; C6 49400/49400 = 1.0
    "fte_paid_days": {(C1, Q2): 1.3231, (C2, Q2): 0.5, (C3, Q2): 0.4769, (C5, Q2): 0.8154}
    | {(C6, Q2): 1.0, (C1, Q4): None},
    # C1 without the sickness days: 38000 / 49400 = 0.769231 + 0.4 = 1.169231 -> 1.1692; others as above
    "fte_excl_assimilated_days": {(C1, Q2): 1.1692, (C2, Q2): 0.5, (C3, Q2): 0.4769, (C5, Q2): 0.8154}
    | {(C4, Q2): None},
    # main job's worker code: C1 495 white-collar -> 2; C2 675 statutory -> 3; C3 015 blue-collar -> 1;
    # C5's main job (E1) 015 -> 1; C6 046 artist -> 4
    "worker_class": {(C1, Q2): "2", (C2, Q2): "3", (C3, Q2): "1", (C5, Q2): "1", (C6, Q2): "4"}
    | {(C1, Q4): None},
    # C1 U1 Antwerpen 11002 -> 11000; C2 U3 Brussel 21004 -> 21000; C3 U1 -> 11000; C5's main job has no
    # unit and E1 has two -> empty; C6 no unit, E2 has one (Gent 44021) -> 44000
    "local_unit_arrondissement": {(C1, Q2): "11000", (C2, Q2): "21000", (C3, Q2): "11000"}
    | {(C5, Q2): None, (C6, Q2): "44000", (C1, Q4): None},
    # raw dates; C2's MAIN spell (since 10 Mar 2015) describes C2, not the later HELP spell
    "self_employed_affiliation_date": {(C1, Q2): date(2019, 6, 1), (C2, Q4): date(2015, 3, 10)}
    | {(C6, Q2): date(2018, 2, 1), (C3, Q2): None},
    "self_employed_profession": {(C1, Q2): "consultant", (C2, Q2): "vrij beroep", (C4, Q2): None},
    "self_employed_sector": {(C1, Q4): "diensten", (C2, Q2): "vrije beroepen", (C6, Q2): "handel"},
    # income class of the quarter's year: C2 2020 -> 4 (2019 was 3); C6 0; C1 no row -> empty
    "self_employed_income_class": {(C2, Q2): "4", (C2, Q4): "4", (C6, Q4): "0", (C1, Q2): None},
    "self_employed_quality": {(C1, Q2): "SEC", (C2, Q2): "MAIN", (C6, Q2): "PENS", (C3, Q2): None},
    "self_employed_nace": {(C1, Q2): "70220", (C2, Q2): "69201", (C6, Q4): "47190"},
    "self_employed_contribution_code": {(C1, Q2): "BB", (C2, Q2): "HN", (C6, Q2): "PENS", (C4, Q2): None},
    # C3: UVW since 16 May 2020 (TIJD 1-30 Jun also covers 30 Jun: full unemployment wins): 30 Jun ->
    #   1 month (June, day 30 >= 16), 31 Dec -> 7.  C4: VRIJ, no unemployment_start, spell from 31 Aug
    #   2018: 30 Jun 2020 = 22 months minus 1 (day 30 < 31) = 21; 31 Dec 2020 = 28.
    #   C8: the period's start (1 Feb 2021) lies after 31 Dec 2020 -> no duration, but the status shows
    "unemployment_duration": {(C3, Q2): 1, (C3, Q4): 7, (C4, Q2): 21, (C4, Q4): 28, (C1, Q2): None}
    | {(C8, Q4): None},
    "unemployment_status": {(C3, Q2): "UVW", (C3, Q4): "UVW", (C4, Q2): "VRIJ", (C1, Q2): None}
    | {(C8, Q4): "UVW", (C8, Q2): None},
    # C4: leefloon 1 Jan - 30 Sep, equivalent aid 1 Oct - 30 Nov -> 31 Dec uncovered
    "social_assistance_status": {(C4, Q2): "LL", (C4, Q4): None, (C1, Q2): None},
    # C4: primary incapacity until 31 May, invalidity from 1 Jun
    "invalidity_status": {(C4, Q2): "INV", (C4, Q4): "INV", (C3, Q2): None},
}

# employer_kind has unit employer: measured at employer points (the engine takes the main employer's).
EMPLOYER_GOLDEN: dict[tuple[str, int], Any] = {
    (tw.E1, Q2): "PRIV",
    (tw.E3, Q2): "PUBL",
    ("0400000099", Q2): None,
}

GOLDEN_NAMES: set[str] = set(GOLDEN) | {"employer_kind"}

_results: dict[str, pa.Table] = {}
_engines: dict[str, engine.Engine] = {}


@pytest.fixture(scope="session")
def careers_wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return tw.build(tmp_path_factory.mktemp("careers") / "wh")


@pytest.fixture(scope="module", autouse=True)
def _close_engines() -> Iterator[None]:
    yield
    for e in _engines.values():
        e.close()
    _engines.clear()
    _results.clear()


def _engine(backend: str, wh: Warehouse, spark: Any) -> engine.Engine:
    if backend not in _engines:
        _engines[backend] = engine.connect(wh, backend, spark=spark)  # type: ignore[arg-type]
    return _engines[backend]


def _values(
    backend: str, name: str, wh: Warehouse, spark: Any, options: dict[str, Any] | None = None
) -> dict[tuple[str, int], Any]:
    opts = RAW if options is None else options
    key = f"{backend}:{name}:{sorted(opts.items())}"
    if key not in _results:
        from crossroads.engine.extract import variables_at

        pts = pa.table(
            {"insz": [p for p, _ in POINTS], "ref_quarter": pa.array([q for _, q in POINTS], pa.int32())}
        )
        _results[key] = variables_at(_engine(backend, wh, spark), pts, [(name, opts)])
    t = _results[key]
    return {
        (i, q): v
        for i, q, v in zip(
            t["insz"].to_pylist(), t["ref_quarter"].to_pylist(), t[name].to_pylist(), strict=True
        )
    }


def _spark(backend_name: str, request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue("spark_session") if backend_name == "spark" else None


@pytest.mark.parametrize("name", list(GOLDEN))
def test_golden(name: str, backend_name: str, careers_wh: Warehouse, request: pytest.FixtureRequest) -> None:
    got = _values(backend_name, name, careers_wh, _spark(backend_name, request))
    for point, expected in GOLDEN[name].items():
        assert got[point] == expected, (name, point, got[point])


@pytest.mark.parametrize("name", ["jobs_wage_count", "jobs_total_count"])
def test_job_counts_stored_without_their_zeros(
    name: str, backend_name: str, careers_wh: Warehouse, request: pytest.FixtureRequest
) -> None:
    """A run stores a job count only at the points with an occupation or a self-employment spell
    (``Variable.usual``); the others are 0, as the golden values say."""
    from crossroads.engine.extract import _point_columns

    e = _engine(backend_name, careers_wh, _spark(backend_name, request))
    pts = e.register_arrow(
        "count_points",
        pa.table(
            {"insz": [p for p, _ in POINTS], "ref_quarter": pa.array([q for _, q in POINTS], pa.int32())}
        ),
    )
    pts = e.materialise(_point_columns(e, "person", pts))
    var = catalog.get(name)
    assert var.usual == 0 and var.sparse_for(RAW)
    rows = e.to_arrow(var.derive(e, pts, RAW, sparse=True)).to_pylist()
    stored = {(r["insz"], r["ref_quarter"]): r["value"] for r in rows}
    assert len(stored) == len(rows)  # a point once
    # By hand (tiny_careers): occupations in 2020 Q2 for C1, C2, C3, C5, C6 (C3's ended on 15 May: 0
    # employers on the last day, still a row); self-employment on the last day for C1, C2, C6 in Q2 and
    # Q4 (C6's PENS spell since 2018 has no end).
    expected = {(C1, Q2): 2, (C2, Q2): 1, (C3, Q2): 0, (C5, Q2): 1, (C6, Q2): 1}
    if name == "jobs_total_count":
        expected = {**expected, (C1, Q2): 3, (C2, Q2): 2, (C6, Q2): 2}
        expected |= {(C1, Q4): 1, (C2, Q4): 1, (C6, Q4): 1}
    assert stored == expected


def test_employer_kind(backend_name: str, careers_wh: Warehouse, request: pytest.FixtureRequest) -> None:
    e = _engine(backend_name, careers_wh, _spark(backend_name, request))
    keys = list(EMPLOYER_GOLDEN)
    pts = e.register_arrow(
        "employer_points",
        pa.table(
            {
                "enterprise_number": [k for k, _ in keys],
                "ref_quarter": pa.array([q for _, q in keys], pa.int32()),
                "ref_date": pa.array([date(2020, 6, 30)] * len(keys), pa.date32()),
                "ref_year": pa.array([2020] * len(keys), pa.int32()),
            }
        ),
    )
    out = e.to_arrow(catalog.get("employer_kind").derive(e, pts, RAW))
    got = dict(
        zip(
            zip(out["enterprise_number"].to_pylist(), out["ref_quarter"].to_pylist(), strict=True),
            out["value"].to_pylist(),
            strict=True,
        )
    )
    assert got == EMPLOYER_GOLDEN


def test_default_schemes(backend_name: str, careers_wh: Warehouse, request: pytest.FixtureRequest) -> None:
    # dates leave as year-month (S003-3): 1 Jun 2019 -> 2019-06, 10 Mar 2015 -> 2015-03
    got = _values(
        backend_name, "self_employed_affiliation_date", careers_wh, _spark(backend_name, request), {}
    )
    assert got[(C1, Q2)] == "2019-06" and got[(C2, Q4)] == "2015-03" and got[(C3, Q2)] is None


SPELL_PICKS = {
    "self_employment": ["self_employed_profession", "self_employed_sector", "self_employed_quality"],
    "unemployment": ["unemployment_status", "unemployment_duration"],
}


def test_the_variables_of_one_spell_find_it_once(
    backend_name: str, careers_wh: Warehouse, request: pytest.FixtureRequest
) -> None:
    """Variables that pick a column of the self-employment (or unemployment) spell covering the point's day
    find that spell once per stored set of points (``careers._self_employment_at``): asked together, as a
    dataset asks them, they give the golden values, and on DuckDB (which stores blocks cheaply) one table
    holds those of each spell (``extract._Derivations``)."""
    from crossroads.engine.extract import _Derivations

    e = _engine(backend_name, careers_wh, _spark(backend_name, request))
    frame = e.register_arrow(
        "spell_frame",
        pa.table({"insz": [p for p, _ in POINTS], "quarter": pa.array([q for _, q in POINTS], pa.int32())}),
    )
    d = _Derivations(e)
    names = [n for picks in SPELL_PICKS.values() for n in picks]
    needs = {n: d.ask("ds", "person", "quarter", frame, catalog.get(n), RAW) for n in names}
    d.run()
    for name, need in needs.items():
        rows = rows_by_point(e, d.results[need])
        got = {(i, q): v for i, q, v in rows}
        assert len(got) == len(rows), name  # a point once
        for point, expected in GOLDEN[name].items():
            assert got.get(point) == expected, (name, point, got.get(point))

    def table(name: str) -> Any:
        return stored_table(d.results[needs[name]])

    if backend_name == "duckdb":
        for picks in SPELL_PICKS.values():
            assert len({table(n) for n in picks}) == 1, picks
        assert table("self_employed_sector") is not table("unemployment_status")


@pytest.mark.spark
@pytest.mark.parametrize("name", list(GOLDEN))
def test_duckdb_and_spark_agree(name: str, careers_wh: Warehouse, spark_session: Any) -> None:
    assert _values("duckdb", name, careers_wh, None) == _values("spark", name, careers_wh, spark_session)


def test_documented() -> None:
    """Every career variable has both labels, a description, sources, a requirement and value labels
    where its values are codes; value labels are non-empty."""
    for name in GOLDEN_NAMES:
        v = catalog.get(name)
        assert v.label_nl and v.label_en and v.description and v.sources, name
        assert v.requirement in ("S003-3", "S001-8"), name
        labels = v.value_labels()
        if v.value_type == "string" and name not in {
            "self_employed_profession",
            "self_employed_sector",
            "self_employed_affiliation_date",
        }:
            assert labels, name
    # the worker-class mapping covers the ordinary codes of DmfA annex 2 used above
    assert catalog.careers.worker_class_of_code()["015"] == "1"
    assert catalog.careers.worker_class_of_code()["495"] == "2"
