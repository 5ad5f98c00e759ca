"""The observation period 2007Q1-2024Q4 and the day arithmetic every generator module shares.

Dates are handled as ``int32`` days since 1970-01-01 (numpy ``datetime64[D]`` as integers) so that whole
columns are shifted, compared and clipped without Python loops; :func:`dates` turns them into Arrow
``date32`` columns (the same epoch, so the conversion is a zero-copy view).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

FIRST_YEAR, LAST_YEAR = 2007, 2024
YEARS = np.arange(FIRST_YEAR, LAST_YEAR + 1)
N_QUARTERS = len(YEARS) * 4
PERIOD = "2007Q1-2024Q4"

Days = npt.NDArray[np.int32]

OPEN = np.int32(2**31 - 1)
"""End date of a spell that still runs (written as null)."""


def day(iso: str) -> int:
    return int(np.datetime64(iso, "D").astype(np.int64))


P0 = day("2007-01-01")
P1 = day("2024-12-31")
DAYS_PER_YEAR = 365.25

# quarter k (0..71): first and last day, and the YYYYQ code
_starts = np.array([day(f"{y}-{m:02d}-01") for y in YEARS for m in (1, 4, 7, 10)] + [day("2025-01-01")])
Q_START: Days = _starts[:-1].astype(np.int32)
Q_END: Days = (_starts[1:] - 1).astype(np.int32)
Q_CODE = np.array([y * 10 + q for y in YEARS for q in (1, 2, 3, 4)], dtype=np.int32)
Q_YEAR = np.repeat(YEARS, 4).astype(np.int16)
Y_END: Days = np.array([day(f"{y}-12-31") for y in YEARS], dtype=np.int32)


def years_to_days(years: npt.ArrayLike) -> npt.NDArray[np.int32]:
    return np.round(np.asarray(years, dtype=np.float64) * DAYS_PER_YEAR).astype(np.int32)


def age_at(birth: Days, when: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Age in (fractional) years on ``when``."""
    return (np.asarray(when, dtype=np.int64) - birth) / DAYS_PER_YEAR


def quarter_of(days: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Quarter index k (may fall outside 0..71) of each day."""
    d = np.asarray(days).astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12
    return (y - FIRST_YEAR) * 4 + m // 3


def year_of(days: npt.ArrayLike) -> npt.NDArray[np.int64]:
    return np.asarray(days).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def month_code(days: npt.ArrayLike) -> npt.NDArray[np.int32]:
    m = np.asarray(days).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return ((m // 12 + 1970) * 100 + m % 12 + 1).astype(np.int32)


def dates(days: npt.ArrayLike, open_is_null: bool = True) -> pa.Array:
    """An Arrow ``date32`` column; ``OPEN`` (or anything past 2200) becomes null when ``open_is_null``."""
    arr = np.asarray(days, dtype=np.int32)
    mask = (arr >= day("2200-01-01")) if open_is_null else None
    return pa.array(arr, type=pa.int32(), mask=mask).view(pa.date32())
