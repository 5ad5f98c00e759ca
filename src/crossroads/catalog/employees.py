"""Catalog variables of the employees file of 15/018 (S001-4, S001-7), person level at a reference date.

- ``sep_derived``: the socio-economic position grouped into the 20 categories of the KSZ web application
  (DOMAIN.md section 5; ``codelists`` ``sep_nomenclature.webapp_order`` and ``sep_categories``).
- The provider's characteristics of the employee (``se_employees``: staff type, origin, education level,
  work ability) as listed at the reference date.
- Household FTE by both definitions and FTE max (derivations in ``household``; the work intensity itself
  is ``household_work_intensity`` of ``variables``, with the option ``definition``).
- OCMW employment (art. 60/61) details, the unemployment measure and benefit, and the days of primary
  incapacity in a year.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from crossroads import codelists
from crossroads.catalog import household, jobs, periods
from crossroads.catalog.model import Sources, Variable, left_join_on, round_half_up, spell_at
from crossroads.warehouse.schema import ENUMS
from crossroads.warehouse.schema import table as table_spec

PROVIDER_EMPLOYEES = "se_employees"
"""Provider list of the social-economy employees (VSAWSE), one snapshot per reference date."""
HOUSEHOLD = ("household", "person", "child_benefit")
DMFA = jobs.DMFA_TABLES
BENEFIT_DAYS_PER_MONTH = 26
"""Unemployment benefit is paid per day for six days a week: 26 days a month (78 a quarter, as in
``household``)."""
PRIMARY_INCAPACITY = "PRIM"


# ------------------------------------------------------------------ socio-economic position, grouped
def _webapp_group() -> dict[str, str]:
    df = codelists.load("sep_nomenclature")
    return dict(zip(df["code"], df["webapp_order"].astype(str), strict=True))


def sep_derived(src: Sources, points: ir.Table) -> ir.Table:
    """The KSZ web-application category (1-20) of the position on the last day of the quarter."""
    pos = jobs.at_points(points, jobs.person_rows(src, "socio_economic_position"))
    code = pos.sep_code
    value = ibis.cases(
        *((code == sep, group) for sep, group in _webapp_group().items()), else_=ibis.null("string")
    )
    return pos.select("insz", "ref_quarter", value=value)


def sep_derived_labels() -> dict[str, str]:
    df = codelists.load("sep_categories")
    return dict(zip(df["order"].astype(str), df["category_nl"], strict=True))


# ------------------------------------------------------------------ provider list of the employees
def _provider_row(src: Sources, points: ir.Table) -> ir.Table:
    """The person's row of the provider list whose reference date falls in the point's quarter.

    The list has one row per person and reference date (the linkage keeps the first of repeated keys);
    should two remain, the lowest employer number wins (a deterministic choice).
    """
    lst = src.table(PROVIDER_EMPLOYEES)
    lst = lst.mutate(_q=periods.quarter_of_date(lst.reference_date))
    p = points.select("insz", "ref_quarter")
    j = p.join(lst, (p.insz == lst.insz) & (p.ref_quarter == lst._q))
    j = j.drop(*[c for c in j.columns if c.endswith("_right")])
    rank = ibis.row_number().over(
        ibis.window(
            group_by=["insz", "ref_quarter"], order_by=[j.employer_enterprise_number, j.reference_date]
        )
    )
    return j.mutate(_rank=rank).filter(lambda t: t._rank == 0)


def _provider_field(column: str) -> Any:
    def derive(src: Sources, points: ir.Table) -> ir.Table:
        row = _provider_row(src, points)
        return row.select("insz", "ref_quarter", value=row[column].cast("string"))

    derive.__name__ = f"provider_{column}"
    derive.__doc__ = f"``{column}`` of the provider's employee list at the reference date."
    return derive


def _codelist_labels(table: str, column: str) -> Any:
    """Labels of a warehouse field's code list (``ENUMS``), as the schema declares it; none if unknown."""

    def labels() -> dict[str, str]:
        try:
            name = table_spec(table).field(column).codelist
        except KeyError:
            return {}
        if name is None:
            return {}
        return dict(ENUMS.get(name, {}))

    return labels


# ------------------------------------------------------------------ OCMW (art. 60 / 61)
def _quarter_spell(src: Sources, points: ir.Table, table: str) -> ir.Table:
    """The spell overlapping the point's quarter with the latest start (the running one on the last day
    when there is one): the employees file covers persons who worked under art. 60/61 *in* the quarter."""
    s = src.table(table)
    p = points.select("insz", "ref_quarter", "ref_date")
    p = p.mutate(_q_start=periods.quarter_start(p.ref_quarter))
    j = p.join(
        s,
        (p.insz == s.insz)
        & (s.start_date <= p.ref_date)
        & (s.end_date.isnull() | (s.end_date >= p._q_start)),
    )
    j = j.drop(*[c for c in j.columns if c.endswith("_right")])
    rank = ibis.row_number().over(
        ibis.window(group_by=["insz", "ref_quarter"], order_by=[ibis.desc(j.start_date)])
    )
    return j.mutate(_rank=rank).filter(lambda t: t._rank == 0)


def _ocmw_field(column: str) -> Any:
    def derive(src: Sources, points: ir.Table) -> ir.Table:
        spell = _quarter_spell(src, points, "ocmw_employment")
        return spell.select("insz", "ref_quarter", value=spell[column].cast("string"))

    derive.__name__ = f"ocmw_{column}"
    derive.__doc__ = f"``ocmw_employment.{column}`` of the art. 60/61 employment of the quarter."
    return derive


REGULATION_OF_ASSISTANCE = {"LL": "RMI", "EQ": "MH"}
"""Leefloon falls under the integration law of 26 May 2002 (RMI), equivalent financial aid under the
social-assistance law of 2 April 1965 (MH)."""


def ocmw_regulation(src: Sources, points: ir.Table) -> ir.Table:
    """Regulation of the art. 60/61 employment of the quarter; without one, the law of the social
    assistance of the quarter (leefloon -> RMI, equivalent aid -> MH)."""
    emp = _quarter_spell(src, points, "ocmw_employment")
    emp = emp.select("insz", "ref_quarter", _from_job=emp.regulation)
    aid = _quarter_spell(src, points, "social_assistance")
    law = ibis.cases(
        *((aid.kind == kind, code) for kind, code in REGULATION_OF_ASSISTANCE.items()),
        else_=ibis.null("string"),
    )
    aid = aid.select("insz", "ref_quarter", _from_aid=law)
    p = points.select("insz", "ref_quarter")
    out = left_join_on(left_join_on(p, emp, ["insz", "ref_quarter"]), aid, ["insz", "ref_quarter"])
    out = out.select("insz", "ref_quarter", value=out._from_job.fill_null(out._from_aid))
    return out.filter(out.value.notnull())


# ------------------------------------------------------------------ unemployment
def unemployment_measure(src: Sources, points: ir.Table) -> ir.Table:
    """Measure of the unemployment spell running on the measurement day (empty without one)."""
    s = spell_at(points, jobs.person_rows(src, "unemployment"))
    return s.select("insz", "ref_quarter", value=s.measure)


def unemployment_benefit(src: Sources, points: ir.Table) -> ir.Table:
    """Monthly equivalent in euro of the daily benefit of the spell running on the measurement day:
    daily amount x 26 benefit days a month."""
    s = spell_at(points, jobs.person_rows(src, "unemployment"))
    value = round_half_up(s.daily_benefit_cents.cast("float64") * BENEFIT_DAYS_PER_MONTH / 100.0, 2)
    return s.select("insz", "ref_quarter", value=value)


# ------------------------------------------------------------------ primary incapacity
def primary_incapacity_days(src: Sources, points: ir.Table, options: dict[str, Any]) -> ir.Table:
    """Calendar days in the year covered by a primary-incapacity spell (the first year of incapacity,
    before invalidity), overlapping spells counted once; 0 without one.

    Option ``year`` (default: the year of the measurement day).
    """
    year: int | None = None
    if "year" in options:
        try:
            year = int(options["year"])
        except (TypeError, ValueError):
            raise ValueError(f"option 'year' must be a year, not {options['year']!r}") from None
    p = points.select("insz", "ref_quarter", "ref_year")
    p = p.mutate(_year=p.ref_year.cast("int32") if year is None else ibis.literal(year, "int32"))
    p = p.mutate(_first=ibis.date(p._year, 1, 1), _last=ibis.date(p._year, 12, 31))
    inc = jobs.person_rows(src, "incapacity")
    inc = inc.filter(inc.kind == PRIMARY_INCAPACITY).select(_who="insz", _start="start_date", _end="end_date")
    j = p.join(
        inc,
        (p.insz == inc._who) & (inc._start <= p._last) & (inc._end.isnull() | (inc._end >= p._first)),
    )
    j = j.mutate(_s=ibis.greatest(j._start, j._first), _e=ibis.least(j._end.fill_null(j._last), j._last))
    # Overlaps counted once: ordered by start, a spell adds only the days after the latest end so far.
    order = {"group_by": ["insz", "ref_quarter"], "order_by": [j._s, j._e]}
    j = j.mutate(_run_end=j._e.max().over(ibis.window(preceding=None, following=0, **order)))
    j = j.mutate(_prev_end=j._run_end.lag().over(ibis.window(**order)))
    new_from = ibis.ifelse(
        j._prev_end.isnull() | (j._prev_end < j._s), j._s, j._prev_end + ibis.interval(days=1)
    )
    days = j._e.delta(new_from, unit="day") + 1
    j = j.mutate(_days=ibis.ifelse(days > 0, days, 0))
    agg = j.group_by("insz", "ref_quarter").aggregate(_total=j._days.sum())
    out = left_join_on(points.select("insz", "ref_quarter"), agg, ["insz", "ref_quarter"])
    return out.select("insz", "ref_quarter", value=out._total.fill_null(0).cast("int32"))


# ------------------------------------------------------------------ the variables
SE_EMPLOYEES = (PROVIDER_EMPLOYEES,)
OCMW = ("ocmw_employment",)

VARIABLES: tuple[Variable, ...] = (
    Variable(
        "sep_derived",
        "socio-economische positie (afgeleide groepering)",
        "socio-economic position (derived grouping)",
        "person-quarter",
        ("socio_economic_position",),
        sep_derived,
        "The position on the last day of the quarter (KSZ nomenclature) grouped into the 20 categories of "
        "the KSZ DWH web application (DOMAIN.md section 5): 1 wage earner, 2 self-employed, 3 helper, "
        "4-6 combinations by main job, 7-9 job seekers with benefit (after full-time work, after voluntary "
        "part-time work, after studies), 10 full career break, 11 exempted job seeker, 12 leefloon or "
        "financial aid, 13 pensioner, 14 full early retirement, 15 unemployment with company allowance, "
        "16 availability before pension, 17 child entitled to child benefit, 18 incapacity for work, "
        "19 disability allowance (IVT), 20 other or unknown.",
        labels=sep_derived_labels,
        requirement="S001-4",
    ),
    Variable(
        "staff_type",
        "doelgroep- of omkaderingspersoneel",
        "target-group or supervisory staff",
        "person-quarter",
        SE_EMPLOYEES,
        _provider_field("staff_type"),
        "Staff type as the provider (VSAWSE) lists the employee at the reference date in the point's "
        "quarter (a list holds a person once; should a list name them with several employers, the line "
        "with the lowest enterprise number). Empty when not listed.",
        labels=_codelist_labels(PROVIDER_EMPLOYEES, "staff_type"),
        requirement="S001-1",
    ),
    Variable(
        "provider_origin",
        "herkomst (volgens de aanleverende instantie)",
        "origin (as the provider lists it)",
        "person-quarter",
        SE_EMPLOYEES,
        _provider_field("origin"),
        "Origin as the provider (VSAWSE) lists the employee at the reference date (same row choice as "
        "staff_type); not the DWH origin class (origin_class). Empty when not listed.",
        labels=_codelist_labels(PROVIDER_EMPLOYEES, "origin"),
        requirement="S001-1",
    ),
    Variable(
        "provider_education_level",
        "opleidingsniveau (volgens de aanleverende instantie)",
        "education level (as the provider lists it)",
        "person-quarter",
        SE_EMPLOYEES,
        _provider_field("education_level"),
        "Education level as the provider (VSAWSE) lists the employee at the reference date (same row "
        "choice as staff_type). Empty when not listed.",
        labels=_codelist_labels(PROVIDER_EMPLOYEES, "education_level"),
        requirement="S001-1",
    ),
    Variable(
        "work_ability",
        "arbeidsgeschiktheid",
        "work ability",
        "person-quarter",
        SE_EMPLOYEES,
        _provider_field("work_ability"),
        "Work ability as the provider (VSAWSE) lists the employee at the reference date (same row choice "
        "as staff_type). Empty when not listed.",
        labels=_codelist_labels(PROVIDER_EMPLOYEES, "work_ability"),
        requirement="S001-1",
    ),
    Variable(
        "household_fte",
        "voltijds equivalent van het huishouden",
        "household FTE",
        "person-year",
        (*HOUSEHOLD, *DMFA),
        household.fte,
        "Sum over the household members aged 18-59 on the measurement day (without students under 25) "
        "of their mean quarterly FTE over the four quarters up to the measurement quarter. Option "
        "definition: 1 (default) all time declared in the DmfA, work and assimilated days; 2 only the "
        "time covered by pay (service codes 1-5, 10-15, 101, 102). 0 when no member is eligible; "
        "empty without a household. Rounded to 3 decimals.",
        "float",
        requirement="S001-7",
        options=("definition",),
        history_quarters=household.QUARTERS - 1,
    ),
    Variable(
        "household_fte_max",
        "maximaal voltijds equivalent van het huishouden",
        "household maximum FTE",
        "person-year",
        HOUSEHOLD,
        household.fte_max,
        "Number of household members aged 18-59 on the measurement day, without students under 25 "
        "(child benefit): each could work full time (KSZ 'FTE maximaal'). Empty without a household.",
        "int",
        requirement="S001-7",
    ),
    Variable(
        "ocmw_regulation",
        "toepasselijke regelgeving (OCMW-tewerkstelling)",
        "applicable regulation (OCMW employment)",
        "person-quarter",
        (*OCMW, "social_assistance"),
        ocmw_regulation,
        "Applicable regulation of the OCMW employment (art. 60 §7 / 61) overlapping the quarter, the "
        "latest-starting one: RMI integration law of 26 May 2002, MH social-assistance law of 2 April "
        "1965. Without such an employment, the law of the social assistance overlapping the quarter "
        "(leefloon -> RMI, equivalent financial aid -> MH). Empty without either.",
        labels=_codelist_labels("ocmw_employment", "regulation"),
        requirement="S001-7",
    ),
    Variable(
        "ocmw_intervention_kind",
        "aard van de tussenkomst (OCMW)",
        "kind of OCMW intervention",
        "person-quarter",
        OCMW,
        _ocmw_field("intervention_kind"),
        "Kind of federal intervention in the wage cost of the OCMW employment (art. 60 §7 / 61) "
        "overlapping the quarter, the latest-starting one. Empty without one.",
        labels=_codelist_labels("ocmw_employment", "intervention_kind"),
        requirement="S001-7",
    ),
    Variable(
        "ocmw_activation_type",
        "type activering (OCMW)",
        "activation type (OCMW)",
        "person-quarter",
        OCMW,
        _ocmw_field("activation_type"),
        "Activation type of the OCMW employment overlapping the quarter (latest-starting). Empty without "
        "one.",
        labels=_codelist_labels("ocmw_employment", "activation_type"),
        requirement="S001-7",
    ),
    Variable(
        "ocmw_programme_type",
        "type tewerkstellingsprogramma (OCMW)",
        "employment programme type (OCMW)",
        "person-quarter",
        OCMW,
        _ocmw_field("programme_type"),
        "Employment programme type of the OCMW employment overlapping the quarter (latest-starting). "
        "Empty without one.",
        labels=_codelist_labels("ocmw_employment", "programme_type"),
        requirement="S001-7",
    ),
    Variable(
        "ocmw_employment_purpose",
        "doel van de tewerkstelling (art. 60)",
        "purpose of the employment (art. 60)",
        "person-quarter",
        OCMW,
        _ocmw_field("employment_purpose"),
        "Purpose of the OCMW employment overlapping the quarter (latest-starting), e.g. opening the right "
        "to benefits or work experience. Empty without one.",
        labels=_codelist_labels("ocmw_employment", "employment_purpose"),
        requirement="S001-7",
    ),
    Variable(
        "unemployment_measure",
        "maatregel (werkloosheid)",
        "unemployment measure",
        "person-quarter",
        ("unemployment",),
        unemployment_measure,
        "Measure under which the unemployment benefit of the spell running on the measurement day is "
        "received (RVA). Empty without a spell or a measure.",
        labels=_codelist_labels("unemployment", "measure"),
        requirement="S001-7",
    ),
    Variable(
        "unemployment_benefit_class",
        "bedrag van de werkloosheidsuitkering (klasse)",
        "unemployment benefit amount (class)",
        "person-quarter",
        ("unemployment",),
        unemployment_benefit,
        "Monthly equivalent of the daily benefit of the unemployment spell running on the measurement "
        "day: daily amount x 26 benefit days a month, in euro; in classes (default amount_generic, "
        "classes of 500 EUR). Empty without a spell.",
        "float",
        scheme="amount_generic",
        requirement="S001-7",
    ),
    Variable(
        "primary_incapacity_days",
        "dagen primaire arbeidsongeschiktheid",
        "days of primary incapacity",
        "person-year",
        ("incapacity",),
        primary_incapacity_days,
        "Calendar days of the year covered by primary incapacity (RIZIV kind PRIM: the first year of "
        "incapacity, before invalidity), overlapping spells counted once. Option year (default the year "
        "of the measurement day). 0 without primary incapacity.",
        "int",
        requirement="S001-7",
        options=("year",),
    ),
)
