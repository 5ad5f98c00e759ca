"""A whole extract of the tiny units permit: real engine, pseudonyms, disclosure step, packaging, leak scan.

Checks the delivery of the new units (employer_seq in employer, job and person files), the geographic
fallback applied per record (S001-4) with the risk step after it, aggregates with small counts hidden
(S001-6), and the manifest naming the version in force on the run date.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import test_extract_units as tu
import tiny_extract as tx
from test_extract_units import _registries  # noqa: F401  (the test-only variables and rules, autouse)

from crossroads import extraction
from crossroads.delivery import leaks
from crossroads.governance import Store
from crossroads.warehouse.storage import Warehouse

DISCLOSURE = """    disclosure:
      min_cell: 2
      quasi_identifiers: [municipality]
      geographic_fallback: [municipality, werkwinkel, arrondissement]
"""

DATASETS = """
    datasets:
      - name: people
        label: people
        unit: person
        population: [listed, residents]
        reference_date: 2013-12-31
        variables: [{name: group_membership}, {name: t_age}, {name: t_municipality, column: municipality},
                    {name: employer_seq}]
      - name: jobs
        label: jobs
        unit: job-quarter
        population: residents
        reference_date: 2013-12-31
        variables: [{name: employer_seq}, {name: t_job_days}]
      - name: firms
        label: employers
        unit: employer
        population: [all_employers, with_staff]
        reference_date: 2013-12-31
        variables: [{name: employer_seq}, {name: group_membership}, {name: t_emp_tag}]
      - name: by_municipality
        label: persons per municipality
        unit: aggregate
        population: residents
        reference_date: 2013-12-31
        variables: [{name: t_municipality}, {name: person_count}]
"""

AMENDMENT = """
  - version: 2
    extends: 1
    label: amended
    approved: 2015-01-01
    effective: 2015-02-01
    changes: nothing but the date
"""


@pytest.fixture(scope="module")
def permit_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = tu.permit_text(DATASETS).replace("    disclosure: {min_cell: 2}\n", DISCLOSURE) + AMENDMENT
    path = tmp_path_factory.mktemp("permit") / "99-001.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, permit_file: Path) -> Iterator[Store]:
    from crossroads.cli.governance import registration_from_file

    with Store(home=tmp_path_factory.mktemp("governance")) as s:
        s.register_permit(registration_from_file(permit_file))
        yield s


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return tx.build(tmp_path_factory.mktemp("units") / "wh")


@pytest.fixture(scope="module")
def delivered(
    wh: Warehouse, store: Store, permit_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    out = tmp_path_factory.mktemp("out")
    request = extraction.ExtractRequest(
        permit_file=permit_file, warehouse=wh.root, out=out, as_of=date(2016, 6, 30), seed=5, actor="t"
    )
    return extraction.run(request, store=store, today=date(2026, 12, 3))


def _read(result: Any, name: str) -> pa.Table:
    return pq.read_table(result.path / "parquet" / f"{name}.parquet")


def test_manifest_names_the_version_in_force(delivered: Any) -> None:
    manifest = json.loads((delivered.path / "manifest.json").read_text(encoding="utf-8"))
    assert delivered.version == 2  # 30 Jun 2016 is after version 2 took effect (1 Feb 2015)
    assert (
        json.dumps(manifest).count('"permit_version": 2') >= 1
        or manifest.get("permit", {}).get("version") == 2
    )
    assert manifest["datasets"]["jobs"]["unit"] == "job-quarter"
    assert set(manifest["formats"]) == {"parquet", "csv", "dta", "sav"}


def test_employer_seq_replaces_every_enterprise_number(delivered: Any, wh: Warehouse) -> None:
    firms = _read(delivered, "firms")
    assert firms.column_names == ["employer_seq", "in_all_employers", "in_with_staff", "t_emp_tag"]
    jobs = _read(delivered, "jobs")
    assert jobs.column_names == ["person_seq", "employer_seq", "quarter", "t_job_days"]
    people = _read(delivered, "people")
    assert "employer_seq" in people.column_names and "enterprise_number" not in people.column_names
    # one conversion table per permit: E1's number is the same in every file (A1 and A2 work at E1)
    (seq_e1,) = [r["employer_seq"] for r in firms.to_pylist() if r["t_emp_tag"] == "101"]  # E1's tag
    assert jobs.column("employer_seq").to_pylist().count(seq_e1) == 2
    # the leak scan over every delivered byte finds none of the warehouse's INSZ or enterprise numbers
    ids = extraction.warehouse_identifiers(wh)
    assert ids.counts()["enterprise"] == 4
    assert leaks.scan(delivered.path, ids).clean


def test_geographic_fallback_per_record_then_risk(delivered: Any) -> None:
    people = _read(delivered, "people").to_pylist()
    geo = [(r["municipality"], r["municipality_werkwinkel"], r["municipality_arrondissement"],
            r["municipality_level"]) for r in people]  # fmt: skip
    # per person, min_cell 2: 11001 (A1, A2) kept; 11016 (A3), 11009 (A4), 11013 (A5) hold one person each
    # and fall back to their werkwinkel W1102, which holds the three of them -> werkwinkel (with its
    # arrondissement 11000). Every published class then has >= 2 persons: the risk step changes nothing.
    assert sorted(geo, key=str) == sorted(
        [
            ("11001", "W1101", "11000", "municipality"),
            ("11001", "W1101", "11000", "municipality"),
            (None, "W1102", "11000", "werkwinkel"),
            (None, "W1102", "11000", "werkwinkel"),
            (None, "W1102", "11000", "werkwinkel"),
        ],
        key=str,
    )
    pkg = json.loads((delivered.path / "datapackage.json").read_text(encoding="utf-8"))
    people = next(r for r in pkg["resources"] if r["name"] == "people-parquet")
    fields = {f["name"]: f for f in people["schema"]["fields"]}
    assert fields["municipality_werkwinkel"]["title"].startswith("werkwinkel van de municipality")
    assert fields["in_listed"]["title"] == "behoort tot: listed"


def test_aggregate_small_counts_are_a_mere_mention(delivered: Any) -> None:
    # 11001: A1, A2 -> 2 shown; every other municipality holds one resident -> hidden, flagged
    assert _read(delivered, "by_municipality").to_pylist() == [
        {"t_municipality": "11001", "person_count": 2, "below_min_cell": 0},
        {"t_municipality": "11009", "person_count": None, "below_min_cell": 1},
        {"t_municipality": "11013", "person_count": None, "below_min_cell": 1},
        {"t_municipality": "11016", "person_count": None, "below_min_cell": 1},
    ]


def test_fallback_leaves_values_outside_the_hierarchy() -> None:
    settings = type("S", (), {"geographic_fallback": ["municipality", "werkwinkel", "arrondissement"],
                              "min_cell": 2})()  # fmt: skip
    t = pa.table({"person_seq": [1, 1, 2, 3], "municipality": ["11001", "11001", "ABR", None]})
    out = extraction.apply_geographic_fallback(t, settings).to_pylist()
    # person 1 counts once in 11001 (1 < 2) -> last level arrondissement 11000 (kept: nothing coarser);
    # abroad and missing are left as they are, with no level
    assert (
        out[0]
        == out[1]
        == {
            "person_seq": 1,
            "municipality": None,
            "municipality_werkwinkel": None,
            "municipality_arrondissement": "11000",
            "municipality_level": "arrondissement",
        }
    )
    assert out[2]["municipality"] == "ABR" and out[2]["municipality_level"] is None
    assert out[3]["municipality"] is None and out[3]["municipality_level"] is None


def test_phase_2_builds_an_enclave_workspace(
    wh: Warehouse, store: Store, permit_file: Path, tmp_path: Path
) -> None:
    request = extraction.ExtractRequest(
        permit_file=permit_file, warehouse=wh.root, out=tmp_path, as_of=date(2016, 6, 30), seed=5, actor="t",
        phase=2, enclave=True, formats=("parquet",),
    )  # fmt: skip
    result = extraction.run(request, store=store, today=date(2026, 12, 3))
    manifest = result.delivery.manifest
    assert manifest["phase"] == 2 and manifest["enclave"]["workspace"] is True
    people = _read(result, "people")
    # the microdata stay inside: the municipality keeps its value (no fallback, no suppression) ...
    assert sorted(people.column("municipality").to_pylist()) == ["11001", "11001", "11009", "11013", "11016"]
    # ... but aggregates are cut to min_cell already, and no identifier is in any file
    assert _read(result, "by_municipality").column("below_min_cell").to_pylist() == [0, 1, 1, 1]
    assert leaks.scan(result.path, extraction.warehouse_identifiers(wh)).clean
    kinds = {(d.kind, d.phase) for d in store.stored_data("99/001") if Path(d.path) == result.path}
    assert kinds == {("workspace", None)}
    # without --enclave phase 2 is refused, as before
    with pytest.raises(extraction.ExtractRefused, match=r"phase 2 .* enclave"):
        extraction.run(
            extraction.ExtractRequest(permit_file=permit_file, warehouse=wh.root, out=tmp_path, phase=2,
                                      as_of=date(2016, 6, 30)),
            store=store, today=date(2026, 12, 3),
        )  # fmt: skip
