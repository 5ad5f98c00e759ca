"""Property tests: the version in force is the latest one already effective, within the lifetime."""

from __future__ import annotations

import bisect
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossroads.permits import PermitFileError, PermitNotInForce, load_text

from .snippets import BASE

DECISION = date(2021, 1, 5)  # decision and first effective date of BASE
UNTIL = date(2025, 1, 1)  # retention of BASE, inherited by every amendment


def permit_text(gaps: list[int]) -> tuple[str, list[date]]:
    """BASE plus one amending version per gap (days after the previous effective date)."""
    text = BASE
    effective = [DECISION]
    for number, gap in enumerate(gaps, start=2):
        day = effective[-1] + timedelta(days=gap)
        effective.append(day)
        text += (
            f"  - version: {number}\n    extends: {number - 1}\n    label: wijziging {number}\n"
            f"    approved: {day.isoformat()}\n    effective: {day.isoformat()}\n"
        )
    return text, effective


# At most 4 gaps of 360 days: the last version (<= 2024-12-20) still starts before UNTIL.
@settings(max_examples=60, deadline=None)
@given(
    gaps=st.lists(st.integers(min_value=1, max_value=360), max_size=4),
    offset=st.integers(min_value=-30, max_value=1500),
)
def test_version_in_force_matches_bisect(gaps: list[int], offset: int) -> None:
    text, effective = permit_text(gaps)
    permit = load_text(text)
    on = DECISION + timedelta(days=offset)
    # Reference: the count of effective dates on or before `on` is the number of the version in force.
    expected = bisect.bisect_right(effective, on)
    if expected == 0 or on > UNTIL:
        with pytest.raises(PermitNotInForce):
            permit.version_in_force(on)
    else:
        version = permit.version_in_force(on)
        assert version.version == expected
        assert version.effective <= on
        assert all(v.effective > on for v in permit.versions if v.version > version.version)


def test_a_version_starting_after_retention_is_rejected() -> None:
    text, _ = permit_text([1500])  # 2021-01-05 + 1500 days = 2025-02-13, after 2025-01-01
    with pytest.raises(PermitFileError) as caught:
        load_text(text)
    assert caught.value.field == "versions[1].retention.until"
