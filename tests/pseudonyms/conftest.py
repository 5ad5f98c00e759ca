"""Fixtures for the pseudonym tests: a development key store under a random master key."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from crossroads.pseudonyms import FileKeyStore


@pytest.fixture
def master_key() -> bytes:
    return secrets.token_bytes(32)


@pytest.fixture
def keystore(tmp_path: Path, master_key: bytes) -> FileKeyStore:
    return FileKeyStore(tmp_path / "keys", master_key=master_key)
