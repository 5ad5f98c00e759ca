"""Per-permit keys: the ``KeyStore`` protocol and a file-based store for development.

A permit's key (256 bits, from the OS CSPRNG) encrypts its conversion table. The key never leaves the
custodian side. The production store lives in the metadata DB (``crossroads.governance.PermitKeyStore``)
and implements the same protocol; ``FileKeyStore`` keeps each key in its own file, wrapped (AES-GCM)
under a custodian master key, so a copy of the key directory alone opens nothing.
"""

from __future__ import annotations

import os
import secrets
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable
from urllib.parse import quote

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from crossroads.governance.custody import parse_master_key
from crossroads.governance.errors import KeyDestroyed, KeyNotFound

KEY_BYTES = 32
NONCE_BYTES = 12
MASTER_KEY_ENV = "CROSSROADS_MASTER_KEY"  # 64 hex digits or base64 of 32 bytes
MASTER_KEY_FILE_ENV = "CROSSROADS_MASTER_KEY_FILE"  # a file holding such a key, mode 0600
_MAGIC = b"CRKEY1"
_WRAP_CONTEXT = b"crossroads-file-permit-key/1:"


@runtime_checkable
class KeyStore(Protocol):
    """Where the custodian keeps one key per permit. ``key_for`` raises ``KeyDestroyed`` after
    ``destroy`` and ``KeyNotFound`` for a permit that never had a key."""

    def key_for(self, permit_number: str) -> bytes: ...

    def create_key(self, permit_number: str) -> None: ...

    def destroy(self, permit_number: str) -> None: ...


class MasterKeyError(ValueError):
    """The custodian master key is absent, malformed or stored with unsafe permissions."""


def _parse_key(text: str, source: str) -> bytes:
    # The same formats as the governance store's master key (64 hex digits or base64), so one key
    # serves both stores; the error names the source, never the value.
    try:
        return parse_master_key(text, source)
    except ValueError as e:
        raise MasterKeyError(str(e)) from None


def read_master_key_file(path: Path) -> bytes:
    """Reads a master key file, refusing one that group or others may read or write."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise MasterKeyError(f"{path}: master key file not found") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise MasterKeyError(f"{path}: master key file has mode {stat.S_IMODE(mode):04o}; it must be 0600")
    return _parse_key(path.read_text(encoding="ascii"), str(path))


def create_master_key_file(path: Path) -> Path:
    """Writes a new random master key with mode 0600; refuses to overwrite an existing file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(secrets.token_hex(KEY_BYTES) + "\n")
        f.flush()
        os.fsync(f.fileno())
    return path


def _resolve_master_key(master_key: bytes | None, master_key_file: Path | None) -> bytes:
    if master_key is not None:
        if len(master_key) != KEY_BYTES:
            raise MasterKeyError(f"the master key must be {KEY_BYTES} bytes")
        return master_key
    if master_key_file is not None:
        return read_master_key_file(Path(master_key_file))
    if os.environ.get(MASTER_KEY_ENV):
        return _parse_key(os.environ[MASTER_KEY_ENV], f"${MASTER_KEY_ENV}")
    if os.environ.get(MASTER_KEY_FILE_ENV):
        return read_master_key_file(Path(os.environ[MASTER_KEY_FILE_ENV]))
    raise MasterKeyError(
        f"no custodian master key: pass one, or set ${MASTER_KEY_ENV} (64 hex digits or base64) "
        f"or ${MASTER_KEY_FILE_ENV} (a file with mode 0600)"
    )


def permit_file_stem(permit_number: str) -> str:
    """A filesystem-safe, reversible name for a permit number ("21/150" -> "21%2F150")."""
    if not permit_number or permit_number.strip() != permit_number:
        raise ValueError(f"invalid permit number {permit_number!r}")
    return quote(permit_number, safe="")


def write_atomically(path: Path, data: bytes) -> None:
    """Write aside (mode 0600), fsync, rename over, fsync the directory: never a half-written file."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FileKeyStore:
    """Development key store: ``<dir>/<permit>.key`` wrapped under the custodian master key.

    The master key comes from the argument, else ``$CROSSROADS_MASTER_KEY`` (hex or base64), else the
    file named by ``$CROSSROADS_MASTER_KEY_FILE`` (mode 0600). Destroying a key overwrites the file with
    random bytes, deletes it and leaves a tombstone, so the permit's key can never be read or re-created.
    """

    def __init__(
        self, directory: str | Path, *, master_key: bytes | None = None, master_key_file: Path | None = None
    ) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._master = AESGCM(_resolve_master_key(master_key, master_key_file))

    def _key_path(self, permit_number: str) -> Path:
        return self.directory / f"{permit_file_stem(permit_number)}.key"

    def _tombstone(self, permit_number: str) -> Path:
        return self.directory / f"{permit_file_stem(permit_number)}.destroyed"

    @staticmethod
    def _context(permit_number: str) -> bytes:
        # Associated data binds a wrapped key to its permit: renaming key files between permits fails.
        return _WRAP_CONTEXT + permit_number.encode()

    def exists(self, permit_number: str) -> bool:
        return self._key_path(permit_number).exists()

    def destroyed(self, permit_number: str) -> bool:
        return self._tombstone(permit_number).exists()

    def create_key(self, permit_number: str) -> None:
        """Creates the key once; a second call keeps it (replacing it would orphan the conversion table)."""
        if self.destroyed(permit_number):
            raise KeyDestroyed(f"the key of permit {permit_number} was destroyed; it cannot be re-created")
        path = self._key_path(permit_number)
        if path.exists():
            return
        nonce = secrets.token_bytes(NONCE_BYTES)
        wrapped = self._master.encrypt(nonce, secrets.token_bytes(KEY_BYTES), self._context(permit_number))
        write_atomically(path, _MAGIC + nonce + wrapped)

    def key_for(self, permit_number: str) -> bytes:
        if self.destroyed(permit_number):
            raise KeyDestroyed(f"the key of permit {permit_number} was destroyed (crypto-shredded)")
        path = self._key_path(permit_number)
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            raise KeyNotFound(f"no key was created for permit {permit_number}") from None
        if not blob.startswith(_MAGIC):
            raise KeyNotFound(f"{path}: not a Crossroads key file")
        nonce, wrapped = blob[len(_MAGIC) : len(_MAGIC) + NONCE_BYTES], blob[len(_MAGIC) + NONCE_BYTES :]
        try:
            return self._master.decrypt(nonce, wrapped, self._context(permit_number))
        except InvalidTag:
            raise KeyNotFound(
                f"{path}: the key of permit {permit_number} does not open with this master key "
                "(wrong master key, or a key file of another permit)"
            ) from None

    def destroy(self, permit_number: str) -> None:
        """Crypto-shreds the permit's key. Idempotent; also refuses any later ``create_key``."""
        path = self._key_path(permit_number)
        if path.exists():
            size = path.stat().st_size
            # Overwrite in place before unlinking so the old blocks do not keep the wrapped key.
            with path.open("r+b") as f:
                f.write(secrets.token_bytes(size))
                f.flush()
                os.fsync(f.fileno())
            path.unlink()
        write_atomically(self._tombstone(permit_number), datetime.now(UTC).isoformat().encode() + b"\n")
