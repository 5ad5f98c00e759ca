"""Quarter arithmetic as backend-neutral Ibis expressions.

Quarters are ``YYYYQ`` integers (20204 = 2020 Q4), the DWH's last-day-of-quarter convention. To step over
year boundaries a quarter is turned into a running index (``year * 4 + quarter - 1``) and back.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir


def quarter_index(quarter: ir.IntegerValue) -> ir.IntegerValue:
    """Running quarter number: consecutive quarters differ by exactly 1."""
    return (quarter // 10) * 4 + (quarter % 10) - 1


def quarter_from_index(index: ir.IntegerValue) -> ir.IntegerValue:
    return ((index // 4) * 10 + (index % 4) + 1).cast("int32")


def add_quarters(quarter: ir.IntegerValue, n: int | ir.IntegerValue) -> ir.IntegerValue:
    return quarter_from_index(quarter_index(quarter) + n)


def quarter_end(quarter: ir.IntegerValue) -> ir.DateValue:
    """Last day of the quarter: the day before the first day of the next quarter."""
    nxt = add_quarters(quarter, 1)
    first_of_next = ibis.date((nxt // 10).cast("int32"), ((nxt % 10) * 3 - 2).cast("int32"), 1)
    return first_of_next - ibis.interval(days=1)


def quarter_start(quarter: ir.IntegerValue) -> ir.DateValue:
    return ibis.date((quarter // 10).cast("int32"), ((quarter % 10) * 3 - 2).cast("int32"), 1)


def quarter_of_date(d: ir.DateValue) -> ir.IntegerValue:
    return (d.year() * 10 + (d.month() + 2) // 3).cast("int32")


def covers(start: ir.DateValue, end: ir.DateValue, on: ir.DateValue) -> ir.BooleanValue:
    """A spell (inclusive dates; null end = still running) covers the day ``on``."""
    return (start <= on) & (end.isnull() | (end >= on))


def age_on(birth: ir.DateValue, on: ir.DateValue) -> ir.IntegerValue:
    """Completed years of age on a day (no birthday yet this year -> one less)."""
    before_birthday = (on.month() * 100 + on.day()) < (birth.month() * 100 + birth.day())
    return (on.year() - birth.year() - before_birthday.cast("int32")).cast("int32")
