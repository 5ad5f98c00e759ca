"""Checks of the names a permit borrows from elsewhere: catalog variables and population rules.

The permit model cannot know these lists (the catalog and the engine sit beside or above it), so the
checks take the known names as an argument; ``crossroads permit validate`` passes
``crossroads.catalog.names()`` and ``crossroads.engine.population_rules()`` when those exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches

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
