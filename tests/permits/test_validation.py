"""Validation errors point at the right line, column and field path (golden values counted by hand)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crossroads.permits import Permit, PermitFileError, PermitIssue, load, load_text

from .snippets import AMENDMENT, BASE, insert_after, replace_line


def issues_of(text: str) -> list[PermitIssue]:
    with pytest.raises(PermitFileError) as caught:
        load_text(text, file="t.yaml")
    return caught.value.issues


def only_issue(text: str) -> PermitIssue:
    issues = issues_of(text)
    assert len(issues) == 1, [str(i) for i in issues]
    return issues[0]


def test_base_snippet_is_valid() -> None:
    permit = load_text(BASE)
    assert permit.number == "99/001"
    assert permit.slug == "99-001"
    assert [v.name for v in permit.versions[0].datasets[0].variables] == ["age_class", "sex"]


def test_wrong_type_reports_line_column_and_path() -> None:
    text = replace_line(BASE, 23, "        sample_size: ten")
    issue = only_issue(text)
    # Line 23; the value starts after 8 spaces + "sample_size: " (13 characters): column 22.
    assert (issue.file, issue.line, issue.column) == ("t.yaml", 23, 22)
    assert issue.path == "versions[0].target_groups[0].sample_size"
    assert "valid integer" in issue.message
    assert str(issue).startswith("t.yaml:23:22: versions[0].target_groups[0].sample_size:")


def test_unknown_key_is_rejected_at_the_key() -> None:
    text = insert_after(BASE, 22, "        colour: red")  # becomes line 23; key at column 9
    issue = only_issue(text)
    assert (issue.line, issue.column) == (23, 9)
    assert issue.path == "versions[0].target_groups[0].colour"
    assert "unknown key" in issue.message


def test_unknown_top_level_key() -> None:
    text = insert_after(BASE, 3, "comittee_typo: x")  # line 4, column 1
    issue = only_issue(text)
    assert (issue.line, issue.column, issue.path) == (4, 1, "comittee_typo")


def test_missing_key_points_at_the_mapping_that_lacks_it() -> None:
    text = replace_line(BASE, 22, "")  # drop `rule: r1`; the group mapping starts at line 20, column 9
    issue = only_issue(text)
    assert issue.path == "versions[0].target_groups[0].rule"
    assert (issue.line, issue.column) == (20, 9)
    assert issue.message == "required key is missing"


def test_bad_literal_in_a_flow_sequence() -> None:
    text = replace_line(BASE, 18, "    phases: [1, 3]")  # "    phases: [1, " is 16 characters: column 17
    issues = issues_of(text)
    assert [(i.line, i.column, i.path) for i in issues] == [(18, 17, "versions[0].phases[1]")]


def test_same_input_and_output_unit_is_rejected_s000_8() -> None:
    text = replace_line(BASE, 16, "    output_unit: {organisation: A, unit: in}")
    issue = only_issue(text)
    # "    output_unit: " is 17 characters: the flow mapping starts at column 18.
    assert (issue.line, issue.column, issue.path) == (16, 18, "versions[0].output_unit")
    assert "must differ" in issue.message and "S000-8" in issue.message


def test_same_unit_rejected_when_the_model_is_built_in_code() -> None:
    import yaml

    data = yaml.safe_load(replace_line(BASE, 16, "    output_unit: {organisation: A, unit: in}"))
    with pytest.raises(ValueError, match="must differ"):
        Permit.model_validate(data)


def test_units_of_different_organisations_with_same_unit_name_are_fine() -> None:
    permit = load_text(replace_line(BASE, 16, "    output_unit: {organisation: B, unit: in}"))
    assert permit.versions[0].output_unit.organisation == "B"


def test_dataset_population_must_name_a_target_group() -> None:
    issue = only_issue(replace_line(BASE, 28, "        population: g9"))
    assert (issue.line, issue.column, issue.path) == (28, 21, "versions[0].datasets[0].population")
    assert "'g9' is not a target group" in issue.message


def test_population_list_points_at_the_bad_item() -> None:
    # "        population: [g1, " is 25 characters: g9 starts at column 26.
    issue = only_issue(replace_line(BASE, 28, "        population: [g1, g9]"))
    assert (issue.line, issue.column, issue.path) == (28, 26, "versions[0].datasets[0].population[1]")


def test_sample_size_needs_phase_1() -> None:
    issue = only_issue(replace_line(BASE, 18, "    phases: [2]"))
    assert (issue.line, issue.path) == (23, "versions[0].target_groups[0].sample_size")


def test_retention_must_end_after_the_decision() -> None:
    issue = only_issue(replace_line(BASE, 32, "    retention: {until: 2020-12-31}"))
    # "    retention: {until: " is 23 characters: the date starts at column 24.
    assert (issue.line, issue.column, issue.path) == (32, 24, "versions[0].retention.until")


def test_retention_needs_a_limit() -> None:
    issue = only_issue(replace_line(BASE, 32, "    retention: {note: x}"))
    assert (issue.line, issue.column, issue.path) == (32, 16, "versions[0].retention")
    assert "until" in issue.message


def test_duplicate_key_is_an_error_not_a_silent_override() -> None:
    issue = only_issue(insert_after(BASE, 23, "        sample_size: 20"))
    assert (issue.line, issue.column) == (24, 9)
    assert "repeats the one on line 23" in issue.message


def test_yaml_syntax_error_has_a_line() -> None:
    issue = only_issue(replace_line(BASE, 17, "    roles: [researcher"))
    assert issue.line is not None and 17 <= issue.line <= 19
    assert issue.message.startswith("YAML syntax")


def test_empty_and_non_mapping_files() -> None:
    assert only_issue("").message == "the file is empty"
    assert "mapping" in only_issue("- a\n- b\n").message


def test_load_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(replace_line(BASE, 23, "        sample_size: ten"), encoding="utf-8")
    with pytest.raises(PermitFileError) as caught:
        load(path)
    assert caught.value.file == str(path)
    assert (caught.value.line, caught.value.field) == (23, "versions[0].target_groups[0].sample_size")
    missing = tmp_path / "missing.yaml"
    with pytest.raises(PermitFileError, match="cannot read"):
        load(missing)


def test_geographic_fallback_must_go_from_fine_to_coarse() -> None:
    text = insert_after(BASE, 31, "    disclosure: {geographic_fallback: [arrondissement, municipality]}")
    issue = only_issue(text)
    assert (issue.line, issue.path) == (32, "versions[0].disclosure.geographic_fallback")


def test_quasi_identifiers_must_be_requested_variables() -> None:
    text = insert_after(BASE, 31, "    disclosure: {quasi_identifiers: [age_class, municipality]}")
    issue = only_issue(text)
    assert issue.path == "versions[0].disclosure.quasi_identifiers[1]"
    assert "'municipality'" in issue.message


def test_after_outflow_needs_an_outflow_dataset() -> None:
    issue = only_issue(replace_line(BASE, 31, "          - {name: sex, after_outflow: true}"))
    assert (issue.line, issue.path) == (31, "versions[0].datasets[0].variables[1].after_outflow")


def test_same_variable_twice_needs_its_own_column() -> None:
    twice = insert_after(BASE, 31, "          - {name: sex, options: {x: 1}}")
    issue = only_issue(twice)
    assert (issue.line, issue.path) == (32, "versions[0].datasets[0].variables[2].name")
    renamed = insert_after(BASE, 31, "          - {name: sex, column: sex_2, options: {x: 1}}")
    assert [v.column_name for v in load_text(renamed).versions[0].datasets[0].variables] == [
        "age_class",
        "sex",
        "sex_2",
    ]


def test_joint_sample_needs_one_size() -> None:
    text = BASE.replace("        sample_size: 10", "        sample: pool\n        sample_size: 10")
    text = text.replace(
        "    datasets:",
        "      - {name: g2, label: G2, rule: r2, sample: pool, sample_size: 12}\n    datasets:",
    )
    issues = issues_of(text)
    assert {i.path for i in issues} == {
        "versions[0].target_groups[0].sample_size",
        "versions[0].target_groups[1].sample_size",
    }


def test_online_consultation_needs_its_grant_and_no_phases() -> None:
    text = BASE.replace("kind: research", "kind: online_consultation")
    paths = {i.path for i in issues_of(text)}
    assert {"versions[0].phases", "versions[0].online"} <= paths


def test_unknown_dmfa_block() -> None:
    text = BASE.replace("kind: research", "kind: online_consultation")
    text = text.replace("    phases: [1, 2]", "    phases: []")
    text = replace_line(text, 23, "")  # no sample without phase 1
    text += "    online: {blocks: ['90007', '99999'], reference_directory: true, permanent: true}\n"
    issue = only_issue(text)
    assert issue.path == "versions[0].online.blocks[1]"
    assert "99999" in issue.message


def test_organisations_must_be_declared_when_listed() -> None:
    text = insert_after(BASE, 7, "organisations: {A: Organisatie A}")
    assert load_text(text).organisations == {"A": "Organisatie A"}
    issue = only_issue(replace_line(text, 17, "    output_unit: {organisation: B, unit: out}"))
    assert issue.path == "versions[0].output_unit.organisation"
    assert issue.line == 17


# --- versions and amendments ----------------------------------------------------------------------


def test_amendment_merges_named_lists_by_name() -> None:
    permit = load_text(BASE + AMENDMENT)
    v1, v2 = permit.versions
    assert [g.name for g in v1.target_groups] == ["g1"]
    assert [g.name for g in v2.target_groups] == ["g1", "g2"]
    assert [v.name for v in v2.datasets[0].variables] == ["age_class", "province"]
    assert v2.datasets[0].populations == ["g1", "g2"]
    # Inherited unchanged: purpose, units, retention; own: dates and label.
    assert (v2.purpose, v2.retention, v2.input_unit) == (v1.purpose, v1.retention, v1.input_unit)
    assert (v2.approved, v2.effective, v2.extends) == (date(2022, 1, 5), date(2022, 2, 1), 1)


def test_error_in_an_inherited_field_is_reported_once_where_it_is_written() -> None:
    text = replace_line(BASE + AMENDMENT, 23, "        sample_size: ten")
    issue = only_issue(text)
    assert (issue.line, issue.path) == (23, "versions[0].target_groups[0].sample_size")
    assert "also as versions[1].target_groups[0].sample_size" in issue.message


def test_error_in_the_amendment_points_into_the_amendment() -> None:
    text = replace_line(BASE + AMENDMENT, 45, "          population: [g1, g3]")
    issue = only_issue(text)
    # "          population: [g1, " is 27 characters: g3 starts at column 28.
    assert (issue.line, issue.column) == (45, 28)
    assert issue.path == "versions[1].datasets[0].population[1]"


def test_extends_must_name_an_earlier_version() -> None:
    issue = only_issue(replace_line(BASE + AMENDMENT, 34, "    extends: 7"))
    assert (issue.line, issue.column, issue.path) == (34, 14, "versions[1].extends")


def test_removing_an_unknown_item_is_an_error() -> None:
    issue = only_issue(replace_line(BASE + AMENDMENT, 48, "            - {name: nope, remove: true}"))
    assert issue.line == 48 and "cannot remove 'nope'" in issue.message


def test_replace_flag_replaces_the_item_whole() -> None:
    text = BASE + AMENDMENT.replace(
        "        - name: d1                            # 44",
        "        - name: d1                            # 44\n          replace: true\n"
        "          label: D1 nieuw\n          unit: person\n",
    )
    text = text.replace("          population: [g1, g2]", "          population: g2")
    text = text.replace("            - {name: sex, remove: true}       # 48\n", "")
    v2 = load_text(text).versions[1]
    assert (v2.datasets[0].label, v2.datasets[0].unit) == ("D1 nieuw", "person")
    assert [v.name for v in v2.datasets[0].variables] == ["province"]


def test_a_top_level_key_replaces_the_inherited_value() -> None:
    text = BASE + AMENDMENT + "    retention: {until: 2026-01-01}\n"
    v1, v2 = load_text(text).versions
    assert (v1.retention.until, v2.retention.until) == (date(2025, 1, 1), date(2026, 1, 1))


def test_effective_dates_must_increase() -> None:
    text = replace_line(BASE + AMENDMENT, 36, "    approved: 2021-01-05")
    issue = only_issue(replace_line(text, 37, "    effective: 2021-01-05"))  # same day as version 1
    assert (issue.line, issue.path) == (37, "versions[1].effective")


def test_version_numbers_follow_the_order() -> None:
    issue = only_issue(replace_line(BASE + AMENDMENT, 33, "  - version: 3"))
    assert issue.path == "versions[1].version" and issue.line == 33


def test_yaml_merge_keys_are_refused() -> None:
    text = insert_after(BASE, 31, "    disclosure:\n      <<: {min_cell: 3}")
    issue = only_issue(text)
    assert issue.line == 33 and "extends" in issue.message


def test_condition_names_a_variable_of_the_same_dataset() -> None:
    ok = replace_line(BASE, 31, "          - {name: sex, condition: not age_class}")
    assert load_text(ok).versions[0].datasets[0].variables[1].condition == "not age_class"
    issue = only_issue(replace_line(BASE, 31, "          - {name: sex, condition: working}"))
    assert (issue.line, issue.path) == (31, "versions[0].datasets[0].variables[1].condition")
    assert "'working'" in issue.message
