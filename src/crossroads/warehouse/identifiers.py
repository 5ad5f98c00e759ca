"""Belgian identifiers: INSZ (national and bis numbers), enterprise numbers, RSZ employer numbers.

Scalar checks for validation and vectorised ones for the generator and bulk validation. The rules are
in ``shared/DOMAIN.md`` §1-2. Error messages never repeat the number itself: callers name the row.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def insz_is_valid(value: str) -> bool:
    """True when ``value`` is 11 digits with a valid INSZ check (pre-2000 or 2000+ rule), bis numbers too."""
    if len(value) != 11 or not value.isdigit():
        return False
    base, check = int(value[:9]), int(value[9:])
    if check == 97 - base % 97 or check == 97 - (2_000_000_000 + base) % 97:
        return _insz_date_plausible(value)
    return False


def _insz_date_plausible(value: str) -> bool:
    # The serial (digits 7-9) is not checked: 999 occurs in issued bis numbers (DOMAIN.md §1 example).
    month, day = int(value[2:4]), int(value[4:6])
    # bis numbers add 20 (sex unknown) or 40 (sex known) to the month; 00 = unknown month
    for offset in (0, 20, 40):
        m = month - offset
        if 0 <= m <= 12:
            return 0 <= day <= 31 and (m != 0 or day == 0 or offset == 0)
    return False


def insz_century(value: str) -> int:
    """1900 or 2000: which check rule the number satisfies (the pre-2000 one is tried first)."""
    base, check = int(value[:9]), int(value[9:])
    if check == 97 - base % 97:
        return 1900
    if check == 97 - (2_000_000_000 + base) % 97:
        return 2000
    raise ValueError("not a valid INSZ check")


def insz_check_digits(base9: int, born_2000_or_later: bool) -> int:
    """The two check digits for the 9-digit ``YYMMDDSSS`` base."""
    return 97 - ((2_000_000_000 if born_2000_or_later else 0) + base9) % 97


def insz_from_parts(
    birth_year: npt.NDArray[np.integer],
    month: npt.NDArray[np.integer],
    day: npt.NDArray[np.integer],
    serial: npt.NDArray[np.integer],
    bis_offset: npt.NDArray[np.integer] | int = 0,
) -> npt.NDArray[np.str_]:
    """Vectorised INSZ strings from birth dates and day serials (odd = male, even = female).

    ``bis_offset`` adds 20 or 40 to the month for bis numbers.
    """
    yy = np.asarray(birth_year) % 100
    base = (yy * 10_000 + (np.asarray(month) + bis_offset) * 100 + np.asarray(day)) * 1000 + np.asarray(
        serial
    )
    base = base.astype(np.int64)
    prefix = np.where(np.asarray(birth_year) >= 2000, 2_000_000_000, 0)
    check = 97 - (prefix + base) % 97
    return np.char.add(np.char.zfill(base.astype(str), 9), np.char.zfill(check.astype(str), 2))


def insz_valid_array(values: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Vectorised check-digit test (shape and checksum; dates are checked by ``insz_is_valid``)."""
    arr = np.asarray(values, dtype=str)
    ok = (np.char.str_len(arr) == 11) & np.char.isdigit(arr)
    digits = np.where(ok, arr, "00000000000")
    base = np.char.ljust(digits, 11).astype("U9").astype(np.int64)
    check = (
        np.array([int(s[9:]) for s in digits.tolist()], dtype=np.int64) if digits.size else np.zeros(0, int)
    )
    return ok & ((check == 97 - base % 97) | (check == 97 - (2_000_000_000 + base) % 97))


def enterprise_is_valid(value: str) -> bool:
    """10 digits, first digit 0 or 1, and ``(first8 + last2) mod 97 == 0``."""
    if len(value) != 10 or not value.isdigit() or value[0] not in "01":
        return False
    return (int(value[:8]) + int(value[8:])) % 97 == 0


def enterprise_from_sequence(seq: npt.NDArray[np.integer]) -> npt.NDArray[np.str_]:
    """Vectorised enterprise numbers from 8-digit sequence numbers (below 2e7: leading 0 or 1)."""
    s = np.asarray(seq, dtype=np.int64)
    check = 97 - s % 97
    return np.char.add(np.char.zfill(s.astype(str), 8), np.char.zfill(check.astype(str), 2))


def rsz_is_valid(value: str) -> bool:
    """Definitive RSZ number in [100006, 199999934], ``cc = 96 - (radix*100 mod 97)`` (0 -> 97)."""
    if not value.isdigit() or not 1 <= len(value) <= 9:
        return False
    n = int(value)
    if not 100_006 <= n <= 199_999_934:
        return False
    radix, cc = divmod(n, 100)
    expected = 96 - (radix * 100) % 97
    return cc == (97 if expected == 0 else expected)


def rsz_from_radix(radix: npt.NDArray[np.integer]) -> npt.NDArray[np.str_]:
    """Vectorised RSZ numbers (zero-padded to 9 digits) from 7-digit radices (1000 .. 1999999)."""
    r = np.asarray(radix, dtype=np.int64)
    cc = 96 - (r * 100) % 97
    cc = np.where(cc == 0, 97, cc)
    return np.char.zfill((r * 100 + cc).astype(str), 9)
