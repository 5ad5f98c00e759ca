"""The data dictionary: the committed docs/reference/warehouse.md is the rendering of the schema."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

# imported at collection: rich.console touches Python's global RNG on import, which the autouse guard forbids
from crossroads.cli import app
from crossroads.warehouse import dictionary
from crossroads.warehouse.schema import ENUMS, TABLES

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "reference" / "warehouse.md"


def test_committed_dictionary_is_up_to_date() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == dictionary.render(), (
        "docs/reference/warehouse.md is stale: run `crossroads warehouse schema`"
    )


def test_every_table_and_field_is_described() -> None:
    text = dictionary.render()
    for t in TABLES:
        assert f"### `{t.name}`" in text
        for f in t.fields:
            assert f"| `{f.name}` | {f.type} | {'yes' if f.nullable else 'no'} |" in text
    for name in ENUMS:
        assert f'<a id="enum-{name.replace("_", "-")}"></a>' in text


def test_rows_carry_code_lists_identifiers_blocks_and_requirements() -> None:
    text = dictionary.render()
    # a field with an official list links to its shipped CSV file (relative to docs/reference/)
    assert (
        "| `nis_code` | string | yes | NIS5 code of the municipality of main residence (2025 map); "
        "empty when abroad | "
        "[municipalities](../../src/crossroads/codelists/data/be_municipalities_2025_565.csv) |  |"
    ) in text
    # a short inline list is printed in the row itself
    assert "[sex](#enum-sex): `1` man, `2` vrouw" in text
    # identifiers are marked, references shown
    assert (
        "| `insz` | string | no | INSZ (national or bis number) of the person → `person.insz` |  | INSZ |"
        in text
    )
    assert "- **DmfA block:** 90015 (Tewerkstelling van de werknemerslijn)" in text
    assert "- **Requirements:** S000-6, S001-5, S003-3, S004-2" in text
    assert "- **Partition:** `year`" in text


def test_links_point_to_existing_files() -> None:
    import re

    text = dictionary.render()
    for target in set(re.findall(r"\]\((\.\./\.\./[^)]+)\)", text)):
        assert (COMMITTED.parent / target).resolve().is_file(), target


def test_cli_schema_writes_and_checks(tmp_path: Path) -> None:
    out = tmp_path / "warehouse.md"
    runner = CliRunner()
    stale = runner.invoke(app, ["warehouse", "schema", "--out", str(out), "--check"])
    assert stale.exit_code == 1 and "out of date" in stale.output
    wrote = runner.invoke(app, ["warehouse", "schema", "--out", str(out)])
    assert wrote.exit_code == 0
    assert f"{len(TABLES)} tables" in wrote.output
    assert out.read_text(encoding="utf-8") == dictionary.render()
    assert runner.invoke(app, ["warehouse", "schema", "--out", str(out), "--check"]).exit_code == 0
