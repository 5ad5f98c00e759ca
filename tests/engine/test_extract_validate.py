"""``crossroads permit validate`` on requests: unknown options and unit mismatches, with line and field."""

from __future__ import annotations

import test_extract_units as tu
from test_extract_units import _registries  # noqa: F401  (the test-only variables and rules, autouse)

from crossroads import catalog, permits
from crossroads.permits.vocabulary import check_requests

BAD = """
    datasets:
      - name: firms
        label: employers
        unit: employer
        population: all_employers
        reference_date: 2013-12-31
        variables: [{name: t_age}, {name: t_emp_tag, options: {level: city}}]
      - name: counts
        label: counts
        unit: aggregate
        population: residents
        reference_date: 2013-12-31
        variables: [{name: t_municipality}]
      - name: certs
        label: certificates
        unit: person-record
        population: listed
        variables: [{name: t_cert_level}, {name: t_naric_level}, {name: t_job_days}]
"""


def test_requests_are_checked_against_the_catalog() -> None:
    permit = permits.load_text(tu.permit_text(BAD), file="bad.yaml")
    issues = check_requests(permit, {v.name: v for v in catalog.all()})
    found = {(i.path, i.message.split(" (")[0]) for i in issues}
    msgs = [(i.path, i.message) for i in issues]
    assert ("versions[0].datasets[0].variables[0].name", "variable 't_age'") in found
    options = "versions[0].datasets[0].variables[1].options"
    assert any(p == options and "unknown option(s) level" in m for p, m in msgs)
    assert any(
        i.path == "versions[0].datasets[1].variables" and "exactly one count" in i.message for i in issues
    )
    assert any(
        i.path.endswith("datasets[2].variables[1].name") and "several tables" in i.message for i in issues
    )
    assert any("t_job_days" in i.message and "job-quarter" in i.message for i in issues)
    assert all(i.file == "bad.yaml" and i.line is not None for i in issues)


def test_the_units_permit_is_clean() -> None:
    permit = permits.load_text(tu.permit_text())
    assert check_requests(permit, {v.name: v for v in catalog.all()}) == []
