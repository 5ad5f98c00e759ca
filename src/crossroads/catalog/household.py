"""Household variables (S000-5, S000-7): LIPRO position, work intensity and income of the household.

The household is the set of persons whose household spell with the same ``household_id`` covers the
measurement day. Work and income are taken over the four quarters that end with the measurement quarter,
so a measurement on 31 December covers the calendar year.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from crossroads import codelists
from crossroads.catalog import jobs, periods
from crossroads.catalog.model import Sources, left_join_on, spell_at

WORK_AGE = (18, 59)
"""KSZ "FTE maximaal": members aged 18-59 count as able to work full time ..."""
STUDENT_AGE_LIMIT = 25
"""... except students under 25 (a child-benefit entitlement at that age is taken as studying)."""
QUARTERS = 4
MONTHS_PER_QUARTER = 3
BENEFIT_DAYS_PER_QUARTER = 78
"""Unemployment benefits are paid for six days a week: 13 weeks x 6 = 78 days a quarter."""


def lipro(src: Sources, points: ir.Table) -> ir.Table:
    hh = spell_at(points, src.table("household"))
    return hh.select("insz", "ref_quarter", value=hh.lipro)


def members(src: Sources, points: ir.Table) -> ir.Table:
    """For each point, every member of the person's household on that day (``member`` column)."""
    hh_all = src.table("household").select("insz", "household_id", "start_date", "end_date")
    own = spell_at(points, hh_all).select("insz", "ref_quarter", "ref_date", "household_id")
    other = hh_all.rename(member="insz")
    j = own.join(
        other,
        (own.household_id == other.household_id)
        & (other.start_date <= own.ref_date)
        & (other.end_date.isnull() | (other.end_date >= own.ref_date)),
    )
    return j.select("insz", "ref_quarter", "ref_date", "member").distinct()


def _window_sum(src: Sources, mem: ir.Table, per_quarter: ir.Table, column: str) -> ir.Table:
    """Sum of ``column`` over each member's four quarters ending with the measurement quarter."""
    lo = periods.add_quarters(mem.ref_quarter, -(QUARTERS - 1))
    pq = per_quarter
    j = mem.join(pq, (mem.member == pq.insz) & (pq.quarter >= lo) & (pq.quarter <= mem.ref_quarter))
    return j.group_by("insz", "ref_quarter", "member").aggregate(total=j[column].sum())


def work_intensity(src: Sources, points: ir.Table) -> ir.Table:
    """Household FTE over FTE max (DOMAIN.md section 8).

    FTE max counts the members aged 18-59 on the day, without students under 25; household FTE is the
    mean quarterly FTE of those members over the four quarters. Null without an eligible member.
    """
    mem = members(src, points)
    person = src.table("person").select(member="insz", birth_date="birth_date")
    mem = mem.join(person, "member")
    mem = mem.mutate(age=periods.age_on(mem.birth_date, mem.ref_date))
    child_benefit = src.table("child_benefit")
    students = spell_at(
        mem.select(insz=mem.member, ref_quarter=mem.ref_quarter, ref_date=mem.ref_date).distinct(),
        child_benefit,
    ).select(member="insz", ref_quarter="ref_quarter", student=ibis.literal(True))
    mem = left_join_on(mem, students, ["member", "ref_quarter"])
    eligible = mem.filter(
        (mem.age >= WORK_AGE[0])
        & (mem.age <= WORK_AGE[1])
        & ~((mem.age < STUDENT_AGE_LIMIT) & mem.student.fill_null(False))
    ).select("insz", "ref_quarter", "ref_date", "member")
    fte = _window_sum(src, eligible, jobs.person_quarter_fte(src), "fte")
    e = left_join_on(eligible, fte, ["insz", "ref_quarter", "member"])
    agg = e.group_by("insz", "ref_quarter").aggregate(
        fte=(e.total.fill_null(0) / QUARTERS).sum(), fte_max=e.member.count()
    )
    return agg.select("insz", "ref_quarter", value=(agg.fte / agg.fte_max).round(3))


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
    mem = members(src, points).select("insz", "ref_quarter", "member")
    steps = [mem.mutate(quarter=periods.add_quarters(mem.ref_quarter, -k)) for k in range(QUARTERS)]
    mq = steps[0]
    for s in steps[1:]:
        mq = mq.union(s, distinct=False)
    wages = jobs.person_quarter_fte(src).select(member="insz", quarter="quarter", pay_cents="pay_cents")
    w = mq.join(wages, ["member", "quarter"])
    parts = [w.select("insz", "ref_quarter", cents=w.pay_cents.cast("int64"))]
    mq_end = mq.mutate(q_end=periods.quarter_end(mq.quarter))
    for table, amount, factor in INCOME_SPELLS:
        s = src.table(table).select(
            member="insz", start_date="start_date", end_date="end_date", amount=amount
        )
        j = mq_end.join(
            s, (mq_end.member == s.member) & periods.covers(s.start_date, s.end_date, mq_end.q_end)
        )
        parts.append(j.select("insz", "ref_quarter", cents=(j.amount.fill_null(0) * factor).cast("int64")))
    allp = parts[0]
    for part in parts[1:]:
        allp = allp.union(part, distinct=False)
    agg = allp.group_by("insz", "ref_quarter").aggregate(cents=allp.cents.sum())
    hh = mem.select("insz", "ref_quarter").distinct()
    out = left_join_on(hh, agg, ["insz", "ref_quarter"])
    return out.select("insz", "ref_quarter", value=(out.cents.fill_null(0) / 100.0).round(2))


def lipro_labels() -> dict[str, str]:
    df = codelists.load("lipro")
    return dict(zip(df["code"], df["label_nl"], strict=True))
