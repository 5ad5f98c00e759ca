"""Quarters (``YYYYQ``), their last days and year ranges, in plain Python.

The Ibis versions of the same arithmetic live in ``crossroads.catalog.periods`` (the catalog may not
import the engine); both are tested against each other.
"""

from __future__ import annotations

from datetime import date, timedelta

from crossroads.catalog.periods import add_quarters, quarter_end, quarter_index  # noqa: F401 - re-export


def quarter(year: int, q: int) -> int:
    if not 1 <= q <= 4:
        raise ValueError(f"quarter number must be 1-4, got {q}")
    return year * 10 + q


def split(yyyyq: int) -> tuple[int, int]:
    year, q = divmod(yyyyq, 10)
    if not 1 <= q <= 4:
        raise ValueError(f"{yyyyq} is not a quarter YYYYQ")
    return year, q


def shift(yyyyq: int, n: int) -> int:
    """The quarter ``n`` quarters later (earlier when negative)."""
    year, q = split(yyyyq)
    index = year * 4 + q - 1 + n
    return (index // 4) * 10 + index % 4 + 1


def last_day(yyyyq: int) -> date:
    year, q = split(yyyyq)
    if q == 4:
        return date(year, 12, 31)
    return date(year, q * 3 + 1, 1) - timedelta(days=1)


def of_date(d: date) -> int:
    return d.year * 10 + (d.month + 2) // 3


def quarters_of(year: int) -> list[int]:
    return [quarter(year, q) for q in range(1, 5)]


def years(first: int, last: int) -> list[int]:
    if last < first:
        raise ValueError(f"year range {first}-{last} is empty")
    return list(range(first, last + 1))


def measurement_quarter(year: int, year_offset: int, q: int) -> int:
    """The quarter in which the yearly variables of year ``year`` are measured."""
    return quarter(year + year_offset, q)
