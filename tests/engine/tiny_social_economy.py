"""A tiny warehouse for the employer variables of 15/018, every value computable by hand.

Employers (fake enterprise numbers, no real enterprise):
  E1 VZW in Antwerpen (11002, a central city), NACE 81300; on the agency's list of 31 Dec 2013 (work form
     MAAT, registers say BW) and on the cooperatives' list; local units U1 Boechout, U2 Gent
  E2 ordinary company (REG) in Vilvoorde (23088, arr. 23000); on the cooperatives' list of 31 Dec 2013;
     category 399 (a public category of annex 27 outside the named groups)
  E3 in Brussel (21004); on the agency's list of 31 Dec 2008 (work form SW) and on the social-purpose list
     of 31 Dec 2013; marked PUBL with private category 000
  E4 local authority (category 750) in Hasselt (71072, central city), no NACE; on the agency's list of
     31 Dec 2013 without a work form; two local units with one worker line each (a tie)
  E5 an enterprise number unknown to the registers

DmfA (hours x100; 3800 = 38 h a week, the reference person's hours):
  E1 2012 Q4: P5 full time 1 Jan 2010 - 31 Mar 2013 (U1), P6 half time 1 Jun - 31 Dec 2012 (U1),
              P3 1 Oct - 30 Dec 2012 (U2, ended before 31 Dec)
  E1 2013 Q4: P1 full time from 1 Jan 2013 (U2); P2 half time 1 Oct - 31 Dec 2013 (U1);
              P3 1 Oct - 30 Nov 2013 (U2); P4 two occupations on one line (U2): 30 h from 1 Oct and
              19 h from 1 Nov 2013
  E2 2013 Q4: P7 30.4 h (0.8) from 31 Dec 2013, no local unit on the line
  E3 2012 Q4: P8 full time 1 Jan 2012 - 30 Jun 2013 (nothing declared in 2013 Q4)
  E4 2013 Q4: P9 full time from 2000 (U4, Genk); P0 with reference hours 0 (U5, Arendonk)
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
from tiny_warehouse import save

from crossroads.warehouse.schema import table as table_spec
from crossroads.warehouse.storage import Warehouse

D = date
E1, E2, E3, E4, E5 = (f"04000000{i:02d}" for i in range(1, 6))
U1, U2, U3, U4, U5 = (f"20000000{i:02d}" for i in range(1, 6))
P = {i: f"{90000000000 + i:011d}" for i in range(10)}


def _rows(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    spec = table_spec(name)
    cols = {f.name: [r.get(f.name) for r in rows] for f in spec.fields}
    return pa.table(cols, schema=spec.arrow_schema())


def _employer(ent: str, **kw: Any) -> dict[str, Any]:
    row = {
        "enterprise_number": ent,
        "employer_category": "000",
        "public_private": "PRIV",
        "organisation_type": "REG",
        "work_form": "NONE",
        "start_date": D(1990, 1, 1),
    }
    row.update(kw)
    return row


TABLES: dict[str, list[dict[str, Any]]] = {
    "employer": [
        _employer(E1, nace="81300", organisation_type="VZW", work_form="BW", nis_code="11002"),
        _employer(E2, nace="47110", employer_category="399", nis_code="23088"),
        _employer(E3, nace="88991", public_private="PUBL", work_form="INV", nis_code="21004"),
        _employer(
            E4,
            nace=None,
            employer_category="750",
            public_private="PUBL",
            organisation_type="PUB",
            work_form="LDE",
            nis_code="71072",
        ),
    ],
    "local_unit": [
        {"unit_number": U1, "enterprise_number": E1, "nis_code": "11004"},
        {"unit_number": U2, "enterprise_number": E1, "nis_code": "44021"},
        {"unit_number": U4, "enterprise_number": E4, "nis_code": "71016"},
        {"unit_number": U5, "enterprise_number": E4, "nis_code": "13001"},
    ],
    "employer_year": [
        {
            "enterprise_number": E1,
            "year": 2013,
            "size_class": "1",
            "jobs_31dec": 3,
            "liquidity": 1.234,
            "solvency": 0.35,
            "profitability": -0.05,
            "credit_policy": 45.5,
            "investment_ratio": 0.12,
        },
        {
            "enterprise_number": E1,
            "year": 2012,
            "size_class": "1",
            "jobs_31dec": 2,
            "liquidity": 0.9,
            "solvency": 0.3,
            "profitability": 0.02,
            "credit_policy": 60.0,
            "investment_ratio": 0.2,
        },
        {"enterprise_number": E2, "year": 2012, "size_class": "0", "liquidity": 2.0},
        {"enterprise_number": E4, "year": 2013, "size_class": "1", "jobs_31dec": 2},
    ],
    "se_employers": [
        {
            "enterprise_number": E1,
            "reference_date": D(2013, 12, 31),
            "work_form": "MAAT",
            "activity": "GROEN",
            "sector": "MIL",
        },
        {
            "enterprise_number": E3,
            "reference_date": D(2008, 12, 31),
            "work_form": "SW",
            "activity": "SCHOON",
            "sector": "PDV",
        },
        {"enterprise_number": E4, "reference_date": D(2013, 12, 31), "activity": "ANDERE"},
    ],
    "recognised_cooperatives": [
        {"enterprise_number": E1, "reference_date": D(2013, 12, 31)},
        {"enterprise_number": E2, "reference_date": D(2013, 12, 31)},
    ],
    "social_purpose_companies": [{"enterprise_number": E3, "reference_date": D(2013, 12, 31)}],
    "se_employer_survey": [
        {
            "enterprise_number": E1,
            "survey_date": D(2013, 6, 1),
            "innovation": "4",
            "board_category": "GEMENGD",
            "board_cooperation": "5",
            "board_decision_making": "3",
            "board_consensus": "4",
            "board_tasks": "STRAT",
            "operation": "4",
            "hr_policy": "FORMEEL",
            "staff_coaching": "5",
            "policy_plan_satisfaction": "1",
            "policy_plan_diversity": "0",
            "policy_plan_training": "1",
            "proactive_recruitment": "2",
            "supplier_territory": "REG",
            "customer_territory": "LOK",
            "community_activities": "3",
            "environmental_effort": "2",
            "environmental_goals": "0",
            "renewable_energy": "ZON",
            "stakeholder_needs": "4",
            "goal_clarity": "5",
            "partnerships": "10110",
        },
        {"enterprise_number": E3, "survey_date": D(2014, 2, 1), "hr_policy": "GEEN"},
    ],
}

# (employer, quarter, [(person, local unit, [(start, end, hours worker, hours reference), ...]), ...])
DECLARATIONS: list[tuple[str, int, list[tuple[int, str | None, list[tuple[Any, ...]]]]]] = [
    (
        E1,
        20124,
        [
            (5, U1, [(D(2010, 1, 1), D(2013, 3, 31), 3800, 3800)]),
            (6, U1, [(D(2012, 6, 1), D(2012, 12, 31), 1900, 3800)]),
            (3, U2, [(D(2012, 10, 1), D(2012, 12, 30), 3800, 3800)]),
        ],
    ),
    (
        E1,
        20134,
        [
            (1, U2, [(D(2013, 1, 1), None, 3800, 3800)]),
            (2, U1, [(D(2013, 10, 1), D(2013, 12, 31), 1900, 3800)]),
            (3, U2, [(D(2013, 10, 1), D(2013, 11, 30), 3800, 3800)]),
            (4, U2, [(D(2013, 10, 1), None, 3000, 3800), (D(2013, 11, 1), None, 1900, 3800)]),
        ],
    ),
    (E2, 20134, [(7, None, [(D(2013, 12, 31), None, 3040, 3800)])]),
    (E3, 20124, [(8, None, [(D(2012, 1, 1), D(2013, 6, 30), 3800, 3800)])]),
    (
        E4,
        20134,
        [
            (9, U4, [(D(2000, 1, 1), None, 3800, 3800)]),
            (0, U5, [(D(2000, 1, 1), None, 3800, 0)]),
        ],
    ),
]


def build(root: Path) -> Warehouse:
    wh = Warehouse(root)
    root.mkdir(parents=True, exist_ok=True)
    data = {name: _rows(name, rows) for name, rows in TABLES.items()}
    dec: list[dict[str, Any]] = []
    nat: list[dict[str, Any]] = []
    wl: list[dict[str, Any]] = []
    occ: list[dict[str, Any]] = []
    for ent, q, workers in DECLARATIONS:
        did = len(dec)
        dec.append({"declaration_id": did, "quarter": q, "enterprise_number": ent})
        for seq, (person, unit, occupations) in enumerate(workers, start=1):
            pid = len(nat)
            nat.append(
                {"person_id": pid, "declaration_id": did, "quarter": q, "sequence": seq, "insz": P[person]}
            )
            wid = len(wl)
            wl.append(
                {
                    "worker_line_id": wid,
                    "person_id": pid,
                    "quarter": q,
                    "employer_class": "000",
                    "worker_code": "495",
                    "local_unit": unit,
                }
            )
            for n, (start, end, hours, ref) in enumerate(occupations, start=1):
                occ.append(
                    {
                        "occupation_id": len(occ),
                        "worker_line_id": wid,
                        "quarter": q,
                        "sequence": n,
                        "start_date": start,
                        "end_date": end,
                        "joint_committee": "200",
                        "days_per_week": 500,
                        "mean_hours_worker": hours,
                        "mean_hours_reference": ref,
                        "contract_type": 0 if hours == ref else 1,
                    }
                )
    data |= {
        "dmfa_employer_declaration": _rows("dmfa_employer_declaration", dec),
        "dmfa_natural_person": _rows("dmfa_natural_person", nat),
        "dmfa_worker_line": _rows("dmfa_worker_line", wl),
        "dmfa_occupation": _rows("dmfa_occupation", occ),
    }
    return save(wh, data)
