"""The manifest of a delivery: what it is, how it was made, and the sha256 of every file in it.

``manifest.json`` is the last file written into a delivery and lists every other file with its size and
sha256; :func:`verify` recomputes them, so a recipient (or the publisher, just before the rename) can
prove that nothing was changed, added or lost.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from crossroads.delivery.contents import Dataset, DeliveryInfo

MANIFEST = "manifest.json"
FORMAT = "crossroads-delivery/1"
_SOFTWARE = ("crossroads", "pyarrow", "pandas", "numpy", "duckdb", "ibis-framework", "pyspark", "pyreadstat")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def software_versions() -> dict[str, str]:
    """Versions of Python and of the libraries that shape the delivered bytes."""
    versions = {"python": platform.python_version()}
    for dist in _SOFTWARE:
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return versions


def file_entries(root: Path) -> list[dict[str, Any]]:
    """Every file under ``root`` except the manifest itself: posix path, size and sha256, sorted by path."""
    entries = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if rel == MANIFEST:
            continue
        entries.append({"path": rel, "bytes": path.stat().st_size, "sha256": sha256_file(path)})
    return entries


def build(
    root: Path, info: DeliveryInfo, datasets: list[Dataset], *, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The manifest of the delivery being written in ``root`` (all other files must be written already)."""
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "delivery": info.name,
        "permit": {
            "number": info.permit_number,
            "slug": info.permit_slug,
            "version": info.permit_version,
            "version_label": info.version_label,
            "title": info.permit_title,
        },
        "phase": info.phase,
        "run": {
            "id": info.run_id,
            "date": info.run_date.isoformat(timespec="seconds"),
            "as_of": info.as_of.isoformat(),
            "simulation": info.simulation,
        },
        "seed": info.seed,
        "recipient": info.recipient,
        "purpose": info.purpose,
        "software": software_versions(),
        "datasets": {
            ds.name: {
                "label": ds.label,
                "unit": ds.unit,
                "rows": ds.table.num_rows,
                "columns": ds.table.column_names,
            }
            for ds in datasets
        },
        "files": file_entries(root),
    }
    if info.simulation:
        manifest["run"]["note"] = (
            "SIMULATION: reference date differs from the run date; allowed only on a synthetic warehouse"
        )
    for key, value in (extra or {}).items():
        if key in manifest:
            raise ValueError(f"manifest key {key!r} is reserved")
        manifest[key] = value
    return manifest


def write(root: Path, manifest: Mapping[str, Any]) -> None:
    (root / MANIFEST).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )


def read(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    return data


def verify(root: Path) -> list[str]:
    """Problems found comparing ``root`` with its manifest (empty when it is intact).

    Messages name the file and what is wrong: missing, unlisted, size or checksum differs.
    """
    if not (root / MANIFEST).is_file():
        return [f"{root}: no {MANIFEST}"]
    listed = {e["path"]: e for e in read(root).get("files", [])}
    present = {e["path"]: e for e in file_entries(root)}
    problems = [f"{p}: listed in the manifest but missing" for p in sorted(set(listed) - set(present))]
    problems += [f"{p}: present but not listed in the manifest" for p in sorted(set(present) - set(listed))]
    for path in sorted(set(listed) & set(present)):
        if listed[path]["bytes"] != present[path]["bytes"]:
            problems.append(
                f"{path}: size {present[path]['bytes']} differs from the manifest's {listed[path]['bytes']}"
            )
        elif listed[path]["sha256"] != present[path]["sha256"]:
            problems.append(f"{path}: sha256 differs from the manifest")
    return problems
