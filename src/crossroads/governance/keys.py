"""Per-permit keys kept in the metadata store, wrapped under the custodian master key.

Implements the ``crossroads.pseudonyms.KeyStore`` protocol (``key_for``, ``create_key``,
``destroy``). A permit's key encrypts its conversion table; destroying the key (crypto-shredding)
makes the table unreadable for good: the wrapped key is overwritten, deleted, and the database is
asked to scrub freed pages (SQLite ``secure_delete`` plus a WAL checkpoint; PostgreSQL ``VACUUM``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, delete, text, update
from sqlalchemy.orm import Session, sessionmaker

from crossroads.governance.errors import KeyDestroyed, KeyNotFound
from crossroads.governance.models import KeyDestruction, PermitKey

KEY_BYTES = 32
_WRAP_CONTEXT = b"crossroads-permit-key/1:"

# Called as audit(action, permit_number) after each key operation (the store wires the audit trail).
KeyAudit = Callable[[str, str], None]


class PermitKeyStore:
    """The governance key store: one random 256-bit key per permit."""

    def __init__(
        self,
        engine: Engine,
        sessions: sessionmaker[Session],
        master_key: bytes,
        clock: Callable[[], datetime],
        audit: KeyAudit | None = None,
    ) -> None:
        if len(master_key) != KEY_BYTES:
            raise ValueError("the master key must be 32 bytes")
        self._engine = engine
        self._sessions = sessions
        self._master = AESGCM(master_key)
        self._clock = clock
        self._audit = audit

    @staticmethod
    def _context(permit_number: str) -> bytes:
        # Associated data binds a wrapped key to its permit: swapping rows between permits fails.
        return _WRAP_CONTEXT + permit_number.encode()

    def create_key(self, permit_number: str) -> None:
        """Creates the permit's key once; a second call keeps the existing key (never replaces it,
        which would silently orphan the conversion table). Refused after destruction."""
        with self._sessions.begin() as session:
            if session.get(KeyDestruction, permit_number) is not None:
                raise KeyDestroyed(
                    f"the key of permit {permit_number} was destroyed; it cannot be re-created"
                )
            if session.get(PermitKey, permit_number) is not None:
                return
            nonce = secrets.token_bytes(12)
            wrapped = self._master.encrypt(
                nonce, secrets.token_bytes(KEY_BYTES), self._context(permit_number)
            )
            session.add(
                PermitKey(permit_number=permit_number, nonce=nonce, wrapped=wrapped, created=self._clock())
            )
        if self._audit is not None:
            self._audit("key.create", permit_number)

    def key_for(self, permit_number: str) -> bytes:
        """The permit's 32-byte key; ``KeyDestroyed`` after crypto-shredding, ``KeyNotFound`` if it
        was never made."""
        with self._sessions() as session:
            row = session.get(PermitKey, permit_number)
            if row is None:
                if session.get(KeyDestruction, permit_number) is not None:
                    raise KeyDestroyed(f"the key of permit {permit_number} was destroyed (crypto-shredded)")
                raise KeyNotFound(f"no key was created for permit {permit_number}")
            nonce, wrapped = bytes(row.nonce), bytes(row.wrapped)
        try:
            key = self._master.decrypt(nonce, wrapped, self._context(permit_number))
        except InvalidTag:
            raise KeyNotFound(
                f"the key of permit {permit_number} does not open with this master key (wrong master key?)"
            ) from None
        if self._audit is not None:
            self._audit("key.use", permit_number)
        return key

    def exists(self, permit_number: str) -> bool:
        with self._sessions() as session:
            return session.get(PermitKey, permit_number) is not None

    def destroyed(self, permit_number: str) -> bool:
        with self._sessions() as session:
            return session.get(KeyDestruction, permit_number) is not None

    def destroy(self, permit_number: str) -> None:
        """Crypto-shreds the permit's key: overwrite, delete, record a tombstone, scrub. Idempotent."""
        with self._sessions.begin() as session:
            if session.get(KeyDestruction, permit_number) is not None:
                return
            # Overwrite first so that no page or journal written from now on holds the wrapped key.
            session.execute(
                update(PermitKey)
                .where(PermitKey.permit_number == permit_number)
                .values(nonce=bytes(12), wrapped=secrets.token_bytes(KEY_BYTES + 16))
            )
            session.execute(delete(PermitKey).where(PermitKey.permit_number == permit_number))
            session.add(KeyDestruction(permit_number=permit_number, destroyed=self._clock()))
        self._scrub()
        if self._audit is not None:
            self._audit("key.destroy", permit_number)

    def _scrub(self) -> None:
        """Asks the database to drop old copies of deleted rows (see docs/explanation/governance.md
        for what this does and does not reach: backups and PostgreSQL's WAL archive are out of reach)."""
        if self._engine.dialect.name == "sqlite":
            raw = self._engine.raw_connection()
            try:
                raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
            finally:
                raw.close()
        elif self._engine.dialect.name == "postgresql":
            with self._engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM permit_keys"))
