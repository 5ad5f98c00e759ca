"""Secrets the custodian keeps outside the database: the master key that wraps the per-permit keys
and the Ed25519 key that signs the audit trail. Both are files created with mode 0600."""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

MASTER_KEY_ENV = "CROSSROADS_MASTER_KEY"
MASTER_KEY_FILE = "master.key"
SIGNING_KEY_FILE = "audit_signing.key"


def write_secret_file(path: Path, data: bytes) -> bool:
    """Create ``path`` with mode 0600 holding ``data``, unless it exists. Returns True if created.

    Written aside and hard-linked into place, so that a concurrent reader never sees a half-written
    key and two processes racing to create it end up with the same one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        tmp.unlink(missing_ok=True)


def parse_master_key(text: str, source: str) -> bytes:
    """A 32-byte key given as 64 hex digits or base64; the error names the source, never the value."""
    text = text.strip()
    key: bytes | None = None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        try:
            key = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            key = None
    if key is None or len(key) != 32:
        raise ValueError(f"{source}: the master key must be 32 bytes written as 64 hex digits or base64")
    return key


def master_key(home: Path) -> bytes:
    """The custodian master key: ``$CROSSROADS_MASTER_KEY`` if set, else ``home/master.key`` (created)."""
    env = os.environ.get(MASTER_KEY_ENV)
    if env:
        return parse_master_key(env, MASTER_KEY_ENV)
    path = home / MASTER_KEY_FILE
    if not path.exists():
        write_secret_file(path, secrets.token_bytes(32).hex().encode() + b"\n")
    return parse_master_key(path.read_text(encoding="ascii"), str(path))


def signing_key(home: Path) -> Ed25519PrivateKey:
    """The audit signing key ``home/audit_signing.key`` (PKCS#8 PEM), created on first use."""
    path = home / SIGNING_KEY_FILE
    if not path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        write_secret_file(path, pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path}: not an Ed25519 private key")
    return key


def public_key_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def public_key_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def load_public_key(text: str) -> Ed25519PublicKey:
    """A public key given as PEM or as 64 hex digits (raw)."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode("ascii"))
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key
    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(text))
