"""The per-permit key store (the pseudonyms KeyStore protocol) and the custodian's key files."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from crossroads.governance import KeyDestroyed, KeyNotFound, Store, custody


def test_keys_are_random_stable_and_per_permit(store: Store) -> None:
    store.keys.create_key("21/150")
    store.keys.create_key("21/128")
    key = store.keys.key_for("21/150")
    assert len(key) == 32
    store.keys.create_key("21/150")  # a second create keeps the key
    assert store.keys.key_for("21/150") == key
    assert store.keys.key_for("21/128") != key
    with pytest.raises(KeyNotFound, match="no key was created for permit 19/072"):
        store.keys.key_for("19/072")


def test_the_database_holds_only_wrapped_keys(store: Store) -> None:
    store.keys.create_key("21/150")
    key = store.keys.key_for("21/150")
    with store.engine.connect() as conn:
        nonce, wrapped = conn.execute(text("SELECT nonce, wrapped FROM permit_keys")).one()
    # AES-GCM: 32 key bytes + 16 tag bytes, under a 12-byte nonce.
    assert (len(bytes(nonce)), len(bytes(wrapped))) == (12, 48)
    assert key not in bytes(wrapped)


def test_destroyed_keys_stay_destroyed(store: Store) -> None:
    store.keys.create_key("21/150")
    store.keys.destroy("21/150")
    store.keys.destroy("21/150")  # idempotent
    with pytest.raises(KeyDestroyed, match="21/150"):
        store.keys.key_for("21/150")
    with pytest.raises(KeyDestroyed, match="cannot be re-created"):
        store.keys.create_key("21/150")
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM permit_keys")).scalar_one() == 0


def test_another_master_key_opens_nothing(make_store: Callable[..., Store]) -> None:
    make_store().keys.create_key("21/150")
    stranger = make_store(master_key=bytes(32))
    with pytest.raises(KeyNotFound, match="wrong master key"):
        stranger.keys.key_for("21/150")


def test_a_wrapped_key_moved_to_another_permit_does_not_open(store: Store) -> None:
    store.keys.create_key("21/150")
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE permit_keys SET permit_number = '21/128'"))
    with pytest.raises(KeyNotFound, match="wrong master key"):
        store.keys.key_for("21/128")


def test_key_operations_are_audited(store: Store) -> None:
    store.keys.create_key("21/150")
    store.keys.key_for("21/150")
    store.keys.destroy("21/150")
    events = store.audit.events()
    assert [(e["action"], e["permit"]) for e in events] == [
        ("key.create", "21/150"),
        ("key.use", "21/150"),
        ("key.destroy", "21/150"),
    ]


def test_the_store_satisfies_the_pseudonyms_keystore_protocol(store: Store) -> None:
    pseudonyms = pytest.importorskip("crossroads.pseudonyms.keys")
    assert isinstance(store.keys, pseudonyms.KeyStore)


def test_key_files_are_created_private_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(custody.MASTER_KEY_ENV, raising=False)
    first = custody.master_key(tmp_path)
    assert custody.master_key(tmp_path) == first
    signing = custody.signing_key(tmp_path)
    assert custody.public_key_hex(custody.signing_key(tmp_path).public_key()) == custody.public_key_hex(
        signing.public_key()
    )
    for name in (custody.MASTER_KEY_FILE, custody.SIGNING_KEY_FILE):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600


def test_the_master_key_can_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(custody.MASTER_KEY_ENV, "ab" * 32)
    assert custody.master_key(tmp_path) == bytes([0xAB]) * 32
    assert not (tmp_path / custody.MASTER_KEY_FILE).exists()
    monkeypatch.setenv(custody.MASTER_KEY_ENV, "c2VjcmV0")  # base64 of 6 bytes: too short
    with pytest.raises(ValueError) as info:
        custody.master_key(tmp_path)
    assert "CROSSROADS_MASTER_KEY" in str(info.value)
    assert "c2VjcmV0" not in str(info.value)
