"""Packaging one delivery: data files in every format, disclosure report, codebook, manifest; then publish.

Layout of a delivery (``<permit-slug>-v<version>-phase<phase>-<YYYYMMDD>-<run id>/``)::

    parquet/<dataset>.parquet   csv/<dataset>.csv   stata/<dataset>.dta   spss/<dataset>.sav
    disclosure/report.html      disclosure/report.json      the small-cell risk analysis
    reports/<name>.json         counts only (population sizes, match reports, sample)
    datapackage.json  codebook.html  codebook.md
    manifest.json               written last: lists every other file with its sha256

Everything is written aside and published by one rename after the checksums and the leak scan pass.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from crossroads.delivery import codebook, leaks, manifest
from crossroads.delivery.contents import Dataset, DeliveryError, DeliveryInfo
from crossroads.delivery.formats import FORMATS, write_dataset
from crossroads.delivery.publish import publish

DISCLOSURE_REPORT = "disclosure/report.html"
DISCLOSURE_FIGURES = "disclosure/report.json"


class RiskReport(Protocol):
    """What packaging needs of a disclosure report (``crossroads.disclosure``'s risk report)."""

    def to_html(self, path: Path) -> Any: ...

    def to_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Delivered:
    path: Path
    manifest: dict[str, Any]
    leak_scan: dict[str, Any]


def _json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def make_delivery(
    out: Path,
    info: DeliveryInfo,
    datasets: list[Dataset],
    *,
    identifiers: leaks.Identifiers,
    disclosure: RiskReport | None = None,
    reports: Mapping[str, Any] | None = None,
    formats: tuple[str, ...] = FORMATS,
    manifest_extra: Mapping[str, Any] | None = None,
    step: Callable[[str], None] | None = None,
) -> Delivered:
    """Write and atomically publish the delivery under ``out``; return where it is and its manifest.

    ``identifiers`` are the numbers the leak scan must not find (pass every INSZ and enterprise number of
    the warehouse). ``reports`` are extra JSON documents (``reports/<name>.json``), counts only.
    ``step(description)`` is called before each stage, for a progress display.
    """
    if not datasets:
        raise DeliveryError(f"{info.name}: no datasets to deliver")
    names = [d.name for d in datasets]
    if len(set(names)) != len(names):
        raise DeliveryError(f"{info.name}: dataset names repeat: {names}")
    target = Path(out) / info.name
    tell = step or (lambda _s: None)
    result: dict[str, Any] = {}

    def build(root: Path) -> None:
        for ds in datasets:
            tell(f"writing {ds.name} ({ds.table.num_rows} rows)")
            write_dataset(ds, root, formats)
        disclosure_entry: dict[str, Any] | None = None
        if disclosure is not None:
            tell("writing the disclosure report")
            (root / "disclosure").mkdir(exist_ok=True)
            disclosure.to_html(root / DISCLOSURE_REPORT)
            figures = disclosure.to_dict()
            _json(root / DISCLOSURE_FIGURES, figures)
            disclosure_entry = {"report": DISCLOSURE_REPORT, "figures": DISCLOSURE_FIGURES}
        for name, doc in (reports or {}).items():
            _json(root / "reports" / f"{name}.json", doc)
        tell("writing the codebook")
        files = {e["path"]: e for e in manifest.file_entries(root)}
        codebook.write(root, info, datasets, files, formats)
        extra = dict(manifest_extra or {})
        # the caller may add to the disclosure entry (e.g. the remedies applied and their loss)
        given = extra.get("disclosure")
        if disclosure_entry is not None and isinstance(given, Mapping):
            disclosure_entry = {**disclosure_entry, **given}
        extra["disclosure"] = disclosure_entry
        extra["formats"] = list(formats)
        doc = manifest.build(root, info, datasets, extra=extra)
        manifest.write(root, doc)
        result["manifest"] = doc

    def gate(root: Path) -> None:
        tell("scanning every byte for identifiers")
        report = leaks.scan(root, identifiers)
        result["leak_scan"] = report.to_dict()
        report.raise_if_leaking()

    tell(f"publishing {info.name}")
    path = publish(target, build, gate=gate)
    return Delivered(path, result["manifest"], result["leak_scan"])
