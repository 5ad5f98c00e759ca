"""Validation of the 15/018 provider inputs: one planted fault per rule, found and named without a value."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from test_validation import E1, P1, P3, Rows, baseline, build, file_of, only

from crossroads.warehouse.identifiers import enterprise_from_sequence
from crossroads.warehouse.validation import RULES, validate

E2 = str(enterprise_from_sequence([4_030_193])[0])  # a second valid enterprise number
Q1, Q2 = date(2020, 3, 31), date(2020, 6, 30)


def with_inputs() -> Rows:
    """The clean baseline plus clean provider lists: E1 listed on 31 Mar 2020 with P1, who works there."""
    rows = baseline()
    second = dict(rows["employer"][0], enterprise_number=E2, rsz_number=None)
    rows["employer"].append(second)
    rows["se_employers"] = [
        dict(enterprise_number=E1, reference_date=Q1, work_form="BW", activity="GROEN", sector="MIL")
    ]
    rows["se_employees"] = [
        dict(
            insz=P1,
            reference_date=Q1,
            employer_enterprise_number=E1,
            staff_type="DG",
            origin="BE",
            education_level="LOW",
            work_ability="ARBH",
        )
    ]
    rows["recognised_cooperatives"] = [dict(enterprise_number=E2, reference_date=Q1)]
    rows["social_purpose_companies"] = [dict(enterprise_number=E1, reference_date=Q1)]
    rows["se_employer_survey"] = [dict(enterprise_number=E1, survey_date=date(2020, 5, 1), innovation="4")]
    return rows


def _set(name: str, **values: Any) -> Callable[[Rows], None]:
    def mutate(rows: Rows) -> None:
        rows[name][0].update(values)

    return mutate


# rule, mutation, table, field, other rules the mutation also (rightly) triggers
CASES: list[tuple[str, Callable[[Rows], None], str, str, set[str]]] = [
    # a list "stand op" 30 March: not a quarter's last day
    (
        "input.reference_date",
        _set("se_employers", reference_date=date(2020, 3, 30)),
        "se_employers",
        "reference_date",
        set(),
    ),
    # P1's employer on the list is E2, which the agency's employer list (31 Mar) lacks; P1 does not work at E2
    (
        "input.unlisted_employer",
        _set("se_employees", employer_enterprise_number=E2),
        "se_employees",
        "employer_enterprise_number",
        {"input.employee_without_job"},
    ),
    # P1 listed on 30 Jun: no DmfA job in 2020 Q2 (no employer list that day, so no unlisted warning)
    ("input.employee_without_job", _set("se_employees", reference_date=Q2), "se_employees", "insz", set()),
    # answers from E2, which is on no employer list
    (
        "input.survey_unlisted",
        _set("se_employer_survey", enterprise_number=E2),
        "se_employer_survey",
        "enterprise_number",
        set(),
    ),
    # P3 died on 15 May 2020 and is listed on 30 Jun
    (
        "death.work_after",
        _set("se_employees", insz=P3, reference_date=Q2),
        "se_employees",
        "reference_date",
        {"input.employee_without_job"},
    ),
    # codes of the agency's own lists are checked like any code list
    ("code.unknown", _set("se_employees", work_ability="X"), "se_employees", "work_ability", set()),
    ("code.unknown", _set("se_employer_survey", innovation="6"), "se_employer_survey", "innovation", set()),
    # a cooperative's enterprise number with wrong check digits
    (
        "id.enterprise",
        _set("recognised_cooperatives", enterprise_number=E2[:-2] + "00"),
        "recognised_cooperatives",
        "enterprise_number",
        set(),
    ),
]


def test_clean_inputs_have_no_findings(tmp_path: Path) -> None:
    report = validate(build(tmp_path, with_inputs()))
    assert report.findings == [] and report.ok
    assert report.rows["se_employees"] == 1 and report.rows["se_employer_survey"] == 1


@pytest.mark.parametrize(
    ("rule", "mutate", "table", "field", "also"), CASES, ids=[f"{c[0]}-{c[2]}-{c[3]}" for c in CASES]
)
def test_planted_input_fault_is_found(
    tmp_path: Path, rule: str, mutate: Callable[[Rows], None], table: str, field: str, also: set[str]
) -> None:
    rows = copy.deepcopy(with_inputs())
    mutate(rows)
    report = validate(build(tmp_path, rows))
    finding = only(report, rule, table)
    assert finding.field == field and finding.count == 1
    assert [(e.file, e.row) for e in finding.examples] == [(file_of(table), 1)]
    others = {f.rule for f in report.findings if f is not finding}
    assert others == also, f"unexpected findings {others ^ also}"
    assert report.ok == (RULES[rule][0] == "warning" and all(RULES[r][0] == "warning" for r in others))
    text = json.dumps(report.to_dict()) + "\n".join(str(e) for f in report.findings for e in f.examples)
    for value in (P1, P3, E1, E2):
        assert value not in text
