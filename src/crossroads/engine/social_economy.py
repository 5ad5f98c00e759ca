"""Population rules of 15/018 (S001-1): the providers' lists and the persons the hub adds itself.

The permit names its groups by provider input (``params.input``); the engine replaces that name by the
permit's :class:`~crossroads.permits.ProviderInput` (``.table``, ``.reference_date``, ``.key``) before a rule
is called, so a rule reads the input's warehouse table at the input's reference date. The groups have no
years of their own: ``year`` is the year of the reference date or of ``params.quarter``.

- ``listed_employers``: the enterprises on a list (employer entity).
- ``listed_employers_with_staff``: those of them with at least one DmfA worker in ``quarter`` (the
  cooperatives and social-purpose companies count only "voor zover zij personeel in dienst hadden").
- ``listed_persons``: the persons on a list.
- ``employees_of_listed_employers``: the persons with a DmfA job at a listed enterprise in ``quarter`` (the
  hub looks up the employees of the enterprises sent as numbers only).
- ``pwa_or_ocmw_employment``: PWA hours in ``quarter``, or an OCMW art. 60/61 employment spell overlapping it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir

from crossroads.catalog import periods as xp
from crossroads.engine import population
from crossroads.engine.backends import Engine, EngineError
from crossroads.engine.population import PopulationRule


def _input(rule: str, params: dict[str, Any]) -> tuple[str, date | None]:
    """The input's warehouse table and reference date (a ProviderInput, a mapping or a bare table name)."""
    given = params.get("input")
    if given is None:
        raise EngineError(f"population rule {rule!r}: the parameter 'input' (a provider input) is required")
    if isinstance(given, str):
        return given, None
    if isinstance(given, dict):
        return str(given["table"]), given.get("reference_date")
    return str(given.table), getattr(given, "reference_date", None)


def _quarter(rule: str, params: dict[str, Any]) -> int:
    """``params.quarter`` as YYYYQ; a clear error for anything else."""
    raw = params.get("quarter")
    try:
        quarter = int(str(raw))
    except ValueError:
        quarter = -1
    if not (quarter % 10 in (1, 2, 3, 4) and 1900 <= quarter // 10 <= 2100):
        raise EngineError(f"population rule {rule!r}: 'quarter' must be a quarter YYYYQ (e.g. 20134)")
    return quarter


def _listed(engine: Engine, rule: str, params: dict[str, Any], key: str) -> tuple[ir.Table, int | None]:
    """The rows of the input's table at its reference date, and the year of that date."""
    name, ref = _input(rule, params)
    t = engine.table(name)
    if key not in t.columns:
        raise EngineError(f"population rule {rule!r}: input table {name!r} has no column {key!r}")
    if ref is None:
        return t, None
    if "reference_date" in t.columns:
        t = t.filter(t.reference_date == ibis.literal(ref, "date"))
    return t, ref.year


def _with_year(t: ir.Table, key: str, year: int | None, first: int, last: int) -> ir.Table:
    """``(key, year)``: the reference year, or every year ``first..last`` for a list without a date."""
    keys = t.select(key).filter(t[key].notnull()).distinct()
    if year is not None:
        return keys.mutate(year=ibis.literal(year, "int32"))
    parts = [keys.mutate(year=ibis.literal(y, "int32")) for y in range(first, last + 1)]
    return ibis.union(*parts, distinct=True) if len(parts) > 1 else parts[0]


def _dmfa_jobs(engine: Engine, quarter: int) -> ir.Table:
    """``(insz, enterprise_number)`` of every DmfA worker declared in ``quarter``."""
    person = engine.table("dmfa_natural_person")
    decl = engine.table("dmfa_employer_declaration")
    person = person.filter(person.quarter == quarter).select("declaration_id", "insz")
    decl = decl.filter(decl.quarter == quarter).select("declaration_id", "enterprise_number")
    return person.join(decl, "declaration_id").select("insz", "enterprise_number").distinct()


def _listed_employers(engine: Engine, first: int, last: int, params: dict[str, Any]) -> ir.Table:
    t, year = _listed(engine, "listed_employers", params, "enterprise_number")
    return _with_year(t, "enterprise_number", year, first, last)


def _listed_employers_with_staff(engine: Engine, first: int, last: int, params: dict[str, Any]) -> ir.Table:
    quarter = _quarter("listed_employers_with_staff", params)
    t, _ = _listed(engine, "listed_employers_with_staff", params, "enterprise_number")
    listed = t.select("enterprise_number").distinct()
    staffed = _dmfa_jobs(engine, quarter).select("enterprise_number").distinct()
    return listed.join(staffed, "enterprise_number").mutate(year=ibis.literal(quarter // 10, "int32"))


def _listed_persons(engine: Engine, first: int, last: int, params: dict[str, Any]) -> ir.Table:
    t, year = _listed(engine, "listed_persons", params, "insz")
    return _with_year(t, "insz", year, first, last)


def _employees_of_listed(engine: Engine, first: int, last: int, params: dict[str, Any]) -> ir.Table:
    quarter = _quarter("employees_of_listed_employers", params)
    t, _ = _listed(engine, "employees_of_listed_employers", params, "enterprise_number")
    listed = t.select("enterprise_number").distinct()
    jobs = _dmfa_jobs(engine, quarter)
    j = jobs.join(listed, "enterprise_number")
    return j.select("insz").distinct().mutate(year=ibis.literal(quarter // 10, "int32"))


def _pwa_or_ocmw(engine: Engine, first: int, last: int, params: dict[str, Any]) -> ir.Table:
    quarter = _quarter("pwa_or_ocmw_employment", params)
    articles = [str(a) for a in params.get("ocmw_articles", ["60", "61"])]
    pwa = engine.table("pwa_work")
    pwa = pwa.filter((pwa.quarter == quarter) & (pwa.hours > 0)).select("insz")
    o = engine.table("ocmw_employment")
    q = ibis.literal(quarter, "int32")
    overlaps = (o.start_date <= xp.quarter_end(q)) & (
        o.end_date.isnull() | (o.end_date >= xp.quarter_start(q))
    )
    ocmw = o.filter(o.article.isin(articles) & overlaps).select("insz")
    return ibis.union(pwa, ocmw, distinct=True).mutate(year=ibis.literal(quarter // 10, "int32"))


RULES: tuple[PopulationRule, ...] = (
    PopulationRule(
        "listed_employers",
        "werkgevers op de lijst van de leverancier",
        "Enterprises on a provider's list at the input's reference date (S001-1).",
        ("se_employers", "recognised_cooperatives", "social_purpose_companies"),
        _listed_employers,
        params=frozenset({"input"}),
        entity="employer",
    ),
    PopulationRule(
        "listed_employers_with_staff",
        "werkgevers op de lijst met personeel in het kwartaal",
        "Enterprises on a provider's list with at least one DmfA worker in `quarter` (S001-1).",
        (
            "recognised_cooperatives",
            "social_purpose_companies",
            "dmfa_employer_declaration",
            "dmfa_natural_person",
        ),
        _listed_employers_with_staff,
        params=frozenset({"input", "quarter"}),
        entity="employer",
    ),
    PopulationRule(
        "listed_persons",
        "personen op de lijst van de leverancier",
        "Persons on a provider's list at the input's reference date (S001-1).",
        ("se_employees",),
        _listed_persons,
        params=frozenset({"input"}),
    ),
    PopulationRule(
        "employees_of_listed_employers",
        "werknemers van de werkgevers op de lijst",
        "Persons with a DmfA job in `quarter` at an enterprise on a provider's list (S001-1).",
        (
            "recognised_cooperatives",
            "social_purpose_companies",
            "dmfa_employer_declaration",
            "dmfa_natural_person",
        ),
        _employees_of_listed,
        params=frozenset({"input", "quarter"}),
    ),
    PopulationRule(
        "pwa_or_ocmw_employment",
        "werkzaam in een PWA of volgens art. 60/61 OCMW-wet",
        "Persons with PWA hours in `quarter` or an OCMW employment under one of `ocmw_articles` overlapping "
        "it (S001-1: added by the hub itself).",
        ("pwa_work", "ocmw_employment"),
        _pwa_or_ocmw,
        params=frozenset({"quarter", "ocmw_articles"}),
    ),
)

for _rule in RULES:
    population.register(_rule)
