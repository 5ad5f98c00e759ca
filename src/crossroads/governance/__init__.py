"""Governance: the metadata store under everything else — organisations, units, users and roles,
the permit registry, per-permit keys, the tamper-evident audit trail and retention.

Governance calls no other part of Crossroads (everyone calls it)."""

from crossroads.governance.audit import AuditTrail, Event, VerifyReport, verify_file
from crossroads.governance.errors import (
    AlreadyExists,
    AuditEventRejected,
    GovernanceError,
    KeyDestroyed,
    KeyNotFound,
    NotAuthorised,
    NotFound,
    PermitRefused,
    PermitRegistrationError,
)
from crossroads.governance.keys import PermitKeyStore
from crossroads.governance.registry import PermitRegistration, VersionInForce, VersionRegistration
from crossroads.governance.store import Store, crossroads_home, database_url

__all__ = [
    "AlreadyExists",
    "AuditEventRejected",
    "AuditTrail",
    "Event",
    "GovernanceError",
    "KeyDestroyed",
    "KeyNotFound",
    "NotAuthorised",
    "NotFound",
    "PermitKeyStore",
    "PermitRefused",
    "PermitRegistration",
    "PermitRegistrationError",
    "Store",
    "VerifyReport",
    "VersionInForce",
    "VersionRegistration",
    "crossroads_home",
    "database_url",
    "verify_file",
]
