"""The CLI shells: org, user, permit registry, audit and retention, end to end on SQLite."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from crossroads.cli.governance import audit_app, org_app, registry_app, retention_app, user_app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "permits" / "21-150.yaml"

app = typer.Typer()
for name, group in (
    ("org", org_app),
    ("user", user_app),
    ("permit", registry_app),
    ("audit", audit_app),
    ("retention", retention_app),
):
    app.add_typer(group, name=name)


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("CROSSROADS_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CROSSROADS_DB_URL", raising=False)
    monkeypatch.setenv("CROSSROADS_MASTER_KEY", "11" * 32)
    monkeypatch.setenv("CROSSROADS_ACTOR", "custodian")
    return CliRunner()


def run(cli: CliRunner, *args: str, code: int = 0) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_a_session_from_registration_to_destruction(cli: CliRunner, tmp_path: Path) -> None:
    if not EXAMPLE.exists():
        pytest.skip("example permit file not present")
    run(cli, "org", "add", "DWSE", "Departement Werk en Sociale Economie")
    run(cli, "org", "add-unit", "DWSE", "dienstencheques-input", "Input")
    run(cli, "org", "add-unit", "DWSE", "dienstencheques-onderzoek", "Onderzoek")
    assert "registered" in run(
        cli,
        "user",
        "add",
        "ann",
        "--org",
        "DWSE",
        "--unit",
        "dienstencheques-onderzoek",
        "--role",
        "researcher",
    )
    run(
        cli,
        "user",
        "add",
        "bert",
        "--org",
        "DWSE",
        "--unit",
        "dienstencheques-input",
        "--role",
        "input_provider",
    )
    out = run(cli, "permit", "register", str(EXAMPLE))
    assert "permit 21/150 registered as approved" in out
    assert "unchanged" in run(cli, "permit", "register", str(EXAMPLE))
    assert "in_force" in run(cli, "permit", "list", "--on", "2022-01-01")
    assert "allowed" in run(cli, "user", "check", "ann", "receive_output", "21/150", "--on", "2022-01-01")
    out = run(cli, "user", "check", "bert", "receive_output", "21/150", "--on", "2022-01-01", code=1)
    assert "unit that receives output" in out
    out = run(cli, "user", "check", "ann", "receive_output", "21/150", "--on", "2024-09-02", code=1)
    assert "expired" in out
    token = run(cli, "user", "token", "ann", "--label", "notebook").splitlines()[0]
    assert len(token) >= 43

    # permit.register plus the two refused checks (refusals are audited)
    assert "audit trail intact: 3 events" in run(cli, "audit", "verify")
    export = tmp_path / "audit.jsonl"
    assert "exported 3 events" in run(cli, "audit", "export", "--out", str(export))
    key = export.with_name("audit.jsonl.pub.pem")
    assert "intact" in run(cli, "audit", "verify", "--file", str(export), "--public-key", str(key))
    assert "intact" in run(cli, "audit", "verify", "--anchor", str(export))
    header = json.loads(export.read_text().splitlines()[0])
    assert header["format"] == "crossroads-audit-export/1"

    assert "1 destruction(s) due" in run(cli, "retention", "run", "--today", "2024-09-01", "--dry-run")
    out = run(cli, "retention", "run", "--today", "2024-09-01")
    assert "permits destroyed: 21/150" in out
    assert "destroyed" in run(cli, "permit", "status", "21/150", "--on", "2022-01-01")
    assert "3 event(s) shown" in run(cli, "audit", "show", "--last", "3")
    assert "intact" in run(cli, "audit", "verify")
    with sqlite3.connect(tmp_path / "home" / "crossroads.db") as db:
        db.execute("UPDATE audit_events SET purpose = 'edited' WHERE seq = 2")
    assert "BROKEN at seq 2" in run(cli, "audit", "verify", code=1)


def test_errors_are_clear_and_exit_non_zero(cli: CliRunner, tmp_path: Path) -> None:
    assert "organisation NOPE is not registered" in run(cli, "org", "add-unit", "NOPE", "u", "x", code=1)
    assert "is not a date" in run(cli, "retention", "run", "--today", "1 sept", code=2)
    assert "in the future" in run(cli, "retention", "run", "--today", "2999-01-01", code=2)
    assert "add --yes" in run(cli, "permit", "destroy", "21/150", code=2)
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"type": "event"}\n')
    assert "line 1" in run(cli, "audit", "verify", "--file", str(broken), code=1)
