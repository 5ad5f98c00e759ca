"""Benchmark: assigning sequence numbers to 1 M new INSZ, then looking up 1 M known ones after a reopen.

Baseline, measured in the same run: the same assignment with a Python dict (unique -> CSPRNG shuffle ->
dict lookup per value), without encryption or persistence. Crossroads' figure includes both (AES-GCM
encryption, Arrow IPC with zstd, atomic write). Then 400 batches of 9,000 known values assigned by one open
table (a file pseudonymised batch by batch), against the same calls with its numeric index off.
Run: ``.venv/bin/python benchmarks/pseudonyms.py [N]``.
"""

from __future__ import annotations

import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pyarrow as pa

from crossroads.pseudonyms import ConversionTable, FileKeyStore, conversion

T = TypeVar("T")
BATCHES = 400


def dict_baseline(values: list[str], mapping: dict[str, int]) -> pa.Array:
    new = [v for v in dict.fromkeys(values) if v not in mapping]
    order = np.argsort(np.frombuffer(secrets.token_bytes(8 * len(new)), dtype=np.uint64), kind="stable")
    start = len(mapping) + 1
    for i, j in enumerate(order.tolist()):
        mapping[new[j]] = start + i
    return pa.array([mapping[v] for v in values], type=pa.int64())


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main(n: int) -> None:
    rng = np.random.default_rng(2026)
    numbers = rng.choice(10**11, n, replace=False)
    values = pa.array(np.char.zfill(numbers.astype(str), 11).astype(object), type=pa.string())
    as_list = values.to_pylist()
    with tempfile.TemporaryDirectory() as d:
        keys = FileKeyStore(Path(d) / "keys", master_key=secrets.token_bytes(32))

        def reopen() -> ConversionTable:
            return ConversionTable(Path(d) / "conv", "21/150", keys)

        t_new, first = timed(lambda: reopen().assign(values, "person"))
        t_known, again = timed(lambda: reopen().assign(values, "person"))
        assert first.equals(again)
        # A small later delivery: 10,000 people, half of them already known, against the full table.
        small = pa.concat_arrays([values.slice(0, 5_000), pa.array([f"9{i:010d}" for i in range(5_000)])])
        t_small, _ = timed(lambda: reopen().assign(small, "person"))
        size = (Path(d) / "conv" / "21%2F150" / "person.bin").stat().st_size
        # A file pseudonymised batch by batch (``extraction.pseudonymise_file``; a 209-million-row file of
        # 21/128 at scale 1.0 is ~840 batches of 250,000 rows, ~9,000 persons each): BATCHES batches of
        # 9,000 known persons assigned by one open table (its numeric index is built at the second call),
        # against the same calls with the index off (each batch hashed against the whole table, as before).
        batches = [values.take(pa.array(rng.choice(n, min(n, 9_000), replace=False))) for _ in range(BATCHES)]
        timings = []
        for minimum in (conversion.INDEX_MIN_VALUES, 2**62):
            conversion.INDEX_MIN_VALUES = minimum
            table = reopen()
            table.assign(values.slice(0, 1), "person")  # decrypted once, as after the file's own assignment
            timings.append(timed(lambda: [table.assign(b, "person") for b in batches])[0])  # noqa: B023
        t_batches, b_batches = timings
    mapping: dict[str, int] = {}
    b_new, _ = timed(lambda: dict_baseline(as_list, mapping))
    b_known, _ = timed(lambda: dict_baseline(as_list, mapping))
    b_small, _ = timed(lambda: dict_baseline(small.to_pylist(), mapping))
    print(f"{n:,} INSZ, 2 cores; encrypted table {size / 1e6:.1f} MB\n")
    print("| operation | crossroads (s) | dict baseline, in memory only (s) | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| assign {n:,} new values (incl. encrypt + atomic write) | {t_new:.2f} | {b_new:.2f} | "
          f"{b_new / t_new:.1f}x |")  # fmt: skip
    print(f"| reopen + look up {n:,} known values (incl. decrypt) | {t_known:.2f} | {b_known:.2f} | "
          f"{b_known / t_known:.1f}x |")  # fmt: skip
    print(f"| reopen + assign 10,000 (5,000 new) against the {n:,}-row table | {t_small:.2f} | "
          f"{b_small:.3f} | {b_small / t_small:.2f}x |")  # fmt: skip
    print("\n| operation | crossroads (s) | the same without the numeric index (s) | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| {BATCHES} batches of 9,000 known values against the {n:,}-row table | "
          f"{t_batches:.2f} | {b_batches:.2f} | {b_batches / t_batches:.1f}x |")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
