"""Building blocks from the DmfA: one row per occupation and quarter, with the person and employer.

The DmfA is stored in its block structure (declaration 90007 -> natural person 90017 -> worker line 90012 ->
occupation 90015 -> services 90018 / remuneration 90019). The job variables all start from the same
flattened view, built once per connection (``Sources.memo``).

Units: days and hours in the DmfA are hundredths, amounts eurocent; the view keeps those units and the
variables convert at the end.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir

from crossroads.catalog.model import POINT_KEY, Sources, point_key

VOUCHER_JOINT_COMMITTEE = "322.01"
VOUCHER_EMPLOYER_CATEGORY = "597"
WEEKS_PER_QUARTER = 13
ORDINARY_PAY_CODE = "1"
"""Remuneration code 1: amounts always considered wage (annex 7); the base of the daily wage."""
PAID_TIME_CODE = "1"
PAID_SERVICE_CODES: tuple[str, ...] = (
    "1", "2", "3", "4", "5", "10", "11", "12", "13", "14", "15", "41", "42", "101", "102", "110",
)  # fmt: skip
"""DmfA service codes (annex 8) of time covered by wage or holiday pay paid by the employer: work, workers'
holidays, guaranteed wage, paid educational leave, paid non-activity and availability with waiting pay
(public sector, 41/42), seafarers' sailing and holiday days, mandataries' time (110). The other codes are
unpaid absences (20-33), sickness and maternity (50-53), accidents (60/61), temporary unemployment (70-77),
...: the assimilated or unpaid days ("gelijkgestelde dagen"). One list for every variable that separates
paid time from the rest (careers, household FTE definition 2, job FTE definition 2)."""
"""Service code 1: time covered by wage with contributions (annex 8); the days of the daily wage."""
ASSIMILATED_SERVICE_CODES: tuple[str, ...] = (
    "20", "21", "22", "23", "24", "25", "26", "31", "33", "43",
    "50", "51", "52", "53", "60", "61", "70", "71", "72", "73", "74", "75", "76", "77",
)  # fmt: skip
"""Annex 8: days without wage assimilated with work (sickness, maternity, accidents, temporary unemployment,
strikes, union duty, civic duties, ...)."""


def person_rows(src: Sources, name: str) -> ir.Table:
    """A person-keyed warehouse table (``insz``) restricted to the run's persons, loaded once per scope.

    Each derivation joins its table with points of the scope only; reading the restricted rows from a
    materialised table instead of scanning (and decoding) the whole Parquet table in every query is most of
    the speed of a full-population run (the socio-economic position holds every person of the country).
    Without a scope (ad-hoc use, tests) or on Spark the table itself; a table of ``QUARTER_TABLES`` is cut
    to the run's quarters either way.
    """

    def rows(table: str) -> ir.Table:
        return quarter_rows(src, table) if table in QUARTER_TABLES else src.table(table)

    return person_keyed(
        src, name, lambda scope: rows(name).semi_join(scope, "insz"), rows, members=name in HOUSEHOLD_TABLES
    )


HOUSEHOLD_TABLES = frozenset(
    {"person", "household", "child_benefit", "pension", "social_assistance", "unemployment"}
)
"""Person-keyed tables the household variables read about every member of a point's household (the
household spells, age, studies, benefits: ``catalog.household``), not only about the points' persons."""


def person_keyed(
    src: Sources,
    name: str,
    build: Callable[[ir.Table], ir.Table],
    whole: Callable[[str], ir.Table],
    members: bool = False,
) -> ir.Table:
    """Rows keyed by ``insz`` of the scope's persons only, ``build(scope)``, stored once per scope (a sliced
    run builds them once for all its slices: ``Engine.memo``, key ``scoped:<name>``, or ``members:<name>``
    when household variables read them about the other members too); ``whole(name)`` without a scope or
    where storing is not cheap (Spark)."""
    if src.scope() is None or not _cheap_materialise(src):
        return whole(name)

    def scoped() -> ir.Table:
        scope = src.scope()  # at build time: a sliced run builds for everyone of the run
        assert scope is not None
        return build(scope)

    return src.memo(f"{'members' if members else 'scoped'}:{name}", scoped)


def _cheap_materialise(src: Sources) -> bool:
    caps = getattr(src, "capabilities", None)
    return bool(getattr(caps, "cheap_materialise", True))


def _points_name(points: ir.Table) -> str | None:
    op = points.op()
    return str(op.name) if isinstance(op, ops.DatabaseTable) else None


def memo_at(src: Sources, key: str, points: ir.Table, build: Callable[[], ir.Table]) -> ir.Table:
    """``build()`` once per materialised set of points (e.g. the points joined with the main jobs).

    Several variables of a dataset read the same building block at the same points (nine read the main
    job); joining once and selecting a column per variable avoids repeating the join. Points that are not a
    stored table (an unevaluated expression) are not memoised.
    """
    if not memoised_at(src, points):
        return build()
    return src.memo(f"{key}@points:{_points_name(points)}", build)


def memoised_at(src: Sources, points: ir.Table) -> bool:
    """Whether ``memo_at`` keeps what it builds at these points (stored points, cheap storing)."""
    return _points_name(points) is not None and _cheap_materialise(src)


DMFA_TABLES = (
    "dmfa_employer_declaration",
    "dmfa_natural_person",
    "dmfa_worker_line",
    "dmfa_occupation",
    "dmfa_service",
    "dmfa_remuneration",
)
"""The DmfA blocks the flattened occupations are built from."""
QUARTER_TABLES = (*DMFA_TABLES, "socio_economic_position")
"""Tables whose rows each belong to one quarter (``quarter``), read by the variables at their points'
quarters and the ``Variable.history_quarters`` before: a run reads only the quarters it needs of them."""


def quarter_rows(src: Sources, name: str) -> ir.Table:
    """A table of ``QUARTER_TABLES`` cut to the quarters the run reads, when the sources say which
    (``Engine.run_quarters``: a file of 2014-2020 reads 7 of the DmfA's 18 years); else whole. Only for
    per-person blocks read at the run's points (``occupations``, ``person_rows``), not for the population
    rules or the employer variables, which read the tables themselves."""
    table = src.table(name)
    window = getattr(src, "run_quarters", None)
    if window is None:
        return table
    return table.filter(table.quarter.between(window[0], window[1]))


def _build_occupations(src: Sources) -> ir.Table:
    return _with_main_job(src, _occupation_rows(src))


def _occupation_rows(src: Sources) -> ir.Table:
    """The flattened occupations with their services and pay, before the main job is picked (stored once
    per scope: ``scoped:occupation_rows``)."""
    npers = quarter_rows(src, "dmfa_natural_person").select("person_id", "declaration_id", "insz")
    scope = src.scope()
    if scope is not None:
        # Only the persons the run needs: the DmfA holds every worker of the country.
        npers = npers.semi_join(scope, "insz")
    wl = quarter_rows(src, "dmfa_worker_line").select(
        "worker_line_id", "person_id", "employer_class", "worker_code", "local_unit"
    )
    wl = wl.join(npers, "person_id")
    occ = quarter_rows(src, "dmfa_occupation").select(
        "occupation_id",
        "worker_line_id",
        "quarter",
        "start_date",
        "end_date",
        "joint_committee",
        "days_per_week",
        "mean_hours_worker",
        "mean_hours_reference",
        "contract_type",
        "nace",
    )
    occ = occ.join(wl, "worker_line_id")
    if scope is not None:
        # The scope's occupations first, so services and pay are aggregated for those only (not for the
        # whole country, as a join after the aggregation would).
        occ = src.memo("scoped:occupation_people", lambda: occ)
    ids = occ.select("occupation_id")
    dec = quarter_rows(src, "dmfa_employer_declaration").select("declaration_id", "enterprise_number")
    svc = quarter_rows(src, "dmfa_service")
    if scope is not None:
        svc = svc.semi_join(ids, "occupation_id")
    paid = svc.service_code == PAID_TIME_CODE
    # The split of annex 8 the careers and the household FTE (definition 2) read, in the same pass: each
    # of them aggregating the services again read the largest DmfA table twice more.
    code = svc.service_code.strip()
    wage, assimilated, no_hours = (
        code.isin(PAID_SERVICE_CODES),
        code.isin(ASSIMILATED_SERVICE_CODES),
        svc.hours.isnull(),
    )
    services = svc.group_by("occupation_id").aggregate(
        days=svc.days.sum(),
        hours_declared=svc.hours.sum(),
        days_without_hours=svc.days.sum(where=no_hours),
        paid_days=svc.days.sum(where=paid),
        paid_hours_declared=svc.hours.sum(where=paid),
        paid_days_without_hours=svc.days.sum(where=paid & no_hours),
        wage_days=svc.days.sum(where=wage),
        wage_hours_declared=svc.hours.sum(where=wage),
        wage_days_no_hours=svc.days.sum(where=wage & no_hours),
        wage_lines=wage.cast("int32").sum(),
        assimilated_days=svc.days.sum(where=assimilated),
        assimilated_hours_declared=svc.hours.sum(where=assimilated),
        assimilated_days_no_hours=svc.days.sum(where=assimilated & no_hours),
    )
    rem = quarter_rows(src, "dmfa_remuneration")
    if scope is not None:
        rem = rem.semi_join(ids, "occupation_id")
    pay = rem.group_by("occupation_id").aggregate(
        pay_cents=rem.amount_cents.sum(),
        ordinary_cents=rem.amount_cents.sum(where=rem.remuneration_code == ORDINARY_PAY_CODE),
    )
    j = (
        occ.join(dec, "declaration_id")
        .left_join(services, "occupation_id")
        .drop("occupation_id_right")
        .left_join(pay, "occupation_id")
        .drop("occupation_id_right")
    )
    # Hours per day of the worker's regime, to turn days declared without hours into hours (hundredths).
    per_day = ibis.ifelse(j.days_per_week > 0, j.mean_hours_worker / j.days_per_week, ibis.null("float64"))
    hours = j.hours_declared.fill_null(0) + j.days_without_hours.fill_null(0) * per_day
    paid_hours = j.paid_hours_declared.fill_null(0) + j.paid_days_without_hours.fill_null(0) * per_day
    j = j.mutate(
        hours=hours,
        paid_hours=paid_hours,
        # FTE in the quarter: hours worked against the reference person's hours over 13 weeks.
        fte=ibis.ifelse(
            j.mean_hours_reference > 0,
            hours / (j.mean_hours_reference * WEEKS_PER_QUARTER),
            ibis.null("float64"),
        ),
        is_voucher_job=(j.joint_committee == VOUCHER_JOINT_COMMITTEE)
        | (j.employer_class == VOUCHER_EMPLOYER_CATEGORY),
    )
    if scope is not None:
        # Stored before the main job is picked: the query read its rows twice (the pick and the join
        # back) through a common table expression that copied them and scanned the copy slowly.
        j = src.memo("scoped:occupation_rows", lambda: j)
    return j


def _with_main_job(src: Sources, j: ir.Table) -> ir.Table:
    scope = src.scope()
    # The main job of a person in a quarter: the largest FTE; ties go to the lowest occupation number. One
    # arg-max per person-quarter on a narrow key, then a join: a ranking window sorted every wide row
    # (half of this block's time).
    key = ibis.struct({"fte": j.fte.fill_null(0), "first": -j.occupation_id})
    main = j.group_by("insz", "quarter").aggregate(main_id=j.occupation_id.argmax(key))
    if scope is not None:
        main = src.memo("scoped:occupation_main", lambda: main.select("main_id"))
    j = j.left_join(main.select("main_id"), j.occupation_id == main.main_id)
    j = j.mutate(is_main_job=j.main_id.notnull())
    return j.select(
        "insz",
        "quarter",
        "occupation_id",
        "enterprise_number",
        "employer_class",
        "joint_committee",
        "start_date",
        "end_date",
        "days_per_week",
        "mean_hours_worker",
        "mean_hours_reference",
        "contract_type",
        "nace",
        "days",
        "paid_days",
        "hours",
        "paid_hours",
        "fte",
        "pay_cents",
        "ordinary_cents",
        "is_voucher_job",
        "is_main_job",
        "worker_code",
        "local_unit",
        *SERVICE_SPLIT,
    )


SERVICE_SPLIT = (
    "wage_days",
    "wage_hours_declared",
    "wage_days_no_hours",
    "wage_lines",
    "assimilated_days",
    "assimilated_hours_declared",
    "assimilated_days_no_hours",
)
"""Columns of ``occupations`` splitting the declared services into time covered by wage
(``PAID_SERVICE_CODES``) and assimilated days (``ASSIMILATED_SERVICE_CODES``): days, hours declared, days
declared without hours (null without such a service line); ``wage_lines`` counts the wage lines."""


def occupations(src: Sources) -> ir.Table:
    """Every occupation of every quarter, flattened, with FTE, pay and whether it is its quarter's main.

    In a sliced run a slice's rows are its own persons' only; the sums per person and quarter the household
    variables read about the other members (``person_quarter_fte``, ``person_quarter_fte_paid``) are built
    with them, from the same rows."""
    # The companion sums the rows before the main job is picked (those of the same chunk of the pass, stored
    # by ``_occupation_rows``): from ``occupations``' rows it joined the pick back for nothing.
    companions = {PER_QUARTER_WORK: lambda rows: _work_per_quarter(_occupation_rows(src))}
    return src.memo("occupations", lambda: _build_occupations(src), companions=companions)


def main_jobs(src: Sources) -> ir.Table:
    occ = occupations(src)
    return occ.filter(occ.is_main_job)


def at_points(points: ir.Table, rows: ir.Table, quarter_col: str = "quarter") -> ir.Table:
    """``rows`` (insz, quarter, ...) matched to the points measured in that quarter."""
    columns = ["insz", "ref_quarter", "ref_date", "ref_year"]
    if POINT_KEY not in points.columns:
        p = points.select(*columns)
        return p.join(rows, (p.insz == rows.insz) & (p.ref_quarter == rows[quarter_col]))
    # Points that carry their key: joined on it (the same rows and columns, a third faster at 4 M points).
    p = points.select(*columns, POINT_KEY)
    r = rows.mutate(_key=point_key(rows.insz, rows[quarter_col])).drop("insz")
    return p.join(r, p[POINT_KEY] == r._key).drop(POINT_KEY, "_key")


def main_jobs_at(src: Sources, points: ir.Table) -> ir.Table:
    """The main job of each point's quarter (``at_points`` of ``main_jobs``), joined once per points."""
    return memo_at(src, "main_jobs", points, lambda: at_points(points, main_jobs(src)))


def person_quarter_fte_at(src: Sources, points: ir.Table) -> ir.Table:
    """``person_quarter_fte`` of each point's quarter, joined once per points."""
    return memo_at(src, "person_quarter_fte", points, lambda: at_points(points, person_quarter_fte(src)))


def network_voucher_quarters(src: Sources) -> ir.Table:
    """Quarters in which a person had a paid service-voucher occupation (PC 322.01 or category 597).

    Built from the DmfA directly (filtering before joining), not from ``occupations``: the population
    rules run before the run's scope of persons is known.
    """

    def build() -> ir.Table:
        occ = src.table("dmfa_occupation").select(
            "occupation_id", "worker_line_id", "quarter", "joint_committee"
        )
        wl = src.table("dmfa_worker_line").select("worker_line_id", "person_id", "employer_class")
        npers = src.table("dmfa_natural_person").select("person_id", "insz")

        def voucher_lines() -> ir.Table:
            # One pass over the occupations: each one with its line's person when the line is of the voucher
            # category (a few percent of the lines), kept when that or its joint committee says voucher.
            # Filtering each table apart and joining the lines afterwards read the DmfA twice more.
            by_category = wl.filter(wl.employer_class == VOUCHER_EMPLOYER_CATEGORY)
            by_category = by_category.select("worker_line_id", "person_id")
            o = occ.left_join(by_category, "worker_line_id").drop("worker_line_id_right")
            return o.filter((o.joint_committee == VOUCHER_JOINT_COMMITTEE) | o.person_id.notnull())

        def voucher_occupations() -> ir.Table:
            o = src.memo("voucher_occupation_lines@all", voucher_lines)
            known = o.filter(o.person_id.notnull()).select("occupation_id", "person_id", "quarter")
            # Committee 322.01 on a line of another category: its person from the line (usually none).
            other = o.filter(o.person_id.isnull()).select("occupation_id", "worker_line_id", "quarter")
            other = other.join(wl.select("worker_line_id", "person_id"), "worker_line_id")
            return known.union(other.select("occupation_id", "person_id", "quarter"), distinct=False)

        # The voucher occupations first, then the pay of those only: summing the pay of every occupation
        # of the country and joining afterwards cost most of this rule.
        v = src.memo("voucher_occupations@all", voucher_occupations)
        rem = src.table("dmfa_remuneration").semi_join(v.select("occupation_id"), "occupation_id")
        paid = rem.group_by("occupation_id").aggregate(pay=rem.amount_cents.sum())
        paid = paid.filter(paid.pay > 0).select("occupation_id")
        j = v.semi_join(paid, "occupation_id").join(npers, "person_id")
        return j.select("insz", "quarter").distinct()

    return src.memo("network_voucher_quarters@all", build)


def issuer_voucher_quarters(src: Sources) -> ir.Table:
    """Quarters in which the issuer reimbursed vouchers for a person's work."""
    pay = src.table("voucher_worker_payment")
    return pay.filter(pay.vouchers > 0).select("insz", "quarter").distinct()


def voucher_quarters(src: Sources) -> ir.Table:
    """Quarters as a voucher worker according to either source (the union)."""
    return src.memo(
        "voucher_quarters@all",
        lambda: issuer_voucher_quarters(src).union(network_voucher_quarters(src), distinct=True),
    )


def _work_per_quarter(occ: ir.Table) -> ir.Table:
    """FTE and pay per person and quarter over all occupations, and the FTE of the time covered by pay
    (``paid_fte``, over the ``paid_lines`` occupations with a wage line): one aggregation for both
    household FTE definitions (two aggregated and wrote a year of the pass's DmfA each: 17 s against 14.5 s
    a year at scale 1.0)."""
    # The wage part of the services is split by ``occupations`` already (one pass over them).
    per_day = ibis.ifelse(
        occ.days_per_week > 0, occ.mean_hours_worker / occ.days_per_week, ibis.null("float64")
    )
    hours = occ.wage_hours_declared.fill_null(0) + occ.wage_days_no_hours.fill_null(0) * per_day
    paid = occ.wage_lines > 0
    paid_fte = ibis.ifelse(
        paid & (occ.mean_hours_reference > 0),
        hours / (occ.mean_hours_reference * WEEKS_PER_QUARTER),
        ibis.null("float64"),
    )
    return occ.group_by("insz", "quarter").aggregate(
        fte=occ.fte.sum(),
        pay_cents=occ.pay_cents.fill_null(0).sum(),
        paid_fte=paid_fte.sum(),
        paid_lines=paid.cast("int32").sum(),
    )


PER_QUARTER_WORK = "members:person_quarter_work"
"""Memo key of ``_work_per_quarter``: a companion of ``occupations`` (household members' rows too)."""


def _person_quarter_work(src: Sources) -> ir.Table:
    occ = occupations(src)  # first: a sliced run builds this with the occupations' pass
    return src.memo(PER_QUARTER_WORK, lambda: _work_per_quarter(occ))


def person_quarter_fte(src: Sources) -> ir.Table:
    """FTE and wage per person and quarter over all occupations (household members' too)."""
    return _person_quarter_work(src).select("insz", "quarter", "fte", "pay_cents")


def person_quarter_fte_paid(src: Sources) -> ir.Table:
    """FTE per person and quarter of the time covered by pay only (household FTE definition 2: no
    assimilated days): the arithmetic of ``occupations`` (hours, or days x the worker's hours per day,
    against the reference person's hours x 13 weeks) restricted to ``PAID_SERVICE_CODES``; the person's
    quarters with such time only."""
    work = _person_quarter_work(src)
    return work.filter(work.paid_lines > 0).select("insz", "quarter", fte=work.paid_fte)
