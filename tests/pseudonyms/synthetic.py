"""Synthetic identifiers for the pseudonym tests (valid check digits, made from a seed)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from crossroads.warehouse.identifiers import enterprise_from_sequence, insz_from_parts


def make_insz(n: int, seed: int) -> pa.Array:
    """``n`` distinct valid INSZ numbers (born 1950-2005), in random order."""
    rng = np.random.default_rng(seed)
    year = rng.integers(1950, 2006, n)
    month = rng.integers(1, 13, n)
    day = rng.integers(1, 29, n)
    serial = rng.integers(1, 998, n)
    values = np.unique(insz_from_parts(year, month, day, serial))
    while len(values) < n:  # a rare same-day collision: top up
        extra = insz_from_parts(year[:10], month[:10], day[:10], rng.integers(1, 998, 10))
        values = np.unique(np.concatenate([values, extra]))
    return pa.array(rng.permutation(values[:n]).astype(object), type=pa.string())


def make_enterprises(n: int, seed: int) -> pa.Array:
    rng = np.random.default_rng(seed)
    seq = 2_000_000 + rng.choice(17_999_999, n, replace=False)
    return pa.array(enterprise_from_sequence(seq).astype(object), type=pa.string())
