"""Properties of the phase-1 draw (S000-2), independent of any backend."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from crossroads.engine.sampling import draw_persons

persons = st.lists(st.text("0123456789", min_size=11, max_size=11), max_size=60)


@settings(max_examples=60, deadline=None)
@given(persons, st.integers(0, 80), st.integers(0, 2**32 - 1))
def test_draw_properties(people: list[str], size: int, seed: int) -> None:
    arr = pa.array(people, pa.string())
    a = draw_persons(arr, size, np.random.default_rng(seed)).to_pylist()
    b = draw_persons(
        pa.array(list(reversed(people)), pa.string()), size, np.random.default_rng(seed)
    ).to_pylist()
    assert a == b  # the input order (which differs between backends) does not matter
    assert len(a) == min(size, len(set(people)))
    assert len(set(a)) == len(a) and set(a) <= set(people)
    assert a == sorted(a)


def test_different_seeds_give_different_samples() -> None:
    people = pa.array([f"{i:011d}" for i in range(1000)])
    draws = {tuple(draw_persons(people, 10, np.random.default_rng(s)).to_pylist()) for s in range(5)}
    assert len(draws) == 5
