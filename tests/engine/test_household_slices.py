"""Slices of whole households (``engine.slicing.household_slices``), golden values worked out by hand.

Persons 01..05 of the groups and one person outside them (99). Households: h1 = {02, 99}, h2 = {99, 05} at
another date (so 02 and 05 are linked through 99), h3 = {03, 04}; 01 has no household row. Components in
order of their smallest INSZ: {01} (position 0), {02, 05} (positions 1-2), {03, 04} (positions 3-4).
Persons and households are numbered as an engine might (not in INSZ order): the results follow ``persons``.
"""

from __future__ import annotations

import numpy as np
import pytest

from crossroads.engine.slicing import household_slices

NODE = {"01": 4, "02": 2, "03": 0, "04": 5, "05": 1, "99": 3}
HOME = {"h1": 0, "h2": 1, "h3": 2, "h4": 3}
ORDER = ["01", "02", "03", "04", "05"]  # INSZ order
PERSONS = np.array([NODE[p] for p in ORDER])
ROWS = [("02", "h1"), ("99", "h1"), ("99", "h2"), ("05", "h2"), ("04", "h3"), ("03", "h3")]


def _slices(rows: list[tuple[str, str]], slice_persons: int) -> dict[str, int]:
    person = np.array([NODE[p] for p, _ in rows], dtype=np.int64)
    home = np.array([HOME[h] for _, h in rows], dtype=np.int64)
    number = household_slices(PERSONS, person, home, slice_persons)
    assert number.dtype == np.int32
    return dict(zip(ORDER, number.tolist(), strict=True))


def test_whole_households_in_one_slice() -> None:
    # Cut every 2 positions: {01} starts at 0 -> slice 0; {02, 05} starts at 1 -> slice 0 (three persons);
    # {03, 04} starts at 3 -> slice 1.
    assert _slices(ROWS, 2) == {"01": 0, "02": 0, "05": 0, "03": 1, "04": 1}
    # Every 3: the same starts, 0 // 3, 1 // 3 and 3 // 3.
    assert _slices(ROWS, 3) == {"01": 0, "02": 0, "05": 0, "03": 1, "04": 1}
    # Everyone fits.
    assert set(_slices(ROWS, 10).values()) == {0}


def test_component_larger_than_a_slice_is_cut_by_position() -> None:
    # Every 1: both components of two are larger than a slice, cut by position (1, 2 and 3, 4).
    assert _slices(ROWS, 1) == {"01": 0, "02": 1, "05": 2, "03": 3, "04": 4}


def test_cut_household_next_to_whole_ones() -> None:
    # One household of four {01, 02, 03, 04}, positions 0-3, 05 alone at 4.
    four = [("01", "h4"), ("02", "h4"), ("03", "h4"), ("04", "h4")]
    # Every 2: the four are larger than a slice, cut by position 0 // 2, 1 // 2, 2 // 2, 3 // 2; 05: 4 // 2.
    assert _slices(four, 2) == {"01": 0, "02": 0, "03": 1, "04": 1, "05": 2}
    # Every 4: the four fit (start 0 -> 0), 05 at 4 -> 1.
    assert _slices(four, 4) == {"01": 0, "02": 0, "03": 0, "04": 0, "05": 1}
    # Every 3: the four are cut (0, 0, 0, 1), 05 starts at 4 -> 4 // 3 = 1: with the fourth.
    assert _slices(four, 3) == {"01": 0, "02": 0, "03": 0, "04": 1, "05": 1}


def test_no_households_is_insz_order() -> None:
    assert _slices([], 2) == {"01": 0, "02": 0, "03": 1, "04": 1, "05": 2}


def test_no_persons_and_bad_size() -> None:
    empty = np.zeros(0, dtype=np.int64)
    assert household_slices(empty, empty, empty, 5).tolist() == []
    with pytest.raises(ValueError, match="at least 1"):
        household_slices(PERSONS, empty, empty, 0)


def test_components_in_the_order_of_their_keys() -> None:
    # SciPy numbers the components by their smallest node: {03, 04} (node 0) 0, {02, 05, 99} (node 1) 1,
    # {01} (node 4) 2. Keys 0, 1, 2 put them in that order: 03, 04 at positions 0-1, 02, 05 at 2-3, 01 at 4.
    person = np.array([NODE[p] for p, _ in ROWS], dtype=np.int64)
    home = np.array([HOME[h] for _, h in ROWS], dtype=np.int64)
    number = household_slices(PERSONS, person, home, 2, component_keys=lambda count: np.arange(count))
    assert dict(zip(ORDER, number.tolist(), strict=True)) == {"01": 2, "02": 1, "03": 0, "04": 0, "05": 1}


def test_random_keys_do_not_put_large_households_first() -> None:
    # 100 households of 20 and 2,000 persons alone, in random order, slices of 100. Ordered by their first
    # person, a household of 20 comes early (its first of 20 positions); by random keys, anywhere.
    rng = np.random.default_rng(3)
    persons = rng.permutation(4000)
    person = np.arange(2000)
    home = person // 20
    big = np.isin(persons, person)
    by_first = household_slices(persons, person, home, 100)
    by_keys = household_slices(persons, person, home, 100, component_keys=lambda n: rng.permutation(n))
    assert by_first[big].mean() < 0.7 * by_first[~big].mean()
    assert 0.8 < by_keys[big].mean() / by_keys[~big].mean() < 1.25
