"""Linking provider inputs by INSZ: the match report and the rows served afterwards, for a clean input
(served as stored) and for inputs with unknown and repeated keys (only the first row of each known key);
hand-made tables, both engines."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tiny_warehouse import E1, P, _rows, person, save

from crossroads import engine
from crossroads.engine import linkage
from crossroads.warehouse.storage import Warehouse

D13, D08 = date(2013, 12, 31), date(2008, 12, 31)


def _employee(i: int, day: date, staff: str = "D") -> dict[str, Any]:
    return {"insz": P[i], "reference_date": day, "employer_enterprise_number": E1, "staff_type": staff}


TABLES: dict[str, list[dict[str, Any]]] = {
    "person": [person(i, "F", date(1980, 1, i)) for i in (1, 2, 3)],
    # Two lists in one table, every person known, no key repeated: the clean case.
    "se_employees": [_employee(1, D13), _employee(2, D13), _employee(2, D08), _employee(3, D08)],
    # P1 twice in 2020Q1 (the row with 10 vouchers sorts first and is kept), P0 not in the register.
    "voucher_worker_payment": [
        {"insz": P[1], "quarter": 20201, "enterprise_number": E1, "vouchers": 30},
        {"insz": P[1], "quarter": 20201, "enterprise_number": E1, "vouchers": 10},
        {"insz": P[1], "quarter": 20202, "enterprise_number": E1, "vouchers": 20},
        {"insz": P[0], "quarter": 20201, "enterprise_number": E1, "vouchers": 5},
    ],
}


@pytest.fixture(scope="module")
def link_wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    root: Path = tmp_path_factory.mktemp("linkage") / "wh"
    root.mkdir(parents=True)
    return save(Warehouse(root), {name: _rows(name, rows) for name, rows in TABLES.items()})


@pytest.fixture
def eng(link_wh: Warehouse, backend_name: str, request: pytest.FixtureRequest) -> Iterator[engine.Engine]:
    spark = request.getfixturevalue("spark_session") if backend_name == "spark" else None
    with engine.connect(link_wh, backend_name, spark=spark) as e:  # type: ignore[arg-type]
        yield e


def test_a_clean_input_is_reported_per_list_and_served_whole(eng: engine.Engine) -> None:
    assert linkage.link(eng, "se_employees", "insz", D13) == {
        "rows": 2, "matched": 2, "not_found": 0, "duplicates": 0,
    }  # fmt: skip
    assert linkage.link(eng, "se_employees", "insz", D08) == {
        "rows": 2, "matched": 2, "not_found": 0, "duplicates": 0,
    }  # fmt: skip
    served = eng.to_arrow(eng.table("se_employees")).to_pylist()
    assert sorted((r["insz"], r["reference_date"]) for r in served) == [
        (P[1], D13), (P[2], D08), (P[2], D13), (P[3], D08),
    ]  # fmt: skip


def test_unknown_and_repeated_keys_are_counted_and_dropped(eng: engine.Engine) -> None:
    report = linkage.link(eng, "voucher_worker_payment", "insz")
    assert report == {"rows": 4, "matched": 3, "not_found": 1, "duplicates": 1}
    served = eng.to_arrow(eng.table("voucher_worker_payment")).to_pylist()
    assert sorted((r["insz"], r["quarter"], r["vouchers"]) for r in served) == [
        (P[1], 20201, 10),
        (P[1], 20202, 20),
    ]
