"""Errors raised by the permit model and its loader.

Messages name the permit, the file, the line and the field; they never carry row values (a permit file
holds no personal data, but the rule is kept everywhere so that no error path can leak one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


class PermitError(Exception):
    """Base class of every permit error."""


@dataclass(frozen=True)
class PermitIssue:
    """One problem in a permit file, located by line, column (both 1-based) and field path."""

    file: str
    line: int | None
    column: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {self.path}:" if self.path else ""
        return f"{where}:{field} {self.message}"


class PermitFileError(PermitError):
    """A permit file that cannot be read or does not validate.

    ``issues`` lists every problem found; ``file``, ``line``, ``column`` and ``field`` repeat the first.
    """

    def __init__(self, issues: list[PermitIssue]) -> None:
        if not issues:
            raise ValueError("a PermitFileError needs at least one issue")
        self.issues = list(issues)
        first = self.issues[0]
        self.file = first.file
        self.line = first.line
        self.column = first.column
        self.field = first.path
        more = f" (and {len(self.issues) - 1} more)" if len(self.issues) > 1 else ""
        super().__init__(f"{first}{more}")


class PermitNotInForce(PermitError):
    """No version of the permit applies on the requested date: not yet in force, or past retention."""

    def __init__(
        self,
        number: str,
        on: date,
        reason: str,
        *,
        first_effective: date | None = None,
        until: date | None = None,
    ) -> None:
        self.number = number
        self.on = on
        self.reason = reason
        self.first_effective = first_effective
        self.until = until
        super().__init__(f"permit {number} is not in force on {on.isoformat()}: {reason}")
