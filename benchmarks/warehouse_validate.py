"""Benchmark: ``crossroads warehouse validate`` on a generated warehouse, against DuckDB's bare scan.

    .venv/bin/python benchmarks/warehouse_validate.py [--scale 0.01] [--seed 7] [--out DIR]

The warehouse is built once with the synthetic generator (reused when ``DIR`` already holds one). The
baseline, measured in the same run on the same files, is DuckDB reading and decoding every column of every
table once (``min`` of each column); validation reads the same files for about a hundred checks. Prints a
markdown table with the timings and their ratio to the baseline.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from crossroads.warehouse.storage import Warehouse
from crossroads.warehouse.validation import validate


def bare_scan(wh: Warehouse) -> tuple[float, int]:
    """Read and decode every column of every table once; returns (seconds, rows)."""
    con = duckdb.connect()
    start = time.perf_counter()
    rows = 0
    for name in wh.manifest()["tables"]:
        files = [str(p) for p in wh.files(name)]
        if not files:
            continue
        cols = [r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet($f)", {"f": files}).fetchall()]
        aggs = ", ".join(f'min("{c}")' for c in cols)
        result = con.execute(f"SELECT count(*), {aggs} FROM read_parquet($f)", {"f": files}).fetchone()
        assert result is not None
        rows += int(result[0])
    return time.perf_counter() - start, rows


def build_warehouse(out: Path, scale: float, seed: int) -> tuple[Warehouse, float | None]:
    wh = Warehouse(out)
    if wh.exists():
        return wh, None
    from crossroads.warehouse.synthetic import build

    start = time.perf_counter()
    build(out, scale, seed, progress=True)
    return wh, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = (
        args.out
        or Path(os.environ.get("TMPDIR", "/tmp")) / f"crossroads-bench-validate-{args.scale}-{args.seed}"
    )
    wh, build_s = build_warehouse(out, args.scale, args.seed)

    scan_s, rows = bare_scan(wh)
    full = validate(wh, checksums=True)
    no_sum = validate(wh, checksums=False)
    scan2_s, _ = bare_scan(wh)  # again after validation: both have now seen a warm page cache
    baseline = min(scan_s, scan2_s)
    size = sum(p.stat().st_size for p in (out / "tables").rglob("*.parquet"))

    print(f"## Warehouse validation, scale {args.scale} (seed {args.seed})\n")
    print(
        f"{datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, {os.cpu_count()} cores, "
        f"duckdb {duckdb.__version__}; "
        f"{len(full.rows)} tables, {rows:,} rows, {size / 1e6:,.0f} MB of Parquet"
        + (f"; built in {build_s:.0f} s" if build_s else "")
        + "\n"
    )
    print("| step | seconds | rows/s | ratio to bare scan |")
    print("| --- | ---: | ---: | ---: |")
    scan_rate = rows / baseline
    print(
        f"| DuckDB bare scan (decode every column once), baseline | {baseline:.2f} | {scan_rate:,.0f} | 1.0 |"
    )
    for label, rep in (
        ("validate (checks, no checksums)", no_sum),
        ("validate (checks + sha256 of every file)", full),
    ):
        print(
            f"| {label}: {rep.checks} checks | {rep.seconds:.2f} | {rows / rep.seconds:,.0f} | "
            f"{rep.seconds / baseline:.1f} |"
        )
    print(
        f"\nFindings: {full.errors:,} errors, {full.warnings:,} warnings in {len(full.findings)} findings "
        f"({', '.join(sorted({f.rule for f in full.findings})) or 'none'})."
    )


if __name__ == "__main__":
    main()
