"""Organisations, users and roles: separation of functions, tokens and passwords."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from governance_seed_permits import register_seed_permits
from sqlalchemy import text

from crossroads.governance import AlreadyExists, NotAuthorised, NotFound, PermitRefused, Store, organisations

ON = date(2022, 6, 1)  # 21/150 and 19/072 are in force


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 with tiny costs so the suite stays fast; the real parameters are checked below."""
    monkeypatch.setattr(organisations, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


PRODUCTION_HASHER = organisations._hasher  # taken before any test replaces it


def test_the_production_password_hash_uses_argon2id_with_recommended_costs() -> None:
    # argon2-cffi's RFC 9106 "low memory" profile: 64 MiB, 3 passes, 4 lanes.
    params = extract_parameters(PRODUCTION_HASHER.hash("x"))
    assert (params.type, params.memory_cost, params.time_cost, params.parallelism) == (Type.ID, 65536, 3, 4)


@pytest.fixture
def people(store: Store) -> Store:
    orgs = store.orgs
    orgs.add_organisation("DWSE", "Departement Werk en Sociale Economie")
    orgs.add_organisation("KSZ", "Kruispuntbank van de Sociale Zekerheid")
    for org, unit in [
        ("DWSE", "dienstencheques-input"),
        ("DWSE", "dienstencheques-onderzoek"),
        ("DWSE", "sociale-economie"),
        ("KSZ", "datawarehouse"),
        ("KSZ", "dmfa"),
    ]:
        orgs.add_unit(org, unit, unit)
    orgs.add_user("ann", "DWSE", "dienstencheques-onderzoek", ["researcher"], password="correct horse")
    orgs.add_user("bert", "DWSE", "dienstencheques-input", ["input_provider"])
    orgs.add_user("carl", "DWSE", "dienstencheques-onderzoek", ["dossier_handler"])
    orgs.add_user("dora", "DWSE", "sociale-economie", ["dossier_handler"])
    orgs.add_user("eva", "DWSE", "sociale-economie", ["researcher"])
    orgs.add_user("kurt", "KSZ", "datawarehouse", ["custodian", "output_checker"])
    orgs.add_user("ines", "DWSE", "dienstencheques-onderzoek", ["custodian"])
    orgs.add_user("aud", "KSZ", "datawarehouse", ["auditor"])
    register_seed_permits(store)
    return store


@pytest.mark.parametrize(
    ("user", "action", "permit"),
    [
        ("ann", "receive_output", "21/150"),  # output unit, role named by the permit
        ("ann", "run", "21/150"),
        ("bert", "supply_input", "21/150"),  # the input unit
        ("dora", "consult", "19/072"),  # one of the three DWSE staff groups of 19/072 (S004-4)
        ("kurt", "extract", "21/150"),  # the custodian, outside both units
        ("kurt", "release", "21/150"),
        ("aud", "audit", "21/150"),
    ],
)
def test_allowed_actions(people: Store, user: str, action: str, permit: str) -> None:
    assert people.authorise(user, action, permit, ON).number == permit


@pytest.mark.parametrize(
    ("user", "action", "permit", "reason"),
    [
        # S000-8: the input unit never receives output, the output unit never supplies input.
        (
            "bert",
            "receive_output",
            "21/150",
            "DWSE/dienstencheques-onderzoek as the unit that receives output",
        ),
        ("ann", "supply_input", "21/150", "DWSE/dienstencheques-input as the unit that supplies input"),
        # Right unit, role the permit does not name.
        ("carl", "receive_output", "21/150", "needs one of the roles researcher"),
        # S004-4: only dossier handlers, inspectors and fines handlers for 19/072.
        ("eva", "consult", "19/072", "needs one of the roles dossier_handler, inspector, fines_handler"),
        # A custodian role held inside the permit's own output unit does not count.
        ("ines", "extract", "21/150", "custodian functions are separate"),
        ("ann", "release", "21/150", "custodian functions are separate"),
        ("kurt", "audit", "21/150", "needs one of the roles auditor"),
    ],
)
def test_refused_actions(people: Store, user: str, action: str, permit: str, reason: str) -> None:
    with pytest.raises(NotAuthorised) as info:
        people.authorise(user, action, permit, ON)
    assert reason in str(info.value)
    assert permit in str(info.value)


def test_an_expired_permit_is_refused_before_any_role_check(people: Store) -> None:
    with pytest.raises(PermitRefused, match="21/150 expired"):
        people.authorise("ann", "receive_output", "21/150", date(2024, 9, 2))


def test_unknown_action_user_and_deactivated_user(people: Store) -> None:
    with pytest.raises(ValueError, match="unknown action 'peek'; known actions: access"):
        people.authorise("ann", "peek", "21/150", ON)
    with pytest.raises(NotFound, match="user 'zoe'"):
        people.authorise("zoe", "access", "21/150", ON)
    people.orgs.deactivate("ann")
    with pytest.raises(NotAuthorised, match="deactivated"):
        people.authorise("ann", "access", "21/150", ON)


def test_roles_are_granted_and_revoked(people: Store) -> None:
    people.orgs.grant("carl", "researcher")
    people.authorise("carl", "access", "21/150", ON)
    people.orgs.revoke("carl", "researcher")
    with pytest.raises(NotAuthorised):
        people.authorise("carl", "access", "21/150", ON)
    with pytest.raises(ValueError, match="lower-case"):
        people.orgs.grant("carl", "Researcher!")


def test_duplicates_and_unknown_units_are_refused(people: Store) -> None:
    with pytest.raises(AlreadyExists):
        people.orgs.add_organisation("DWSE", "again")
    with pytest.raises(AlreadyExists):
        people.orgs.add_unit("DWSE", "sociale-economie", "again")
    with pytest.raises(AlreadyExists):
        people.orgs.add_user("ann", "DWSE", "sociale-economie", ["researcher"])
    with pytest.raises(NotFound, match="unit DWSE/nope"):
        people.orgs.add_user("newbie", "DWSE", "nope", ["researcher"])


def test_api_tokens_are_stored_as_sha256_only(people: Store) -> None:
    token = people.orgs.issue_token("ann", "notebook")
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    with people.engine.connect() as conn:
        stored = conn.execute(text("SELECT token_sha256, label FROM api_tokens")).all()
    assert stored == [(hashlib.sha256(token.encode()).hexdigest(), "notebook")]
    assert people.orgs.user_for_token(token).username == "ann"
    with pytest.raises(NotAuthorised, match="unknown or revoked"):
        people.orgs.user_for_token(token + "x")
    people.orgs.revoke_token(token)
    with pytest.raises(NotAuthorised, match="unknown or revoked"):
        people.orgs.user_for_token(token)


def test_passwords_are_argon2id_hashes(people: Store) -> None:
    with people.engine.connect() as conn:
        encoded = conn.execute(text("SELECT password_hash FROM users WHERE username = 'ann'")).scalar_one()
    assert encoded.startswith("$argon2id$")
    assert "correct horse" not in encoded
    assert people.orgs.check_password("ann", "correct horse")
    assert not people.orgs.check_password("ann", "wrong horse")
    assert not people.orgs.check_password("bert", "anything")  # no password set
    assert not people.orgs.check_password("nobody", "correct horse")
    people.orgs.set_password("bert", "another secret")
    assert people.orgs.check_password("bert", "another secret")
    people.orgs.deactivate("ann")
    assert not people.orgs.check_password("ann", "correct horse")


def test_listing_users_and_organisations(people: Store) -> None:
    assert people.orgs.user("kurt").roles == ("custodian", "output_checker")
    assert [u.username for u in people.orgs.users()][:3] == ["ann", "aud", "bert"]
    orgs = {code: units for code, _name, units in people.orgs.organisations()}
    assert orgs["KSZ"] == ["datawarehouse", "dmfa"]


def test_refusals_are_audited(people: Store) -> None:
    with pytest.raises(NotAuthorised):
        people.authorise("bert", "receive_output", "21/150", ON)
    event = people.audit.events(last=1)[0]
    assert (event["action"], event["permit"]) == ("authorise.refused", "21/150")
    assert event["detail"] == {
        "user": "bert",
        "action": "receive_output",
        "on": "2022-06-01",
        "refusal": "NotAuthorised",
    }


def test_every_unit_role_and_action_combination_follows_the_rule(store: Store) -> None:
    """Exhaustive check of separation of functions against the rule written out independently:
    3 units x role sets of size 0-2 from 5 roles (1 + 5 + 10 = 16) x 10 actions = 480 decisions."""
    from itertools import combinations

    from crossroads.governance.organisations import ACTIONS, check_authorised

    store.orgs.add_organisation("DWSE", "DWSE")
    store.orgs.add_organisation("KSZ", "KSZ")
    units = {
        "input": ("DWSE", "dienstencheques-input"),
        "output": ("DWSE", "dienstencheques-onderzoek"),
        "other": ("KSZ", "datawarehouse"),
    }
    for org, unit in units.values():
        store.orgs.add_unit(org, unit, unit)
    pool = ("input_provider", "researcher", "custodian", "output_checker", "auditor")
    role_sets = [set(c) for size in range(3) for c in combinations(pool, size)]
    register_seed_permits(store)
    version = store.permit_in_force("21/150", ON)  # roles: researcher
    users = []
    for side, (org, unit) in units.items():
        for index, roles in enumerate(role_sets):
            name = f"{side}{index}"
            store.orgs.add_user(name, org, unit, sorted(roles))
            users.append((name, side, roles))

    def expected(side: str, roles: set[str], action: str) -> bool:
        if action == "supply_input":
            return side == "input" and "input_provider" in roles
        if action in ("receive_output", "access", "run", "consult"):
            return side == "output" and "researcher" in roles
        needed = {
            "extract": "custodian",
            "destroy": "custodian",
            "check_output": "output_checker",
            "release": "output_checker",
            "audit": "auditor",
        }[action]
        return side == "other" and needed in roles

    decisions = 0
    with store.sessions() as session:
        for name, side, roles in users:
            for action in ACTIONS:
                try:
                    check_authorised(session, name, action, version)
                    allowed = True
                except NotAuthorised:
                    allowed = False
                assert allowed == expected(side, roles, action), (name, sorted(roles), action)
                decisions += 1
    assert decisions == 480
