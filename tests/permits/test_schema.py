"""The exported JSON Schema is current and describes the file format, amendments included."""

from __future__ import annotations

import json
from pathlib import Path

from crossroads.permits import schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "permit.schema.json"


def test_exported_schema_is_current() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema.render(), (
        "docs/reference/permit.schema.json is stale: run `crossroads permit schema`"
    )


def test_schema_accepts_full_versions_and_amendments() -> None:
    data = json.loads(schema.render())
    items = data["properties"]["versions"]["items"]["anyOf"]
    assert {ref["$ref"] for ref in items} == {"#/$defs/PermitVersion", "#/$defs/PermitAmendment"}
    amendment = data["$defs"]["PermitAmendment"]
    assert amendment["required"] == ["version", "extends", "label", "approved", "effective"]
    assert "amend" in amendment["properties"]
    assert data["$defs"]["PermitVersion"]["additionalProperties"] is False  # unknown keys rejected
    assert set(data["required"]) >= {"number", "decision_date", "kind", "versions"}


def test_export_writes_the_rendered_text(tmp_path: Path) -> None:
    out = schema.export(tmp_path / "nested" / "permit.schema.json")
    assert out.read_text(encoding="utf-8") == schema.render()


def test_reference_page_documents_every_key() -> None:
    from pydantic import BaseModel

    from crossroads.permits import model

    page = (SCHEMA_FILE.parent / "permit-format.md").read_text(encoding="utf-8")
    classes: list[type[BaseModel]] = [
        model.Permit,
        model.PermitVersion,
        model.UnitRef,
        model.Processor,
        model.TargetGroup,
        model.Dataset,
        model.VariableRequest,
        model.Measurement,
        model.Window,
        model.ProviderInput,
        model.DisclosureSettings,
        model.Pseudonymisation,
        model.Retention,
        model.OnlineAccess,
        model.ServiceIntegrator,
    ]
    missing = [
        f"{cls.__name__}.{name}"
        for cls in classes
        for name in cls.model_fields
        if f"`{name}`" not in page and f"{name}`" not in page and f"`{name}" not in page
    ]
    assert missing == []
