"""Education: the highest ISCED level per year, Flemish certificates and NARIC recognitions.

Each person gets a final level (low / mid / high, by cohort and origin) and the dates the levels are
reached (secondary at about 18, higher education at 21-24), so education always comes before work:
:mod:`.careers` starts the labour-market career at ``end_of_education``. People schooled in Flanders get
Flemish certificates on those dates; people born abroad who arrive as adults get NARIC recognitions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from crossroads.warehouse.synthetic.period import P0, P1, Y_END, YEARS, Days, dates, day, years_to_days
from crossroads.warehouse.synthetic.population import People

LOW, MID, HIGH = 0, 1, 2
# Share of people schooled in Flanders by region of first residence (Flanders, Wallonia, Brussels). The
# published count of Flemish certificate holders (7.3 million) is high; the shares are calibrated to it.
SCHOOLED_IN_FLANDERS = np.array([1.0, 0.60, 0.90])
NARIC_RATE = 0.0106
"""Chance that an adult arriving from abroad and living in Flanders asks NARIC for a recognition."""


@dataclass
class Education:
    level: npt.NDArray[np.int8]
    isced: npt.NDArray[np.int8]
    end: Days
    """End of education: the career starts the next day."""
    flemish: npt.NDArray[np.bool_]


def generate(rng: np.random.Generator, people: People, first_region: npt.NDArray[np.int8]) -> Education:
    n = people.n
    cohort = (people.birth / 365.25 + 1970).astype(np.float64)
    young = np.clip((cohort - 1930) / 60, 0, 1)  # later cohorts study longer
    p_high = 0.10 + 0.30 * young
    p_low = 0.55 - 0.35 * young + np.where(people.foreign_born, 0.08, 0)
    u = rng.random(n)
    level = np.where(u < p_low, LOW, np.where(u < 1 - p_high, MID, HIGH)).astype(np.int8)
    isced = np.select(
        [level == LOW, level == MID],
        [rng.choice([1, 2], n, p=[0.3, 0.7]), rng.choice([3, 4], n, p=[0.85, 0.15])],
        rng.choice([6, 7, 8], n, p=[0.55, 0.40, 0.05]),
    ).astype(np.int8)
    end_age = np.select(
        [level == LOW, level == MID],
        [16 + rng.random(n) * 2, 18 + rng.random(n) * 1.5],
        np.select([isced == 6, isced == 7], [21.5, 23.0], 27.0) + rng.random(n),
    )
    end = (people.birth + years_to_days(end_age)).astype(np.int32)
    arrived_young = people.foreign_born & ((people.arrival - people.birth) < years_to_days(12))
    schooled_here = ~people.foreign_born | arrived_young
    p_fl = np.where(first_region >= 0, SCHOOLED_IN_FLANDERS[np.maximum(first_region, 0)], 0.0)
    flemish = schooled_here & (rng.random(n) < p_fl)
    # a third of the adults arriving from abroad into Flanders get a Flemish certificate in adult education
    adult_ed = ~schooled_here & (first_region == 0) & (rng.random(n) < 0.75)
    flemish |= adult_ed
    return Education(level=level, isced=isced, end=end, flemish=flemish)


def education_levels(people: People, edu: Education) -> pa.Table:
    """Highest ISCED level per year for people aged 15+ living here at the end of the year."""
    y_end = Y_END[None, :]
    present = (people.arrival[:, None] <= y_end) & (people.out[:, None] > y_end)
    age = (y_end - people.birth[:, None]) / 365.25
    mask = present & (age >= 15)
    person, yi = np.nonzero(mask)
    done = Y_END[yi] >= edu.end[person]
    a = age[person, yi]
    # before the end of education: lower secondary at 15, upper secondary from 18
    running = np.where(a >= 18, np.minimum(3, edu.isced[person]), np.minimum(2, edu.isced[person]))
    isced = np.where(done, edu.isced[person], running).astype(np.int64)
    return pa.table(
        {
            "insz": people.insz.take(pa.array(person)),
            "year": pa.array(YEARS[yi].astype(np.int16)),
            "isced": pa.array([str(i) for i in range(10)], pa.string()).take(pa.array(isced)),
        }
    )


_SEC_DETAIL = ("ASO", "TSO", "BSO", "KSO")
_FIELDS = (
    "00 Generieke programma's",
    "02 Kunst en geesteswetenschappen",
    "03 Sociale wetenschappen",
    "04 Bedrijfskunde en recht",
    "05 Natuurwetenschappen",
    "06 ICT",
    "07 Techniek",
    "08 Landbouw",
    "09 Gezondheid en welzijn",
    "10 Diensten",
)
_AREAS = (
    "Handel",
    "Techniek",
    "Gezondheidszorg",
    "Onderwijs",
    "Sociaal-agogisch werk",
    "Economie",
    "Taal- en letterkunde",
    "Industriële wetenschappen",
    "Personenzorg",
    "Bouw",
)
# subjects (onderwerpen) per study area, for ``certificate.study_subject`` (S003-3)
_SUBJECTS: dict[str, tuple[str, ...]] = {
    "Handel": ("Boekhouden-informatica", "Verkoop", "Logistiek"),
    "Techniek": ("Elektromechanica", "Elektriciteit", "Mechanica"),
    "Gezondheidszorg": ("Verpleegkunde", "Vroedkunde", "Ergotherapie"),
    "Onderwijs": ("Kleuteronderwijs", "Lager onderwijs", "Secundair onderwijs"),
    "Sociaal-agogisch werk": ("Maatschappelijk werk", "Orthopedagogie", "Sociaal werk"),
    "Economie": ("Bedrijfsbeheer", "Toegepaste economie", "Handelswetenschappen"),
    "Taal- en letterkunde": ("Moderne talen", "Klassieke talen", "Vertaalkunde"),
    "Industriële wetenschappen": ("Bouwkunde", "Chemie", "Elektronica-ICT"),
    "Personenzorg": ("Verzorging", "Kinderzorg", "Haarzorg"),
    "Bouw": ("Ruwbouw", "Houtbewerking", "Schilderwerk"),
}


def certificates(rng: np.random.Generator, people: People, edu: Education, id_base: int) -> pa.Table:
    """Flemish certificates: a secondary certificate (a first- or second-grade certificate for early
    leavers), plus HBO5 or higher-education diplomas for the highly educated; none after death or leaving."""
    fl = np.flatnonzero(edu.flemish)
    lvl = edu.level[fl]
    # secondary: at 18 (mid/high) or a second-grade certificate at 16 (low); adult education on arrival
    sec_age = np.where(lvl == LOW, 15.5 + rng.random(fl.size), 17.8 + rng.random(fl.size) * 0.6)
    sec_date = people.birth[fl] + years_to_days(sec_age)
    sec_date = np.minimum(sec_date, edu.end[fl] - 1)  # the certificate closes initial education
    adult = people.foreign_born[fl] & (people.arrival[fl] > sec_date)
    sec_date = np.where(adult, people.arrival[fl] + years_to_days(1 + rng.random(fl.size) * 3), sec_date)
    rows = [(fl, np.zeros(fl.size, np.int64), sec_date)]
    postsec = fl[(lvl == MID) & (rng.random(fl.size) < 0.12)]
    rows.append((postsec, np.ones(postsec.size, np.int64), edu.end[postsec] - 1))
    high = fl[lvl == HIGH]
    isc = edu.isced[high]
    rows.append((high, np.full(high.size, 2), people.birth[high] + years_to_days(21.5)))
    m = high[isc >= 7]
    rows.append((m, np.full(m.size, 3), people.birth[m] + years_to_days(23.0)))
    d = high[isc == 8]
    rows.append((d, np.full(d.size, 4), edu.end[d] - 30))
    person = np.concatenate([r[0] for r in rows]).astype(np.int64)
    level = np.concatenate([r[1] for r in rows]).astype(np.int64)
    issue = np.concatenate([r[2] for r in rows]).astype(np.int64)
    ok = (issue < people.out[person]) & (issue <= P1) & (issue > people.birth[person])
    person, level, issue = person[ok], level[ok], issue[ok]
    order = np.lexsort((issue, person))
    person, level, issue = person[order], level[order], issue[order]
    n = person.size
    is_adult = people.foreign_born[person] & (people.arrival[person] < issue) & (level == 0)
    detail = np.where(level == 0, rng.integers(0, 4, n), 3 + level)
    detail_labels = pa.array(
        [*list(_SEC_DETAIL), "HBO5 / Se-n-Se", "bachelor", "master", "doctor"], pa.string()
    )
    vks = np.array([4, 5, 6, 7, 8])[level].astype(np.int8)
    vks = np.where((level == 0) & (edu.level[person] == LOW), 2, vks).astype(np.int8)
    issuer = np.array([0, 1, 2, 3, 3])[level]
    issuer = np.where(is_adult, 1, issuer)
    form = np.where(is_adult, 1, np.where(rng.random(n) < 0.04, 2, 0))
    # drawn in the order the table used to draw them, so the stream (and every later draw) is unchanged
    field_i = rng.integers(0, len(_FIELDS), n)
    area = rng.integers(0, len(_AREAS), n)
    ids = id_base + np.arange(n, dtype=np.int64)
    # the subject within the study area: a fixed hash of the certificate number (no draw from the stream)
    subject = np.array([_SUBJECTS[a][0] for a in _AREAS], dtype=object)[area]
    for i, a in enumerate(_AREAS):
        sel = np.flatnonzero(area == i)
        options = np.array(_SUBJECTS[a], dtype=object)
        subject[sel] = options[((ids[sel] % 104_729) * 2_654_435_761 >> 7) % options.size]
    return pa.table(
        {
            "certificate_id": pa.array(ids),
            "insz": people.insz.take(pa.array(person)),
            "level": pa.array(["SEC", "POSTSEC", "BACH", "MAST", "DOC"], pa.string()).take(pa.array(level)),
            "detailed_level": detail_labels.take(pa.array(detail)),
            "qualification_level": pa.array(vks),
            "field": pa.array(_FIELDS, pa.string()).take(pa.array(field_i)),
            "direction": pa.array(
                ["algemeen", "technisch", "beroeps", "kunst", "academisch", "professioneel"], pa.string()
            ).take(pa.array(np.where(level == 0, detail, 4 + (level > 1)))),
            "study_area": pa.array(_AREAS, pa.string()).take(pa.array(area)),
            "study_subject": pa.array(subject, pa.string()),
            "education_form": pa.array(
                ["dagonderwijs", "volwassenenonderwijs", "duaal leren"], pa.string()
            ).take(pa.array(form)),
            "specialisation": pa.nulls(n, pa.string()),
            "degree": pa.array(
                ["diploma secundair onderwijs", "diploma HBO5", "bachelor", "master", "doctor"], pa.string()
            ).take(pa.array(level)),
            "certificate_category": pa.array(["diploma", "getuigschrift"], pa.string()).take(
                pa.array(((level == 0) & (vks == 2)).astype(np.int64))
            ),
            "certificate_type": pa.array(["initieel", "verdere opleiding"], pa.string()).take(
                pa.array(is_adult.astype(np.int64))
            ),
            "status": pa.array(np.full(n, "behaald").astype(object), pa.string()),
            "issuer_type": pa.array(["school", "CVO", "hogeschool", "universiteit"], pa.string()).take(
                pa.array(issuer)
            ),
            "issue_date": dates(issue),
        }
    )


def naric(
    rng: np.random.Generator,
    people: People,
    region_on_arrival: npt.NDArray[np.int8],
    refugee_origin: npt.NDArray[np.bool_],
    country_nis: pa.Array,
    id_base: int,
) -> pa.Table:
    """NARIC-Vlaanderen recognition decisions for adults born abroad who arrived in Flanders."""
    age_arr = (people.arrival - people.birth) / 365.25
    cand = (
        people.foreign_born
        & (age_arr >= 19)
        & (region_on_arrival == 0)
        & (people.arrival < day("2024-06-30"))
    )
    # people who had lived here long before 2007 rarely apply now; arrivals apply within a few years
    recent = people.arrival >= P0 - years_to_days(8)
    p = np.where(recent, NARIC_RATE * 5.2, NARIC_RATE * 0.4)
    who = np.flatnonzero(cand & (rng.random(people.n) < p))
    n = who.size
    app = np.maximum(
        people.arrival[who] + years_to_days(rng.exponential(1.5, n)), P0 + rng.integers(0, 365 * 3, n)
    )
    decision = app + rng.integers(30, 150, n)
    ok = (decision <= P1) & (decision < people.out[who])
    who, app, decision = who[ok], app[ok], decision[ok]
    n = who.size
    level = rng.choice(5, n, p=[0.35, 0.05, 0.30, 0.26, 0.04])
    requested = rng.choice(3, n, p=[0.6, 0.1, 0.3])
    granted = np.where(rng.random(n) < 0.12, 3, np.where(rng.random(n) < 0.7, requested, 2))
    kinds = pa.array(["FULL", "PART", "LEVEL", "REFUSED"], pa.string())
    levels = pa.array(["SEC", "POSTSEC", "BACH", "MAST", "DOC"], pa.string())
    refugee = refugee_origin[people.birth_country[who]] & (rng.random(n) < 0.8)
    return pa.table(
        {
            "decision_id": pa.array(id_base + np.arange(n, dtype=np.int64)),
            "insz": people.insz.take(pa.array(who.astype(np.int64))),
            "diploma_level": levels.take(pa.array(level)),
            "refugee_status": pa.array(refugee),
            "application_support": pa.array(rng.random(n) < np.where(refugee, 0.6, 0.15)),
            "fee_exemption": pa.array(refugee & (rng.random(n) < 0.9)),
            "appeal": pa.array(rng.random(n) < 0.03),
            "study_area": pa.array(_AREAS, pa.string()).take(pa.array(rng.integers(0, len(_AREAS), n))),
            "issuing_institution_type": pa.array(
                ["universiteit", "hogeschool", "secundaire school", "andere"], pa.string()
            ).take(pa.array(rng.choice(4, n, p=[0.45, 0.25, 0.25, 0.05]))),
            "requested_type": kinds.take(pa.array(requested)),
            "granted_type": kinds.take(pa.array(granted)),
            "application_date": dates(app),
            "recognition_level": levels.take(
                pa.array(np.where(granted == 3, level, np.maximum(level - (granted == 2), 0)))
            ),
            "recognised_qualification": pa.array(
                ["diploma secundair onderwijs", "HBO5", "bachelor", "master", "doctor"], pa.string()
            ).take(pa.array(level)),
            "origin_country": country_nis.take(pa.array(people.birth_country[who].astype(np.int64))),
            "qualification_year": pa.array(
                np.clip((people.birth[who] / 365.25 + 1970 + 22).astype(np.int16), 1950, 2024).astype(
                    np.int16
                )
            ),
            "decision_date": dates(decision),
            "decision_nature": kinds.take(pa.array(granted)),
        }
    )
