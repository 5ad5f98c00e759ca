"""The manifest: what it records, and verification of every file's sha256."""

from __future__ import annotations

from pathlib import Path

from crossroads.delivery import manifest
from crossroads.delivery.contents import Dataset, DeliveryInfo

# sha256("abc"), the FIPS 180-2 test vector
SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def _delivery(root: Path, info: DeliveryInfo, workers: Dataset) -> dict[str, object]:
    (root / "csv").mkdir(parents=True)
    (root / "csv" / "a.csv").write_bytes(b"abc")
    (root / "codebook.md").write_text("# codebook\n")
    doc = manifest.build(root, info, [workers], extra={"population": {"workers": 4}})
    manifest.write(root, doc)
    return doc


def test_manifest_records_permit_run_simulation_seed_rows_and_checksums(
    tmp_path: Path, info: DeliveryInfo, workers: Dataset
) -> None:
    doc = _delivery(tmp_path, info, workers)
    assert doc["delivery"] == "21-150-v1-phase1-20261122-0a1b2c3d"
    assert doc["permit"] == {
        "number": "21/150",
        "slug": "21-150",
        "version": 1,
        "version_label": "origineel",
        "title": "Dienstencheques",
    }
    assert doc["phase"] == 1
    run = doc["run"]
    assert isinstance(run, dict)
    assert run["as_of"] == "2022-06-30" and run["simulation"] is True and "SIMULATION" in run["note"]
    assert run["date"] == "2026-11-22T06:30:00+00:00"
    assert doc["seed"] == 42
    assert doc["datasets"] == {
        "workers_timeseries": {
            "label": "Werknemers, tijdreeks",
            "unit": "person-year",
            "rows": 4,
            "columns": ["person_seq", "year", "sex", "age_class", "wage", "entry_date", "in_service"],
        }
    }
    assert doc["files"] == [
        {"path": "codebook.md", "bytes": 11, "sha256": manifest.sha256_file(tmp_path / "codebook.md")},
        {"path": "csv/a.csv", "bytes": 3, "sha256": SHA256_ABC},
    ]
    software = doc["software"]
    assert isinstance(software, dict) and {"python", "crossroads", "pyarrow", "pyreadstat"} <= set(software)
    assert doc["population"] == {"workers": 4}
    assert manifest.read(tmp_path) == doc


def test_verify_passes_on_an_intact_delivery(tmp_path: Path, info: DeliveryInfo, workers: Dataset) -> None:
    _delivery(tmp_path, info, workers)
    assert manifest.verify(tmp_path) == []


def test_verify_names_changed_missing_and_unlisted_files(
    tmp_path: Path, info: DeliveryInfo, workers: Dataset
) -> None:
    _delivery(tmp_path, info, workers)
    (tmp_path / "csv" / "a.csv").write_bytes(b"abd")  # same size, one byte changed
    (tmp_path / "codebook.md").unlink()
    (tmp_path / "extra.txt").write_text("x")
    assert manifest.verify(tmp_path) == [
        "codebook.md: listed in the manifest but missing",
        "extra.txt: present but not listed in the manifest",
        "csv/a.csv: sha256 differs from the manifest",
    ]
    (tmp_path / "csv" / "a.csv").write_bytes(b"abcd")
    assert "csv/a.csv: size 4 differs from the manifest's 3" in manifest.verify(tmp_path)


def test_verify_without_manifest(tmp_path: Path) -> None:
    assert manifest.verify(tmp_path) == [f"{tmp_path}: no manifest.json"]


def test_delivery_name_follows_the_convention(info: DeliveryInfo) -> None:
    assert info.name == "21-150-v1-phase1-20261122-0a1b2c3d"
