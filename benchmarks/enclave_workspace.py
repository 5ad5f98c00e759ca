"""Benchmark: a whole phase-2 enclave workspace built the way a custodian builds it (issues 3 and 6).

    .venv/bin/python benchmarks/enclave_workspace.py [--permit examples/permits/21-128.yaml]
        [--warehouse /work/bench-wh-0.1] [--as-of 2026-12-03] [--slice-persons N]

Runs ``crossroads extract PERMIT --phase 2 --enclave`` (``extraction.run``) in a subprocess with a fresh
governance home (the permit registered there): every target group's full population through the engine
in slices, identifiers replaced batch by batch, Parquet and CSV written batch by batch, the leak scan over
every byte, publication. Peak memory (resident set of the process tree) and CPU time are sampled as in
``extract_21_150.py``; the baselines, in the same run, are DuckDB's bare scan of every warehouse file and a
fixed amount of DuckDB work in memory measured before and after the runs (``cpu_work``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from extract_21_150 import bare_scan, baseline_row, cpu_row, cpu_work, print_cpu_ratios, run_row, table_header

PERMIT = Path(__file__).parents[1] / "examples" / "permits" / "21-128.yaml"
AS_OF = date(2026, 12, 3)


def _child(kind: str, args: argparse.Namespace) -> None:
    """Runs inside the subprocess; prints one JSON line."""
    if kind == "scan":
        bare_scan(args.warehouse)
        return
    if kind == "cpu":
        cpu_work()
        return
    from crossroads import extraction
    from crossroads.cli.governance import registration_from_file
    from crossroads.governance import Store

    with tempfile.TemporaryDirectory(prefix="bench-enclave-") as tmp, Store(home=Path(tmp) / "home") as store:
        store.register_permit(registration_from_file(Path(args.permit)))
        request = extraction.ExtractRequest(
            permit_file=Path(args.permit),
            warehouse=Path(args.warehouse),
            out=Path(tmp) / "out",
            phase=2,
            as_of=date.fromisoformat(args.as_of),
            seed=1,
            backend=kind,
            formats=extraction.WORKSPACE_FORMATS,
            enclave=True,
            slice_persons=args.slice_persons,
            actor="benchmark",
        )
        t0 = time.perf_counter()
        steps: list[tuple[str, float]] = []  # each step the command announces, with its start

        def step(message: str) -> None:
            steps.append((message, time.perf_counter() - t0))

        result = extraction.run(request, store=store, today=date.fromisoformat(args.as_of), step=step)
        seconds = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in result.path.rglob("*") if p.is_file())
        print(
            json.dumps(
                {
                    "seconds": seconds,
                    "rows": result.rows,
                    "slices": result.delivery.manifest["enclave"]["slices"],
                    "bytes": size,
                    "leak_scan": {k: result.delivery.leak_scan[k] for k in ("files", "bytes", "occurrences")},
                    # Seconds per announced step: until the next one starts (the last one until the end).
                    "steps": [
                        (m, round((steps[i + 1][1] if i + 1 < len(steps) else seconds) - at, 1))
                        for i, (m, at) in enumerate(steps)
                    ],
                }
            )
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--permit", default=str(PERMIT))
    ap.add_argument("--warehouse", default="/work/bench-wh-0.1")
    ap.add_argument("--as-of", default=AS_OF.isoformat(), help="the day whose permit version applies")
    ap.add_argument("--engines", default="duckdb")
    ap.add_argument("--slice-persons", type=int, default=None, help="persons per slice (default: the CLI's)")
    ap.add_argument("--timeout", type=float, default=5400.0, help="seconds allowed per run")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.child, args)
        return
    from crossroads.warehouse.storage import Warehouse

    scale = Warehouse(args.warehouse).manifest().get("scale")
    me = [sys.executable, __file__, "--permit", args.permit, "--warehouse", args.warehouse]
    me += ["--as-of", args.as_of]
    if args.slice_persons is not None:
        me += ["--slice-persons", str(args.slice_persons)]
    table_header(args.warehouse, scale)
    base = baseline_row([*me, "--child", "scan"], args.timeout)
    before = cpu_row([*me, "--child", "cpu"], args.timeout, "before the runs")
    details: dict[str, dict[str, object]] = {}
    for kind in args.engines.split(","):
        label = f"{Path(args.permit).stem} enclave workspace, phase 2 on {kind}"
        res = run_row(label, [*me, "--child", kind], args.timeout, base, env=None)
        if res is not None:
            details[kind] = res
    after = cpu_row([*me, "--child", "cpu"], args.timeout, "after the runs")
    print_cpu_ratios({f"{Path(args.permit).stem} on {k}": r for k, r in details.items()}, before, after)
    for kind, res in details.items():
        gib = float(str(res["bytes"])) / 2**30
        print(f"\n{kind}: rows {res['rows']} in {res['slices']} slice(s), {gib:.2f} GiB written")
        print(f"  leak scan {res['leak_scan']}")
        for message, seconds in res.get("steps", []):  # type: ignore[union-attr]
            print(f"  {seconds:8.1f} s  {message}")


if __name__ == "__main__":
    main()
