"""The Ibis path gives the same classes as the array path, on DuckDB and on Spark."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossroads import classes

NUMERIC_VALUES = [
    0.0,
    1.24,
    1.25,
    2.5,
    14.0,
    15.0,
    19.0,
    19.999,
    20.0,
    64.0,
    65.0,
    100.0,
    623.74,
    623.75,
    999.99,
    1000.0,
    10_000.0,
    10_000.01,
    90_000.01,
    1e12,
    -0.01,
    -1e300,
    math.inf,
    math.nan,
    None,
]
COUNTRY_VALUES: list[str | None] = [
    "150",
    "111",
    "112",
    "122",
    "262",
    "354",
    "306",
    "207",
    "402",
    "611",
    "999",
    "900",
    "bad",
    None,
]
NUMERIC_SCHEMES = [n for n in classes.names() if isinstance(classes.scheme(n), classes.IntervalScheme)]
CATEGORICAL_SCHEMES = ["nationality", "birthplace"]


def _clean(values: Any) -> list[Any]:
    return [
        None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else v for v in values
    ]


def test_numeric_schemes_agree_with_arrays(ibis_con: Any) -> None:
    table = ibis.memtable(pd.DataFrame({"x": pd.array(NUMERIC_VALUES, dtype="Float64")}).astype("float64"))
    expr = table.mutate(**{n: classes.scheme(n).assign(table.x) for n in NUMERIC_SCHEMES})
    got = ibis_con.execute(expr)
    x = np.array([np.nan if v is None else v for v in NUMERIC_VALUES], dtype=np.float64)
    for n in NUMERIC_SCHEMES:
        want = _clean(classes.scheme(n).assign_array(x))
        assert _clean(got[n]) == want, n
    # Golden spot checks (see test_class_schemes for the arithmetic).
    assert _clean(got["daily_wage"])[:4] == ["001", "001", "002", "003"]
    assert _clean(got["age_5y"])[4:10] == ["00-14", "15-19", "15-19", "15-19", "20-24", "60-64"]


def test_integer_ages(ibis_con: Any) -> None:
    table = ibis.memtable({"age": pa.array([14, 15, 19, 20, None], type=pa.int64())})
    got = ibis_con.execute(table.mutate(c=classes.scheme("age_5y").assign(table.age)))
    assert _clean(got["c"]) == ["00-14", "15-19", "15-19", "20-24", None]


def test_categorical_and_origin_agree(ibis_con: Any) -> None:
    n = len(COUNTRY_VALUES)
    # Rotate the same values through the four origin inputs so the rule meets many combinations.
    cols: dict[str, list[str | None]] = {
        f"c{i}": [COUNTRY_VALUES[(j + 3 * i) % n] for j in range(n)] for i in range(4)
    }
    cols["c3"] = [*(["150"] * (n - 2)), None, "354"]
    table = ibis.memtable(pd.DataFrame(cols, dtype=object), schema={k: "string" for k in cols})
    expr = table.mutate(
        nationality=classes.scheme("nationality").assign(table.c0),
        birthplace=classes.scheme("birthplace").assign(table.c0),
        education=classes.scheme("education").assign(table.c1),
        origin=classes.origin(table.c0, table.c1, table.c2, table.c3),
    )
    got = ibis_con.execute(expr)
    for name in CATEGORICAL_SCHEMES:
        assert _clean(got[name]) == _clean(
            classes.scheme(name).assign_array(np.array(cols["c0"], dtype=object))
        )
    want_origin = classes.scheme("origin").assign_array(
        *[np.array(cols[f"c{i}"], dtype=object) for i in range(4)]
    )
    assert _clean(got["origin"]) == _clean(want_origin)
    assert _clean(got["nationality"])[:6] == ["BE", "EU14", "EUR", "EU13", "CAND", "MAGH"]


def test_year_month(ibis_con: Any) -> None:
    table = ibis.memtable(
        {"d": pa.array([dt.date(2020, 3, 31), dt.date(1999, 12, 1), None], type=pa.date32())}
    )
    got = ibis_con.execute(table.mutate(ym=classes.scheme("year_month").assign(table.d)))
    assert _clean(got["ym"]) == ["2020-03", "1999-12", None]


@pytest.mark.parametrize("name", ["daily_wage", "wage_mass"])
@settings(max_examples=25, deadline=None)
@given(values=st.lists(st.floats(min_value=-10, max_value=30_000, allow_nan=False), min_size=1, max_size=40))
def test_equal_width_arithmetic_matches_comparisons_duckdb(name: str, values: list[float]) -> None:
    # The engine computes equal-width classes with floor() and a correction; the array path with
    # searchsorted on the bounds. They must agree on any value, including values next to a bound.
    near = [np.nextafter(v, -np.inf) for v in values] + [np.nextafter(v, np.inf) for v in values]
    xs = np.array(values + near, dtype=np.float64)
    table = ibis.memtable({"x": xs})
    got = ibis.duckdb.connect().execute(table.mutate(c=classes.scheme(name).assign(table.x)))
    assert _clean(got["c"]) == _clean(classes.scheme(name).assign_array(xs))
