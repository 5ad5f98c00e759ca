"""``crossroads populations``: the 21/150 target groups of the real permit file counted in full on the tiny
hand-made warehouse (values counted by hand from ``tiny_warehouse``), audited, and refused like an extract."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crossroads import extraction
from crossroads.cli import app
from crossroads.governance import Store
from crossroads.warehouse.storage import Warehouse

PERMIT_FILE = Path(__file__).resolve().parents[2] / "examples" / "permits" / "21-150.yaml"
INSIDE = date(2022, 1, 1)
TODAY = date(2026, 12, 4)  # 21/150 expired on 1 Sep 2024


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    from crossroads.cli.governance import registration_from_file

    monkeypatch.setenv("CROSSROADS_HOME", str(tmp_path / "home"))
    with Store(home=tmp_path / "home") as s:
        s.register_permit(registration_from_file(PERMIT_FILE))
        yield s


def test_the_groups_are_counted_per_year_with_their_match_reports(
    store: Store, tiny_wh: Warehouse, backend_name: str, request: pytest.FixtureRequest
) -> None:
    if backend_name == "spark":
        request.getfixturevalue("spark_session")  # the engine's own session, started once
    got = extraction.count_populations(
        PERMIT_FILE, tiny_wh.root, as_of=INSIDE, backend=backend_name, actor="custodian", store=store,
        today=TODAY,
    )  # fmt: skip
    assert (got.permit_number, got.simulation) == ("21/150", True)
    # Domicile in Flanders on 31 December. Issuer: P1 (Antwerp) 2019 and 2020; P2 lived in Brussels until
    # July 2020, so 2020 only; P3 abroad in 2020; P0 is not in the registers. Network: P1 (committee
    # 322.01) 2019 and 2020, P4 (category 597, Gent) 2020. Users: P6 orders in 2019 and 2020 (Brugge), P5
    # in 2020 (Limburg).
    assert got.by_year == {
        "workers_issuer": {2019: 1, 2020: 2},
        "workers_network": {2019: 1, 2020: 2},
        "users": {2019: 1, 2020: 2},
    }
    assert got.persons == {"workers_issuer": 2, "workers_network": 2, "users": 2}
    assert got.approximate == {"workers_issuer": 120000, "workers_network": 120000, "users": 750000}
    assert got.match_reports["issuer_worker_payments"] == {
        "rows": 8, "matched": 7, "not_found": 1, "duplicates": 1,
    }  # fmt: skip
    rows = got.overlap.to_pylist()
    overlap = {(r["year"], r["in_workers_issuer"], r["in_workers_network"]): r["persons"] for r in rows}
    assert overlap == {(2019, 1, 1): 1, (2020, 1, 1): 1, (2020, 1, 0): 1, (2020, 0, 1): 1}
    event = store.audit.events(last=1)[-1]
    assert event["action"] == "populations.counted" and event["actor"] == "custodian"
    assert event["counts"] == {"workers_issuer": 2, "workers_network": 2, "users": 2}


def test_the_command_prints_the_counts_and_refuses_an_expired_permit(
    store: Store, tiny_wh: Warehouse
) -> None:
    runner = CliRunner()
    args = ["populations", str(PERMIT_FILE), "--warehouse", str(tiny_wh.root)]
    result = runner.invoke(app, [*args, "--as-of", INSIDE.isoformat()])
    assert result.exit_code == 0, result.output
    summary = " ".join(result.output.split())
    assert "workers_issuer 2, workers_network 2, users 2 persons; 2 inputs linked; nothing written" in summary
    assert "SIMULATION as of 2022-01-01" in summary
    refused = runner.invoke(app, args)  # today: 21/150's retention ended on 1 Sep 2024
    assert refused.exit_code == 2
    assert "2024-09-01" in refused.output
    last = store.audit.events(last=1)[-1]
    assert last["action"] == "extract.refused" and last["detail"]["what"] == "populations"
