"""``crossroads permit validate | show | schema`` through Typer's test runner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from crossroads.cli.permits import app

from .snippets import BASE, replace_line

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "permits"
runner = CliRunner()


def test_validate_examples_without_external_checks() -> None:
    files = [str(p) for p in sorted(EXAMPLES.glob("*.yaml"))]
    result = runner.invoke(app, ["validate", *files, "--no-catalog", "--no-rules"])
    assert result.exit_code == 0, result.output
    assert "Validated 4 permit file(s): 4 valid, 0 with 0 error(s)." in result.output


def test_validate_reports_file_line_column_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(replace_line(BASE, 16, "    output_unit: {organisation: A, unit: in}"), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(bad), "--no-catalog", "--no-rules"])
    assert result.exit_code == 1
    assert f"{bad}:16:18 versions[0].output_unit: the unit that receives output must differ" in result.output
    assert "0 valid, 1 with 1 error(s)" in result.output


def test_show_version_in_force(tmp_path: Path) -> None:
    result = runner.invoke(app, ["show", str(EXAMPLES / "21-128.yaml"), "--as-of", "2024-02-21"])
    assert result.exit_code == 0, result.output
    assert "version 2 of 3 is in force on 2024-02-21" in result.output
    assert "naric_recognised" in result.output


def test_show_refuses_an_expired_permit() -> None:
    result = runner.invoke(app, ["show", str(EXAMPLES / "21-150.yaml"), "--as-of", "2026-11-22"])
    assert result.exit_code == 1
    assert "Refused" in result.output and "2024-09-01" in result.output


def test_show_rejects_a_bad_date() -> None:
    result = runner.invoke(app, ["show", str(EXAMPLES / "21-150.yaml"), "--as-of", "22/11/2026"])
    assert result.exit_code == 2


def test_schema_export_and_check(tmp_path: Path) -> None:
    out = tmp_path / "permit.schema.json"
    assert runner.invoke(app, ["schema", "--out", str(out), "--check"]).exit_code == 1
    result = runner.invoke(app, ["schema", "--out", str(out)])
    assert result.exit_code == 0 and out.exists()
    assert runner.invoke(app, ["schema", "--out", str(out), "--check"]).exit_code == 0


def test_validate_checks_variables_against_the_catalog(tmp_path: Path, monkeypatch: Any) -> None:
    import crossroads.cli.permits as cli

    def fake(module: str, function: str) -> tuple[list[str] | None, str | None]:
        if module == "crossroads.catalog":
            return ["age_class"], None
        return None, "no engine in this test"

    monkeypatch.setattr(cli, "_optional_names", fake)
    good = tmp_path / "p.yaml"
    good.write_text(BASE, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(good)])
    assert result.exit_code == 1
    # `- name: sex` is on line 31, the name at column 19.
    assert (
        f"{good}:31:19 versions[0].datasets[0].variables[1].name: variable 'sex' is not in the catalog"
        in (result.output)
    )
    assert "1 with 1 error(s)" in result.output
