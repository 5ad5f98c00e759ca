"""The permit registry: what was registered, which version is in force on a date, and the lifecycle
draft -> approved -> in force -> expired -> destroyed.

Governance imports nothing from the rest of Crossroads, so callers hand over a plain
``PermitRegistration`` (the CLI builds it from a permit file loaded by ``crossroads.permits``).
The decisions (draft, approved, destroyed) are stored; "in force" and "expired" follow from the
dates. A permit is usable from its first version's effective date up to and including its retention
date (``retention.until`` is the last day, as in ``crossroads.permits``); retention runs destroy the
data on that day at the latest, after which the permit is refused as destroyed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from crossroads.governance.errors import NotFound, PermitRefused, PermitRegistrationError
from crossroads.governance.models import Permit, PermitFile, PermitVersion

STATES = ("draft", "approved", "in_force", "expired", "destroyed")
PERMIT_NUMBER = re.compile(r"\d{2}/\d{3}")


@dataclass(frozen=True)
class VersionRegistration:
    """One version (the original or an amendment) of a permit, as the registry needs it."""

    version: int
    label: str
    approved: date
    effective: date
    purpose: str
    input_unit: tuple[str, str]  # (organisation, unit) that supplies input
    output_unit: tuple[str, str]  # (organisation, unit) that receives output
    roles: tuple[str, ...]
    retention_until: date | None = None
    retention_years_after_record: int | None = None
    phase1_years_after_delivery: int | None = None


@dataclass(frozen=True)
class PermitRegistration:
    """What a caller registers: the permit's identity, its versions and the file it came from."""

    number: str
    title: str
    kind: str
    requester: str
    controller: str
    versions: tuple[VersionRegistration, ...]
    sha256: str  # of the permit file's bytes (UTF-8 text)
    yaml_text: str


@dataclass(frozen=True)
class VersionInForce:
    """The permit version that governs a date (a snapshot, detached from the database)."""

    number: str
    version: int
    label: str
    effective: date
    purpose: str
    input_unit: tuple[str, str]
    output_unit: tuple[str, str]
    roles: tuple[str, ...]
    retention_until: date | None
    retention_years_after_record: int | None
    phase1_years_after_delivery: int | None


@dataclass(frozen=True)
class RegisterResult:
    number: str
    created: bool
    changed: bool
    state: str
    new_versions: tuple[int, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class PermitSummary:
    number: str
    title: str
    state: str
    status: str
    versions: int
    version_in_force: int | None
    retention_until: date | None
    retention_years_after_record: int | None


def _snapshot(number: str, v: PermitVersion) -> VersionInForce:
    return VersionInForce(
        number=number,
        version=v.version,
        label=v.label,
        effective=v.effective,
        purpose=v.purpose,
        input_unit=(v.input_organisation, v.input_unit),
        output_unit=(v.output_organisation, v.output_unit),
        roles=tuple(v.roles),
        retention_until=v.retention_until,
        retention_years_after_record=v.retention_years_after_record,
        phase1_years_after_delivery=v.phase1_years_after_delivery,
    )


def _row(v: VersionRegistration) -> PermitVersion:
    return PermitVersion(
        version=v.version,
        label=v.label,
        approved=v.approved,
        effective=v.effective,
        purpose=v.purpose,
        input_organisation=v.input_unit[0],
        input_unit=v.input_unit[1],
        output_organisation=v.output_unit[0],
        output_unit=v.output_unit[1],
        roles=list(v.roles),
        retention_until=v.retention_until,
        retention_years_after_record=v.retention_years_after_record,
        phase1_years_after_delivery=v.phase1_years_after_delivery,
    )


def validate(payload: PermitRegistration) -> None:
    """Checks a registration before anything is written; errors name the permit and version."""
    where = f"permit {payload.number}"
    if not PERMIT_NUMBER.fullmatch(payload.number):
        raise PermitRegistrationError(f"{where}: the number must look like 21/150")
    if hashlib.sha256(payload.yaml_text.encode()).hexdigest() != payload.sha256:
        raise PermitRegistrationError(f"{where}: sha256 does not match the permit file text")
    if not payload.versions:
        raise PermitRegistrationError(f"{where}: at least one version is needed")
    previous: VersionRegistration | None = None
    for v in payload.versions:
        at = f"{where} version {v.version}"
        if v.input_unit == v.output_unit:
            # S000-8: the unit that supplies input is not the unit that receives output.
            raise PermitRegistrationError(
                f"{at}: the unit that supplies input ({'/'.join(v.input_unit)}) is the unit that receives "
                "output; separation of functions requires two different units"
            )
        if not v.roles:
            raise PermitRegistrationError(f"{at}: no role is allowed to process the data")
        if v.approved > v.effective:
            raise PermitRegistrationError(
                f"{at}: takes effect on {v.effective}, before its approval {v.approved}"
            )
        if v.retention_until is not None and v.retention_until <= v.effective:
            raise PermitRegistrationError(
                f"{at}: retention until {v.retention_until} is not after the effective date {v.effective}"
            )
        if previous is not None and (v.version <= previous.version or v.effective <= previous.effective):
            raise PermitRegistrationError(
                f"{at}: versions must be listed in order with increasing effective dates "
                f"(version {previous.version} takes effect on {previous.effective})"
            )
        previous = v


class PermitRegistry:
    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self._sessions = sessions
        self._clock = clock

    def _load(self, session: Session, number: str) -> Permit:
        permit = session.scalars(
            select(Permit).where(Permit.number == number).options(selectinload(Permit.versions))
        ).one_or_none()
        if permit is None:
            raise NotFound(f"permit {number} is not registered")
        return permit

    def register(self, payload: PermitRegistration, *, draft: bool = False) -> RegisterResult:
        """Registers a new permit, or the amendments of a registered one (new versions appended;
        registered versions may not change)."""
        validate(payload)
        now = self._clock()
        with self._sessions.begin() as session:
            permit = session.scalars(
                select(Permit).where(Permit.number == payload.number).options(selectinload(Permit.versions))
            ).one_or_none()
            created = permit is None
            if permit is None:
                permit = Permit(
                    number=payload.number,
                    title=payload.title,
                    kind=payload.kind,
                    requester=payload.requester,
                    controller=payload.controller,
                    state="draft" if draft else "approved",
                    registered=now,
                )
                session.add(permit)
                known: dict[int, PermitVersion] = {}
            else:
                if permit.state == "destroyed":
                    raise PermitRegistrationError(
                        f"permit {payload.number} was destroyed; it cannot be amended"
                    )
                known = {v.version: v for v in permit.versions}
                for v in payload.versions:
                    if v.version in known and _snapshot(payload.number, known[v.version]) != _snapshot(
                        payload.number, _row(v)
                    ):
                        raise PermitRegistrationError(
                            f"permit {payload.number} version {v.version} differs from the registered one; "
                            "an amendment adds a new version instead of changing an old one"
                        )
                missing = set(known) - {v.version for v in payload.versions}
                if missing:
                    raise PermitRegistrationError(
                        f"permit {payload.number}: the file lacks registered version(s) "
                        f"{', '.join(map(str, sorted(missing)))}"
                    )
                permit.title, permit.kind = payload.title, payload.kind
                permit.requester, permit.controller = payload.requester, payload.controller
            new = tuple(v.version for v in payload.versions if v.version not in known)
            for v in payload.versions:
                if v.version in new:
                    permit.versions.append(_row(v))
            seen = session.scalars(
                select(PermitFile.id).where(
                    PermitFile.permit_number == payload.number, PermitFile.sha256 == payload.sha256
                )
            ).first()
            if seen is None:
                session.add(
                    PermitFile(
                        permit_number=payload.number,
                        sha256=payload.sha256,
                        yaml_text=payload.yaml_text,
                        registered=now,
                    )
                )
            return RegisterResult(
                payload.number, created, created or bool(new) or seen is None, permit.state, new
            )

    def approve(self, number: str) -> None:
        with self._sessions.begin() as session:
            permit = self._load(session, number)
            if permit.state != "draft":
                raise PermitRegistrationError(f"permit {number} is {permit.state}, not a draft")
            permit.state = "approved"

    @staticmethod
    def _governing(versions: Sequence[PermitVersion], on: date) -> PermitVersion | None:
        current = None
        for v in versions:  # ordered by version, effective dates increasing
            if v.effective <= on:
                current = v
        return current

    def status(self, number: str, on: date) -> str:
        """One of draft, approved (not yet in force), in_force, expired, destroyed."""
        with self._sessions() as session:
            permit = self._load(session, number)
            if permit.state in ("draft", "destroyed"):
                return permit.state
            v = self._governing(permit.versions, on)
            if v is None:
                return "approved"
            if v.retention_until is not None and on > v.retention_until:
                return "expired"
            return "in_force"

    def permit_in_force(self, number: str, on: date) -> VersionInForce:
        with self._sessions() as session:
            permit = session.scalars(
                select(Permit).where(Permit.number == number).options(selectinload(Permit.versions))
            ).one_or_none()
            if permit is None:
                raise PermitRefused(f"permit {number} is not registered")
            if permit.state == "destroyed":
                when = permit.destroyed.date() if permit.destroyed else "an earlier date"
                raise PermitRefused(f"permit {number} was destroyed on {when}; nothing of it can be used")
            if permit.state == "draft":
                raise PermitRefused(f"permit {number} is a draft and not approved")
            v = self._governing(permit.versions, on)
            if v is None:
                first = permit.versions[0].effective
                raise PermitRefused(
                    f"permit {number} is not yet in force on {on}: it takes effect on {first}"
                )
            if v.retention_until is not None and on > v.retention_until:
                raise PermitRefused(
                    f"permit {number} expired: on {on} its retention period has ended "
                    f"(data kept until {v.retention_until} at the latest)"
                )
            return _snapshot(number, v)

    def version(self, number: str, version: int) -> VersionInForce:
        with self._sessions() as session:
            permit = self._load(session, number)
            for v in permit.versions:
                if v.version == version:
                    return _snapshot(number, v)
        raise NotFound(f"permit {number} has no version {version}")

    def governing(self, number: str, on: date) -> VersionInForce:
        """The version governing ``on`` for retention: the latest one in effect, else the first."""
        with self._sessions() as session:
            permit = self._load(session, number)
            v = self._governing(permit.versions, on) or permit.versions[0]
            return _snapshot(number, v)

    def summaries(self, on: date) -> list[PermitSummary]:
        with self._sessions() as session:
            numbers = list(session.scalars(select(Permit.number).order_by(Permit.number)))
        out = []
        for number in numbers:
            with self._sessions() as session:
                permit = self._load(session, number)
                title, state, count = permit.title, permit.state, len(permit.versions)
                current = self._governing(permit.versions, on)
                governing = current or permit.versions[0]
            out.append(
                PermitSummary(
                    number=number,
                    title=title,
                    state=state,
                    status=self.status(number, on),
                    versions=count,
                    version_in_force=current.version if current is not None else None,
                    retention_until=governing.retention_until,
                    retention_years_after_record=governing.retention_years_after_record,
                )
            )
        return out

    def numbers(self, *, include_destroyed: bool = False) -> list[str]:
        with self._sessions() as session:
            query = select(Permit.number).order_by(Permit.number)
            if not include_destroyed:
                query = query.where(Permit.state != "destroyed")
            return list(session.scalars(query))

    def mark_destroyed(self, number: str, when: datetime) -> None:
        with self._sessions.begin() as session:
            permit = self._load(session, number)
            permit.state = "destroyed"
            permit.destroyed = when
