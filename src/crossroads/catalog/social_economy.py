"""Employer-level variables of deliberation 15/018 (S001-2, S001-3, S001-5, S001-6), unit ``employer``.

Every derivation receives employer points (``enterprise_number``, ``ref_quarter``, ``ref_date``,
``ref_year``) and returns ``enterprise_number``, ``ref_quarter`` and ``value``, one row per point.

Decisions, in one place (each variable's description repeats the part that concerns it):

- **Registers first.** Facts of the employer come from the warehouse ``employer`` table (KBO / RSZ):
  NACE, registered office, employer category, public/private, organisation type, work form.
- **Provider lists "at the date".** The subsidy agency's list (``se_employers``) and the two lists of
  enterprise numbers (``recognised_cooperatives``, ``social_purpose_companies``) describe the situation
  on their ``reference_date``. A list applies to a point when its reference date falls in the point's
  quarter (the list of 31 Dec 2013 applies to 2013 Q4, not to 2009 Q1); of several, the latest.
- **Jobs are counted in the DmfA, over all workers of the employer** (not only the persons in the
  permit's scope, so ``jobs.occupations`` - restricted to the scope - is not used). A job on a day is a
  person with at least one occupation at the employer covering that day, in the declaration of the
  quarter holding the day. ``employer_year.jobs_31dec`` is not used: it exists only for 31 December
  and cannot give the persons behind the count.
- **Employer location.** The registered office (``employer.nis_code``, NIS5 on the 2025 map); the local
  unit is the employer's *main* local unit of the quarter: the unit named on most DmfA worker lines of
  that quarter (ties: the lowest unit number); empty when no worker line names a unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache
from typing import Any

import ibis
import ibis.expr.types as ir

from crossroads import codelists
from crossroads.catalog import employment, registers
from crossroads.catalog import periods as xp
from crossroads.catalog.model import Sources, Variable, left_join_on, round_half_up
from crossroads.catalog.profile import BRUSSELS_REGION
from crossroads.warehouse.schema import ENUMS

KEYS = ("enterprise_number", "ref_quarter")

# ------------------------------------------------------------------ geography
# The 13 Flemish central cities (NIS5, 2025 map), defined once with the person variable central_city.
# DOMAIN.md lists none; the list is the Flemish government's (Gemeente- en Stadsmonitor) [I]. Brussels is
# not one of them: its 19 municipalities all fall in arrondissement 21000, which the fallback level gives.
CENTRAL_CITIES: dict[str, str] = registers.CENTRAL_CITIES

LEVELS = ("arrondissement_or_central_city", "municipality", "arrondissement", "province")
"""Values of the ``level`` option of the location variables (the first is the default)."""


def _level(name: str, options: dict[str, Any]) -> str:
    level = options.get("level", LEVELS[0])
    if level not in LEVELS:
        raise ValueError(f"variable {name}: option 'level' must be one of {', '.join(LEVELS)}")
    return str(level)


def _place(src: Sources, t: ir.Table, level: str) -> ir.Table:
    """``t`` (keys + ``nis_code``) with ``value`` = the place at ``level``."""
    geo = src.lookup("geography").select("nis_code", "arrondissement_nis", "province_nis", "region_nis")
    j = left_join_on(t, geo, ["nis_code"])
    if level == "municipality":
        value = j.nis_code
    elif level == "arrondissement":
        value = j.arrondissement_nis
    elif level == "province":
        # Brussels belongs to no province: its region code, as the person variable ``province`` does.
        value = ibis.ifelse(j.region_nis == BRUSSELS_REGION, ibis.literal(BRUSSELS_REGION), j.province_nis)
    else:
        central = j.nis_code.isin(list(CENTRAL_CITIES))
        value = ibis.ifelse(central, j.nis_code, j.arrondissement_nis)
    return j.select(*KEYS, value=value)


@cache
def _place_labels() -> dict[str, str]:
    m = codelists.municipalities()
    labels: dict[str, str] = {}
    for r in m.itertuples():
        labels[r.nis_code] = str(r.name_nl)
        labels[r.arrondissement_nis] = f"arrondissement {r.arrondissement_nl}"
        if r.province_nis:
            labels[r.province_nis] = f"provincie {r.province_nl}"
    labels[BRUSSELS_REGION] = "Brussels Hoofdstedelijk Gewest"
    return dict(sorted(labels.items()))


def place_labels() -> dict[str, str]:
    """NIS5 codes of municipalities, arrondissements and provinces (they never collide) -> Dutch names."""
    return dict(_place_labels())


def municipality_labels() -> dict[str, str]:
    m = codelists.municipalities()
    return dict(zip(m["nis_code"], m["name_nl"], strict=True))


# ------------------------------------------------------------------ building blocks
def _points(points: ir.Table) -> ir.Table:
    return points.select("enterprise_number", "ref_quarter", "ref_date", "ref_year")


def _employer(src: Sources, points: ir.Table, *columns: str) -> ir.Table:
    """The points with columns of the ``employer`` table (null for an unknown enterprise)."""
    emp = src.table("employer").select("enterprise_number", *columns)
    return left_join_on(_points(points), emp, ["enterprise_number"])


def _listed(src: Sources, points: ir.Table, table: str, *columns: str) -> ir.Table:
    """Points on a provider list dated in the point's quarter (the latest such list), with its columns."""
    lst = src.table(table)
    lst = lst.select(
        "enterprise_number",
        "reference_date",
        *columns,
        ref_quarter=xp.quarter_of_date(lst.reference_date),
    )
    j = _points(points).select(*KEYS).join(lst, list(KEYS))
    rank = ibis.row_number().over(
        ibis.window(group_by=list(KEYS), order_by=[ibis.desc("reference_date"), *columns])
    )
    return j.mutate(_rank=rank).filter(ibis._._rank == 0).select(*KEYS, *columns)


def _declared(src: Sources, employer_quarters: ir.Table) -> ir.Table:
    """DmfA worker lines of the given employers (``enterprise_number``, ``quarter``): every worker of
    the employer, not only the persons in scope. Columns: enterprise_number, quarter, insz,
    worker_line_id, local_unit."""
    dec = src.table("dmfa_employer_declaration").select("declaration_id", "quarter", "enterprise_number")
    dec = dec.join(employer_quarters, ["enterprise_number", "quarter"])
    npers = src.table("dmfa_natural_person").select("person_id", "declaration_id", "insz")
    wl = src.table("dmfa_worker_line").select("worker_line_id", "person_id", "local_unit")
    return dec.join(npers, "declaration_id").join(wl, "person_id")


def _jobs_on(src: Sources, days: ir.Table) -> ir.Table:
    """Jobs and their FTE at an employer on a day.

    ``days``: keys + ``day`` (a date). A job = a person with an occupation at the employer whose start and
    end (inclusive, null = running) cover the day, in the declaration of the day's quarter. Its FTE = the
    worker's mean weekly hours / the reference person's, summed over the person's occupations covering the
    day and capped at 1. Returns keys, ``day``, ``jobs`` (0 when none) and ``fte`` (0.0 when none).
    """
    d = days.select(*KEYS, "day", quarter=xp.quarter_of_date(days.day))
    lines = _declared(src, d.select("enterprise_number", "quarter").distinct())
    occ = src.table("dmfa_occupation").select(
        "worker_line_id", "start_date", "end_date", "mean_hours_worker", "mean_hours_reference"
    )
    occ = lines.join(occ, "worker_line_id").rename(o_enterprise="enterprise_number", o_quarter="quarter")
    j = d.join(
        occ,
        (d.enterprise_number == occ.o_enterprise)
        & (d.quarter == occ.o_quarter)
        & xp.covers(occ.start_date, occ.end_date, d.day),
    )
    share = ibis.ifelse(
        j.mean_hours_reference > 0,
        j.mean_hours_worker.cast("float64") / j.mean_hours_reference.cast("float64"),
        ibis.null("float64"),
    )
    per = j.group_by(*KEYS, "day", "insz").aggregate(share=share.sum())
    # Two contracts of one person at one employer make one job of at most one FTE.
    per = per.mutate(share=ibis.ifelse(per.share > 1.0, 1.0, per.share))
    agg = per.group_by(*KEYS, "day").aggregate(jobs=per.count(), fte=per.share.sum())
    out = left_join_on(days.select(*KEYS, "day"), agg, [*KEYS, "day"])
    return out.mutate(jobs=out.jobs.fill_null(0).cast("int64"), fte=out.fte.fill_null(0.0))


def _date_option(name: str, options: dict[str, Any], key: str) -> dt.date | None:
    raw = options.get(key)
    if raw is None:
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise ValueError(f"variable {name}: option {key!r} must be a date YYYY-MM-DD") from None


# ------------------------------------------------------------------ S001-3: the employer
# NACE Rev. 2 high-level aggregation A*10 (Eurostat), by NACE division.
ACTIVITY_SECTORS: tuple[tuple[str, int, int, str, str], ...] = (
    ("A", 1, 3, "landbouw, bosbouw en visserij", "agriculture, forestry and fishing"),
    ("B-E", 5, 39, "industrie, energie, water en afval", "industry (except construction)"),
    ("F", 41, 43, "bouwnijverheid", "construction"),
    (
        "G-I",
        45,
        56,
        "handel, vervoer en opslag, horeca",
        "wholesale and retail trade, transport, accommodation and food service",
    ),
    ("J", 58, 63, "informatie en communicatie", "information and communication"),
    ("K", 64, 66, "financiële activiteiten en verzekeringen", "financial and insurance activities"),
    ("L", 68, 68, "exploitatie van en handel in onroerend goed", "real estate activities"),
    (
        "M-N",
        69,
        82,
        "vrije beroepen, wetenschap en techniek; administratieve en ondersteunende diensten",
        "professional, scientific, technical, administrative and support services",
    ),
    (
        "O-Q",
        84,
        88,
        "openbaar bestuur, onderwijs, gezondheidszorg en maatschappelijke dienstverlening",
        "public administration, education, human health and social work",
    ),
    (
        "R-U",
        90,
        99,
        "kunst, recreatie en overige diensten",
        "arts, entertainment, recreation and other services",
    ),
)


def activity_sector(src: Sources, points: ir.Table) -> ir.Table:
    """A*10 sector of the employer's main activity (``employer.nace``, divisions = first two digits)."""
    j = _employer(src, points, "nace")
    division = j.nace.substr(0, 2).cast("int32")
    sector = ibis.cases(
        *[((division >= lo) & (division <= hi), ibis.literal(s)) for s, lo, hi, _, _ in ACTIVITY_SECTORS],
        else_=ibis.null("string"),
    )
    return j.select(*KEYS, value=sector)


def activity_sector_labels() -> dict[str, str]:
    return {s: label for s, _, _, label, _ in ACTIVITY_SECTORS}


def employer_location(src: Sources, points: ir.Table, options: dict[str, Any]) -> ir.Table:
    level = _level("employer_location", options)
    return _place(src, _employer(src, points, "nis_code"), level)


def _main_local_unit(src: Sources, points: ir.Table) -> ir.Table:
    """Keys + ``unit_number`` of the unit on most worker lines of the employer in the point's quarter."""
    p = _points(points)
    lines = _declared(src, p.select("enterprise_number", quarter=p.ref_quarter).distinct())
    lines = lines.filter(lines.local_unit.notnull())
    counts = lines.group_by("enterprise_number", "quarter", "local_unit").aggregate(
        n=lines.worker_line_id.nunique()
    )
    rank = ibis.row_number().over(
        ibis.window(group_by=["enterprise_number", "quarter"], order_by=[ibis.desc("n"), "local_unit"])
    )
    main = counts.mutate(_rank=rank).filter(ibis._._rank == 0)
    return main.select("enterprise_number", ref_quarter=main.quarter, unit_number=main.local_unit)


def local_unit_location(src: Sources, points: ir.Table, options: dict[str, Any]) -> ir.Table:
    level = _level("local_unit_location", options)
    main = _main_local_unit(src, points)
    units = src.table("local_unit").select("unit_number", "nis_code")
    j = left_join_on(_points(points), left_join_on(main, units, ["unit_number"]), list(KEYS))
    return _place(src, j, level)


SE_EMPLOYER = "SIE"


def organisation_type(src: Sources, points: ir.Table) -> ir.Table:
    """The seed's organisation type: SE employer / recognised cooperative / social-purpose company, by
    the provider lists at the date (in that order), else the employer's legal type in the KBO."""
    j = _employer(src, points, "organisation_type")
    for table, flag in (
        ("se_employers", "on_se_list"),
        ("recognised_cooperatives", "on_coop_list"),
        ("social_purpose_companies", "on_vso_list"),
    ):
        listed = _listed(src, points, table).mutate(**{flag: ibis.literal(1, "int8")})
        j = left_join_on(j, listed, list(KEYS))
    value = ibis.cases(
        (j.on_se_list.notnull(), ibis.literal(SE_EMPLOYER)),
        (j.on_coop_list.notnull(), ibis.literal("COOP")),
        (j.on_vso_list.notnull(), ibis.literal("VSO")),
        else_=j.organisation_type,
    )
    return j.select(*KEYS, value=value)


def organisation_type_labels() -> dict[str, str]:
    return {SE_EMPLOYER: "werkgever uit de sociale inschakelingseconomie (lijst VSAWSE)"} | dict(
        ENUMS["organisation_type"]
    )


def work_form(src: Sources, points: ir.Table) -> ir.Table:
    """The agency's work form when the employer is on its list at the date, else ``employer.work_form``."""
    j = _employer(src, points, "work_form")
    listed = _listed(src, points, "se_employers", "work_form").rename(listed_work_form="work_form")
    j = left_join_on(j, listed, list(KEYS))
    return j.select(*KEYS, value=j.listed_work_form.fill_null(j.work_form))


def _provider_field(column: str) -> Callable[[Sources, ir.Table], ir.Table]:
    def derive(src: Sources, points: ir.Table) -> ir.Table:
        j = left_join_on(_points(points), _listed(src, points, "se_employers", column), list(KEYS))
        return j.select(*KEYS, value=j[column])

    derive.__name__ = f"provider_{column}"
    derive.__doc__ = f"``se_employers.{column}`` of the agency's list at the date; empty when not listed."
    return derive


def _enum_labels(name: str) -> Callable[[], dict[str, str]]:
    def labels() -> dict[str, str]:
        return dict(ENUMS.get(name, {}))

    return labels


RATIOS: dict[str, str] = {
    "liquidity_ratio": "liquidity",
    "solvency_ratio": "solvency",
    "profitability_ratio": "profitability",
    "credit_policy_ratio": "credit_policy",
    "investment_policy_ratio": "investment_ratio",
}
"""Variable -> column of ``employer_year`` (annual accounts of the year of the measurement day)."""


def _ratio(column: str) -> Callable[[Sources, ir.Table], ir.Table]:
    def derive(src: Sources, points: ir.Table) -> ir.Table:
        p = _points(points)
        ey = src.table("employer_year")
        ey = ey.select("enterprise_number", column, ref_year=ey.year.cast("int32"))
        j = left_join_on(p.mutate(ref_year=p.ref_year.cast("int32")), ey, ["enterprise_number", "ref_year"])
        return j.select(*KEYS, value=j[column].cast("float64"))

    derive.__name__ = f"ratio_{column}"
    return derive


def employer_nace(src: Sources, points: ir.Table) -> ir.Table:
    j = _employer(src, points, "nace")
    return j.select(*KEYS, value=j.nace)


def employer_size_class(src: Sources, points: ir.Table) -> ir.Table:
    """RSZ size class at 31 December of the measurement day's year (``employer_year.size_class``)."""
    p = _points(points)
    ey = src.table("employer_year")
    ey = ey.select("enterprise_number", "size_class", ref_year=ey.year.cast("int32"))
    j = left_join_on(p.mutate(ref_year=p.ref_year.cast("int32")), ey, ["enterprise_number", "ref_year"])
    return j.select(*KEYS, value=j.size_class)


def employer_municipality(src: Sources, points: ir.Table) -> ir.Table:
    j = _employer(src, points, "nis_code")
    return j.select(*KEYS, value=j.nis_code)


# ------------------------------------------------------------------ S001-5: employment at the employer
def employer_jobs(src: Sources, points: ir.Table) -> ir.Table:
    p = _points(points)
    j = _jobs_on(src, p.select(*KEYS, day=p.ref_date))
    return j.select(*KEYS, value=j.jobs)


def employer_jobs_fte(src: Sources, points: ir.Table) -> ir.Table:
    p = _points(points)
    j = _jobs_on(src, p.select(*KEYS, day=p.ref_date))
    return j.select(*KEYS, value=round_half_up(j.fte, 2))


def employer_turnover_pct(src: Sources, points: ir.Table, options: dict[str, Any]) -> ir.Table:
    """100 x (jobs on ``to`` - jobs on ``from``) / jobs on ``to`` (S001-5's definition, see the variable)."""
    start = _date_option("employer_turnover_pct", options, "from")
    end = _date_option("employer_turnover_pct", options, "to")
    if start is not None and end is not None and start >= end:
        raise ValueError("variable employer_turnover_pct: option 'from' must be before 'to'")
    p = _points(points)
    to_day = p.ref_date if end is None else ibis.literal(end, "date")
    # Default ``from``: the same quarter end one year earlier (the last day of the quarter 4 back).
    from_day = xp.quarter_end(xp.add_quarters(p.ref_quarter, -4)) if start is None else ibis.literal(start)
    days = p.select(*KEYS, day_to=to_day, day_from=from_day.cast("date"))
    at_to = _jobs_on(src, days.select(*KEYS, day=days.day_to))
    at_to = at_to.select(*KEYS, jobs_to=at_to.jobs)
    at_from = _jobs_on(src, days.select(*KEYS, day=days.day_from))
    at_from = at_from.select(*KEYS, jobs_from=at_from.jobs)
    j = left_join_on(at_to, at_from, list(KEYS))
    pct = ibis.ifelse(
        j.jobs_to > 0,
        (j.jobs_to - j.jobs_from).cast("float64") * 100.0 / j.jobs_to.cast("float64"),
        ibis.null("float64"),
    )
    return j.select(*KEYS, value=round_half_up(pct, 2))


# Public employer categories (RSZ annex 27, sector "Publiek") grouped into kinds of public body.
PUBLIC_BODY_TYPES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("FED", "federale overheidsdienst", "federal government service", ("001", "050", "134", "411", "437")),
    (
        "ION",
        "instelling van openbaar nut",
        "public-interest institution",
        ("040", "045", "046", "096", "146", "175", "245", "246", "296", "496", "596"),
    ),
    ("AOB", "autonoom overheidsbedrijf", "autonomous public enterprise", ("346", "347", "350", "351")),
    (
        "LOK",
        "provinciaal of plaatselijk bestuur (incl. OCMW en lokale politie)",
        "provincial or local authority (incl. OCMW and local police)",
        ("750", "751", "752", "753", "754", "772"),
    ),
    (
        "ZKH",
        "openbaar ziekenhuis",
        "public hospital",
        ("101", "140", "145", "150", "196", "272", "372"),
    ),
    ("OND", "onderwijs", "education", ("075", "396")),
    ("KRED", "openbare kredietinstelling", "public credit institution", ("440", "441", "445")),
)
OTHER_PUBLIC = "OVER"
NOT_PUBLIC = "PRIV"


def public_body_type(src: Sources, points: ir.Table) -> ir.Table:
    """Kind of public body from the RSZ employer category; other public categories and employers marked
    ``PUBL`` without a public category -> OVER; private employers -> PRIV."""
    j = _employer(src, points, "employer_category", "public_private")
    branches = [
        (j.employer_category.isin(list(codes)), ibis.literal(code)) for code, _, _, codes in PUBLIC_BODY_TYPES
    ]
    value = ibis.cases(
        *branches,
        (j.employer_category.isin(sorted(_public_categories())), ibis.literal(OTHER_PUBLIC)),
        (j.public_private == "PUBL", ibis.literal(OTHER_PUBLIC)),
        (j.public_private == "PRIV", ibis.literal(NOT_PUBLIC)),
        else_=ibis.null("string"),
    )
    return j.select(*KEYS, value=value)


@cache
def _public_categories() -> frozenset[str]:
    df = codelists.load("employer_categories")
    return frozenset(df.loc[df["Sector"] == "Publiek", "Code"].str.strip())


def public_body_type_labels() -> dict[str, str]:
    labels = {code: nl for code, nl, _, _ in PUBLIC_BODY_TYPES}
    labels[OTHER_PUBLIC] = "andere overheidswerkgever"
    labels[NOT_PUBLIC] = "geen overheidsinstantie (privésector)"
    return labels


# ------------------------------------------------------------------ S001-2: the UGent survey
SURVEY: tuple[tuple[str, str, str], ...] = (
    ("innovation", "mate van innovatie", "degree of innovation"),
    ("board_category", "categorie van bestuurder", "category of board members"),
    ("board_cooperation", "samenwerking in de raad van bestuur", "cooperation in the board"),
    ("board_decision_making", "besluitvorming in de raad van bestuur", "decision making in the board"),
    ("board_consensus", "eensgezindheid in de raad van bestuur", "consensus in the board"),
    ("board_tasks", "taken van de raad van bestuur", "tasks of the board"),
    ("operation", "werking", "operation"),
    ("hr_policy", "personeelsbeleid", "HR policy"),
    ("staff_coaching", "begeleiding van de medewerkers", "coaching of the staff"),
    ("policy_plan_satisfaction", "beleidsplan werktevredenheid", "policy plan on job satisfaction"),
    ("policy_plan_diversity", "beleidsplan diversiteit", "policy plan on diversity"),
    ("policy_plan_training", "beleidsplan opleiding", "policy plan on training"),
    (
        "proactive_recruitment",
        "proactieve aanwerving van kansengroepen",
        "proactive recruitment of disadvantaged groups",
    ),
    ("supplier_territory", "territoriaal niveau van de leveranciers", "territorial level of suppliers"),
    ("customer_territory", "territoriaal niveau van de afnemers", "territorial level of customers"),
    ("community_activities", "activiteiten in relatie met de samenleving", "community activities"),
    ("environmental_effort", "inspanningen voor het milieu", "environmental effort"),
    ("environmental_goals", "nastreven van milieudoelen", "pursuit of environmental goals"),
    ("renewable_energy", "gebruik van hernieuwbare energie", "use of renewable energy"),
    (
        "stakeholder_needs",
        "doelstellingen beantwoorden aan de behoeften van belanghebbenden",
        "goals meet stakeholders' needs",
    ),
    ("goal_clarity", "duidelijkheid van de doelstellingen", "clarity of the goals"),
    ("partnerships", "samenwerkingsverbanden", "partnerships"),
)
"""Column of ``se_employer_survey`` (variable ``survey_<column>``), Dutch and English label."""


def _survey(column: str) -> Callable[[Sources, ir.Table], ir.Table]:
    def derive(src: Sources, points: ir.Table) -> ir.Table:
        def build() -> ir.Table:
            s = src.table("se_employer_survey")
            # One answer per employer is expected; should a file repeat one, the latest answer counts.
            rank = ibis.row_number().over(
                ibis.window(group_by="enterprise_number", order_by=[ibis.desc(s.survey_date)])
            )
            return s.mutate(_rank=rank).filter(ibis._._rank == 0).drop("_rank")

        answers = src.memo("se_employer_survey_latest@all", build)
        j = left_join_on(_points(points), answers.select("enterprise_number", column), ["enterprise_number"])
        return j.select(*KEYS, value=j[column])

    derive.__name__ = f"survey_{column}"
    return derive


def _survey_labels(column: str) -> Callable[[], dict[str, str]]:
    def labels() -> dict[str, str]:
        from crossroads.warehouse.schema import table

        codelist = table("se_employer_survey").field(column).codelist
        return dict(ENUMS.get(codelist or "", {}))

    return labels


# ------------------------------------------------------------------ the variables
EMPLOYER = ("employer",)
DMFA_EMPLOYER = ("dmfa_employer_declaration", "dmfa_natural_person", "dmfa_worker_line", "dmfa_occupation")
LISTS = ("se_employers", "recognised_cooperatives", "social_purpose_companies")
LIST_AT_DATE = (
    "the agency's list (se_employers) applies when its reference date falls in the point's quarter "
    "(the latest such list)"
)
LEVEL_TEXT = (
    "Option level: arrondissement_or_central_city (default; the municipality's NIS5 code when it is one of "
    "the 13 Flemish central cities - Antwerpen, Gent, Brugge, Leuven, Mechelen, Aalst, Kortrijk, Hasselt, "
    "Sint-Niklaas, Oostende, Genk, Roeselare, Turnhout - else its arrondissement's NIS code), municipality "
    "(NIS5), arrondissement, province (04000 for the Brussels-Capital Region)."
)

VARIABLES: tuple[Variable, ...] = (
    Variable(
        "employer_nace",
        "NACE-code van de werkgever",
        "NACE code of the employer",
        "employer",
        EMPLOYER,
        employer_nace,
        "Main activity of the employer in the registers (employer.nace, NACE-BEL 2008, five digits). The "
        "employer-level counterpart of nace, which describes a person's main job.",
        labels=employment.nace_labels,
        requirement="S001-3",
    ),
    Variable(
        "employer_size_class",
        "grootteklasse van de werkgever",
        "employer size class",
        "employer",
        ("employer_year",),
        employer_size_class,
        "RSZ size class (workers at 31 December) of the year of the measurement day "
        "(employer_year.size_class); empty without a row that year. The employer-level counterpart of "
        "employer_size, which describes a person's main job.",
        labels=employment.size_labels,
        requirement="S001-3",
    ),
    Variable(
        "activity_sector",
        "activiteitensector",
        "activity sector",
        "employer",
        EMPLOYER,
        activity_sector,
        "Sector of the employer's main activity (employer.nace, NACE-BEL 2008) in the Eurostat NACE Rev. 2 "
        "high-level aggregation A*10 by division: A 01-03, B-E 05-39, F 41-43, G-I 45-56, J 58-63, "
        "K 64-66, L 68, M-N 69-82, O-Q 84-88, R-U 90-99; empty without a NACE code.",
        labels=activity_sector_labels,
        requirement="S001-3",
    ),
    Variable(
        "employer_location",
        "vestigingsplaats van de werkgever",
        "location of the employer",
        "employer",
        EMPLOYER,
        employer_location,
        "Place of the employer's registered office (employer.nis_code). " + LEVEL_TEXT,
        labels=place_labels,
        requirement="S001-3",
        options=("level",),
    ),
    Variable(
        "local_unit_location",
        "vestigingsplaats van de lokale eenheid",
        "location of the local unit",
        "employer",
        (*DMFA_EMPLOYER, "local_unit"),
        local_unit_location,
        "Place of the employer's main local unit in the quarter: the unit named on most DmfA worker lines "
        "of the employer in that quarter (ties: lowest unit number; empty when no line names a unit), "
        "municipality from local_unit.nis_code. " + LEVEL_TEXT,
        labels=place_labels,
        requirement="S001-3",
        options=("level",),
    ),
    Variable(
        "organisation_type",
        "organisatietype",
        "organisation type",
        "employer",
        (*EMPLOYER, *LISTS),
        organisation_type,
        "S001-3's organisation type: SIE when the employer is on the subsidy agency's list of social "
        "inclusion economy employers, else COOP when on the list of recognised cooperatives, else VSO when "
        "on the list of social-purpose companies (each list applies when its reference date falls in the "
        "point's quarter); otherwise the legal type in the registers (employer.organisation_type: REG, "
        "VZW, COOP, VSO, PUB).",
        labels=organisation_type_labels,
        requirement="S001-3",
    ),
    Variable(
        "work_form",
        "werkvorm",
        "work form",
        "employer",
        (*EMPLOYER, "se_employers"),
        work_form,
        "Social-economy work form: the subsidy agency's (se_employers.work_form) when the employer is on "
        "its list and the list gives one - " + LIST_AT_DATE + " -, else the registers' employer.work_form "
        "(NONE = no social-economy form). The provider's value wins whether or not the request names "
        "source: se_employer_list, so one column never mixes two meanings for one employer.",
        labels=_enum_labels("work_form"),
        requirement="S001-3",
    ),
    Variable(
        "provider_activity",
        "activiteit (volgens het subsidieagentschap)",
        "activity (according to the subsidy agency)",
        "employer",
        ("se_employers",),
        _provider_field("activity"),
        "se_employers.activity; " + LIST_AT_DATE + "; empty for an employer not on the list.",
        labels=_enum_labels("se_activity"),
        requirement="S001-1",
    ),
    Variable(
        "provider_sector",
        "sector (volgens het subsidieagentschap)",
        "sector (according to the subsidy agency)",
        "employer",
        ("se_employers",),
        _provider_field("sector"),
        "se_employers.sector; " + LIST_AT_DATE + "; empty for an employer not on the list.",
        labels=_enum_labels("se_sector"),
        requirement="S001-1",
    ),
    *[
        Variable(
            name,
            label_nl,
            label_en,
            "employer",
            ("employer_year",),
            _ratio(RATIOS[name]),
            f"{what} from the annual accounts of the year of the measurement day "
            f"(employer_year.{RATIOS[name]}); empty without accounts that year. Default classes: the "
            f"scheme {name} (a ratio, not an amount: the EUR classes of amount_generic would put every "
            "value in their first class).",
            "float",
            scheme=name,
            requirement="S001-3",
        )
        for name, label_nl, label_en, what in (
            (
                "liquidity_ratio",
                "liquiditeit",
                "liquidity ratio",
                "Current ratio (current assets / short-term debts)",
            ),
            ("solvency_ratio", "solvabiliteit", "solvency ratio", "Equity / total assets"),
            ("profitability_ratio", "rentabiliteit", "profitability ratio", "Return on equity"),
            ("credit_policy_ratio", "kredietbeleid", "credit policy ratio", "Days of customer credit"),
            (
                "investment_policy_ratio",
                "investeringsbeleid",
                "investment policy ratio",
                "Investments / value added",
            ),
        )
    ],
    Variable(
        "employer_municipality",
        "gemeente van de werkgever",
        "municipality of the employer",
        "employer",
        EMPLOYER,
        employer_municipality,
        "NIS5 code (2025 map) of the municipality of the employer's registered office (employer.nis_code).",
        labels=municipality_labels,
        requirement="S001-6",
    ),
    Variable(
        "employer_jobs",
        "aantal arbeidsplaatsen",
        "number of jobs",
        "employer",
        DMFA_EMPLOYER,
        employer_jobs,
        "Jobs at the employer on the measurement day: persons with at least one DmfA occupation at the "
        "employer whose start and end dates cover the day (declaration of the day's quarter; all workers "
        "of the employer, not only the permit's population); 0 when none.",
        "int",
        requirement="S001-5",
    ),
    Variable(
        "employer_jobs_fte_class",
        "aantal arbeidsplaatsen in voltijdsequivalenten (klasse)",
        "jobs in full-time equivalents (class)",
        "employer",
        DMFA_EMPLOYER,
        employer_jobs_fte,
        "FTE of the jobs of employer_jobs on the measurement day: per person the mean weekly hours of the "
        "worker / of the reference person, summed over the person's occupations covering the day and "
        "capped at 1, summed over the persons (2 decimals); in the classes of the scheme employer_fte (the "
        "bounds of the RSZ size classes: <1, 1-<5, 5-<10, ... 1000+ FTE).",
        "float",
        scheme="employer_fte",
        requirement="S001-5",
    ),
    Variable(
        "employer_turnover_pct",
        "turnover van de onderneming (%)",
        "employer turnover (%)",
        "employer",
        DMFA_EMPLOYER,
        employer_turnover_pct,
        "As the deliberation defines it (S001-5): the difference in the number of jobs between the day "
        "'from' and the day 'to', as a percentage of the jobs on 'to': 100 x (J(to) - J(from)) / J(to), "
        "J counted as in employer_jobs; 2 decimals; empty when J(to) = 0. A net change of the job stock, "
        "not gross labour turnover (hires and separations). Options from and to (dates YYYY-MM-DD); "
        "defaults: to = the measurement day, from = the same quarter end one year earlier.",
        "float",
        requirement="S001-5",
        options=("from", "to"),
    ),
    Variable(
        "public_body_type",
        "type overheidsinstantie",
        "type of public body",
        "employer",
        EMPLOYER,
        public_body_type,
        "Kind of public body from the RSZ employer category (annex 27): FED federal service (001, 050, "
        "134, 411, 437), ION public-interest institution (040, 045, 046, 096, 146, 175, 245, 246, 296, 496, "
        "596), AOB autonomous public enterprise (346, 347, 350, 351), LOK provincial or local authority "
        "(750-754, 772), ZKH public hospital (101, 140, 145, 150, 196, 272, 372), OND education (075, "
        "396), KRED public credit institution (440, 441, 445); OVER another category of annex 27's public "
        "sector or an employer marked public (employer.public_private = PUBL) with a private category; "
        "PRIV private sector.",
        labels=public_body_type_labels,
        requirement="S001-5",
    ),
    *[
        Variable(
            f"survey_{column}",
            f"bevraging: {label_nl}",
            f"survey: {label_en}",
            "employer",
            ("se_employer_survey",),
            _survey(column),
            f"Answer code of the UGent survey of social enterprises (se_employer_survey.{column}), linked "
            "on the enterprise number (S001-2; a one-off survey, not dated against the measurement day; "
            "the latest answer if an employer answered twice); empty for employers without an answer.",
            labels=_survey_labels(column),
            requirement="S001-2",
        )
        for column, label_nl, label_en in SURVEY
    ],
)
