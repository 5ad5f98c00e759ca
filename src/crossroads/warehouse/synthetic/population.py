"""Persons of one chunk: households first, then the people in them, births, deaths, arrivals and departures.

A chunk is generated household by household so that life courses hang together: children are born to a
mother in the household, children leave home and (often) start a couple with another leaver, partners die,
immigrant households arrive and some leave again. The result is a set of person arrays plus household
*memberships* (person, household, role, in, out); :mod:`.households` turns memberships into LIPRO spells
and :mod:`.residence` into residence spells.

Volumes at scale 1 (Belgium): about 10.6 million residents on 1 January 2007, 2.2 million births and
2.1 million arrivals over 2007-2024, and Gompertz mortality (about 110,000 deaths a year).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from crossroads.warehouse.identifiers import insz_from_parts
from crossroads.warehouse.synthetic.geography import Geography
from crossroads.warehouse.synthetic.period import OPEN, P0, P1, Days, years_to_days

# Household kinds (fixed over the household's life; the *type* per spell follows from who is present).
ONE, COUPLE_MAR, COUPLE_UNM, LONE_PARENT, OTHER, COLLECTIVE = range(6)
# Roles of a member in the household.
REF, PARTNER, CHILD, MEMBER, RESIDENT = range(5)

STOCK_HOUSEHOLDS = 4_745_000
ARRIVING_HOUSEHOLDS = 1_180_000
BIRTHS = 2_200_000
PERSONS_PER_SCALE = 14_900_000
"""Approximate number of persons ever present at scale 1 (sizes the chunks)."""

# Stock household kinds and their shares among households on 1 January 2007.
_STOCK_KINDS = np.array([ONE, COUPLE_MAR, COUPLE_UNM, LONE_PARENT, OTHER, COLLECTIVE])
_STOCK_SHARES = np.array([0.33, 0.40, 0.13, 0.09, 0.03, 0.02])
_P_WITH_CHILDREN = 0.53
"""Share of couple households with children at home on 1 January 2007."""

_FIRST_NAMES = {
    1: [
        "Jan",
        "Luc",
        "Marc",
        "Peter",
        "Tom",
        "Bart",
        "Wim",
        "Dirk",
        "Koen",
        "Jozef",
        "Noah",
        "Lucas",
        "Liam",
        "Mohamed",
        "Ahmed",
        "Louis",
        "Arthur",
        "Victor",
        "Jules",
        "Adam",
        "Thomas",
        "Kevin",
        "Pieter",
        "Stijn",
        "Hans",
        "Filip",
        "Geert",
        "Mehmet",
        "Youssef",
        "Pierre",
    ],
    2: [
        "Maria",
        "Anna",
        "Els",
        "Ann",
        "Sofie",
        "Lotte",
        "Emma",
        "Olivia",
        "Louise",
        "Mila",
        "Elise",
        "Nina",
        "Sarah",
        "Fatima",
        "Yasmina",
        "Julie",
        "Laura",
        "Marie",
        "Inge",
        "Katrien",
        "Hilde",
        "Nathalie",
        "Leen",
        "Lisa",
        "Noor",
        "Ayse",
        "Zeynep",
        "Amira",
        "Chloé",
        "Camille",
    ],
}
_LAST_NAMES = [
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "De",
    "Smet",
    "Dubois",
    "Lambert",
    "Dupont",
    "Martin",
    "Hermans",
    "Aerts",
    "Pauwels",
    "Vermeulen",
    "Van",
    "Damme",
    "Declercq",
    "El",
    "Amrani",
    "Yilmaz",
    "Kaya",
    "Rossi",
    "Lemmens",
    "Desmet",
    "Michiels",
    "Smets",
    "Bogaert",
    "Van",
    "den",
    "Broeck",
    "Diallo",
    "Nowak",
    "Popescu",
    "Kowalski",
    "Bakker",
]


@dataclass
class People:
    """The persons of one chunk (index = local person number) and their household memberships."""

    sex: npt.NDArray[np.int8]
    birth: Days
    birth_country: npt.NDArray[np.int16]
    """Index into ``Geography.country_nis`` (0 = Belgium)."""
    first_nationality: npt.NDArray[np.int16]
    father: npt.NDArray[np.int32]
    mother: npt.NDArray[np.int32]
    arrival: Days
    """First registration: birth for people born here, arrival for the others."""
    death: Days
    bis: npt.NDArray[np.bool_]
    # memberships
    m_person: npt.NDArray[np.int32]
    m_household: npt.NDArray[np.int32]
    m_role: npt.NDArray[np.int8]
    m_in: Days
    m_out: Days
    # households
    h_kind: npt.NDArray[np.int8]
    h_exit: Days
    """Date the whole household emigrates (``OPEN`` if it stays)."""
    h_muni: npt.NDArray[np.int64]
    h_move: Days
    h_muni2: npt.NDArray[np.int64]
    # derived
    out: Days = field(default_factory=lambda: np.zeros(0, np.int32))
    """Leaves the population: death or emigration (``OPEN`` if neither before 2025)."""
    emigrated: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool))
    insz: pa.Array = field(default_factory=lambda: pa.array([], pa.string()))

    @property
    def n(self) -> int:
        return len(self.sex)

    @property
    def foreign_born(self) -> npt.NDArray[np.bool_]:
        return self.birth_country != 0


def _gompertz_death(rng: np.random.Generator, birth: Days, start: Days) -> Days:
    """Death date after ``start`` under hazard 1.8e-5·exp(0.1·age) per year (about 110,000 deaths a year
    at scale 1); ``OPEN`` when it falls after the period."""
    a, b = 1.8e-5, 0.1
    age0 = np.maximum((start - birth) / 365.25, 0.0)
    u = rng.random(len(birth))
    # inverse of S(t) = exp(-(a/b)(e^{b(age0+t)} - e^{b age0}))
    t = np.log(np.exp(b * age0) - b * np.log(u) / a) / b - age0
    death = start + years_to_days(t)
    return np.where(death > P1, OPEN, np.maximum(death, start)).astype(np.int32)


class _Builder:
    """Accumulates persons, households and memberships while a chunk is generated."""

    def __init__(self) -> None:
        self.p: dict[str, list[npt.NDArray[np.generic]]] = {
            k: []
            for k in (
                "sex",
                "birth",
                "birth_country",
                "first_nationality",
                "father",
                "mother",
                "arrival",
                "bis",
            )
        }
        self.m: dict[str, list[npt.NDArray[np.generic]]] = {
            k: [] for k in ("person", "household", "role", "in")
        }
        self.h: dict[str, list[npt.NDArray[np.generic]]] = {k: [] for k in ("kind", "start", "exit", "muni")}
        self.n_persons = 0
        self.n_households = 0

    def persons(self, **cols: npt.ArrayLike) -> npt.NDArray[np.int32]:
        n = len(np.asarray(cols["sex"]))
        defaults = {"father": -1, "mother": -1, "bis": False}
        for k in self.p:
            v = cols.get(k, defaults.get(k))
            self.p[k].append(np.broadcast_to(np.asarray(v), (n,)).copy())
        ids = np.arange(self.n_persons, self.n_persons + n, dtype=np.int32)
        self.n_persons += n
        return ids

    def households(
        self, kind: npt.ArrayLike, start: Days, exit_: Days, muni: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.int32]:
        n = len(start)
        self.h["kind"].append(np.broadcast_to(np.asarray(kind, np.int8), (n,)).copy())
        self.h["start"].append(start.astype(np.int32))
        self.h["exit"].append(exit_.astype(np.int32))
        self.h["muni"].append(muni.astype(np.int64))
        ids = np.arange(self.n_households, self.n_households + n, dtype=np.int32)
        self.n_households += n
        return ids

    def members(self, person: npt.ArrayLike, household: npt.ArrayLike, role: int, in_: npt.ArrayLike) -> None:
        person = np.asarray(person, np.int32)
        self.m["person"].append(person)
        self.m["household"].append(np.asarray(household, np.int32))
        self.m["role"].append(np.full(person.size, role, np.int8))
        self.m["in"].append(np.asarray(in_, np.int32))

    def cat(self, part: dict[str, list[npt.NDArray[np.generic]]], key: str) -> npt.NDArray[np.generic]:
        return np.concatenate(part[key]) if part[key] else np.zeros(0)


def _split(total: float, n_chunks: int, chunk: int) -> int:
    """This chunk's share of ``total`` (shares add up exactly to the rounded total)."""
    whole = round(total)
    return whole // n_chunks + (1 if chunk < whole % n_chunks else 0)


def _snap(days: Days, n_chunks: int, chunk: int, forward: bool = False) -> Days:
    """Move birth dates to days ``≡ chunk (mod n_chunks)``: no two chunks share a birth date, so INSZ
    serial numbers can be assigned inside a chunk and stay unique in the whole warehouse."""
    if n_chunks == 1:
        return days.astype(np.int32)
    if forward:
        return (days + (chunk - days) % n_chunks).astype(np.int32)
    return (days - (days - chunk) % n_chunks).astype(np.int32)


def generate(rng: np.random.Generator, geo: Geography, scale: float, n_chunks: int, chunk: int) -> People:
    b = _Builder()
    _stock(rng, geo, b, _split(STOCK_HOUSEHOLDS * scale, n_chunks, chunk), n_chunks, chunk)
    _arrivals(rng, geo, b, _split(ARRIVING_HOUSEHOLDS * scale, n_chunks, chunk), n_chunks, chunk)
    people = _assemble(b)
    people.death = _gompertz_death(rng, people.birth, np.maximum(people.birth, P0).astype(np.int32))
    _leave_home(rng, geo, b, people)
    people = _assemble(b, people.death)
    _births(rng, b, people, _split(BIRTHS * scale, n_chunks, chunk), n_chunks, chunk)
    death = people.death
    people = _assemble(b)
    people.death = np.concatenate(
        [death, _gompertz_death(rng, people.birth[death.size :], people.birth[death.size :])]
    ).astype(np.int32)
    _finish(rng, geo, people)
    return people


def _children_ages(
    rng: np.random.Generator, mother_age: npt.NDArray[np.float64], k: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """For each household with ``k`` children, the household index per child and the child's age."""
    hh = np.repeat(np.arange(k.size), k)
    m = mother_age[hh]
    lo, hi = np.maximum(20.0, m - 24.0), np.minimum(42.0, m)
    at_birth = lo + rng.random(hh.size) * np.maximum(hi - lo, 0.0)
    return hh, np.maximum(m - at_birth, 0.0)


def _stock(rng: np.random.Generator, geo: Geography, b: _Builder, n: int, n_chunks: int, chunk: int) -> None:
    """Households living in Belgium on 1 January 2007."""
    kind = rng.choice(_STOCK_KINDS, size=n, p=_STOCK_SHARES)
    couple = (kind == COUPLE_MAR) | (kind == COUPLE_UNM)
    with_kids = (couple & (rng.random(n) < _P_WITH_CHILDREN)) | (kind == LONE_PARENT)
    # immigrant households (born abroad) among the stock, arrived before 2007
    immigrant = rng.random(n) < 0.125
    origin = np.where(immigrant, rng.choice(len(geo.stock_mix), size=n, p=geo.stock_mix), 0).astype(np.int16)
    # age of the reference person on 1 January 2007, by kind
    u = rng.beta(1.4, 1.4, n)
    ref_age = np.select(
        [kind == ONE, couple & ~with_kids, with_kids, kind == OTHER, kind == COLLECTIVE],
        [
            20 + rng.beta(1.3, 1.5, n) * 75,
            22 + rng.beta(1.5, 1.1, n) * 70,
            24 + u * 34,
            20 + u * 50,
            np.where(rng.random(n) < 0.6, 75 + rng.beta(1, 2, n) * 25, 20 + u * 55),
        ],
    )
    muni = geo.draw(rng, n)
    imm_muni = geo.draw(rng, n, (0.8, 1.0, 3.0))  # immigrants live more often in Brussels
    muni = np.where(immigrant, imm_muni, muni)
    arrival_years = rng.random(n) * np.minimum(30.0, np.maximum(ref_age - 18.0, 0.5))
    arrival = np.where(immigrant, P0 - years_to_days(arrival_years), 0).astype(np.int32)
    start = (P0 - years_to_days(rng.random(n) * np.minimum(15.0, np.maximum(ref_age - 19.0, 0.5)))).astype(
        np.int32
    )
    start = np.where(immigrant, np.maximum(start, arrival), start).astype(np.int32)
    emig_p = np.where(immigrant, 0.10, 0.02)
    exit_ = np.where(rng.random(n) < emig_p, P0 + (rng.random(n) * (P1 - P0)).astype(np.int32), OPEN)
    hh = b.households(kind, start, exit_.astype(np.int32), muni)

    ref_sex = np.where(
        kind == LONE_PARENT, np.where(rng.random(n) < 0.82, 2, 1), np.where(couple, 1, rng.integers(1, 3, n))
    ).astype(np.int8)
    second_gen = (~immigrant) & (rng.random(n) < 0.07)
    nat = np.where(second_gen, rng.choice(len(geo.stock_mix), size=n, p=geo.stock_mix), origin).astype(
        np.int16
    )
    ref_birth = _snap(P0 - years_to_days(ref_age), n_chunks, chunk)
    ref = b.persons(
        sex=ref_sex,
        birth=ref_birth,
        birth_country=origin,
        first_nationality=nat,
        arrival=np.where(immigrant, arrival, ref_birth),
        bis=False,
    )
    b.members(ref, hh, REF, start)
    # partners: about the same age (women a bit younger)
    ci = np.flatnonzero(couple)
    p_age = ref_age[ci] - rng.normal(2.0, 3.0, ci.size)
    p_birth = _snap(P0 - years_to_days(p_age), n_chunks, chunk)
    partner = b.persons(
        sex=np.full(ci.size, 2, np.int8),
        birth=p_birth,
        birth_country=origin[ci],
        first_nationality=nat[ci],
        arrival=np.where(immigrant[ci], arrival[ci], p_birth),
    )
    b.members(partner, hh[ci], PARTNER, start[ci])
    # other members of "other" households (2-3 unrelated adults)
    oi = np.flatnonzero(kind == OTHER)
    oi = np.concatenate([oi, oi[rng.random(oi.size) < 0.5]])
    o_birth = _snap(P0 - years_to_days(20 + rng.random(oi.size) * 50), n_chunks, chunk)
    others = b.persons(
        sex=rng.integers(1, 3, oi.size).astype(np.int8),
        birth=o_birth,
        birth_country=origin[oi],
        first_nationality=nat[oi],
        arrival=np.where(immigrant[oi], arrival[oi], o_birth),
    )
    b.members(others, hh[oi], MEMBER, start[oi])
    # children
    ki = np.flatnonzero(with_kids)
    k = np.where(
        kind[ki] == LONE_PARENT,
        rng.choice([1, 2, 3], ki.size, p=[0.55, 0.33, 0.12]),
        rng.choice([1, 2, 3, 4], ki.size, p=[0.40, 0.40, 0.15, 0.05]),
    )
    mother_age = np.where(couple[ki], ref_age[ki] - 2.0, ref_age[ki])
    which, child_age = _children_ages(rng, mother_age, k)
    h_idx = ki[which]
    c_birth = _snap(P0 - years_to_days(child_age), n_chunks, chunk)
    born_abroad = immigrant[h_idx] & (c_birth < arrival[h_idx])
    c_nat = np.where(
        immigrant[h_idx] & (born_abroad | (rng.random(h_idx.size) < 0.4)),
        nat[h_idx],
        np.where(second_gen[h_idx] & (rng.random(h_idx.size) < 0.3), nat[h_idx], 0),
    )
    # parents: the couple's reference person is the father, the partner the mother
    partner_of = np.full(n, -1, np.int32)
    partner_of[ci] = partner
    father = np.where(couple[h_idx], ref[h_idx], -1)
    mother = np.where(couple[h_idx], partner_of[h_idx], np.where(ref_sex[h_idx] == 2, ref[h_idx], -1))
    kids = b.persons(
        sex=rng.integers(1, 3, h_idx.size).astype(np.int8),
        birth=c_birth,
        birth_country=np.where(born_abroad, origin[h_idx], 0).astype(np.int16),
        first_nationality=c_nat.astype(np.int16),
        father=father,
        mother=mother,
        arrival=np.where(born_abroad, arrival[h_idx], c_birth),
    )
    b.members(kids, hh[h_idx], CHILD, np.maximum(start[h_idx], c_birth))


def _arrivals(
    rng: np.random.Generator, geo: Geography, b: _Builder, n: int, n_chunks: int, chunk: int
) -> None:
    """Households arriving from abroad in 2007-2024 (more in the later years); a third leave again."""
    kind = rng.choice([ONE, COUPLE_MAR, COUPLE_UNM, LONE_PARENT], size=n, p=[0.50, 0.30, 0.12, 0.08])
    couple = (kind == COUPLE_MAR) | (kind == COUPLE_UNM)
    with_kids = (couple & (rng.random(n) < 0.45)) | (kind == LONE_PARENT)
    origin = rng.choice(len(geo.arrival_mix), size=n, p=geo.arrival_mix).astype(np.int16)
    arrival = P0 + rng.random(n) ** 0.85 * (P1 - P0)  # more arrivals in the later years
    arrival = np.minimum(arrival, P1).astype(np.int32)
    ref_age = 19 + rng.beta(2.0, 4.0, n) * 45
    muni = geo.draw(rng, n, (0.8, 1.0, 3.0))
    stay = rng.exponential(5.0, n)
    exit_ = np.where(rng.random(n) < 0.35, arrival + years_to_days(0.5 + stay), OPEN)
    exit_ = np.where(exit_ > P1, OPEN, exit_).astype(np.int32)
    hh = b.households(kind, arrival.astype(np.int32), exit_, muni)
    bis = rng.random(n) < 0.06  # short-stay workers known only to the KSZ bis register
    ref_sex = np.where(kind == LONE_PARENT, 2, np.where(couple, 1, np.where(rng.random(n) < 0.55, 1, 2)))
    ref_birth = _snap((arrival - years_to_days(ref_age)).astype(np.int32), n_chunks, chunk)
    ref = b.persons(
        sex=ref_sex.astype(np.int8),
        birth=ref_birth,
        birth_country=origin,
        first_nationality=origin,
        arrival=arrival,
        bis=bis,
    )
    b.members(ref, hh, REF, arrival)
    ci = np.flatnonzero(couple)
    p_birth = _snap(ref_birth[ci] + years_to_days(rng.normal(2.0, 3.0, ci.size)), n_chunks, chunk)
    partner = b.persons(
        sex=np.full(ci.size, 2, np.int8),
        birth=p_birth,
        birth_country=origin[ci],
        first_nationality=origin[ci],
        arrival=arrival[ci],
        bis=bis[ci],
    )
    b.members(partner, hh[ci], PARTNER, arrival[ci])
    ki = np.flatnonzero(with_kids)
    k = rng.choice([1, 2, 3], ki.size, p=[0.45, 0.38, 0.17])
    mother_age = ref_age[ki] - np.where(couple[ki], 2.0, 0.0)
    which, child_age = _children_ages(rng, np.minimum(mother_age, 60.0), k)
    h_idx = ki[which]
    c_birth = _snap(
        (arrival[h_idx] - years_to_days(np.minimum(child_age, 17.0))).astype(np.int32), n_chunks, chunk
    )
    partner_of = np.full(n, -1, np.int32)
    partner_of[ci] = partner
    kids = b.persons(
        sex=rng.integers(1, 3, h_idx.size).astype(np.int8),
        birth=c_birth,
        birth_country=origin[h_idx],
        first_nationality=origin[h_idx],
        father=np.where(couple[h_idx], ref[h_idx], -1),
        mother=np.where(couple[h_idx], partner_of[h_idx], ref[h_idx]),
        arrival=arrival[h_idx],
        bis=bis[h_idx],
    )
    b.members(kids, hh[h_idx], CHILD, arrival[h_idx])


def _assemble(b: _Builder, death: Days | None = None) -> People:
    """Snapshot the builder into arrays (cheap: a chunk holds some 50,000 persons)."""
    m_person = b.cat(b.m, "person").astype(np.int32)
    m_household = b.cat(b.m, "household").astype(np.int32)
    h_exit = b.cat(b.h, "exit").astype(np.int32)
    return People(
        sex=b.cat(b.p, "sex").astype(np.int8),
        birth=b.cat(b.p, "birth").astype(np.int32),
        birth_country=b.cat(b.p, "birth_country").astype(np.int16),
        first_nationality=b.cat(b.p, "first_nationality").astype(np.int16),
        father=b.cat(b.p, "father").astype(np.int32),
        mother=b.cat(b.p, "mother").astype(np.int32),
        arrival=b.cat(b.p, "arrival").astype(np.int32),
        death=death if death is not None else np.zeros(0, np.int32),
        bis=b.cat(b.p, "bis").astype(bool),
        m_person=m_person,
        m_household=m_household,
        m_role=b.cat(b.m, "role").astype(np.int8),
        m_in=b.cat(b.m, "in").astype(np.int32),
        m_out=np.zeros(0, np.int32),
        h_kind=b.cat(b.h, "kind").astype(np.int8),
        h_exit=h_exit,
        h_muni=b.cat(b.h, "muni").astype(np.int64),
        h_move=np.zeros(0, np.int32),
        h_muni2=np.zeros(0, np.int64),
    )


def _leave_home(rng: np.random.Generator, geo: Geography, b: _Builder, people: People) -> None:
    """Children leave the parental home at about 24; most of them start a couple with another leaver."""
    child = np.flatnonzero(b.cat(b.m, "role") == CHILD)
    person = people.m_person[child]
    hh = people.m_household[child]
    leave = people.birth[person] + years_to_days(np.clip(rng.normal(24.5, 3.0, child.size), 18, 35))
    # those who would have left before 2007 are still at home then: they leave in the first two years
    leave = np.maximum(leave, P0 + rng.integers(30, 730, child.size)).astype(np.int32)
    gone = np.minimum(people.death[person], people.h_exit[hh])
    leaving = (leave < gone) & (leave <= P1) & (leave > P0)
    idx = np.flatnonzero(leaving)
    who, when, from_hh = person[idx], leave[idx].astype(np.int32), hh[idx]
    # pair male and female leavers in order of leaving date: a couple starts when the later one leaves
    in_couple = rng.random(idx.size) < 0.6
    men = np.flatnonzero(in_couple & (people.sex[who] == 1))
    women = np.flatnonzero(in_couple & (people.sex[who] == 2))
    men, women = men[np.argsort(when[men], kind="stable")], women[np.argsort(when[women], kind="stable")]
    k = min(men.size, women.size)
    men, women = men[:k], women[:k]
    union = np.maximum(when[men], when[women])
    ok = (union < np.minimum(people.death[who[men]], people.death[who[women]])) & (union <= P1)
    men, women, union = men[ok], women[ok], union[ok]
    when[men] = union
    when[women] = union
    single = np.ones(idx.size, bool)
    single[men] = False
    single[women] = False
    # households: the couple lives near the man's parents, singles near their own
    parent_muni = people.h_muni[from_hh]
    c_kind = np.where(rng.random(men.size) < 0.4, COUPLE_MAR, COUPLE_UNM).astype(np.int8)
    c_exit = np.where(rng.random(men.size) < 0.03, union + (rng.random(men.size) * (P1 - union)), OPEN)
    c_hh = b.households(c_kind, union, c_exit.astype(np.int32), geo.nearby(rng, parent_muni[men]))
    b.members(who[men], c_hh, REF, union)
    b.members(who[women], c_hh, PARTNER, union)
    si = np.flatnonzero(single)
    s_exit = np.where(rng.random(si.size) < 0.05, when[si] + (rng.random(si.size) * (P1 - when[si])), OPEN)
    s_hh = b.households(
        np.full(si.size, ONE, np.int8), when[si], s_exit.astype(np.int32), geo.nearby(rng, parent_muni[si])
    )
    b.members(who[si], s_hh, REF, when[si])


def _births(rng: np.random.Generator, b: _Builder, people: People, n: int, n_chunks: int, chunk: int) -> None:
    """Children born in 2007-2024 to a woman of 20-44 living in a couple or as a lone parent."""
    role, hh, pers = people.m_role, people.m_household, people.m_person
    kind = people.h_kind[hh]
    family = (kind == COUPLE_MAR) | (kind == COUPLE_UNM) | (kind == LONE_PARENT)
    cand = np.flatnonzero(family & np.isin(role, (REF, PARTNER)) & (people.sex[pers] == 2))
    mothers, m_hh = pers[cand], hh[cand]
    birth = people.birth[mothers]
    # the window in which she can give birth in this household
    lo = np.maximum.reduce([people.m_in[cand], birth + years_to_days(20), np.full(cand.size, P0)])
    m_out = _membership_end(people)[cand]
    hi = np.minimum.reduce([m_out, birth + years_to_days(44), np.full(cand.size, P1)])
    width = np.maximum(hi - lo, 0).astype(np.float64)
    if width.sum() == 0 or n == 0:
        return
    pick = np.minimum(np.searchsorted(np.cumsum(width / width.sum()), rng.random(n)), cand.size - 1)
    when = _snap(lo[pick] + (rng.random(n) * width[pick]).astype(np.int32), n_chunks, chunk, forward=True)
    when = np.where(when > P1, when - max(n_chunks, 1), when).astype(np.int32)
    # the father is the man of the couple (if any)
    father_of_hh = np.full(people.h_kind.size, -1, np.int32)
    male_adult = np.isin(role, (REF, PARTNER)) & (people.sex[pers] == 1)
    father_of_hh[hh[male_adult]] = pers[male_adult]
    f_hh = m_hh[pick]
    nat = np.where(
        people.first_nationality[mothers[pick]] != 0,
        np.where(rng.random(n) < 0.5, people.first_nationality[mothers[pick]], 0),
        0,
    )
    kids = b.persons(
        sex=rng.integers(1, 3, n).astype(np.int8),
        birth=when,
        birth_country=np.zeros(n, np.int16),
        first_nationality=nat.astype(np.int16),
        father=father_of_hh[f_hh],
        mother=mothers[pick],
        arrival=when,
    )
    b.members(kids, f_hh, CHILD, when)


def _membership_end(people: People) -> Days:
    """End of each membership: the next membership of the same person, death or the household's exit."""
    n_m = people.m_person.size
    order = np.lexsort((people.m_in, people.m_person))
    nxt = np.full(n_m, OPEN, np.int32)
    same = people.m_person[order[1:]] == people.m_person[order[:-1]]
    nxt[order[:-1][same]] = people.m_in[order[1:][same]]
    death = people.death[people.m_person] if people.death.size else np.full(n_m, OPEN, np.int32)
    hexit = people.h_exit[people.m_household]
    hexit = np.where(hexit > people.m_in, hexit, OPEN)
    return np.minimum.reduce([nxt, death, hexit]).astype(np.int32)


def _finish(rng: np.random.Generator, geo: Geography, people: People) -> None:
    people.m_out = _membership_end(people)
    valid = people.m_out > people.m_in
    for k in ("m_person", "m_household", "m_role", "m_in", "m_out"):
        setattr(people, k, getattr(people, k)[valid])
    # a person leaves the population at the end of their last membership
    last = np.full(people.n, -1, np.int64)
    order = np.lexsort((people.m_in, people.m_person))
    last[people.m_person[order]] = order  # the last write per person wins: their latest membership
    end = np.where(last >= 0, people.m_out[np.maximum(last, 0)], people.death)
    people.out = np.where(end >= OPEN, OPEN, end).astype(np.int32)
    people.emigrated = (people.out < OPEN) & (people.out != people.death)
    # a death abroad after emigrating is not known to the national register
    people.death = np.where(people.emigrated, OPEN, people.death).astype(np.int32)
    # households move once now and then (about 6 % a year), mostly within the arrondissement
    n_h = people.h_kind.size
    h_start = np.full(n_h, OPEN, np.int32)
    np.minimum.at(h_start, people.m_household, people.m_in)
    h_end = np.zeros(n_h, np.int32)
    np.maximum.at(h_end, people.m_household, people.m_out)
    lo = np.maximum(h_start, P0)
    hi = np.minimum(h_end, P1)
    span = np.maximum(hi - lo, 0)
    moves = (rng.random(n_h) < 1 - np.exp(-0.06 * span / 365.25)) & (people.h_kind != COLLECTIVE)
    people.h_move = np.where(moves, lo + (rng.random(n_h) * span).astype(np.int32), OPEN).astype(np.int32)
    people.h_muni2 = np.where(moves, geo.nearby(rng, people.h_muni), people.h_muni)
    people.insz = _insz(rng, people)


def _insz(rng: np.random.Generator, people: People) -> pa.Array:
    """INSZ numbers: birth date + a day serial (odd for men, even for women) + check digits.

    Serials are ranked within (birth date, sex, register) in this chunk; :func:`_snap` guarantees no other
    chunk has the same birth dates, so numbers are unique warehouse-wide. Bis numbers add 40 to the month
    (sex known) or 20 (sex unknown).
    """
    d = people.birth.astype("datetime64[D]")
    year = d.astype("datetime64[Y]").astype(np.int64) + 1970
    month = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dom = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    offset = np.where(people.bis, np.where(rng.random(people.n) < 0.7, 40, 20), 0)
    key = (people.birth.astype(np.int64) * 4 + people.sex) * 64 + offset
    order = np.argsort(key, kind="stable")
    sk = key[order]
    starts = np.r_[0, np.flatnonzero(sk[1:] != sk[:-1]) + 1]
    rank = np.arange(sk.size) - np.repeat(starts, np.diff(np.r_[starts, sk.size]))
    serial = np.empty(people.n, np.int64)
    serial[order] = 2 * rank + np.where(people.sex[order] == 1, 1, 2)
    if serial.max(initial=0) > 998:
        raise ValueError(
            "more than 499 persons of one sex born on one day in a chunk: lower the scale or "
            "raise the number of chunks"
        )
    return pa.array(insz_from_parts(year, month, dom, serial, offset).astype(object), pa.string())


def names(rng: np.random.Generator, people: People) -> tuple[pa.Array, pa.Array]:
    """Last and first names (only for the identity check of online consultations, S004-2)."""
    last = pa.array(_LAST_NAMES, pa.string()).take(pa.array(rng.integers(0, len(_LAST_NAMES), people.n)))
    men, women = _FIRST_NAMES[1], _FIRST_NAMES[2]
    first = np.where(
        people.sex == 1, rng.integers(0, len(men), people.n), len(men) + rng.integers(0, len(women), people.n)
    )
    return last, pa.array(men + women, pa.string()).take(pa.array(first))
