"""End to end: permit 21/150, phase 1, from a synthetic warehouse to a published delivery — and refusals.

The refusals need no engine: the permit and the reference date are checked before anything is built.
The delivery test builds a tiny synthetic warehouse and runs the whole chain (engine, pseudonyms,
disclosure, packaging, leak scan, publication, audit).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pyreadstat
import pytest

from crossroads import extraction
from crossroads.delivery import leaks, manifest
from crossroads.engine import parity
from crossroads.governance import Store
from crossroads.permits import load
from crossroads.warehouse.storage import Warehouse

PERMIT_FILE = Path(__file__).resolve().parents[2] / "examples" / "permits" / "21-150.yaml"
TODAY = date(2026, 11, 22)  # 21/150 expired on 1 Sep 2024
INSIDE = date(2022, 6, 30)  # inside its lifetime (in force from 5 Oct 2021)
DATASETS = ("workers_timeseries", "workers_inflow", "workers_outflow", "users_timeseries")
FORMAT_PATHS = ("parquet/{}.parquet", "csv/{}.csv", "stata/{}.dta", "spss/{}.sav")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    from crossroads.cli.governance import registration_from_file

    with Store(home=tmp_path_factory.mktemp("governance")) as s:
        s.register_permit(registration_from_file(PERMIT_FILE))
        yield s


def _manifest_only_warehouse(root: Path, *, synthetic: bool) -> Path:
    Warehouse(root).root.mkdir(parents=True, exist_ok=True)
    Warehouse(root).write_manifest({"synthetic": synthetic, "tables": {}})
    return root


def _request(warehouse: Path, out: Path, **kw: Any) -> extraction.ExtractRequest:
    return extraction.ExtractRequest(
        permit_file=PERMIT_FILE, warehouse=warehouse, out=out, actor="tester", **kw
    )


def _refusals(store: Store) -> list[dict[str, Any]]:
    return [e for e in store.audit.events(last=1000, permit="21/150") if e["action"] == "extract.refused"]


# ----------------------------------------------------------------------------------- refusals
def test_today_is_refused_because_21_150_expired(store: Store, tmp_path: Path) -> None:
    wh = _manifest_only_warehouse(tmp_path / "wh", synthetic=True)
    before = len(_refusals(store))
    with pytest.raises(extraction.ExtractRefused, match=r"21/150.*2024-09-01"):
        extraction.run(_request(wh, tmp_path / "out"), store=store, today=TODAY)
    assert not (tmp_path / "out").exists()
    refusals = _refusals(store)
    assert len(refusals) == before + 1
    assert refusals[-1]["detail"]["as_of"] == "2026-11-22"


def test_today_given_explicitly_is_refused_too(store: Store, tmp_path: Path) -> None:
    wh = _manifest_only_warehouse(tmp_path / "wh", synthetic=False)
    with pytest.raises(extraction.ExtractRefused, match="retention period ended on 2024-09-01"):
        extraction.run(_request(wh, tmp_path / "out", as_of=TODAY), store=store, today=TODAY)


def test_another_date_on_a_real_warehouse_is_refused(store: Store, tmp_path: Path) -> None:
    wh = _manifest_only_warehouse(tmp_path / "wh", synthetic=False)
    with pytest.raises(
        extraction.ExtractRefused,
        match=r"--as-of 2022-06-30 differs from today \(2026-11-22\).*only on a synthetic",
    ):
        extraction.run(_request(wh, tmp_path / "out", as_of=INSIDE), store=store, today=TODAY)
    assert not (tmp_path / "out").exists()
    assert "synthetic" in _refusals(store)[-1]["detail"]["reason"]


def test_a_date_before_the_permit_is_refused(store: Store, tmp_path: Path) -> None:
    wh = _manifest_only_warehouse(tmp_path / "wh", synthetic=True)
    with pytest.raises(extraction.ExtractRefused, match="2021-10-05"):
        extraction.run(_request(wh, tmp_path / "out", as_of=date(2021, 1, 1)), store=store, today=TODAY)


def test_phase_2_never_leaves_as_a_delivery(store: Store, tmp_path: Path) -> None:
    wh = _manifest_only_warehouse(tmp_path / "wh", synthetic=True)
    with pytest.raises(extraction.ExtractRefused, match=r"phase 2 .* enclave"):
        extraction.run(_request(wh, tmp_path / "out", as_of=INSIDE, phase=2), store=store, today=TODAY)


def test_an_unregistered_permit_is_refused(tmp_path: Path) -> None:
    wh = _manifest_only_warehouse(tmp_path / "wh", synthetic=True)
    with (
        Store(home=tmp_path / "empty-governance") as empty,
        pytest.raises(extraction.ExtractRefused, match=r"not registered.*crossroads permit register"),
    ):
        extraction.run(_request(wh, tmp_path / "out", as_of=INSIDE), store=empty, today=TODAY)


def test_reference_date_rule() -> None:
    class FakeWarehouse:
        root = Path("wh")
        is_synthetic = False

    # today (explicit or default) is never a simulation, even on a real warehouse
    assert extraction.check_reference_date(None, TODAY, FakeWarehouse()) == (TODAY, False)
    assert extraction.check_reference_date(TODAY, TODAY, FakeWarehouse()) == (TODAY, False)
    FakeWarehouse.is_synthetic = True
    assert extraction.check_reference_date(INSIDE, TODAY, FakeWarehouse()) == (INSIDE, True)


# ----------------------------------------------------------------------------------- the delivery
@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    from crossroads.warehouse.synthetic import build

    # scale 0.001: about 15,000 persons; small enough for a test, with voucher workers and users
    return build(tmp_path_factory.mktemp("wh") / "warehouse", scale=0.001, seed=7)


@pytest.fixture(scope="module")
def delivered(store: Store, warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("deliveries")
    request = _request(warehouse.root, out, as_of=INSIDE, seed=11)
    try:
        return extraction.run(request, store=store, today=TODAY)
    except extraction.PartNotReady as exc:  # pragma: no cover - only while a part is missing
        pytest.skip(f"part not ready: {exc}")


def test_the_four_files_in_four_formats(delivered: Any) -> None:
    root: Path = delivered.path
    assert root.name.startswith("21-150-v1-phase1-") and len(root.name.split("-")[-1]) == 8
    for name in DATASETS:
        rows = delivered.delivery.manifest["datasets"][name]["rows"]
        parquet = pq.read_table(root / f"parquet/{name}.parquet")
        assert parquet.num_rows == rows == delivered.rows[name]
        csv_lines = (root / f"csv/{name}.csv").read_text(encoding="utf-8").count("\n")
        assert csv_lines == rows + 1  # header
        for fmt, reader in (("stata/{}.dta", pyreadstat.read_dta), ("spss/{}.sav", pyreadstat.read_sav)):
            df, meta = reader(str(root / fmt.format(name)))
            assert len(df) == rows and list(df.columns) == parquet.column_names
            assert meta.variable_value_labels.get("sex"), f"{fmt.format(name)}: sex has no value labels"
        assert "person_seq" in parquet.column_names
        assert not {"insz", "enterprise_number"} & set(parquet.column_names)


def test_codebook_describes_every_column(delivered: Any) -> None:
    root: Path = delivered.path
    pkg = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    assert len(pkg["resources"]) == len(DATASETS) * 4
    html = (root / "codebook.html").read_text(encoding="utf-8")
    permit = load(PERMIT_FILE)
    version = permit.version_in_force(INSIDE)
    for resource in (r for r in pkg["resources"] if "schema" in r):  # one schema per dataset
        for f in resource["schema"]["fields"]:
            assert f["title"] and f.get("description") != "not described in the catalog", f["name"]
            assert f"<code>{f['name']}</code>" in html
    requested = {v.column_name for d in version.datasets for v in d.variables}
    described = {f["name"] for r in pkg["resources"] if "schema" in r for f in r["schema"]["fields"]}
    assert requested <= described


def test_manifest_records_the_simulation_and_verifies(delivered: Any) -> None:
    root: Path = delivered.path
    doc = manifest.read(root)
    assert manifest.verify(root) == []
    assert doc["permit"]["number"] == "21/150" and doc["permit"]["version"] == 1
    assert doc["phase"] == 1 and doc["seed"] == 11
    assert doc["run"]["as_of"] == "2022-06-30" and doc["run"]["simulation"] is True
    assert doc["warehouse"]["synthetic"] is True
    assert {"python", "crossroads", "pyarrow", "duckdb", "pyreadstat"} <= set(doc["software"])
    listed = {e["path"] for e in doc["files"]}
    for name in DATASETS:
        assert {p.format(name) for p in FORMAT_PATHS} <= listed
    assert {"datapackage.json", "codebook.html", "codebook.md", "disclosure/report.html"} <= listed


def test_sample_sizes(delivered: Any) -> None:
    root: Path = delivered.path
    population = json.loads((root / "reports/population.json").read_text(encoding="utf-8"))
    draws = population["sample"]["draws"]
    assert population["sample"]["seed"] == 11
    assert draws["workers"]["requested"] == 1000 and draws["users"]["requested"] == 1000
    for draw in draws.values():
        assert draw["drawn"] == min(draw["requested"], draw["population"])
        assert draw["drawn"] > 0

    def persons(name: str) -> set[int]:
        return set(
            pq.read_table(root / f"parquet/{name}.parquet", columns=["person_seq"])
            .column("person_seq")
            .to_pylist()
        )

    # a sampled person keeps all their years: every drawn worker appears in the time series
    workers = persons("workers_timeseries")
    assert len(workers) == draws["workers"]["drawn"]
    assert persons("workers_inflow") <= workers and persons("workers_outflow") <= workers
    assert len(persons("users_timeseries")) == draws["users"]["drawn"]


def test_disclosure_report_is_present(delivered: Any) -> None:
    root: Path = delivered.path
    assert delivered.delivery.manifest["disclosure"]["report"] == "disclosure/report.html"
    html = (root / "disclosure/report.html").read_text(encoding="utf-8")
    assert "<html" in html.lower()
    assert json.loads((root / "disclosure/report.json").read_text(encoding="utf-8"))


def test_no_insz_or_enterprise_number_of_the_warehouse_anywhere(delivered: Any, warehouse: Warehouse) -> None:
    person = warehouse.read("person", columns=["insz", "father_insz", "mother_insz"])
    insz = {v for c in person.columns for v in c.to_pylist() if v}
    enterprise = {
        v
        for v in warehouse.read("employer", columns=["enterprise_number"])
        .column("enterprise_number")
        .to_pylist()
        if v
    }
    ids = leaks.Identifiers(insz=insz, enterprise=enterprise)
    assert ids.counts() == {"insz": len(insz), "enterprise": len(enterprise)} and len(insz) > 1000
    report = leaks.scan(delivered.path, ids)
    assert report.clean, [str(f) for f in report.findings]
    assert report.files == len(delivered.delivery.manifest["files"]) + 1

    # positive control: the same scan finds one real INSZ planted into a copy of a delivered file
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "workers_timeseries.csv"
        shutil.copy(delivered.path / "csv/workers_timeseries.csv", copy)
        with copy.open("a", encoding="utf-8") as fh:
            fh.write(sorted(insz)[0] + "\n")
        assert not leaks.scan(copy, ids).clean


def test_extract_is_audited_and_registered_for_retention(delivered: Any, store: Store) -> None:
    events = [e for e in store.audit.events(last=1000, permit="21/150") if e["action"] == "extract"]
    assert events, "no extract event in the audit trail"
    last = events[-1]
    assert last["version"] == 1
    assert last["detail"]["delivery"] == delivered.path.name
    assert last["detail"]["simulation"] is True and last["detail"]["as_of"] == "2022-06-30"
    assert last["counts"]["rows_workers_timeseries"] == delivered.rows["workers_timeseries"]
    assert store.audit.verify().ok
    paths = {Path(d.path) for d in store.stored_data("21/150")}
    assert delivered.path.resolve() in paths


def test_delivered_files_reach_the_permits_k_per_person(delivered: Any) -> None:
    """Recomputed here, independently of crossroads.disclosure: one record per person and profile."""
    root: Path = delivered.path
    settings = load(PERMIT_FILE).version_in_force(INSIDE).disclosure
    k = settings.k or settings.min_cell
    assert k == 5  # 21/150 sets min_cell 5 and no k
    entry = delivered.delivery.manifest["disclosure"]
    assert entry["remedies_applied"] is True and entry["target_k"] == 5
    assert entry["report"] == "disclosure/report.html"
    suppressed_somewhere = False
    for name in DATASETS:
        frame = pq.read_table(root / f"parquet/{name}.parquet").to_pandas()
        qis = [q for q in settings.quasi_identifiers if q in frame.columns]
        assert qis, name
        # a person's quarter rows with one profile are one record; a missing value is a class of its own
        profiles = frame[["person_seq", *qis]].astype(object).drop_duplicates()
        sizes = profiles.groupby(qis, dropna=False, observed=True).size()
        assert sizes.min() >= k, f"{name}: a class of {sizes.min()} person profile(s) is delivered"
        figures = entry["tables"][name]
        assert figures["k_delivered"] >= k
        if figures["k_before"] < k:  # the report's remedy was applied, with its information loss
            suppressed_somewhere = True
            assert [r["remedy"] for r in figures["remedies"]][-1] == "local suppression"
            assert figures["remedies"][-1]["information_loss"]
    assert suppressed_somewhere, "21/150 at this scale has small classes: the test would prove nothing"
    report = json.loads((root / "disclosure/report.json").read_text(encoding="utf-8"))
    assert report["remedies_applied"] is True and report["as_delivered"]["passed"] is True


# ----------------------------------------------------------------------------------- phase 2 workspace
def test_the_phase_2_workspace_is_streamed_in_slices_like_one_pass_in_memory(
    store: Store, warehouse: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Full populations go through files: built 300 persons at a time, pseudonymised batch by batch,
    written in Parquet and CSV; the same rows as one pass, and as the engine's in-memory tables replaced
    with the permit's conversion table. The private folder that held identifiers is gone afterwards."""
    import tempfile

    from crossroads import engine

    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    runs = {}
    for slices in (300, 0):
        request = _request(
            warehouse.root, tmp_path / f"out-{slices}", as_of=INSIDE, seed=3, phase=2, enclave=True,
            formats=extraction.WORKSPACE_FORMATS, slice_persons=slices,
        )  # fmt: skip
        runs[slices] = extraction.run(request, store=store, today=TODAY)
    assert list(private.iterdir()) == []
    sliced, whole = runs[300], runs[0]
    assert sliced.delivery.manifest["enclave"]["slices"] >= 2
    assert whole.delivery.manifest["enclave"]["slices"] == 1
    assert sliced.delivery.manifest["formats"] == ["parquet", "csv"]
    assert not (sliced.path / "stata").exists() and not (sliced.path / "spss").exists()

    version = load(PERMIT_FILE).version_in_force(INSIDE)
    built = engine.extract(version, warehouse, phase=2, seed=3, as_of=INSIDE)
    in_memory = extraction.pseudonymise(
        built.datasets, built.identifier_columns, extraction.conversion_table(store, "21/150")
    )
    for name in DATASETS:
        files = pq.read_table(sliced.path / f"parquet/{name}.parquet")
        assert files.num_rows == sliced.rows[name] > 0
        one_pass = pq.read_table(whole.path / f"parquet/{name}.parquet")
        # The same rows (each run orders its persons at random, slice after slice).
        assert parity.diff_tables(one_pass, in_memory[name]) == [], name
        assert parity.diff_tables(files, one_pass) == [], name
        assert "person_seq" in files.column_names and "insz" not in files.column_names
        lines = (sliced.path / f"csv/{name}.csv").read_text(encoding="utf-8").count("\n")
        assert lines == files.num_rows + 1
    assert leaks.scan(sliced.path, extraction.warehouse_identifiers(warehouse)).clean
    assert manifest.verify(sliced.path) == []
