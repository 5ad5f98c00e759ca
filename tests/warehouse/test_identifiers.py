"""Check digits of INSZ, enterprise and RSZ numbers: the worked examples of DOMAIN.md §1-2, the vectorised
generators, single-digit corruptions and adjacent transpositions, and the SQL twins used by validation."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossroads.warehouse.identifiers import (
    enterprise_from_sequence,
    enterprise_is_valid,
    insz_century,
    insz_check_digits,
    insz_from_parts,
    insz_is_valid,
    insz_valid_array,
    rsz_from_radix,
    rsz_is_valid,
)
from crossroads.warehouse.validation import enterprise_valid_sql, insz_valid_sql, rsz_valid_sql

# ------------------------------------------------------------------------------ worked examples


def test_insz_worked_example_born_before_2000() -> None:
    # 850730033 = 97 × 8770412 + 69, so CC = 97 − 69 = 28
    assert insz_check_digits(850730033, born_2000_or_later=False) == 28
    assert insz_is_valid("85073003328")
    assert insz_century("85073003328") == 1900


def test_insz_worked_example_born_2017_uses_the_2_prefix() -> None:
    # 2170730033 = 97 × 22378660 + 13, so CC = 97 − 13 = 84; without the prefix 170730033 mod 97 = 42 → 55
    assert insz_check_digits(170730033, born_2000_or_later=True) == 84
    assert insz_check_digits(170730033, born_2000_or_later=False) == 55
    assert insz_is_valid("17073003384")
    assert insz_century("17073003384") == 2000
    # the same base with the pre-2000 check is a different, valid person born in 1917
    assert insz_century("17073003355") == 1900


def test_insz_worked_example_bis_number() -> None:
    # month 22 = February + 20 (sex unknown at assignment); 882229999 = 97 × 9095154 + 61 → CC = 36
    assert insz_check_digits(882229999, born_2000_or_later=False) == 36
    assert insz_is_valid("88222999936")


@pytest.mark.parametrize(
    "value",
    [
        "85073003329",  # check digit off by one
        "8507300332",  # 10 digits
        "850730033288",  # 12 digits
        "85O73003328",  # a letter O for a zero
        "85133003325",  # month 13: no birth-date part has month 13 (neither plain nor bis +20/+40)
        "",
    ],
)
def test_insz_rejects(value: str) -> None:
    assert not insz_is_valid(value)


def test_enterprise_worked_example() -> None:
    # 04030192 mod 97 = 36 (4030192 = 97 × 41548 + 36), CC = 97 − 36 = 61, and (4030192 + 61) mod 97 = 0
    assert enterprise_is_valid("0403019261")
    assert enterprise_from_sequence(np.array([4030192]))[0] == "0403019261"
    assert not enterprise_is_valid("0403019262")
    assert not enterprise_is_valid("403019261")  # 9 digits: old VAT numbers need their leading 0
    # a first digit of 2..9 is an establishment unit, not an enterprise, whatever the checksum
    assert not enterprise_is_valid("2403019261")


def test_rsz_domain_bounds() -> None:
    # 100006: radix 1000, 1000·100 mod 97 = 90, cc = 96 − 90 = 6 ; (100006 + 1) = 97 × 1031
    assert rsz_is_valid("100006")
    assert rsz_is_valid("000100006")
    # 199999934: radix 1999999, 199999900 mod 97 = 62, cc = 96 − 62 = 34 ; (199999934 + 1) = 97 × 2061855
    assert rsz_is_valid("199999934")
    assert rsz_from_radix(np.array([1000, 1999999])).tolist() == ["000100006", "199999934"]
    # outside the domain even with a correct check: 100006 − 97 = 99909 and 199999934 + 97 = 200000031
    assert not rsz_is_valid("99909")
    assert not rsz_is_valid("200000031")
    assert not rsz_is_valid("100007")


# ----------------------------------------------------------------------------------------------- properties
birth = st.tuples(
    st.integers(1900, 2099),  # birth year
    st.integers(1, 12),  # month
    st.integers(1, 31),  # day
    st.integers(1, 998),  # serial
    st.sampled_from([0, 20, 40]),  # plain, bis with sex unknown, bis with sex known
)


def _corruptions(value: str) -> list[str]:
    """Every single-digit substitution and every adjacent transposition of two different digits."""
    out = []
    for i, ch in enumerate(value):
        out += [value[:i] + d + value[i + 1 :] for d in "0123456789" if d != ch]
    for i in range(len(value) - 1):
        if value[i] != value[i + 1]:
            out.append(value[:i] + value[i + 1] + value[i] + value[i + 2 :])
    return out


@given(st.lists(birth, min_size=1, max_size=20))
def test_generated_insz_validate(parts: list[tuple[int, int, int, int, int]]) -> None:
    y, m, d, s, bis = (np.array(c) for c in zip(*parts, strict=True))
    values = insz_from_parts(y, m, d, s, bis)
    assert insz_valid_array(values).all()
    for value, year in zip(values.tolist(), y.tolist(), strict=True):
        assert insz_is_valid(value)
        assert insz_century(value) == (2000 if year >= 2000 else 1900)


@given(birth)
def test_corrupted_insz_never_passes_its_own_century_rule(part: tuple[int, int, int, int, int]) -> None:
    # A substitution changes the 11-digit number by k·10^j (0 < |k| < 10) and a transposition by
    # 9·(a − b)·10^j; neither is a multiple of the prime 97, so the check of the number's own century always
    # fails. But 2 000 000 000 mod 97 = 68 ≠ 0, so the other century's check can hold by chance: such a
    # corruption is a valid number of someone born a century apart, and only that can validate.
    y, m, d, s, bis = part
    value = str(insz_from_parts(np.array([y]), np.array([m]), np.array([d]), np.array([s]), bis)[0])
    own = insz_century(value)
    for bad in _corruptions(value):
        if insz_is_valid(bad):
            assert insz_century(bad) != own, "a corruption passed the check of its own century"


def test_a_corruption_can_validate_by_the_other_century() -> None:
    # Not a theoretical worry. A substitution of −6 in the year's second digit moves the base by −6·10^7, and
    # −6·10^7 ≡ 29 (mod 97) = −68: exactly the shift the 2000 prefix adds. So 17073003355 (born 1917,
    # check 55) with 7 → 1 gives 11073003355: 2 110 730 033 = 97 × 21 760 103 + 42, check 97 − 42 = 55,
    # born 2011.
    assert insz_century("17073003355") == 1900
    flipped = [bad for bad in _corruptions("17073003355") if insz_is_valid(bad)]
    assert flipped == ["11073003355"]
    assert insz_century("11073003355") == 2000


@given(st.integers(0, 19_999_999))
def test_enterprise_generated_valid_and_every_corruption_rejected(seq: int) -> None:
    value = str(enterprise_from_sequence(np.array([seq]))[0])
    assert enterprise_is_valid(value)
    # (first8 + last2) mod 97 moves by k·10^j or 9·(a − b)·10^j, never a multiple of 97: always rejected
    for bad in _corruptions(value):
        assert not enterprise_is_valid(bad)


@given(st.integers(1000, 1_999_999))
def test_rsz_generated_valid_and_every_corruption_rejected(radix: int) -> None:
    value = str(rsz_from_radix(np.array([radix]))[0])
    assert rsz_is_valid(value)
    # validity implies (N + 1) mod 97 = 0, which a corruption breaks (or it leaves the domain)
    for bad in _corruptions(value):
        assert not rsz_is_valid(bad)


# ----------------------------------------------------------------------------------------------- SQL twins
def _sql_results(expr: str, values: list[str]) -> list[bool]:
    con = duckdb.connect()
    con.execute("CREATE TABLE v (i INTEGER, x VARCHAR)")
    if values:
        con.executemany("INSERT INTO v VALUES (?, ?)", list(enumerate(values)))
    return [bool(r[0]) for r in con.execute(f"SELECT coalesce({expr}, false) FROM v ORDER BY i").fetchall()]


def _one_insz(year: int, month: int, day: int, serial: int, bis: int) -> str:
    a = [np.array([v]) for v in (year, month, day, serial)]
    return str(insz_from_parts(a[0], a[1], a[2], a[3], bis)[0])


near_insz = st.one_of(
    st.text("0123456789", min_size=11, max_size=11),
    st.builds(lambda p: _one_insz(*p), birth),
    st.text("0123456789a ", min_size=9, max_size=12),
)


@settings(max_examples=30, deadline=None)  # DuckDB start-up varies on a shared machine
@given(st.lists(near_insz, min_size=1, max_size=50))
def test_sql_insz_check_agrees_with_python(values: list[str]) -> None:
    assert _sql_results(insz_valid_sql("x"), values) == [insz_is_valid(v) for v in values]


@settings(max_examples=30, deadline=None)  # DuckDB start-up varies on a shared machine
@given(
    st.lists(
        st.one_of(
            st.text("0123456789", min_size=10, max_size=10),
            st.integers(0, 19_999_999).map(lambda s: str(enterprise_from_sequence(np.array([s]))[0])),
        ),
        min_size=1,
        max_size=50,
    )
)
def test_sql_enterprise_check_agrees_with_python(values: list[str]) -> None:
    assert _sql_results(enterprise_valid_sql("x"), values) == [enterprise_is_valid(v) for v in values]


@settings(max_examples=30, deadline=None)  # DuckDB start-up varies on a shared machine
@given(
    st.lists(
        st.one_of(
            st.text("0123456789", min_size=6, max_size=9),
            st.integers(1000, 1_999_999).map(lambda r: str(rsz_from_radix(np.array([r]))[0])),
        ),
        min_size=1,
        max_size=50,
    )
)
def test_sql_rsz_check_agrees_with_python(values: list[str]) -> None:
    values = [v for v in values if v.strip("0")]  # all zeros means "not given" in the DmfA (zone 00011)
    assert _sql_results(rsz_valid_sql("x"), values) == [rsz_is_valid(v) for v in values]
    assert _sql_results(rsz_valid_sql("x"), ["0", "000000000"]) == [True, True]
