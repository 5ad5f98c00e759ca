"""The Parquet files of a streamed extract (``extract._Sink``): one file per dataset across every slice of
the run, batch by batch; the files must hold every batch of every slice in order, exist with their columns
when no slice had rows, and a batch that does not fit the file must stop the run rather than leave a short
file."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crossroads import engine
from crossroads.engine import backends
from crossroads.engine.backends import EngineError
from crossroads.engine.extract import SINK_QUEUE, _Sink
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
    """The second slice's batches do not match the file's columns: the write fails loudly (at the latest
    when the sink closes: the writer thread reports it)."""
    with engine.connect(tiny_wh, "duckdb") as e:
        sink = _Sink(tmp_path)
        first = e.register_arrow("first", _rows(0, 4))
        sink.write("persons", e, first, _same)
        other = e.register_arrow("other", pa.table({"n": ["not", "a", "number"]}))
        with pytest.raises(EngineError, match=r"(?i)writing the dataset files .* schema") as failed:
            sink.write("persons", e, other, _same)
            sink.close()
        assert isinstance(failed.value.__cause__, ValueError)


def _failing_writes(monkeypatch: pytest.MonkeyPatch, folder: Path, after: int) -> list[int]:
    """Parquet writes to ``folder`` that fail like a full disk after ``after`` batches (the engine's own
    temporary files are written as usual); the batches written so far."""
    written: list[int] = []
    write_table = pq.ParquetWriter.write_table

    def write(self: pq.ParquetWriter, table: pa.Table, *args: Any, **kwargs: Any) -> None:
        if Path(str(self.where)).parent != folder:
            write_table(self, table, *args, **kwargs)
            return
        if len(written) >= after:
            raise OSError("No space left on device")
        written.append(table.num_rows)
        write_table(self, table, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", write)
    return written


def test_a_failed_write_is_raised_and_the_rest_dropped(
    engine_on: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = _failing_writes(monkeypatch, tmp_path, after=1)
    e = engine_on
    sink = _Sink(tmp_path)
    rows = e.register_arrow("many", _rows(0, 40)).order_by("n")
    with pytest.raises(EngineError, match="No space left on device") as failed:
        for _ in range(5):  # slices of one batch: the second fails, raised by a later write at the latest
            sink.write("persons", e, rows, _same)
    assert isinstance(failed.value.__cause__, OSError)
    sink.close(check=False)  # while the error is on its way: the thread ends, nothing more is raised
    assert not sink._thread.is_alive()
    assert written == [40]  # nothing written after the failure


def test_the_queue_holds_a_few_batches_while_the_file_is_written(
    engine_on: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine computes ahead of the writer thread, by ``SINK_QUEUE`` batches at most (memory)."""
    e = engine_on
    rows = e.register_arrow("ten", _rows(0, 10)).order_by("n")
    release = threading.Event()
    write_table = pq.ParquetWriter.write_table

    def slow(self: pq.ParquetWriter, table: pa.Table, *args: Any, **kwargs: Any) -> None:
        release.wait(timeout=30)
        write_table(self, table, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", slow)
    sink = _Sink(tmp_path)

    def slices() -> None:  # five slices of one batch each
        for _ in range(5):
            sink.write("persons", e, rows, _same)

    producer = threading.Thread(target=slices)
    producer.start()
    producer.join(timeout=2)
    # One batch in the writer's hands, SINK_QUEUE waiting: the engine waits for room.
    assert producer.is_alive() and sink._queue.qsize() == SINK_QUEUE
    release.set()
    producer.join(timeout=30)
    sink.close()
    assert not producer.is_alive()
    assert pq.read_table(tmp_path / "persons.parquet").column("n").to_pylist() == list(range(10)) * 5


def test_a_full_disk_stops_the_extract(
    tiny_wh: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through ``extract``: the run fails with the writer's error (the delivery then publishes nothing)."""
    import test_extract as tx

    _failing_writes(monkeypatch, tmp_path / "out", after=0)
    with pytest.raises(EngineError, match=r"writing the dataset files .*No space left on device"):
        engine.extract(
            tx._version(), tiny_wh, phase=2, seed=1, as_of=date(2022, 1, 1), write_to=tmp_path / "out",
            slice_persons=2,
        )  # fmt: skip
