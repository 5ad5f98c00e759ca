"""A tiny hand-made warehouse for the career variables (catalog/careers.py); values by hand in the tests.

Persons (fake 11-digit INSZ, no real person), measured at 2020 Q2 (30 Jun) and 2020 Q4 (31 Dec):
  C1 two wage jobs running on 30 Jun (white-collar full time at E1 with sickness days, blue-collar part time
     at E2 with unpaid days), secondary self-employed since 1 Jun 2019
  C2 part-time statutory job at public E3 + self-employed as main occupation (and a later helper spell)
  C3 full-time job ended 15 May 2020, then full unemployment (and temporary unemployment in June)
  C4 no job: primary incapacity then invalidity, leefloon then equivalent aid, exempted job seeker
  C5 full-time job at E1 ended 31 May (largest FTE) + part-time job at E2 running on 30 Jun
  C6 full-time artist at E2 (no local unit declared; E2 has one) + self-employed after pension
  C7 nothing at all
  C8 unemployed since 1 Dec 2020 with an inconsistent period start (1 Feb 2021, after the measurement day)
Employers: E1 private with two local units (Antwerpen, Brugge), E2 private with one (Gent), E3 public with
one (Brussel).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
from tiny_warehouse import save

from crossroads.warehouse.schema import table as table_spec
from crossroads.warehouse.storage import Warehouse

C = {i: f"8800000{i:04d}" for i in range(1, 9)}
E1, E2, E3 = "0400000001", "0400000002", "0400000003"
U1, U2, U3, U4 = "2000000001", "2000000002", "2000000003", "2000000004"
D = date


def _rows(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    spec = table_spec(name)
    cols = {f.name: [r.get(f.name) for r in rows] for f in spec.fields}
    return pa.table(cols, schema=spec.arrow_schema())


def _person(i: int) -> dict[str, Any]:
    return {
        "insz": C[i],
        "register": "RR",
        "sex": "1" if i % 2 else "2",
        "birth_date": D(1980, 1, i),
        "birth_country": "150",
        "first_nationality": "150",
    }


def _employer(number: str, sector: str) -> dict[str, Any]:
    return {
        "enterprise_number": number,
        "employer_category": "000",
        "public_private": sector,
        "organisation_type": "PUB" if sector == "PUBL" else "REG",
        "work_form": "NONE",
        "start_date": D(2000, 1, 1),
    }


def _se(i: int, quality: str, start: date, end: date | None, **kw: Any) -> dict[str, Any]:
    return {
        "insz": C[i],
        "quality": quality,
        "affiliation_date": start,
        "start_date": start,
        "end_date": end,
    } | kw


TABLES: dict[str, list[dict[str, Any]]] = {
    "person": [_person(i) for i in C],
    "employer": [_employer(E1, "PRIV"), _employer(E2, "PRIV"), _employer(E3, "PUBL")],
    "local_unit": [
        {"unit_number": U1, "enterprise_number": E1, "nis_code": "11002"},  # Antwerpen -> 11000
        {"unit_number": U4, "enterprise_number": E1, "nis_code": "31005"},  # Brugge -> 31000
        {"unit_number": U2, "enterprise_number": E2, "nis_code": "44021"},  # Gent -> 44000
        {"unit_number": U3, "enterprise_number": E3, "nis_code": "21004"},  # Brussel -> 21000
    ],
    "self_employment": [
        _se(
            1,
            "SEC",
            D(2019, 6, 1),
            None,
            profession="consultant",
            sector="diensten",
            nace="70220",
            contribution_code="BB",
        ),
        _se(
            2,
            "MAIN",
            D(2015, 3, 10),
            None,
            profession="vrij beroep",
            sector="vrije beroepen",
            nace="69201",
            contribution_code="HN",
        ),
        # a later, less important spell: MAIN still describes C2
        _se(2, "HELP", D(2020, 1, 1), None, profession="helper", sector="handel", nace="47110"),
        _se(
            6,
            "PENS",
            D(2018, 2, 1),
            None,
            profession="handelaar",
            sector="handel",
            nace="47190",
            contribution_code="PENS",
        ),
    ],
    "self_employment_income": [
        {"insz": C[2], "year": 2019, "income_class": "3"},
        {"insz": C[2], "year": 2020, "income_class": "4"},
        {"insz": C[6], "year": 2020, "income_class": "0"},
    ],
    "unemployment": [
        {"insz": C[3], "status": "UVW", "unemployment_start": D(2020, 5, 16), "start_date": D(2020, 5, 16)},
        # temporary unemployment starting later and covering 30 Jun: full unemployment still wins
        {
            "insz": C[3],
            "status": "TIJD",
            "unemployment_start": D(2020, 6, 1),
            "start_date": D(2020, 6, 1),
            "end_date": D(2020, 6, 30),
        },
        # no unemployment_start: the duration counts from the spell's start
        {"insz": C[4], "status": "VRIJ", "start_date": D(2018, 8, 31)},
        {"insz": C[8], "status": "UVW", "unemployment_start": D(2021, 2, 1), "start_date": D(2020, 12, 1)},
    ],
    "incapacity": [
        {"insz": C[4], "kind": "PRIM", "start_date": D(2019, 6, 1), "end_date": D(2020, 5, 31)},
        {"insz": C[4], "kind": "INV", "start_date": D(2020, 6, 1), "end_date": None},
    ],
    "social_assistance": [
        {"insz": C[4], "kind": "LL", "start_date": D(2020, 1, 1), "end_date": D(2020, 9, 30)},
        {"insz": C[4], "kind": "EQ", "start_date": D(2020, 10, 1), "end_date": D(2020, 11, 30)},
    ],
}

# DmfA: (occupation id, person, quarter, employer, worker code, local unit, contract type, days/week, hours
#        worker, hours reference, start, end, services [(code, days, hours)], remuneration [(code, cents)])
OCCUPATIONS: list[tuple[Any, ...]] = [
    # C1: full-time white-collar at E1, 50 paid days + 10 sickness days (code 50)
    (11, 1, 20202, E1, "495", U1, 0, 500, 3800, 3800, D(2018, 1, 1), None,
     [("1", 5000, 38000), ("50", 1000, 7600)], [("1", 300000)]),
    # C1: part-time (15.2/38 h) blue-collar at E2, 26 paid days without hours, 2 unpaid days (code 30)
    (12, 1, 20202, E2, "015", None, 1, 200, 1520, 3800, D(2019, 1, 1), None,
     [("1", 2600, None), ("30", 200, 1520)], [("1", 100000)]),
    # C2: half-time statutory job at public E3
    (21, 2, 20202, E3, "675", U3, 1, 250, 1900, 3800, D(2019, 1, 1), None,
     [("1", 3250, 24700)], [("1", 150000)]),
    # C3: full time at E1 from 1 Apr to 15 May 2020, 31 days without hours
    (31, 3, 20202, E1, "015", U1, 0, 500, 3800, 3800, D(2020, 4, 1), D(2020, 5, 15),
     [("1", 3100, None)], [("1", 250000)]),
    # C5: full time at E1 until 31 May 2020 (largest FTE, highest pay), no local unit (E1 has two)
    (51, 5, 20202, E1, "015", None, 0, 500, 3800, 3800, D(2019, 1, 1), D(2020, 5, 31),
     [("1", 4000, 30400)], [("1", 500000)]),
    # C5: half time at E2, running on 30 Jun
    (52, 5, 20202, E2, "495", U2, 1, 250, 1900, 3800, D(2020, 1, 1), None,
     [("1", 1300, 9880)], [("1", 80000)]),
    # C6: full-time artist (worker code 046) at E2, no local unit declared
    (61, 6, 20202, E2, "046", None, 0, 500, 3800, 3800, D(2020, 1, 1), None,
     [("1", 6500, 49400)], [("1", 400000)]),
]  # fmt: skip


def build(root: Path) -> Warehouse:
    wh = Warehouse(root)
    root.mkdir(parents=True, exist_ok=True)
    data = {name: _rows(name, rows) for name, rows in TABLES.items()}
    dec, nat, wl, occ, svc, rem = [], [], [], [], [], []
    for n, (oid, pi, q, ent, code, unit, ct, dpw, mhw, mhr, start, end, services, pays) in enumerate(
        OCCUPATIONS
    ):
        dec.append({"declaration_id": n, "quarter": q, "enterprise_number": ent})
        nat.append({"person_id": n, "declaration_id": n, "quarter": q, "sequence": 1, "insz": C[pi]})
        wl.append(
            {
                "worker_line_id": n,
                "person_id": n,
                "quarter": q,
                "employer_class": "000",
                "worker_code": code,
                "local_unit": unit,
            }
        )
        occ.append(
            {
                "occupation_id": oid,
                "worker_line_id": n,
                "quarter": q,
                "sequence": 1,
                "start_date": start,
                "end_date": end,
                "joint_committee": "200",
                "days_per_week": dpw,
                "mean_hours_worker": mhw,
                "mean_hours_reference": mhr,
                "contract_type": ct,
            }
        )
        svc += [
            {"occupation_id": oid, "quarter": q, "service_code": c, "days": d, "hours": h}
            for c, d, h in services
        ]
        rem += [
            {"occupation_id": oid, "quarter": q, "remuneration_code": c, "frequency": 0, "amount_cents": a}
            for c, a in pays
        ]
    data |= {
        "dmfa_employer_declaration": _rows("dmfa_employer_declaration", dec),
        "dmfa_natural_person": _rows("dmfa_natural_person", nat),
        "dmfa_worker_line": _rows("dmfa_worker_line", wl),
        "dmfa_occupation": _rows("dmfa_occupation", occ),
        "dmfa_service": _rows("dmfa_service", svc),
        "dmfa_remuneration": _rows("dmfa_remuneration", rem),
    }
    return save(wh, data)
