"""Checks of the names a permit borrows from elsewhere: catalog variables and population rules.

The permit model cannot know these lists (the catalog and the engine sit beside or above it), so the
checks take the known names as an argument; ``crossroads permit validate`` passes
``crossroads.catalog.names()`` and ``crossroads.engine.population_rules()`` when those exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from difflib import get_close_matches
from typing import Any

from crossroads.permits.errors import PermitIssue
from crossroads.permits.loading import source_of
from crossroads.permits.model import FieldPath, Permit, format_path


def _issue(permit: Permit, path: FieldPath, message: str, file: str | None) -> PermitIssue:
    source = source_of(permit)
    if source is not None:
        return source.issue(path, message)
    return PermitIssue(file or f"permit {permit.number}", None, None, format_path(path), message)


def _hint(name: str, known: list[str]) -> str:
    close = get_close_matches(name, known, n=3)
    return f"; did you mean {', '.join(close)}?" if close else ""


def _dedupe(issues: list[PermitIssue]) -> list[PermitIssue]:
    # Versions that inherit a dataset point at the same line: report each place once.
    seen: set[tuple[int | None, int | None, str]] = set()
    unique = []
    for issue in issues:
        key = (issue.line, issue.column, issue.message)
        if issue.line is None or key not in seen:
            seen.add(key)
            unique.append(issue)
    return unique


def check_variables(permit: Permit, names: Iterable[str], *, file: str | None = None) -> list[PermitIssue]:
    """Every requested variable (and disclosure variable) that the catalog does not define."""
    known = sorted(set(names))
    known_set = set(known)
    issues = []
    for i, version in enumerate(permit.versions):
        for j, dataset in enumerate(version.datasets):
            for k, variable in enumerate(dataset.variables):
                if variable.name not in known_set:
                    issues.append(
                        _issue(
                            permit,
                            ("versions", i, "datasets", j, "variables", k, "name"),
                            f"variable {variable.name!r} is not in the catalog{_hint(variable.name, known)}",
                            file,
                        )
                    )
    return _dedupe(issues)


def check_rules(permit: Permit, rules: Iterable[str], *, file: str | None = None) -> list[PermitIssue]:
    """Every target group whose population rule the engine does not know."""
    known = sorted(set(rules))
    issues = []
    for i, version in enumerate(permit.versions):
        for j, group in enumerate(version.target_groups):
            if group.rule not in known:
                issues.append(
                    _issue(
                        permit,
                        ("versions", i, "target_groups", j, "rule"),
                        f"population rule {group.rule!r} is unknown to the engine{_hint(group.rule, known)}",
                        file,
                    )
                )
    return _dedupe(issues)


FRAME_VARIABLES = frozenset({"group_membership", "employer_seq", "person_count", "employer_count"})
"""Variables the engine fills from the dataset's frame (``catalog/frames.py``)."""
COUNT_ENTITIES = {"person_count": "person", "employer_count": "employer"}
EMPLOYER_UNITS = ("employer", "employer-quarter")
COLUMN_NAME_MAX = 31
"""Longest delivered column name: Stata allows 32, and pyreadstat names a labelled column's value-label set
``<column><n>``, so a labelled column of 32 characters cannot be written (``delivery.formats.write_dta``)."""


def unit_mismatch(dataset_unit: str, name: str, unit: str) -> str | None:
    """Why variable ``name`` of unit ``unit`` cannot be delivered in a dataset of ``dataset_unit``."""
    if name == "group_membership":
        return "is not available in aggregate datasets" if dataset_unit == "aggregate" else None
    if name in COUNT_ENTITIES:
        return None if dataset_unit == "aggregate" else "is only available in aggregate datasets"
    if unit == "job" and dataset_unit != "job-quarter":
        return "is only available in job-quarter datasets"
    if unit == "record" and dataset_unit != "person-record":
        return "is only available in person-record datasets"
    if unit in ("person-year", "person-quarter") and dataset_unit in EMPLOYER_UNITS:
        return "describes a person and cannot be delivered per employer"
    if unit == "employer" and dataset_unit == "person-record" and name != "employer_seq":
        return "describes an employer; person-record datasets deliver record and person variables only"
    return None


def disclosure_mismatch(disclosure: Any, measure: str | None, scheme: str | None) -> str | None:
    """Why a date or amount variable delivered with ``scheme`` breaks the permit's disclosure settings
    (``dates_as_year_month``, ``amounts_in_classes``); None when it does not."""
    if scheme is not None or disclosure is None:
        return None
    if measure == "date" and getattr(disclosure, "dates_as_year_month", False):
        return (
            "is a date and the permit delivers dates as year and month (disclosure.dates_as_year_month); "
            "keep its year_month scheme instead of scheme: null"
        )
    if measure == "amount" and getattr(disclosure, "amounts_in_classes", False):
        return (
            "is an amount and the permit delivers amounts in classes (disclosure.amounts_in_classes); "
            "keep its class scheme instead of scheme: null"
        )
    return None


def requested_scheme(var: Any, options: Mapping[str, Any]) -> str | None:
    """The class scheme a request delivers: its ``scheme`` option, else the variable's default."""
    if "scheme" in options:
        chosen = options["scheme"]
        return chosen if isinstance(chosen, str) else None
    return getattr(var, "scheme", None)


def check_requests(
    permit: Permit, variables: Mapping[str, Any], *, file: str | None = None
) -> list[PermitIssue]:
    """Requests the catalog's variables cannot serve: unknown options, unit mismatches, mixed record tables.

    ``variables`` maps a catalog name to its Variable (``unit``, ``options``, ``record_table``); names not in
    it are left to :func:`check_variables`.
    """
    issues = []
    for i, version in enumerate(permit.versions):
        for j, dataset in enumerate(version.datasets):
            tables: dict[str, int] = {}
            counts = 0
            for k, request in enumerate(dataset.variables):
                var = variables.get(request.name)
                if var is None:
                    continue
                here: FieldPath = ("versions", i, "datasets", j, "variables", k)
                accepted = {"scheme", *getattr(var, "options", ())}
                unknown = sorted(set(request.options) - accepted)
                if unknown:
                    issues.append(
                        _issue(
                            permit,
                            (*here, "options"),
                            f"variable {request.name!r}: unknown option(s) {', '.join(unknown)}; "
                            f"accepted: {', '.join(sorted(accepted))}",
                            file,
                        )
                    )
                if len(request.column_name) > COLUMN_NAME_MAX:
                    issues.append(
                        _issue(
                            permit,
                            (*here, "column" if request.column else "name"),
                            f"column {request.column_name!r} has {len(request.column_name)} characters; "
                            f"the delivery's Stata file allows {COLUMN_NAME_MAX} (give a shorter `column:`)",
                            file,
                        )
                    )
                why = unit_mismatch(dataset.unit, request.name, str(var.unit))
                if why:
                    issues.append(
                        _issue(
                            permit,
                            (*here, "name"),
                            f"variable {request.name!r} (unit {var.unit}) {why} "
                            f"(dataset unit {dataset.unit})",
                            file,
                        )
                    )
                breach = disclosure_mismatch(
                    version.disclosure, getattr(var, "measure", None), requested_scheme(var, request.options)
                )
                if breach:
                    issues.append(
                        _issue(permit, (*here, "options"), f"variable {request.name!r} {breach}", file)
                    )
                if str(var.unit) == "record" and getattr(var, "record_table", None):
                    tables.setdefault(str(var.record_table), k)
                counts += request.name in COUNT_ENTITIES
            if len(tables) > 1:
                issues.append(
                    _issue(
                        permit,
                        ("versions", i, "datasets", j, "variables", max(tables.values()), "name"),
                        f"record variables of several tables ({', '.join(sorted(tables))}) in one "
                        "person-record dataset; split it",
                        file,
                    )
                )
            if dataset.unit == "aggregate" and counts != 1:
                issues.append(
                    _issue(
                        permit,
                        ("versions", i, "datasets", j, "variables"),
                        "an aggregate dataset needs exactly one count variable "
                        "(person_count or employer_count)",
                        file,
                    )
                )
            needs_date = dataset.unit in ("person", "employer", "job-quarter", "aggregate")
            if (
                needs_date
                and dataset.reference_date is None
                and not (dataset.unit == "job-quarter" and dataset.years is not None)
            ):
                issues.append(
                    _issue(
                        permit,
                        ("versions", i, "datasets", j, "unit"),
                        f"a dataset of unit {dataset.unit} needs a reference_date",
                        file,
                    )
                )
    return _dedupe(issues)
