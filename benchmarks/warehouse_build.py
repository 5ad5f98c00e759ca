"""Benchmark: synthetic warehouse build time and peak memory at scales 0.01 and 0.1.

Each build runs in a child process so its peak RSS (``ru_maxrss`` of the children) is its own. The
baseline, measured in the same run, is DuckDB writing the same number of rows of random data to Parquet
with ``COPY ... TO``: the ratio says how much the generator costs beyond plain columnar writing.

    .venv/bin/python benchmarks/warehouse_build.py [--scales 0.01 0.1]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_BUILD = """
import json, sys
from crossroads.warehouse.synthetic import build
wh = build(sys.argv[1], scale=float(sys.argv[2]), seed=1, force=True)
m = wh.manifest()
print(json.dumps({"persons": m["persons"], "rows": sum(t["rows"] for t in m["tables"].values())}))
"""

_BASELINE = """
import sys, duckdb
rows = int(sys.argv[2])
con = duckdb.connect()
con.execute(f"COPY (SELECT (random() * 1e9)::BIGINT AS a, (random() * 100)::INTEGER AS b, "
            f"md5(i::VARCHAR)[:11] AS c, random() AS d FROM range({rows}) t(i)) "
            f"TO '{sys.argv[1]}/baseline.parquet' (FORMAT parquet, COMPRESSION zstd)")
"""


def _child(code: str, *args: str) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds and peak RSS (GB) of a child process running ``code``.

    ``ru_maxrss`` of RUSAGE_CHILDREN is the largest child so far: the builds run before their baselines
    and in increasing scale, so the figure read after each build is that build's own peak.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True)
    seconds = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return seconds, cpu, after.ru_maxrss / 1024 / 1024, done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", nargs="+", type=float, default=[0.01, 0.1])
    args = parser.parse_args()
    print(
        "| scale | persons | rows | build s (wall) | build s (CPU) | peak GB | "
        "baseline s (DuckDB COPY, same rows; wall / CPU) | ratio (wall) | ratio (CPU) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for scale in args.scales:
        tmp = Path(tempfile.mkdtemp(prefix="crossroads-bench-"))
        try:
            secs, cpu, peak, out = _child(_BUILD, str(tmp / "wh"), str(scale))
            info = json.loads(out.splitlines()[-1])
            base_secs, base_cpu, _, _ = _child(_BASELINE, str(tmp), str(info["rows"]))
            print(
                f"| {scale} | {info['persons']:,} | {info['rows']:,} | {secs:.1f} | {cpu:.1f} | {peak:.2f} | "
                f"{base_secs:.1f} / {base_cpu:.1f} | {secs / base_secs:.2f} | {cpu / base_cpu:.2f} |",
                flush=True,
            )
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
