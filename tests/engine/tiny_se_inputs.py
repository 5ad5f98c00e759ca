"""A tiny hand-made warehouse for the 15/018 population rules (provider lists, DmfA staff, PWA, OCMW).

Enterprises (fake numbers, no real enterprise):
  E1 on the agency's employer list at 31 Dec 2013; workers P1, P2 in 2013 Q4
  E2 on the agency's list at 31 Dec 2013 and a social-purpose company; no DmfA worker in 2013 Q4
  E3 on the agency's list at 31 Dec 2008 only; a recognised cooperative; worker P3 in 2013 Q4
  E4 recognised cooperative; worker P4 only in 2013 Q3 (none in Q4)
  E5 recognised cooperative without any DmfA declaration (no staff, not an employer)
  E6 recognised cooperative, but on the 31 Dec 2012 list only; worker P5 in 2013 Q4
Persons (fake 11-digit INSZ):
  agency's employee lists: 2013: P1, P2; 2008: P2, P6
  PWA: P7 10 h in 2013 Q4; P8 0 h in 2013 Q4; P9 5 h in 2013 Q3
  OCMW: P1 art. 60 from 15 Oct 2013 (open); P6 art. 61 2012-01-01..2013-09-30 (ends before Q4);
        P8 art. 61 on 31 Dec 2013 only; P9 art. 60 from 1 Jan 2014
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
from tiny_warehouse import save

from crossroads.warehouse.schema import table as table_spec
from crossroads.warehouse.storage import Warehouse

P = {i: f"{i:011d}" for i in range(10)}
E = {i: f"04000000{i:02d}" for i in range(1, 7)}
D = date
D13, D08, D12 = D(2013, 12, 31), D(2008, 12, 31), D(2012, 12, 31)


def _rows(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    spec = table_spec(name)
    cols = {f.name: [r.get(f.name) for r in rows] for f in spec.fields}
    return pa.table(cols, schema=spec.arrow_schema())


def _declarations() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One declaration per (enterprise, quarter) and one natural-person line per worker."""
    workers = [(1, 20134, 1), (1, 20134, 2), (3, 20134, 3), (4, 20133, 4), (6, 20134, 5), (2, 20133, 2)]
    decl: dict[tuple[int, int], int] = {}
    persons = []
    for n, (e, q, p) in enumerate(workers, 1):
        did = decl.setdefault((e, q), len(decl) + 1)
        persons.append({"person_id": n, "declaration_id": did, "quarter": q, "sequence": n, "insz": P[p]})
    declarations = [
        {"declaration_id": did, "quarter": q, "enterprise_number": E[e]} for (e, q), did in decl.items()
    ]
    return declarations, persons


def _employee(p: int, ref: date, e: int) -> dict[str, Any]:
    return {"insz": P[p], "reference_date": ref, "employer_enterprise_number": E[e], "staff_type": "DG"}


def tables() -> dict[str, list[dict[str, Any]]]:
    declarations, persons = _declarations()
    return {
        "dmfa_employer_declaration": declarations,
        "dmfa_natural_person": persons,
        "se_employers": [
            {"enterprise_number": E[1], "reference_date": D13, "work_form": "BW"},
            {"enterprise_number": E[2], "reference_date": D13, "work_form": "LDE"},
            {"enterprise_number": E[3], "reference_date": D08, "work_form": "SW"},
        ],
        "se_employees": [
            _employee(1, D13, 1),
            _employee(2, D13, 1),
            _employee(2, D08, 3),
            _employee(6, D08, 3),
        ],
        "recognised_cooperatives": [{"enterprise_number": E[i], "reference_date": D13} for i in (3, 4, 5)]
        + [{"enterprise_number": E[6], "reference_date": D12}],
        "social_purpose_companies": [{"enterprise_number": E[2], "reference_date": D13}],
        "pwa_work": [
            {"insz": P[7], "quarter": 20134, "hours": 10},
            {"insz": P[8], "quarter": 20134, "hours": 0},
            {"insz": P[9], "quarter": 20133, "hours": 5},
        ],
        "ocmw_employment": [
            {"insz": P[1], "article": "60", "start_date": D(2013, 10, 15), "end_date": None},
            {"insz": P[6], "article": "61", "start_date": D(2012, 1, 1), "end_date": D(2013, 9, 30)},
            {"insz": P[8], "article": "61", "start_date": D13, "end_date": D13},
            {"insz": P[9], "article": "60", "start_date": D(2014, 1, 1), "end_date": None},
        ],
    }


def build(root: Path) -> Warehouse:
    wh = Warehouse(root)
    root.mkdir(parents=True, exist_ok=True)
    data = {name: _rows(name, rows) for name, rows in tables().items()}
    return save(wh, data)
