"""Writing a dataset in the four delivery formats: Parquet, CSV, Stata (.dta) and SPSS (.sav).

Stata and SPSS only label numeric values, so a classed string column (``"M"``, ``"15-19"``, ``"BE"``)
is written there as numbers with value labels: integer-like codes keep their own number (sex ``"2"``
-> 2 "vrouw"); other codes are numbered 1, 2, ... in the order of the class scheme and the label
starts with the original code ("BE: Belg"), so nothing is lost. The codebook lists the same mapping,
computed by the same function (:func:`label_encoding`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from crossroads.delivery.contents import Dataset, DeliveryError, StoredRows, VariableInfo

Format = Literal["parquet", "csv", "dta", "sav"]
FORMATS: tuple[Format, ...] = ("parquet", "csv", "dta", "sav")
# Folder of each format inside a delivery, and the file suffix.
FOLDERS: dict[str, str] = {"parquet": "parquet", "csv": "csv", "dta": "stata", "sav": "spss"}
SUFFIXES: dict[str, str] = {"parquet": ".parquet", "csv": ".csv", "dta": ".dta", "sav": ".sav"}

_STATA_LABEL_MAX = 80  # Stata's limit on a variable label
LABELLED_MAX_ROWS = 2_000_000
"""Stata and SPSS files are written from one in-memory frame (pyreadstat cannot append): a stored dataset
above this many rows is delivered in Parquet and CSV only, which are written batch by batch."""
_BOOL_LABELS = {0: "neen", 1: "ja"}


def parse_formats(text: str | None) -> tuple[Format, ...]:
    """``"parquet,csv"`` -> ("parquet", "csv"); a clear error names an unknown format."""
    if not text:
        return FORMATS
    chosen: list[Format] = []
    for item in (part.strip().lower() for part in text.split(",")):
        if item not in FORMATS:
            raise DeliveryError(f"unknown format {item!r}; choose from {', '.join(FORMATS)}")
        if item not in chosen:
            chosen.append(item)
    return tuple(chosen)


@dataclass(frozen=True)
class LabelEncoding:
    """How one labelled column is written into Stata and SPSS."""

    numbers: dict[str, int]
    """Original code -> number written."""
    labels: dict[int, str]
    """Number -> value label."""
    keeps_codes: bool
    """True when every code is an integer and is written as itself."""


def _is_plain_int(code: str) -> bool:
    # "2" and "-1" keep their number; "01" would lose its leading zero, so it is not plain.
    try:
        return str(int(code)) == code
    except ValueError:
        return False


def label_encoding(info: VariableInfo, column: pa.ChunkedArray | pa.Array) -> LabelEncoding | None:
    """The numbers and value labels for a labelled column, or None when it has no value labels."""
    if pa.types.is_boolean(column.type):
        return LabelEncoding({"false": 0, "true": 1}, dict(_BOOL_LABELS), keeps_codes=False)
    if not info.value_labels:
        return None
    labels = {str(k): v for k, v in info.value_labels.items()}
    present = [str(v) for v in pc.unique(column.cast(pa.string())).to_pylist() if v is not None]
    codes = list(labels) + sorted(c for c in present if c not in labels)
    if all(_is_plain_int(c) for c in codes):
        numbers = {c: int(c) for c in codes}
        return LabelEncoding(numbers, {int(c): labels.get(c, c) for c in codes}, keeps_codes=True)
    if pa.types.is_integer(column.type):
        raise DeliveryError(
            f"column {info.name!r}: integer column with non-integer class codes "
            f"{[c for c in codes if not _is_plain_int(c)][:5]}"
        )
    numbers = {c: i for i, c in enumerate(codes, start=1)}
    value_labels = {i: (f"{c}: {labels[c]}" if c in labels else c) for c, i in numbers.items()}
    return LabelEncoding(numbers, value_labels, keeps_codes=False)


def _in_memory(dataset: Dataset, fmt: str) -> pa.Table:
    rows = dataset.table
    if not isinstance(rows, StoredRows):
        return rows
    if rows.num_rows > LABELLED_MAX_ROWS:
        raise DeliveryError(
            f"dataset {dataset.name!r} has {rows.num_rows:,} rows: {fmt} files are written from memory, "
            f"up to {LABELLED_MAX_ROWS:,} rows; ask for --formats parquet,csv (Stata: import delimited; "
            "SPSS: GET DATA /TYPE=TXT)"
        )
    return rows.read()


def _labelled_frame(dataset: Dataset, fmt: str) -> tuple[pd.DataFrame, dict[str, dict[int | float, str]]]:
    """A pandas frame for pyreadstat, labelled columns replaced by their numbers, and the value labels."""
    table = _in_memory(dataset, fmt)
    columns: dict[str, Any] = {}
    value_labels: dict[str, dict[int | float, str]] = {}
    for name in table.column_names:
        col = table.column(name)
        enc = label_encoding(dataset.variables[name], col)
        if enc is None:
            if pa.types.is_date(col.type):
                # datetime.date objects get a date format; pyreadstat misreads datetime64[s/us] (1970-01-01)
                columns[name] = pd.Series(col.to_pylist(), dtype="object")
            elif pa.types.is_integer(col.type) and col.null_count == 0:
                columns[name] = col.to_numpy()
            elif pa.types.is_integer(col.type) or pa.types.is_floating(col.type):
                columns[name] = col.cast(pa.float64()).to_numpy(zero_copy_only=False)
            elif pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
                columns[name] = pd.Series(col.to_pylist(), dtype="object").where(
                    lambda s: s.notna(), ""
                )  # Stata and SPSS have no missing string: empty string
            else:
                raise DeliveryError(
                    f"dataset {dataset.name!r}, column {name!r}: type {col.type} cannot be "
                    "written to Stata/SPSS"
                )
            continue
        keys = [
            None if v is None else str(v).lower() if isinstance(v, bool) else str(v) for v in col.to_pylist()
        ]
        columns[name] = pd.Series(
            [float("nan") if k is None else enc.numbers[k] for k in keys], dtype="float64"
        )
        value_labels[name] = dict(enc.labels.items())
    return pd.DataFrame(columns), value_labels


def _variable_label(info: VariableInfo) -> str:
    label = info.label_nl or info.label_en or info.name
    return label if len(label) <= _STATA_LABEL_MAX else label[: _STATA_LABEL_MAX - 1] + "…"


def write_parquet(dataset: Dataset, path: Path) -> None:
    rows = dataset.table
    if not isinstance(rows, StoredRows):
        pq.write_table(rows, path, compression="zstd")
        return
    with pq.ParquetWriter(path, rows.schema, compression="zstd") as writer:
        for batch in rows.batches():
            writer.write_batch(batch)


def write_csv(dataset: Dataset, path: Path) -> None:
    # UTF-8, header line, ISO dates, empty field for a missing value; what R, Python and Excel all read.
    options = pacsv.WriteOptions(include_header=True, quoting_style="needed")
    rows = dataset.table
    if not isinstance(rows, StoredRows):
        pacsv.write_csv(rows, path, options)
        return
    with pacsv.CSVWriter(path, rows.schema, write_options=options) as writer:
        for batch in rows.batches():
            writer.write_batch(batch)


STATA_NAME_MAX = 32


def _stata_order(dataset: Dataset, frame: pd.DataFrame, value_labels: Mapping[str, Any]) -> pd.DataFrame:
    """The frame with long labelled columns moved forward, so that pyreadstat can name their label sets.

    pyreadstat names the value-label set of the n-th labelled column ``<column><n>`` and Stata allows 32
    characters: a labelled column of 31 characters must be among the first ten labelled columns, one of 32
    cannot be written at all. Only when needed, such columns move just before the first labelled column
    (the Stata file's column order then differs from the other formats; names and labels do not).
    """
    labelled = [c for c in frame.columns if c in value_labels]
    too_long = [c for c in labelled if len(c) >= STATA_NAME_MAX]
    if too_long:
        raise DeliveryError(
            f"dataset {dataset.name!r}, column {too_long[0]!r}: a labelled column needs a name of at most "
            f"{STATA_NAME_MAX - 1} characters for Stata; give the permit line a shorter `column:`"
        )
    if all(len(c) + len(str(n)) <= STATA_NAME_MAX for n, c in enumerate(labelled)):
        return frame
    first = [c for c in labelled if len(c) == STATA_NAME_MAX - 1]
    if len(first) > 10:
        raise DeliveryError(f"dataset {dataset.name!r}: more than ten labelled columns of 31 characters")
    columns = list(frame.columns)
    base = [c for c in columns if c not in first]
    position = sum(1 for c in columns[: columns.index(labelled[0])] if c not in first)
    return frame[base[:position] + first + base[position:]]


def write_dta(dataset: Dataset, path: Path) -> None:
    import pyreadstat

    frame, value_labels = _labelled_frame(dataset, "Stata")
    frame = _stata_order(dataset, frame, value_labels)
    pyreadstat.write_dta(
        frame,
        str(path),
        file_label=dataset.label[:80],
        column_labels={v.name: _variable_label(v) for v in dataset.columns},
        variable_value_labels=value_labels,
        version=15,
    )


def write_sav(dataset: Dataset, path: Path) -> None:
    import pyreadstat

    frame, value_labels = _labelled_frame(dataset, "SPSS")
    pyreadstat.write_sav(
        frame,
        str(path),
        file_label=dataset.label[:64],
        column_labels={v.name: v.label_nl or v.name for v in dataset.columns},
        variable_value_labels=value_labels,
        variable_measure={n: "nominal" for n in value_labels},
    )


WRITERS: Mapping[str, Callable[[Dataset, Path], None]] = {
    "parquet": write_parquet,
    "csv": write_csv,
    "dta": write_dta,
    "sav": write_sav,
}


def relative_path(dataset_name: str, fmt: str) -> str:
    """Where a dataset's file in one format lives inside a delivery (posix path)."""
    return f"{FOLDERS[fmt]}/{dataset_name}{SUFFIXES[fmt]}"


def write_dataset(dataset: Dataset, root: Path, formats: tuple[str, ...] = FORMATS) -> list[str]:
    """Write ``dataset`` in each format under ``root``; return the relative paths written."""
    written = []
    for fmt in formats:
        rel = relative_path(dataset.name, fmt)
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        WRITERS[fmt](dataset, target)
        written.append(rel)
    return written
