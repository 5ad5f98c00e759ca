"""The metadata store's tables (SQLAlchemy 2 typed ORM).

The Alembic revision in ``migrations/versions`` creates exactly these tables; a test compares the
two so that a model change without a migration fails.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base of the governance tables."""


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))

    units: Mapped[list[Unit]] = relationship(back_populates="organisation")


class Unit(Base):
    """A unit inside an organisation (e.g. DWSE's input unit and its research unit, S000-8)."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("organisation_id", "code", name="uq_units_organisation_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))

    organisation: Mapped[Organisation] = relationship(back_populates="units")
    users: Mapped[list[User]] = relationship(back_populates="unit")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(128), unique=True)
    display_name: Mapped[str] = mapped_column(String(255))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    unit: Mapped[Unit] = relationship(back_populates="users")
    roles: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan")


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(64), primary_key=True)


class ApiToken(Base):
    """An API token; only its sha256 is stored (a token is 256 random bits, so no salt or KDF needed)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(255))
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class Permit(Base):
    """A registered permit (deliberation). ``state`` holds the decisions (draft, approved, destroyed);
    "in force" and "expired" follow from the dates and are computed (``registry.PermitRegistry.status``)."""

    __tablename__ = "permits"

    number: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    requester: Mapped[str] = mapped_column(String(64))
    controller: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    registered: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    destroyed: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    versions: Mapped[list[PermitVersion]] = relationship(
        order_by="PermitVersion.version", cascade="all, delete-orphan"
    )


class PermitVersion(Base):
    __tablename__ = "permit_versions"

    permit_number: Mapped[str] = mapped_column(ForeignKey("permits.number"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(255))
    approved: Mapped[date] = mapped_column(Date)
    effective: Mapped[date] = mapped_column(Date)
    purpose: Mapped[str] = mapped_column(Text)
    input_organisation: Mapped[str] = mapped_column(String(64))
    input_unit: Mapped[str] = mapped_column(String(64))
    output_organisation: Mapped[str] = mapped_column(String(64))
    output_unit: Mapped[str] = mapped_column(String(64))
    roles: Mapped[list[str]] = mapped_column(JSON)
    retention_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    retention_years_after_record: Mapped[int | None] = mapped_column(Integer, nullable=True)
    phase1_years_after_delivery: Mapped[int | None] = mapped_column(Integer, nullable=True)


class PermitFile(Base):
    """Every permit file ever registered, verbatim, so an auditor can see what was in force."""

    __tablename__ = "permit_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    permit_number: Mapped[str] = mapped_column(ForeignKey("permits.number"))
    sha256: Mapped[str] = mapped_column(String(64))
    yaml_text: Mapped[str] = mapped_column(Text)
    registered: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StoredData(Base):
    """A directory holding data of a permit: a delivery (extract output) or an enclave workspace."""

    __tablename__ = "stored_data"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "delivery" | "workspace"
    permit_number: Mapped[str] = mapped_column(ForeignKey("permits.number"))
    version: Mapped[int] = mapped_column(Integer)
    phase: Mapped[int | None] = mapped_column(Integer, nullable=True)
    path: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    destroyed: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PermitKey(Base):
    """A per-permit key, wrapped (AES-GCM) under the custodian's master key."""

    __tablename__ = "permit_keys"

    permit_number: Mapped[str] = mapped_column(String(32), primary_key=True)
    nonce: Mapped[bytes] = mapped_column(LargeBinary(12))
    wrapped: Mapped[bytes] = mapped_column(LargeBinary(64))
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class KeyDestruction(Base):
    """Tombstone of a destroyed key: tells "destroyed" apart from "never created"."""

    __tablename__ = "key_destructions"

    permit_number: Mapped[str] = mapped_column(String(32), primary_key=True)
    destroyed: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditEvent(Base):
    """One entry of the append-only audit trail. Times, counts and detail are stored as the exact
    text that was hashed, so verification never depends on a database's type round trip."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    time: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    permit: Mapped[str | None] = mapped_column(String(32), nullable=True)
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    purpose: Mapped[str] = mapped_column(Text)
    counts: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The single row pointing at the chain's last event, signed; also the row writers lock."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))
    checkpoint_every: Mapped[int] = mapped_column(Integer)


class AuditCheckpoint(Base):
    """A signed statement "the chain has ``seq`` events and ends in ``hash``"."""

    __tablename__ = "audit_checkpoints"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[str] = mapped_column(String(32))
    signature: Mapped[str] = mapped_column(String(128))
