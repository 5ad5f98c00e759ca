"""Population rules: who is in a target group, per year (issue 3, S000-3; general for later permits).

A rule returns the persons *in the system* per year, ``(insz, year)``, before any domicile condition; the
target group's ``params`` then add the conditions every rule shares:

- ``region``: NIS region code (02000 = Flemish Region). The person must have their main residence in a
  municipality of that region on the **last day of the year** (the DWH's reference day; a person who moves
  from Brussels to Antwerp in July counts for Flanders that year, someone abroad on 31 December does not).
- ``domicile_reference``: ``year_end`` (default) or ``any_quarter_end`` (residence in the region on the last
  day of any quarter of the year).

Inflow and outflow compare with the system membership of the neighbouring year (``inflow.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from crossroads.catalog import jobs
from crossroads.catalog import periods as xp
from crossroads.engine.backends import Engine, EngineError

Members = Callable[[Engine, int, int, dict[str, Any]], ir.Table]

SHARED_PARAMS = {"region", "domicile_region", "domicile_reference"}


@dataclass(frozen=True)
class PopulationRule:
    name: str
    label_nl: str
    description: str
    sources: tuple[str, ...]
    members: Members = field(repr=False)
    params: frozenset[str] = frozenset()
    """Rule-specific parameters besides the shared ones."""
    entity: str = "person"
    """``person``: members are ``(insz, year)``; ``employer``: members are ``(enterprise_number, year)``."""


def _years_from_quarters(q: ir.Table, first: int, last: int) -> ir.Table:
    y = q.mutate(year=(q.quarter // 10).cast("int32"))
    return y.filter((y.year >= first) & (y.year <= last)).select("insz", "year").distinct()


def _issuer(engine: Engine, first: int, last: int, params: dict[str, Any]) -> ir.Table:
    return _years_from_quarters(jobs.issuer_voucher_quarters(engine), first, last)


def _network(engine: Engine, first: int, last: int, params: dict[str, Any]) -> ir.Table:
    return _years_from_quarters(jobs.network_voucher_quarters(engine), first, last)


def _either(engine: Engine, first: int, last: int, params: dict[str, Any]) -> ir.Table:
    return _years_from_quarters(jobs.voucher_quarters(engine), first, last)


def _users(engine: Engine, first: int, last: int, params: dict[str, Any]) -> ir.Table:
    o = engine.table("voucher_order")
    y = o.filter(o.orders > 0).mutate(year=(o.month // 100).cast("int32"))
    return y.filter((y.year >= first) & (y.year <= last)).select("insz", "year").distinct()


def _residents(engine: Engine, first: int, last: int, params: dict[str, Any]) -> ir.Table:
    """Everyone with a main residence in Belgium (or the given region) on the reference day."""
    region = params.get("region") or params.get("domicile_region")
    return domiciled(engine, first, last, region, params.get("domicile_reference", "year_end"))


_RULES: dict[str, PopulationRule] = {
    r.name: r
    for r in (
        PopulationRule(
            "voucher_workers_issuer",
            "dienstenchequewerknemers volgens de uitgiftebedrijf",
            "Persons for whom the issuer reimbursed at least one voucher in a quarter of the year.",
            ("voucher_worker_payment",),
            _issuer,
        ),
        PopulationRule(
            "voucher_workers_network",
            "dienstenchequewerknemers volgens het netwerk",
            "Persons with a DmfA occupation in joint committee 322.01 or employer category 597 with pay in "
            "a quarter of the year.",
            ("dmfa_occupation", "dmfa_worker_line", "dmfa_remuneration"),
            _network,
        ),
        PopulationRule(
            "voucher_workers",
            "dienstenchequewerknemers (uitgiftebedrijf of netwerk)",
            "The union of the issuer's and the network's voucher workers.",
            ("voucher_worker_payment", "dmfa_occupation", "dmfa_remuneration"),
            _either,
        ),
        PopulationRule(
            "voucher_users",
            "actieve gebruikers van dienstencheques",
            "Persons who placed at least one order in the year (issuer data).",
            ("voucher_order",),
            _users,
        ),
        PopulationRule(
            "residents",
            "inwoners",
            "Persons with a main residence in Belgium (or in `region`) on the reference day of the year.",
            ("residence",),
            _residents,
        ),
    )
}


def register(r: PopulationRule) -> PopulationRule:
    """Add a rule (domain modules such as ``engine.diplomas`` register theirs when imported)."""
    if r.name in _RULES and _RULES[r.name] is not r:
        raise EngineError(f"population rule {r.name!r} is defined twice")
    _RULES[r.name] = r
    return r


def population_rules() -> dict[str, PopulationRule]:
    """Every population rule the engine knows, by name."""
    return dict(_RULES)


def rule(name: str) -> PopulationRule:
    try:
        return _RULES[name]
    except KeyError:
        raise EngineError(f"unknown population rule {name!r}; known: {', '.join(sorted(_RULES))}") from None


def check_params(r: PopulationRule, params: dict[str, Any]) -> None:
    unknown = set(params) - SHARED_PARAMS - r.params
    if unknown:
        raise EngineError(
            f"population rule {r.name!r}: unknown parameter(s) {', '.join(sorted(unknown))}; "
            f"known: {', '.join(sorted(SHARED_PARAMS | r.params))}"
        )
    ref = params.get("domicile_reference", "year_end")
    if ref not in ("year_end", "any_quarter_end"):
        raise EngineError(
            f"population rule {r.name!r}: domicile_reference must be year_end or any_quarter_end"
        )


def domiciled(
    engine: Engine,
    first: int,
    last: int,
    region: str | None,
    reference: str = "year_end",
    persons: ir.Table | None = None,
) -> ir.Table:
    """``(insz, year)`` of persons living in ``region`` (anywhere in Belgium if None) on the day;
    with ``persons`` (a table with ``insz``), of those persons only."""
    per_year = (4,) if reference == "year_end" else (1, 2, 3, 4)
    quarters = [y * 10 + q for y in range(first, last + 1) for q in per_year]
    days = engine.register_arrow(
        "reference_quarters", pa.table({"ref_quarter": pa.array(quarters, pa.int32())})
    )
    days = days.mutate(ref_date=xp.quarter_end(days.ref_quarter))
    res = engine.table("residence")
    res = res.filter(res.nis_code.notnull())
    if persons is not None:
        # A group's members first: dating every resident's spells cost most of a group at scale 1.0.
        res = res.semi_join(persons.select("insz"), "insz")
    if region is not None:
        geo = engine.lookup("geography")
        res = res.join(geo.filter(geo.region_nis == region).select("nis_code"), "nis_code")
    on_day = (res.start_date <= days.ref_date) & (res.end_date.isnull() | (res.end_date >= days.ref_date))
    j = res.join(days, on_day)
    return j.select("insz", year=(j.ref_quarter // 10).cast("int32")).distinct()


def members(engine: Engine, rule_name: str, first: int, last: int, params: dict[str, Any]) -> ir.Table:
    """The rule's persons in the system per year, without the domicile condition."""
    r = rule(rule_name)
    check_params(r, params)
    return r.members(engine, first, last, params)


def target_group(engine: Engine, rule_name: str, first: int, last: int, params: dict[str, Any]) -> ir.Table:
    """``(insz, year)`` of a target group: the rule's members with the shared conditions applied."""
    m = members(engine, rule_name, first, last, params)
    if rule(rule_name).entity == "employer":
        return m.select("enterprise_number", year=ibis._.year.cast("int32"))
    region = params.get("region") or params.get("domicile_region")
    if region is not None and rule_name != "residents":
        m = engine.materialise(m)
        ref = params.get("domicile_reference", "year_end")
        dom = domiciled(engine, first, last, str(region), ref, persons=m)
        m = m.join(dom, ["insz", "year"])
    return m.select("insz", year=ibis._.year.cast("int32"))
