"""Retention with a fixed clock: deletion, crypto-shredding, certificates, per-record purges."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from governance_seed_permits import P21_150, payload, register_seed_permits, version
from sqlalchemy import text

from crossroads.governance import KeyDestroyed, PermitRefused, PermitRegistrationError, Store
from crossroads.governance.retention import (
    destroy_permit,
    register_record_purge,
    run_retention,
    unregister_record_purges,
    years_before,
)

ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # FIPS 180-2 test vector


@pytest.fixture
def holdings(store: Store, tmp_path: Path) -> dict[str, Path]:
    """Seed permits, each research permit with a delivery; 21/150 also with a workspace and keys."""
    register_seed_permits(store)
    paths = {}
    for number, created in (
        ("21/150", datetime(2022, 1, 10, tzinfo=UTC)),
        ("21/128", datetime(2024, 3, 1, tzinfo=UTC)),
    ):
        slug = number.replace("/", "-")
        delivery = tmp_path / "deliveries" / slug
        (delivery / "data").mkdir(parents=True)
        (delivery / "data" / "workers.csv").write_bytes(b"abc")
        (delivery / "manifest.json").write_bytes(b"{}")
        store.register_delivery(number, 1, delivery, created, phase=1 if number == "21/150" else None)
        store.keys.create_key(number)
        paths[number] = delivery
    workspace = tmp_path / "workspaces" / "21-150"
    workspace.mkdir(parents=True)
    (workspace / "analysis.do").write_bytes(b"abc")
    store.register_workspace("21/150", 1, workspace, datetime(2023, 5, 1, tzinfo=UTC))
    paths["workspace"] = workspace
    return paths


def _encrypted_conversion_table(store: Store, number: str) -> tuple[bytes, bytes]:
    """A stand-in conversion table: sequence numbers encrypted under the permit's key."""
    nonce = secrets.token_bytes(12)
    return nonce, AESGCM(store.keys.key_for(number)).encrypt(nonce, b"1,2,3", number.encode())


def test_nothing_is_destroyed_before_the_retention_date(store: Store, holdings: dict[str, Path]) -> None:
    report = run_retention(store, date(2024, 8, 31))
    # Only 15/018 (31 Mar 2017) is past; it had no data but its (absent) key is shredded all the same.
    assert [(d.permit, d.files, d.key_destroyed) for d in report.destructions] == [("15/018", 0, True)]
    assert all(p.exists() for p in holdings.values())
    assert store.permit_in_force("21/150", date(2024, 8, 31)).version == 1


def test_retention_destroys_data_and_key_and_certifies(store: Store, holdings: dict[str, Path]) -> None:
    nonce, table = _encrypted_conversion_table(store, "21/150")
    old_key = store.keys.key_for("21/150")
    report = run_retention(store, date(2024, 9, 1), actor="custodian")
    destroyed = {d.permit: d for d in report.destructions}
    assert set(destroyed) == {"15/018", "21/150"}
    # 21/150 held a delivery (workers.csv, manifest.json) and a workspace (analysis.do): 3 files,
    # 3 + 2 + 3 = 8 bytes.
    assert (destroyed["21/150"].locations, destroyed["21/150"].files, destroyed["21/150"].bytes) == (2, 3, 8)
    assert not holdings["21/150"].exists() and not holdings["workspace"].exists()
    assert holdings["21/128"].exists()
    # Nothing of 21/150 can be extracted or read any more.
    with pytest.raises(PermitRefused, match="21/150 was destroyed"):
        store.permit_in_force("21/150", date(2022, 1, 1))
    with pytest.raises(KeyDestroyed):
        store.keys.key_for("21/150")
    assert store.stored_data("21/150") == []
    # The key that encrypted the conversion table is gone; without it the table does not open.
    with pytest.raises(InvalidTag):
        AESGCM(secrets.token_bytes(32)).decrypt(nonce, table, b"21/150")
    assert AESGCM(old_key).decrypt(nonce, table, b"21/150") == b"1,2,3"  # only the lost key opens it
    # The certificate: who, when, counts and file hashes, in a verified audit trail.
    certificate = next(
        e
        for e in store.audit.events(last=50)
        if e["action"] == "retention.destroy" and e["permit"] == "21/150"
    )
    assert certificate["actor"] == "custodian"
    assert certificate["counts"] == {
        "locations": 2,
        "deliveries": 1,
        "workspaces": 1,
        "files": 3,
        "bytes": 8,
        "keys": 1,
    }
    listed = [f for loc in certificate["detail"]["certificate"]["locations"] for f in loc["files"]]
    assert {(f["file"], f["sha256"]) for f in listed if f["bytes"] == 3} == {
        ("data/workers.csv", ABC_SHA256),
        ("analysis.do", ABC_SHA256),
    }
    assert store.audit.verify().ok
    with pytest.raises(PermitRegistrationError):
        store.register_permit(P21_150)


def test_the_destroyed_key_is_not_left_in_the_sqlite_file(make_store, store_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if not store_url.startswith("sqlite"):
        pytest.skip("inspects the SQLite file itself")
    store = make_store()
    store.register_permit(P21_150)
    store.keys.create_key("21/150")
    with store.engine.connect() as conn:
        wrapped = bytes(conn.execute(text("SELECT wrapped FROM permit_keys")).scalar_one())
    database = Path(store_url.removeprefix("sqlite:///"))
    run_retention(store, date(2024, 9, 1))
    store.close()
    for path in (database, database.with_name(database.name + "-wal")):
        if path.exists():
            assert wrapped not in path.read_bytes()


def test_conversion_tables_of_the_pseudonyms_module_become_unreadable(
    store: Store, holdings: dict[str, Path], tmp_path: Path
) -> None:
    conversion = pytest.importorskip("crossroads.pseudonyms.conversion")
    import pyarrow as pa

    values = pa.array(["00000000097", "00000000196"])  # synthetic, check-digit-free test strings
    table = conversion.ConversionTable(tmp_path / "conversion", "21/150", store.keys)
    first = table.assign(values, "person")
    assert len(first) == 2
    run_retention(store, date(2024, 9, 1))
    reopened = conversion.ConversionTable(tmp_path / "conversion", "21/150", store.keys)
    with pytest.raises(KeyDestroyed):
        reopened.assign(values, "person")


def test_a_dry_run_changes_nothing(store: Store, holdings: dict[str, Path]) -> None:
    before = store.audit.count()
    report = run_retention(store, date(2031, 2, 1), dry_run=True)
    assert [line.split()[0] for line in report.due] == ["15/018", "21/128", "21/150"]
    assert report.destructions == []
    assert all(p.exists() for p in holdings.values())
    assert store.audit.count() == before


def test_phase_one_deliveries_age_out_before_the_permit(store: Store, tmp_path: Path) -> None:
    # A permit in force until 2030 whose phase-1 data may be kept 3 years after delivery (S000-8).
    store.register_permit(
        payload("99/001", [version(1, date(2020, 1, 1), until=date(2030, 1, 1), phase1_years=3)])
    )
    old, recent, phase2 = tmp_path / "old", tmp_path / "recent", tmp_path / "phase2"
    for path in (old, recent, phase2):
        path.mkdir()
        (path / "f.csv").write_bytes(b"abc")
    store.register_delivery("99/001", 1, old, datetime(2021, 3, 1, tzinfo=UTC), phase=1)
    store.register_delivery("99/001", 1, recent, datetime(2021, 3, 2, tzinfo=UTC), phase=1)
    store.register_delivery("99/001", 1, phase2, datetime(2020, 6, 1, tzinfo=UTC), phase=2)
    store.keys.create_key("99/001")
    # On 2024-03-01 the cut-off is 2021-03-01: delivered on or before it means 3 years are up.
    report = run_retention(store, date(2024, 3, 1))
    assert [(d.permit, d.files, d.key_destroyed) for d in report.destructions] == [("99/001", 1, False)]
    assert (old.exists(), recent.exists(), phase2.exists()) == (False, True, True)
    assert len(store.keys.key_for("99/001")) == 32
    assert store.permit_in_force("99/001", date(2024, 3, 1)).version == 1


@pytest.fixture
def dmfa_records() -> Iterator[list[date]]:
    records = [date(2019, 1, 1), date(2020, 6, 14), date(2020, 6, 15), date(2021, 1, 1)]

    def purge(permit: str, cutoff: date) -> int:
        assert permit == "19/072"
        old = [d for d in records if d < cutoff]
        for d in old:
            records.remove(d)
        return len(old)

    register_record_purge("19/072", purge)
    yield records
    unregister_record_purges("19/072")


def test_records_of_19_072_are_purged_ten_years_after_each_record(
    store: Store, dmfa_records: list[date]
) -> None:
    register_seed_permits(store)
    # On 2030-06-15 the cut-off is 2020-06-15: records of 2019-01-01 and 2020-06-14 are older.
    report = run_retention(store, date(2030, 6, 15))
    purge = next(d for d in report.destructions if d.permit == "19/072")
    assert purge.records == 2
    assert dmfa_records == [date(2020, 6, 15), date(2021, 1, 1)]
    # 21/150 and 15/018 are long past their dates too; pick the purge event.
    (event,) = [e for e in store.audit.events(last=50) if e["action"] == "retention.purge_records"]
    assert (event["action"], event["counts"], event["detail"]) == (
        "retention.purge_records",
        {"records": 2, "hooks": 1},
        {"cutoff": "2020-06-15"},
    )
    # The permit itself stays in force (indefinite, S004-4).
    assert store.permit_in_force("19/072", date(2030, 6, 15)).version == 1


def test_a_missing_purge_hook_is_reported(store: Store) -> None:
    register_seed_permits(store)
    report = run_retention(store, date(2030, 6, 15))
    assert any("19/072" in w and "no purge hook" in w for w in report.warnings)


def test_destroy_on_request(store: Store, holdings: dict[str, Path]) -> None:
    done = destroy_permit(store, "21/128", reason="withdrawn", actor="custodian")
    assert (done.files, done.key_destroyed) == (2, True)
    assert not holdings["21/128"].exists()
    with pytest.raises(PermitRegistrationError, match="already destroyed"):
        destroy_permit(store, "21/128", reason="again")


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [(date(2030, 6, 15), 10, date(2020, 6, 15)), (date(2024, 2, 29), 3, date(2021, 2, 28))],
)
def test_years_before(day: date, years: int, expected: date) -> None:
    assert years_before(day, years) == expected
