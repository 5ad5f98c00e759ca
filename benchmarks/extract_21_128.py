"""Benchmark: 21/128 group 2 (flemish_diploma_residents, the largest) as a full population (issue 6).

    .venv/bin/python benchmarks/extract_21_128.py [--warehouse /work/bench-wh-0.1] [--engines duckdb,spark]

The permit version in force on ``--as-of`` is cut down to its group 2 and the datasets about it (persons,
labour_market, education; each with group 2 as its only population) and run in phase 2 (no sample), each
dataset streamed to a Parquet file in a temporary folder (``engine.extract(write_to=...)``), built in slices
of ``--slice-persons`` persons (``slice_persons``). Target
at scale 1.0 (7.3 million persons x 28 quarters): under 15 minutes and under 12 GB on the 2-core machine.

As in ``extract_21_150.py`` (whose measuring helpers this script reuses): each run is a subprocess whose
peak memory (resident set of the process tree, the Spark JVM included) and CPU time are sampled; the
baseline, measured in the same run, is DuckDB's bare scan of every Parquet file of the warehouse; a second
one, a fixed amount of DuckDB work in memory (``cpu_work``) measured before and after the runs, tracks how
fast the shared machine computes at that hour (the scan mostly tracks its disk).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from extract_21_150 import (
    bare_scan,
    baseline_row,
    compare_runs,
    cpu_row,
    cpu_work,
    print_cpu_ratios,
    table_header,
)

PERMIT = Path(__file__).parents[1] / "examples" / "permits" / "21-128.yaml"
GROUP = "flemish_diploma_residents"
AS_OF = date(2026, 12, 3)
SLICE_PERSONS = 150_000


def _version(as_of: date) -> object:
    """The version in force, restricted to group 2 and the datasets about it."""
    from crossroads import permits

    version = permits.load(PERMIT).version_in_force(as_of)
    groups = [g for g in version.target_groups if g.name == GROUP]
    if not groups:
        raise SystemExit(f"the permit version in force on {as_of} has no group {GROUP!r}")
    datasets = [
        d.model_copy(update={"population": [GROUP]}) for d in version.datasets if GROUP in d.populations
    ]
    return version.model_copy(update={"target_groups": groups, "datasets": datasets})


def _file_digest(path: Path) -> str:
    """A fingerprint of a file's rows (DuckDB: the sum of every row's hash), to check that two runs gave the
    same rows without loading them (they may not fit in memory)."""
    import duckdb

    query = f"SELECT count(*), sum(hash(t)::HUGEINT) FROM read_parquet('{path}') t"
    n, total = duckdb.sql(query).fetchall()[0]
    return f"{n}:{int(total or 0) % 16**16:016x}"


def _child(
    kind: str, warehouse: str, as_of: date, slice_persons: int, pass_persons: int, digests: bool = False
) -> None:
    """Runs inside the subprocess; prints one JSON line."""
    if kind == "scan":
        bare_scan(warehouse)
        return
    if kind == "cpu":
        cpu_work()
        return
    import tempfile

    import pyarrow.parquet as pq

    from crossroads import engine

    version = _version(as_of)
    with tempfile.TemporaryDirectory(prefix="bench-21-128-") as out:
        t0 = time.perf_counter()
        # Streamed to Parquet: at scale 1.0 the datasets (2 x 208 M rows) do not fit in memory.
        x = engine.extract(
            version,
            warehouse,
            phase=2,
            seed=1,
            backend=kind,  # type: ignore[arg-type]
            as_of=as_of,
            write_to=Path(out),
            slice_persons=slice_persons or None,
            pass_persons=pass_persons,
        )
        seconds = time.perf_counter() - t0
        rows = {n: pq.ParquetFile(p).metadata.num_rows for n, p in x.files.items()}
        rows |= {n: t.num_rows for n, t in x.datasets.items()}
        # After the clock stopped (the CPU time sampled from outside includes it: off by default).
        fingerprints = {n: _file_digest(p) for n, p in x.files.items()} if digests else {}
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rows": rows,
                "slices": x.slices,
                "digests": fingerprints,
                "populations": x.population_counts,
                "timings": {k: round(v, 2) for k, v in x.timings.items()},
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--warehouse", default="/work/bench-wh-0.1")
    ap.add_argument("--engines", default="duckdb,spark")
    ap.add_argument("--as-of", default=AS_OF.isoformat(), help="the day whose permit version applies")
    ap.add_argument("--timeout", type=float, default=3600.0, help="seconds allowed per engine run")
    ap.add_argument(
        "--slice-persons",
        type=int,
        default=SLICE_PERSONS,
        help="persons per slice (0: one pass; at scale 0.1 one pass ran out of memory joining the variables)",
    )
    ap.add_argument(
        "--pass-persons",
        type=int,
        default=None,
        help="persons whose slices' shared building blocks are built together (default engine.PASS_PERSONS)",
    )
    ap.add_argument(
        "--compare-src",
        help="also run DuckDB with this source tree first on PYTHONPATH (a worktree of an earlier commit), "
        "in the same run, for a before/after comparison",
    )
    ap.add_argument(
        "--digests",
        action="store_true",
        help="print a fingerprint of each file's rows (to compare runs; its CPU time counts in the run's)",
    )
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    as_of = date.fromisoformat(args.as_of)
    if args.child:
        from crossroads.engine import PASS_PERSONS

        pass_persons = args.pass_persons or PASS_PERSONS
        _child(args.child, args.warehouse, as_of, args.slice_persons, pass_persons, args.digests)
        return
    from crossroads.warehouse.storage import Warehouse

    scale = Warehouse(args.warehouse).manifest().get("scale")
    me = [sys.executable, __file__, "--warehouse", args.warehouse, "--as-of", args.as_of]
    me += ["--slice-persons", str(args.slice_persons), *(["--digests"] if args.digests else [])]
    me += [*(["--pass-persons", str(args.pass_persons)] if args.pass_persons else []), "--child"]
    table_header(args.warehouse, scale)
    base = baseline_row([*me, "scan"], args.timeout)
    before = cpu_row([*me, "cpu"], args.timeout, "before the runs")
    details = compare_runs("21/128 group 2, phase 2", me, args.engines, args.compare_src, args.timeout, base)
    after = cpu_row([*me, "cpu"], args.timeout, "after the runs")
    print_cpu_ratios(details, before, after)


if __name__ == "__main__":
    main()
