"""Names borrowed from the catalog and the engine are checked, with the YAML line of each unknown one."""

from __future__ import annotations

from crossroads.permits import load_text
from crossroads.permits.vocabulary import check_rules, check_variables

from .snippets import AMENDMENT, BASE


def test_unknown_variable_reported_with_its_line() -> None:
    permit = load_text(BASE, file="t.yaml")
    issues = check_variables(permit, ["age_class", "sexe"])
    # `- name: sex` is line 31; "          - name: " is 18 characters: column 19.
    assert [(i.file, i.line, i.column, i.path) for i in issues] == [
        ("t.yaml", 31, 19, "versions[0].datasets[0].variables[1].name")
    ]
    assert "'sex' is not in the catalog" in issues[0].message
    assert "did you mean sexe" in issues[0].message


def test_all_known_gives_no_issue() -> None:
    assert check_variables(load_text(BASE), ["age_class", "sex", "extra"]) == []


def test_inherited_variable_reported_once_and_new_one_at_its_own_line() -> None:
    permit = load_text(BASE + AMENDMENT, file="t.yaml")
    issues = check_variables(permit, ["sex"])
    # age_class (line 30) is in both versions but reported once; province is added on line 47.
    assert [(i.line, i.path) for i in issues] == [
        (30, "versions[0].datasets[0].variables[0].name"),
        (47, "versions[1].datasets[0].variables[1].name"),
    ]


def test_population_rules() -> None:
    permit = load_text(BASE + AMENDMENT, file="t.yaml")
    issues = check_rules(permit, {"r1": object()})  # a dict of rules, as the engine returns, works too
    assert [(i.line, i.column, i.path) for i in issues] == [(42, 17, "versions[1].target_groups[1].rule")]


def test_permit_built_in_code_has_no_line() -> None:
    import yaml

    from crossroads.permits import Permit

    permit = Permit.model_validate(yaml.safe_load(BASE))
    issues = check_variables(permit, ["age_class"])
    assert [(i.file, i.line, i.path) for i in issues] == [
        ("permit 99/001", None, "versions[0].datasets[0].variables[1].name")
    ]


def test_raw_dates_and_amounts_are_refused_where_the_permit_classes_them() -> None:
    """21/128 delivers dates as year-month and amounts in classes: asking a raw date or amount is an error
    with its line; the same requests pass where the permit does not say so (21/150 has no date flag)."""
    from pathlib import Path

    from crossroads import catalog
    from crossroads.permits.vocabulary import check_requests

    text = (Path(__file__).parents[2] / "examples" / "permits" / "21-128.yaml").read_text(encoding="utf-8")
    variables = {v.name: v for v in catalog.all()}
    assert check_requests(load_text(text), variables) == []
    raw = text.replace(
        "- {name: register_date, options: {scheme: year_month}}",
        "- {name: register_date, options: {scheme: null}}",
    ).replace(
        "- {name: daily_wage_class, options: {scheme: daily_wage}}",
        "- {name: daily_wage_class, options: {scheme: null}}",
    )
    issues = check_requests(load_text(raw, file="21-128.yaml"), variables)
    found = {(i.line, i.message.split(" (")[0]) for i in issues}
    assert (
        110,
        "variable 'register_date' is a date and the permit delivers dates as year and month",
    ) in found
    assert (
        129,
        "variable 'daily_wage_class' is an amount and the permit delivers amounts in classes",
    ) in found
    assert all(i.path.endswith(".options") for i in issues)
    # without the permit's flags the raw values are allowed
    free = raw.replace("dates_as_year_month: true", "dates_as_year_month: false").replace(
        "amounts_in_classes: true", "amounts_in_classes: false"
    )
    assert check_requests(load_text(free), variables) == []
