"""Household variables (S000-5, S000-7, S001-7): LIPRO position, work intensity, FTE and income.

The household is the set of persons whose household spell with the same ``household_id`` covers the
measurement day. Work and income are taken over the four quarters that end with the measurement quarter,
so a measurement on 31 December covers the calendar year.

Work intensity follows the KSZ DWH (DOMAIN.md section 8): FTE max counts the members aged 18-59 without
students under 25; WI_def1 / WI_def2 = household FTE (definition 1 or 2) / FTE max. Definition 1 takes each
member's FTE over all time declared in the DmfA (work and assimilated days), definition 2 only the time
covered by pay (no assimilated days), both against the reference worker of the employer.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from crossroads import codelists
from crossroads.catalog import jobs, periods
from crossroads.catalog.model import Sources, left_join_on, round_half_up, spell_at

WORK_AGE = (18, 59)
"""KSZ "FTE maximaal": members aged 18-59 count as able to work full time ..."""
STUDENT_AGE_LIMIT = 25
"""... except students under 25 (a child-benefit entitlement at that age is taken as studying)."""
QUARTERS = 4
MONTHS_PER_QUARTER = 3
BENEFIT_DAYS_PER_QUARTER = 78
"""Unemployment benefits are paid for six days a week: 13 weeks x 6 = 78 days a quarter."""


def household_at(src: Sources, points: ir.Table) -> ir.Table:
    """``insz, ref_quarter, ref_date, household_id, lipro, household_type``: each point's household spell
    on the day (no row without), found once per stored set of points for every household variable."""

    def build() -> ir.Table:
        hh = spell_at(points, jobs.person_rows(src, "household"))
        return hh.select("insz", "ref_quarter", "ref_date", "household_id", "lipro", "household_type")

    return jobs.memo_at(src, "household_spell", points, build)


def lipro(src: Sources, points: ir.Table) -> ir.Table:
    hh = household_at(src, points)
    return hh.select("insz", "ref_quarter", value=hh.lipro)


def _homes(src: Sources, points: ir.Table) -> ir.Table:
    """``insz, ref_quarter, ref_date, household_id``: each point's household on the day (no row without)."""
    return household_at(src, points).select("insz", "ref_quarter", "ref_date", "household_id")


def _household_members(src: Sources, homes: ir.Table) -> ir.Table:
    """``household_id, ref_quarter, ref_date, member``: the members of each household of ``homes`` on the
    day, once per household and quarter however many of its members are points (most households of a
    slice are the home of two or more of its persons)."""
    spells = jobs.person_rows(src, "household").select(
        "start_date", "end_date", member="insz", hid="household_id"
    )
    h = homes.select("household_id", "ref_quarter", "ref_date").distinct()
    j = h.join(
        spells,
        (h.household_id == spells.hid)
        & (spells.start_date <= h.ref_date)
        & (spells.end_date.isnull() | (spells.end_date >= h.ref_date)),
    )
    return j.select("household_id", "ref_quarter", "ref_date", "member").distinct()


def _member_quarters(mem: ir.Table) -> ir.Table:
    """``member, ref_quarter, quarter``: the four quarters up to each measurement quarter, once per member
    and measurement quarter (a member is in every other member's household: the same rows recur per point).
    Equality keys, so the per-quarter tables are joined by hash instead of by a range per member."""
    pm = mem.select("member", "ref_quarter").distinct()
    steps = [pm.mutate(quarter=periods.add_quarters(pm.ref_quarter, -k)) for k in range(QUARTERS)]
    mq = steps[0]
    for s in steps[1:]:
        mq = mq.union(s, distinct=False)
    return mq


def _window_sum(per_member: ir.Table, per_quarter: ir.Table, column: str) -> ir.Table:
    """``member, ref_quarter, total``: the sum of ``column`` over each member's four quarters ending with
    the measurement quarter (members of ``per_member`` without any such quarter have no row)."""
    mq = _member_quarters(per_member)
    pq = per_quarter.select(member="insz", quarter="quarter", v=column)
    j = mq.join(pq, ["member", "quarter"])
    return j.group_by("member", "ref_quarter").aggregate(total=j.v.sum())


def _eligible(src: Sources, mem: ir.Table) -> ir.Table:
    """``member, ref_quarter``: the members of ``mem`` counted in FTE max, aged 18-59 on the day, without
    students under 25 (each member and quarter once: eligibility is the member's, not the household's)."""
    who = mem.select("member", "ref_quarter", "ref_date").distinct()
    person = jobs.person_rows(src, "person").select(member="insz", birth_date="birth_date")
    who = who.join(person, "member")
    who = who.mutate(age=periods.age_on(who.birth_date, who.ref_date))
    child_benefit = jobs.person_rows(src, "child_benefit")
    students = spell_at(
        who.select(insz=who.member, ref_quarter=who.ref_quarter, ref_date=who.ref_date), child_benefit
    ).select(member="insz", ref_quarter="ref_quarter", student=ibis.literal(True))
    who = left_join_on(who, students, ["member", "ref_quarter"])
    return who.filter(
        (who.age >= WORK_AGE[0])
        & (who.age <= WORK_AGE[1])
        & ~((who.age < STUDENT_AGE_LIMIT) & who.student.fill_null(False))
    ).select("member", "ref_quarter")


DEFINITIONS = (1, 2)
"""The two KSZ definitions of the household FTE (DOMAIN.md section 8, S001-7)."""
PAID_SERVICE_CODES = jobs.PAID_SERVICE_CODES
"""Time covered by pay (``jobs.PAID_SERVICE_CODES``): what definition 2 counts."""


def definition_of(options: dict[str, Any]) -> int:
    """The ``definition`` option (1 = default, the one in force for 21/150)."""
    raw = options.get("definition", 1)
    try:
        definition = int(raw)
    except (TypeError, ValueError):
        definition = 0
    if definition not in DEFINITIONS:
        raise ValueError(f"option 'definition' must be 1 or 2, not {raw!r}")
    return definition


def household_fte_parts(src: Sources, points: ir.Table, definition: int = 1) -> ir.Table:
    """``insz, ref_quarter, fte, fte_max`` for every point whose person has a household on the day.

    FTE max = the number of eligible members (each could work full time); household FTE = the sum of
    their mean quarterly FTE over the four quarters up to the measurement quarter, where a person's FTE
    counts all declared time (definition 1) or only the time covered by pay (definition 2). A household
    without an eligible member has FTE 0 and FTE max 0. Summed once per household and quarter, then given
    to each point living there.
    """
    homes = _homes(src, points)
    mem = _household_members(src, homes)
    eligible = _eligible(src, mem)
    per_quarter = jobs.person_quarter_fte(src) if definition == 1 else jobs.person_quarter_fte_paid(src)
    fte = _window_sum(eligible, per_quarter, "fte")
    e = mem.join(eligible, ["member", "ref_quarter"])
    e = left_join_on(e, fte, ["member", "ref_quarter"])
    agg = e.group_by("household_id", "ref_quarter").aggregate(
        fte=(e.total.fill_null(0) / QUARTERS).sum(), fte_max=e.member.count()
    )
    out = left_join_on(
        homes.select("insz", "ref_quarter", "household_id"), agg, ["household_id", "ref_quarter"]
    )
    return out.select(
        "insz",
        "ref_quarter",
        fte=out.fte.fill_null(0.0).cast("float64"),
        fte_max=out.fte_max.fill_null(0).cast("int32"),
    )


def work_intensity(src: Sources, points: ir.Table, options: dict[str, Any] | None = None) -> ir.Table:
    """Household FTE (definition 1 or 2) over FTE max (DOMAIN.md section 8), rounded to 3 decimals.

    Null without an eligible member (FTE max 0) or without a household on the day.
    """
    parts = household_fte_parts(src, points, definition_of(options or {}))
    value = ibis.ifelse(parts.fte_max > 0, round_half_up(parts.fte / parts.fte_max, 3), ibis.null("float64"))
    return parts.select("insz", "ref_quarter", value=value)


def fte(src: Sources, points: ir.Table, options: dict[str, Any]) -> ir.Table:
    """Household FTE by definition 1 or 2, rounded to 3 decimals."""
    parts = household_fte_parts(src, points, definition_of(options))
    return parts.select("insz", "ref_quarter", value=round_half_up(parts.fte, 3))


def fte_max(src: Sources, points: ir.Table) -> ir.Table:
    """FTE max: the number of household members aged 18-59 on the day, without students under 25.

    Counted without the FTE (no DmfA needed); the same count as ``household_fte_parts``.
    """
    homes = _homes(src, points)
    mem = _household_members(src, homes)
    e = mem.join(_eligible(src, mem), ["member", "ref_quarter"])
    agg = e.group_by("household_id", "ref_quarter").aggregate(n=e.member.count())
    out = left_join_on(
        homes.select("insz", "ref_quarter", "household_id"), agg, ["household_id", "ref_quarter"]
    )
    return out.select("insz", "ref_quarter", value=out.n.fill_null(0).cast("int32"))


INCOME_SPELLS = (
    ("pension", "monthly_amount_cents", MONTHS_PER_QUARTER),
    ("social_assistance", "monthly_amount_cents", MONTHS_PER_QUARTER),
    ("unemployment", "daily_benefit_cents", BENEFIT_DAYS_PER_QUARTER),
)


def income(src: Sources, points: ir.Table) -> ir.Table:
    """Gross household income in euro over the four quarters up to the measurement quarter.

    Every member on the day counts: DmfA remuneration of the quarter, plus pension and social assistance
    (3 monthly amounts) and unemployment benefit (78 daily amounts) for each quarter whose last day the
    spell covers. Null for a person without a household on the day.
    """
    homes = _homes(src, points)
    mem = _household_members(src, homes)
    # Each member's income once per measurement quarter, summed per household, given to its points.
    mq = _member_quarters(mem)
    wages = jobs.person_quarter_fte(src).select(member="insz", quarter="quarter", pay_cents="pay_cents")
    w = mq.join(wages, ["member", "quarter"])
    parts = [w.select("member", "ref_quarter", cents=w.pay_cents.cast("int64"))]
    mq_end = mq.mutate(q_end=periods.quarter_end(mq.quarter))
    for table, amount, factor in INCOME_SPELLS:
        s = jobs.person_rows(src, table).select(
            member="insz", start_date="start_date", end_date="end_date", amount=amount
        )
        j = mq_end.join(
            s, (mq_end.member == s.member) & periods.covers(s.start_date, s.end_date, mq_end.q_end)
        )
        parts.append(j.select("member", "ref_quarter", cents=(j.amount.fill_null(0) * factor).cast("int64")))
    allp = parts[0]
    for part in parts[1:]:
        allp = allp.union(part, distinct=False)
    member_income = allp.group_by("member", "ref_quarter").aggregate(cents=allp.cents.sum())
    m = mem.join(member_income, ["member", "ref_quarter"])
    agg = m.group_by("household_id", "ref_quarter").aggregate(cents=m.cents.sum())
    out = left_join_on(
        homes.select("insz", "ref_quarter", "household_id"), agg, ["household_id", "ref_quarter"]
    )
    return out.select("insz", "ref_quarter", value=round_half_up(out.cents.fill_null(0) / 100.0, 2))


def lipro_labels() -> dict[str, str]:
    df = codelists.load("lipro")
    return dict(zip(df["code"], df["label_nl"], strict=True))
