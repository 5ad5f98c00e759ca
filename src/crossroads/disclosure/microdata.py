"""Microdata columns as integer codes: the common input step of risk measurement and recoding.

Accepts a pyarrow Table or a pandas DataFrame. Missing values and unknown columns are refused with an
error naming the table, the column and the first row concerned (never the value).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from crossroads.disclosure.errors import DisclosureInputError

Microdata: TypeAlias = pa.Table | pd.DataFrame


def num_rows(data: Microdata) -> int:
    return data.num_rows if isinstance(data, pa.Table) else len(data)


def column_names(data: Microdata) -> list[str]:
    return list(data.column_names) if isinstance(data, pa.Table) else [str(c) for c in data.columns]


def require_columns(data: Microdata, columns: Sequence[str], *, table: str, role: str) -> None:
    """Raise if a named column is missing, listing the columns that do exist."""
    have = column_names(data)
    for col in columns:
        if col not in have:
            raise DisclosureInputError(
                f"{role} {col!r} is not in the data; columns are: {', '.join(have)}", table=table, column=col
            )


def require_rows(data: Microdata, *, table: str) -> None:
    if num_rows(data) == 0:
        raise DisclosureInputError("the table is empty: there is nothing to assess", table=table)


@dataclass(frozen=True)
class EncodedColumn:
    """``codes[i]`` is the position in ``uniques`` of row i's value; ``cardinality`` bounds the codes."""

    name: str
    codes: np.ndarray
    uniques: np.ndarray
    cardinality: int


def _first_true(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _encode_numeric(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    n = len(values)
    if values.dtype.kind in "iub" and n:
        lo, hi = int(values.min()), int(values.max())
        # A small dense range needs no hashing: the code is the offset from the minimum.
        if hi - lo < max(4 * n, 1 << 16):
            codes = values.astype(np.int64) - lo
            return codes, np.arange(lo, hi + 1), hi - lo + 1
    codes, uniques = pd.factorize(values)
    return codes.astype(np.int64), np.asarray(uniques), len(uniques)


def encode(data: Microdata, column: str, *, table: str) -> EncodedColumn:
    """Integer codes of one column (missing values refused)."""
    if isinstance(data, pa.Table):
        arr = data.column(column)
        if arr.null_count:
            row = int(pc.index(pc.is_null(arr), True).as_py())
            raise DisclosureInputError(
                f"{arr.null_count} missing value(s) (first at this row)", table=table, column=column, row=row
            )
        typ = arr.type
        if pa.types.is_integer(typ) or pa.types.is_boolean(typ):
            codes, uniques, card = _encode_numeric(arr.to_numpy())
            return EncodedColumn(column, codes, uniques, card)
        if pa.types.is_floating(typ):
            values = arr.to_numpy()
            nan = np.isnan(values)
            if nan.any():
                raise DisclosureInputError(
                    f"{int(nan.sum())} missing value(s) (NaN; first at this row)",
                    table=table,
                    column=column,
                    row=_first_true(nan),
                )
            codes, uniques, card = _encode_numeric(values)
            return EncodedColumn(column, codes, uniques, card)
        dict_arr = arr if pa.types.is_dictionary(typ) else pc.dictionary_encode(arr)
        combined = dict_arr.combine_chunks() if isinstance(dict_arr, pa.ChunkedArray) else dict_arr
        idx = combined.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        uniques = np.asarray(combined.dictionary.to_pylist(), dtype=object)
        return EncodedColumn(column, idx, uniques, len(uniques))
    series = data[column]
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy().astype(np.int64)
        if (codes < 0).any():
            raise DisclosureInputError(
                f"{int((codes < 0).sum())} missing value(s) (first at this row)",
                table=table,
                column=column,
                row=_first_true(codes < 0),
            )
        cats = np.asarray(series.cat.categories)
        return EncodedColumn(column, codes, cats, len(cats))
    values = series.to_numpy()
    missing = pd.isna(values) if values.dtype.kind in "fOUSmM" else np.zeros(len(values), bool)
    if missing.any():
        raise DisclosureInputError(
            f"{int(missing.sum())} missing value(s) (first at this row)",
            table=table,
            column=column,
            row=_first_true(missing),
        )
    codes, uniques, card = _encode_numeric(values)
    return EncodedColumn(column, codes, uniques, card)


def dense_enough(space: int, n: int) -> bool:
    """Whether a key space is small enough to count with ``bincount`` (a flat array) rather than hashing:
    up to 16 slots per row, at most 2^25 (256 MB of counts), or any space up to 2^20."""
    return space <= (1 << 20) or space <= min(16 * n, 1 << 25)


def combine(codes: Sequence[np.ndarray], cards: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Group rows by several coded columns: (group id per row, group sizes).

    The codes are packed into one int64 key (mixed radix), re-hashed whenever the key space would
    overflow; a dense key space is counted with ``bincount`` and a sparse one hashed by pandas.
    """
    n = len(codes[0]) if codes else 0
    if not codes:
        return np.zeros(n, np.int64), np.array([n], np.int64)
    key = codes[0].astype(np.int64, copy=True)
    space = max(int(cards[0]), 1)
    for c, card in zip(codes[1:], cards[1:], strict=True):
        card = max(int(card), 1)
        if space * card >= (1 << 62):
            ids, uniq = pd.factorize(key)
            key, space = ids.astype(np.int64), len(uniq)
        np.multiply(key, card, out=key)  # in place: this loop is the hot path of every group-by
        np.add(key, c, out=key)
        space *= card
    if dense_enough(space, n):
        counts = np.bincount(key, minlength=space)
        present = np.flatnonzero(counts)
        remap = np.empty(space, np.int64)
        remap[present] = np.arange(len(present))
        return remap[key], counts[present].astype(np.int64)
    ids, uniq = pd.factorize(key)
    ids = ids.astype(np.int64)
    return ids, np.bincount(ids, minlength=len(uniq)).astype(np.int64)


def values_frame(data: Microdata, columns: Sequence[str], rows: np.ndarray) -> pd.DataFrame:
    """The values of ``columns`` at positions ``rows`` (for showing classes, never identifiers)."""
    if isinstance(data, pa.Table):
        return data.select(list(columns)).take(pa.array(rows)).to_pandas()
    return data.iloc[rows][list(columns)].reset_index(drop=True)


def as_pandas(data: Microdata) -> pd.DataFrame:
    return data.to_pandas() if isinstance(data, pa.Table) else data


def to_arrow(data: Any) -> pa.Table:
    return data if isinstance(data, pa.Table) else pa.Table.from_pandas(data, preserve_index=False)
