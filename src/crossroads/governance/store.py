"""The metadata store: one database (SQLite by default, PostgreSQL supported), migrated on open.

Settings: ``CROSSROADS_DB_URL`` (an SQLAlchemy URL) or the SQLite file ``$CROSSROADS_HOME/crossroads.db``;
``CROSSROADS_HOME`` defaults to ``./var`` and also holds the custodian's key files.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from crossroads.governance import custody
from crossroads.governance.audit import AuditTrail
from crossroads.governance.errors import (
    AuditEventRejected,
    NotAuthorised,
    NotFound,
    PermitRefused,
    PermitRegistrationError,
)
from crossroads.governance.keys import PermitKeyStore
from crossroads.governance.models import Permit, StoredData
from crossroads.governance.organisations import Organisations, check_authorised
from crossroads.governance.registry import (
    PERMIT_NUMBER,
    PermitRegistration,
    PermitRegistry,
    RegisterResult,
    VersionInForce,
)

HOME_ENV = "CROSSROADS_HOME"
URL_ENV = "CROSSROADS_DB_URL"
MIGRATIONS = Path(__file__).with_name("migrations")
# Every migration runs under this PostgreSQL advisory lock, so processes opening a fresh database
# at the same time do not race to create the tables.
_MIGRATION_LOCK = 0x43524F5353  # "CROSS"


def crossroads_home() -> Path:
    return Path(os.environ.get(HOME_ENV) or "var")


def database_url(home: Path | None = None) -> str:
    url = os.environ.get(URL_ENV)
    if url:
        return url
    return f"sqlite:///{(home or crossroads_home()) / 'crossroads.db'}"


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_store_engine(url: str) -> Engine:
    """An engine tuned for the store. On SQLite: WAL (readers never block the writer), a busy
    timeout, ``synchronous=FULL`` (a commit survives power loss), ``secure_delete`` (deleted key rows
    are zeroed on disk) and ``BEGIN IMMEDIATE`` for connections marked ``crossroads_write_lock`` so
    audit appenders in several processes queue up instead of failing."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    database = parsed.database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own handling defers it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            "foreign_keys=ON",
            "secure_delete=ON",
            "busy_timeout=60000",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get("crossroads_write_lock"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


@functools.cache
def _head_revision() -> str | None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def _current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine) -> None:
    """Brings the schema to the newest Alembic revision (a no-op when it is already there).

    The common case, an up-to-date schema, is checked with one query so that opening the store
    (every CLI command does) stays cheap."""
    if _current_revision(engine) == _head_revision():
        return
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect().execution_options(crossroads_write_lock=True) as conn, conn.begin():
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


class Store:
    """The governance services over one metadata database.

    ``store.orgs`` (organisations, units, users, roles, tokens), ``store.registry`` (permits),
    ``store.audit`` (the audit trail), ``store.keys`` (per-permit keys, the pseudonyms KeyStore)."""

    def __init__(
        self,
        url: str | None = None,
        *,
        home: Path | None = None,
        clock: Callable[[], datetime] = utc_now,
        actor: str = "crossroads",
        master_key: bytes | None = None,
    ) -> None:
        self.home = home or crossroads_home()
        self.url = url or database_url(self.home)
        self.clock = clock
        self.actor = actor
        self.engine = create_store_engine(self.url)
        migrate(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.audit = AuditTrail(self.engine, custody.signing_key(self.home), clock)
        self.keys = PermitKeyStore(
            self.engine,
            self.sessions,
            master_key if master_key is not None else custody.master_key(self.home),
            clock,
            audit=self._audit_key_event,
        )
        self.orgs = Organisations(self.sessions, clock)
        self.registry = PermitRegistry(self.sessions, clock)

    def _audit_key_event(self, action: str, permit_number: str) -> None:
        self.audit.append(self.actor, action, permit=permit_number)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- permits ------------------------------------------------------------------------------
    def register_permit(
        self, payload: PermitRegistration, *, actor: str | None = None, draft: bool = False
    ) -> RegisterResult:
        """Registers a permit (or its amendments) and records it in the audit trail."""
        result = self.registry.register(payload, draft=draft)
        if result.changed:
            self.audit.append(
                actor or self.actor,
                "permit.register" if result.created else "permit.amend",
                permit=payload.number,
                version=max(v.version for v in payload.versions),
                counts={"versions": len(payload.versions), "new_versions": len(result.new_versions)},
                detail={"sha256": payload.sha256, "state": result.state},
            )
        return result

    def approve_permit(self, number: str, *, actor: str | None = None) -> None:
        self.registry.approve(number)
        self.audit.append(actor or self.actor, "permit.approve", permit=number)

    def permit_in_force(self, number: str, on: date) -> VersionInForce:
        """The version in force on ``on``; ``PermitRefused`` for unregistered, draft, not-yet-in-force,
        expired and destroyed permits. Every extract calls this first."""
        return self.registry.permit_in_force(number, on)

    def authorise(self, user: str, action: str, permit_number: str, on: date) -> VersionInForce:
        """Refuses (``NotAuthorised``) an action by a user whose unit or role the permit version in
        force does not name; returns that version when allowed."""
        try:
            version = self.registry.permit_in_force(number=permit_number, on=on)
            with self.sessions() as session:
                check_authorised(session, user, action, version)
        except (PermitRefused, NotAuthorised, NotFound) as exc:
            # Refusals leave a trace too (S004-5): who tried what, under which permit, on which date.
            # A user name that looks like an identifier is not written anywhere.
            with contextlib.suppress(AuditEventRejected):
                self.audit.append(
                    self.actor,
                    "authorise.refused",
                    permit=permit_number if PERMIT_NUMBER.fullmatch(permit_number) else None,
                    detail={
                        "user": user,
                        "action": action,
                        "on": on.isoformat(),
                        "refusal": type(exc).__name__,
                    },
                )
            raise
        return version

    # -- data locations registered for retention -------------------------------------------------
    def _register_data(
        self,
        kind: str,
        permit_number: str,
        version: int,
        path: Path | str,
        created: datetime | None,
        phase: int | None,
    ) -> int:
        with self.sessions.begin() as session:
            if session.get(Permit, permit_number) is None:
                raise NotFound(f"permit {permit_number} is not registered")
            row = StoredData(
                kind=kind,
                permit_number=permit_number,
                version=version,
                phase=phase,
                path=str(Path(path).resolve()),
                created=created or self.clock(),
            )
            session.add(row)
            session.flush()
            row_id = int(row.id)
        self.audit.append(
            self.actor, f"{kind}.register", permit=permit_number, version=version, counts={"locations": 1}
        )
        return row_id

    def register_delivery(
        self,
        permit_number: str,
        version: int,
        path: Path | str,
        created: datetime | None = None,
        *,
        phase: int | None = None,
    ) -> int:
        """Records a delivery directory so that retention finds and destroys it in time."""
        return self._register_data("delivery", permit_number, version, path, created, phase)

    def register_workspace(
        self, permit_number: str, version: int, path: Path | str, created: datetime | None = None
    ) -> int:
        """Records an enclave workspace directory so that retention finds and destroys it in time."""
        return self._register_data("workspace", permit_number, version, path, created, None)

    def stored_data(self, permit_number: str | None = None, *, live_only: bool = True) -> list[StoredData]:
        with self.sessions() as session:
            query = select(StoredData).order_by(StoredData.id)
            if permit_number is not None:
                query = query.where(StoredData.permit_number == permit_number)
            if live_only:
                query = query.where(StoredData.destroyed.is_(None))
            return list(session.scalars(query))


__all__ = [
    "PermitRegistrationError",
    "Store",
    "create_store_engine",
    "crossroads_home",
    "database_url",
    "migrate",
]
