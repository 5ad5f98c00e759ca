"""The ``crossroads extract`` command: refusals and bad options give clear messages and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from crossroads.cli import app
from crossroads.warehouse.storage import Warehouse

PERMIT_FILE = Path(__file__).resolve().parents[2] / "examples" / "permits" / "21-150.yaml"
runner = CliRunner()


@pytest.fixture
def real_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CROSSROADS_HOME", str(tmp_path / "home"))
    root = tmp_path / "wh"
    root.mkdir()
    Warehouse(root).write_manifest({"synthetic": False, "tables": {}})
    return root


def _extract(warehouse: Path, out: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(
        app,
        [
            "extract",
            str(PERMIT_FILE),
            "--phase",
            "1",
            "--warehouse",
            str(warehouse),
            "--out",
            str(out),
            *extra,
        ],
    )
    return result.exit_code, result.output


def test_as_of_on_a_real_warehouse_is_refused(real_warehouse: Path, tmp_path: Path) -> None:
    code, output = _extract(real_warehouse, tmp_path / "out", "--as-of", "2022-06-30")
    assert code == 2
    assert "refused:" in output and "only on a synthetic warehouse" in " ".join(output.split())
    assert not (tmp_path / "out").exists()


def test_today_is_refused_for_an_expired_permit(real_warehouse: Path, tmp_path: Path) -> None:
    # 21/150's retention ended on 1 Sep 2024; these tests run after that date
    code, output = _extract(real_warehouse, tmp_path / "out")
    assert code == 2
    assert "21/150" in output and "2024-09-01" in output


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--formats", "parquet,xlsx", "unknown format 'xlsx'"),
        ("--backend", "polars", "choose duckdb or spark"),
        ("--as-of", "30/06/2022", "is not a date"),
        ("--slice-persons", "-5", "--slice-persons"),
        ("--pass-persons", "0", "--pass-persons"),
        # enclave options: a phase-1 delivery is built in one go, so they would be ignored
        ("--slice-persons", "1000", "only with --enclave"),
        ("--pass-persons", "3000000", "only with --enclave"),
    ],
)
def test_bad_options(real_warehouse: Path, tmp_path: Path, option: str, value: str, message: str) -> None:
    code, output = _extract(real_warehouse, tmp_path / "out", option, value)
    assert code == 2
    assert message in " ".join(output.split())


@pytest.mark.parametrize(
    ("extra", "formats", "slices", "passes"),
    [
        ((), ("parquet", "csv", "dta", "sav"), None, None),
        (
            ("--phase", "2", "--enclave"),
            ("parquet", "csv"),
            None,
            None,
        ),  # a workspace: written batch by batch
        (
            ("--phase", "2", "--enclave", "--formats", "parquet,dta", "--slice-persons", "0"),
            ("parquet", "dta"),
            0,
            None,
        ),
        (("--phase", "2", "--enclave", "--pass-persons", "3000000"), ("parquet", "csv"), None, 3_000_000),
    ],
)
def test_default_formats_and_slices_reach_the_request(
    real_warehouse: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    extra: tuple[str, ...],
    formats: tuple[str, ...],
    slices: int | None,
    passes: int | None,
) -> None:
    from crossroads import extraction

    asked: list[extraction.ExtractRequest] = []

    def refuse(request: extraction.ExtractRequest, **_: object) -> None:
        asked.append(request)
        raise extraction.ExtractRefused("stop here")

    monkeypatch.setattr(extraction, "run", refuse)
    code, output = _extract(real_warehouse, tmp_path / "out", *extra)
    assert code == 2 and "stop here" in output
    assert asked[0].formats == formats and asked[0].slice_persons == slices
    assert asked[0].pass_persons == passes


def test_demo_reuses_the_warehouse_registers_the_permit_and_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the engine and disclosure are stood in for (see test_extraction_flow); the shell is what is tested
    from crossroads import extraction
    from crossroads.delivery import leaks

    from .samples import ENTERPRISE, INSZ_1985, INSZ_2000
    from .test_extraction_flow import FakeRisk, _fake_engine

    monkeypatch.setenv("CROSSROADS_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(Path(__file__).resolve().parents[2])  # the demo reads examples/permits/21-150.yaml
    monkeypatch.setattr(extraction, "run_engine", _fake_engine())
    monkeypatch.setattr(
        extraction, "protect_risk", lambda tables, settings, title="": (dict(tables), FakeRisk())
    )
    monkeypatch.setattr(
        extraction,
        "warehouse_identifiers",
        lambda wh: leaks.Identifiers(insz=[INSZ_1985, INSZ_2000], enterprise=[ENTERPRISE]),
    )
    wh = tmp_path / "wh"
    wh.mkdir()
    Warehouse(wh).write_manifest({"synthetic": True, "scale": 0.001, "tables": {}})
    out = tmp_path / "deliveries"
    result = runner.invoke(app, ["demo", "--warehouse", str(wh), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert f"using the warehouse in {wh}" in text
    (delivery,) = out.iterdir()
    assert delivery.name.startswith("21-150-v1-phase1-")
    assert "workers_timeseries" in text and "users_timeseries" in text
    assert "Small-cell risk" in text and "Disclosure: AT RISK: stand-in" in text
    rows = [
        [cell.strip() for cell in line.split("│")[1:7]]
        for line in result.output.splitlines()
        if line.count("│") == 7
    ]
    assert ["workers_timeseries", "3", "1", "2", "1.00", "5"] in rows
    last = result.output.strip().splitlines()[-1]  # the one-line summary ends the output
    assert last.startswith(
        "Delivered permit 21/150 version 1 phase 1 (SIMULATION as of 2022-06-30): 4 datasets, 10 rows"
    )  # 3 + 3 + 3 + 1 hand-made rows
    assert last.endswith(f"-> {delivery}")


def test_demo_refuses_a_folder_that_is_not_a_warehouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CROSSROADS_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    half = tmp_path / "wh"
    half.mkdir()
    (half / "tables").mkdir()  # what an interrupted copy could leave
    result = runner.invoke(app, ["demo", "--warehouse", str(half), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "holds no warehouse" in " ".join(result.output.split())
    assert not (tmp_path / "out").exists()
