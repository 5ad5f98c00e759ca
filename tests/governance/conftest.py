"""Fixtures: every store test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``CROSSROADS_TEST_POSTGRES_URL`` (set by scripts/test.sh; it points at the
``postgres`` database of a role with CREATEDB). One fresh database is created per test session and
dropped at the end; each test gets its own schema in it. Without the variable the PostgreSQL
variant is skipped locally, but fails in CI (``CI=true``), where a missing server is a bug.
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from crossroads.governance import Store
from crossroads.governance.audit import DEFAULT_CHECKPOINT_EVERY, GENESIS
from crossroads.governance.models import Base
from crossroads.governance.store import create_store_engine, migrate

POSTGRES_ENV = "CROSSROADS_TEST_POSTGRES_URL"
MASTER_KEY = bytes(range(32))  # fixed test master key: 00 01 02 ... 1f


class FixedClock:
    """A settable clock, so tests control every timestamp the store writes."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str | None]:
    """URL of a throw-away PostgreSQL database for this session (None when not configured)."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        yield None
        return
    name = f"crossroads_test_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        # Not WITH (FORCE): that would have to signal autovacuum, a superuser process. All our
        # connections are closed by now; retry while autovacuum finishes.
        for attempt in range(10):
            try:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
                break
            except DBAPIError:
                time.sleep(0.5 * (attempt + 1))
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, copied for each test (migrating from scratch each time is slow)."""
    path = tmp_path_factory.mktemp("template") / "crossroads.db"
    engine = create_store_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()  # the last connection to close folds the WAL back into the file
    return path


@pytest.fixture(scope="session")
def postgres_schema(postgres_database: str | None) -> str | None:
    """URL of one migrated schema in the session's PostgreSQL database, emptied before each test."""
    if postgres_database is None:
        return None
    admin = create_engine(postgres_database, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE SCHEMA governance_tests"))
    admin.dispose()
    # Commits need not wait for the disk in tests (the logic is under test, not PostgreSQL's WAL).
    options = "-csearch_path=governance_tests -csynchronous_commit=off"
    url = make_url(postgres_database).update_query_dict({"options": options})
    rendered = url.render_as_string(hide_password=False)
    engine = create_store_engine(rendered)
    migrate(engine)
    engine.dispose()
    return rendered


def _empty_postgres(url: str) -> None:
    """Back to the state right after migration: no rows, the audit head at the genesis."""
    tables = [t.name for t in Base.metadata.sorted_tables if t.name != "audit_head"]
    engine = create_engine(url)
    with engine.begin() as conn:
        # DELETE, not TRUNCATE: on tables this small it avoids new files and their fsyncs.
        for table in reversed(tables):
            conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(
            text("UPDATE audit_head SET seq = 0, hash = :g, signature = '', checkpoint_every = :n"),
            {"g": GENESIS, "n": DEFAULT_CHECKPOINT_EVERY},
        )
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, postgres_schema: str | None
) -> str:
    """A migrated, empty metadata database URL on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "crossroads.db"
        shutil.copyfile(sqlite_template, path)
        return f"sqlite:///{path}"
    if postgres_schema is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{POSTGRES_ENV} is not set: CI must run the PostgreSQL tests (see scripts/test.sh)")
        pytest.skip(f"PostgreSQL not configured ({POSTGRES_ENV} unset)")
    _empty_postgres(postgres_schema)
    return postgres_schema


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2022, 3, 1, 9, 30, tzinfo=UTC))


@pytest.fixture(scope="session")
def store_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The custodian home (signing key file) shared by the session's stores: making a key per test
    cost more than most tests."""
    return tmp_path_factory.mktemp("home")


@pytest.fixture
def make_store(store_url: str, store_home: Path, clock: FixedClock) -> Iterator[Callable[..., Store]]:
    """Opens (and closes at the end) stores on the test database; all share the home directory."""
    opened: list[Store] = []

    def _open(**kwargs: object) -> Store:
        options: dict[str, object] = {"home": store_home, "clock": clock, "master_key": MASTER_KEY}
        options.update(kwargs)
        store = Store(store_url, **options)  # type: ignore[arg-type]
        opened.append(store)
        return store

    yield _open
    for store in opened:
        store.close()


@pytest.fixture
def store(make_store: Callable[..., Store]) -> Store:
    return make_store()
