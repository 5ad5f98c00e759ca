"""Refusals and errors of the governance layer. Messages name permits, users, dates and sequence
numbers only, never a row value or an identifier."""

from __future__ import annotations


class GovernanceError(Exception):
    """Base of every governance error."""


class NotFound(GovernanceError, LookupError):
    """An organisation, unit, user or permit that is not registered."""


class AlreadyExists(GovernanceError, ValueError):
    """Registering something a second time under the same name."""


class PermitRegistrationError(GovernanceError, ValueError):
    """A permit that cannot be registered (e.g. input unit equals output unit, S000-8)."""


class PermitRefused(GovernanceError):
    """The permit is unregistered, a draft, not yet in force, expired or destroyed on that date."""


class NotAuthorised(GovernanceError):
    """The user's unit or role is not named by the permit version in force for that action."""


class AuditEventRejected(GovernanceError, ValueError):
    """An audit event that would carry an identifier or a malformed field."""


class KeyNotFound(GovernanceError, LookupError):
    """No key was ever created for this permit."""


class KeyDestroyed(GovernanceError):
    """The permit's key was destroyed (crypto-shredding): what it encrypted is unreadable for good."""
