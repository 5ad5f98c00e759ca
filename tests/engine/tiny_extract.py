"""A tiny warehouse for the engine's dataset units (issue 6); every expected value is computed by hand.

Persons (fake INSZ, no real person), residence on 31 Dec 2013:
  A1 born 15 Jun 1980, Aartselaar (11001); jobs in 2013 Q4 at E1 (main: 60 days full time) and E2 (10 days)
  A2 born 1 Jan 1990, Aartselaar (11001); job at E1 in 2013 Q4
  A3 born 1 Mar 1985, Essen (11016); job at E2 in 2013 Q4
  A4 born 1 Jan 1970, Brecht (11009); job at E3 in 2013 Q4
  A5 born 1 Jan 1960, Edegem (11013); no job
  A6 born 1 Jan 1975, abroad (no municipality)
Employers E1 (11001), E2 (11002), E3 (11009), E4 (11009, no staff).
Certificates: A1 #11 (2010-06-30, secondary), #12 (2014-02-15, bachelor); A2 #21 (2012-06-30, secondary);
A5 #51 (2013-01-10, secondary).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
from tiny_warehouse import save

from crossroads.warehouse.schema import table as table_spec
from crossroads.warehouse.storage import Warehouse

A = {i: f"770000000{i:02d}" for i in range(1, 7)}
E1, E2, E3, E4 = "0400000101", "0400000202", "0400000303", "0400000404"
D = date


def _rows(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    spec = table_spec(name)
    schema = spec.arrow_schema()
    cols = {}
    for f in schema:
        values = [r.get(f.name) for r in rows]
        if not f.nullable:
            # Required fields these tests do not read get a neutral value (the schema grows in parallel).
            values = [_default(f.type) if v is None else v for v in values]
        cols[f.name] = values
    return pa.table(cols, schema=schema)


def _default(t: pa.DataType) -> Any:
    if pa.types.is_string(t):
        return "0"
    if pa.types.is_boolean(t):
        return False
    if pa.types.is_date(t):
        return D(2000, 1, 1)
    return 0


def _person(i: int, birth: date) -> dict[str, Any]:
    return {
        "insz": A[i],
        "register": "RR",
        "sex": "1" if i % 2 else "2",
        "birth_date": birth,
        "birth_country": "150",
        "first_nationality": "150",
        "father_first_nationality": "150",
        "mother_first_nationality": "150",
        "first_registration_date": birth,
    }


def _residence(i: int, nis: str | None) -> dict[str, Any]:
    return {
        "insz": A[i],
        "nis_code": nis,
        "abroad_country": None if nis else "354",
        "start_date": D(2000, 1, 1),
        "end_date": None,
    }


def _employer(ent: str, nis: str) -> dict[str, Any]:
    return {
        "enterprise_number": ent,
        "employer_category": "000",
        "public_private": "private",
        "organisation_type": "company",
        "nace": "81210",
        "nis_code": nis,
        "start_date": D(2000, 1, 1),
    }


def _certificate(cid: int, i: int, issued: date, level: str) -> dict[str, Any]:
    return {"certificate_id": cid, "insz": A[i], "level": level, "issue_date": issued}


TABLES: dict[str, list[dict[str, Any]]] = {
    "person": [
        _person(1, D(1980, 6, 15)),
        _person(2, D(1990, 1, 1)),
        _person(3, D(1985, 3, 1)),
        _person(4, D(1970, 1, 1)),
        _person(5, D(1960, 1, 1)),
        _person(6, D(1975, 1, 1)),
    ],
    "residence": [
        _residence(1, "11001"),
        _residence(2, "11001"),
        _residence(3, "11016"),
        _residence(4, "11009"),
        _residence(5, "11013"),
        _residence(6, None),
    ],
    "employer": [
        _employer(E1, "11001"),
        _employer(E2, "11002"),
        _employer(E3, "11009"),
        _employer(E4, "11009"),
    ],
    "certificate": [
        _certificate(11, 1, D(2010, 6, 30), "secondary"),
        _certificate(12, 1, D(2014, 2, 15), "bachelor"),
        _certificate(21, 2, D(2012, 6, 30), "secondary"),
        _certificate(51, 5, D(2013, 1, 10), "secondary"),
    ],
}

# (occupation id, person, employer, days in hundredths, hours in hundredths): all in 2013 Q4, full-time
# reference 38 h a week; FTE = hours / (38 h x 13) -> A1 at E1 0.9231 (456 h), at E2 0.1538 (76 h).
JOBS = [
    (1, 1, E1, 6000, 45600),
    (2, 1, E2, 1000, 7600),
    (3, 2, E1, 6000, 45600),
    (4, 3, E2, 6000, 45600),
    (5, 4, E3, 6000, 45600),
]
QUARTER = 20134


def build(root: Path) -> Warehouse:
    wh = Warehouse(root)
    root.mkdir(parents=True, exist_ok=True)
    data = {name: _rows(name, rows) for name, rows in TABLES.items()}
    dec, nat, wl, occ, svc, rem = [], [], [], [], [], []
    for n, (oid, pi, ent, days, hours) in enumerate(JOBS):
        dec.append({"declaration_id": n, "quarter": QUARTER, "enterprise_number": ent})
        nat.append({"person_id": n, "declaration_id": n, "quarter": QUARTER, "sequence": 1, "insz": A[pi]})
        wl.append(
            {
                "worker_line_id": n,
                "person_id": n,
                "quarter": QUARTER,
                "employer_class": "000",
                "worker_code": "015",
            }
        )
        occ.append(
            {
                "occupation_id": oid,
                "worker_line_id": n,
                "quarter": QUARTER,
                "sequence": 1,
                "start_date": D(2013, 1, 1),
                "end_date": None,
                "joint_committee": "200",
                "days_per_week": 500,
                "mean_hours_worker": 3800,
                "mean_hours_reference": 3800,
                "contract_type": 0,
                "nace": "81210",
            }
        )
        svc.append(
            {"occupation_id": oid, "quarter": QUARTER, "service_code": "1", "days": days, "hours": hours}
        )
        rem.append(
            {
                "occupation_id": oid,
                "quarter": QUARTER,
                "remuneration_code": "1",
                "frequency": 0,
                "amount_cents": 1,
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
