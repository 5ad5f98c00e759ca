"""Slices of whole households (``engine.slicing.household_slices``), golden values worked out by hand.

Persons 01..05 of the groups and one person outside them (99). Households: h1 = {02, 99}, h2 = {99, 05} at
another date (so 02 and 05 are linked through 99), h3 = {03, 04}; 01 has no household row. Components in
order of their smallest INSZ: {01} (position 0), {02, 05} (positions 1-2), {03, 04} (positions 3-4).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from crossroads.engine.slicing import household_slices

PERSONS = pa.array(["05", "03", "01", "04", "02"])  # not in INSZ order: results follow this order
HOUSEHOLDS = pa.table(
    {
        "insz": ["02", "99", "99", "05", "04", "03"],
        "household_id": [1, 1, 2, 2, 3, 3],
    }
)


def _by_person(number: np.ndarray) -> dict[str, int]:
    return dict(zip(PERSONS.to_pylist(), number.tolist(), strict=True))


def test_whole_households_in_one_slice() -> None:
    # Cut every 2 positions: {01} starts at 0 -> slice 0; {02, 05} starts at 1 -> slice 0 (three persons);
    # {03, 04} starts at 3 -> slice 1.
    assert _by_person(household_slices(PERSONS, HOUSEHOLDS, 2)) == {
        "01": 0,
        "02": 0,
        "05": 0,
        "03": 1,
        "04": 1,
    }
    # Every 3: the same starts, 0 // 3, 1 // 3 and 3 // 3.
    assert _by_person(household_slices(PERSONS, HOUSEHOLDS, 3)) == {
        "01": 0,
        "02": 0,
        "05": 0,
        "03": 1,
        "04": 1,
    }
    # Everyone fits.
    assert set(household_slices(PERSONS, HOUSEHOLDS, 10).tolist()) == {0}


def test_component_larger_than_a_slice_is_cut_by_position() -> None:
    # Every 1: both households of two are larger than a slice, cut by position 1, 2 and 3, 4.
    number = household_slices(PERSONS, HOUSEHOLDS, 1)
    assert _by_person(number) == {"01": 0, "02": 1, "05": 2, "03": 3, "04": 4}
    assert number.dtype == np.int32


def test_cut_household_next_to_whole_ones() -> None:
    # Every 2 with a household of four: {01, 02, 03, 04} start 0 -> 0 (its size 4 > 2: cut by position
    # 0 // 2, 1 // 2, 2 // 2, 3 // 2 = 0, 0, 1, 1), 05 alone at 4 -> 2.
    households = pa.table({"insz": ["01", "02", "03", "04"], "household_id": [7, 7, 7, 7]})
    assert _by_person(household_slices(PERSONS, households, 2)) == {
        "01": 0,
        "02": 0,
        "03": 1,
        "04": 1,
        "05": 2,
    }
    # Every 4: {01..04} fits (start 0 -> 0), 05 at 4 -> 1.
    assert _by_person(household_slices(PERSONS, households, 4)) == {
        "01": 0,
        "02": 0,
        "03": 0,
        "04": 0,
        "05": 1,
    }


def test_rows_without_person_or_household_link_nothing() -> None:
    households = pa.table(
        {"insz": ["01", None, "02", "03"], "household_id": pa.array([5, 5, None, 6], pa.int64())}
    )
    # 01 and 03 alone in their households; nothing links them: INSZ order, two per slice.
    assert _by_person(household_slices(PERSONS, households, 2)) == {
        "01": 0,
        "02": 0,
        "03": 1,
        "04": 1,
        "05": 2,
    }


def test_no_persons_and_bad_size() -> None:
    assert household_slices(pa.array([], pa.string()), HOUSEHOLDS, 5).tolist() == []
    with pytest.raises(ValueError, match="at least 1"):
        household_slices(PERSONS, HOUSEHOLDS, 0)
