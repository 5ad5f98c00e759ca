"""The Parquet files of a streamed extract (``extract._Sink``): one file per dataset across every slice of
the run, batch by batch; the files must hold every batch of every slice in order, exist with their columns
when no slice had rows, and a batch that does not fit the file must stop the run rather than leave a short
file."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crossroads import engine
from crossroads.engine import backends
from crossroads.engine.backends import EngineError
from crossroads.engine.extract import _Sink
from crossroads.warehouse.storage import Warehouse


def _rows(first: int, count: int) -> pa.Table:
    numbers = pa.array(range(first, first + count), pa.int64())
    return pa.table({"n": numbers, "label": [f"r{i}" for i in range(count)]})


def _same(part: pa.Table) -> pa.Table:
    return part


def test_every_batch_of_every_slice_in_order(
    engine_on: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches of 3 rows: 20 rows make 7 batches.
    monkeypatch.setattr(backends, "ARROW_BATCH_ROWS", 3)
    e = engine_on
    sink = _Sink(tmp_path)
    for slice_number, first in enumerate((0, 20)):
        rows = e.register_arrow(f"slice{slice_number}", _rows(first, 20))
        path = sink.write("persons", e, rows.order_by("n"), _same)
    sink.close()
    got = pq.read_table(path)
    assert got.column("n").to_pylist() == list(range(40))
    assert got.column("label").to_pylist() == [f"r{i}" for i in range(20)] * 2
    assert got.schema.field("n").type == pa.int64()


def test_a_dataset_without_rows_still_has_its_file(engine_on: Any, tmp_path: Path) -> None:
    e = engine_on
    sink = _Sink(tmp_path)
    empty = e.register_arrow("nobody", _rows(0, 5))
    empty = empty.filter(empty.n < 0)
    sink.write("education", e, empty, _same)
    sink.write("education", e, empty, _same)  # a second slice without rows either
    sink.close()
    got = pq.read_table(tmp_path / "education.parquet")
    assert got.num_rows == 0
    assert got.column_names == ["n", "label"]


def test_a_dataset_with_rows_in_a_later_slice_only(engine_on: Any, tmp_path: Path) -> None:
    e = engine_on
    sink = _Sink(tmp_path)
    t = e.register_arrow("some", _rows(0, 4))
    sink.write("education", e, t.filter(t.n < 0), _same)
    sink.write("education", e, t.order_by("n"), _same)
    sink.close()
    assert pq.read_table(tmp_path / "education.parquet").column("n").to_pylist() == [0, 1, 2, 3]


def test_a_batch_that_does_not_fit_the_file_stops_the_run(tiny_wh: Warehouse, tmp_path: Path) -> None:
    """The second slice's batches do not match the file's columns: the write fails loudly."""
    with engine.connect(tiny_wh, "duckdb") as e:
        sink = _Sink(tmp_path)
        first = e.register_arrow("first", _rows(0, 4))
        sink.write("persons", e, first, _same)
        other = e.register_arrow("other", pa.table({"n": ["not", "a", "number"]}))
        with pytest.raises(EngineError, match=r"(?i)writing .*persons\.parquet failed: .*schema") as failed:
            sink.write("persons", e, other, _same)
            # Written by the sink's thread: the failure stops the next write (the next slice) or the close.
            sink.write("education", e, first, _same)
        assert isinstance(failed.value.__cause__, ValueError)
        sink.abandon()
        with pytest.raises(EngineError, match=r"(?i)writing .*persons\.parquet failed"):
            again = _Sink(tmp_path / "again")
            (tmp_path / "again").mkdir()
            again.write("persons", e, first, _same)
            again.write("persons", e, other, _same)
            again.close()
        again.abandon()


def test_a_full_disk_stops_the_extract(
    tiny_wh: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through ``extract``: the run fails with the file and the writer's error (the delivery then publishes
    nothing); the engine's own temporary files are written as usual."""
    import test_extract as tx

    out = tmp_path / "out"
    write_table = pq.ParquetWriter.write_table

    def full(self: pq.ParquetWriter, table: pa.Table, *args: Any, **kwargs: Any) -> None:
        if Path(str(self.where)).parent == out:
            raise OSError("No space left on device")
        write_table(self, table, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", full)
    # A dataset without rows so far (which slice comes first is random): a failed run must not write its
    # empty file at the end, whose failure would hide the first.
    write = _Sink.write

    def with_an_empty_dataset(self: _Sink, *args: Any) -> Path:
        self._empty.setdefault("nobody_yet", pa.table({"n": pa.array([], pa.int64())}))
        return write(self, *args)

    monkeypatch.setattr(_Sink, "write", with_an_empty_dataset)
    with pytest.raises(EngineError, match=r"writing .*out/\w+\.parquet failed: No space left on device"):
        engine.extract(
            tx._version(), tiny_wh, phase=2, seed=1, as_of=date(2022, 1, 1), write_to=out, slice_persons=2
        )
    assert not (out / "nobody_yet.parquet").exists()
