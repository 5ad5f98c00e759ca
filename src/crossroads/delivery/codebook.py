"""The codebook of a delivery: a Frictionless ``datapackage.json`` and the same content as HTML and Markdown.

Each dataset is one Data Package resource per format written (``workers_timeseries-csv``, ...), all
sharing one Table Schema: per variable its name, Dutch label (``title``), English label, unit, type,
class scheme, source tables and the classes with their labels (``categories``, Data Package v2). For
labelled columns the numbers used in the Stata and SPSS files are given next to each code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import pyarrow as pa

from crossroads.delivery.contents import Dataset, DeliveryInfo
from crossroads.delivery.formats import SUFFIXES, label_encoding, relative_path

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
_MEDIA = {
    "parquet": "application/vnd.apache.parquet",
    "csv": "text/csv",
    "dta": "application/x-stata-dta",
    "sav": "application/x-spss-sav",
}


def table_schema_type(dtype: pa.DataType) -> str:
    """The Table Schema type of an Arrow type."""
    if pa.types.is_boolean(dtype):
        return "boolean"
    if pa.types.is_integer(dtype):
        return "integer"
    if pa.types.is_floating(dtype) or pa.types.is_decimal(dtype):
        return "number"
    if pa.types.is_date(dtype):
        return "date"
    if pa.types.is_timestamp(dtype):
        return "datetime"
    return "string"


def field_descriptor(dataset: Dataset, name: str) -> dict[str, Any]:
    """One Table Schema field with the Crossroads additions (``crossroads:*`` keys)."""
    info = dataset.variables[name]
    rows = dataset.table
    dtype = rows.schema.field(name).type
    field: dict[str, Any] = {
        "name": name,
        "title": info.label_nl or name,
        "type": table_schema_type(dtype),
    }
    if info.label_en:
        field["crossroads:label_en"] = info.label_en
    if info.description:
        field["description"] = info.description
    if info.unit:
        field["crossroads:unit"] = info.unit
    if info.scheme:
        field["crossroads:scheme"] = info.scheme
        if info.scheme_label:
            field["crossroads:scheme_label"] = info.scheme_label
    if info.sources:
        field["crossroads:sources"] = list(info.sources)
    # Only labelled columns are read (a stored dataset's column is read from its file).
    labelled = bool(info.value_labels) or pa.types.is_boolean(dtype)
    enc = label_encoding(info, rows.column(name)) if labelled else None
    if info.value_labels:
        field["categories"] = [
            {"value": str(code), "label": label} for code, label in info.value_labels.items()
        ]
    elif enc is not None:  # a boolean: false/true labelled neen/ja
        field["categories"] = [{"value": code, "label": enc.labels[n]} for code, n in enc.numbers.items()]
    if enc is not None:
        field["crossroads:stata_spss_values"] = dict(enc.numbers)
    return field


def descriptor(
    info: DeliveryInfo,
    datasets: list[Dataset],
    files: Mapping[str, Mapping[str, Any]],
    formats: tuple[str, ...],
) -> dict[str, Any]:
    """The ``datapackage.json`` content. ``files`` maps relative path -> {"bytes", "sha256"}."""
    resources = []
    for ds in datasets:
        schema = {"fields": [field_descriptor(ds, n) for n in ds.table.column_names]}
        # The schema is written once per dataset (on its first file); the other formats point to it.
        first = f"{ds.name}-{formats[0]}"
        for fmt in formats:
            path = relative_path(ds.name, fmt)
            res: dict[str, Any] = {
                "name": f"{ds.name}-{fmt}",
                "path": path,
                "title": ds.label,
                "format": SUFFIXES[fmt][1:],
                "mediatype": _MEDIA[fmt],
                "crossroads:unit": ds.unit,
                "crossroads:rows": ds.table.num_rows,
            }
            if res["name"] == first:
                res["schema"] = schema
            else:
                res["crossroads:schema_of"] = first
            if fmt in ("csv",):
                res["type"] = "table"
                res["encoding"] = "utf-8"
            if path in files:
                res["bytes"] = files[path]["bytes"]
                res["hash"] = f"sha256:{files[path]['sha256']}"
            resources.append(res)
    return {
        "$schema": PROFILE,
        "name": info.name.lower(),
        "title": f"{info.permit_number} {info.permit_title}".strip(),
        "version": str(info.permit_version),
        "created": info.run_date.isoformat(timespec="seconds"),
        "description": (
            f"Phase-{info.phase} delivery under permit {info.permit_number}, version "
            f"{info.permit_version}"
            + (f" ({info.version_label})" if info.version_label else "")
            + f", reference date {info.as_of.isoformat()}"
            + (" — SIMULATION on a synthetic warehouse" if info.simulation else "")
            + "."
        ),
        "crossroads:permit": {"number": info.permit_number, "version": info.permit_version},
        "crossroads:simulation": info.simulation,
        "resources": resources,
    }


_LOADER = jinja2.PackageLoader("crossroads.delivery", "templates")
_HTML = jinja2.Environment(
    loader=_LOADER, autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined
).get_template("codebook.html.j2")
_MD_ENV = jinja2.Environment(
    loader=_LOADER, autoescape=False, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined
)


def _md_cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


_MD_ENV.filters["md"] = _md_cell
_MD = _MD_ENV.get_template("codebook.md.j2")


def _view(pkg: dict[str, Any], datasets: list[Dataset]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Datasets with their fields, and the class lists — each distinct list once, with where it is used."""
    view = []
    classes: dict[str, dict[str, Any]] = {}
    for ds in datasets:
        resources = [r for r in pkg["resources"] if r["name"].startswith(f"{ds.name}-")]
        fields = resources[0]["schema"]["fields"] if resources else []
        for f in fields:
            if not f.get("categories"):
                continue
            key = json.dumps(
                [f["name"], f["categories"], f.get("crossroads:stata_spss_values")], sort_keys=True
            )
            entry = classes.setdefault(
                key, {"anchor": f"classes-{len(classes) + 1}", "field": f, "datasets": []}
            )
            entry["datasets"].append(ds.name)
            f["crossroads:classes_anchor"] = entry["anchor"]
        view.append(
            {
                "name": ds.name,
                "label": ds.label,
                "unit": ds.unit,
                "rows": ds.table.num_rows,
                "paths": [r["path"] for r in resources],
                "fields": fields,
            }
        )
    return view, list(classes.values())


def write(
    root: Path,
    info: DeliveryInfo,
    datasets: list[Dataset],
    files: Mapping[str, Mapping[str, Any]],
    formats: tuple[str, ...],
) -> list[str]:
    """Write ``datapackage.json``, ``codebook.html`` and ``codebook.md`` into ``root``; return their paths."""
    pkg = descriptor(info, datasets, files, formats)
    (root / "datapackage.json").write_text(json.dumps(pkg, indent=2, ensure_ascii=False), encoding="utf-8")
    view, classes = _view(json.loads(json.dumps(pkg)), datasets)  # a copy: the view adds anchors
    (root / "codebook.html").write_text(
        _HTML.render(pkg=pkg, info=info, datasets=view, classes=classes), encoding="utf-8"
    )
    (root / "codebook.md").write_text(
        _MD.render(pkg=pkg, info=info, datasets=view, classes=classes), encoding="utf-8"
    )
    return ["datapackage.json", "codebook.html", "codebook.md"]
