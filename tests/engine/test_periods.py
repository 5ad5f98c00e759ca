"""Quarter arithmetic: the Python helpers against the Ibis expressions (DuckDB), by property."""

from __future__ import annotations

from datetime import date

import ibis
from hypothesis import given, settings
from hypothesis import strategies as st

from crossroads.catalog import periods as xp
from crossroads.engine import periods

quarters = st.builds(lambda y, q: y * 10 + q, st.integers(1990, 2040), st.integers(1, 4))


def test_known_values() -> None:
    assert periods.last_day(20201) == date(2020, 3, 31)
    assert periods.last_day(20204) == date(2020, 12, 31)
    assert periods.shift(20204, 1) == 20211 and periods.shift(20211, -1) == 20204
    assert periods.of_date(date(2020, 7, 1)) == 20203


@settings(max_examples=25, deadline=None)
@given(quarters, st.integers(-30, 30))
def test_ibis_matches_python(q: int, n: int) -> None:
    con = ibis.duckdb.connect()
    lit = ibis.literal(q, "int32")
    assert con.execute(xp.add_quarters(lit, n)) == periods.shift(q, n)
    assert con.to_pyarrow(xp.quarter_end(lit)).as_py() == periods.last_day(q)
    assert periods.shift(periods.shift(q, n), -n) == q
