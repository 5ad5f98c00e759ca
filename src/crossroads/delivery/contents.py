"""What a delivery holds: datasets (Arrow tables, or Parquet files too large for memory) and the
description of every column in them.

The delivery package knows nothing of the catalog or the engine (imports point one way): the extraction
turns catalog variables into :class:`VariableInfo` and hands over plain Arrow tables or :class:`StoredRows`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TypeAlias

import pyarrow as pa
import pyarrow.parquet as pq

# Stata allows 32 characters, letters, digits and "_", not starting with a digit; SPSS allows 64.
# One rule for all formats keeps a variable's name the same in every file of a delivery.
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,31}$")
_DATASET_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class DeliveryError(Exception):
    """A delivery cannot be built as asked (bad input, failed check); the message names the dataset/column."""


@dataclass(frozen=True)
class VariableInfo:
    """One column of a delivered file, described for the codebook and the labelled formats."""

    name: str
    label_nl: str
    label_en: str = ""
    unit: str | None = None
    """The observation unit the variable is measured on (person-year, person-quarter, employer, ...)."""
    scheme: str | None = None
    """Name of the class scheme the values come from (age_5y, daily_wage, ...), if any."""
    scheme_label: str | None = None
    value_labels: Mapping[str, str] | None = None
    """Code -> Dutch label of every class; written as value labels into Stata and SPSS files."""
    sources: tuple[str, ...] = ()
    """Warehouse tables or provider inputs the variable is derived from."""
    description: str = ""


BATCH_ROWS = 250_000
"""Rows per batch when a stored dataset is read back (bounds memory whatever the file's size)."""


class StoredRows:
    """The rows of a dataset kept in a Parquet file (a full population of tens of millions of rows),
    read batch by batch, or one column at a time; answers what a table answers about its shape."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._file = pq.ParquetFile(self.path)

    @property
    def schema(self) -> pa.Schema:
        return self._file.schema_arrow

    @property
    def column_names(self) -> list[str]:
        return list(self.schema.names)

    @property
    def num_rows(self) -> int:
        return int(self._file.metadata.num_rows)

    def column(self, name: str) -> pa.ChunkedArray:
        """One whole column (a column of 20 million codes is a few hundred MB, the table is not read)."""
        return pq.read_table(self.path, columns=[name]).column(name)

    def batches(self, rows: int | None = None) -> Iterator[pa.RecordBatch]:
        yield from self._file.iter_batches(batch_size=rows or BATCH_ROWS)

    def read(self) -> pa.Table:
        return self._file.read()


Rows: TypeAlias = "pa.Table | StoredRows"


@dataclass(frozen=True)
class Dataset:
    """One file of the delivery (written in every requested format)."""

    name: str
    label: str
    unit: str
    table: Rows
    """In memory, or in a Parquet file (:class:`StoredRows`) written and read back batch by batch."""
    variables: Mapping[str, VariableInfo] = field(default_factory=dict)
    """Description per column name; every column of ``table`` must have one."""

    def __post_init__(self) -> None:
        if not _DATASET_NAME.match(self.name):
            raise DeliveryError(
                f"dataset {self.name!r}: a dataset name must be lower-case letters, digits "
                "and '_' (it becomes a file name)"
            )
        for column in self.table.column_names:
            if not _NAME.match(column):
                raise DeliveryError(
                    f"dataset {self.name!r}, column {column!r}: names must be at most 32 "
                    "letters, digits or '_' and not start with a digit (Stata's rule)"
                )
            if column not in self.variables:
                raise DeliveryError(
                    f"dataset {self.name!r}, column {column!r}: no description "
                    "(VariableInfo) given; every delivered column needs one for the codebook"
                )
        extra = sorted(set(self.variables) - set(self.table.column_names))
        if extra:
            raise DeliveryError(f"dataset {self.name!r}: described columns not in the table: {extra}")

    @property
    def columns(self) -> list[VariableInfo]:
        return [self.variables[c] for c in self.table.column_names]


@dataclass(frozen=True)
class DeliveryInfo:
    """Who and what a delivery is for; written into the manifest, the codebook and the directory name."""

    permit_number: str
    permit_slug: str
    permit_version: int
    permit_title: str
    phase: int
    run_id: str
    """Short random id of this run (hex), so two runs on one day get different directories."""
    run_date: datetime
    """When the run happened (UTC)."""
    as_of: date
    """The reference date the permit was checked on."""
    simulation: bool = False
    """True when ``as_of`` is not the run date: allowed only on a synthetic warehouse."""
    version_label: str = ""
    seed: int | None = None
    recipient: str | None = None
    purpose: str = ""

    def __post_init__(self) -> None:
        if not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", self.permit_slug):
            raise DeliveryError(f"permit slug {self.permit_slug!r} is not filesystem-safe")
        if not re.match(r"^[0-9a-f]{4,32}$", self.run_id):
            raise DeliveryError(f"run id {self.run_id!r} must be 4-32 lower-case hex digits")

    @property
    def name(self) -> str:
        """``<permit-slug>-v<version>-phase<phase>-<YYYYMMDD>-<run id>``: the delivery's directory name."""
        return (
            f"{self.permit_slug}-v{self.permit_version}-phase{self.phase}-"
            f"{self.run_date:%Y%m%d}-{self.run_id}"
        )
