"""The engine's dataset units of issue 6 on a tiny permit and warehouse (``tiny_extract``), both engines.

Units person, person-record, employer, job-quarter and aggregate; employer target groups; ``params.input``
resolved to the version's ProviderInput; ``group_membership`` flags; employer variables through the
person's main employer; refusals of unit mismatches. The catalog variables and population rules used here
are test-only (monkeypatched into the registries) so the tests do not depend on other modules' wording.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pytest
import tiny_extract as tx

from crossroads import catalog, engine, permits
from crossroads.catalog import jobs
from crossroads.catalog import periods as xp
from crossroads.catalog.model import Variable, spell_at
from crossroads.engine import parity, population
from crossroads.engine.backends import EngineError
from crossroads.extraction import hide_small_counts
from crossroads.permits.model import ProviderInput
from crossroads.warehouse.storage import Warehouse

A1, A2, A3, A4, A5, A6 = (tx.A[i] for i in range(1, 7))
E1, E2, E3, E4 = tx.E1, tx.E2, tx.E3, tx.E4


# ----------------------------------------------------------------------------- test-only catalog and rules
def _age(src: Any, points: ir.Table) -> ir.Table:
    p = src.table("person").select("insz", "birth_date")
    j = points.join(p, "insz")
    return j.select("insz", "ref_quarter", value=xp.age_on(j.birth_date, j.ref_date))


def _municipality(src: Any, points: ir.Table) -> ir.Table:
    s = spell_at(points, src.table("residence"))
    return s.select("insz", "ref_quarter", value=s.nis_code)


def _emp_tag(src: Any, points: ir.Table) -> ir.Table:
    return points.select("enterprise_number", "ref_quarter", value=points.enterprise_number.right(3))


def _emp_nis(src: Any, points: ir.Table) -> ir.Table:
    e = src.table("employer").select("enterprise_number", "nis_code")
    j = points.join(e, "enterprise_number")
    return j.select("enterprise_number", "ref_quarter", value=j.nis_code)


def _job_days(src: Any, points: ir.Table) -> ir.Table:
    occ = jobs.occupations(src)
    j = points.join(
        occ,
        (points.insz == occ.insz)
        & (points.enterprise_number == occ.enterprise_number)
        & (points.ref_quarter == occ.quarter),
    )
    g = j.group_by([points.insz, points.enterprise_number, points.ref_quarter]).aggregate(
        value=(j.days.sum() / 100).cast("int64")
    )
    return g


def _cert_level(src: Any, points: ir.Table) -> ir.Table:
    return points.select("insz", "record_id", value=points.level)


def _naric_level(src: Any, points: ir.Table) -> ir.Table:
    return points.select("insz", "record_id", value=points.diploma_level)


def _var(name: str, unit: Any, derivation: Any, value_type: Any = "string", **kw: Any) -> Variable:
    return Variable(name, name, name, unit, (), derivation, f"test-only {name}", value_type=value_type, **kw)


TEST_VARIABLES = [
    _var("t_age", "person-year", _age, "int"),
    _var("t_municipality", "person-quarter", _municipality),
    _var("t_emp_tag", "employer", _emp_tag),
    _var("t_emp_nis", "employer", _emp_nis),
    _var("t_job_days", "job", _job_days, "int"),
    _var("t_cert_level", "record", _cert_level, record_table="certificate", record_key="certificate_id"),
    _var("t_naric_level", "record", _naric_level, record_table="naric_recognition", record_key="decision_id"),
]


def _listed(key: str) -> Any:
    def members(eng: Any, first: int, last: int, params: dict[str, Any]) -> ir.Table:
        inp = params["input"]
        # The engine hands the rule the version's ProviderInput, not the input's name.
        assert isinstance(inp, ProviderInput)
        year = inp.reference_date.year if inp.reference_date is not None else first
        t = eng.table(inp.table)
        return t.select(key, year=ibis.literal(year, "int32")).distinct()

    return members


def _with_staff(eng: Any, first: int, last: int, params: dict[str, Any]) -> ir.Table:
    dec = eng.table("dmfa_employer_declaration")
    q = int(params["quarter"])
    return (
        dec.filter(dec.quarter == q)
        .select("enterprise_number", year=ibis.literal(q // 10, "int32"))
        .distinct()
    )


TEST_RULES = [
    population.PopulationRule("t_listed_persons", "t", "t", (), _listed("insz"), frozenset({"input"})),
    population.PopulationRule(
        "t_listed_employers", "t", "t", (), _listed("enterprise_number"), frozenset({"input"}), "employer"
    ),
    population.PopulationRule("t_with_staff", "t", "t", (), _with_staff, frozenset({"quarter"}), "employer"),
]


@pytest.fixture(scope="module", autouse=True)
def _registries() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        for v in TEST_VARIABLES:
            mp.setitem(catalog._BY_NAME, v.name, v)
        for r in TEST_RULES:
            mp.setitem(population._RULES, r.name, r)
        yield


# ----------------------------------------------------------------------------- the tiny permit
HEADER = """
number: "99/001"
title: test permit
committee: test
decision_date: 2014-01-01
kind: research
requester: R
controller: R
organisations: {R: research, K: hub}
versions:
  - version: 1
    label: original
    approved: 2014-01-01
    effective: 2014-01-01
    purpose: test
    legal_basis: test
    input_unit: {organisation: K, unit: in}
    output_unit: {organisation: R, unit: out}
    roles: [researcher]
    phases: [1, 2]
    retention: {until: 2030-12-31}
    disclosure: {min_cell: 2}
    inputs:
      - {name: cert_holders, provider: {organisation: K, unit: in}, key: insz, table: certificate,
         reference_date: 2013-12-31, description: persons with a certificate}
      - {name: employer_list, provider: {organisation: K, unit: in}, key: enterprise, table: employer,
         reference_date: 2013-12-31, description: every employer}
"""

GROUPS = """
    target_groups:
      - {name: listed, label: listed, rule: t_listed_persons, params: {input: cert_holders}{listed_size}}
      - {name: residents, label: residents, rule: residents, years: {first: 2013, last: 2013}{residents_size}}
      - {name: all_employers, label: employers, entity: employer, rule: t_listed_employers,
         params: {input: employer_list}}
      - {name: with_staff, label: with staff, entity: employer, rule: t_with_staff, params: {quarter: 20134}}
"""

DATASETS = """
    datasets:
      - name: people
        label: people
        unit: person
        population: [listed, residents]
        reference_date: 2013-12-31
        variables: [{name: group_membership}, {name: t_age}, {name: t_municipality}, {name: t_emp_tag},
                    {name: employer_seq}]
      - name: jobs
        label: jobs
        unit: job-quarter
        population: residents
        reference_date: 2013-12-31
        variables: [{name: employer_seq}, {name: t_job_days}, {name: t_emp_tag}, {name: t_age}]
      - name: certs
        label: certificates
        unit: person-record
        population: listed
        variables: [{name: group_membership}, {name: t_cert_level}, {name: t_age}]
      - name: firms
        label: employers
        unit: employer
        population: [all_employers, with_staff]
        reference_date: 2013-12-31
        variables: [{name: employer_seq}, {name: group_membership}, {name: t_emp_tag}]
      - name: by_municipality
        label: persons per municipality
        unit: aggregate
        population: residents
        reference_date: 2013-12-31
        variables: [{name: t_municipality}, {name: person_count}]
      - name: around
        label: a window of quarters
        unit: person-quarter
        population: [listed, residents]
        window: {reference: 2013-12-31, quarters_before: 2, quarters_after: 1}
        variables: [{name: group_membership}, {name: t_age}]
      - name: firms_by_municipality
        label: employers per municipality
        unit: aggregate
        population: all_employers
        reference_date: 2013-12-31
        variables: [{name: t_emp_nis}, {name: employer_count}]
"""


def permit_text(
    datasets: str = DATASETS, listed_size: int | None = None, residents_size: int | None = None
) -> str:
    groups = GROUPS.replace("{listed_size}", f", sample_size: {listed_size}" if listed_size else "")
    groups = groups.replace("{residents_size}", f", sample_size: {residents_size}" if residents_size else "")
    return HEADER + groups + datasets


def version(text: str | None = None) -> Any:
    return permits.load_text(text or permit_text()).version(1)


@pytest.fixture(scope="session")
def units_wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return tx.build(tmp_path_factory.mktemp("units") / "wh")


_RUNS: dict[tuple[str, int], Any] = {}


def _extract(
    backend: str,
    wh: Warehouse,
    request: pytest.FixtureRequest,
    phase: int = 2,
    text: str | None = None,
    seed: int = 7,
) -> Any:
    spark = request.getfixturevalue("spark_session") if backend == "spark" else None
    try:
        return engine.extract(version(text), wh, phase=phase, seed=seed, backend=backend, spark=spark)  # type: ignore[arg-type]
    finally:
        if spark is not None:
            spark.catalog.clearCache()  # the engine's cached tables would fill the shared test session


@pytest.fixture
def run(backend_name: str, units_wh: Warehouse, request: pytest.FixtureRequest) -> Any:
    key = (backend_name, 2)
    if key not in _RUNS:
        _RUNS[key] = _extract(backend_name, units_wh, request)
    return _RUNS[key]


def rows(table: pa.Table) -> list[dict[str, Any]]:
    """In key order (the keys are the first columns); the engine orders persons and employers at random."""
    return table.sort_by([(c, "ascending") for c in table.column_names]).to_pylist()


# ----------------------------------------------------------------------------- units
def test_person_unit_with_flags_and_main_employer(run: Any) -> None:
    t = run.datasets["people"]
    assert t.column_names == [
        "insz", "in_listed", "in_residents", "enterprise_number", "t_age", "t_municipality", "t_emp_tag",
    ]  # fmt: skip
    assert rows(t) == [
        # listed = certificate holders A1, A2, A5; residents on 31 Dec 2013 = A1-A5 (A6 abroad).
        # age on 31 Dec 2013: A1 born 15 Jun 1980 -> 33; A2 1 Jan 1990 -> 23; A3 1 Mar 1985 -> 28;
        # A4 (1970) 43; A5 (1960) 53
        # main employer = largest FTE in 2013 Q4: A1 E1 (456 h) over E2 (76 h); A5 has no job
        {"insz": A1, "in_listed": 1, "in_residents": 1, "enterprise_number": E1, "t_age": 33,
         "t_municipality": "11001", "t_emp_tag": "101"},
        {"insz": A2, "in_listed": 1, "in_residents": 1, "enterprise_number": E1, "t_age": 23,
         "t_municipality": "11001", "t_emp_tag": "101"},
        {"insz": A3, "in_listed": 0, "in_residents": 1, "enterprise_number": E2, "t_age": 28,
         "t_municipality": "11016", "t_emp_tag": "202"},
        {"insz": A4, "in_listed": 0, "in_residents": 1, "enterprise_number": E3, "t_age": 43,
         "t_municipality": "11009", "t_emp_tag": "303"},
        {"insz": A5, "in_listed": 1, "in_residents": 1, "enterprise_number": None, "t_age": 53,
         "t_municipality": "11013", "t_emp_tag": None},
    ]  # fmt: skip
    assert run.identifier_columns["people"] == {"insz": "person", "enterprise_number": "employer"}


def test_job_quarter_unit(run: Any) -> None:
    t = run.datasets["jobs"]
    assert t.column_names[:3] == ["insz", "enterprise_number", "quarter"]
    got = [
        (r["insz"], r["enterprise_number"], r["quarter"], r["t_job_days"], r["t_emp_tag"], r["t_age"])
        for r in rows(t)
    ]
    # every 2013 Q4 job of the residents: days = hundredths / 100; tag = last 3 digits; age on 31 Dec 2013
    assert got == [
        (A1, E1, 20134, 60, "101", 33),
        (A1, E2, 20134, 10, "202", 33),
        (A2, E1, 20134, 60, "101", 23),
        (A3, E2, 20134, 60, "202", 28),
        (A4, E3, 20134, 60, "303", 43),
    ]
    assert run.identifier_columns["jobs"] == {"insz": "person", "enterprise_number": "employer"}


def test_person_record_unit(run: Any) -> None:
    t = run.datasets["certs"]
    assert t.column_names == ["insz", "record_seq", "in_listed", "t_cert_level", "t_age"]
    # listed = A1, A2, A5 -> their certificates; age at the end of the certificate's quarter:
    # #11 30 Jun 2010: A1 (15 Jun 1980) 30; #12 2014 Q1 -> 31 Mar 2014: 33; #21 30 Jun 2012: A2 22;
    # #51 2013 Q1 -> 31 Mar 2013: A5 (1 Jan 1960) 53
    # record_seq numbers each person's certificates by date: A1 #11 (2010) 1, #12 (2014) 2
    assert [(r["insz"], r["record_seq"], r["in_listed"], r["t_cert_level"], r["t_age"]) for r in rows(t)] == [
        (A1, 1, 1, "secondary", 30),
        (A1, 2, 1, "bachelor", 33),
        (A2, 1, 1, "secondary", 22),
        (A5, 1, 1, "secondary", 53),
    ]


def test_employer_unit_and_groups(run: Any) -> None:
    t = run.datasets["firms"]
    assert t.column_names == ["enterprise_number", "in_all_employers", "in_with_staff", "t_emp_tag"]
    # all four listed employers; E4 has nobody in the 2013 Q4 DmfA -> not in with_staff
    assert [tuple(r.values()) for r in rows(t)] == [
        (E1, 1, 1, "101"),
        (E2, 1, 1, "202"),
        (E3, 1, 1, "303"),
        (E4, 1, 0, "404"),
    ]
    assert run.identifier_columns["firms"] == {"enterprise_number": "employer"}
    # groups without years: the year of params.quarter (20134) or of the input's reference date
    assert run.population_counts["all_employers"] == 4
    assert run.population_counts_by_year["with_staff"] == {2013: 3}
    assert run.population_counts_by_year["listed"] == {2013: 3}


def test_window_with_flags(run: Any) -> None:
    t = run.datasets["around"]
    assert t.column_names == [
        "insz",
        "year",
        "quarter",
        "measure_quarter",
        "in_listed",
        "in_residents",
        "t_age",
    ]
    got = [(r["insz"], r["quarter"], r["in_listed"], r["in_residents"], r["t_age"]) for r in rows(t)]
    # 2 quarters up to and including 2013 Q4 (the reference day's quarter), 1 after: 2013 Q3, Q4, 2014 Q1;
    # flags: member in any year of the group (listed A1, A2, A5; residents A1-A5); yearly t_age measured on
    # the reference day (measure_quarter 20134): 33, 23, 28, 43, 53
    expected = []
    for person, listed, age in ((A1, 1, 33), (A2, 1, 23), (A3, 0, 28), (A4, 0, 43), (A5, 1, 53)):
        expected += [(person, q, listed, 1, age) for q in (20133, 20134, 20141)]
    assert got == expected
    assert set(t.column("measure_quarter").to_pylist()) == {20134}


def test_window_quarters_of_15_018() -> None:
    from datetime import date

    from crossroads.engine.windows import window_quarters

    # S001-8: 8 quarters before and 20 after 31 Dec 2008 = 2007 Q1 .. 2008 Q4 and 2009 Q1 .. 2013 Q4
    q = window_quarters(date(2008, 12, 31), 8, 20)
    assert len(q) == 28 and q[:2] == [20071, 20072] and q[7:9] == [20084, 20091] and q[-1] == 20134
    # a reference day inside a quarter: that quarter is still the last "before" quarter
    assert window_quarters(date(2008, 11, 15), 1, 1) == [20084, 20091]


def test_aggregates(run: Any) -> None:
    # residents by municipality: 11001 A1, A2; 11009 A4; 11013 A5; 11016 A3
    assert rows(run.datasets["by_municipality"]) == [
        {"t_municipality": "11001", "person_count": 2},
        {"t_municipality": "11009", "person_count": 1},
        {"t_municipality": "11013", "person_count": 1},
        {"t_municipality": "11016", "person_count": 1},
    ]
    # employers by the employer's municipality: E1 11001, E2 11002, E3 and E4 11009
    assert rows(run.datasets["firms_by_municipality"]) == [
        {"t_emp_nis": "11001", "employer_count": 1},
        {"t_emp_nis": "11002", "employer_count": 1},
        {"t_emp_nis": "11009", "employer_count": 2},
    ]
    assert run.aggregates == {
        "by_municipality": ["person_count"],
        "firms_by_municipality": ["employer_count"],
    }
    assert run.identifier_columns["by_municipality"] == {}
    # min_cell 2: counts of 1 are replaced by a mere mention
    hidden = hide_small_counts(run.datasets["firms_by_municipality"], ["employer_count"], 2)
    assert rows(hidden) == [
        {"t_emp_nis": "11001", "employer_count": None, "below_min_cell": 1},
        {"t_emp_nis": "11002", "employer_count": None, "below_min_cell": 1},
        {"t_emp_nis": "11009", "employer_count": 2, "below_min_cell": 0},
    ]


def test_phase_1_draws_per_group(
    backend_name: str, units_wh: Warehouse, request: pytest.FixtureRequest
) -> None:
    text = permit_text(listed_size=2, residents_size=2)
    result = _extract(backend_name, units_wh, request, phase=1, text=text, seed=11)
    draws = result.sample["draws"]
    assert draws["listed"]["population"] == 3 and draws["listed"]["drawn"] == 2
    assert draws["residents"]["population"] == 5 and draws["residents"]["drawn"] == 2
    people = rows(result.datasets["people"])
    # each person's flag says whether they were drawn for that group; a person can be drawn in both
    assert sum(r["in_listed"] for r in people) == 2
    assert sum(r["in_residents"] for r in people) == 2
    assert all(r["in_listed"] or r["in_residents"] for r in people)
    # employer groups without sample_size are not sampled
    assert result.datasets["firms"].num_rows == 4
    if backend_name == "spark":
        duck = _extract("duckdb", units_wh, request, phase=1, text=text, seed=11)
        assert parity.diff_tables(duck.datasets["people"], result.datasets["people"]) == []


def test_engines_agree(units_wh: Warehouse, request: pytest.FixtureRequest) -> None:
    pytest.importorskip("pyspark")
    a = _RUNS.get(("duckdb", 2)) or _extract("duckdb", units_wh, request)
    b = _RUNS.get(("spark", 2)) or _extract("spark", units_wh, request)
    for name, table in a.datasets.items():
        assert parity.diff_tables(table, b.datasets[name]) == [], name


test_engines_agree = pytest.mark.spark(test_engines_agree)


# ----------------------------------------------------------------------------- refusals
def _one(dataset: str) -> str:
    return "\n    datasets:\n" + dataset


@pytest.mark.parametrize(
    ("dataset", "message"),
    [
        (
            """      - {name: d, label: d, unit: employer, population: all_employers,
         reference_date: 2013-12-31, variables: [{name: t_age}]}
""",
            "describes a person",
        ),
        (
            """      - {name: d, label: d, unit: person, population: residents, reference_date: 2013-12-31,
         variables: [{name: t_job_days}]}
""",
            "only available in job-quarter datasets",
        ),
        (
            """      - {name: d, label: d, unit: person-record, population: listed,
         variables: [{name: t_cert_level}, {name: t_naric_level}]}
""",
            "several record tables",
        ),
        (
            """      - {name: d, label: d, unit: person, population: all_employers,
         reference_date: 2013-12-31, variables: [{name: t_emp_tag}]}
""",
            "needs person target groups",
        ),
        (
            """      - {name: d, label: d, unit: person, population: residents,
         variables: [{name: t_age}]}
""",
            "needs a reference_date",
        ),
        (
            """      - {name: d, label: d, unit: aggregate, population: residents, reference_date: 2013-12-31,
         variables: [{name: t_municipality}, {name: employer_count}]}
""",
            "counts employers",
        ),
    ],
)
def test_unit_mismatches_are_refused(units_wh: Warehouse, dataset: str, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        engine.extract(version(permit_text(_one(dataset))), units_wh, phase=2, seed=1)


def test_unknown_input_is_refused(units_wh: Warehouse) -> None:
    text = permit_text().replace("params: {input: cert_holders}", "params: {input: no_such_input}")
    with pytest.raises(EngineError, match=r"params\.input 'no_such_input' is not an input"):
        engine.extract(version(text), units_wh, phase=2, seed=1)
