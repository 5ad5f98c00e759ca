"""The codebook: a Frictionless descriptor plus readable HTML and Markdown, all from one description."""

from __future__ import annotations

import json
from pathlib import Path

from crossroads.delivery import codebook, manifest
from crossroads.delivery.contents import Dataset, DeliveryInfo
from crossroads.delivery.formats import write_dataset


def _write(tmp_path: Path, info: DeliveryInfo, datasets: list[Dataset]) -> dict[str, object]:
    for ds in datasets:
        write_dataset(ds, tmp_path)
    files = {e["path"]: e for e in manifest.file_entries(tmp_path)}
    codebook.write(tmp_path, info, datasets, files, ("parquet", "csv", "dta", "sav"))
    pkg: dict[str, object] = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    return pkg


def test_descriptor_has_one_resource_per_dataset_and_format_with_checksums(
    tmp_path: Path, info: DeliveryInfo, workers: Dataset, users: Dataset
) -> None:
    pkg = _write(tmp_path, info, [workers, users])
    assert pkg["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert pkg["name"] == "21-150-v1-phase1-20261122-0a1b2c3d"
    assert pkg["crossroads:simulation"] is True
    resources = pkg["resources"]
    assert isinstance(resources, list)
    assert [r["name"] for r in resources] == [
        f"{ds}-{fmt}"
        for ds in ("workers_timeseries", "users_timeseries")
        for fmt in ("parquet", "csv", "dta", "sav")
    ]
    for r in resources:
        path = tmp_path / r["path"]
        assert r["bytes"] == path.stat().st_size
        assert r["hash"] == "sha256:" + manifest.sha256_file(path)
    assert resources[1]["type"] == "table" and resources[1]["mediatype"] == "text/csv"
    # the Table Schema is written once per dataset, on its first file; the others point to it
    assert "schema" in resources[0] and "schema" in resources[4]
    assert [r.get("crossroads:schema_of") for r in resources[1:4]] == ["workers_timeseries-parquet"] * 3
    assert resources[0]["crossroads:rows"] == 4


def test_fields_carry_labels_unit_classes_and_sources(
    tmp_path: Path, info: DeliveryInfo, workers: Dataset
) -> None:
    pkg = _write(tmp_path, info, [workers])
    resources = pkg["resources"]
    assert isinstance(resources, list)
    fields = {f["name"]: f for f in resources[0]["schema"]["fields"]}
    assert list(fields) == workers.table.column_names
    assert fields["age_class"] == {
        "name": "age_class",
        "title": "leeftijdsklasse",
        "type": "string",
        "crossroads:label_en": "age class",
        "crossroads:unit": "person-year",
        "crossroads:scheme": "age_5y",
        "crossroads:scheme_label": "leeftijd in klassen van 5 jaar",
        "crossroads:sources": ["person"],
        "categories": [
            {"value": "15-19", "label": "15 tot 19 jaar"},
            {"value": "20-24", "label": "20 tot 24 jaar"},
            {"value": "25-29", "label": "25 tot 29 jaar"},
        ],
        "crossroads:stata_spss_values": {"15-19": 1, "20-24": 2, "25-29": 3},
    }
    assert fields["year"]["type"] == "integer"
    assert fields["wage"]["type"] == "number"
    assert fields["entry_date"]["type"] == "date"
    assert fields["in_service"]["type"] == "boolean"
    assert fields["sex"]["crossroads:stata_spss_values"] == {"1": 1, "2": 2}


def test_html_and_markdown_list_every_variable_and_class(
    tmp_path: Path, info: DeliveryInfo, workers: Dataset
) -> None:
    _write(tmp_path, info, [workers])
    html = (tmp_path / "codebook.html").read_text(encoding="utf-8")
    md = (tmp_path / "codebook.md").read_text(encoding="utf-8")
    for name in workers.table.column_names:
        assert f"<code>{name}</code>" in html
        assert f"`{name}`" in md
    assert "loonmassa &lt;brutoloon&gt; (EUR)" in html  # labels are escaped in HTML
    assert "<brutoloon>" not in html
    assert "| 20-24 | 20 tot 24 jaar | 2 |" in md
    assert md.count("### `age_class` classes") == 1 and html.count('id="classes-') == 3  # sex, age, bool
    assert "Simulation on a synthetic warehouse" in html
    assert "**Simulation on a synthetic warehouse: not real data.**" in md
    assert "Unit: person-year; 4 rows." in md
