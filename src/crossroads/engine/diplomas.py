"""Population rules of deliberation 21/128 (S003-1): foreign diplomas and two comparison groups.

The three groups are fixed sets of persons: whoever qualifies is a member for every year of the target
group's ``first..last`` (a person may be in several groups; the engine flags each).

Residence condition ("minstens twee opeenvolgende jaren in België hebben gewoond tussen 2014 en 2020").
Read as a statistician of the KSZ reads the national register's residence history: an **uninterrupted
main residence in Belgium** lasting at least ``min_consecutive_residence_years`` full calendar years
**inside** the window 1 January ``residence_years.first`` - 31 December ``residence_years.last``.

- Spells in Belgium (any municipality) that touch or overlap are merged: a move from Gent to Antwerpen
  does not break the stay. A spell abroad (``nis_code`` empty), or a day without any registered main
  residence, breaks it.
- Only the part inside the window counts: a stay that began in 2013 counts from 1 January 2014.
- "Two years" are calendar years, not 730 days: 2 Jan 2014 - 1 Jan 2016 qualifies, 1 Jan 2016 -
  30 Dec 2017 (one year and 364 days) does not; two separate one-year stays do not add up.
The alternative reading (main residence on 31 December of two consecutive years) would admit a stay of one
year and one day that happens to span two year ends, so it was not chosen.

Diploma levels: the permit's words map onto the code list ``certificate_level``. ``secondary`` = SEC;
``post_secondary`` = everything after secondary (POSTSEC, BACH, MAST, DOC): NARIC-Vlaanderen mostly
recognises higher-education diplomas and the published group sizes (14,800; 7.3 million) only fit when
higher education is included. Codes of the list are accepted as they are.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from crossroads.catalog import periods
from crossroads.engine import population
from crossroads.engine.backends import Engine, EngineError
from crossroads.engine.population import PopulationRule
from crossroads.warehouse.schema import ENUMS

BELGIUM = "150"
LEVEL_WORDS: dict[str, tuple[str, ...]] = {
    "secondary": ("SEC",),
    "post_secondary": ("POSTSEC", "BACH", "MAST", "DOC"),
}
WITHDRAWN = ("ingetrokken", "withdrawn")
"""Certificate statuses that mean the person no longer holds it."""
DEFAULT_MIN_YEARS = 2


# ------------------------------------------------------------------ parameters
def certificate_levels(rule: str, words: Any) -> tuple[str, ...]:
    """``certificate_level`` codes for the permit's level words (or codes)."""
    if words is None:
        words = list(LEVEL_WORDS)
    if isinstance(words, str):
        words = [words]
    codes: list[str] = []
    for w in words:
        if w in LEVEL_WORDS:
            codes += LEVEL_WORDS[w]
        elif w in ENUMS["certificate_level"]:
            codes.append(w)
        else:
            known = ", ".join([*LEVEL_WORDS, *ENUMS["certificate_level"]])
            raise EngineError(f"population rule {rule!r}: unknown diploma level {w!r}; known: {known}")
    return tuple(sorted(set(codes)))


def year_range(rule: str, name: str, value: Any, default: tuple[int, int]) -> tuple[int, int]:
    """``{first, last}``, ``[first, last]`` or one year; the group's years when absent."""
    if value is None:
        return default
    if isinstance(value, int):
        return value, value
    if isinstance(value, dict) and set(value) == {"first", "last"}:
        first, last = value["first"], value["last"]
    elif isinstance(value, list | tuple) and len(value) == 2:
        first, last = value
    else:
        raise EngineError(f"population rule {rule!r}: {name} must be {{first, last}} or a year")
    if not (isinstance(first, int) and isinstance(last, int)) or first > last:
        raise EngineError(f"population rule {rule!r}: {name} needs first <= last (years)")
    return first, last


def _positive_int(rule: str, name: str, value: Any, default: int) -> int:
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise EngineError(f"population rule {rule!r}: {name} must be a positive whole number")
    return value


# ------------------------------------------------------------------ building blocks
def every_year(engine: Engine, persons: ir.Table, first: int, last: int) -> ir.Table:
    """``(insz, year)`` for every person and every year of ``first..last``."""
    years = engine.register_arrow(
        "group_years", pa.table({"year": pa.array(range(first, last + 1), pa.int32())})
    )
    return persons.select("insz").distinct().cross_join(years).select("insz", "year")


def consecutive_residents(
    engine: Engine, first: int, last: int, min_years: int, among: ir.Table | None = None
) -> ir.Table:
    """Persons (``insz``) with an uninterrupted main residence in Belgium of at least ``min_years`` full
    years inside 1 Jan ``first`` - 31 Dec ``last`` (adjacent or overlapping Belgian spells merged).

    ``among`` (``insz``) restricts the spells first, so the window functions only sort the candidates."""
    w_start, w_end = ibis.date(date(first, 1, 1)), ibis.date(date(last, 12, 31))
    r = engine.table("residence")
    if among is not None:
        r = r.semi_join(among.select("insz").distinct(), "insz")
    r = r.filter(
        r.nis_code.notnull() & (r.start_date <= w_end) & (r.end_date.isnull() | (r.end_date >= w_start))
    )
    # Clip each spell to the window: time in Belgium before or after it does not count.
    r = r.select(
        "insz",
        s=ibis.greatest(r.start_date, w_start),
        e=ibis.least(r.end_date.fill_null(w_end), w_end),
    )
    # Gaps and islands: a spell opens a new stay when it starts more than one day after every earlier
    # spell of the person ended (running maximum, so a long spell swallowing short ones is handled).
    order = ["s", "e"]
    prev_end = r.e.max().over(ibis.window(group_by="insz", order_by=order, rows=(None, -1)))
    r = r.mutate(_new=ibis.ifelse(prev_end.isnull() | (r.s > prev_end + ibis.interval(days=1)), 1, 0))
    r = r.mutate(_stay=r._new.sum().over(ibis.window(group_by="insz", order_by=order, rows=(None, 0))))
    stays = r.group_by(["insz", "_stay"]).aggregate(s=r.s.min(), e=r.e.max())
    # Completed years from the first day to the day after the last: 2 Jan 2014 - 1 Jan 2016 is two.
    full_years = periods.age_on(stays.s, stays.e + ibis.interval(days=1))
    return stays.filter(full_years >= min_years).select("insz").distinct()


def _residents_among(
    rule: str, engine: Engine, first: int, last: int, params: dict[str, Any], among: ir.Table
) -> ir.Table:
    """The candidates (``insz``) who meet the residence condition of the rule's parameters."""
    y0, y1 = year_range(rule, "residence_years", params.get("residence_years"), (first, last))
    key = "min_consecutive_residence_years"
    n = _positive_int(rule, key, params.get(key), DEFAULT_MIN_YEARS)
    return consecutive_residents(engine, y0, y1, n, among)


# ------------------------------------------------------------------ rules
def _naric(engine: Engine, first: int, last: int, params: dict[str, Any]) -> ir.Table:
    rule = "naric_recognition"
    y0, y1 = year_range(rule, "decision_years", params.get("decision_years"), (first, last))
    levels = certificate_levels(rule, params.get("diploma_levels"))
    n = engine.table("naric_recognition")
    year = n.decision_date.year()
    hit = n.filter(n.diploma_level.isin(levels) & (year >= y0) & (year <= y1))
    return every_year(engine, hit.select("insz"), first, last)


def _flemish(engine: Engine, first: int, last: int, params: dict[str, Any]) -> ir.Table:
    rule = "flemish_diploma_resident"
    levels = certificate_levels(rule, params.get("diploma_levels"))
    before = params.get("diploma_before_year", last + 1)
    if not isinstance(before, int) or isinstance(before, bool):
        raise EngineError(f"population rule {rule!r}: diploma_before_year must be a year")
    c = engine.table("certificate")
    held = c.status.isnull() | ~c.status.lower().isin(WITHDRAWN)
    hit = c.filter(c.level.isin(levels) & (c.issue_date < ibis.date(date(before, 1, 1))) & held)
    holders = hit.select("insz").distinct()
    return every_year(engine, _residents_among(rule, engine, first, last, params, holders), first, last)


def _foreign_born(engine: Engine, first: int, last: int, params: dict[str, Any]) -> ir.Table:
    p = engine.table("person")
    born_abroad = p.filter(p.birth_country.notnull() & (p.birth_country != BELGIUM)).select("insz")
    residents = _residents_among("foreign_born_resident", engine, first, last, params, born_abroad)
    return every_year(engine, residents, first, last)


_RESIDENCE_TEXT = (
    "lived in Belgium at least `min_consecutive_residence_years` (default 2) consecutive years within "
    "`residence_years` (default the group's years): one uninterrupted main residence in Belgium of that many "
    "full calendar years inside 1 Jan first - 31 Dec last; moves between Belgian municipalities do not "
    "break the stay, a spell abroad or a day without a registered residence does; time before the window "
    "does not count"
)

NARIC_RECOGNITION = population.register(
    PopulationRule(
        "naric_recognition",
        "personen met een erkenningsbesluit van NARIC-Vlaanderen",
        "Persons with a NARIC-Vlaanderen recognition decision (any outcome, refusals included) dated in "
        "`decision_years` for a diploma of a level in `diploma_levels` (secondary = SEC; post_secondary = "
        "POSTSEC, BACH, MAST, DOC; or codes of the list certificate_level). Member every year of the group.",
        ("naric_recognition",),
        _naric,
        params=frozenset({"decision_years", "diploma_levels"}),
    )
)

FLEMISH_DIPLOMA_RESIDENT = population.register(
    PopulationRule(
        "flemish_diploma_resident",
        "houders van een Vlaams diploma met minstens twee opeenvolgende jaren verblijf",
        "Holders of a Flemish certificate (table certificate, not withdrawn) of a level in `diploma_levels` "
        "issued before 1 January of `diploma_before_year`, who " + _RESIDENCE_TEXT + ". Member every year "
        "of the group.",
        ("certificate", "residence"),
        _flemish,
        params=frozenset(
            {"diploma_levels", "diploma_before_year", "residence_years", "min_consecutive_residence_years"}
        ),
    )
)

FOREIGN_BORN_RESIDENT = population.register(
    PopulationRule(
        "foreign_born_resident",
        "niet in België geborenen met minstens twee opeenvolgende jaren verblijf",
        "Persons whose country of birth is not Belgium (NIS 150) and who "
        + _RESIDENCE_TEXT
        + ". Member every year of the group.",
        ("person", "residence"),
        _foreign_born,
        params=frozenset({"residence_years", "min_consecutive_residence_years"}),
    )
)
