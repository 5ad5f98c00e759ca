"""The four example permits load, validate and say what their deliberations say (facts from the seeds)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crossroads.permits import Permit, PermitNotInForce, load

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "permits"
TODAY = date(2026, 11, 22)  # the project's "today": fixed, never the wall clock


@pytest.fixture(scope="module", params=["21-150", "15-018", "21-128", "19-072"])
def example(request: pytest.FixtureRequest) -> Permit:
    return load(EXAMPLES / f"{request.param}.yaml")


@pytest.fixture(scope="module")
def p21150() -> Permit:
    return load(EXAMPLES / "21-150.yaml")


@pytest.fixture(scope="module")
def p15018() -> Permit:
    return load(EXAMPLES / "15-018.yaml")


@pytest.fixture(scope="module")
def p21128() -> Permit:
    return load(EXAMPLES / "21-128.yaml")


@pytest.fixture(scope="module")
def p19072() -> Permit:
    return load(EXAMPLES / "19-072.yaml")


def test_every_example_loads_with_separate_units(example: Permit) -> None:
    assert example.slug == example.number.replace("/", "-")
    for version in example.versions:
        assert not version.input_unit.same_unit(version.output_unit)
        # Every population a dataset names is a target group of the same version.
        groups = {g.name for g in version.target_groups}
        assert all(set(d.populations) <= groups for d in version.datasets)


def test_21_150_populations_and_samples(p21150: Permit) -> None:
    v = p21150.version_in_force(date(2022, 1, 1))
    assert (p21150.decision_date, p21150.kind, v.phases) == (date(2021, 10, 5), "research", [1, 2])
    assert [g.name for g in v.target_groups] == ["workers_issuer", "workers_network", "users"]
    assert {g.rule for g in v.target_groups} == {
        "voucher_workers_issuer",
        "voucher_workers_network",
        "voucher_users",
    }
    for group in v.target_groups:
        assert group.params["domicile_region"] == "02000"  # Flemish Region
        assert group.years is not None and (group.years.first, group.years.last) == (2008, 2020)
    # S000-2: 1,000 workers drawn once from the union of both worker sources, and 1,000 users.
    assert [(d.name, d.groups, d.size) for d in v.sample_draws()] == [
        ("workers", ["workers_issuer", "workers_network"], 1000),
        ("users", ["users"], 1000),
    ]


def test_21_150_four_files(p21150: Permit) -> None:
    v = p21150.versions[0]
    assert [d.name for d in v.datasets] == [
        "workers_timeseries",
        "workers_inflow",
        "workers_outflow",
        "users_timeseries",
    ]
    inflow, outflow = v.dataset("workers_inflow"), v.dataset("workers_outflow")
    assert inflow.selection == "inflow" and inflow.measurement is not None
    assert (inflow.measurement.year_offset, inflow.measurement.quarter) == (-1, 4)  # Q4 of Y-1
    assert outflow.selection == "outflow" and outflow.measurement is not None
    assert (outflow.measurement.year_offset, outflow.measurement.quarter) == (1, 1)  # Q1 of Y+1
    after = {var.name for var in outflow.variables if var.after_outflow}
    # Footnote 2 of the seed: SEP, wage mass, daily wage, sector and work regime also after the outflow.
    assert after == {"sep", "wage_mass_class", "daily_wage_class", "sector", "work_regime"}
    users = {var.name for var in v.dataset("users_timeseries").variables}
    assert {"vouchers_bought", "new_user", "voucher_kind", "working"} <= users


def test_21_150_separation_of_functions_and_retention(p21150: Permit) -> None:
    v = p21150.versions[0]
    assert v.input_unit.organisation == v.output_unit.organisation == "DWSE"
    assert v.input_unit.unit != v.output_unit.unit
    assert v.retention.until == date(2024, 9, 1)
    assert v.retention.phase1_years_after_delivery == 3
    assert [i.key for i in v.inputs] == ["insz", "insz"]


def test_15_018_window_fallback_and_retention(p15018: Permit) -> None:
    v = p15018.versions[0]
    window = v.dataset("dynamics").window
    assert window is not None
    assert (window.reference, window.quarters_before, window.quarters_after) == (date(2008, 12, 31), 8, 20)
    assert v.disclosure.geographic_fallback == ["municipality", "werkwinkel", "arrondissement"]
    assert v.disclosure.min_cell == 5
    # S001-9: the operative decision (31 Mar 2017) governs over the request (31 Dec 2017).
    assert (v.retention.until, v.retention.requested_until) == (date(2017, 3, 31), date(2017, 12, 31))
    assert v.pseudonymisation.employers and v.pseudonymisation.employer_reidentification_risk
    age = {var.column_name: var.options for var in v.dataset("dynamics").variables}["age_class"]
    assert age == {"scheme": "age_2y"}
    keys = {i.name: i.key for i in v.inputs}
    assert keys["se_employer_list"] == "enterprise" and keys["se_employee_list_2013"] == "insz"
    columns = [var.column_name for var in v.dataset("employees").variables]
    assert {"work_intensity_def1", "work_intensity_def2", "fte_def1", "fte_def2"} <= set(columns)


def test_21_128_groups_and_dates_as_year_month(p21128: Permit) -> None:
    v = p21128.versions[-1]
    assert [(g.name, g.sample_size) for g in v.target_groups] == [
        ("naric_recognised", 20000),
        ("flemish_diploma_residents", 20000),
        ("foreign_born_residents", 20000),
    ]
    assert v.disclosure.dates_as_year_month and v.disclosure.amounts_in_classes
    assert v.retention.until == date(2031, 1, 31)
    assert [(x.version, x.approved, x.effective) for x in p21128.versions] == [
        (1, date(2021, 7, 6), date(2021, 7, 6)),
        (2, date(2024, 2, 6), date(2024, 2, 21)),
        (3, date(2025, 11, 4), date(2025, 11, 20)),
    ]
    # The amendments' content is not in the seed: the later versions inherit the conditions unchanged.
    assert p21128.versions[2].datasets == p21128.versions[0].datasets


def test_19_072_online_grant(p19072: Permit) -> None:
    v = p19072.versions[0]
    assert p19072.kind == "online_consultation" and v.phases == []
    assert v.online is not None
    assert v.online.blocks == [
        "90007",
        "90017",
        "90012",
        "90015",
        "90018",
        "90019",
        "90109",
        "90250",
        "90110",
        "90108",
        "90001",
    ]
    assert v.online.reference_directory and v.online.permanent and v.online.indefinite
    assert v.roles == ["dossier_handler", "inspector", "fines_handler"]
    assert {p.unit.unit for p in v.processors} == {
        "dienst-sociale-economie",
        "vlaamse-sociale-inspectie",
        "team-administratieve-geldboetes",
    }
    assert (v.retention.until, v.retention.years_after_record) == (None, 10)
    assert not v.pseudonymisation.persons


# --- lifetimes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "inside", "until"),
    [("15-018", date(2016, 6, 1), date(2017, 3, 31)), ("21-150", date(2023, 5, 1), date(2024, 9, 1))],
)
def test_expired_permits_are_refused_today_and_accepted_inside_their_lifetime(
    name: str, inside: date, until: date
) -> None:
    permit = load(EXAMPLES / f"{name}.yaml")
    with pytest.raises(PermitNotInForce) as caught:
        permit.version_in_force(TODAY)
    assert caught.value.until == until
    assert permit.number in str(caught.value) and until.isoformat() in str(caught.value)
    assert permit.version_in_force(inside).version == 1
    assert permit.version_in_force(until).version == 1  # the retention date is the last allowed day
    with pytest.raises(PermitNotInForce):
        permit.version_in_force(date.fromordinal(until.toordinal() + 1))


def test_15_018_request_date_does_not_extend_the_lifetime(p15018: Permit) -> None:
    with pytest.raises(PermitNotInForce):
        p15018.version_in_force(date(2017, 12, 31))  # the request's date; the decision's applies


def test_before_the_decision_is_refused(p21150: Permit) -> None:
    with pytest.raises(PermitNotInForce, match="first version takes effect on 2021-10-05"):
        p21150.version_in_force(date(2021, 10, 4))


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2021, 7, 6), 1),  # original decision day
        (date(2024, 2, 6), 1),  # second amendment approved but not yet in force
        (date(2024, 2, 20), 1),  # day before it takes effect
        (date(2024, 2, 21), 2),  # day it takes effect
        (date(2025, 11, 4), 2),
        (date(2025, 11, 19), 2),  # day before the third version
        (date(2025, 11, 20), 3),  # day it takes effect
        (TODAY, 3),
        (date(2031, 1, 31), 3),  # last day of retention
    ],
)
def test_21_128_version_in_force(p21128: Permit, on: date, expected: int) -> None:
    assert p21128.version_in_force(on).version == expected


@pytest.mark.parametrize("on", [date(2021, 7, 5), date(2031, 2, 1)])
def test_21_128_outside_lifetime(p21128: Permit, on: date) -> None:
    with pytest.raises(PermitNotInForce):
        p21128.version_in_force(on)


def test_19_072_is_indefinite(p19072: Permit) -> None:
    assert p19072.version_in_force(TODAY).version == 1
    assert p19072.version_in_force(date(2099, 12, 31)).version == 1
    with pytest.raises(PermitNotInForce):
        p19072.version_in_force(date(2019, 5, 6))


def test_a_timestamp_is_taken_as_its_date(p21128: Permit) -> None:
    from datetime import datetime

    assert p21128.version_in_force(datetime(2024, 2, 21, 23, 59)).version == 2
