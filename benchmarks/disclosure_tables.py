"""Benchmark: a 300 x 12 frequency table with margins — build, primary suppression, secondary
suppression and the attacker's LP audit — against, in the same run, a pandas crosstab with primary
suppression only (what ACRO does) and a cold per-cell scipy ``linprog`` audit of the same pattern.

    .venv/bin/python benchmarks/disclosure_tables.py [--records 120000]
"""

from __future__ import annotations

import argparse
import platform
import time
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from crossroads.disclosure import Threshold, build_table, protect


def cold_audit(values: np.ndarray, a: Any, suppressed: np.ndarray) -> int:
    """Each suppressed cell's min and max by a fresh linprog on the whole system (no decomposition)."""
    s = np.flatnonzero(suppressed)
    pub = np.flatnonzero(~suppressed)
    a = a.tocsc()
    a_s = a[:, s]
    rhs = -(a[:, pub] @ values[pub])
    for j in range(len(s)):
        c = np.zeros(len(s))
        c[j] = 1.0
        linprog(c, A_eq=a_s, b_eq=rhs, bounds=(0, None), method="highs")
        linprog(-c, A_eq=a_s, b_eq=rhs, bounds=(0, None), method="highs")
    return 2 * len(s)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=120_000)
    parser.add_argument("--skip-cold", action="store_true", help="skip the slow cold linprog baseline")
    args = parser.parse_args()
    rng = np.random.default_rng(11)
    n = args.records
    weights = rng.pareto(1.0, 300) + 0.2
    positions = rng.dirichlet(np.full(12, 2.0))
    df = pd.DataFrame(
        {
            "municipality": rng.choice(300, n, p=weights / weights.sum()),
            "position": rng.choice(12, n, p=positions),
        }
    )
    t0 = time.perf_counter()
    table = build_table(df, ["municipality", "position"], name="municipality x position")
    t1 = time.perf_counter()
    protection = protect(table, [Threshold(5)])
    t2 = time.perf_counter()
    s = protection.summary()
    t = time.perf_counter()
    ct = pd.crosstab(df["municipality"], df["position"], margins=True)
    masked = ct.mask((ct > 0) & (ct < 5))
    t_crosstab = time.perf_counter() - t
    suppressed = (protection.cells["status"] != "published").to_numpy()
    values = protection.cells["value"].to_numpy(dtype=float)
    t = time.perf_counter()
    cold = 0 if args.skip_cold else cold_audit(values, protection.tableset.constraints, suppressed)
    t_cold = time.perf_counter() - t
    total = t2 - t0
    print(
        f"# 300 x 12 table with margins, {n:,} records, threshold 5 ({datetime.now(UTC):%Y-%m-%d}, "
        f"{platform.machine()}, 2 cores)\n"
    )
    print(
        f"{s['cells']} cells; {s['primary']} primary, {s['secondary']} secondary; "
        f"{s['protection_programs']} protection and {s['audit_programs']} audit programs; "
        f"audit: {'every primary cell protected' if s['protected'] else 'FAILURES'}; "
        f"crosstab cells masked: {int(masked.isna().sum().sum())}\n"
    )
    print("| step | seconds | ratio to ours |")
    print("| --- | ---: | ---: |")
    print(f"| crossroads: build table with margins | {t1 - t0:.3f} | |")
    print(f"| crossroads: primary + secondary + LP audit | {t2 - t1:.3f} | |")
    print(f"| crossroads: total | {total:.3f} | 1.0x |")
    print(
        f"| pandas crosstab + primary mask only (no secondary, no audit) | {t_crosstab:.3f} | "
        f"{t_crosstab / total:.2f}x |"
    )
    if cold:
        print(
            f"| cold scipy linprog audit of the same pattern ({cold} programs) | {t_cold:.3f} | "
            f"{t_cold / total:.1f}x |"
        )


if __name__ == "__main__":
    main()
