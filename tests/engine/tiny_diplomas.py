"""A tiny hand-made warehouse for 21/128: the three target groups, the register and the record variables.

INSZ are fake 11-digit strings (``D[i]`` = 20000000000 + i); no real person. Residence window 2014-2020,
at least two consecutive years (engine/diplomas.py):

  D1  born in Morocco; Gent 2 Jan 2014 - 1 Jan 2016, then abroad: exactly 2 years           -> foreign IN
  D2  born in Morocco; Antwerpen 1 Jan 2016 - 30 Dec 2017 (1 year 364 days), then abroad    -> OUT
      (also a Flemish SEC certificate of 2015: residence fails, so not in the Flemish group either)
  D3  born in the Netherlands; two separate one-year stays (2014 and 2016), abroad in between -> OUT
  D4  born in Turkey; Belgium 1 Jul 2013 - 30 Jun 2015 (2 years, but only 1.5 inside 2014-2020) -> OUT
  D5  born in Turkey; Gent 1 Mar 2017 - 31 Mar 2018, Antwerpen 1 Apr 2018 - 28 Feb 2019: one stay of
      exactly two years across a move                                                        -> foreign IN
  D6  born in Belgium, Brussels all along; Flemish SEC certificate 2010                      -> Flemish IN
  D7  born in Belgium, Aartselaar all along; BACH certificate issued 15 Jun 2021 (not before 2021) -> OUT
  D8  born in Belgium, Gent all along; SEC certificate 2012 withdrawn ("ingetrokken")        -> OUT
  D9  born in Turkey, Antwerpen since 2013; NARIC MAST decision 2015 (and one in 2021); POSTSEC
      certificate 2018                                                    -> NARIC, foreign and Flemish IN
  D10 NARIC decisions in 2013 and 2021 only; no residence                                    -> OUT
  D11 NARIC SEC decision of 1 Jan 2014, refused; no residence                               -> NARIC IN
  D12 NARIC DOC decision 2020 but level filter: DOC is post-secondary                       -> NARIC IN
  D13 born in Morocco; Gent 1 Jul 2018 - 31 Dec 2019 with a nested spell (Antwerpen, Aug 2018), then
      Gent from 1 Jan 2020: one stay 1 Jul 2018 - 31 Dec 2020 (the running maximum matters)   -> foreign IN
  D14 born in Morocco; 2014 in Belgium, no residence on 1 Jan 2015, back 2 Jan 2015 - 31 Dec 2015 -> OUT
  D15 born in Morocco; Belgium from 1 Jan 2019 on: 1 Jan 2019 - 31 Dec 2020 = 2 years       -> foreign IN
  D16 born in Morocco; Belgium 2 Jan 2019 until death on 15 Aug 2020                          -> OUT
  D17 born in Morocco; Belgium from 2 Jan 2019 on: 1 year 364 days inside the window         -> OUT
      (D14 and D17 would be IN under the year-end reading: resident on 31 Dec of two consecutive years)
  D20/D21 father and mother of D9; D22/D23 father and mother of D1 (registered residence reasons).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
from tiny_warehouse import save

from crossroads.warehouse.schema import table as table_spec
from crossroads.warehouse.storage import Warehouse

D = {i: f"{20000000000 + i:011d}" for i in range(30)}
d = date


def _rows(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    spec = table_spec(name)
    cols = {f.name: [r.get(f.name) for r in rows] for f in spec.fields}
    return pa.table(cols, schema=spec.arrow_schema())


def person(i: int, born: str, **kw: Any) -> dict[str, Any]:
    row = {
        "insz": D[i],
        "register": "RR",
        "sex": "1" if i % 2 else "2",
        "birth_date": d(1980, 1, 1),
        "birth_country": born,
        "first_nationality": born,
        "father_first_nationality": born,
        "mother_first_nationality": born,
        "first_registration_date": d(1980, 1, 1) if born == "150" else d(2013, 1, 1),
    }
    row.update(kw)
    return row


def res(i: int, nis: str | None, start: date, end: date | None, **kw: Any) -> dict[str, Any]:
    row = {"insz": D[i], "nis_code": nis, "start_date": start, "end_date": end, "registration_date": start}
    if nis is None:
        row["abroad_country"] = "354"
    row.update(kw)
    return row


def cert(cid: int, i: int, level: str, issued: date, **kw: Any) -> dict[str, Any]:
    row = {"certificate_id": cid, "insz": D[i], "level": level, "issue_date": issued, "status": "behaald"}
    row.update(kw)
    return row


def naric(did: int, i: int, level: str, decided: date, nature: str = "FULL", **kw: Any) -> dict[str, Any]:
    row = {
        "decision_id": did,
        "insz": D[i],
        "diploma_level": level,
        "application_date": d(decided.year, 1, 15) if decided.month > 1 else decided,
        "decision_date": decided,
        "decision_nature": nature,
    }
    row.update(kw)
    return row


TABLES: dict[str, list[dict[str, Any]]] = {
    "person": [
        person(
            1,
            "354",
            father_insz=D[22],
            mother_insz=D[23],
            father_first_nationality="150",
            first_registration_date=d(2014, 1, 2),
        ),
        person(2, "354"),
        person(3, "129", father_first_nationality=None, mother_first_nationality="129"),
        person(4, "262"),
        person(5, "262", father_first_nationality=None, mother_first_nationality="150"),
        person(6, "150"),
        person(7, "150"),
        person(8, "150"),
        person(
            9,
            "262",
            father_insz=D[20],
            mother_insz=D[21],
            mother_first_nationality="354",
            first_registration_date=d(2013, 3, 1),
        ),
        person(10, "354"),
        person(11, "354"),
        person(12, "354"),
        person(13, "354"),
        person(14, "354"),
        person(15, "354"),
        person(16, "354", death_date=d(2020, 8, 15)),
        person(17, "354"),
        person(20, "262"),
        person(21, "354"),
        person(22, "354"),
        person(23, "354"),
    ],
    "residence": [
        res(1, "44021", d(2014, 1, 2), d(2016, 1, 1)),
        res(1, None, d(2016, 1, 2), None),
        res(2, "11002", d(2016, 1, 1), d(2017, 12, 30)),
        res(2, None, d(2017, 12, 31), None),
        res(3, "11002", d(2014, 1, 1), d(2014, 12, 31)),
        res(3, None, d(2015, 1, 1), d(2015, 12, 31)),
        res(3, "11002", d(2016, 1, 1), d(2016, 12, 31)),
        res(3, None, d(2017, 1, 1), None),
        res(4, "44021", d(2013, 7, 1), d(2015, 6, 30)),
        res(4, None, d(2015, 7, 1), None),
        res(5, "44021", d(2017, 3, 1), d(2018, 3, 31)),
        # registered four days after the move
        res(5, "11002", d(2018, 4, 1), d(2019, 2, 28), registration_date=d(2018, 4, 5)),
        res(5, None, d(2019, 3, 1), None),
        res(6, "21004", d(1980, 1, 1), None),
        res(7, "11001", d(1980, 1, 1), None),
        res(8, "44021", d(1980, 1, 1), None),
        res(9, "11002", d(2013, 3, 1), None),
        res(13, "44021", d(2018, 7, 1), d(2019, 12, 31)),
        res(13, "11002", d(2018, 8, 1), d(2018, 8, 31)),
        res(13, "44021", d(2020, 1, 1), None),
        res(14, "44021", d(2014, 1, 1), d(2014, 12, 31)),
        res(14, "44021", d(2015, 1, 2), d(2015, 12, 31)),
        res(14, None, d(2016, 1, 1), None),
        res(15, "71072", d(2019, 1, 1), None),
        res(16, "71072", d(2019, 1, 2), d(2020, 8, 15)),
        res(17, "71072", d(2019, 1, 2), None),
        *[res(i, "11002", d(2000, 1, 1), None) for i in (20, 21, 22, 23)],
    ],
    "household": [
        {
            "insz": D[6],
            "household_id": 6,
            "lipro": "MAR+",
            "household_type": "CPL+",
            "is_reference_person": True,
            "start_date": d(2000, 1, 1),
            "end_date": d(2019, 12, 31),
        },
        {
            "insz": D[6],
            "household_id": 66,
            "lipro": "SING",
            "household_type": "1P",
            "is_reference_person": True,
            "start_date": d(2020, 1, 1),
            "end_date": None,
        },
    ],
    "residence_reason": [
        # D9's own reason, registered a month after it applies
        {"insz": D[9], "reason": "WRK", "registration_date": d(2013, 4, 2), "start_date": d(2013, 3, 1)},
        {"insz": D[20], "reason": "WRK", "registration_date": d(2010, 1, 1), "start_date": d(2010, 1, 1)},
        {"insz": D[21], "reason": "FAM", "registration_date": d(2012, 1, 1), "start_date": d(2012, 1, 1)},
        # D1's father: asylum until he became Belgian on 1 Jan 2018; mother: asylum from 1 Jul 2020
        {
            "insz": D[22],
            "reason": "ASY",
            "registration_date": d(2005, 1, 1),
            "start_date": d(2005, 1, 1),
            "end_date": d(2017, 12, 31),
        },
        {"insz": D[22], "reason": "BE", "registration_date": d(2018, 1, 1), "start_date": d(2018, 1, 1)},
        {"insz": D[23], "reason": "ASY", "registration_date": d(2020, 7, 1), "start_date": d(2020, 7, 1)},
    ],
    "certificate": [
        cert(101, 2, "SEC", d(2015, 6, 30)),
        cert(
            102,
            6,
            "SEC",
            d(2010, 6, 30),
            detailed_level="ASO",
            qualification_level=4,
            field="05 Natuurwetenschappen",
            direction="algemeen",
            study_area="Wetenschappen",
            study_subject="Wiskunde",
            education_form="dagonderwijs",
            specialisation=None,
            degree="diploma secundair onderwijs",
            certificate_category="diploma",
            certificate_type="initieel",
            issuer_type="school",
        ),
        cert(
            103,
            7,
            "BACH",
            d(2021, 6, 15),
            detailed_level="professionele bachelor",
            qualification_level=6,
            education_form="dagonderwijs",
            degree="bachelor",
            issuer_type="hogeschool",
        ),
        cert(104, 8, "SEC", d(2012, 6, 30), status="ingetrokken", certificate_category="getuigschrift"),
        cert(
            105,
            9,
            "POSTSEC",
            d(2018, 2, 28),
            detailed_level="HBO5 / Se-n-Se",
            qualification_level=5,
            education_form="volwassenenonderwijs",
            specialisation="boekhouden",
            issuer_type="CVO",
        ),
    ],
    "naric_recognition": [
        naric(
            201,
            9,
            "MAST",
            d(2015, 5, 20),
            refugee_status=False,
            application_support=True,
            fee_exemption=None,
            appeal=False,
            study_area="Economie",
            issuing_institution_type="universiteit",
            requested_type="FULL",
            granted_type="LEVEL",
            application_date=d(2015, 1, 10),
            recognition_level="BACH",
            recognised_qualification="master",
            origin_country="262",
            qualification_year=2004,
            decision_nature="LEVEL",
        ),
        naric(202, 9, "BACH", d(2021, 3, 1)),
        naric(203, 10, "BACH", d(2013, 12, 31)),
        naric(204, 10, "SEC", d(2021, 1, 1)),
        naric(
            205,
            11,
            "SEC",
            d(2014, 1, 1),
            "REFUSED",
            refugee_status=True,
            fee_exemption=True,
            origin_country="354",
            granted_type="REFUSED",
        ),
        naric(206, 12, "DOC", d(2020, 12, 31)),
    ],
}

# DmfA: D6 has a cross-border worker line in 2019 Q4; in 2020 Q2 two lines, one not flagged, one empty.
WORKER_LINES: list[tuple[int, int, bool | None]] = [(6, 20194, True), (6, 20202, False), (6, 20202, None)]


def build(root: Path) -> Warehouse:
    wh = Warehouse(root)
    root.mkdir(parents=True, exist_ok=True)
    data = {name: _rows(name, rows) for name, rows in TABLES.items()}
    nat, wl = [], []
    for n, (i, q, flag) in enumerate(WORKER_LINES):
        nat.append({"person_id": n, "declaration_id": n, "quarter": q, "sequence": 1, "insz": D[i]})
        wl.append(
            {
                "worker_line_id": n,
                "person_id": n,
                "quarter": q,
                "employer_class": "000",
                "worker_code": "495",
                "cross_border": flag,
            }
        )
    data |= {
        "dmfa_natural_person": _rows("dmfa_natural_person", nat),
        "dmfa_worker_line": _rows("dmfa_worker_line", wl),
    }
    return save(wh, data)
