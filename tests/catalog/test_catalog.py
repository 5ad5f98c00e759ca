"""The catalog's contract: names, labels, units, sources, the generated reference page, the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from crossroads import catalog
from crossroads.catalog.model import KEYS
from crossroads.catalog.reference import render
from crossroads.cli.catalog import app
from crossroads.warehouse.schema import table as table_spec
from crossroads.warehouse.schema import table_names

DOC = Path(__file__).parents[2] / "docs" / "reference" / "catalog.md"
EXAMPLES = Path(__file__).parents[2] / "examples" / "permits"

S000_NAMES = {
    "age_class",
    "sex",
    "nationality_class",
    "origin_class",
    "birthplace_class",
    "education_level",
    "province",
    "registration_year",
    "residence_duration_class",
    "residence_reason",
    "lipro",
    "household_work_intensity",
    "household_income_class",
    "labour_volume",
    "work_regime",
    "part_time_pct",
    "wage_mass_class",
    "daily_wage_class",
    "job_seniority",
    "system_seniority",
    "benefits_during_employment",
    "in_service_last_day",
    "sep",
    "sep_additional",
    "employer_size",
    "nace",
    "joint_committee",
    "dwse_code",
    "sector",
    "vouchers_bought",
    "new_user",
    "voucher_kind",
    "working",
    "user_position",
    "entry_year",
    "exit_year",
}


def test_every_s000_variable_is_defined_once() -> None:
    assert set(catalog.names()) >= S000_NAMES
    assert {catalog.get(n).requirement.split(",")[0] for n in S000_NAMES} <= {"S000-5", "S000-6", "S000-7"}
    assert len(catalog.names()) == len(set(catalog.names()))


@pytest.mark.parametrize("permit", ["21-150", "21-128", "15-018"])
def test_every_variable_the_example_permits_request_is_defined(permit: str) -> None:
    data = yaml.safe_load((EXAMPLES / f"{permit}.yaml").read_text(encoding="utf-8"))
    requested = {v["name"] for ds in data["versions"][0]["datasets"] for v in ds["variables"]}
    assert requested - set(catalog.names()) == set()


@pytest.mark.parametrize("name", catalog.names())
def test_variable_metadata(name: str) -> None:
    v = catalog.get(name)
    assert v.label_nl and v.label_en and v.description
    assert v.unit in KEYS
    assert set(v.sources) <= set(table_names())
    assert re.fullmatch(r"S00[0-4]-\d+(, S00[0-4]-\d+)*", v.requirement), v.requirement
    assert "scheme" not in v.options
    if v.unit == "record":
        assert v.record_table in v.sources and v.record_table in table_names()
        assert v.record_key in {f.name for f in table_spec(v.record_table).fields}
    else:
        assert v.record_table is None and v.record_key is None


def test_unknown_name_lists_known() -> None:
    with pytest.raises(KeyError, match="unknown catalog variable 'nope'; known: age_class"):
        catalog.get("nope")


def test_value_labels_without_scheme() -> None:
    assert catalog.get("sex").value_labels() == {"1": "man", "2": "vrouw"}
    assert catalog.get("voucher_kind").value_labels()["PE"] == "papieren en elektronische cheques"
    assert (
        catalog.get("sep_additional").value_labels()["UI"]
        == "werkloosheidsverzekering + ziekte of invaliditeit"
    )
    assert len(catalog.get("sep_additional").value_labels() or {}) == 64  # 2^6 combinations incl. none
    assert catalog.get("labour_volume").value_labels() is None


def test_reference_page_is_current() -> None:
    assert DOC.read_text() == render(catalog.all()), (
        "regenerate docs/reference/catalog.md with reference.render"
    )


def test_cli_list_and_show() -> None:
    runner = CliRunner()
    out = runner.invoke(app, ["list", "--unit", "person-quarter"])
    assert out.exit_code == 0 and "variable(s) in the catalog with unit person-quarter" in out.output
    out = runner.invoke(app, ["show", "sex"])
    assert out.exit_code == 0 and "vrouw" in out.output
    assert runner.invoke(app, ["show", "nope"]).exit_code != 0


def test_user_position_covers_every_non_working_position() -> None:
    # S000-7: every socio-economic position outside main group 1 (werkend) falls in one of the seven
    # categories; no working position has one.
    from crossroads import codelists
    from crossroads.catalog import employment

    codes = set(codelists.load("sep_nomenclature")["code"])
    non_working = {c for c in codes if not c.startswith("1")}
    assert set(employment.USER_POSITION_OF_SEP) == non_working
    assert set(employment.USER_POSITION_OF_SEP.values()) == set(employment.USER_POSITIONS)
    # hand-checked examples from the seed's list
    assert employment.USER_POSITION_OF_SEP["211"] == "1"  # unemployment benefit
    assert employment.USER_POSITION_OF_SEP["331"] == "3"  # leefloon
    assert employment.USER_POSITION_OF_SEP["36"] == "6"  # child benefit only: school leaver


def test_one_list_of_paid_service_codes() -> None:
    """Careers, household FTE (definition 2) and job FTE (definition 2) separate paid time by one list, of
    annex-8 codes; unpaid absence (30), sickness (50) and temporary unemployment (70) are not in it."""
    from crossroads import codelists
    from crossroads.catalog import careers, household, jobs, occupations

    paid = jobs.PAID_SERVICE_CODES
    assert careers.PAID_SERVICE_CODES is paid
    assert household.PAID_SERVICE_CODES is paid
    assert occupations.PAID_SERVICE_CODES is paid
    assert set(paid) <= codelists.codes("service_codes")
    assert {"1", "2", "41", "42", "110"} <= set(paid)
    assert not {"30", "50", "51", "70", "77"} & set(paid)
