"""The JSON Schema of the permit *file* format, exported to ``docs/reference/permit.schema.json``.

The pydantic model describes a resolved permit, where every version is complete. A file may also hold
amending versions that say ``extends: N`` and give only what changes (see :mod:`loading`); the file
schema therefore accepts, for each item of ``versions``, either a complete version or an amendment.
Editors that understand JSON Schema (VS Code's YAML extension, for one) then check files as they are
typed; ``crossroads permit validate`` remains the authority (it also runs the cross-field checks).
"""

from __future__ import annotations

import json
from copy import deepcopy
from pathlib import Path
from typing import Any

from crossroads.permits.model import Permit

SCHEMA_ID = "https://crossroads.example/schemas/permit.schema.json"
DEFAULT_PATH = Path("docs/reference/permit.schema.json")

# Keys an amending version must still give itself: its identity and its dates.
_AMENDMENT_REQUIRED = ["version", "extends", "label", "approved", "effective"]


def json_schema() -> dict[str, Any]:
    """The schema as a dict, deterministic (same input, same output)."""
    schema = Permit.model_json_schema(mode="validation")
    defs = schema["$defs"]
    full = defs["PermitVersion"]
    amendment = deepcopy(full)
    amendment["title"] = "PermitAmendment"
    amendment["description"] = (
        "A later version written against an earlier one: it inherits everything from version "
        "`extends`, replaces the keys it gives, and merges the named lists under `amend` by name."
    )
    amendment["required"] = list(_AMENDMENT_REQUIRED)
    amendment["properties"]["extends"] = {
        "type": "integer",
        "minimum": 1,
        "title": "Extends",
        "description": "Number of the earlier version this one amends.",
    }
    amendment["properties"]["amend"] = {
        "type": "object",
        "title": "Amend",
        "description": "Named lists merged by `name` into the inherited ones.",
        "propertyNames": {"enum": ["target_groups", "datasets", "inputs"]},
        "additionalProperties": {"type": "array", "items": {"$ref": "#/$defs/NamedChange"}},
    }
    defs["PermitAmendment"] = amendment
    defs["NamedChange"] = {
        "type": "object",
        "title": "NamedChange",
        "description": "Change to the inherited item with the same `name`: its keys replace the "
        "inherited ones; `remove: true` deletes it, `replace: true` replaces it whole; a new name is added.",
        "required": ["name"],
        "properties": {
            "name": {"type": "string"},
            "remove": {"type": "boolean"},
            "replace": {"type": "boolean"},
        },
        "additionalProperties": True,
    }
    schema["properties"]["versions"]["items"] = {
        "anyOf": [{"$ref": "#/$defs/PermitVersion"}, {"$ref": "#/$defs/PermitAmendment"}]
    }
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def render() -> str:
    """The schema as the exact text written to disk."""
    return json.dumps(json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def export(path: str | Path = DEFAULT_PATH) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    return path
