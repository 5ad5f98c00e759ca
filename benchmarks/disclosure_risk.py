"""Benchmark: the risk summary on 1 M records x 6 quasi-identifiers, against pycanon and a bare DuckDB
group-by in the same run; then a scaling curve (1 M, 3 M, 10 M) of our code alone.

    .venv/bin/python benchmarks/disclosure_risk.py [--skip-pycanon] [--sizes 1000000 3000000 10000000]
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from crossroads.disclosure import assess

QIS = ["municipality", "age", "sex", "nationality", "lipro", "year"]


def population(n: int, seed: int = 1) -> pd.DataFrame:
    """Coded quasi-identifiers as a delivery holds them (integer codes), with realistic skew."""
    rng = np.random.default_rng(seed)
    weights = rng.pareto(1.2, 300) + 1
    return pd.DataFrame(
        {
            "municipality": rng.choice(300, n, p=weights / weights.sum()),
            "age": rng.integers(18, 66, n),
            "sex": rng.integers(1, 3, n),
            "nationality": rng.choice(10, n, p=[0.7, 0.05, 0.05, 0.04, 0.04, 0.03, 0.03, 0.02, 0.02, 0.02]),
            "lipro": rng.integers(0, 12, n),
            "year": rng.integers(2008, 2021, n),
            "sep": rng.integers(0, 8, n),
        }
    )


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-pycanon", action="store_true")
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000_000, 3_000_000, 10_000_000])
    args = parser.parse_args()
    df = population(1_000_000)

    def ours() -> Any:
        return assess(df, QIS, sensitive=["sep"], k=5, sampling_fraction=0.01)

    t_ours, summary = best_of(ours, 3)
    con = duckdb.connect()
    con.register("df", df)
    sql = f"SELECT count(*) AS n FROM df GROUP BY {', '.join(QIS)}"
    t_duck, sizes = best_of(lambda: con.execute(sql).fetchnumpy()["n"], 3)
    assert int(sizes.min()) == summary.k
    rows = [("crossroads risk summary (k, uniques, l-diversity, prosecutor, journalist est.)", t_ours, 1.0)]
    rows.append(("DuckDB bare group-by (class sizes only)", t_duck, t_duck / t_ours))
    if not args.skip_pycanon:
        from pycanon import anonymity

        t_k, k = best_of(lambda: anonymity.k_anonymity(df, QIS), 1)
        t_l, l_div = best_of(lambda: anonymity.l_diversity(df, QIS, ["sep"]), 1)
        assert k == summary.k, (k, summary.k)
        assert l_div == summary.l_diversity, (l_div, summary.l_diversity)
        rows.append(("pycanon k_anonymity", t_k, t_k / t_ours))
        rows.append(("pycanon l_diversity", t_l, t_l / t_ours))
        rows.append(("pycanon k + l (what our summary covers)", t_k + t_l, (t_k + t_l) / t_ours))
    print(
        f"# Risk summary, 1,000,000 records x 6 quasi-identifiers ({datetime.now(UTC):%Y-%m-%d}, "
        f"{platform.machine()}, 2 cores)\n"
    )
    print(
        f"k = {summary.k}, classes = {summary.classes}, sample uniques = {summary.sample_uniques}, "
        f"l = {summary.l_diversity} (identical in every implementation)\n"
    )
    print("| implementation | seconds | time / ours |")
    print("| --- | ---: | ---: |")
    for name, t, ratio in rows:
        print(f"| {name} | {t:.3f} | {ratio:.1f}x |")
    print("\n## Scaling (ours only)\n")
    print("| records | seconds | records / s |")
    print("| ---: | ---: | ---: |")
    for n in args.sizes:
        data = df if n == len(df) else population(n, seed=2)

        def run(data: pd.DataFrame = data) -> Any:
            return assess(data, QIS, sensitive=["sep"], k=5, sampling_fraction=0.01)

        t, _ = best_of(run, 2)
        print(f"| {n:,} | {t:.3f} | {n / t:,.0f} |")
        del data


if __name__ == "__main__":
    main()
