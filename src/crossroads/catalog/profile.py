"""Person profile variables (S000-5, S000-7): measured on the last day of the measurement quarter."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from crossroads import codelists
from crossroads.catalog import jobs, periods
from crossroads.catalog.model import Sources, left_join_on, spell_at
from crossroads.warehouse.schema import ENUMS

BELGIUM = "150"
RECENT_RESIDENCE_YEARS = 5
"""S000-5: the residence reason is asked only while the residence is shorter than five years."""

ORIGIN_BELGIAN = BELGIUM
ORIGIN_BELGIAN_UNDETERMINED = "150U"
"""Belgian now and at birth, but a parent's nationality at birth is unknown (origin undetermined)."""

ABROAD = "ABR"
BRUSSELS_REGION = "04000"


def person_at(src: Sources, points: ir.Table) -> ir.Table:
    """The points with the person's register row (a dozen variables read it: joined once per points)."""

    def build() -> ir.Table:
        p = jobs.person_rows(src, "person")
        pts = points.select("insz", "ref_quarter", "ref_date", "ref_year")
        return pts.join(p, "insz")

    return jobs.memo_at(src, "person", points, build)


def age(src: Sources, points: ir.Table) -> ir.Table:
    j = person_at(src, points)
    return j.select("insz", "ref_quarter", value=periods.age_on(j.birth_date, j.ref_date))


def sex(src: Sources, points: ir.Table) -> ir.Table:
    j = person_at(src, points)
    return j.select("insz", "ref_quarter", value=j.sex)


def current_nationality(src: Sources, points: ir.Table) -> ir.Table:
    """Nationality on the day; Belgian wins for dual nationals, then the most recent; else at birth."""
    nat = jobs.person_rows(src, "nationality").select("insz", "nationality", "start_date", "end_date")
    spells = spell_at(
        points,
        nat,
        order_by=[ibis.desc(ibis._.nationality == BELGIUM), ibis.desc("start_date"), "nationality"],
    ).select("insz", "ref_quarter", "nationality")
    j = left_join_on(
        person_at(src, points).select("insz", "ref_quarter", "first_nationality"),
        spells,
        ["insz", "ref_quarter"],
    )
    return j.select("insz", "ref_quarter", value=j.nationality.fill_null(j.first_nationality))


def origin(src: Sources, points: ir.Table) -> ir.Table:
    """Origin (herkomst) as in the socio-economic monitoring (DOMAIN.md section 8).

    Foreign if any of father's nationality at birth, mother's, own at birth or current is not Belgian; the
    value is the first foreign one in that order (a country code the nationality classes group). Belgian
    (150) if all four are Belgian; 150U if the person is Belgian but a parent's nationality is unknown.
    """
    cur = current_nationality(src, points).rename(current="value")
    p = person_at(src, points).select(
        "insz", "ref_quarter", "father_first_nationality", "mother_first_nationality", "first_nationality"
    )
    j = left_join_on(p, cur, ["insz", "ref_quarter"])
    order = [j.father_first_nationality, j.mother_first_nationality, j.first_nationality, j.current]
    value = ibis.cases(
        *[((c.notnull() & (c != BELGIUM)), c) for c in order],
        (
            j.father_first_nationality.isnull() | j.mother_first_nationality.isnull(),
            ibis.literal(ORIGIN_BELGIAN_UNDETERMINED),
        ),
        else_=ibis.literal(ORIGIN_BELGIAN),
    )
    return j.select(
        "insz",
        "ref_quarter",
        "father_first_nationality",
        "mother_first_nationality",
        "first_nationality",
        "current",
        value=value,
    )


ORIGIN_INPUTS = ("father_first_nationality", "mother_first_nationality", "first_nationality", "current")


def birth_country(src: Sources, points: ir.Table) -> ir.Table:
    j = person_at(src, points)
    return j.select("insz", "ref_quarter", value=j.birth_country)


def education_level(src: Sources, points: ir.Table) -> ir.Table:
    """Highest level (ISCED 2011) of the latest reference year up to the point, grouped low/mid/high."""
    edu = jobs.person_rows(src, "education_level")
    pts = points.select("insz", "ref_quarter", "ref_year")
    j = pts.join(edu, (pts.insz == edu.insz) & (edu.year <= pts.ref_year))
    rank = ibis.row_number().over(ibis.window(group_by=["insz", "ref_quarter"], order_by=[ibis.desc("year")]))
    latest = j.mutate(_r=rank).filter(lambda t: t._r == 0)
    level = latest.isced.cast("int32")
    grouped = ibis.cases(
        (level <= 2, ibis.literal("LOW")),
        (level <= 4, ibis.literal("MID")),
        (level <= 8, ibis.literal("HIGH")),
        else_=ibis.literal("UNK"),
    )
    found = latest.select("insz", "ref_quarter", found=grouped)
    out = left_join_on(pts.select("insz", "ref_quarter"), found, ["insz", "ref_quarter"])
    return out.select("insz", "ref_quarter", value=out.found.fill_null("UNK"))


def residence_at(src: Sources, points: ir.Table) -> ir.Table:
    """Main residence on the day: municipality (NIS5) or abroad, and its registration date; one row per
    point with a residence. Found once per stored set of points for every geography variable."""

    def build() -> ir.Table:
        res = jobs.person_rows(src, "residence")
        at = spell_at(points, res).select(
            "insz", "ref_quarter", "nis_code", "abroad_country", "registration_date"
        )
        # The municipality's arrondissement, province and region with it (a join with ~600 rows): the
        # geography variables are then projections of this block, stored together and joined to a file
        # once (21/128's arrondissement and registration date: one join of 4 M points instead of two).
        geo = src.lookup("geography").select("nis_code", "arrondissement_nis", "province_nis", "region_nis")
        return left_join_on(at, geo, ["nis_code"])

    return jobs.memo_at(src, "residence_spell", points, build)


def province(src: Sources, points: ir.Table) -> ir.Table:
    """Province of residence (NIS); Brussels has no province and gets its region code; abroad = ABR."""
    j = residence_at(src, points)
    value = ibis.cases(
        (j.nis_code.isnull(), ibis.literal(ABROAD)),
        (j.region_nis == BRUSSELS_REGION, ibis.literal(BRUSSELS_REGION)),
        else_=j.province_nis,
    )
    return j.select("insz", "ref_quarter", value=value)


def registration_year(src: Sources, points: ir.Table) -> ir.Table:
    j = person_at(src, points)
    return j.select("insz", "ref_quarter", value=j.first_registration_date.year().cast("int32"))


def residence_years(src: Sources, points: ir.Table) -> ir.Table:
    """Completed years since the first registration in the national register."""
    j = person_at(src, points)
    years = periods.age_on(j.first_registration_date, j.ref_date)
    return j.select("insz", "ref_quarter", value=ibis.ifelse(years >= 0, years, ibis.null("int32")))


def residence_reason(src: Sources, points: ir.Table) -> ir.Table:
    """Reason of residence on the day, only while the residence is shorter than five years."""
    years = residence_years(src, points).rename(years="value")
    reason = spell_at(points, jobs.person_rows(src, "residence_reason")).select(
        "insz", "ref_quarter", "reason"
    )
    j = years.join(reason, ["insz", "ref_quarter"])
    return j.select(
        "insz",
        "ref_quarter",
        value=ibis.ifelse(j.years < RECENT_RESIDENCE_YEARS, j.reason, ibis.null("string")),
    )


# ------------------------------------------------------------------ labels
def province_labels() -> dict[str, str]:
    m = codelists.municipalities()
    labels = {r.province_nis: f"provincie {r.province_nl}" for r in m.itertuples() if r.province_nis}
    labels[BRUSSELS_REGION] = "Brussels Hoofdstedelijk Gewest"
    labels[ABROAD] = "buitenland"
    return dict(sorted(labels.items()))


def sex_labels() -> dict[str, str]:
    return dict(ENUMS["sex"])


def education_labels() -> dict[str, str]:
    return dict(ENUMS["education_level"])


def residence_reason_labels() -> dict[str, str]:
    return dict(ENUMS["residence_reason"])
