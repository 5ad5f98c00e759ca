"""Organisations, units, users, roles and API tokens; the separation-of-functions check.

A permit names the unit that supplies input and the unit that receives output (S000-8) and the
roles allowed to process (S004-4). ``check_authorised`` is the one place that compares a user with
the permit version in force.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from crossroads.governance.errors import AlreadyExists, NotAuthorised, NotFound
from crossroads.governance.models import ApiToken, Organisation, Unit, User, UserRole
from crossroads.governance.registry import VersionInForce

# Roles of the custodian side and of the permits' parties; permits may name further roles.
CUSTODIAN_ROLES = ("custodian", "output_checker", "auditor")
KNOWN_ROLES = (
    "custodian",
    "input_provider",
    "researcher",
    "output_checker",
    "dossier_handler",
    "inspector",
    "fines_handler",
    "auditor",
)
_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")

# What each action requires: the side of the permit the user's unit must be on, and the roles.
#   "input"      the permit version's input unit, with role input_provider
#   "output"     the permit version's output unit, with a role the version names
#   "custodian"  neither the input nor the output unit, with one of the listed custodian roles
ACTIONS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "supply_input": ("input", ("input_provider",)),
    "receive_output": ("output", None),
    "access": ("output", None),
    "run": ("output", None),
    "consult": ("output", None),
    "extract": ("custodian", ("custodian",)),
    "check_output": ("custodian", ("output_checker",)),
    "release": ("custodian", ("output_checker",)),
    "destroy": ("custodian", ("custodian",)),
    "audit": ("custodian", ("auditor",)),
}

_hasher = PasswordHasher()


def token_digest(token: str) -> str:
    """sha256 of an API token: tokens carry 256 random bits, so a fast hash is enough (no salt)."""
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    """argon2id with argon2-cffi's recommended parameters (salted, encoded with its parameters)."""
    if not password:
        raise ValueError("a password cannot be empty")
    return _hasher.hash(password)


def password_matches(encoded: str, password: str) -> bool:
    try:
        return _hasher.verify(encoded, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class UserView:
    username: str
    display_name: str
    organisation: str
    unit: str
    roles: tuple[str, ...]
    active: bool


def _check_role(role: str) -> str:
    if not _NAME.fullmatch(role):
        raise ValueError(f"role {role!r}: use lower-case letters, digits and _ (e.g. dossier_handler)")
    return role


def _check_code(code: str, what: str) -> str:
    if not _CODE.fullmatch(code):
        raise ValueError(f"{what} {code!r}: use letters, digits, '.', '-' and '_' (at most 64)")
    return code


def _view(user: User) -> UserView:
    return UserView(
        username=user.username,
        display_name=user.display_name,
        organisation=user.unit.organisation.code,
        unit=user.unit.code,
        roles=tuple(sorted(r.role for r in user.roles)),
        active=user.active,
    )


def _load_user(session: Session, username: str) -> User:
    user = session.scalars(
        select(User)
        .where(User.username == username)
        .options(selectinload(User.roles), selectinload(User.unit).selectinload(Unit.organisation))
    ).one_or_none()
    if user is None:
        raise NotFound(f"user {username!r} is not registered")
    return user


class Organisations:
    """Registers organisations, units and users; issues tokens; checks passwords."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self._sessions = sessions
        self._clock = clock

    def add_organisation(self, code: str, name: str) -> None:
        _check_code(code, "organisation")
        with self._sessions.begin() as session:
            if session.scalars(select(Organisation).where(Organisation.code == code)).first() is not None:
                raise AlreadyExists(f"organisation {code} is already registered")
            session.add(Organisation(code=code, name=name))

    def add_unit(self, organisation: str, code: str, name: str) -> None:
        _check_code(code, "unit")
        with self._sessions.begin() as session:
            org = session.scalars(select(Organisation).where(Organisation.code == organisation)).first()
            if org is None:
                raise NotFound(f"organisation {organisation} is not registered")
            if any(unit.code == code for unit in org.units):
                raise AlreadyExists(f"unit {organisation}/{code} is already registered")
            session.add(Unit(organisation=org, code=code, name=name))

    def organisations(self) -> list[tuple[str, str, list[str]]]:
        """(code, name, unit codes) for every organisation."""
        with self._sessions() as session:
            orgs = session.scalars(
                select(Organisation).options(selectinload(Organisation.units)).order_by(Organisation.code)
            ).all()
            return [(o.code, o.name, sorted(u.code for u in o.units)) for o in orgs]

    def add_user(
        self,
        username: str,
        organisation: str,
        unit: str,
        roles: list[str],
        *,
        display_name: str | None = None,
        password: str | None = None,
    ) -> UserView:
        _check_code(username, "username")
        roles = sorted({_check_role(r) for r in roles})
        with self._sessions.begin() as session:
            unit_row = session.scalars(
                select(Unit).join(Organisation).where(Organisation.code == organisation, Unit.code == unit)
            ).first()
            if unit_row is None:
                raise NotFound(f"unit {organisation}/{unit} is not registered")
            user = User(
                username=username,
                display_name=display_name or username,
                unit=unit_row,
                password_hash=hash_password(password) if password is not None else None,
                active=True,
                created=self._clock(),
                roles=[UserRole(role=r) for r in roles],
            )
            session.add(user)
            try:
                session.flush()
            except IntegrityError:
                raise AlreadyExists(f"user {username!r} is already registered") from None
            return _view(user)

    def user(self, username: str) -> UserView:
        with self._sessions() as session:
            return _view(_load_user(session, username))

    def users(self) -> list[UserView]:
        with self._sessions() as session:
            rows = session.scalars(
                select(User)
                .options(selectinload(User.roles), selectinload(User.unit).selectinload(Unit.organisation))
                .order_by(User.username)
            ).all()
            return [_view(u) for u in rows]

    def grant(self, username: str, role: str) -> None:
        _check_role(role)
        with self._sessions.begin() as session:
            user = _load_user(session, username)
            if role not in {r.role for r in user.roles}:
                user.roles.append(UserRole(role=role))

    def revoke(self, username: str, role: str) -> None:
        with self._sessions.begin() as session:
            user = _load_user(session, username)
            user.roles = [r for r in user.roles if r.role != role]

    def deactivate(self, username: str) -> None:
        with self._sessions.begin() as session:
            _load_user(session, username).active = False

    def set_password(self, username: str, password: str) -> None:
        with self._sessions.begin() as session:
            _load_user(session, username).password_hash = hash_password(password)

    def check_password(self, username: str, password: str) -> bool:
        """True only for an active user with this password (unknown users cost the same time)."""
        with self._sessions() as session:
            user = session.scalars(select(User).where(User.username == username)).one_or_none()
            if user is None or user.password_hash is None or not user.active:
                # Spend the same time as a real check so timing does not reveal which users exist.
                password_matches(_DUMMY_HASH, password)
                return False
            return password_matches(user.password_hash, password)

    def issue_token(self, username: str, label: str) -> str:
        """A new API token for the user; shown once, only its sha256 is kept."""
        token = secrets.token_urlsafe(32)
        with self._sessions.begin() as session:
            user = _load_user(session, username)
            session.add(
                ApiToken(
                    user_id=user.id,
                    token_sha256=token_digest(token),
                    label=label,
                    created=self._clock(),
                    revoked=False,
                )
            )
        return token

    def user_for_token(self, token: str) -> UserView:
        """The active user holding this (unrevoked) token; ``NotAuthorised`` otherwise."""
        with self._sessions() as session:
            row = session.scalars(
                select(ApiToken).where(ApiToken.token_sha256 == token_digest(token))
            ).first()
            if row is None or row.revoked:
                raise NotAuthorised("unknown or revoked API token")
            user = session.get(User, row.user_id)
            if user is None or not user.active:
                raise NotAuthorised("the token's user is not active")
            return _view(_load_user(session, user.username))

    def revoke_token(self, token: str) -> None:
        with self._sessions.begin() as session:
            row = session.scalars(
                select(ApiToken).where(ApiToken.token_sha256 == token_digest(token))
            ).first()
            if row is None:
                raise NotFound("unknown API token")
            row.revoked = True


_DUMMY_HASH = hash_password("crossroads-timing-equaliser")


def check_authorised(session: Session, username: str, action: str, version: VersionInForce) -> None:
    """Separation of functions: raises ``NotAuthorised`` unless the user's unit and role fit ``action``
    under the permit version in force."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; known actions: {', '.join(sorted(ACTIONS))}")
    side, required = ACTIONS[action]
    user = _load_user(session, username)
    where = f"permit {version.number} version {version.version} (in force since {version.effective})"
    who = f"user {username!r} (unit {user.unit.organisation.code}/{user.unit.code})"
    if not user.active:
        raise NotAuthorised(f"{who} is deactivated")
    unit = (user.unit.organisation.code, user.unit.code)
    roles = {r.role for r in user.roles}
    if side == "input":
        if unit != version.input_unit:
            raise NotAuthorised(
                f"{who} may not {action} under {where}: the permit names "
                f"{'/'.join(version.input_unit)} as the unit that supplies input"
            )
    elif side == "output":
        if unit != version.output_unit:
            raise NotAuthorised(
                f"{who} may not {action} under {where}: the permit names "
                f"{'/'.join(version.output_unit)} as the unit that receives output"
            )
        required = tuple(version.roles)
    elif unit in (version.input_unit, version.output_unit):
        raise NotAuthorised(
            f"{who} may not {action} under {where}: custodian functions are separate from the permit's "
            "input and output units"
        )
    assert required is not None
    if not roles & set(required):
        raise NotAuthorised(
            f"{who} may not {action} under {where}: it needs one of the roles {', '.join(required)}; "
            f"the user holds {', '.join(sorted(roles)) or 'none'}"
        )
