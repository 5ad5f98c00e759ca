"""Register variables of 21/128 (S003-3) and 15/018 (S001-4, S001-8): nationality at birth, parents,
geography of the main residence, household type, cross-border work and register dates.

Measured on the measurement day (``ref_date``, the last day of the quarter) unless said otherwise.
Geography follows ``province`` (catalog/profile.py): a main residence abroad gives ``ABR``; a person with no
main-residence spell covering the day gets no value.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import ibis
import ibis.expr.types as ir

from crossroads import codelists
from crossroads.catalog import household, jobs, periods, profile
from crossroads.catalog.model import POINT_KEY, Sources, Variable, left_join_on, point_key, spell_at
from crossroads.warehouse.schema import ENUMS

BELGIUM = profile.BELGIUM
ABROAD = profile.ABROAD
NOT_CENTRAL_CITY = "0"

CENTRAL_CITIES: dict[str, str] = {
    "11002": "Antwerpen",
    "44021": "Gent",
    "41002": "Aalst",
    "31005": "Brugge",
    "71016": "Genk",
    "71072": "Hasselt",
    "34022": "Kortrijk",
    "24062": "Leuven",
    "12025": "Mechelen",
    "35013": "Oostende",
    "36015": "Roeselare",
    "46021": "Sint-Niklaas",
    "13040": "Turnhout",
}
"""The 13 Flemish centrumsteden (Vlaamse Gemeente- en Stadsmonitor: the two grootsteden Antwerpen and Gent
and eleven regional cities), as NIS5 codes of the 2025 map (Hasselt = 71072 after the merger with
Kortessem). Not in DOMAIN.md; checked against the municipality code list by the tests."""


def _person(src: Sources, points: ir.Table) -> ir.Table:
    return profile.person_at(src, points)  # the register row joined once per points for both modules


# ------------------------------------------------------------------ person facts
def first_nationality(src: Sources, points: ir.Table) -> ir.Table:
    j = _person(src, points)
    return j.select("insz", "ref_quarter", value=j.first_nationality)


def parents_first_nationality(src: Sources, points: ir.Table) -> ir.Table:
    """First non-Belgian of father's and mother's nationality at birth (father first); 150 when both are
    Belgian; empty when no parent is known foreign and at least one is unknown."""
    j = _person(src, points)
    f, m = j.father_first_nationality, j.mother_first_nationality
    value = ibis.cases(
        (f.notnull() & (f != BELGIUM), f),
        (m.notnull() & (m != BELGIUM), m),
        (f.notnull() & m.notnull(), ibis.literal(BELGIUM)),
        else_=ibis.null("string"),
    )
    return j.select("insz", "ref_quarter", value=value)


def birth_country(src: Sources, points: ir.Table) -> ir.Table:
    j = _person(src, points)
    return j.select("insz", "ref_quarter", value=j.birth_country)


def first_registration_date(src: Sources, points: ir.Table) -> ir.Table:
    j = _person(src, points)
    return j.select("insz", "ref_quarter", value=j.first_registration_date)


def death_year_quarter(src: Sources, points: ir.Table) -> ir.Table:
    """YYYYQ of the registered death, whatever the measurement day; empty when no death is registered."""
    j = _person(src, points)
    return j.select(
        "insz",
        "ref_quarter",
        value=ibis.ifelse(j.death_date.isnull(), ibis.null("int32"), periods.quarter_of_date(j.death_date)),
    )


# ------------------------------------------------------------------ residence
def _residence(src: Sources, points: ir.Table) -> ir.Table:
    """The main-residence spell on the day (one per point) with its municipality and registration date."""
    return profile.residence_at(src, points).select("insz", "ref_quarter", "nis_code", "registration_date")


def municipality(src: Sources, points: ir.Table) -> ir.Table:
    r = _residence(src, points)
    return r.select("insz", "ref_quarter", value=r.nis_code.fill_null(ABROAD))


def arrondissement(src: Sources, points: ir.Table) -> ir.Table:
    r = profile.residence_at(src, points)
    value = ibis.ifelse(r.nis_code.isnull(), ibis.literal(ABROAD), r.arrondissement_nis)
    return r.select("insz", "ref_quarter", value=value)


def central_city(src: Sources, points: ir.Table) -> ir.Table:
    r = _residence(src, points)
    value = ibis.cases(
        (r.nis_code.isnull(), ibis.literal(ABROAD)),
        (r.nis_code.isin(list(CENTRAL_CITIES)), r.nis_code),
        else_=ibis.literal(NOT_CENTRAL_CITY),
    )
    return r.select("insz", "ref_quarter", value=value)


def register_date(src: Sources, points: ir.Table) -> ir.Table:
    r = _residence(src, points)
    return r.select("insz", "ref_quarter", value=r.registration_date)


# ------------------------------------------------------------------ household, residence reasons
def household_type(src: Sources, points: ir.Table) -> ir.Table:
    h = household.household_at(src, points)
    return h.select("insz", "ref_quarter", value=h.household_type)


def _reason_at(src: Sources, points: ir.Table) -> ir.Table:
    """The residence-reason spell on each point's day, found once per stored set of points: the reason
    and its date (21/128 asks both) are then stored together (``extract._Derivations``)."""

    def build() -> ir.Table:
        rows = jobs.person_rows(src, "residence_reason")
        rr = rows.select("insz", "reason", "registration_date", "start_date", "end_date")
        return spell_at(points, rr).select("insz", "ref_quarter", "reason", "registration_date")

    return jobs.memo_at(src, "residence_reason_spell", points, build)


def residence_reason_date(src: Sources, points: ir.Table) -> ir.Table:
    r = _reason_at(src, points)
    return r.select("insz", "ref_quarter", value=r.registration_date)


def parents_residence_reason(src: Sources, points: ir.Table) -> ir.Table:
    """The parents' reasons of residence on the day: the first foreign reason (not BE) of father, then
    mother; BE when a parent holds BE (naturalised) and none a foreign one; empty when neither parent has a
    registered reason on the day (Belgian from birth, unknown parent, not registered)."""
    pts = points.select("insz", "ref_quarter", "ref_date")
    out = pts.select("insz", "ref_quarter")
    reasons = _parents_reasons(src)
    for parent in ("father", "mother"):
        rows = reasons.filter(reasons.parent == parent)
        r = spell_at(pts, rows).select("insz", "ref_quarter", **{parent: "reason"})
        out = left_join_on(out, r, ["insz", "ref_quarter"])
    f, m = out.father, out.mother
    value = ibis.cases(
        (f.notnull() & (f != "BE"), f),
        (m.notnull() & (m != "BE"), m),
        (f.notnull() | m.notnull(), ibis.literal("BE")),
        else_=ibis.null("string"),
    )
    return out.select("insz", "ref_quarter", value=value)


def _parents_reasons(src: Sources) -> ir.Table:
    """``insz`` (the child), ``parent`` (father, mother) and each residence-reason spell of that parent.

    Keyed by the child, so a sliced run cuts them per slice like the persons' own rows (``person_keyed``);
    parents are not in the run's scope, and reading them by the parents' INSZ scanned the whole reason
    table in every slice."""

    def build(scope: ir.Table | None) -> ir.Table:
        persons = src.table("person")
        if scope is not None:
            persons = persons.semi_join(scope, "insz")
        rr = src.table("residence_reason").select(
            parent_insz="insz", reason="reason", start_date="start_date", end_date="end_date"
        )
        parts = []
        for parent in ("father", "mother"):
            link = persons.select("insz", parent_insz=persons[f"{parent}_insz"])
            link = link.filter(link.parent_insz.notnull())
            j = link.join(rr, "parent_insz")
            parts.append(j.select("insz", "reason", "start_date", "end_date", parent=ibis.literal(parent)))
        return parts[0].union(parts[1], distinct=False)

    return jobs.person_keyed(src, "parent_residence_reasons", build, lambda _: build(None))


# ------------------------------------------------------------------ DmfA
def cross_border_work(src: Sources, points: ir.Table) -> ir.Table:
    """1 when a DmfA worker line of the person in the quarter is flagged cross-border (zone 00040), 0 when
    the person has worker lines but none is; empty without a worker line in the quarter."""

    def lines(scope: ir.Table | None) -> ir.Table:
        np_ = jobs.quarter_rows(src, "dmfa_natural_person").select("person_id", "insz")
        if scope is not None:
            np_ = np_.semi_join(scope, "insz")
        wl = jobs.quarter_rows(src, "dmfa_worker_line").select("person_id", "quarter", "cross_border")
        return wl.join(np_, "person_id").select("insz", "quarter", "cross_border")

    j = jobs.person_keyed(src, "worker_line_flags", lines, lambda _: lines(None))
    flag = ibis.ifelse(j.cross_border.fill_null(False), 1, 0)
    if POINT_KEY in points.columns:
        # Points that carry their key: the lines grouped and met on one number per person and quarter (the
        # INSZ and quarter pair cost twice as much in the join and the grouping, a slice of 21/128 at 0.1).
        keyed = j.select(flag=flag, _key=point_key(j.insz, j.quarter))
        agg = keyed.group_by("_key").aggregate(flag=keyed.flag.max())
        pts = points.select("insz", "ref_quarter", POINT_KEY)
        at = pts.join(agg, pts[POINT_KEY] == agg._key)
        return at.select("insz", "ref_quarter", value=at.flag.cast("string"))
    pts = points.select("insz", "ref_quarter")
    j = j.join(pts, (j.insz == pts.insz) & (j.quarter == pts.ref_quarter)).select(
        insz=j.insz, ref_quarter=pts.ref_quarter, flag=flag
    )
    agg = j.group_by(["insz", "ref_quarter"]).aggregate(flag=j.flag.max())
    return agg.select("insz", "ref_quarter", value=agg.flag.cast("string"))


# ------------------------------------------------------------------ labels
@cache
def _municipalities() -> dict[str, tuple[str, str, str]]:
    m = codelists.municipalities()
    return {r.nis_code: (r.name_nl, r.arrondissement_nis, r.arrondissement_nl) for r in m.itertuples()}


def municipality_labels() -> dict[str, str]:
    labels = {code: name for code, (name, _a, _an) in _municipalities().items()}
    return dict(sorted(labels.items())) | {ABROAD: "buitenland"}


def arrondissement_labels() -> dict[str, str]:
    labels = {a: f"arrondissement {an}" for _n, a, an in _municipalities().values()}
    return dict(sorted(labels.items())) | {ABROAD: "buitenland"}


def central_city_labels() -> dict[str, str]:
    return (
        dict(sorted(CENTRAL_CITIES.items())) | {NOT_CENTRAL_CITY: "geen centrumstad"} | {ABROAD: "buitenland"}
    )


def _enum(name: str) -> Callable[[], dict[str, str]]:
    def labels() -> dict[str, str]:
        return dict(ENUMS[name])

    return labels


PERSON = ("person",)
RESIDENCE = ("residence",)

VARIABLES: tuple[Variable, ...] = (
    Variable(
        "first_nationality_class",
        "eerste nationaliteit (klasse)",
        "first nationality (class)",
        "person-year",
        PERSON,
        first_nationality,
        "Nationality at birth (NIS country code), in classes.",
        scheme="nationality",
        requirement="S003-3",
    ),
    Variable(
        "parents_first_nationality_class",
        "eerste nationaliteit van de ouders (klasse)",
        "parents' first nationality (class)",
        "person-year",
        PERSON,
        parents_first_nationality,
        "The first non-Belgian of the father's and the mother's nationality at birth (father first); "
        "Belgian (150) when both are Belgian; unknown when no parent is known to be foreign and a parent's "
        "nationality at birth is missing. In classes.",
        scheme="nationality",
        requirement="S003-3",
    ),
    Variable(
        "birth_country_class",
        "geboorteland (klasse)",
        "country of birth (class)",
        "person-year",
        PERSON,
        birth_country,
        "Country of birth (NIS country code), in classes.",
        scheme="nationality",
        requirement="S003-3",
    ),
    Variable(
        "arrondissement",
        "arrondissement van de woonplaats",
        "arrondissement of residence",
        "person-quarter",
        RESIDENCE,
        arrondissement,
        "Arrondissement (NIS) of the main residence on the measurement day; Brussels-Capital = 21000; "
        "ABR = abroad; empty without a registered main residence on that day.",
        labels=arrondissement_labels,
        requirement="S003-3",
    ),
    Variable(
        "municipality",
        "gemeente van de woonplaats",
        "municipality of residence",
        "person-quarter",
        RESIDENCE,
        municipality,
        "Municipality (NIS5, 2025 map) of the main residence on the measurement day; ABR = abroad; empty "
        "without a registered main residence on that day.",
        labels=municipality_labels,
        requirement="S001-4",
    ),
    Variable(
        "central_city",
        "centrumstad van de woonplaats",
        "central city of residence",
        "person-quarter",
        RESIDENCE,
        central_city,
        "NIS5 code of the main residence on the measurement day when it is one of the 13 Flemish central "
        "cities (Antwerpen, Gent, Aalst, Brugge, Genk, Hasselt, Kortrijk, Leuven, Mechelen, Oostende, "
        "Roeselare, Sint-Niklaas, Turnhout); 0 = elsewhere in Belgium; ABR = abroad.",
        labels=central_city_labels,
        requirement="S001-8",
    ),
    Variable(
        "household_type",
        "type huishouden",
        "household type",
        "person-quarter",
        ("household",),
        household_type,
        "Type of the household the person belongs to on the measurement day (national register).",
        labels=_enum("household_type"),
        requirement="S003-3",
    ),
    Variable(
        "cross_border_work",
        "grensarbeid",
        "cross-border work",
        "person-quarter",
        ("dmfa_natural_person", "dmfa_worker_line"),
        cross_border_work,
        "1 when a DmfA worker line of the quarter is flagged cross-border worker (zone 00040), 0 when the "
        "person has worker lines in the quarter but none is; empty without a DmfA worker line.",
        labels=_enum("yes_no"),
        requirement="S003-3",
    ),
    Variable(
        "parents_residence_reason",
        "verblijfsreden van de ouders",
        "parents' reason of residence",
        "person-quarter",
        ("person", "residence_reason"),
        parents_residence_reason,
        "Reason of residence of the parents (person.father_insz / mother_insz) on the measurement day: the "
        "first foreign reason (not BE) of father, then mother; BE when a parent has the reason Belgian and "
        "none a foreign one; empty when neither parent has a registered reason on that day.",
        labels=_enum("residence_reason"),
        requirement="S003-3",
    ),
    Variable(
        "register_date",
        "datum van inschrijving op het huidige adres",
        "date of registration at the current address",
        "person-quarter",
        RESIDENCE,
        register_date,
        "Registration date of the main residence on the measurement day (as year-month by default).",
        scheme="year_month",
        requirement="S003-3",
    ),
    Variable(
        "first_registration_date",
        "datum van eerste inschrijving",
        "date of first registration",
        "person-year",
        PERSON,
        first_registration_date,
        "Date of the first registration in the national register (as year-month by default).",
        scheme="year_month",
        requirement="S003-3",
    ),
    Variable(
        "residence_reason_date",
        "datum van inschrijving van de verblijfsreden",
        "registration date of the reason of residence",
        "person-quarter",
        ("residence_reason",),
        residence_reason_date,
        "Registration date of the reason of residence that applies on the measurement day (as year-month by "
        "default); empty without a registered reason.",
        scheme="year_month",
        requirement="S003-3",
    ),
    Variable(
        "death_year_quarter",
        "kwartaal van overlijden",
        "quarter of death",
        "person-year",
        PERSON,
        death_year_quarter,
        "Quarter of death as YYYYQ (20203 = 2020 Q3) when a death is registered in the national register, "
        "whatever the measurement day (so that a file measured on one day shows who died later in the "
        "follow-up); empty when no death is registered.",
        "int",
        requirement="S001-8",
    ),
)


def residence_reason_limited(src: Sources, points: ir.Table, options: dict[str, object]) -> ir.Table:
    """Reason of residence on the day; with ``max_residence_years`` (default 5, S000-5) only while the
    residence in Belgium is shorter than that, with ``max_residence_years: null`` always (21/128)."""
    limit = options.get("max_residence_years", profile.RECENT_RESIDENCE_YEARS)
    if limit is None:
        reason = _reason_at(src, points)
        return reason.select("insz", "ref_quarter", value=reason.reason)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ValueError(
            "variable residence_reason: option max_residence_years must be a whole number ≥ 1 or null"
        )
    years = profile.residence_years(src, points).rename(years="value")
    reason = _reason_at(src, points).select("insz", "ref_quarter", "reason")
    j = years.join(reason, ["insz", "ref_quarter"])
    return j.select("insz", "ref_quarter", value=ibis.ifelse(j.years < limit, j.reason, ibis.null("string")))
