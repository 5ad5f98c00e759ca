"""A tiny hand-made DmfA for the job variables of 15/018 (``catalog/occupations.py``), Q4 2013.

Employers (enterprise numbers are fake):
  EA sheltered workshop, PC 327.01, category 000        EB service-voucher company, PC 322.01, category 597
  EC temporary-work agency, PC 322, category 097         EF shop, PC 201, one occupation paid in vouchers
  ED OCMW (public category 001), NACE 84115
Workers (fake INSZ): W1 two jobs (EA: blue-collar line then white-collar line; EB: voucher, part time),
  W2 part-time white-collar at EA, W3 agency worker at EC (also in Q3) and at EF, W4 statutory at ED,
  W5 a colleague at EA who is not among the points (counts only in the employer totals).

Every job is one declaration -> natural person -> worker lines -> occupations; the numbers in the test
file's comments are computed from the rows below.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
from tiny_warehouse import save

from crossroads.warehouse.schema import table as table_spec
from crossroads.warehouse.storage import Warehouse

W = {i: f"{900 + i:011d}" for i in range(1, 6)}
EA, EB, EC, ED, EF = "0400000101", "0400000102", "0400000103", "0400000104", "0400000105"
Q3, Q4 = 20133, 20134
D = date


def _rows(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    spec = table_spec(name)
    cols = {f.name: [r.get(f.name) for r in rows] for f in spec.fields}
    return pa.table(cols, schema=spec.arrow_schema())


def occ(oid: int, jc: str, dpw: int, hw: int, hr: int, ct: int, **kw: Any) -> dict[str, Any]:
    """An occupation: days/week x100, mean hours worker/reference x100, contract type 0 full / 1 part."""
    row: dict[str, Any] = {
        "occupation_id": oid,
        "joint_committee": jc,
        "days_per_week": dpw,
        "mean_hours_worker": hw,
        "mean_hours_reference": hr,
        "contract_type": ct,
        "start_date": D(2013, 10, 1),
        "end_date": None,
        "services": [],  # (service code, days x100, hours x100)
        "pay": [],  # (remuneration code, cents)
        "deductions": [],  # (reduction code, cents)
    }
    row.update(kw)
    return row


# (person, employer, quarter, employer category, [worker lines]); a worker line is
# (worker code, [contributions (code, type, base cents, amount cents)], [worker deductions], [occupations])
JOBS: list[tuple[str, str, int, str, list[tuple[str, list[Any], list[Any], list[dict[str, Any]]]]]] = [
    (
        W[1],
        EA,
        Q4,
        "000",
        [
            (
                "015",
                [("015", "1", 356400, 200000), ("855", "0", 330000, 10000)],
                [],
                [
                    occ(
                        101, "327.01", 500, 3800, 3800, 0,
                        end_date=D(2013, 11, 15), nace="88995",
                        services=[("1", 3300, 25080), ("50", 200, 1520)],
                        pay=[("1", 330000)],
                        deductions=[("3000", 40000)],
                    )
                ],
            ),
            (
                "495",
                [("495", "0", 300000, 30000)],
                [],
                [
                    occ(
                        102, "327.01", 500, 3800, 3800, 0,
                        start_date=D(2013, 11, 16), nace="88995", worker_status="T", employment_measure="2",
                        services=[("1", 3000, 22800)],
                        pay=[("1", 300000)],
                        deductions=[("3000", 30000), ("3410", 50000)],
                    )
                ],
            ),
        ],
    ),
    (
        W[1],
        EB,
        Q4,
        "597",
        [
            (
                "015",
                [("015", "1", 162000, 50000)],
                [],
                [
                    occ(
                        103, "322.01", 300, 1900, 3800, 1,
                        nace="81210", remuneration_method="3",
                        services=[("1", 3900, 24700)],
                        pay=[("1", 150000)],
                    )
                ],
            )
        ],
    ),
    (
        W[2],
        EA,
        Q4,
        "000",
        [
            (
                "495",
                [("495", "0", 400000, 150000)],
                [("0001", 99999)],
                [
                    occ(
                        104, "327.01", 400, 3040, 3800, 1,
                        nace="88995", worker_status="T", reorganisation_measure="4",
                        services=[("1", 5200, 39520)],
                        pay=[("1", 400000)],
                        deductions=[("3000", 20000), ("3410", 25000)],
                    )
                ],
            )
        ],
    ),
    (
        W[5],
        EA,
        Q4,
        "000",
        [
            (
                "015",
                [("015", "1", 270000, 100000)],
                [],
                [
                    occ(
                        105, "327.01", 500, 3800, 3800, 0,
                        nace="88995", services=[("1", 6500, 49400)], pay=[("1", 250000)],
                        deductions=[("3000", 10000)],
                    )
                ],
            )
        ],
    ),
    (
        W[3],
        EC,
        Q4,
        "097",
        [
            (
                "015",
                [("015", "1", 216000, 120000)],
                [],
                [
                    occ(
                        106, "322", 500, 3800, 3800, 0,
                        nace="78201", services=[("1", 2000, 15200)], pay=[("1", 200000)],
                    )
                ],
            )
        ],
    ),
    (
        W[3],
        EC,
        Q3,
        "097",
        [
            (
                "015",
                [("015", "1", 216000, 90000)],
                [],
                [
                    occ(
                        107, "322", 500, 3800, 3800, 0,
                        start_date=D(2013, 7, 1), nace="78201",
                        services=[("1", 6500, 49400)], pay=[("1", 200000)],
                    )
                ],
            )
        ],
    ),
    (
        W[3],
        EF,
        Q4,
        "000",
        [
            (
                "015",
                [],
                [],
                [
                    occ(
                        108, "201", 500, 3800, 3800, 0,
                        nace="47110", remuneration_method="3",
                        services=[("1", 1000, 7600)], pay=[("1", 100000)],
                    )
                ],
            )
        ],
    ),
    (
        W[4],
        ED,
        Q4,
        "001",
        [
            (
                "675",
                [],
                [],
                [
                    occ(
                        109, "000", 500, 3800, 3800, 0,
                        nace="84115", services=[("1", 6500, 49400)], pay=[("1", 450000)],
                    )
                ],
            )
        ],
    ),
]  # fmt: skip


Job = tuple[str, str, int, str, list[tuple[str, list[Any], list[Any], list[dict[str, Any]]]]]


def build(root: Path, jobs: list[Job] | None = None) -> Warehouse:
    """The warehouse of ``JOBS`` (or of ``jobs``: another hand-made DmfA in the same shape)."""
    wh = Warehouse(root)
    root.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list[dict[str, Any]]] = {
        name: []
        for name in (
            "dmfa_employer_declaration",
            "dmfa_natural_person",
            "dmfa_worker_line",
            "dmfa_occupation",
            "dmfa_service",
            "dmfa_remuneration",
            "dmfa_occupation_deduction",
            "dmfa_worker_deduction",
            "dmfa_worker_contribution",
        )
    }
    declarations: dict[tuple[str, int], int] = {}
    line_id = 0
    for person_id, (insz, ent, q, category, lines) in enumerate(JOBS if jobs is None else jobs):
        if (ent, q) not in declarations:
            declarations[(ent, q)] = len(declarations)
            rows["dmfa_employer_declaration"].append(
                {"declaration_id": declarations[(ent, q)], "quarter": q, "enterprise_number": ent}
            )
        dec = declarations[(ent, q)]
        rows["dmfa_natural_person"].append(
            {
                "person_id": person_id,
                "declaration_id": dec,
                "quarter": q,
                "sequence": person_id + 1,
                "insz": insz,
            }
        )
        for code, contributions, worker_deductions, occupations in lines:
            line_id += 1
            rows["dmfa_worker_line"].append(
                {
                    "worker_line_id": line_id,
                    "person_id": person_id,
                    "quarter": q,
                    "employer_class": category,
                    "worker_code": code,
                }
            )
            rows["dmfa_worker_contribution"] += [
                {
                    "worker_line_id": line_id,
                    "quarter": q,
                    "contribution_worker_code": c,
                    "contribution_type": t,
                    "base_cents": b,
                    "amount_cents": a,
                }
                for c, t, b, a in contributions
            ]
            rows["dmfa_worker_deduction"] += [
                {"worker_line_id": line_id, "quarter": q, "deduction_code": c, "amount_cents": a}
                for c, a in worker_deductions
            ]
            for o in occupations:
                oid = o["occupation_id"]
                rows["dmfa_occupation"].append(
                    {k: v for k, v in o.items() if k not in ("services", "pay", "deductions")}
                    | {"worker_line_id": line_id, "quarter": q, "sequence": 1}
                )
                rows["dmfa_service"] += [
                    {"occupation_id": oid, "quarter": q, "service_code": c, "days": d, "hours": h}
                    for c, d, h in o["services"]
                ]
                rows["dmfa_remuneration"] += [
                    {
                        "occupation_id": oid,
                        "quarter": q,
                        "remuneration_code": c,
                        "frequency": 0,
                        "amount_cents": a,
                    }
                    for c, a in o["pay"]
                ]
                rows["dmfa_occupation_deduction"] += [
                    {"occupation_id": oid, "quarter": q, "deduction_code": c, "amount_cents": a}
                    for c, a in o["deductions"]
                ]
    data = {name: _rows(name, r) for name, r in rows.items()}
    return save(wh, data)
