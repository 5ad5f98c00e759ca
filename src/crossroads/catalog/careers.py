"""Catalog variables: careers per person and quarter (21/128 S003-3, 15/018 S001-8; issue 6).

The labour-market file of 21/128 asks for the KSZ DWH's job variables (numbers of jobs, importance code,
cumulative part-time percentage, days, two FTE measures, worker class, local unit) and the self-employment,
unemployment, leefloon and invalidity status at the end of each quarter. Conventions follow the DWH:

- A wage job ("arbeidsprestatie in loondienst") is the combination person x employer (enterprise number) in
  the DmfA: since the DmfA (2003) the KSZ counts INSZ x employer as one job, whatever the number of worker
  and occupation lines. Job counts are taken **on the last day of the quarter** (KSZ ``Jobs_lnd``): an
  occupation counts when it has no end date or ends on or after that day.
- The job variables of a person-quarter row describe the **main job** of ``jobs.main_jobs`` (largest FTE),
  the same job whose employer the engine attaches to the row, so every job variable of a row agrees.
- Service codes (DmfA annex 8) are grouped as the DmfA instructions group them: codes 1-15, 41, 42, 101, 102
  and 110 are time covered by wage (incl. holidays); 20-26, 31, 33, 43 and 50-77 are assimilated days
  (absence without wage, assimilated with work for social-security rights, mostly covered by a
  replacement income); 30, 32, 80 and 301 (unpaid, fictitious or exempt time) are in neither group.
- Status variables (self-employment, unemployment, leefloon, incapacity) read the spell covering the
  quarter's last day (``spell_at``).

Building blocks, computed once per run through ``Sources.memo``: ``_career_occupations`` starts from
``jobs.occupations`` (read-only here) and adds the service split, the FTEs and the worker line;
``_career_jobs`` ranks the wage jobs of a quarter in the KSZ order of importance; ``_career_quarters`` holds
one row per person and quarter with everything the job variables publish, joined once to the points
(``_quarters_at``, built for the points' quarters only), so each variable selects its columns.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import ibis
import ibis.expr.types as ir

from crossroads import classes, codelists
from crossroads.catalog import employment, jobs
from crossroads.catalog import periods as xp
from crossroads.catalog.model import (
    POINT_KEY,
    Sources,
    Variable,
    left_join_on,
    point_key,
    round_half_up,
    spell_at,
)
from crossroads.warehouse.schema import ENUMS

WEEKS_PER_QUARTER = jobs.WEEKS_PER_QUARTER

PAID_SERVICE_CODES = jobs.PAID_SERVICE_CODES
ASSIMILATED_SERVICE_CODES = jobs.ASSIMILATED_SERVICE_CODES

MAIN_SELF_EMPLOYMENT = ("MAIN", "PENS")
"""Qualities for which a self-employed activity outranks a wage job that is not full-time (KSZ Belangcd:
self-employment as main occupation or after the pension age)."""
_QUALITY_ORDER = ("MAIN", "PENS", "SEC", "HELP", "SPOUSE")
"""When self-employment spells overlap, the most important quality describes the person."""
TEMPORARY_UNEMPLOYMENT = "TIJD"

DMFA = ("dmfa_employer_declaration", "dmfa_natural_person", "dmfa_worker_line", "dmfa_occupation")
DMFA_PAY = (*DMFA, "dmfa_service", "dmfa_remuneration")


# ------------------------------------------------------------------ building blocks
def _build_career_occupations(src: Sources) -> ir.Table:
    # Everything from ``jobs.occupations`` (which splits the services in the same pass as its own sums):
    # no DmfA table is read again here.
    occ = jobs.occupations(src)
    j = occ.select(
        "insz",
        "quarter",
        "occupation_id",
        "enterprise_number",
        "end_date",
        "days_per_week",
        "mean_hours_worker",
        "mean_hours_reference",
        "contract_type",
        "ordinary_cents",
        "is_main_job",
        "worker_code",
        "local_unit",
        days_all=occ.days,
        days_paid=occ.wage_days,
        hours_paid_declared=occ.wage_hours_declared,
        days_paid_no_hours=occ.wage_days_no_hours,
        days_assim=occ.assimilated_days,
        hours_assim_declared=occ.assimilated_hours_declared,
        days_assim_no_hours=occ.assimilated_days_no_hours,
    )
    # As in ``jobs``: days declared without hours count the worker's hours per day of the regime.
    per_day = ibis.ifelse(j.days_per_week > 0, j.mean_hours_worker / j.days_per_week, ibis.null("float64"))
    hours_paid = j.hours_paid_declared.fill_null(0) + j.days_paid_no_hours.fill_null(0) * per_day
    hours_assim = j.hours_assim_declared.fill_null(0) + j.days_assim_no_hours.fill_null(0) * per_day
    quarter_hours = j.mean_hours_reference * WEEKS_PER_QUARTER

    def fte(hours: ir.FloatingValue) -> ir.FloatingValue:
        return ibis.ifelse(j.mean_hours_reference > 0, hours / quarter_hours, ibis.null("float64"))

    return j.select(
        "insz",
        "quarter",
        "occupation_id",
        "enterprise_number",
        "contract_type",
        "ordinary_cents",
        "is_main_job",
        "worker_code",
        "local_unit",
        # Still running on the quarter's last day (the points' ref_date): the KSZ counts jobs on that day.
        running=(j.end_date.isnull() | (j.end_date >= xp.quarter_end(j.quarter))).cast("int32"),
        days_all=j.days_all.fill_null(0),
        days_paid=j.days_paid.fill_null(0),
        days_assim=j.days_assim.fill_null(0),
        hours_paid=hours_paid,
        fte_paid=fte(hours_paid),
        fte_assim=fte(hours_assim),
        part_time_pct=ibis.ifelse(
            j.mean_hours_reference > 0,
            j.mean_hours_worker * 100.0 / j.mean_hours_reference,
            ibis.null("float64"),
        ),
    )


def _career_occupations(src: Sources) -> ir.Table:
    """Every occupation of the persons in scope with its service split, FTEs and worker line.

    Not stored: read once per set of points (``_quarters_at``), storing it copied the flattened DmfA."""
    return _build_career_occupations(src)


_BY = ("insz", "quarter")
"""The columns of ``_career_occupations`` that name a person and quarter."""


def _career_jobs(occ: ir.Table, by: tuple[str, ...] = _BY) -> ir.Table:
    """Wage jobs (person x employer x quarter) of ``occ`` in the KSZ order of importance (``job_order`` 0 =
    first): running on the last day, highest ordinary pay, full time, most paid days (hours when part time),
    most assimilated days, enterprise number.

    Each job carries its occupations' part of the person-quarter sums and whether it holds the quarter's main
    occupation (``main``, with that occupation's part-time percentage): ``_career_quarters`` adds them up per
    quarter from these rows alone.
    ``by``: the columns of a person and quarter (``_career_quarters``)."""
    main = occ.is_main_job
    running = occ.running == 1
    per_job = occ.group_by(*by, "enterprise_number").aggregate(
        active=occ.running.max(),
        gross=occ.ordinary_cents.fill_null(0).sum(),
        full_time=(occ.contract_type == 0).cast("int32").max(),
        days=occ.days_paid.sum(),
        hours=occ.hours_paid.sum(),
        assimilated=occ.days_assim.sum(),
        days_all=occ.days_all.sum(),
        fte_paid=occ.fte_paid.fill_null(0).sum(),
        fte_incl=(occ.fte_paid.fill_null(0) + occ.fte_assim.fill_null(0)).sum(),
        running_pct=occ.part_time_pct.sum(where=running),
        running_n=occ.running.sum(),
        main=main.any(),
        main_pct=occ.part_time_pct.max(where=main),
    )
    # Working days for a full-time job, working hours for a part-time one (full-time jobs rank first anyway).
    volume = ibis.ifelse(per_job.full_time == 1, per_job.days.cast("float64"), per_job.hours.cast("float64"))
    order = ibis.row_number().over(
        ibis.window(
            group_by=list(by),
            order_by=[
                ibis.desc(per_job.active),
                ibis.desc(per_job.gross),
                ibis.desc(per_job.full_time),
                ibis.desc(volume),
                ibis.desc(per_job.assimilated),
                per_job.enterprise_number,
            ],
        )
    )
    return per_job.mutate(job_order=order)


def _career_quarters(occ: ir.Table, by: tuple[str, ...] = _BY) -> ir.Table:
    """One row per person and quarter of ``occ``: the aggregates the job variables publish and the main
    job's (``jobs.main_jobs``) part-time percentage and KSZ order (its other columns: ``jobs.main_jobs_at``).

    Summed from the jobs of ``_career_jobs`` (one group of the occupations by job, one of the jobs by
    quarter): grouping the occupations by quarter as well, and joining the jobs' ranks back, cost half
    of this block (a slice of 21/128 at 0.1: 6.8 -> 4.1 CPU s). Days are whole numbers, summed exactly
    either way; an FTE summed per job first may differ from one flat sum in its last bit, far below the four
    decimals published (the files of 21/128 at 0.1 are identical).

    ``by``: the columns that name a person and quarter in ``occ``: ``insz`` and ``quarter``, or their point
    key alone (``model.POINT_KEY``), on which the groups, the ranking and the joins cost 4-6 % less (a slice
    of 21/128 at 0.1, the same rows)."""
    jb = _career_jobs(occ, by)
    main = jb.main
    return jb.group_by(*by).aggregate(
        days_all=jb.days_all.sum(),
        fte_paid=jb.fte_paid.sum(),
        fte_incl=jb.fte_incl.sum(),
        running_pct=jb.running_pct.sum(),
        running_n=jb.running_n.sum(),
        main_pct=jb.main_pct.max(),
        wage_jobs=jb.active.sum(),
        best_full_time=jb.full_time.max(where=jb.job_order == 0),
        main_job_order=jb.job_order.max(where=main),
    )


def _quarters_at(src: Sources, points: ir.Table) -> ir.Table:
    """``_career_quarters`` at each point's quarter, built once per stored set of points."""

    def at(quarters: ir.Table) -> ir.Table:
        j = jobs.at_points(points, quarters)
        return j.drop(*[c for c in j.columns if c.endswith("_right")])

    if not jobs.memoised_at(src, points):
        return at(src.memo("careers_quarters", lambda: _career_quarters(_career_occupations(src))))

    def build() -> ir.Table:
        # Every block is per person and quarter: only the points' persons (not the household members the
        # scope holds too) and quarters are aggregated (the DmfA spans 18 years, a dataset usually a few),
        # exactly as the whole history would give them. The persons and the span of quarters: a distinct
        # of every (person, quarter) of the points cost a third of the block.
        occ = _career_occupations(src).semi_join(points.select("insz").distinct(), "insz")
        occ = occ.filter(occ.quarter.between(points.ref_quarter.min(), points.ref_quarter.max()))
        if POINT_KEY not in points.columns:
            return at(_career_quarters(occ))
        # Points that carry their key: the block is built on the key alone and matched to them on it (and
        # keeps it, for the job counts that meet the self-employment spells on it).
        keyed = occ.mutate(**{POINT_KEY: point_key(occ.insz, occ.quarter)}).drop("insz", "quarter")
        p = points.select("insz", "ref_quarter", "ref_date", "ref_year", POINT_KEY)
        return p.join(_career_quarters(keyed, (POINT_KEY,)), POINT_KEY)

    return jobs.memo_at(src, "careers_quarters", points, build)


def _priority(column: ir.StringValue, order: tuple[str, ...]) -> ir.IntegerValue:
    """Position of a code in ``order`` (unknown codes last), for ordering overlapping spells."""
    return ibis.cases(*((column == c, i) for i, c in enumerate(order)), else_=len(order))


def _self_employment_at(src: Sources, points: ir.Table) -> ir.Table:
    """The self-employment spell covering the quarter's last day (the most important quality first).

    Found once per stored set of points: eight variables read it (21/128 asks five of them), and those that
    only pick one of its columns are then stored together (``extract._Derivations``) instead of each
    matching every point with the spells again (~0.3 s each in a slice of 21/128 at 0.1)."""

    def build() -> ir.Table:
        se = jobs.person_rows(src, "self_employment")
        se = se.mutate(_prio=_priority(se.quality, _QUALITY_ORDER))
        return spell_at(points, se, order_by=["_prio", ibis.desc("start_date")]).drop("_prio")

    return jobs.memo_at(src, "self_employment_spell", points, build)


def _unemployment_at(src: Sources, points: ir.Table) -> ir.Table:
    """The unemployment spell covering the last day; full unemployment before temporary unemployment.
    Found once per stored set of points (as ``_self_employment_at``)."""

    def build() -> ir.Table:
        u = jobs.person_rows(src, "unemployment")
        u = u.mutate(_prio=ibis.ifelse(u.status == TEMPORARY_UNEMPLOYMENT, 1, 0))
        return spell_at(points, u, order_by=["_prio", ibis.desc("start_date"), "status"]).drop("_prio")

    return jobs.memo_at(src, "unemployment_spell", points, build)


# ------------------------------------------------------------------ job variables
def jobs_wage_count(src: Sources, points: ir.Table) -> ir.Table:
    """Distinct employers with an occupation running on the quarter's last day; only the points with a
    DmfA occupation in the quarter (the others: 0, the variable's ``usual`` value)."""
    q = _quarters_at(src, points)
    return q.select("insz", "ref_quarter", value=q.wage_jobs.fill_null(0).cast("int32"))


def jobs_total_count(src: Sources, points: ir.Table) -> ir.Table:
    """Wage jobs on the last day + 1 when a self-employment spell (any quality) covers that day; only the
    points with an occupation in the quarter or such a spell (the others: 0, the ``usual`` value)."""
    q = _quarters_at(src, points)
    se = _self_employment_at(src, points).select("insz", "ref_quarter")
    keyed = POINT_KEY in q.columns
    # Met on the points' key where they carry it (the INSZ and quarter pair cost twice as much to join).
    on = [POINT_KEY] if keyed else ["insz", "ref_quarter"]
    if keyed:
        se = se.mutate(**{POINT_KEY: point_key(se.insz, se.ref_quarter)})
    flagged = se.select(*on, se_=ibis.literal(1))
    wage = left_join_on(
        q.select("insz", "ref_quarter", "wage_jobs", *([POINT_KEY] if keyed else [])), flagged, on
    )
    wage = wage.select(
        "insz", "ref_quarter", value=(wage.wage_jobs.fill_null(0) + wage.se_.fill_null(0)).cast("int32")
    )
    alone = se.anti_join(q.select(*on), on).select("insz", "ref_quarter", value=ibis.literal(1, "int32"))
    return wage.union(alone, distinct=False)


def importance_code(src: Sources, points: ir.Table) -> ir.Table:
    """KSZ ``Belangcd`` of the main job (the job the row describes) among the person's activities."""
    q = _quarters_at(src, points).select("insz", "ref_quarter", "main_job_order", "best_full_time")
    se = _self_employment_at(src, points)
    se_main = se.filter(se.quality.isin(MAIN_SELF_EMPLOYMENT)).select(
        "insz", "ref_quarter", se_main=ibis.literal(1)
    )
    j = left_join_on(q, se_main, ["insz", "ref_quarter"])
    # A main self-employed activity comes first unless the most important wage job is full time.
    shift = ibis.ifelse(j.se_main.notnull() & (j.best_full_time == 0), 1, 0)
    return j.select("insz", "ref_quarter", value=(j.main_job_order + 1 + shift).cast("string"))


def part_time_pct_cumulative(src: Sources, points: ir.Table) -> ir.Table:
    """Sum of the part-time percentages of the occupations running on the last day (else the main job's)."""
    q = _quarters_at(src, points)
    value = ibis.ifelse(q.running_n > 0, q.running_pct, q.main_pct)
    return q.select("insz", "ref_quarter", value=round_half_up(value, 1))


def days_in_service(src: Sources, points: ir.Table) -> ir.Table:
    """Days of all services (every service code) of all occupations of the quarter."""
    q = _quarters_at(src, points)
    return q.select("insz", "ref_quarter", value=round_half_up(q.days_all / 100.0, 2))


def fte_paid_days(src: Sources, points: ir.Table) -> ir.Table:
    """FTE of the paid and the assimilated days of all occupations of the quarter."""
    q = _quarters_at(src, points)
    return q.select("insz", "ref_quarter", value=round_half_up(q.fte_incl, 4))


def fte_excl_assimilated_days(src: Sources, points: ir.Table) -> ir.Table:
    """FTE of the paid days only (assimilated days excluded) of all occupations of the quarter."""
    q = _quarters_at(src, points)
    return q.select("insz", "ref_quarter", value=round_half_up(q.fte_paid, 4))


# Worker classes after the RSZ's Clatra: the worker code's type in DmfA annex 2.
WORKER_CLASSES: dict[str, str] = {
    "1": "arbeider",
    "2": "bediende",
    "3": "ambtenaar (statutair)",
    "4": "andere (studenten, stagiairs, mandatarissen, kunstenaars, zeevarenden, onthaalouders, ...)",
}


@cache
def worker_class_of_code() -> dict[str, str]:
    """Worker code -> class: 'handarbeiders' (incl. miners, domestic servants) 1, 'hoofdarbeiders' 2,
    statutory codes 6xx 3, everything else 4. A code listed twice takes its ordinary-contribution row."""
    df = codelists.load("worker_codes")
    preference = {"Gewone bijdrage": 0, "Fedris bijdrage": 1}
    rows = sorted(
        df.itertuples(index=False), key=lambda r: preference.get(str(r.TypeWerknemerskengetallen), 2)
    )
    out: dict[str, str] = {}
    for r in rows:
        code = str(r.Code).strip()
        if code in out:
            continue
        kind = str(r.TypeWerknemer).lower()
        if "handarbeider" in kind or "mijnwerker" in kind or "dienstbode" in kind:
            out[code] = "1"
        elif "hoofdarbeider" in kind:
            out[code] = "2"
        elif code.startswith("6"):
            out[code] = "3"
        else:
            out[code] = "4"
    return out


def worker_class(src: Sources, points: ir.Table) -> ir.Table:
    """Class of the main job's worker code (worker line, zone 00037); 4 for a code not in annex 2."""
    # The main job's columns come with it (``jobs.main_jobs_at``): carried through the career block's two
    # groupings, the worker code and local unit (strings) cost more than the rest of the block's sums.
    j = jobs.main_jobs_at(src, points)
    code = j.worker_code.strip()
    # One map lookup: a case of IN lists became two joins of every row with the lists on DuckDB (0.64 CPU s
    # for a slice of 21/128 at 0.1, against ~0.2 s).
    found = ibis.map(worker_class_of_code()).get(code, ibis.literal("4"))
    value = ibis.ifelse(code.isnull(), ibis.null("string"), found)
    return j.select("insz", "ref_quarter", value=value.cast("string"))


def local_unit_arrondissement(src: Sources, points: ir.Table) -> ir.Table:
    """Arrondissement (NIS) of the main job's local unit; the employer's only unit when none is declared."""
    j = jobs.main_jobs_at(src, points).select("insz", "ref_quarter", "enterprise_number", "local_unit")
    units = src.table("local_unit").select("unit_number", "enterprise_number", "nis_code")
    # Employers with a single site need not declare it (zone 00042): then that site is the unit.
    single = units.group_by("enterprise_number").aggregate(
        n=units.unit_number.nunique(), only_nis=units.nis_code.max()
    )
    single = single.filter(single.n == 1).select("enterprise_number", "only_nis")
    declared = units.select(local_unit=units.unit_number, declared_nis=units.nis_code)
    j = left_join_on(j, declared, ["local_unit"])
    j = left_join_on(j, single, ["enterprise_number"])
    nis = ibis.ifelse(j.local_unit.isnull(), j.only_nis, j.declared_nis)
    j = j.select("insz", "ref_quarter", nis_code=nis)
    geo = src.lookup("geography").select("nis_code", "arrondissement_nis")
    g = left_join_on(j, geo, ["nis_code"])
    return g.select("insz", "ref_quarter", value=g.arrondissement_nis)


def employer_kind(src: Sources, points: ir.Table) -> ir.Table:
    """Public or private sector of the employer (unit employer; the engine uses the main employer)."""
    emp = src.table("employer").select("enterprise_number", "public_private")
    p = points.select("enterprise_number", "ref_quarter")
    j = left_join_on(p, emp, ["enterprise_number"])
    return j.select("enterprise_number", "ref_quarter", value=j.public_private)


# ------------------------------------------------------------------ self-employment
def _self_employed(column: str) -> Callable[[Sources, ir.Table], ir.Table]:
    def derive(src: Sources, points: ir.Table) -> ir.Table:
        se = _self_employment_at(src, points)
        return se.select("insz", "ref_quarter", value=se[column])

    derive.__name__ = f"self_employed_{column}"
    derive.__doc__ = f"``self_employment.{column}`` of the spell covering the quarter's last day."
    return derive


def self_employed_income_class(src: Sources, points: ir.Table) -> ir.Table:
    """Net taxable income class of the self-employed for the quarter's year."""
    inc = jobs.person_rows(src, "self_employment_income")
    inc = inc.select("insz", "income_class", ref_year=inc.year.cast("int32"))
    p = points.select("insz", "ref_quarter", ref_year=points.ref_year.cast("int32"))
    j = p.join(inc, ["insz", "ref_year"])
    return j.select("insz", "ref_quarter", value=j.income_class)


# ------------------------------------------------------------------ benefits
def _months_between(start: ir.DateValue, end: ir.DateValue) -> ir.IntegerValue:
    """Completed calendar months from ``start`` to ``end`` (a month counts once its day is reached)."""
    months = (end.year() - start.year()) * 12 + (end.month() - start.month())
    return (months - ibis.ifelse(end.day() < start.day(), 1, 0)).cast("int32")


def unemployment_duration(src: Sources, points: ir.Table) -> ir.Table:
    """Completed months from the start of the unemployment period to the quarter's last day."""
    u = _unemployment_at(src, points)
    start = u.unemployment_start.fill_null(u.start_date)
    # A period recorded as starting after the day (an inconsistent record) has no duration yet.
    months = ibis.ifelse(start > u.ref_date, ibis.null("int32"), _months_between(start, u.ref_date))
    return u.select("insz", "ref_quarter", value=months)


def unemployment_status(src: Sources, points: ir.Table) -> ir.Table:
    u = _unemployment_at(src, points)
    return u.select("insz", "ref_quarter", value=u.status)


def _kind_at(table: str) -> Callable[[Sources, ir.Table], ir.Table]:
    def derive(src: Sources, points: ir.Table) -> ir.Table:
        s = spell_at(points, jobs.person_rows(src, table), order_by=[ibis.desc("start_date"), "kind"])
        return s.select("insz", "ref_quarter", value=s.kind)

    derive.__name__ = f"{table}_kind"
    return derive


# ------------------------------------------------------------------ labels
def importance_labels() -> dict[str, str]:
    ordinals = ("tweede", "derde", "vierde", "vijfde", "zesde", "zevende", "achtste", "negende")
    labels = {"1": "voornaamste arbeidsprestatie"}
    labels |= {str(i): f"{o} arbeidsprestatie in volgorde van belang" for i, o in enumerate(ordinals, 2)}
    return labels


def worker_class_labels() -> dict[str, str]:
    return dict(WORKER_CLASSES)


def arrondissement_labels() -> dict[str, str]:
    m = codelists.municipalities()
    return dict(
        sorted(
            {r.arrondissement_nis: f"arrondissement {r.arrondissement_nl}" for r in m.itertuples()}.items()
        )
    )


def _enum(name: str) -> Callable[[], dict[str, str]]:
    def labels() -> dict[str, str]:
        return dict(ENUMS[name])

    return labels


def income_class_labels() -> dict[str, str]:
    # The warehouse's income_class codes are those of the net_taxable_income scheme (0 none, 1-10 by 5,000).
    return classes.scheme("net_taxable_income").value_labels()


SELF_EMPLOYMENT = ("self_employment",)
_SE_SPELL = (
    "Of the self-employment spell (RSVZ) covering the quarter's last day; when spells overlap, the most "
    "important quality (main occupation, after pension, secondary, helper, assisting spouse), then the "
    "latest start. Empty without self-employment on that day."
)

VARIABLES: tuple[Variable, ...] = (
    # ------------------------------------------------------------ jobs (S003-3)
    Variable(
        "jobs_wage_count",
        "aantal beroepsactiviteiten in loondienst",
        "number of wage-earner jobs",
        "person-quarter",
        DMFA,
        jobs_wage_count,
        "KSZ Jobs_lnd: number of distinct employers (enterprise numbers) in the DmfA with an occupation of "
        "the quarter still running on its last day (no end date, or ending on or after that day); 0 without.",
        "int",
        requirement="S003-3",
        usual=0,
    ),
    Variable(
        "jobs_total_count",
        "totaal aantal beroepsactiviteiten",
        "total number of jobs",
        "person-quarter",
        (*DMFA, "self_employment"),
        jobs_total_count,
        "jobs_wage_count + 1 when a self-employment spell (RSVZ, any quality: main or secondary occupation, "
        "after pension, helper, assisting spouse) covers the quarter's last day.",
        "int",
        requirement="S003-3",
        usual=0,
    ),
    Variable(
        "importance_code",
        "belangrijkheidscode",
        "importance code",
        "person-quarter",
        (*DMFA_PAY, "self_employment"),
        importance_code,
        "KSZ Belangcd of the main job (largest FTE, the job the row's job variables describe) among the "
        "person's activities of the quarter. Wage jobs (person x employer) are ordered by: running on the "
        "quarter's last day, highest ordinary pay (remuneration code 1), full time before part time, most "
        "paid days (full time) or paid hours (part time), most assimilated days, enterprise number. A "
        "self-employed activity as main occupation or after pension (quality MAIN/PENS on the last day) "
        "comes first when the most important wage job is not full time, pushing the wage jobs to 2, 3, ...; "
        "otherwise it comes after them. 1 = the main job is the person's most important activity. Empty "
        "without a wage job in the quarter.",
        labels=importance_labels,
        requirement="S003-3",
    ),
    Variable(
        "part_time_pct_cumulative",
        "gecumuleerd percentage deeltijdse arbeid",
        "cumulative part-time percentage",
        "person-quarter",
        DMFA,
        part_time_pct_cumulative,
        "Sum over the occupations running on the quarter's last day of mean weekly hours of the worker / "
        "of the reference person x 100 (zones 00048/00049); when none runs on that day, the main job's "
        "percentage. Can exceed 100 with several jobs.",
        "float",
        requirement="S003-3",
    ),
    Variable(
        "days_in_service",
        "aantal dagen in dienst",
        "days in service",
        "person-quarter",
        (*DMFA, "dmfa_service"),
        days_in_service,
        "Sum of the days of all services (zone 00063, every service code) of all occupations of the "
        "quarter, in days (the DmfA's hundredths / 100).",
        "float",
        requirement="S003-3",
    ),
    Variable(
        "fte_paid_days",
        "voltijds equivalent betaalde dagen",
        "FTE of paid days",
        "person-quarter",
        (*DMFA, "dmfa_service"),
        fte_paid_days,
        "FTE including assimilated days, summed over the quarter's occupations: hours of the paid service "
        "codes (1-15, 41, 42, 101, 102, 110) and the assimilated ones (20-26, 31, 33, 43, 50-77) / "
        "(reference person's weekly hours x 13). Days declared without hours count the worker's hours "
        "per day (mean weekly hours / days per week). Codes 30, 32, 80 and 301 are left out.",
        "float",
        requirement="S003-3",
    ),
    Variable(
        "fte_excl_assimilated_days",
        "voltijds equivalent exclusief gelijkgestelde dagen",
        "FTE excluding assimilated days",
        "person-quarter",
        (*DMFA, "dmfa_service"),
        fte_excl_assimilated_days,
        "As fte_paid_days with the paid service codes only (1-15, 41, 42, 101, 102, 110: time covered by "
        "wage, holidays included): the RSZ's FTE excluding assimilated days.",
        "float",
        requirement="S003-3",
    ),
    Variable(
        "worker_class",
        "werknemersklasse",
        "worker class",
        "person-quarter",
        DMFA,
        worker_class,
        "Worker code (zone 00037) of the main job's worker line grouped after the RSZ Clatra by its type in "
        "DmfA annex 2: 1 blue-collar ('handarbeiders', miners, domestic servants), 2 white-collar "
        "('hoofdarbeiders'), 3 statutory staff (codes 6xx), 4 other (students, trainees, office holders, "
        "artists, seafarers, childminders and codes not in the annex).",
        labels=worker_class_labels,
        requirement="S003-3",
    ),
    Variable(
        "local_unit_arrondissement",
        "arrondissement van de lokale vestigingseenheid",
        "arrondissement of the local unit",
        "person-quarter",
        (*DMFA, "local_unit"),
        local_unit_arrondissement,
        "NIS arrondissement of the municipality of the main job's local unit (worker line zone 00042 -> "
        "local_unit.nis_code). When the worker line declares no unit and the employer has exactly one "
        "local unit, that unit (single-site employers need not declare it); otherwise empty.",
        labels=arrondissement_labels,
        requirement="S003-3",
    ),
    Variable(
        "employer_kind",
        "aard van de werkgever",
        "kind of employer",
        "employer",
        ("employer",),
        employer_kind,
        "Public or private sector of the employer (employer.public_private: PRIV / PUBL); in person "
        "datasets that of the main employer of the quarter.",
        labels=_enum("public_private"),
        requirement="S003-3",
    ),
    # ------------------------------------------------------------ self-employment (S003-3, S001-8)
    Variable(
        "self_employed_affiliation_date",
        "datum van aansluiting als zelfstandige",
        "self-employed affiliation date",
        "person-quarter",
        SELF_EMPLOYMENT,
        _self_employed("affiliation_date"),
        f"Affiliation date. {_SE_SPELL} Published as year-month.",
        scheme="year_month",
        requirement="S003-3",
    ),
    Variable(
        "self_employed_profession",
        "beroep van de zelfstandige",
        "profession of the self-employed",
        "person-quarter",
        SELF_EMPLOYMENT,
        _self_employed("profession"),
        f"Profession as the RSVZ records it. {_SE_SPELL}",
        requirement="S003-3",
    ),
    Variable(
        "self_employed_sector",
        "activiteitensector van de zelfstandige",
        "sector of the self-employed",
        "person-quarter",
        SELF_EMPLOYMENT,
        _self_employed("sector"),
        f"Sector as the RSVZ records it. {_SE_SPELL}",
        requirement="S003-3",
    ),
    Variable(
        "self_employed_income_class",
        "netto belastbaar inkomen van de zelfstandige (klasse)",
        "net taxable income class of the self-employed",
        "person-quarter",
        ("self_employment_income",),
        self_employed_income_class,
        "Class of the net taxable professional income of the self-employed for the quarter's year, as "
        "delivered (self_employment_income.income_class: 0 none, 1-10 by EUR 5,000, 10 = over 45,000). "
        "Already a class: no amount scheme applies.",
        labels=income_class_labels,
        requirement="S003-3",
    ),
    Variable(
        "self_employed_quality",
        "hoedanigheid van de zelfstandige",
        "quality of the self-employed",
        "person-quarter",
        SELF_EMPLOYMENT,
        _self_employed("quality"),
        f"Quality: main or secondary occupation, after pension, helper, assisting spouse. {_SE_SPELL}",
        labels=_enum("self_employment_quality"),
        requirement="S001-8",
    ),
    Variable(
        "self_employed_nace",
        "NACE-code van de zelfstandige",
        "NACE code of the self-employed",
        "person-quarter",
        SELF_EMPLOYMENT,
        _self_employed("nace"),
        f"Activity of the self-employed, NACE-BEL 2008 five digits. {_SE_SPELL}",
        labels=employment.nace_labels,
        requirement="S001-8",
    ),
    Variable(
        "self_employed_contribution_code",
        "bijdragecode van de zelfstandige",
        "contribution code of the self-employed",
        "person-quarter",
        SELF_EMPLOYMENT,
        _self_employed("contribution_code"),
        f"Social-contribution category (RSVZ) at the start of the spell. {_SE_SPELL}",
        labels=_enum("self_employment_contribution"),
        requirement="S001-8",
    ),
    # ------------------------------------------------------------ benefits (S003-3)
    Variable(
        "unemployment_duration",
        "werkloosheidsduur (maanden)",
        "unemployment duration (months)",
        "person-quarter",
        ("unemployment",),
        unemployment_duration,
        "Completed calendar months from the start of the unemployment period (unemployment_start, else the "
        "spell's start) to the quarter's last day, for the unemployment spell covering that day (the same "
        "spell as unemployment_status: full before temporary unemployment, then the latest start). A month "
        "counts once its day of the month is reached. Empty without unemployment on that day.",
        "int",
        requirement="S003-3",
    ),
    Variable(
        "unemployment_status",
        "werkloosheidsstatuut",
        "unemployment status",
        "person-quarter",
        ("unemployment",),
        unemployment_status,
        "Status (RVA) of the unemployment spell covering the quarter's last day; when spells overlap, full "
        "unemployment before temporary unemployment (TIJD), then the latest start. Empty without.",
        labels=_enum("unemployment_status"),
        requirement="S003-3",
    ),
    Variable(
        "social_assistance_status",
        "leefloonstatuut",
        "social assistance (leefloon) status",
        "person-quarter",
        ("social_assistance",),
        _kind_at("social_assistance"),
        "Kind of the leefloon / financial aid spell (POD MI) covering the quarter's last day: LL leefloon, "
        "EQ equivalent (financial aid), OTH other; the latest start when spells overlap. Empty without.",
        labels=_enum("assistance_kind"),
        requirement="S003-3",
    ),
    Variable(
        "invalidity_status",
        "invaliditeitsstatuut",
        "invalidity status",
        "person-quarter",
        ("incapacity",),
        _kind_at("incapacity"),
        "Kind of the incapacity spell (RIZIV) covering the quarter's last day: PRIM primary incapacity, "
        "INV invalidity, MAT maternity rest, ACC work accident / occupational disease; the latest start "
        "when spells overlap. Empty without.",
        labels=_enum("incapacity_kind"),
        requirement="S003-3",
    ),
)
