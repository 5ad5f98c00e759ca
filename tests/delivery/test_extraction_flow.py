"""The orchestration of one extract with a stand-in engine and risk report (hand-made tables).

The real permit file, governance store and pseudonyms run; the engine and disclosure are replaced by
fakes through the seams of ``crossroads.extraction``, so the flow is tested whatever they compute.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossroads import extraction
from crossroads.delivery import leaks
from crossroads.governance import Store
from crossroads.warehouse.storage import Warehouse

from .samples import ENTERPRISE, INSZ_1985, INSZ_2000

PERMIT_FILE = Path(__file__).resolve().parents[2] / "examples" / "permits" / "21-150.yaml"
TODAY = date(2026, 11, 22)
INSIDE = date(2022, 6, 30)
NAMES = ("workers_timeseries", "workers_inflow", "workers_outflow", "users_timeseries")
PROTECT_RISK = extraction.protect_risk  # the real one; the ``seams`` fixture replaces it by a stand-in


@dataclass
class FakeExtract:
    datasets: dict[str, pa.Table]
    identifier_columns: dict[str, dict[str, str]]
    population_counts: dict[str, int] = field(default_factory=lambda: {"workers_issuer": 2, "users": 1})
    match_reports: dict[str, dict[str, int]] = field(
        default_factory=lambda: {"issuer_orders": {"rows": 3, "matched": 2, "not_found": 1, "duplicates": 0}}
    )
    sample: dict[str, Any] = field(default_factory=lambda: {"seed": 3, "draws": {}})
    overlap: pa.Table = field(
        default_factory=lambda: pa.table(
            {"year": [2020, 2021], "in_workers_issuer": [1, 1], "persons": [12, 3]}
        )
    )


class FakeRisk:
    def to_html(self, path: Path) -> None:
        path.write_text("<html><body>risk</body></html>", encoding="utf-8")

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": "AT RISK: stand-in",
            "tables": [
                {
                    "name": "workers_timeseries",
                    "records": 3,
                    "remedies": [{"after": {"k": 5}}],
                    "risk": {"k": 1, "sample_uniques": 2, "prosecutor": {"maximum": 1.0}},
                }
            ],
        }


def _worker_table() -> pa.Table:
    return pa.table(
        {
            "insz": [INSZ_1985, INSZ_1985, INSZ_2000],
            "year": pa.array([2020, 2020, 2020], pa.int32()),
            "quarter": pa.array([20201, 20202, 20201], pa.int32()),
            "in_workers_issuer": pa.array([1, 1, 0], pa.int8()),
            "enterprise_number": [ENTERPRISE, None, ENTERPRISE],
            "sex": ["2", "2", "1"],
        }
    )


def _fake_engine(extra: dict[str, pa.Array] | None = None) -> Any:
    def run_engine(version: Any, warehouse: Any, **kw: Any) -> FakeExtract:
        tables = {}
        ids = {}
        for name in NAMES:
            t = (
                _worker_table()
                if name.startswith("workers")
                else pa.table({"insz": [INSZ_2000], "year": pa.array([2020], pa.int32()), "sex": ["1"]})
            )
            for column, values in (extra or {}).items():
                t = t.append_column(column, values if len(values) == t.num_rows else values[: t.num_rows])
            tables[name] = t
            ids[name] = {"insz": "person"}
            if name.startswith("workers"):
                ids[name]["enterprise_number"] = "employer"
        return FakeExtract(tables, ids)

    return run_engine


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    from crossroads.cli.governance import registration_from_file

    with Store(home=tmp_path_factory.mktemp("governance")) as s:
        s.register_permit(registration_from_file(PERMIT_FILE))
        yield s


@pytest.fixture
def seams(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setattr(extraction, "run_engine", _fake_engine())
    monkeypatch.setattr(
        extraction, "protect_risk", lambda tables, settings, title="": (dict(tables), FakeRisk())
    )
    monkeypatch.setattr(
        extraction,
        "warehouse_identifiers",
        lambda wh: leaks.Identifiers(insz=[INSZ_1985, INSZ_2000], enterprise=[ENTERPRISE]),
    )
    wh = tmp_path / "wh"
    wh.mkdir()
    Warehouse(wh).write_manifest({"synthetic": True, "scale": 0.001, "tables": {}})
    return wh


def _run(store: Store, wh: Path, out: Path) -> extraction.ExtractResult:
    request = extraction.ExtractRequest(
        permit_file=PERMIT_FILE, warehouse=wh, out=out, as_of=INSIDE, seed=3, actor="tester"
    )
    return extraction.run(request, store=store, today=TODAY)


def test_flow_pseudonymises_labels_publishes_audits(store: Store, seams: Path, tmp_path: Path) -> None:
    steps: list[str] = []
    request = extraction.ExtractRequest(
        permit_file=PERMIT_FILE, warehouse=seams, out=tmp_path / "out", as_of=INSIDE, seed=3, actor="tester"
    )
    result = extraction.run(request, store=store, today=TODAY, step=steps.append)
    assert result.simulation is True and result.as_of == INSIDE and result.version == 1
    assert result.rows == {
        "workers_timeseries": 3,
        "workers_inflow": 3,
        "workers_outflow": 3,
        "users_timeseries": 1,
    }
    workers = pq.read_table(result.path / "parquet/workers_timeseries.parquet")
    assert workers.column_names == [
        "person_seq",
        "year",
        "quarter",
        "in_workers_issuer",
        "employer_seq",
        "sex",
    ]
    seqs = workers.column("person_seq").to_pylist()
    assert seqs[0] == seqs[1] != seqs[2]  # the same person keeps one number
    assert workers.column("employer_seq").null_count == 1
    users = pq.read_table(result.path / "parquet/users_timeseries.parquet")
    assert users.column("person_seq")[0].as_py() == seqs[2]  # one conversion table per permit
    pkg = json.loads((result.path / "datapackage.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for f in pkg["resources"][0]["schema"]["fields"]}
    assert fields["in_workers_issuer"]["title"].startswith("behoort tot: Dienstenchequewerknemers volgens de")
    assert fields["sex"]["crossroads:sources"]  # from the catalog
    assert fields["person_seq"]["crossroads:unit"] == "person"
    overlap = json.loads((result.path / "reports/worker_sources_overlap.json").read_text(encoding="utf-8"))
    # 12 persons shown; 3 < min_cell 5 is blanked
    assert [r["persons"] for r in overlap["rows"]] == [12, None] and overlap["suppressed_cells"] == 1
    assert steps[0].startswith("building the datasets of permit 21/150 version 1")
    event = [e for e in store.audit.events(last=50, permit="21/150") if e["action"] == "extract"][-1]
    assert event["detail"]["delivery"] == result.path.name and event["counts"]["rows_users_timeseries"] == 1
    assert result.path.resolve() in {Path(d.path) for d in store.stored_data("21/150")}


def test_an_identifier_the_engine_forgot_to_declare_stops_the_delivery(
    store: Store, seams: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an integer column holding an INSZ: pseudonyms only checks strings, the leak gate finds it
    leak = pa.array([1, int(INSZ_1985), 2], pa.int64())
    monkeypatch.setattr(extraction, "run_engine", _fake_engine({"note": leak}))
    with pytest.raises(leaks.IdentifierLeak, match="insz number"):
        _run(store, seams, tmp_path / "out")
    assert not any((tmp_path / "out").iterdir())


def test_no_delivery_survives_a_failed_audit(
    store: Store, seams: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_append = store.audit.append

    def failing_append(actor: str, action: str, **kw: Any) -> int:
        if action == "extract":
            raise OSError("audit database unavailable (injected)")
        return real_append(actor, action, **kw)

    monkeypatch.setattr(store.audit, "append", failing_append)
    with pytest.raises(OSError, match="injected"):
        _run(store, seams, tmp_path / "out")
    assert not any((tmp_path / "out").iterdir())


def test_risk_is_assessed_per_person_not_per_quarter_row() -> None:
    settings = SimpleNamespace(quasi_identifiers=["age_class", "sex"], sensitive=["sep"])
    table = pa.table(
        {
            "person_seq": [1, 1, 1, 2, 3],
            "quarter": [20201, 20202, 20211, 20201, 20201],
            "age_class": ["20-24", "20-24", "25-29", "20-24", "20-24"],
            "sex": ["1", "1", "1", "1", None],
            "sep": ["x", "y", "z", "w", None],
        }
    )
    view = extraction.persons_view(extraction._missing_as_class({"t": table}, settings), settings)["t"]
    rows = sorted(view.to_pylist(), key=lambda r: (r["age_class"], r["sex"], r["sep"]))
    # person 1 has two rows in (20-24, 1): one record with its first sep "x"; person 1 again in (25-29, 1);
    # person 2 in (20-24, 1); person 3 with a missing sex, its own class "(ontbrekend)".
    assert rows == [
        {"age_class": "20-24", "sex": "(ontbrekend)", "sep": "(ontbrekend)"},
        {"age_class": "20-24", "sex": "1", "sep": "w"},
        {"age_class": "20-24", "sex": "1", "sep": "x"},
        {"age_class": "25-29", "sex": "1", "sep": "z"},
    ]


def test_a_shredded_key_refuses_the_extract(seams: Path, tmp_path: Path) -> None:
    from crossroads.cli.governance import registration_from_file

    with Store(home=tmp_path / "governance") as own:
        own.register_permit(registration_from_file(PERMIT_FILE))
        own.keys.create_key("21/150")
        own.keys.destroy("21/150")  # crypto-shredding, as a retention run does
        with pytest.raises(extraction.ExtractRefused, match="key was destroyed"):
            _run(own, seams, tmp_path / "out")
        assert [e["action"] for e in own.audit.events(last=5, permit="21/150")][-1] == "extract.refused"
    assert not (tmp_path / "out").exists()


# Six persons on quarter rows; per person and profile the classes on (age_class, sex) are
# (20-24, 1): persons 1, 2 -> 2; (30-34, 1): person 3 -> 1; (35-39, 1): person 4 -> 1; (25-29, 2): 5, 6 -> 2.
# k = 1 (counted per row, (30-34, 1) would look like a class of 3). With target k = 2, local suppression
# takes the most diverse variable first (age_class: 4 values, sex: 2) and blanks it for the two records
# below k (persons 3 and 4): (*, 1) then holds 2 records and every class reaches 2, nothing else changes.
SMALL = SimpleNamespace(
    min_cell=2,
    k=None,
    quasi_identifiers=["age_class", "sex"],
    sensitive=[],
    geographic_fallback=[],
    suppression_limit=None,
)


def _quarters() -> pa.Table:
    return pa.table(
        {
            "person_seq": pa.array([1, 1, 2, 2, 3, 3, 3, 4, 5, 5, 6], pa.int64()),
            "quarter": pa.array(
                [20201, 20202, 20201, 20202, 20201, 20202, 20203, 20201, 20201, 20202, 20201], pa.int32()
            ),
            "age_class": [
                "20-24",
                "20-24",
                "20-24",
                "20-24",
                "30-34",
                "30-34",
                "30-34",
                "35-39",
                "25-29",
                "25-29",
                "25-29",
            ],
            "sex": ["1", "1", "1", "1", "1", "1", "1", "1", "2", "2", "2"],
        }
    )


def test_protection_decided_per_person_is_applied_to_all_their_rows(
    store: Store, seams: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def run_engine(version: Any, warehouse: Any, **kw: Any) -> FakeExtract:
        return FakeExtract({name: _quarters() for name in NAMES}, {})  # already pseudonymised

    monkeypatch.setattr(extraction, "run_engine", run_engine)
    monkeypatch.setattr(
        extraction, "protect_risk", lambda tables, settings, title="": PROTECT_RISK(tables, SMALL, title)
    )
    result = _run(store, seams, tmp_path / "out")
    for name in NAMES:
        delivered = pq.read_table(result.path / f"parquet/{name}.parquet")
        assert delivered.num_rows == 11
        rows = delivered.to_pylist()
        # persons 3 and 4 lost their age class on every one of their rows; nothing else changed
        assert [r["age_class"] for r in rows if r["person_seq"] in (3, 4)] == [None, None, None, None]
        assert [r["age_class"] for r in rows if r["person_seq"] not in (3, 4)] == [
            "20-24",
            "20-24",
            "20-24",
            "20-24",
            "25-29",
            "25-29",
            "25-29",
        ]
        assert delivered.column("sex").to_pylist() == _quarters().column("sex").to_pylist()
        assert delivered.column("quarter").to_pylist() == _quarters().column("quarter").to_pylist()
        # per person: (20-24, 1) 2, (missing, 1) 2 (persons 3, 4), (25-29, 2) 2 -> k = 2
        profiles = delivered.select(["person_seq", "age_class", "sex"]).to_pandas().drop_duplicates()
        assert profiles.groupby(["age_class", "sex"], dropna=False).size().min() == 2
    entry = result.delivery.manifest["disclosure"]
    assert entry["remedies_applied"] is True and entry["protection_rounds"] == 1 and entry["passed"] is True
    figures = entry["tables"]["workers_timeseries"]
    assert figures["k_before"] == 1 and figures["k_delivered"] == 2
    # 4 rows (3 of person 3, 1 of person 4) lost their age class, none their sex
    assert figures["values_blanked"] == {"age_class": 4, "sex": 0}
    [remedy] = figures["remedies"]
    assert remedy["remedy"] == "local suppression" and remedy["round"] == 1
    # 2 of the 6 person records lost 1 of their 2 values: 2 cells suppressed, no record fully suppressed
    assert remedy["information_loss"]["cells_suppressed"] == 2
    assert remedy["information_loss"]["records_suppressed"] == 0
    report = json.loads((result.path / "disclosure/report.json").read_text(encoding="utf-8"))
    assert report["as_delivered"]["passed"] is True
    assert "The files as delivered" in (result.path / "disclosure/report.html").read_text(encoding="utf-8")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 12),
            st.sampled_from(["20-24", "25-29", "30-34", None]),
            st.sampled_from(["1", "2"]),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_protected_rows_keep_their_shape_and_reach_k_per_person(
    rows: list[tuple[int, str | None, str]],
) -> None:
    table = pa.table(
        {
            "person_seq": pa.array([r[0] for r in rows], pa.int64()),
            "row": pa.array(range(len(rows)), pa.int64()),
            "age_class": pa.array([r[1] for r in rows], pa.string()),
            "sex": pa.array([r[2] for r in rows], pa.string()),
        }
    )
    out, risk = PROTECT_RISK({"t": table}, SMALL)
    got = out["t"]
    assert got.num_rows == table.num_rows
    assert got.column("row").equals(table.column("row")) and got.column("person_seq").equals(
        table.column("person_seq")
    )
    for q in ("age_class", "sex"):
        # a value is kept or set to missing, never changed into another value
        assert all(
            a is None or a == b
            for a, b in zip(got.column(q).to_pylist(), table.column(q).to_pylist(), strict=True)
        )
    # one person's rows with one profile are treated alike
    before = table.to_pandas()
    after = got.to_pandas()
    for _, idx in before.groupby(["person_seq", "age_class", "sex"], dropna=False).groups.items():
        assert len(after.loc[idx, ["age_class", "sex"]].astype(object).drop_duplicates()) == 1
    if risk.delivered.passed:
        profiles = after[["person_seq", "age_class", "sex"]].astype(object).drop_duplicates()
        assert profiles.groupby(["age_class", "sex"], dropna=False).size().min() >= 2


def test_a_recoded_profile_is_replaced_in_every_row_of_the_person() -> None:
    # person 7 has two profiles: (20-24, 1) on two rows and (25-29, 1) on one; the (stand-in) protection
    # recodes the first profile's age to "20-29" and suppresses the second's; person 8's row is untouched.
    table = pa.table(
        {
            "person_seq": pa.array([7, 7, 7, 8], pa.int64()),
            "quarter": pa.array([20201, 20202, 20211, 20201], pa.int32()),
            "age_class": ["20-24", "20-24", "25-29", None],
            "sex": pa.array([1, 1, 1, 2], pa.int8()),
        }
    )
    filled = extraction._missing_as_class({"t": table}, SMALL)["t"]
    profiles = extraction.person_profiles(filled, SMALL)
    assert profiles.select(["person_seq", "age_class"]).to_pylist() == [
        {"person_seq": 7, "age_class": "20-24"},
        {"person_seq": 7, "age_class": "25-29"},
        {"person_seq": 8, "age_class": "(ontbrekend)"},
    ]
    protected = pd.DataFrame({"age_class": ["20-29", "*", "(ontbrekend)"], "sex": [1, 1, 2]})
    got = extraction.apply_to_rows(table, filled, profiles, protected, ["age_class", "sex"])
    assert got.column("age_class").to_pylist() == ["20-29", "20-29", None, None]
    assert got.column("sex").type == pa.int8() and got.column("sex").to_pylist() == [1, 1, 1, 2]
    assert got.column("quarter").equals(table.column("quarter"))


def test_a_file_is_pseudonymised_batch_by_batch_with_the_numbers_of_the_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``pseudonymise_file``: the distinct identifiers gathered batch by batch get their numbers in one
    assignment; every row of the rewritten file holds its person's and employer's number; a file without
    rows keeps its columns."""
    from crossroads.pseudonyms import ConversionTable, FileKeyStore
    from crossroads.warehouse.identifiers import enterprise_from_sequence, insz_from_parts

    people = [str(v) for v in insz_from_parts([1980 + i for i in range(7)], [1] * 7, [2] * 7, [11] * 7)]
    employers = [str(v) for v in enterprise_from_sequence([2_000_001, 2_000_002])]
    # 7 persons x 3 quarters, employer of row i: i % 2 (none for person 6), in row groups of 4 rows.
    rows = [(people[p], 20201 + q, employers[p % 2] if p < 6 else None) for p in range(7) for q in range(3)]
    source = tmp_path / "built.parquet"
    table = pa.table(
        {
            "insz": [r[0] for r in rows],
            "quarter": pa.array([r[1] for r in rows], pa.int32()),
            "enterprise_number": pa.array([r[2] for r in rows], pa.string()),
        }
    )
    pq.write_table(table, source, row_group_size=4)
    calls: list[int] = []
    conversion = ConversionTable(
        tmp_path / "conv", "21/128", FileKeyStore(tmp_path / "keys", master_key=b"k" * 32)
    )
    real_assign = conversion.assign

    def assign(values: Any, kind: Any) -> Any:
        calls.append(len(values))
        return real_assign(values, kind)

    monkeypatch.setattr(conversion, "assign", assign)
    monkeypatch.setattr(extraction.StoredRows, "batches", lambda self, rows=None: self._file.iter_batches(5))
    columns = {"insz": "person", "enterprise_number": "employer"}
    out = extraction.pseudonymise_file(source, tmp_path / "out.parquet", columns, conversion).read()
    # First one call per column with its distinct values (7 persons; 2 employers and the null), then one per
    # column and batch of 5 rows (21 rows: 5 batches).
    assert calls[:2] == [7, 3] and len(calls) == 2 + 2 * 5
    assert out.column_names == ["person_seq", "quarter", "employer_seq"]
    got = out.to_pylist()
    assert [r["quarter"] for r in got] == [r[1] for r in rows]
    person_numbers = [r["person_seq"] for r in got]
    assert sorted(set(person_numbers)) == list(range(1, 8))
    for p in range(7):  # each person's three rows carry one number, different from everyone else's
        assert len(set(person_numbers[3 * p : 3 * p + 3])) == 1
    employer_numbers = [r["employer_seq"] for r in got]
    even, odd = {employer_numbers[i] for i in range(0, 18, 6)}, {employer_numbers[i] for i in range(3, 18, 6)}
    assert len(even) == len(odd) == 1 and even | odd == {1, 2}  # persons 0, 2, 4 and 1, 3, 5: two employers
    assert employer_numbers[18:] == [None] * 3
    empty = tmp_path / "empty.parquet"
    pq.write_table(table.slice(0, 0), empty)
    none = extraction.pseudonymise_file(empty, tmp_path / "none.parquet", columns, conversion).read()
    assert none.num_rows == 0 and none.column_names == ["person_seq", "quarter", "employer_seq"]
