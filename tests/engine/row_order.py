"""Checks of the order of a dataset's rows (``engine.extract.ORDER_COLUMN``): persons in a random order, each
person's rows together and in key order."""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa


def persons_in_order(table: pa.Table, key: str = "insz") -> list[str]:
    """The persons of ``table`` in the order their rows come, each once; fails unless each person's rows are
    together."""
    values = table.column(key).to_pylist()
    order: list[str] = []
    for i, value in enumerate(values):
        if i == 0 or value != values[i - 1]:
            assert value not in order, f"the rows of {key} {value!r} are not together"
            order.append(value)
    return order


def assert_rows_in_key_order(table: pa.Table, keys: list[str]) -> None:
    """Within each person (the first key), rows sorted by the other keys."""
    rows = table.select(keys).to_pylist()
    for before, after in itertools.pairwise(rows):
        if before[keys[0]] == after[keys[0]]:
            assert tuple(before[k] for k in keys[1:]) <= tuple(after[k] for k in keys[1:]), (before, after)


def rank_correlation(values: list[str]) -> float:
    """Spearman's rho between the position of each value and its rank when sorted: 1 for sorted values,
    about 0 (standard deviation 1 / sqrt(n)) for a random order."""
    ranks = np.argsort(np.argsort(np.array(values)))
    return float(np.corrcoef(np.arange(len(values)), ranks)[0, 1])
