"""Warehouse storage: Parquet files per table, a manifest, and a DuckDB catalog over them.

Layout of a warehouse directory::

    manifest.json                       tables, row counts, sha256 per file, seed, scale, generator version
    tables/<table>/part-00000.parquet   unpartitioned tables
    tables/<table>/year=2020/part-00000.parquet   tables partitioned on year (DmfA, positions, vouchers)
    quarantine/                         rejected rows of imports, with a reason per row

The manifest is written last (write aside, then rename), so a directory without one is not a warehouse.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from crossroads.warehouse.schema import Table, table

MANIFEST = "manifest.json"
FORMAT = "crossroads-warehouse/1"


class WarehouseError(Exception):
    """A warehouse directory is missing, incomplete or inconsistent."""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def year_of(quarter_or_date: pa.Array) -> pa.Array:
    """The partition year of a ``quarter`` (YYYYQ), ``month`` (YYYYMM) or date column."""
    import pyarrow.compute as pc

    if pa.types.is_date(quarter_or_date.type):
        return pc.year(quarter_or_date)
    arr = quarter_or_date.cast(pa.int64())
    # YYYYQ has 5 digits, YYYYMM 6
    return pc.if_else(pc.greater(arr, 99999), pc.divide(arr, 100), pc.divide(arr, 10))


class Warehouse:
    """A warehouse directory. Cheap to construct; reads the manifest on demand."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    # ------------------------------------------------------------------ manifest
    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    def exists(self) -> bool:
        return self.manifest_path.is_file()

    def manifest(self) -> dict[str, Any]:
        if not self.exists():
            raise WarehouseError(
                f"{self.root}: not a warehouse (no {MANIFEST}); build one with "
                "`crossroads warehouse build` or import files"
            )
        data: dict[str, Any] = json.loads(self.manifest_path.read_text())
        if data.get("format") != FORMAT:
            raise WarehouseError(f"{self.manifest_path}: unknown format {data.get('format')!r}")
        return data

    @property
    def is_synthetic(self) -> bool:
        return bool(self.manifest().get("synthetic"))

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        manifest = {"format": FORMAT, **manifest}
        tmp = self.manifest_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str))
        os.replace(tmp, self.manifest_path)

    def table_entry(self, name: str) -> dict[str, Any]:
        entry: dict[str, Any] = self.manifest().get("tables", {}).get(name, {"rows": 0, "files": []})
        return entry

    # ------------------------------------------------------------------ files
    def table_dir(self, name: str) -> Path:
        table(name)  # clear error on an unknown table
        return self.root / "tables" / name

    def has_table(self, name: str) -> bool:
        return bool(self.table_entry(name)["files"]) if self.exists() else False

    def files(self, name: str) -> list[Path]:
        return [self.root / f["path"] for f in self.table_entry(name)["files"]]

    def parquet_glob(self, name: str) -> str:
        return str(self.table_dir(name) / "**" / "*.parquet")

    # ------------------------------------------------------------------ reading
    def duckdb(self, con: duckdb.DuckDBPyConnection | None = None) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection with one view per stored table (the catalog)."""
        con = con or duckdb.connect()
        for t in self.manifest().get("tables", {}):
            files = [str(p).replace("'", "''") for p in self.files(t)]
            if files:
                listing = ", ".join(f"'{f}'" for f in files)
                con.execute(
                    f'CREATE OR REPLACE VIEW "{t}" AS '
                    f"SELECT * FROM read_parquet([{listing}], hive_partitioning=false)"
                )
        return con

    def read(self, name: str, columns: list[str] | None = None) -> pa.Table:
        """A whole table in memory (small tables and tests); an empty table with the schema if absent."""
        files = self.files(name) if self.exists() else []
        schema = table(name).arrow_schema()
        if not files:
            return schema.empty_table() if columns is None else schema.empty_table().select(columns)
        return pa.concat_tables(pq.read_table(f, columns=columns, schema=None) for f in files)


class TableWriter:
    """Writes one table's batches to Parquet, cast to the schema, partitioned on year where declared.

    Use through :func:`write_tables`; files are recorded (rows, sha256) for the manifest.
    """

    def __init__(
        self, wh: Warehouse, spec: Table, target_rows_per_file: int = 2_000_000, stem: str = "part"
    ) -> None:
        self.wh, self.spec = wh, spec
        self.schema = spec.arrow_schema()
        self.dir = wh.table_dir(spec.name)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._writers: dict[int | None, tuple[pq.ParquetWriter, Path, int]] = {}
        self._counters: dict[int | None, int] = {}
        self.target = target_rows_per_file
        # imports pass their own stem so that new files never reuse the name of a file already in the manifest
        self.stem = stem
        self.records: list[dict[str, Any]] = []

    def _partition_column(self, batch: pa.Table) -> pa.Array | None:
        if self.spec.partition != "year":
            return None
        for col in ("quarter", "month", "start_date"):
            if col in batch.column_names:
                return year_of(batch.column(col).combine_chunks())
        raise WarehouseError(f"table {self.spec.name}: no column to derive the year partition from")

    def write(self, batch: pa.Table | pa.RecordBatch) -> None:
        tbl = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
        tbl = tbl.select(self.schema.names).cast(self.schema)
        years = self._partition_column(tbl)
        if years is None:
            self._write_part(None, tbl)
            return
        import pyarrow.compute as pc

        for y in pc.unique(years).to_pylist():
            self._write_part(int(y), tbl.filter(pc.equal(years, y)))

    def _write_part(self, year: int | None, tbl: pa.Table) -> None:
        if tbl.num_rows == 0:
            return
        current = self._writers.get(year)
        if current is not None and current[2] >= self.target:
            self._close_one(year)
            current = None
        if current is None:
            n = self._counters.get(year, 0)
            self._counters[year] = n + 1
            folder = self.dir if year is None else self.dir / f"year={year}"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{self.stem}-{n:05d}.parquet"
            writer = pq.ParquetWriter(path, self.schema, compression="zstd")
            current = (writer, path, 0)
        writer, path, rows = current
        writer.write_table(tbl)
        self._writers[year] = (writer, path, rows + tbl.num_rows)

    def _close_one(self, year: int | None) -> None:
        writer, path, rows = self._writers.pop(year)
        writer.close()
        self.records.append(
            {"path": str(path.relative_to(self.wh.root)), "rows": rows, "sha256": sha256_file(path)}
        )

    def close(self) -> list[dict[str, Any]]:
        for year in list(self._writers):
            self._close_one(year)
        self.records.sort(key=lambda r: r["path"])
        return self.records


@contextmanager
def write_tables(wh: Warehouse, names: Iterable[str]) -> Iterator[dict[str, TableWriter]]:
    """Open writers for several tables; on success their files are added to the manifest's table entries.

    The caller writes the manifest afterwards (``record_tables``), so that a crash leaves no manifest change.
    """
    writers = {n: TableWriter(wh, table(n)) for n in names}
    yield writers
    for w in writers.values():
        w.close()


def record_tables(manifest: dict[str, Any], writers: dict[str, TableWriter]) -> dict[str, Any]:
    """Return ``manifest`` with the written tables' files and row counts (replacing earlier entries)."""
    tables = dict(manifest.get("tables", {}))
    for name, w in writers.items():
        tables[name] = {"rows": sum(r["rows"] for r in w.records), "files": w.records}
    return {**manifest, "tables": tables, "updated": datetime.now(UTC).isoformat(timespec="seconds")}
