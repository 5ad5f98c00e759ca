"""Errors raised on bad input to disclosure control: each names the table, column and row involved.

Messages carry names, counts and row numbers only, never cell values (a value could be an identifier).
"""

from __future__ import annotations


class DisclosureError(Exception):
    """Base class of every error raised by :mod:`crossroads.disclosure`."""


class DisclosureInputError(DisclosureError, ValueError):
    """Input data that cannot be assessed or protected as given.

    ``table``, ``column`` and ``row`` (0-based position) locate the problem where one applies.
    """

    def __init__(
        self, message: str, *, table: str | None = None, column: str | None = None, row: int | None = None
    ) -> None:
        where = []
        if table is not None:
            where.append(f"table {table!r}")
        if column is not None:
            where.append(f"column {column!r}")
        if row is not None:
            where.append(f"row {row}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)
        self.table = table
        self.column = column
        self.row = row


class HierarchyError(DisclosureError, ValueError):
    """A hierarchy that does not nest (a value with two parents) or does not cover the data."""


class InfeasibleProtection(DisclosureError):
    """No suppression pattern can give a primary cell its required protection."""
