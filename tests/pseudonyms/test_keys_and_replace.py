"""The development key store, ``replace`` and the rule that no identifier reaches an error message."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pyarrow as pa
import pytest

from crossroads.pseudonyms import (
    ConversionTable,
    ConversionTableCorrupt,
    FileKeyStore,
    IdentifierLeft,
    KeyDestroyed,
    KeyNotFound,
    KeyStore,
    MasterKeyError,
    create_master_key_file,
    replace,
    seq_column_name,
)

from .synthetic import make_enterprises, make_insz


def test_file_keystore_implements_the_protocol(keystore: FileKeyStore) -> None:
    assert isinstance(keystore, KeyStore)
    keystore.create_key("21/150")
    key = keystore.key_for("21/150")
    assert len(key) == 32
    keystore.create_key("21/150")  # idempotent: never replaces a key (that would orphan the table)
    assert keystore.key_for("21/150") == key
    keystore.create_key("15/018")
    assert keystore.key_for("15/018") != key
    with pytest.raises(KeyNotFound, match="19/072"):
        keystore.key_for("19/072")


def test_destroy_overwrites_deletes_and_blocks_recreation(keystore: FileKeyStore) -> None:
    keystore.create_key("21/150")
    path = keystore.directory / "21%2F150.key"
    assert path.exists() and (path.stat().st_mode & 0o777) == 0o600
    keystore.destroy("21/150")
    assert not path.exists() and keystore.destroyed("21/150")
    with pytest.raises(KeyDestroyed, match="crypto-shredded"):
        keystore.key_for("21/150")
    with pytest.raises(KeyDestroyed, match="cannot be re-created"):
        keystore.create_key("21/150")
    keystore.destroy("21/150")  # idempotent


def test_key_file_of_another_permit_does_not_open(keystore: FileKeyStore) -> None:
    keystore.create_key("21/150")
    (keystore.directory / "21%2F150.key").rename(keystore.directory / "15%2F018.key")
    with pytest.raises(KeyNotFound, match="does not open"):
        keystore.key_for("15/018")


def test_master_key_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CROSSROADS_MASTER_KEY", raising=False)
    monkeypatch.delenv("CROSSROADS_MASTER_KEY_FILE", raising=False)
    with pytest.raises(MasterKeyError, match="no custodian master key"):
        FileKeyStore(tmp_path / "k0")
    key_file = create_master_key_file(tmp_path / "secret" / "master.key")
    assert (key_file.stat().st_mode & 0o777) == 0o600
    monkeypatch.setenv("CROSSROADS_MASTER_KEY_FILE", str(key_file))
    store = FileKeyStore(tmp_path / "k1")
    store.create_key("21/150")
    # The same master key given as hex in the environment opens the same wrapped key.
    monkeypatch.delenv("CROSSROADS_MASTER_KEY_FILE")
    monkeypatch.setenv("CROSSROADS_MASTER_KEY", key_file.read_text().strip())
    assert FileKeyStore(tmp_path / "k1").key_for("21/150") == store.key_for("21/150")
    # Another master key cannot unwrap it.
    other = FileKeyStore(tmp_path / "k1", master_key=secrets.token_bytes(32))
    with pytest.raises(KeyNotFound, match="wrong master key"):
        other.key_for("21/150")
    os.chmod(key_file, 0o644)
    with pytest.raises(MasterKeyError, match=r"master\.key: master key file has mode 0644; it must be 0600"):
        FileKeyStore(tmp_path / "k2", master_key_file=key_file)
    monkeypatch.setenv("CROSSROADS_MASTER_KEY", "abc")
    with pytest.raises(MasterKeyError, match="64 hex digits"):
        FileKeyStore(tmp_path / "k3")
    with pytest.raises(FileExistsError):
        create_master_key_file(key_file)


def test_seq_column_names() -> None:
    assert seq_column_name("insz", "person") == "person_seq"
    assert seq_column_name("father_insz", "person") == "father_person_seq"
    assert seq_column_name("enterprise_number", "employer") == "employer_seq"
    assert seq_column_name("user_enterprise_number", "employer") == "user_employer_seq"


def test_replace(tmp_path: Path, keystore: FileKeyStore) -> None:
    people, employers = make_insz(3, seed=20).to_pylist(), make_enterprises(2, seed=21).to_pylist()
    table = pa.table(
        {
            "year": pa.array([2020, 2020, 2021], type=pa.int16()),
            "insz": pa.array(people, type=pa.string()),
            "father_insz": pa.array([people[2], None, None], type=pa.string()),
            "enterprise_number": pa.array([employers[0], employers[1], employers[0]], type=pa.string()),
            "age_5y": pa.array(["20-24", "25-29", "65+"]),
        }
    )
    conversion = ConversionTable(tmp_path, "21/150", keystore)
    out = replace(
        table, {"insz": "person", "father_insz": "person", "enterprise_number": "employer"}, conversion
    )
    assert out.column_names == ["year", "person_seq", "father_person_seq", "employer_seq", "age_5y"]
    assert all(
        out.schema.field(c).type == pa.int64() for c in ("person_seq", "father_person_seq", "employer_seq")
    )
    rows = out.to_pylist()
    # Person 3 is person 1's father: one number space, so the father's number is person 3's number.
    assert rows[0]["father_person_seq"] == rows[2]["person_seq"]
    assert rows[1]["father_person_seq"] is None
    assert rows[0]["employer_seq"] == rows[2]["employer_seq"] != rows[1]["employer_seq"]
    assert out.column("year").equals(table.column("year")) and out.column("age_5y").equals(
        table.column("age_5y")
    )


def test_replace_refuses_to_leave_an_identifier(tmp_path: Path, keystore: FileKeyStore) -> None:
    people = make_insz(3, seed=22).to_pylist()
    conversion = ConversionTable(tmp_path, "21/150", keystore)
    table = pa.table({"insz": people, "mother_insz": people[::-1]})
    with pytest.raises(IdentifierLeft, match="mother_insz"):
        replace(table, {"insz": "person"}, conversion)
    hidden = pa.table({"insz": people, "remark": [people[0], "n.v.t.", "12345678901"]})
    with pytest.raises(IdentifierLeft, match=r"column 'remark' holds 1 value\(s\) shaped like an INSZ") as e:
        replace(hidden, {"insz": "person"}, conversion)
    assert people[0] not in str(e.value)
    with pytest.raises(KeyError, match="not in the table"):
        replace(table, {"nope": "person"}, conversion)
    with pytest.raises(ValueError, match="unknown identifier kind"):
        replace(table, {"insz": "persoon"}, conversion)


def test_no_identifier_in_any_error_message(tmp_path: Path, keystore: FileKeyStore) -> None:
    people = make_insz(30, seed=23)
    values = set(people.to_pylist())
    messages: list[str] = []
    conversion = ConversionTable(tmp_path, "21/150", keystore)
    conversion.assign(people, "person")
    blob = conversion.path("person")
    original = blob.read_bytes()
    blob.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    for call in (
        lambda: ConversionTable(tmp_path, "21/150", keystore).assign(people, "person"),
        lambda: conversion.assign(pa.array([1, 2]), "person"),
        lambda: conversion.assign(people, "persons"),  # type: ignore[arg-type]
        lambda: replace(pa.table({"x": people}), {}, conversion),
    ):
        with pytest.raises((ConversionTableCorrupt, TypeError, ValueError, IdentifierLeft)) as e:
            call()
        messages.append(str(e.value))
    keystore.destroy("21/150")
    with pytest.raises(KeyDestroyed) as e:
        conversion.assign(people, "person")
    messages.append(str(e.value))
    assert len(messages) == 5
    assert not any(v in m for m in messages for v in values)


def test_governance_key_store_drives_the_conversion_table(tmp_path: Path) -> None:
    # The production key store (metadata DB) implements the same protocol and the same KeyDestroyed.
    from crossroads.governance import Store

    store = Store(
        f"sqlite:///{tmp_path / 'meta.db'}", home=tmp_path / "home", master_key=secrets.token_bytes(32)
    )
    assert isinstance(store.keys, KeyStore)
    people = make_insz(100, seed=24)
    first = ConversionTable(tmp_path / "conv", "21/150", store.keys).assign(people, "person")
    again = ConversionTable(tmp_path / "conv", "21/150", store.keys).assign(people, "person")
    assert first.equals(again)
    store.keys.destroy("21/150")
    with pytest.raises(KeyDestroyed):
        ConversionTable(tmp_path / "conv", "21/150", store.keys).assign(people, "person")


def test_replace_checks_dictionary_encoded_and_long_string_columns(
    tmp_path: Path, keystore: FileKeyStore
) -> None:
    """The value check sees identifiers in dictionary-encoded columns too, and values that only look like
    one by length (10 or 11 characters that are not digits) pass."""
    people = make_insz(3, seed=24).to_pylist()
    conversion = ConversionTable(tmp_path, "21/128", keystore)
    remark = pa.array(["n.v.t.", people[1], people[1]]).dictionary_encode()
    with pytest.raises(IdentifierLeft, match=r"column 'remark' holds 2 value\(s\)"):
        replace(pa.table({"insz": people, "remark": remark}), {"insz": "person"}, conversion)
    harmless = pa.table({"insz": people, "remark": ["2019-03-31", "abcdefghijk", "ABCDEFGHIJ"]})
    out = replace(harmless, {"insz": "person"}, conversion)
    assert out.column("remark").to_pylist() == ["2019-03-31", "abcdefghijk", "ABCDEFGHIJ"]
