"""The network's service-voucher quarters (S000-3): a paid occupation under joint committee 322.01 or at an
employer of category 597, either condition alone; hand-made DmfA lines, both engines."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tiny_warehouse import P, _rows, save

from crossroads import engine
from crossroads.catalog import jobs
from crossroads.warehouse.storage import Warehouse

# (occupation, person, quarter, employer category, joint committee, pay lines in cents)
LINES = [
    (1, 1, 20201, "000", "322.01", [1000]),  # committee only: in
    (2, 2, 20202, "597", "200", [1000]),  # category only: in
    (3, 3, 20201, "000", "200", [1000]),  # neither: out
    (4, 4, 20201, "597", "322.01", [0]),  # both, but nothing paid: out
    (5, 1, 20203, "597", "322.01", [600, -100]),  # both, paid: in (once)
    (6, 5, 20204, "597", "124", []),  # category, no pay line at all: out
]
REGIME = {"start_date": date(2020, 1, 1), "days_per_week": 500, "mean_hours_worker": 3800}


def _tables() -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {
        "dmfa_natural_person": [], "dmfa_worker_line": [], "dmfa_occupation": [], "dmfa_remuneration": [],
    }  # fmt: skip
    for oid, person, quarter, category, committee, pays in LINES:
        key = {"quarter": quarter}
        rows["dmfa_natural_person"].append(
            {**key, "person_id": oid, "declaration_id": oid, "sequence": 1, "insz": P[person]}
        )
        rows["dmfa_worker_line"].append(
            {**key, "worker_line_id": oid, "person_id": oid, "employer_class": category, "worker_code": "015"}
        )
        occupation = {**key, **REGIME, "occupation_id": oid, "worker_line_id": oid, "sequence": 1}
        rows["dmfa_occupation"].append(
            {**occupation, "joint_committee": committee, "mean_hours_reference": 3800, "contract_type": 0}
        )
        pay = {**key, "occupation_id": oid, "remuneration_code": "1", "frequency": 0}
        rows["dmfa_remuneration"] += [{**pay, "amount_cents": a} for a in pays]
    return rows


@pytest.fixture(scope="module")
def dmfa_wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    root: Path = tmp_path_factory.mktemp("vouchers") / "wh"
    root.mkdir(parents=True)
    wh = Warehouse(root)
    data = {name: _rows(name, r) for name, r in _tables().items()}
    return save(wh, data)


def test_either_condition_alone_makes_a_voucher_quarter(
    dmfa_wh: Warehouse, backend_name: str, request: pytest.FixtureRequest
) -> None:
    spark = request.getfixturevalue("spark_session") if backend_name == "spark" else None
    with engine.connect(dmfa_wh, backend_name, spark=spark) as e:  # type: ignore[arg-type]
        got = e.to_arrow(jobs.network_voucher_quarters(e)).to_pylist()
    assert sorted((r["insz"], r["quarter"]) for r in got) == [(P[1], 20201), (P[1], 20203), (P[2], 20202)]
