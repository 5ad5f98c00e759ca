"""Risk figures: golden values by hand on a tiny file, and agreement with pycanon on random files."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycanon import anonymity

from crossroads.disclosure import DisclosureInputError, assess
from crossroads.disclosure.risk import negative_binomial_risk


def tiny() -> pd.DataFrame:
    # classes (a, b): (1,x) x3, (2,y) x2, (3,y) x1; sensitive s per class: {p,q,p}, {p,p}, {r}
    return pd.DataFrame(
        {
            "a": [1, 1, 1, 2, 2, 3],
            "b": ["x", "x", "x", "y", "y", "y"],
            "s": ["p", "q", "p", "p", "p", "r"],
        }
    )


def test_golden_prosecutor_and_classes() -> None:
    r = assess(tiny(), ["a", "b"], sensitive=["s"], k=2)
    assert r.records == 6
    assert r.classes == 3
    assert r.k == 1
    assert r.sample_uniques == 1
    assert r.records_below_k == 1  # only the class of size 1 is below k=2
    assert r.classes_below_k == 1
    # per record 1/3,1/3,1/3,1/2,1/2,1: max 1; mean = 3 classes / 6 records = 0.5
    assert r.prosecutor.maximum == 1.0
    assert r.prosecutor.mean == pytest.approx(0.5)
    # threshold 1/k = 0.5: only the unique record's risk (1) exceeds it -> 1/6
    assert r.prosecutor.records_above == 1
    assert r.prosecutor.share_above == pytest.approx(1 / 6)
    np.testing.assert_allclose(r.record_risk(), [1 / 3, 1 / 3, 1 / 3, 1 / 2, 1 / 2, 1])


def test_golden_diversity() -> None:
    d = assess(tiny(), ["a", "b"], sensitive=["s"], k=2).diversity[0]
    assert d.l == 1  # classes (2,y) and (3,y) hold one value each
    assert d.classes_with_one_value == 2
    assert d.records_with_one_value == 3
    assert d.entropy_l == pytest.approx(1.0)  # exp(0) for the one-valued classes
    assert d.alpha == 1.0


def test_golden_journalist_with_population_counts() -> None:
    population = pd.DataFrame({"a": [1, 2, 3, 9], "b": ["x", "y", "y", "z"], "n": [30, 4, 1, 7]})
    r = assess(tiny(), ["a", "b"], k=2, population=population, population_count="n")
    assert r.journalist is not None
    # per record 1/30 (x3), 1/4 (x2), 1/1: max 1, mean (0.1 + 0.5 + 1) / 6
    assert r.journalist.maximum == 1.0
    assert r.journalist.mean == pytest.approx(1.6 / 6)
    assert r.population_uniques == 1  # (3,y) is unique in the population too


def test_population_smaller_than_sample_is_refused() -> None:
    population = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "y"], "n": [2, 4, 1]})
    with pytest.raises(DisclosureInputError, match="more records in the sample than in the population"):
        assess(tiny(), ["a", "b"], population=population, population_count="n")


def test_negative_binomial_closed_form_for_uniques() -> None:
    # f = 1: E[1/F] = p ln(1/p) / (1 - p); p = 0.5 -> ln 2
    assert negative_binomial_risk(1, 0.5) == pytest.approx(math.log(2))
    assert negative_binomial_risk(1, 0.01) == pytest.approx(0.01 * math.log(100) / 0.99)
    assert negative_binomial_risk(3, 1.0) == pytest.approx(1 / 3)  # a census: F = f
    # more records in the sample class -> smaller risk
    assert negative_binomial_risk(2, 0.1) < negative_binomial_risk(1, 0.1)


def test_estimated_journalist_risk_and_population_uniques() -> None:
    r = assess(tiny(), ["a", "b"], k=2, sampling_fraction=0.5)
    assert r.journalist is not None
    assert r.journalist.maximum == pytest.approx(math.log(2))  # the sample unique
    assert r.population_uniques == pytest.approx(0.5)  # 1 sample unique x P(F=1 | f=1) = p


def test_arrow_and_pandas_give_the_same_figures() -> None:
    df = tiny()
    a = assess(df, ["a", "b"], sensitive=["s"], k=2).to_dict()
    b = assess(pa.Table.from_pandas(df), ["a", "b"], sensitive=["s"], k=2).to_dict()
    assert a == b


def test_classes_at_risk_show_values_not_record_numbers() -> None:
    df = tiny().assign(person_seq=[101, 102, 103, 104, 105, 106])
    at_risk = assess(df, ["a", "b"], k=3).classes_at_risk()
    assert list(at_risk.columns) == ["a", "b", "size"]
    assert at_risk.to_dict("records") == [{"a": 3, "b": "y", "size": 1}, {"a": 2, "b": "y", "size": 2}]


def _random_frame(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "q1": rng.integers(0, 3, n),
            "q2": rng.choice(["a", "b", "c", "d"], n),
            "q3": rng.integers(0, 2, n),
            "s1": rng.integers(0, 4, n),
            "s2": rng.choice(["u", "v", "w"], n),
        }
    )


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 120))
def test_figures_equal_pycanon(seed: int, n: int) -> None:
    df = _random_frame(seed, n)
    qi = ["q1", "q2", "q3"]
    sa = ["s1", "s2"]
    r = assess(df, qi, sensitive=sa)
    assert r.k == anonymity.k_anonymity(df, qi)
    assert r.l_diversity == anonymity.l_diversity(df, qi, sa)
    alpha, k = anonymity.alpha_k_anonymity(df, qi, sa)
    assert r.alpha == pytest.approx(alpha)
    assert r.k == k
    # pycanon truncates exp(entropy) to an integer; allow the float rounding at an exact integer.
    ent = anonymity.entropy_l_diversity(df, qi, sa)
    assert r.entropy_l_diversity is not None
    assert ent in {math.floor(r.entropy_l_diversity + 1e-9), math.floor(r.entropy_l_diversity - 1e-9)}
    for one in sa:  # per sensitive variable too
        d = next(x for x in r.diversity if x.variable == one)
        assert d.l == anonymity.l_diversity(df, qi, [one])


BAD_INPUT = {
    "missing number": (
        {"a": [1, None, 2], "b": [1, 1, 1]},
        ["a", "b"],
        r"column 'a', row 1: 1 missing value",
    ),
    "missing string": ({"a": ["x", "y", None]}, ["a"], r"column 'a', row 2: 1 missing value"),
    "unknown column": ({"a": [1, 2]}, ["a", "zip"], r"quasi-identifier 'zip' is not in the data"),
    "empty table": ({"a": []}, ["a"], r"the table is empty"),
    "no quasi-identifier": ({"a": [1]}, [], r"no quasi-identifiers"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_names_table_column_row(case: str) -> None:
    columns, qis, message = BAD_INPUT[case]
    with pytest.raises(DisclosureInputError, match=message) as info:
        assess(pd.DataFrame(columns), qis, table="workers")
    assert "table 'workers'" in str(info.value)


def test_missing_value_in_arrow_column_names_the_row() -> None:
    table = pa.table({"a": pa.array(["x", "y", None, "z"])})
    with pytest.raises(DisclosureInputError, match=r"column 'a', row 2"):
        assess(table, ["a"])


def test_sensitive_not_in_data() -> None:
    with pytest.raises(DisclosureInputError, match="sensitive variable 'wage' is not in the data"):
        assess(tiny(), ["a"], sensitive=["wage"])
