"""Benchmark: the full 21/150 populations (phase 2, no sample) on DuckDB and on PySpark.

    .venv/bin/python benchmarks/extract_21_150.py [--warehouse /work/bench-wh-0.1] [--engines duckdb,spark]
        [--slice-persons N] [--populations]

Each engine runs in its own subprocess so its peak memory (resident set of the process and its children,
i.e. the Spark JVM too, sampled every 50 ms) is its own. The baseline, measured in the same run, is DuckDB's
bare scan of every table of the warehouse (every column touched once); a second, a fixed amount of DuckDB work
in memory (``cpu_work``), is measured before and after the runs and each run printed as a multiple of it.
Prints a markdown table.
With ``--slice-persons`` the run is built in slices and streamed to Parquet, as an enclave run is. With
``--populations`` only the target groups are built (the inputs linked, every group in full, counts per year
and the overlap: ``engine.populations``), the datasets not.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pyarrow as pa

PERMIT = Path(__file__).parents[1] / "examples" / "permits" / "21-150.yaml"
AS_OF = date(2022, 1, 1)


_TICKS = os.sysconf("SC_CLK_TCK")


def _tree_rss_kib(root: int, cpu: dict[int, float] | None = None) -> int:
    """Resident memory of a process and all its descendants (Linux /proc); ``cpu`` collects each one's
    CPU seconds (user + system) so far."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            ppid = int(fields[1])
            with open(f"/proc/{entry}/status") as fh:
                kib = next((int(line.split()[1]) for line in fh if line.startswith("VmRSS:")), 0)
        except (OSError, StopIteration, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = kib
        ticks[int(entry)] = int(fields[11]) + int(fields[12])
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        if cpu is not None and pid in ticks:
            cpu[pid] = max(cpu.get(pid, 0.0), ticks[pid] / _TICKS)
        stack.extend(children.get(pid, []))
    return total


def _kill_tree(root: int) -> None:
    """Stop a child run and its descendants (the Spark JVM), by process id."""
    pids, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        pids.append(pid)
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as fh:
                        if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                            frontier.append(int(entry))
                except (OSError, ValueError, IndexError):
                    continue
    for pid in reversed(pids):
        with contextlib.suppress(OSError):
            os.kill(pid, 15)


def _measure(
    cmd: list[str], timeout_s: float, env: dict[str, str] | None = None
) -> tuple[dict[str, object] | None, float]:
    """Run a child; its JSON result gets ``cpu_seconds`` (the process tree's CPU time, sampled: the
    machine is shared, so CPU time is steadier than wall time); returns it with the peak memory in MiB."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    peak = 0
    cpu: dict[int, float] = {}
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kib(proc.pid, cpu))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, _ = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _kill_tree(proc.pid)
        proc.communicate()
        done.set()
        sampler.join()
        return None, peak / 1024
    done.set()
    sampler.join()
    if proc.returncode != 0:
        print(f"{' '.join(cmd)} failed with exit code {proc.returncode}", file=sys.stderr)
        return {"failed": proc.returncode}, peak / 1024
    result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    result["cpu_seconds"] = sum(cpu.values())
    return result, peak / 1024


def table_header(warehouse: str, scale: object) -> None:
    print(f"Warehouse {warehouse} (scale {scale}), {os.cpu_count()} cores, {date.today()}\n")
    print("| run | seconds (wall) | CPU seconds | peak memory (MiB) | ratio to baseline (wall / CPU) |")
    print("| --- | ---: | ---: | ---: | ---: |", flush=True)


def baseline_row(cmd: list[str], timeout_s: float) -> tuple[float, float]:
    """Measure the bare scan (``cmd``), print its row; its wall and CPU seconds."""
    base, base_mem = _measure(cmd, timeout_s)
    if base is None or "failed" in base:
        raise SystemExit("the baseline scan did not finish")
    base_s = float(base["seconds"])  # type: ignore[arg-type]
    base_cpu = float(base["cpu_seconds"])  # type: ignore[arg-type]
    print(
        f"| DuckDB bare Parquet scan (baseline) | {base_s:.1f} | {base_cpu:.1f} | {base_mem:.0f} | 1 / 1 |",
        flush=True,
    )
    return base_s, base_cpu


def run_row(
    label: str, cmd: list[str], timeout_s: float, base: tuple[float, float], env: dict[str, str] | None = None
) -> dict[str, object] | None:
    """Measure one run and print its row with the ratios to the baseline; None when stopped or failed."""
    res, mem = _measure(cmd, timeout_s, env)
    if res is None:
        print(f"| {label} | > {timeout_s:.0f} (stopped) | | {mem:.0f} | |", flush=True)
        return None
    if "failed" in res:
        print(f"| {label} | failed (exit {res['failed']}) | | {mem:.0f} | |", flush=True)
        return None
    sec = float(res["seconds"])  # type: ignore[arg-type]
    cpu = float(res["cpu_seconds"])  # type: ignore[arg-type]
    print(
        f"| {label} | {sec:.1f} | {cpu:.1f} | {mem:.0f} | {sec / base[0]:.1f}x / {cpu / base[1]:.1f}x |",
        flush=True,
    )
    return res


def compare_runs(
    what: str,
    me: list[str],
    engines: str,
    compare_src: str | None,
    timeout_s: float,
    base: tuple[float, float],
) -> dict[str, dict[str, object]]:
    """Run each engine (DuckDB first with the earlier tree when comparing), print each run's details and
    return them by label."""
    runs: list[tuple[str, str, dict[str, str] | None]] = []
    for kind in engines.split(","):
        if compare_src and kind == "duckdb":
            before = {**os.environ, "PYTHONPATH": compare_src}
            runs.append((kind, f"{what} on {kind}, before ({compare_src})", before))
        runs.append((kind, f"{what} on {kind}", None))
    details = {}
    for kind, label, env in runs:
        res = run_row(label, [*me, kind], timeout_s, base, env)
        if res is not None:
            details[label] = res
    for label, res in details.items():
        print(
            f"\n{label}: rows {res['rows']} in {res.get('slices', 1)} slice(s)"
            f"\n  digests {res.get('digests')}"
            f"\n  populations {res['populations']}\n  steps {res['timings']}"
        )
    return details


def bare_scan(warehouse: str) -> None:
    """The baseline: DuckDB reads every column of every table once; prints one JSON line."""
    import duckdb
    import pyarrow.parquet as pq

    from crossroads.warehouse.storage import Warehouse

    wh = Warehouse(warehouse)
    con = duckdb.connect()
    t0 = time.perf_counter()
    rows = 0
    for name in wh.manifest()["tables"]:
        files = [str(p) for p in wh.files(name)]
        if not files:
            continue
        # The columns the files hold (the schema may have grown since the warehouse was built).
        cols = ", ".join(f'max("{c}")' for c in pq.read_schema(files[0]).names)
        con.execute(f"SELECT count(*), {cols} FROM read_parquet({files!r}, hive_partitioning=false)")
        rows += int(con.fetchone()[0])  # type: ignore[index]
    print(json.dumps({"seconds": time.perf_counter() - t0, "rows": rows}))


CPU_WORK_ROWS = 20_000_000
CPU_WORK_ROUNDS = 3


def cpu_work() -> None:
    """The second baseline: a fixed amount of DuckDB work in memory, no disk (generated rows with an
    11-digit string key, grouped, joined back and sorted; ~10 s a round on the 2-core machine), the median of
    ``CPU_WORK_ROUNDS`` rounds. The bare scan tracks the disk more than the processors; this tracks how fast
    the shared machine computes at the hour of the run. Prints one JSON line."""
    import duckdb

    con = duckdb.connect()
    rounds = []
    for _ in range(CPU_WORK_ROUNDS):
        t0 = time.perf_counter()
        con.execute(
            "CREATE OR REPLACE TEMP TABLE w AS SELECT i, hash(i) % 1000003 AS k, "
            "lpad(CAST(hash(i * 7) % 100000000000 AS VARCHAR), 11, '0') AS s "
            f"FROM range({CPU_WORK_ROWS}) r(i)"
        )
        con.execute("CREATE OR REPLACE TEMP TABLE g AS SELECT k, count(*) n, sum(i) t FROM w GROUP BY k")
        con.execute("CREATE OR REPLACE TEMP TABLE j AS SELECT w.s, w.i, g.t FROM w JOIN g USING (k)")
        con.execute("CREATE OR REPLACE TEMP TABLE o AS SELECT * FROM j ORDER BY s, i")
        rounds.append(time.perf_counter() - t0)
    print(json.dumps({"seconds": sorted(rounds)[len(rounds) // 2], "rounds": rounds}))


def cpu_row(cmd: list[str], timeout_s: float, when: str) -> float | None:
    """Measure the fixed CPU work (``cmd``), print its row; its wall seconds (None: it failed)."""
    res, mem = _measure(cmd, timeout_s)
    if res is None or "failed" in res:
        print(f"| DuckDB fixed CPU work in memory ({when}) | failed | | {mem:.0f} | |", flush=True)
        return None
    sec = float(res["seconds"])  # type: ignore[arg-type]
    label = f"DuckDB fixed CPU work in memory ({when}; median of {CPU_WORK_ROUNDS})"
    print(f"| {label} | {sec:.1f} | | {mem:.0f} | |", flush=True)
    return sec


def print_cpu_ratios(
    details: dict[str, dict[str, object]], before: float | None, after: float | None
) -> None:
    """Each run as a multiple of the fixed CPU work measured before and after the runs (``cpu_row``): the
    machine's speed may drift during a long run, so a ratio per end."""
    work = [w for w in (before, after) if w]
    if not work:
        return
    for label, res in details.items():
        ratios = " / ".join(f"{float(res['seconds']) / w:.0f}" for w in work)  # type: ignore[arg-type]
        print(f"{label}: {ratios} x the fixed CPU work (before / after)")


def _digest(t: pa.Table) -> str:
    """A fingerprint of a file's rows, to check that two runs (engines, versions) gave the same rows."""
    sink = hashlib.sha256()
    for name in t.column_names:  # per column, whatever the batches: two runs chunk differently
        sink.update(name.encode())
        sink.update(str(t[name].to_pylist()).encode())
    return sink.hexdigest()[:16]


def _child(kind: str, warehouse: str, slice_persons: int, only_populations: bool = False) -> None:
    """Runs inside the subprocess; prints one JSON line."""
    if kind == "scan":
        bare_scan(warehouse)
        return
    if kind == "cpu":
        cpu_work()
        return
    if only_populations:
        _populations_child(kind, warehouse)
        return
    import tempfile

    import pyarrow.parquet as pq

    from crossroads import engine, permits

    version = permits.load(PERMIT).version_in_force(AS_OF)
    with tempfile.TemporaryDirectory(prefix="bench-21-150-") as out:
        t0 = time.perf_counter()
        # In slices the datasets are streamed to Parquet, as the enclave run does (scale 1.0).
        x = engine.extract(
            version,
            warehouse,
            phase=2,
            seed=1,
            backend=kind,  # type: ignore[arg-type]
            as_of=AS_OF,
            write_to=Path(out) if slice_persons else None,
            slice_persons=slice_persons or None,
        )
        seconds = time.perf_counter() - t0
        tables = dict(x.datasets) | {n: pq.read_table(p) for n, p in x.files.items()}
        rows = {n: t.num_rows for n, t in tables.items()}
        digests = {n: _digest(t) for n, t in tables.items()}
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rows": rows,
                "slices": x.slices,
                "digests": digests,
                "populations": x.population_counts,
                "timings": {k: round(v, 2) for k, v in x.timings.items()},
            }
        )
    )


def _populations_child(kind: str, warehouse: str) -> None:
    """The target groups alone (linkage, groups, overlap: ``engine.populations``); prints one JSON line."""
    from crossroads import engine, permits

    version = permits.load(PERMIT).version_in_force(AS_OF)
    t0 = time.perf_counter()
    if hasattr(engine, "populations"):
        x = engine.populations(version, warehouse, backend=kind, as_of=AS_OF)  # type: ignore[arg-type]
    else:  # a source tree from before engine.populations (--compare-src): the same two steps
        x = _populations_before(version, warehouse, kind)
    seconds = time.perf_counter() - t0
    by_year = pa.table({"counts": [json.dumps(x.population_counts_by_year, sort_keys=True)]})
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rows": {
                    "persons per group and year": sum(
                        sum(y.values()) for y in x.population_counts_by_year.values()
                    )
                },
                "digests": {"counts": _digest(by_year), "overlap": _digest(x.overlap)},
                "populations": x.population_counts,
                "match_reports": x.match_reports,
                "timings": {k: round(v, 2) for k, v in x.timings.items()},
            }
        )
    )


def _populations_before(version: object, warehouse: str, kind: str) -> object:
    """``engine.populations`` of a source tree that had only ``extract``: its linkage and groups steps."""
    import importlib

    ex = importlib.import_module("crossroads.engine.extract")
    from crossroads.engine import linkage, sampling
    from crossroads.engine.backends import connect

    x = ex.Extract(permit_version=1, phase=2, backend=kind, as_of=AS_OF)
    eng = connect(warehouse, kind)  # type: ignore[arg-type]
    t0 = time.perf_counter()
    for inp in version.inputs:  # type: ignore[attr-defined]
        x.match_reports[inp.name] = linkage.link(eng, inp.table, inp.key, None)
    x.timings["linkage"] = time.perf_counter() - t0
    run, t0 = ex._Run(eng, version), time.perf_counter()
    for name in run.groups:
        pop = run.population(name)
        counts = eng.to_arrow(pop.group_by("year").aggregate(n=pop.count()))
        years, ns = counts["year"].to_pylist(), counts["n"].to_pylist()
        x.population_counts_by_year[name] = dict(zip(years, ns, strict=True))
        x.population_counts[name] = int(eng.scalar(pop.select("insz").distinct().count()))
    x.overlap = ex._overlap(run, sampling.draws_of(version))
    x.timings["populations"] = time.perf_counter() - t0
    eng.close()
    return x


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--warehouse", default="/work/bench-wh-0.1")
    ap.add_argument("--engines", default="duckdb,spark")
    ap.add_argument("--timeout", type=float, default=3600.0, help="seconds allowed per engine run")
    ap.add_argument(
        "--compare-src",
        help="also run each engine with this source tree first on PYTHONPATH (e.g. a copy of src/ with "
        "the previous version of the engine), in the same run, for a before/after comparison (DuckDB only)",
    )
    ap.add_argument(
        "--slice-persons",
        type=int,
        default=0,
        help="persons per slice, the datasets streamed to Parquet as in an enclave run (0: one pass in "
        "memory; at scale 1.0 one pass ran out of DuckDB's 6 GB)",
    )
    ap.add_argument(
        "--populations",
        action="store_true",
        help="time the target groups alone (inputs linked, groups built in full, counts and overlap: "
        "engine.populations), not the datasets",
    )
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.child, args.warehouse, args.slice_persons, args.populations)
        return
    from crossroads.warehouse.storage import Warehouse

    scale = Warehouse(args.warehouse).manifest().get("scale")
    me = [sys.executable, __file__, "--warehouse", args.warehouse, "--slice-persons", str(args.slice_persons)]
    me += ["--populations", "--child"] if args.populations else ["--child"]
    table_header(args.warehouse, scale)
    base = baseline_row([*me, "scan"], args.timeout)
    what = "21/150 populations (phase 2)" if args.populations else "21/150 phase 2"
    before = cpu_row([*me, "cpu"], args.timeout, "before the runs")
    details = compare_runs(what, me, args.engines, args.compare_src, args.timeout, base)
    after = cpu_row([*me, "cpu"], args.timeout, "after the runs")
    print_cpu_ratios(details, before, after)


if __name__ == "__main__":
    main()
