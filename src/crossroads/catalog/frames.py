"""Catalog variables: frames (issue 6). Filled in by its owner; see notes/contract.md."""

from __future__ import annotations

from crossroads.catalog.model import Variable

VARIABLES: tuple[Variable, ...] = ()
