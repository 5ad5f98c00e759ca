"""Remedies: the 15/018 fallback by hand, recoding, local suppression, and the optimal anonymisation
checked against an independent brute force over the whole lattice."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossroads.disclosure import (
    DisclosureInputError,
    Hierarchy,
    HierarchyError,
    anonymise,
    assess,
    geographic_fallback,
    local_suppression,
    recode,
)
from crossroads.disclosure.recoding import conditional_entropy_bits, entropy_bits


def small_geography() -> Hierarchy:
    # A1, A2, A3 -> werkwinkel W1; A4 -> W2 (both in arrondissement X); B1 -> W3 in Y.
    frame = pd.DataFrame(
        {
            "municipality": ["A1", "A2", "A3", "A4", "B1"],
            "werkwinkel": ["W1", "W1", "W1", "W2", "W3"],
            "arrondissement": ["X", "X", "X", "X", "Y"],
            "province": ["P", "P", "P", "P", "P"],
            "region": ["R", "R", "R", "R", "R"],
        }
    )
    return Hierarchy.from_frame(frame, name="geography")


FALLBACK = ("municipality", "werkwinkel", "arrondissement")


def row(frame: pd.DataFrame, i: int) -> list[object]:
    """A row's values with empty cells as None (pandas may store them as NaN)."""
    return [None if pd.isna(v) else v for v in frame.loc[i].tolist()]


def people(counts: dict[str, int]) -> pd.DataFrame:
    munis = [m for m, c in counts.items() for _ in range(c)]
    return pd.DataFrame({"person_seq": np.arange(len(munis)), "municipality": munis})


def test_fallback_residual_counting_by_hand() -> None:
    # A1 x6, B1 x5 keep their municipality (>= 5). A2 x2, A3 x2, A4 x1 fall back:
    # werkwinkel W1 gets A2+A3 = 4 records (< 5) and W2 1: all five go on to arrondissement X (5 >= 5).
    data = people({"A1": 6, "A2": 2, "A3": 2, "A4": 1, "B1": 5})
    fb = geographic_fallback(data, small_geography(), fallback=FALLBACK)
    assert fb.levels == {"municipality": 11, "werkwinkel": 0, "arrondissement": 5}
    assert fb.groups_below == 0
    out = fb.data.set_index("person_seq")
    assert list(out.columns) == ["municipality", "werkwinkel", "arrondissement", "geo_level"]
    # a kept record shows its municipality and the coarser levels; a fallen-back one only the coarser
    assert row(out, 0) == ["A1", "W1", "X", "municipality"]
    assert row(out, 6) == [None, None, "X", "arrondissement"]  # an A2 record
    assert row(out, 10) == [None, None, "X", "arrondissement"]  # the A4 record


def test_fallback_all_counting_by_hand() -> None:
    # Counting every record of the werkwinkel: W1 holds 6 + 2 + 2 = 10 >= 5, so A2 and A3 show W1;
    # W2 holds only A4 (1) -> arrondissement X (12 records in all: not below the minimum).
    data = people({"A1": 6, "A2": 2, "A3": 2, "A4": 1, "B1": 5})
    fb = geographic_fallback(data, small_geography(), fallback=FALLBACK, counting="all")
    assert fb.levels == {"municipality": 11, "werkwinkel": 4, "arrondissement": 1}
    assert fb.groups_below == 0
    assert row(fb.data, 6)[1:] == [None, "W1", "X", "werkwinkel"]


def test_fallback_within_a_cross_classification() -> None:
    # Counted by municipality x sex: A1 has 3 men and 3 women (both < 5); A2 has 2 men.
    # Men: W1 = 3 + 2 = 5 -> werkwinkel. Women: W1 = 3 -> arrondissement X = 3, still below 5.
    data = pd.DataFrame(
        {"municipality": ["A1"] * 6 + ["A2"] * 2, "sex": ["M", "M", "M", "F", "F", "F", "M", "M"]}
    )
    fb = geographic_fallback(data, small_geography(), fallback=FALLBACK, by=["sex"])
    assert fb.levels == {"municipality": 0, "werkwinkel": 5, "arrondissement": 3}
    assert fb.groups_below == 1
    assert fb.records_below == 3
    assert (fb.data.loc[fb.data.sex == "F", "geo_level"] == "arrondissement").all()


def test_fallback_information_loss_is_measured() -> None:
    data = people({"A1": 6, "A2": 2, "A3": 2, "A4": 1, "B1": 5})
    loss = geographic_fallback(data, small_geography(), fallback=FALLBACK).loss
    v = loss.variables[0]
    # precision: 11 records at level 0, 5 at level 2 of a 5-step hierarchy -> (5 * 2 / 16) / 5
    assert v.precision_loss == pytest.approx((5 * 2 / 16) / 5)
    # LM: leaves under X = 4 of 5 -> (4 - 1) / (5 - 1) = 0.75 for 5 of 16 records
    assert v.lm_loss == pytest.approx(5 * 0.75 / 16)
    # H(municipality | published): within X the 5 records are A2, A2, A3, A3, A4 -> H = 1.5219 bits,
    # weighted by 5/16
    h_x = -(2 * (0.4 * np.log2(0.4)) + 0.2 * np.log2(0.2))
    assert v.entropy_loss == pytest.approx(5 / 16 * h_x)


def test_fallback_bad_input() -> None:
    data = people({"A1": 2, "ZZ": 1})
    with pytest.raises(DisclosureInputError, match=r"column 'municipality', row 2: value not in hierarchy"):
        geographic_fallback(data, small_geography(), fallback=FALLBACK, table="workers")
    with pytest.raises(DisclosureInputError, match="must start at the hierarchy's finest level"):
        geographic_fallback(people({"A1": 1}), small_geography(), fallback=("werkwinkel", "arrondissement"))


def test_hierarchy_must_nest() -> None:
    frame = pd.DataFrame(
        {
            "municipality": ["A1", "A2", "A3"],
            "werkwinkel": ["W1", "W1", "W2"],
            "arrondissement": ["X", "Y", "Y"],
        }
    )
    with pytest.raises(HierarchyError, match=r"werkwinkel 'W1' has 2 parents at level 'arrondissement'"):
        Hierarchy.from_frame(frame)


def test_hierarchy_from_a_users_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("municipality,werkwinkel,arrondissement\n11001,W1,11000\n11002,W1,11000\n12002,W2,\n")
    with pytest.raises(HierarchyError, match=r"row 2, level 'arrondissement' is empty"):
        Hierarchy.from_csv(path)
    path.write_text("municipality,werkwinkel\n11001,W1\n")
    with pytest.raises(HierarchyError, match="level column"):
        Hierarchy.from_csv(path, ["municipality", "werkwinkel", "arrondissement"])


def test_global_recoding() -> None:
    data = people({"A1": 2, "A4": 1, "B1": 1})
    out, loss = recode(data, {"municipality": (small_geography(), "arrondissement")})
    assert out["municipality"].tolist() == ["X", "X", "X", "Y"]
    assert loss.variables[0].precision_loss == pytest.approx(2 / 5)


def test_entropy_helpers_by_hand() -> None:
    assert entropy_bits(["a", "b", "a", "b"]) == pytest.approx(1.0)
    # published y groups {a, b} and {c}: H(x | y) = 0.5 * 1 bit + 0.5 * 0
    assert conditional_entropy_bits(["a", "b", "c", "c"], ["g", "g", "c", "c"]) == pytest.approx(0.5)


def test_local_suppression_reaches_k() -> None:
    rng = np.random.default_rng(7)
    data = pd.DataFrame(
        {"a": rng.integers(0, 6, 300), "b": rng.integers(0, 5, 300), "c": rng.integers(0, 3, 300)}
    )
    assert assess(data, ["a", "b", "c"]).k < 5
    out, loss = local_suppression(data, ["a", "b", "c"], 5)
    assert assess(out, ["a", "b", "c"]).k >= 5
    assert loss.cells_suppressed > 0
    # only records of classes below 5 lose values
    before = assess(data, ["a", "b", "c"])
    safe = before.class_sizes[before.class_id] >= 5
    touched = (out.astype(str) != data.astype(str)).any(axis=1).to_numpy()
    assert touched.sum() <= (~safe).sum() + 5  # at most k-1 extra records to fill the all-* class


def _brute_force(
    data: pd.DataFrame, qis: list[str], hier: dict[str, Hierarchy], k: int, limit: float
) -> tuple[float, tuple[int, ...]]:
    """Every node of the lattice, generalised and counted with pandas: the least LM loss."""
    best: tuple[float, tuple[int, ...]] = (np.inf, ())
    n = len(data)
    for node in itertools.product(*[range(hier[q].height + 1) for q in qis]):
        gen = pd.DataFrame(
            {q: hier[q].recode(data[q].to_numpy(), lv) for q, lv in zip(qis, node, strict=True)}
        )
        size = gen.groupby(qis)[qis[0]].transform("size").to_numpy()
        suppressed = size < k
        if suppressed.sum() > limit * n:
            continue
        cells = 0.0
        for q, lv in zip(qis, node, strict=True):
            leaves = hier[q].leaves_under(lv) if lv < hier[q].height else {"*": len(hier[q].frame)}
            total = len(hier[q].frame)
            per = np.array([(leaves[v] - 1) / (total - 1) for v in gen[q]])
            per[suppressed] = 1.0
            cells += per.sum()
        loss = cells / (n * len(qis))
        if loss < best[0] - 1e-12:
            best = (loss, node)
    return best


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_optimal_anonymisation_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 400
    age = Hierarchy.from_intervals("age", np.arange(20, 60), [5, 10, 20])
    geo = small_geography()
    sex = Hierarchy.from_frame(pd.DataFrame({"sex": ["M", "F"]}))
    data = pd.DataFrame(
        {
            "municipality": rng.choice(["A1", "A2", "A3", "A4", "B1"], n, p=[0.4, 0.3, 0.15, 0.1, 0.05]),
            "age": rng.integers(20, 60, n).astype(str),
            "sex": rng.choice(["M", "F"], n),
        }
    )
    hier = {"municipality": geo, "age": age, "sex": sex}
    qis = list(hier)
    result = anonymise(data, qis, hier, k=5, suppression_limit=0.05)
    expected_loss, _ = _brute_force(data, qis, hier, 5, 0.05)
    assert result.lm_loss == pytest.approx(expected_loss)
    assert result.records_suppressed <= 0.05 * n
    after = assess(result.data[result.data["age"] != "*"], qis)
    assert after.k >= 5
    assert result.nodes_evaluated < result.nodes_total  # the bound pruned part of the lattice


def test_anonymisation_bad_input() -> None:
    data = pd.DataFrame({"age": ["20", "21"]})
    age = Hierarchy.from_intervals("age", np.arange(20, 30), [5])
    with pytest.raises(DisclosureInputError, match="hierarchies given for non-quasi-identifiers"):
        anonymise(data, ["age"], {"age": age, "sex": age})
    with pytest.raises(DisclosureInputError, match=r"column 'age', row 1: value not in hierarchy"):
        anonymise(pd.DataFrame({"age": ["20", "99"]}), ["age"], {"age": age})


@settings(max_examples=40, deadline=None)
@given(
    counts=st.lists(st.integers(0, 9), min_size=5, max_size=5),
    min_count=st.integers(1, 8),
    counting=st.sampled_from(["residual", "all"]),
)
def test_fallback_properties(counts: list[int], min_count: int, counting: str) -> None:
    munis = ["A1", "A2", "A3", "A4", "B1"]
    data = people(dict(zip(munis, counts, strict=True)))
    if len(data) == 0:
        return
    geo = small_geography()
    fb = geographic_fallback(data, geo, fallback=FALLBACK, min_count=min_count, counting=counting)  # type: ignore[arg-type]
    out = fb.data
    truth = data["municipality"].to_numpy()
    # the published values are the record's own ancestors, at the level it shows and above
    level = out["geo_level"].to_numpy()
    for name in FALLBACK:
        shown = out[name].to_numpy()
        mask = ~pd.isna(shown)
        assert (shown[mask] == geo.recode(truth[mask], name)).all()
    # a municipality is kept exactly when at least min_count records share it
    per_muni = data["municipality"].map(data["municipality"].value_counts()).to_numpy()
    assert ((level == "municipality") == (per_muni >= min_count)).all()
    if counting == "residual":
        # every werkwinkel published is shared by at least min_count records showing it
        ww = out.loc[out["geo_level"] == "werkwinkel", "werkwinkel"]
        assert (ww.value_counts() >= min_count).all()
    assert sum(fb.levels.values()) == len(data)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(5, 200), k=st.integers(2, 5))
def test_local_suppression_always_reaches_k(seed: int, n: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    data = pd.DataFrame({"a": rng.integers(0, 5, n), "b": rng.integers(0, 4, n), "c": rng.integers(0, 2, n)})
    out, _ = local_suppression(data, ["a", "b", "c"], k)
    assert assess(out, ["a", "b", "c"], k=k).k >= k
