"""The permit registry: versions in force on dates, lifecycle, refusals, amendments."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from governance_seed_permits import (
    DWSE_INPUT,
    P15_018,
    P19_072,
    P21_128,
    P21_128_VERSIONS,
    P21_150,
    payload,
    register_seed_permits,
    version,
)

from crossroads.governance import PermitRefused, PermitRegistrationError, Store


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2021, 7, 6), 1),  # the original takes effect on its decision date
        (date(2024, 2, 20), 1),  # the day before the first amendment is in force
        (date(2024, 2, 21), 2),
        (date(2025, 11, 19), 2),
        (date(2025, 11, 20), 3),
        (date(2031, 1, 31), 3),  # the retention date is the last day data may be held
    ],
)
def test_the_version_in_force_follows_the_effective_dates(store: Store, on: date, expected: int) -> None:
    store.register_permit(P21_128)
    assert store.permit_in_force("21/128", on).version == expected


def test_refusals_name_the_permit_and_dates(store: Store) -> None:
    register_seed_permits(store)
    with pytest.raises(
        PermitRefused, match=r"permit 21/128 is not yet in force on 2021-07-05: .* 2021-07-06"
    ):
        store.permit_in_force("21/128", date(2021, 7, 5))
    with pytest.raises(PermitRefused, match=r"permit 21/128 expired: on 2031-02-01 .* until 2031-01-31"):
        store.permit_in_force("21/128", date(2031, 2, 1))
    # The seeds' historical permits are refused today (DESIGN.md, "The permit is the law").
    with pytest.raises(PermitRefused, match="21/150 expired"):
        store.permit_in_force("21/150", date(2026, 11, 22))
    with pytest.raises(PermitRefused, match="15/018 expired"):
        store.permit_in_force("15/018", date(2017, 4, 1))
    with pytest.raises(PermitRefused, match="permit 99/999 is not registered"):
        store.permit_in_force("99/999", date(2022, 1, 1))
    # 19/072 is indefinite: its data age out record by record instead.
    assert store.permit_in_force("19/072", date(2040, 1, 1)).version == 1


def test_lifecycle_draft_approved_in_force_expired_destroyed(store: Store) -> None:
    store.register_permit(P21_150, draft=True)
    status = store.registry.status
    assert status("21/150", date(2022, 1, 1)) == "draft"
    with pytest.raises(PermitRefused, match="draft"):
        store.permit_in_force("21/150", date(2022, 1, 1))
    store.approve_permit("21/150")
    assert status("21/150", date(2021, 10, 4)) == "approved"  # approved, not yet in force
    assert status("21/150", date(2021, 10, 5)) == "in_force"
    assert status("21/150", date(2024, 9, 1)) == "in_force"
    assert status("21/150", date(2024, 9, 2)) == "expired"
    store.registry.mark_destroyed("21/150", datetime(2024, 9, 1, tzinfo=UTC))
    assert status("21/150", date(2022, 1, 1)) == "destroyed"
    with pytest.raises(PermitRefused, match="permit 21/150 was destroyed on 2024-09-01"):
        store.permit_in_force("21/150", date(2022, 1, 1))
    with pytest.raises(PermitRegistrationError, match="destroyed"):
        store.register_permit(P21_150)


def test_input_unit_equal_to_output_unit_is_refused(store: Store) -> None:
    same = payload("21/150", [version(1, date(2021, 10, 5), output_unit=DWSE_INPUT, until=date(2024, 9, 1))])
    with pytest.raises(
        PermitRegistrationError, match=r"21/150 version 1: .*DWSE/dienstencheques-input.*separation"
    ):
        store.register_permit(same)
    assert store.registry.numbers() == []


@pytest.mark.parametrize(
    ("versions", "message"),
    [
        ([], "at least one version"),
        ([version(1, date(2021, 10, 5), roles=())], "no role"),
        ([version(1, date(2021, 10, 5), approved=date(2021, 10, 6))], "before its approval"),
        ([version(1, date(2021, 10, 5), until=date(2021, 10, 5))], "not after the effective date"),
        ([version(1, date(2021, 10, 5)), version(2, date(2021, 10, 5))], "increasing effective dates"),
    ],
)
def test_malformed_registrations_are_refused(store: Store, versions: list, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(PermitRegistrationError, match=message):
        store.register_permit(payload("21/150", versions))


def test_a_payload_whose_hash_does_not_match_its_text_is_refused(store: Store) -> None:
    bad = payload("21/150", [version(1, date(2021, 10, 5))])
    forged = type(bad)(**{**bad.__dict__, "yaml_text": bad.yaml_text + "# edited\n"})
    with pytest.raises(PermitRegistrationError, match="sha256"):
        store.register_permit(forged)


def test_amendments_add_versions_and_never_change_old_ones(store: Store) -> None:
    first = store.register_permit(payload("21/128", P21_128_VERSIONS[:1], text="v1\n"))
    assert (first.created, first.new_versions) == (True, (1,))
    amended = store.register_permit(payload("21/128", P21_128_VERSIONS[:2], text="v1 v2\n"))
    assert (amended.created, amended.changed, amended.new_versions) == (False, True, (2,))
    again = store.register_permit(payload("21/128", P21_128_VERSIONS[:2], text="v1 v2\n"))
    assert not again.changed
    changed_v1 = [version(1, date(2021, 7, 6), input_unit=("NARIC", "x"), output_unit=("UM", "roa"))]
    with pytest.raises(PermitRegistrationError, match="version 1 differs"):
        store.register_permit(payload("21/128", [*changed_v1, P21_128_VERSIONS[1]], text="edited\n"))
    with pytest.raises(PermitRegistrationError, match="lacks registered version"):
        store.register_permit(payload("21/128", P21_128_VERSIONS[1:2], text="only v2\n"))
    actions = [e["action"] for e in store.audit.events()]
    assert actions == ["permit.register", "permit.amend"]


def test_registrations_are_audited_with_the_file_hash(store: Store) -> None:
    store.register_permit(P19_072)
    (event,) = store.audit.events()
    assert (event["action"], event["permit"], event["version"]) == ("permit.register", "19/072", 1)
    assert event["detail"] == {"sha256": P19_072.sha256, "state": "approved"}
    assert event["counts"] == {"versions": 1, "new_versions": 1}


def test_summaries_list_every_permit(store: Store) -> None:
    register_seed_permits(store)
    rows = {s.number: s for s in store.registry.summaries(date(2024, 3, 1))}
    assert {n: (s.status, s.version_in_force) for n, s in rows.items()} == {
        "15/018": ("expired", 1),
        "19/072": ("in_force", 1),
        "21/128": ("in_force", 2),
        "21/150": ("in_force", 1),
    }
    assert rows["19/072"].retention_years_after_record == 10
    assert P15_018.number in store.registry.numbers()
