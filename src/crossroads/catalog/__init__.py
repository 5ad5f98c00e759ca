"""The variable catalog: every variable a permit can request, defined once (issue 3, item 2).

``names()``, ``get(name)`` and ``all()`` give the variables; each carries its labels, unit, source tables,
class scheme and a backend-neutral Ibis derivation (``Variable.derive``) that the engine runs.
"""

from __future__ import annotations

from crossroads.catalog import (
    careers,
    certificates,
    dynamics,
    employees,
    frames,
    naric,
    occupations,
    registers,
    social_economy,
    variables,
)
from crossroads.catalog.model import POINT_KEYS, Sources, Unit, Variable

# 21/150 first (its order is the catalog's documented order), then the modules added for later permits.
VARIABLES: tuple[Variable, ...] = (
    *variables.VARIABLES,
    *registers.VARIABLES,
    *careers.VARIABLES,
    *certificates.VARIABLES,
    *naric.VARIABLES,
    *social_economy.VARIABLES,
    *employees.VARIABLES,
    *dynamics.VARIABLES,
    *occupations.VARIABLES,
    *frames.VARIABLES,
)

_BY_NAME: dict[str, Variable] = {}
for _v in VARIABLES:
    if _v.name in _BY_NAME:  # pragma: no cover - guarded by a test
        raise RuntimeError(f"catalog variable {_v.name!r} is defined twice")
    _BY_NAME[_v.name] = _v


def names() -> list[str]:
    """Every variable name, in catalog order."""
    return list(_BY_NAME)


def get(name: str) -> Variable:
    """The variable called ``name``; a KeyError lists the known names otherwise."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown catalog variable {name!r}; known: {', '.join(names())}") from None


def all() -> list[Variable]:
    return list(_BY_NAME.values())


__all__ = ["POINT_KEYS", "Sources", "Unit", "Variable", "all", "get", "names"]
