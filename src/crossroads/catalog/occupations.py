"""Job variables of the 15/018 employment file (S001-5): one value per job = person x employer x quarter.

A *job* is everything a person declared by one employer (enterprise number) in one DmfA quarter: one or
more worker lines (block 90012; a new line whenever the contribution rate changes, e.g. blue- to
white-collar) with their occupations (block 90015). Derivations receive the job points (``insz``,
``enterprise_number``, ``ref_quarter``, ``ref_date``, ``ref_year``) and return a value only for points
that are jobs in the DmfA.

Rules shared by the variables (see each description):
- Characteristics of "the job" (worker code, status, regime, wage) are those of the job's **main
  occupation**: the largest FTE (``jobs.occupations``), ties to the lowest occupation number, the same
  rule as the person's main job of 21/150 but within the job.
- Amounts (contributions, reductions) add up every worker line / occupation of the job (option
  ``level: job``) or of every worker the employer declared in that quarter (``level: employer``; also the
  persons outside the population, read from the DmfA directly, not from the run's scope).
- Employer reductions are the occupation (90109) and worker-line (90110) deductions except the
  reductions of the worker's *personal* contributions (annex 4 codes described as "persoonlijke
  bijdragen": 0001 werkbonus, 0501, 0600, 0601, 0611; DOMAIN.md section 6, step 5).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import ibis
import ibis.expr.types as ir

from crossroads import codelists
from crossroads.catalog import jobs
from crossroads.catalog.employment import DAILY_WAGE_HOURS, yes_no_labels
from crossroads.catalog.model import Sources, Variable, left_join_on, round_half_up

REQUIREMENT = "S001-5"
JOB_KEYS = ("insz", "enterprise_number", "ref_quarter")
NONE_CODE = "-"
"""Value of the code variables for a job without the item (no reduction, no measure, no status)."""

DMFA_LINES = ("dmfa_employer_declaration", "dmfa_natural_person", "dmfa_worker_line")
DMFA_OCC = (*DMFA_LINES, "dmfa_occupation")
DMFA_PAY = (*DMFA_OCC, "dmfa_service", "dmfa_remuneration")

LEVELS = ("job", "employer")
"""Option ``level`` of the amounts: this job's worker lines, or the employer's total of the quarter."""

WEEKS_PER_QUARTER = jobs.WEEKS_PER_QUARTER

# --- fte_days_quarter: which service codes (annex 8) count as days.
FTE_DEFINITIONS = ("1", "2")
PAID_SERVICE_CODES = jobs.PAID_SERVICE_CODES
"""Definition 2 (DOMAIN.md section 8, "actual FTE excluding assimilated days") counts the days of these
codes only (``jobs.PAID_SERVICE_CODES``); definition 1 the days of every service code."""

# --- worker_type: the worker code (zone 00037, annex 2) of the main occupation's worker line.
WORKER_TYPES: dict[str, str] = {
    "1": "arbeider (handarbeider)",
    "2": "bediende (hoofdarbeider)",
    "3": "statutair personeelslid (overheid)",
    "4": "student (solidariteitsbijdrage)",
    "5": "ander werknemerskengetal (mandataris, stagiair, ...)",
}
STUDENT_WORKER_CODES = ("840", "841")
MANDATE_WORKER_CODES = ("404", "405", "406", "407")
"""Local and parliamentary mandates: 4xx codes that are not white-collar employees."""

# --- voucher_employment and temp_agency_employment (DOMAIN.md section 6, annexes 26 and 27).
VOUCHER_REMUNERATION_METHOD = "3"
"""Zone 00056 remuneration method 3: paid through the service-voucher system."""
TEMP_AGENCY_JOINT_COMMITTEES = ("322", "322.00")
"""PC 322 itself (temporary agency work); its subcommittee 322.01 is the service-voucher sector."""
TEMP_AGENCY_EMPLOYER_CATEGORIES = ("097", "224", "226", "244", "254", "497")
"""Annex 27 categories reserved for temporary agency workers: 097 (recognised agencies), 224/226/244/254
(agency workers in construction), 497 (public interim services)."""

# --- social_maribel. The warehouse's DmfA has no Maribel marker (zone 00794 "NOSSLPASocialMaribel" and
# zone 01148 of block 90313 are not stored, and annex 4 has no Maribel reduction code), so the variable
# says whether the job lies in a sector covered by a social-Maribel fund: eligibility, not a funded post.
MARIBEL_JOINT_COMMITTEES = ("152", "225", "304", "318", "319", "327", "329", "330", "331", "332", "337")
"""Private non-profit joint committees with a social-Maribel fund (KB 18 July 2002; from memory of the
fund list, not in DOMAIN.md): subsidised education (152, 225), performing arts (304), family and elderly
care (318), education and housing (319), sheltered and social workshops (327), socio-cultural (329), health
(330), Flemish and French welfare (331, 332), non-profit auxiliary committee (337). Matched on the first
three digits."""


def _first_per_code(name: str, code_col: str, label_col: str) -> dict[str, str]:
    df = codelists.load(name)
    out: dict[str, str] = {}
    for code, label in zip(df[code_col], df[label_col], strict=True):
        out.setdefault(str(code), str(label))
    return out


@cache
def _personal_reduction_codes() -> tuple[str, ...]:
    """Annex 4 codes that reduce the worker's personal contributions (not the employer's)."""
    df = codelists.load("reduction_codes")
    hits = df[df["Omschrijving"].str.lower().str.contains("persoonlijke bijdragen", regex=False)]
    return tuple(sorted(set(hits["CodeDMFA"])))


@cache
def _public_employer_categories() -> tuple[str, ...]:
    df = codelists.load("employer_categories")
    return tuple(sorted(set(df.loc[df["Sector"] == "Publiek", "Code"])))


@cache
def _maribel_public_nace() -> tuple[str, ...]:
    """NACE-BEL 2008 codes flagged for the public-sector social Maribel (annex 31, RSZPPO column)."""
    df = codelists.load("nace_codes")
    rows = df[
        df["Geldigheid"].str.contains("vanaf 2008", regex=False) & (df["Sociale_Maribel_RSZPPO"] == "YES")
    ]
    return tuple(sorted(set(rows["Code"])))


# ------------------------------------------------------------------------ building blocks
def job_occupations(src: Sources) -> ir.Table:
    """Every occupation (``jobs.occupations``) with its worker line's code and the zones 00051-00056, and
    ``occ_rank`` = its rank within the job (0 = the job's main occupation: largest FTE, lowest number)."""

    def build() -> ir.Table:
        occ = jobs.occupations(src)
        extra = src.table("dmfa_occupation").select(
            "occupation_id",
            "worker_line_id",
            "worker_status",
            "employment_measure",
            "reorganisation_measure",
            "remuneration_method",
        )
        wl = src.table("dmfa_worker_line").select("worker_line_id", "worker_code")
        j = occ.join(extra, "occupation_id").join(wl, "worker_line_id")
        rank = ibis.row_number().over(
            ibis.window(
                group_by=["insz", "enterprise_number", "quarter"],
                order_by=[ibis.desc(j.fte.fill_null(0)), j.occupation_id],
            )
        )
        return j.mutate(occ_rank=rank)

    return src.memo("job_occupations", build)


def _job_points(points: ir.Table) -> ir.Table:
    return points.select(*JOB_KEYS, "ref_date", "ref_year")


def at_jobs(points: ir.Table, rows: ir.Table) -> ir.Table:
    """``rows`` (insz, enterprise_number, quarter, ...) matched to the job points of that quarter."""
    p = _job_points(points)
    j = p.join(
        rows,
        (p.insz == rows.insz)
        & (p.enterprise_number == rows.enterprise_number)
        & (p.ref_quarter == rows.quarter),
    )
    return j.drop(*[c for c in j.columns if c.endswith("_right")])


def _main_occupation(src: Sources, points: ir.Table) -> ir.Table:
    occ = job_occupations(src)
    return at_jobs(points, occ.filter(occ.occ_rank == 0))


def _level(options: dict[str, Any]) -> str:
    level = str(options.get("level", "job"))
    if level not in LEVELS:
        raise ValueError(f"option 'level' must be one of {', '.join(LEVELS)}, not {level!r}")
    return level


def _declared_lines(src: Sources, points: ir.Table, level: str) -> ir.Table:
    """Worker lines of the points' jobs (``level=job``: keys insz, enterprise_number, quarter; the lines of
    the job's occupations, from the run's cached ``job_occupations``) or every worker line the points'
    employers declared in the quarter (``level=employer``: keys enterprise_number, quarter; read from the
    DmfA blocks directly, so workers outside the run's scope count too)."""
    if level == "job":
        occ = job_occupations(src)
        lines = occ.select("insz", "enterprise_number", "quarter", "worker_line_id").distinct()
        wanted_jobs = points.select("insz", "enterprise_number", quarter=points.ref_quarter).distinct()
        return lines.semi_join(wanted_jobs, ["insz", "enterprise_number", "quarter"])
    dec = src.table("dmfa_employer_declaration").select("declaration_id", "enterprise_number", "quarter")
    npers = src.table("dmfa_natural_person").select("person_id", "declaration_id")
    wl = src.table("dmfa_worker_line").select("worker_line_id", "person_id")
    wanted = points.select("enterprise_number", quarter=points.ref_quarter).distinct()
    dec = dec.semi_join(wanted, ["enterprise_number", "quarter"])
    j = dec.join(npers, "declaration_id").join(wl, "person_id")
    return j.select("enterprise_number", "quarter", "worker_line_id")


def _per_level(
    src: Sources, points: ir.Table, amounts_of: Callable[[ir.Table], ir.Table], level: str
) -> ir.Table:
    """Sum the amounts (``amounts_of(lines)``: rows of worker_line_id, cents of those lines) over the lines
    of each job or of each employer and quarter, matched to the job points; 0 without amounts; no row for a
    point that is not a job."""
    job_lines = _declared_lines(src, points, "job")
    lines = job_lines if level == "job" else _declared_lines(src, points, "employer")
    keys = [c for c in lines.columns if c != "worker_line_id"]
    amounts = amounts_of(lines)
    per_line = amounts.group_by("worker_line_id").aggregate(cents=amounts.cents.sum())
    j = left_join_on(lines, per_line, ["worker_line_id"])
    agg = j.group_by(*keys).aggregate(cents=j.cents.fill_null(0).sum())
    present = at_jobs(points, job_lines.select("insz", "enterprise_number", "quarter").distinct())
    p = present.select(*JOB_KEYS)
    cond = (p.enterprise_number == agg.enterprise_number) & (p.ref_quarter == agg.quarter)
    if level == "job":
        cond = cond & (p.insz == agg.insz)
    out = p.join(agg, cond)
    return out.select(*JOB_KEYS, value=round_half_up(out.cents / 100.0, 2))


def _employer_reductions(src: Sources, lines: ir.Table) -> ir.Table:
    """Employer reductions (worker_line_id, deduction_code, cents) of the given worker lines: occupation
    deductions (via their occupation's worker line) and worker-line deductions, without the reductions of
    personal contributions. Not summed: callers add them up per job or employer."""
    personal = list(_personal_reduction_codes())
    ids = lines.select("worker_line_id").distinct()
    # Filter on the lines first: the deduction blocks hold the whole country.
    occ = (
        src.table("dmfa_occupation")
        .select("occupation_id", "worker_line_id")
        .semi_join(ids, "worker_line_id")
    )
    od = src.table("dmfa_occupation_deduction").select("occupation_id", "deduction_code", "amount_cents")
    od = od.join(occ, "occupation_id").select("worker_line_id", "deduction_code", "amount_cents")
    wd = src.table("dmfa_worker_deduction").select("worker_line_id", "deduction_code", "amount_cents")
    wd = wd.semi_join(ids, "worker_line_id")
    both = od.union(wd, distinct=False)
    both = both.filter(~both.deduction_code.isin(personal))
    return both.select("worker_line_id", "deduction_code", cents=both.amount_cents)


# ------------------------------------------------------------------------ derivations
def worker_type(src: Sources, points: ir.Table) -> ir.Table:
    """Class of the main occupation's worker code (annex 2): 0xx-3xx blue-collar (handarbeiders, incl.
    apprentices, gesco, domestic staff), 4xx white-collar (hoofdarbeiders) except the mandates 404-407,
    6xx statutory public staff, 840/841 students, anything else other."""
    j = _main_occupation(src, points)
    code = j.worker_code
    first = code.substr(0, 1)
    value = ibis.cases(
        (code.isin(list(STUDENT_WORKER_CODES)), "4"),
        (code.isin(list(MANDATE_WORKER_CODES)), "5"),
        (code.length() != 3, "5"),
        (first.isin(["0", "1", "2", "3"]), "1"),
        (first == "4", "2"),
        (first == "6", "3"),
        else_="5",
    )
    return j.select(*JOB_KEYS, value=value)


def worker_type_labels() -> dict[str, str]:
    return dict(WORKER_TYPES)


def employment_status(src: Sources, points: ir.Table) -> ir.Table:
    """Worker status (zone 00053, annex 21) of the main occupation; ``-`` for an ordinary worker (the zone
    is empty). Full- or part-time is in ``job_part_time_pct`` / ``job_work_regime``."""
    j = _main_occupation(src, points)
    return j.select(*JOB_KEYS, value=j.worker_status.fill_null(NONE_CODE))


def employment_status_labels() -> dict[str, str]:
    labels = {NONE_CODE: "gewone werknemer (geen bijzonder statuut)"}
    labels.update(_first_per_code("worker_status", "Code", "Descdu"))
    return labels


def job_work_regime(src: Sources, points: ir.Table) -> ir.Table:
    """Days per week of the job's main occupation (zone 00047)."""
    j = _main_occupation(src, points)
    return j.select(*JOB_KEYS, value=round_half_up(j.days_per_week / 100.0, 2))


def job_part_time_pct(src: Sources, points: ir.Table) -> ir.Table:
    """Main occupation: mean weekly hours of the worker / of the reference person x 100 (00048/00049)."""
    j = _main_occupation(src, points)
    pct = ibis.ifelse(
        j.mean_hours_reference > 0, j.mean_hours_worker * 100.0 / j.mean_hours_reference, ibis.null("float64")
    )
    return j.select(*JOB_KEYS, value=round_half_up(pct, 1))


def job_daily_wage(src: Sources, points: ir.Table) -> ir.Table:
    """Daily wage of the job's main occupation (DOMAIN.md section 8), as ``employment.daily_wage``:
    full time ordinary pay / paid days, part time ordinary pay x 7.6 / paid hours."""
    j = _main_occupation(src, points)
    pay = j.ordinary_cents.fill_null(0) / 100.0
    full = ibis.ifelse(j.paid_days > 0, pay / (j.paid_days / 100.0), ibis.null("float64"))
    part = ibis.ifelse(
        j.paid_hours > 0, pay * DAILY_WAGE_HOURS / (j.paid_hours / 100.0), ibis.null("float64")
    )
    value = ibis.ifelse(j.contract_type == 0, full, part)
    return j.select(*JOB_KEYS, value=round_half_up(value, 2))


def fte_days_quarter(src: Sources, points: ir.Table, options: dict[str, Any]) -> ir.Table:
    """FTE of the job in the quarter from its service days, summed over its occupations:
    days x (worker's / reference person's weekly hours) / (13 weeks x days per week of the regime).

    ``definition: 2`` (default) counts the days of paid time only (``PAID_SERVICE_CODES``), ``1`` every
    declared day (paid and assimilated)."""
    definition = str(options.get("definition", "2"))
    if definition not in FTE_DEFINITIONS:
        raise ValueError(
            f"option 'definition' must be one of {', '.join(FTE_DEFINITIONS)}, not {definition!r}"
        )
    occ = at_jobs(points, job_occupations(src)).select(
        *JOB_KEYS, "occupation_id", "days_per_week", "mean_hours_worker", "mean_hours_reference"
    )
    svc = src.table("dmfa_service").semi_join(occ.select("occupation_id"), "occupation_id")
    if definition == "2":
        svc = svc.filter(svc.service_code.isin(list(PAID_SERVICE_CODES)))
    days = svc.group_by("occupation_id").aggregate(days=svc.days.sum())
    j = left_join_on(occ, days, ["occupation_id"])
    full_quarter = WEEKS_PER_QUARTER * j.days_per_week  # both in hundredths, so they cancel
    fte = ibis.ifelse(
        (j.days_per_week > 0) & (j.mean_hours_reference > 0),
        j.days.fill_null(0) / full_quarter * (j.mean_hours_worker / j.mean_hours_reference),
        ibis.null("float64"),
    )
    j = j.mutate(fte=fte)
    agg = j.group_by(*JOB_KEYS).aggregate(value=j.fte.sum())
    return agg.select(*JOB_KEYS, value=round_half_up(agg.value, 4))


def employer_contributions(src: Sources, points: ir.Table, options: dict[str, Any]) -> ir.Table:
    """Contributions declared in block 90001 (all contribution codes), in euro, for the job's worker
    lines (``level: job``, default) or every worker line of the employer in the quarter (``employer``)."""
    level = _level(options)
    wc = src.table("dmfa_worker_contribution").select("worker_line_id", cents="amount_cents")

    def amounts_of(lines: ir.Table) -> ir.Table:
        # Only the lines needed: the contribution block holds the whole country.
        return wc.semi_join(lines.select("worker_line_id").distinct(), "worker_line_id")

    return _per_level(src, points, amounts_of, level)


def contribution_reduction_amount(src: Sources, points: ir.Table, options: dict[str, Any]) -> ir.Table:
    """Employer reductions (90109 + 90110 without personal-contribution codes), in euro, for the job
    (``level: job``, default) or the employer's total in the quarter (``employer``)."""
    level = _level(options)
    return _per_level(
        src, points, lambda lines: _employer_reductions(src, lines).select("worker_line_id", "cents"), level
    )


def contribution_reduction_kind(src: Sources, points: ir.Table) -> ir.Table:
    """The employer reduction code (annex 4) with the largest amount over the job's occupations and worker
    lines (ties: the lowest code); ``-`` for a job without employer reductions."""
    lines = _declared_lines(src, points, "job")
    red = _employer_reductions(src, lines)
    j = lines.join(red, "worker_line_id")
    per_code = j.group_by("insz", "enterprise_number", "quarter", "deduction_code").aggregate(
        cents=j.cents.sum()
    )
    rank = ibis.row_number().over(
        ibis.window(
            group_by=["insz", "enterprise_number", "quarter"],
            order_by=[ibis.desc(per_code.cents), per_code.deduction_code],
        )
    )
    top = per_code.mutate(_rank=rank).filter(lambda t: t._rank == 0).drop("_rank", "cents")
    jobs_present = lines.select("insz", "enterprise_number", "quarter").distinct()
    both = left_join_on(jobs_present, top, ["insz", "enterprise_number", "quarter"])
    matched = at_jobs(points, both)
    return matched.select(*JOB_KEYS, value=matched.deduction_code.fill_null(NONE_CODE))


def reduction_labels() -> dict[str, str]:
    labels = {NONE_CODE: "geen werkgeversvermindering"}
    labels.update(_first_per_code("reduction_codes", "CodeDMFA", "Omschrijving"))
    return labels


MEASURES = {"employment": "employment_measure", "reorganisation": "reorganisation_measure"}
REORGANISATION_PREFIX = "R"
"""Annex-44 codes are delivered as ``R<code>`` so they never clash with the annex-35 codes."""


def special_measure(src: Sources, points: ir.Table, options: dict[str, Any]) -> ir.Table:
    """Employment promotion measure (``measure: employment``, default; zone 00052, annex 35) or
    working-time reorganisation measure (``measure: reorganisation``; zone 00051, annex 44, as ``R<code>``)
    of the job: the main occupation's, else the next occupation by rank that has one; ``-`` for none."""
    measure = str(options.get("measure", "employment"))
    if measure not in MEASURES:
        raise ValueError(f"option 'measure' must be one of {', '.join(MEASURES)}, not {measure!r}")
    occ = job_occupations(src)
    column = MEASURES[measure]
    code = occ[column]
    if measure == "reorganisation":
        code = ibis.literal(REORGANISATION_PREFIX) + code
    with_code = occ.filter(occ[column].notnull()).mutate(code=code)
    rank = ibis.row_number().over(
        ibis.window(group_by=["insz", "enterprise_number", "quarter"], order_by=[with_code.occ_rank])
    )
    first = (
        with_code.mutate(_r=rank)
        .filter(lambda t: t._r == 0)
        .select("insz", "enterprise_number", "quarter", "code")
    )
    present = occ.select("insz", "enterprise_number", "quarter").distinct()
    both = left_join_on(present, first, ["insz", "enterprise_number", "quarter"])
    j = at_jobs(points, both)
    return j.select(*JOB_KEYS, value=j.code.fill_null(NONE_CODE))


def special_measure_labels() -> dict[str, str]:
    labels = {NONE_CODE: "geen bijzondere maatregel"}
    labels.update(_first_per_code("employment_measures", "Code", "Omschrijving"))
    reorg = _first_per_code("reorganisation_measures", "Code", "DescDu")
    labels.update({REORGANISATION_PREFIX + k: v for k, v in reorg.items()})
    return labels


def _any_occupation(src: Sources, points: ir.Table, flag: Callable[[ir.Table], ir.BooleanValue]) -> ir.Table:
    """``1`` if ``flag`` holds for any occupation of the job, else ``0``."""
    j = at_jobs(points, job_occupations(src))
    j = j.mutate(_f=flag(j).fill_null(False).cast("int32"))
    agg = j.group_by(*JOB_KEYS).aggregate(n=j._f.sum())
    return agg.select(*JOB_KEYS, value=ibis.ifelse(agg.n > 0, "1", "0"))


def voucher_employment(src: Sources, points: ir.Table) -> ir.Table:
    """1 if an occupation of the job is in PC 322.01, under employer category 597 or paid through the
    service-voucher system (remuneration method 3, zone 00056)."""
    return _any_occupation(
        src,
        points,
        lambda t: (
            (t.joint_committee == jobs.VOUCHER_JOINT_COMMITTEE)
            | (t.employer_class == jobs.VOUCHER_EMPLOYER_CATEGORY)
            | (t.remuneration_method == VOUCHER_REMUNERATION_METHOD)
        ),
    )


def temp_agency_employment(src: Sources, points: ir.Table) -> ir.Table:
    """1 if an occupation of the job is in PC 322 (temporary agency work, not 322.01) or declared under a
    temporary-agency employer category (annex 27: 097, 224, 226, 244, 254, 497)."""
    return _any_occupation(
        src,
        points,
        lambda t: (
            t.joint_committee.isin(list(TEMP_AGENCY_JOINT_COMMITTEES))
            | t.employer_class.isin(list(TEMP_AGENCY_EMPLOYER_CATEGORIES))
        ),
    )


def social_maribel(src: Sources, points: ir.Table) -> ir.Table:
    """1 if an occupation of the job lies in a social-Maribel sector: a private non-profit joint committee
    with a Maribel fund, or a public employer category (annex 27) with an occupation NACE flagged for the
    public-sector Maribel (annex 31). Eligibility only: the DmfA copy has no Maribel-post marker."""
    public = list(_public_employer_categories())
    nace = list(_maribel_public_nace())
    return _any_occupation(
        src,
        points,
        lambda t: (
            t.joint_committee.substr(0, 3).isin(list(MARIBEL_JOINT_COMMITTEES))
            | (t.employer_class.isin(public) & t.nace.isin(nace))
        ),
    )


# ------------------------------------------------------------------------ the catalog
DMFA_CONTRIBUTIONS = (*DMFA_PAY, "dmfa_worker_contribution")
DMFA_REDUCTIONS = (*DMFA_PAY, "dmfa_occupation_deduction", "dmfa_worker_deduction")

VARIABLES: tuple[Variable, ...] = (
    Variable(
        "worker_type",
        "werknemerstype",
        "worker type",
        "job",
        DMFA_PAY,
        worker_type,
        "Class of the worker code (zone 00037, annex 2) of the job's main occupation (largest FTE in the "
        "job, ties to the lowest occupation number): 1 blue-collar = codes 0xx-3xx (incl. apprentices, "
        "gesco, domestic staff), 2 white-collar = 4xx except the mandates 404-407, 3 statutory public "
        "staff = 6xx, 4 student = 840/841, 5 other.",
        labels=worker_type_labels,
        requirement=REQUIREMENT,
    ),
    Variable(
        "employment_status",
        "tewerkstellingsstatuut",
        "employment status",
        "job",
        DMFA_PAY,
        employment_status,
        "Worker status (zone 00053, annex 21: T temporary, S seasonal, LP limited performances, D home "
        "worker, ...) of the job's main occupation; '-' for an ordinary worker (zone empty). The contract "
        "type (full/part time) is in job_part_time_pct and job_work_regime.",
        labels=employment_status_labels,
        requirement=REQUIREMENT,
    ),
    Variable(
        "job_work_regime",
        "arbeidsregime van de job (dagen per week)",
        "work regime of the job (days per week)",
        "job",
        DMFA_PAY,
        job_work_regime,
        "Days per week (zone 00047) of the job's main occupation; the job-level twin of work_regime "
        "(which describes the person's main job of the quarter).",
        "float",
        requirement=REQUIREMENT,
    ),
    Variable(
        "job_part_time_pct",
        "deeltijdspercentage van de job",
        "part-time percentage of the job",
        "job",
        DMFA_PAY,
        job_part_time_pct,
        "Job's main occupation: mean weekly hours of the worker / of the reference person x 100 (zones "
        "00048/00049); the job-level twin of part_time_pct.",
        "float",
        requirement=REQUIREMENT,
    ),
    Variable(
        "job_daily_wage_class",
        "dagloon van de job (klasse)",
        "daily wage of the job (class)",
        "job",
        DMFA_PAY,
        job_daily_wage,
        "Job's main occupation: ordinary pay (remuneration code 1) / paid days (service code 1) when "
        "full-time, ordinary pay x 7.6 / paid hours when part-time, in euro; in the 500 classes of "
        "EUR 1.25 (Salcla). The job-level twin of daily_wage_class.",
        "float",
        scheme="daily_wage",
        requirement=REQUIREMENT,
    ),
    Variable(
        "fte_days_quarter",
        "VTE van de job in het kwartaal (op basis van dagen)",
        "FTE of the job in the quarter (from days)",
        "job",
        DMFA_PAY,
        fte_days_quarter,
        "Sum over the job's occupations of days x (worker's / reference person's mean weekly hours) / (13 "
        "weeks x days per week of the regime): 1 = a full-time full quarter. Option definition: 2 "
        "(default) counts the days of paid time only (service codes 1-5, 10-15, 101, 102: work, "
        "holidays, guaranteed wage, ...), 1 counts every declared day (also sickness, temporary "
        "unemployment and other assimilated or unpaid days).",
        "float",
        requirement=REQUIREMENT,
        options=("definition",),
    ),
    Variable(
        "employer_contributions",
        "werkgeversbijdragen",
        "employer contributions",
        "job",
        DMFA_CONTRIBUTIONS,
        employer_contributions,
        "Contributions declared in block 90001 (every contribution code: ordinary and special), in euro. "
        "Option level: job (default) = the job's worker lines; employer = all worker lines the employer "
        "declared in the quarter (every worker, also outside the population). Block 90002 (contributions "
        "not tied to a person) is not in the warehouse. Caveat (DOMAIN.md section 6): the ordinary line "
        "of codes 015/495 may hold the global contribution incl. the worker's 13.07 %.",
        "float",
        scheme="amount_generic",
        requirement=REQUIREMENT,
        options=("level",),
    ),
    Variable(
        "contribution_reduction_kind",
        "soort bijdragevermindering",
        "kind of contribution reduction",
        "job",
        DMFA_REDUCTIONS,
        contribution_reduction_kind,
        "Reduction code (annex 4) with the largest amount among the job's employer reductions (occupation "
        "block 90109 and worker-line block 90110, without the reductions of personal contributions such "
        "as 0001 werkbonus); ties to the lowest code; '-' for a job without employer reductions.",
        labels=reduction_labels,
        requirement=REQUIREMENT,
    ),
    Variable(
        "contribution_reduction_amount",
        "bedrag van de bijdrageverminderingen",
        "amount of contribution reductions",
        "job",
        DMFA_REDUCTIONS,
        contribution_reduction_amount,
        "Employer reductions (blocks 90109 and 90110, without the reductions of personal contributions "
        "such as 0001 werkbonus), in euro. Option level: job (default) = the job's; employer = the "
        "employer's total in the quarter over every worker it declared.",
        "float",
        scheme="amount_generic",
        requirement=REQUIREMENT,
        options=("level",),
    ),
    Variable(
        "special_measure",
        "tewerkstelling in het kader van een bijzondere maatregel",
        "employment under a special measure",
        "job",
        DMFA_PAY,
        special_measure,
        "Option measure: employment (default) = employment promotion measure (zone 00052, annex 35: "
        "activation, third work circuit, PRIME, start jobs, ...); reorganisation = working-time "
        "reorganisation measure (zone 00051, annex 44, delivered as R<code>). The job's main occupation's "
        "code, else that of the next occupation that has one; '-' for none.",
        labels=special_measure_labels,
        requirement=REQUIREMENT,
        options=("measure",),
    ),
    Variable(
        "voucher_employment",
        "tewerkstelling in het dienstenchequestelsel",
        "employment in the service-voucher system",
        "job",
        DMFA_PAY,
        voucher_employment,
        "1 if an occupation of the job is in joint subcommittee 322.01, under employer category 597 or "
        "paid through the service-voucher system (remuneration method 3, zone 00056); else 0.",
        labels=yes_no_labels,
        requirement=REQUIREMENT,
    ),
    Variable(
        "temp_agency_employment",
        "uitzendarbeid",
        "temporary agency work",
        "job",
        DMFA_PAY,
        temp_agency_employment,
        "1 if an occupation of the job is in joint committee 322 (temporary agency work; 322.01 is the "
        "service-voucher subcommittee and does not count) or declared under a temporary-agency employer "
        "category (annex 27: 097, 224, 226, 244, 254, 497); else 0.",
        labels=yes_no_labels,
        requirement=REQUIREMENT,
    ),
    Variable(
        "social_maribel",
        "sociale Maribel (sector)",
        "social Maribel (sector)",
        "job",
        DMFA_PAY,
        social_maribel,
        "1 if an occupation of the job lies in a sector covered by a social-Maribel fund: joint committee "
        "152, 225, 304, 318, 319, 327, 329, 330, 331, 332 or 337 (with subcommittees), or a public-sector "
        "employer category (annex 27) with an occupation NACE flagged for the public-sector Maribel (annex "
        "31); else 0. Eligibility, not a Maribel-funded post: the warehouse's DmfA lacks the Maribel "
        "zones (00794, 01148).",
        labels=yes_no_labels,
        requirement=REQUIREMENT,
    ),
)
