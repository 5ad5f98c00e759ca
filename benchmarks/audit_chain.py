"""Audit chain benchmark: append rate (single and batched) and verify rate, with baselines.

    .venv/bin/python benchmarks/audit_chain.py [--events 1000000] [--postgres URL]

Baselines measured in the same run: plain INSERTs of the same rows without hashing, validation or
signing (for appends) and a plain SELECT of every row without hashing (for verify). Verify of
10 M events is extrapolated linearly from the measured run (verify streams in fixed-size pages,
so its cost per event does not grow with the chain). PostgreSQL is measured when ``--postgres``
or ``CROSSROADS_TEST_POSTGRES_URL`` names a reachable server (a scratch database is created and
dropped).
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from crossroads.governance import Event, Store
from crossroads.governance.audit import stream_rows

BATCH = 10_000
SINGLE = 500
console = Console(stderr=True)


def events(start: int, count: int) -> Iterator[Event]:
    for i in range(start, start + count):
        yield Event(
            actor=f"user{i % 50}",
            action="extract",
            permit="21/150",
            version=1,
            purpose="jaarverslag dienstencheques",
            counts={"rows": i % 100_000, "files": 3},
            detail={"dataset": "workers_timeseries", "phase": 1},
        )


def plain_insert_rate(store: Store, count: int) -> float:
    """Baseline: the same rows INSERTed into a copy of the table, nothing computed."""
    with store.engine.begin() as conn:
        conn.execute(text("CREATE TABLE plain_events AS SELECT * FROM audit_events WHERE 1 = 0"))
    row = {
        "seq": 0,
        "time": "2026-11-22T06:00:00.000000Z",
        "actor": "user1",
        "action": "extract",
        "permit": "21/150",
        "version": 1,
        "purpose": "jaarverslag dienstencheques",
        "counts": '{"files":3,"rows":1}',
        "detail": '{"dataset":"workers_timeseries","phase":1}',
        "prev_hash": "0" * 64,
        "hash": "0" * 64,
    }
    sql = text(
        "INSERT INTO plain_events VALUES (:seq, :time, :actor, :action, :permit, :version, :purpose, "
        ":counts, :detail, :prev_hash, :hash)"
    )
    started = time.perf_counter()
    for start in range(0, count, BATCH):
        with store.engine.begin() as conn:
            conn.execute(sql, [{**row, "seq": i} for i in range(start, min(start + BATCH, count))])
    elapsed = time.perf_counter() - started
    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE plain_events"))
    return count / elapsed


def plain_scan_seconds(store: Store, upto: int) -> float:
    started = time.perf_counter()
    for _rows in stream_rows(store.engine, 0, upto):
        pass
    return time.perf_counter() - started


def measure(name: str, store: Store, total: int, workers: int) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    baseline = plain_insert_rate(store, min(total, 200_000))
    started = time.perf_counter()
    for event in events(0, SINGLE):
        store.audit.append_many([event])
    single = SINGLE / (time.perf_counter() - started)
    rows.append(
        (
            name,
            f"append, one event per transaction ({SINGLE:,})",
            f"{single:,.0f} ev/s",
            f"{single / baseline:.2f}x plain batched INSERT",
        )
    )
    appended = SINGLE
    batched_seconds = 0.0
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"{name}: appending {total:,} events", total=total)
        progress.advance(task, appended)
        while appended < total:
            count = min(BATCH, total - appended)
            started = time.perf_counter()
            store.audit.append_many(events(appended, count))
            batched_seconds += time.perf_counter() - started
            appended += count
            progress.advance(task, count)
    batched = (total - SINGLE) / batched_seconds
    rows.append(
        (
            name,
            f"append_many, batches of {BATCH:,}",
            f"{batched:,.0f} ev/s",
            f"{batched / baseline:.2f}x plain batched INSERT ({baseline:,.0f} rows/s)",
        )
    )
    scan = plain_scan_seconds(store, total)
    for n in sorted({1, workers}):
        started = time.perf_counter()
        report = store.audit.verify(workers=n)
        seconds = time.perf_counter() - started
        assert report.ok and report.events == total, report.summary()
        rate = total / seconds
        rows.append(
            (
                name,
                f"verify {total:,} events, {n} process(es)",
                f"{rate:,.0f} ev/s; 10 M in {10_000_000 / rate:,.0f} s (extrapolated)",
                f"{seconds / scan:.2f}x plain SELECT ({scan:.1f} s)",
            )
        )
    return rows


def drop_database(admin: Engine, name: str) -> None:
    """Drops the scratch database; retries while autovacuum still holds it (FORCE would need to
    signal a superuser's process, which the test role may not do)."""
    for attempt in range(10):
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            return
        except DBAPIError:
            time.sleep(1 + attempt)
    console.print(f"could not drop scratch database {name}; drop it by hand")


def print_rows(rows: list[tuple[str, str, str, str]]) -> None:
    for row in rows:
        print("| " + " | ".join(row) + " |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgres", default=os.environ.get("CROSSROADS_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    clock = lambda: datetime.now(UTC)  # noqa: E731
    print(
        f"Audit chain benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
        f"{os.cpu_count()} cores, load average at start {os.getloadavg()[0]:.1f}\n"
    )
    print("| database | measure | result | versus baseline (same run) |")
    print("| --- | --- | --- | --- |", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        store = Store(f"sqlite:///{home / 'bench.db'}", home=home, clock=clock, master_key=bytes(32))
        print_rows(measure("SQLite", store, args.events, args.workers))
        store.close()
        if args.postgres:
            name = f"crossroads_bench_{secrets.token_hex(4)}"
            admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
            try:
                with admin.connect() as conn:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
            except Exception as exc:  # unreachable server: report and carry on with SQLite only
                console.print(f"PostgreSQL not measured: {exc.__class__.__name__}")
            else:
                url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
                try:
                    store = Store(url, home=home, clock=clock, master_key=bytes(32))
                    print_rows(measure("PostgreSQL", store, args.events, args.workers))
                    store.close()
                finally:
                    drop_database(admin, name)
            admin.dispose()
    print(f"\nload average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
