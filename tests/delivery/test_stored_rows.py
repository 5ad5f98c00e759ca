"""A dataset kept in a Parquet file (:class:`StoredRows`, a full population) is delivered exactly like the
same rows in memory: the files are written batch by batch, the codebook reads only labelled columns, and
Stata/SPSS (written from memory) refuse a file above their row limit with a clear message."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pyreadstat
import pytest

from crossroads.delivery import codebook, contents, formats
from crossroads.delivery.contents import Dataset, DeliveryError, StoredRows
from crossroads.delivery.formats import write_dataset


@pytest.fixture
def stored(workers: Dataset, tmp_path: Path) -> Dataset:
    pq.write_table(workers.table, tmp_path / "rows.parquet")
    return Dataset(
        workers.name, workers.label, workers.unit, StoredRows(tmp_path / "rows.parquet"), workers.variables
    )


def test_stored_rows_answer_like_the_table(workers: Dataset, stored: Dataset) -> None:
    rows = stored.table
    assert isinstance(rows, StoredRows)
    assert rows.num_rows == workers.table.num_rows == 4
    assert rows.column_names == workers.table.column_names
    assert rows.column("age_class").to_pylist() == ["20-24", "25-29", "15-19", "20-24"]
    assert rows.read().equals(workers.table)


def test_every_format_is_the_same_written_one_row_at_a_time(
    workers: Dataset, stored: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(contents, "BATCH_ROWS", 1)  # four batches of one row
    assert [b.num_rows for b in stored.table.batches()] == [1, 1, 1, 1]  # type: ignore[union-attr]
    written = write_dataset(workers, tmp_path / "memory")
    assert write_dataset(stored, tmp_path / "stored") == written
    csv = "csv/workers_timeseries.csv"
    assert (tmp_path / "stored" / csv).read_bytes() == (tmp_path / "memory" / csv).read_bytes()
    parquet = "parquet/workers_timeseries.parquet"
    assert pq.read_table(tmp_path / "stored" / parquet).equals(pq.read_table(tmp_path / "memory" / parquet))
    for path, reader in (
        ("stata/workers_timeseries.dta", pyreadstat.read_dta),
        ("spss/workers_timeseries.sav", pyreadstat.read_sav),
    ):
        a, meta_a = reader(str(tmp_path / "stored" / path))
        b, meta_b = reader(str(tmp_path / "memory" / path))
        assert a.equals(b) and meta_a.variable_value_labels == meta_b.variable_value_labels


def test_the_codebook_describes_a_stored_dataset_like_the_table(workers: Dataset, stored: Dataset) -> None:
    for name in workers.table.column_names:
        assert codebook.field_descriptor(stored, name) == codebook.field_descriptor(workers, name)
    # labelled columns: the numbers Stata and SPSS use come from the stored values too
    assert codebook.field_descriptor(stored, "age_class")["crossroads:stata_spss_values"] == {
        "15-19": 1, "20-24": 2, "25-29": 3,
    }  # fmt: skip


def test_stata_and_spss_refuse_a_stored_dataset_above_their_row_limit(
    stored: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(formats, "LABELLED_MAX_ROWS", 3)
    for fmt in ("dta", "sav"):
        with pytest.raises(DeliveryError, match=r"'workers_timeseries' has 4 rows: .* --formats parquet,csv"):
            write_dataset(stored, tmp_path, (fmt,))
    # Parquet and CSV have no limit: written batch by batch
    assert write_dataset(stored, tmp_path, ("parquet", "csv")) == [
        "parquet/workers_timeseries.parquet", "csv/workers_timeseries.csv",
    ]  # fmt: skip
