"""A tiny hand-made warehouse whose every derived value can be computed by hand (see the comments).

Persons (INSZ are fake 11-digit strings; no real person):
  P1 voucher worker of both sources, Antwerp, household H1 with P7 (partner), P8 (student, 20), P9 (child)
  P2 issuer-only worker, moves from Brussels to Antwerp on 1 Jul 2020
  P3 issuer-only worker living abroad in 2020
  P4 network-only worker (employer category 597), Gent, only in 2020
  P5 user: paper and electronic vouchers in 2020, nothing in 2019 (new user)
  P6 user: electronic in 2019 and 2020 (not new)
  P0 appears in the issuer's payments but not in the registers (not found); one payment row is repeated
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa

from crossroads.warehouse.schema import table as table_spec
from crossroads.warehouse.storage import Warehouse, record_tables, write_tables

P = {i: f"{i:011d}" for i in range(10)}
E1, E2, E3 = "0400000001", "0400000002", "0400000003"
D = date


def save(wh: Warehouse, data: dict[str, pa.Table]) -> Warehouse:
    """Write hand-made tables as a synthetic warehouse (with its manifest) and return it."""
    with write_tables(wh, list(data)) as writers:
        for name, t in data.items():
            writers[name].write(t)
    wh.write_manifest(record_tables({"synthetic": True, "seed": 0, "scale": 0}, writers))
    return wh


def _rows(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    spec = table_spec(name)
    cols = {f.name: [r.get(f.name) for r in rows] for f in spec.fields}
    return pa.table(cols, schema=spec.arrow_schema())


def person(i: int, sex: str, birth: date, **kw: Any) -> dict[str, Any]:
    row = {
        "insz": P[i],
        "register": "RR",
        "sex": sex,
        "birth_date": birth,
        "birth_country": "150",
        "first_nationality": "150",
        "father_first_nationality": "150",
        "mother_first_nationality": "150",
        "first_registration_date": birth,
    }
    row.update(kw)
    return row


TABLES: dict[str, list[dict[str, Any]]] = {
    "person": [
        person(1, "2", D(1980, 6, 15)),
        person(2, "1", D(1975, 1, 1), mother_first_nationality=None, first_registration_date=D(1990, 5, 1)),
        person(
            3,
            "1",
            D(1990, 2, 1),
            birth_country="354",
            first_nationality="354",
            father_first_nationality="354",
            mother_first_nationality="354",
            first_registration_date=D(2017, 3, 1),
        ),
        person(4, "2", D(1995, 12, 31)),
        person(5, "1", D(1950, 3, 3)),
        person(6, "2", D(1960, 4, 4)),
        person(7, "1", D(1975, 9, 9)),
        person(8, "1", D(2000, 1, 1)),
        person(9, "2", D(2010, 1, 1)),
    ],
    "nationality": [
        {"insz": P[3], "nationality": "354", "start_date": D(1990, 2, 1), "end_date": D(2018, 5, 1)},
        {"insz": P[3], "nationality": "150", "start_date": D(2018, 5, 2), "end_date": None},
    ],
    "residence_reason": [
        {
            "insz": P[3],
            "reason": "WRK",
            "registration_date": D(2017, 3, 1),
            "start_date": D(2017, 3, 1),
            "end_date": None,
        },
    ],
    "residence": [
        *[
            {"insz": P[i], "nis_code": "11002", "start_date": D(2000, 1, 1), "end_date": None}
            for i in (1, 7, 8, 9)
        ],
        {"insz": P[2], "nis_code": "21004", "start_date": D(2000, 1, 1), "end_date": D(2020, 6, 30)},
        {"insz": P[2], "nis_code": "11002", "start_date": D(2020, 7, 1), "end_date": None},
        {"insz": P[3], "nis_code": "11002", "start_date": D(2017, 3, 1), "end_date": D(2019, 12, 31)},
        {
            "insz": P[3],
            "nis_code": None,
            "abroad_country": "354",
            "start_date": D(2020, 1, 1),
            "end_date": None,
        },
        {"insz": P[4], "nis_code": "44021", "start_date": D(2015, 1, 1), "end_date": None},
        {"insz": P[5], "nis_code": "71016", "start_date": D(2000, 1, 1), "end_date": None},
        {"insz": P[6], "nis_code": "31005", "start_date": D(2000, 1, 1), "end_date": None},
    ],
    "household": [
        {
            "insz": P[1],
            "household_id": 1,
            "lipro": "MAR+",
            "household_type": "CPL+",
            "is_reference_person": True,
            "start_date": D(2005, 1, 1),
            "end_date": None,
        },
        {
            "insz": P[7],
            "household_id": 1,
            "lipro": "MAR+",
            "household_type": "CPL+",
            "is_reference_person": False,
            "start_date": D(2005, 1, 1),
            "end_date": None,
        },
        {
            "insz": P[8],
            "household_id": 1,
            "lipro": "CMAR",
            "household_type": "CPL+",
            "is_reference_person": False,
            "start_date": D(2005, 1, 1),
            "end_date": None,
        },
        {
            "insz": P[9],
            "household_id": 1,
            "lipro": "CMAR",
            "household_type": "CPL+",
            "is_reference_person": False,
            "start_date": D(2010, 1, 1),
            "end_date": None,
        },
        {
            "insz": P[4],
            "household_id": 2,
            "lipro": "SING",
            "household_type": "1P",
            "is_reference_person": True,
            "start_date": D(2015, 1, 1),
            "end_date": None,
        },
    ],
    "child_benefit": [{"insz": P[8], "start_date": D(2000, 1, 1), "end_date": None}],
    "pension": [
        {
            "insz": P[7],
            "kind": "RET",
            "monthly_amount_cents": 100000,
            "start_date": D(2015, 1, 1),
            "end_date": None,
        }
    ],
    "education_level": [
        {"insz": P[1], "year": 2015, "isced": "2"},
        {"insz": P[1], "year": 2021, "isced": "5"},
    ],
    "employer": [
        {
            "enterprise_number": E1,
            "nace": "81210",
            "employer_category": "000",
            "public_private": "PRIV",
            "organisation_type": "REG",
            "work_form": "DC",
            "dwse_code": "DC01",
            "start_date": D(2004, 1, 1),
        },
        {
            "enterprise_number": E2,
            "nace": "47110",
            "employer_category": "000",
            "public_private": "PRIV",
            "organisation_type": "REG",
            "work_form": "NONE",
            "dwse_code": None,
            "start_date": D(2000, 1, 1),
        },
        {
            "enterprise_number": E3,
            "nace": "81210",
            "employer_category": "597",
            "public_private": "PRIV",
            "organisation_type": "REG",
            "work_form": "DC",
            "dwse_code": "DC02",
            "start_date": D(2010, 1, 1),
        },
    ],
    "employer_year": [
        {"enterprise_number": E1, "year": 2020, "size_class": "5"},
        {"enterprise_number": E3, "year": 2020, "size_class": "3"},
    ],
    "voucher_worker_payment": [
        {"insz": P[1], "quarter": 20194, "enterprise_number": E1, "vouchers": 50},
        {"insz": P[1], "quarter": 20202, "enterprise_number": E1, "vouchers": 200},
        {"insz": P[1], "quarter": 20211, "enterprise_number": E1, "vouchers": 150},
        {"insz": P[2], "quarter": 20193, "enterprise_number": E1, "vouchers": 80},
        {"insz": P[2], "quarter": 20203, "enterprise_number": E1, "vouchers": 90},
        {"insz": P[2], "quarter": 20203, "enterprise_number": E1, "vouchers": 90},  # repeated row
        {"insz": P[3], "quarter": 20202, "enterprise_number": E1, "vouchers": 60},
        {"insz": P[0], "quarter": 20202, "enterprise_number": E1, "vouchers": 10},  # not in the registers
    ],
    "voucher_order": [
        {"insz": P[5], "month": 202003, "kind": "P", "orders": 1, "vouchers": 10},
        {"insz": P[5], "month": 202011, "kind": "E", "orders": 2, "vouchers": 20},
        {"insz": P[6], "month": 201905, "kind": "E", "orders": 1, "vouchers": 5},
        {"insz": P[6], "month": 202002, "kind": "E", "orders": 1, "vouchers": 7},
    ],
    "socio_economic_position": [
        {"insz": P[1], "quarter": 20202, "sep_code": "111", "add_incapacity": True},
        {"insz": P[4], "quarter": 20194, "sep_code": "211", "add_unemployment": True},
        {"insz": P[4], "quarter": 20202, "sep_code": "111"},
        {"insz": P[4], "quarter": 20211, "sep_code": "371", "add_incapacity": True},
        {"insz": P[5], "quarter": 20204, "sep_code": "34", "add_pension": True},
        {"insz": P[6], "quarter": 20204, "sep_code": "111"},
    ],
}
for _r in TABLES["socio_economic_position"]:
    for _f in (
        "add_unemployment",
        "add_incapacity",
        "add_assistance",
        "add_school_leaver",
        "add_pension",
        "add_career_break",
    ):
        _r.setdefault(_f, False)

# DmfA: (occupation id, person, quarter, employer, category, JC, days/week, hours worker, hours ref, contract,
#        start, end, nace, services [(code, days, hours)], remuneration [(code, cents)])
OCCUPATIONS = [
    # P1 at E1 (322.01), part-time 19/38 h, 3 days a week, in 2019 Q2, Q3 and 2020 Q2
    (
        1,
        1,
        20192,
        E1,
        "000",
        "322.01",
        300,
        1900,
        3800,
        1,
        D(2019, 4, 1),
        D(2020, 6, 30),
        "81210",
        [("1", 3900, 24700)],
        [("1", 300000)],
    ),
    (
        2,
        1,
        20193,
        E1,
        "000",
        "322.01",
        300,
        1900,
        3800,
        1,
        D(2019, 4, 1),
        D(2020, 6, 30),
        "81210",
        [("1", 3900, 24700)],
        [("1", 300000)],
    ),
    (
        3,
        1,
        20202,
        E1,
        "000",
        "322.01",
        300,
        1900,
        3800,
        1,
        D(2019, 4, 1),
        D(2020, 6, 30),
        "81210",
        [("1", 3900, 24700)],
        [("1", 300000), ("2", 5000)],
    ),
    # P1 full time at a shop E2 in 2020 Q1 (not a voucher job)
    (
        4,
        1,
        20201,
        E2,
        "000",
        "200",
        500,
        3800,
        3800,
        0,
        D(2020, 1, 1),
        D(2020, 3, 31),
        None,
        [("1", 6500, 49400)],
        [("1", 200000)],
    ),
    # P4 at E3 (category 597), full time, days without hours, ended 15 May 2020
    (
        5,
        4,
        20202,
        E3,
        "597",
        "322.01",
        500,
        3800,
        3800,
        0,
        D(2020, 4, 1),
        D(2020, 5, 15),
        "81210",
        [("1", 4000, None)],
        [("1", 400000)],
    ),
]


def build(root: Path) -> Warehouse:
    wh = Warehouse(root)
    root.mkdir(parents=True, exist_ok=True)
    data = {name: _rows(name, rows) for name, rows in TABLES.items()}
    dec, nat, wl, occ, svc, rem = [], [], [], [], [], []
    for n, (oid, pi, q, ent, cat, jc, dpw, mhw, mhr, ct, start, end, nace, services, pays) in enumerate(
        OCCUPATIONS
    ):
        dec.append({"declaration_id": n, "quarter": q, "enterprise_number": ent})
        nat.append({"person_id": n, "declaration_id": n, "quarter": q, "sequence": 1, "insz": P[pi]})
        wl.append(
            {"worker_line_id": n, "person_id": n, "quarter": q, "employer_class": cat, "worker_code": "015"}
        )
        occ.append(
            {
                "occupation_id": oid,
                "worker_line_id": n,
                "quarter": q,
                "sequence": 1,
                "start_date": start,
                "end_date": end,
                "joint_committee": jc,
                "days_per_week": dpw,
                "mean_hours_worker": mhw,
                "mean_hours_reference": mhr,
                "contract_type": ct,
                "nace": nace,
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
