"""A tiny hand-made warehouse for the person variables of 15/018 (employees and dynamics files).

Persons (fake 11-digit INSZ, no real person); ages on 31 Dec 2013:
  A1 43, household H10; full time at E1 in 2013 (Q2 half of it sick: service code 50; Q4 30 days paid and
     35 days temporary unemployment: code 70); at E4 in 2008 Q4; listed by the agency 2008 (E4) and 2013 (E1)
  A2 33, household H10, no job in 2013; full time at E2 in 2009 Q1; unemployment with company allowance
     (SWT) since 2012 at 40 EUR a day; equivalent financial aid in 2013
  A3 18, household H10, entitled to child benefit (a student): excluded from FTE max; job at E5 in 2013 Q4
  A4 63, household H10: too old for FTE max
  A5 23, alone in H11, no job; leefloon in 2013; unemployed since 1 Jun 2013 (measure "activering",
     50 EUR a day); 30 PWA hours in 2013 Q4; listed by the agency 2013
  A6 28, no household; art. 60 employment 1 Jul - 30 Nov 2013 (and an older one in 2012); job at E2 in
     2013 Q4; primary incapacity spells overlapping each other, then invalidity
  A7 73, alone in H12 (nobody eligible); self-employed
  A8 25, no household; job at E6 (a recognised cooperative) in 2013 Q4
Employers: E1 on the agency's employer list (2013); E2 ordinary; E4 employer of a listed employee (2008);
  E5 work form SW (social workplace); E6 on the recognised-cooperatives list.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
from tiny_warehouse import save

from crossroads.warehouse.schema import table as table_spec
from crossroads.warehouse.storage import Warehouse

A = {i: f"7{i:010d}" for i in range(1, 9)}
E = {i: f"05000000{i:02d}" for i in range(1, 7)}
D = date
D13, D08 = D(2013, 12, 31), D(2008, 12, 31)


def _rows(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    spec = table_spec(name)
    cols = {f.name: [r.get(f.name) for r in rows] for f in spec.fields}
    return pa.table(cols, schema=spec.arrow_schema())


def _person(i: int, birth: date) -> dict[str, Any]:
    return {
        "insz": A[i],
        "register": "RR",
        "sex": "1",
        "birth_date": birth,
        "birth_country": "150",
        "first_nationality": "150",
        "first_registration_date": birth,
    }


def _household(i: int, hh: int, lipro: str) -> dict[str, Any]:
    return {
        "insz": A[i],
        "household_id": hh,
        "lipro": lipro,
        "household_type": "CPL+" if hh == 10 else "1P",
        "is_reference_person": i in (1, 5, 7),
        "start_date": D(2000, 1, 1),
        "end_date": None,
    }


def _employer(e: int, work_form: str = "NONE", organisation_type: str = "REG") -> dict[str, Any]:
    return {
        "enterprise_number": E[e],
        "nace": "88995",
        "employer_category": "000",
        "public_private": "PRIV",
        "organisation_type": organisation_type,
        "work_form": work_form,
        "start_date": D(2000, 1, 1),
    }


def _sep(i: int, quarter: int, code: str) -> dict[str, Any]:
    row: dict[str, Any] = {"insz": A[i], "quarter": quarter, "sep_code": code}
    for flag in (
        "add_unemployment",
        "add_incapacity",
        "add_assistance",
        "add_school_leaver",
        "add_pension",
        "add_career_break",
    ):
        row[flag] = False
    return row


TABLES: dict[str, list[dict[str, Any]]] = {
    "person": [
        _person(1, D(1970, 3, 1)),
        _person(2, D(1980, 5, 5)),
        _person(3, D(1995, 6, 1)),
        _person(4, D(1950, 1, 1)),
        _person(5, D(1990, 1, 1)),
        _person(6, D(1985, 2, 2)),
        _person(7, D(1940, 7, 7)),
        _person(8, D(1988, 8, 8)),
    ],
    "household": [
        _household(1, 10, "MAR+"),
        _household(2, 10, "MAR+"),
        _household(3, 10, "CMAR"),
        _household(4, 10, "NFRP"),
        _household(5, 11, "SING"),
        _household(7, 12, "SING"),
    ],
    "child_benefit": [{"insz": A[3], "start_date": D(1995, 6, 1), "end_date": None}],
    "employer": [
        _employer(1),
        _employer(2),
        _employer(4),
        _employer(5, work_form="SW"),
        _employer(6),
    ],
    "se_employers": [
        {"enterprise_number": E[1], "reference_date": D13, "work_form": "SW", "activity": "GROEN"},
    ],
    "recognised_cooperatives": [{"enterprise_number": E[6], "reference_date": D13}],
    "social_purpose_companies": [],
    "se_employees": [
        {
            "insz": A[1],
            "reference_date": D13,
            "employer_enterprise_number": E[1],
            "staff_type": "DG",
            "origin": "BE",
            "education_level": "LOW",
            "work_ability": "ARBH",
        },
        {
            "insz": A[1],
            "reference_date": D08,
            "employer_enterprise_number": E[4],
            "staff_type": "OK",
            "origin": "BE",
            "education_level": "MID",
            "work_ability": "VOL",
        },
        {
            "insz": A[5],
            "reference_date": D13,
            "employer_enterprise_number": E[1],
            "staff_type": "DG",
            "origin": None,
            "education_level": None,
            "work_ability": "MMPP",
        },
    ],
    "socio_economic_position": [
        _sep(1, 20084, "111"),
        _sep(1, 20091, "211"),
        _sep(1, 20134, "141"),
        _sep(2, 20084, "351"),
        _sep(2, 20134, "352"),
        _sep(4, 20134, "34"),
        _sep(5, 20134, "4"),
        _sep(6, 20091, "142"),
        _sep(6, 20134, "371"),
        _sep(7, 20134, "39"),
        _sep(8, 20134, "372"),
    ],
    "ocmw_employment": [
        {
            "insz": A[6],
            "article": "60",
            "employer_enterprise_number": E[2],
            "regulation": "MH",
            "intervention_kind": "BASIS",
            "activation_type": "OPL",
            "programme_type": "OCMW",
            "employment_purpose": "WE",
            "start_date": D(2012, 1, 1),
            "end_date": D(2012, 12, 31),
        },
        {
            "insz": A[6],
            "article": "60",
            "employer_enterprise_number": E[2],
            "regulation": "RMI",
            "intervention_kind": "VERH",
            "activation_type": "TEWERK",
            "programme_type": "SE",
            "employment_purpose": "SZ",
            "start_date": D(2013, 7, 1),
            "end_date": D(2013, 11, 30),
        },
    ],
    "social_assistance": [
        {"insz": A[5], "kind": "LL", "monthly_amount_cents": 90000, "start_date": D(2013, 1, 1)},
        {"insz": A[2], "kind": "EQ", "monthly_amount_cents": 80000, "start_date": D(2013, 1, 1)},
    ],
    "unemployment": [
        {
            "insz": A[5],
            "status": "UVW",
            "measure": "activering",
            "daily_benefit_cents": 5000,
            "start_date": D(2013, 6, 1),
            "end_date": None,
        },
        {
            "insz": A[2],
            "status": "SWT",
            "measure": None,
            "daily_benefit_cents": 4000,
            "start_date": D(2012, 1, 1),
            "end_date": None,
        },
    ],
    "incapacity": [
        {"insz": A[6], "kind": "PRIM", "start_date": D(2012, 11, 1), "end_date": D(2013, 2, 28)},
        {"insz": A[6], "kind": "PRIM", "start_date": D(2013, 2, 15), "end_date": D(2013, 3, 10)},
        {"insz": A[6], "kind": "INV", "start_date": D(2013, 3, 11), "end_date": D(2013, 12, 19)},
        {"insz": A[6], "kind": "PRIM", "start_date": D(2013, 12, 20), "end_date": D(2014, 1, 31)},
    ],
    "pwa_work": [{"insz": A[5], "quarter": 20134, "hours": 30}],
    "self_employment": [
        {
            "insz": A[7],
            "quality": "PENS",
            "affiliation_date": D(2005, 1, 1),
            "start_date": D(2005, 1, 1),
            "end_date": None,
        }
    ],
}

FULL = (500, 3800, 3800)
"""Days a week (hundredths), worker's and reference person's weekly hours (hundredths): full time 38 h."""
# DmfA: (person, quarter, employer, (days/week, hours worker, hours ref.), services [(code, days, hours)])
# 13 weeks x 38 h = 494 h = 49400 hundredths is one FTE of a quarter.
OCCUPATIONS: list[tuple[int, int, int, tuple[int, int, int], list[tuple[str, int, int | None]]]] = [
    (1, 20131, 1, FULL, [("1", 6500, 49400)]),
    (1, 20132, 1, FULL, [("1", 3250, 24700), ("50", 3250, 24700)]),  # half the quarter sick
    (1, 20133, 1, FULL, [("1", 6500, 49400)]),
    # days without hours: 30 paid days and 35 days of temporary unemployment at 7.6 h a day
    (1, 20134, 1, FULL, [("1", 3000, None), ("70", 3500, None)]),
    (1, 20084, 4, FULL, [("1", 6500, 49400)]),
    (2, 20091, 2, FULL, [("1", 6500, 49400)]),
    (3, 20134, 5, FULL, [("1", 1300, 10000)]),
    (6, 20134, 2, FULL, [("1", 1300, 10000)]),
    (8, 20134, 6, FULL, [("1", 1300, 10000)]),
]


def build(root: Path) -> Warehouse:
    wh = Warehouse(root)
    root.mkdir(parents=True, exist_ok=True)
    data = {name: _rows(name, rows) for name, rows in TABLES.items()}
    dec, nat, wl, occ, svc, rem = [], [], [], [], [], []
    for n, (pi, q, e, (dpw, mhw, mhr), services) in enumerate(OCCUPATIONS):
        dec.append({"declaration_id": n, "quarter": q, "enterprise_number": E[e]})
        nat.append({"person_id": n, "declaration_id": n, "quarter": q, "sequence": 1, "insz": A[pi]})
        wl.append(
            {"worker_line_id": n, "person_id": n, "quarter": q, "employer_class": "000", "worker_code": "015"}
        )
        occ.append(
            {
                "occupation_id": n,
                "worker_line_id": n,
                "quarter": q,
                "sequence": 1,
                "start_date": D(q // 10, (q % 10) * 3 - 2, 1),
                "end_date": None,
                "joint_committee": "327",
                "days_per_week": dpw,
                "mean_hours_worker": mhw,
                "mean_hours_reference": mhr,
                "contract_type": 0,
            }
        )
        svc += [
            {"occupation_id": n, "quarter": q, "service_code": c, "days": d, "hours": h}
            for c, d, h in services
        ]
        rem.append(
            {
                "occupation_id": n,
                "quarter": q,
                "remuneration_code": "1",
                "frequency": 0,
                "amount_cents": 100000,
            }
        )
    data |= {
        "dmfa_employer_declaration": _rows("dmfa_employer_declaration", dec),
        "dmfa_natural_person": _rows("dmfa_natural_person", nat),
        "dmfa_worker_line": _rows("dmfa_worker_line", wl),
        "dmfa_occupation": _rows("dmfa_occupation", occ),
        "dmfa_service": _rows("dmfa_service", svc),
        "dmfa_remuneration": _rows("dmfa_remuneration", rem),
    }
    return save(wh, data)
