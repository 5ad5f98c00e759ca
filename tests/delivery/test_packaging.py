"""A whole delivery from hand-made tables: layout, manifest, disclosure report, leak gate."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from crossroads.delivery import leaks, manifest
from crossroads.delivery.contents import Dataset, DeliveryError, DeliveryInfo, VariableInfo
from crossroads.delivery.packaging import make_delivery

from .samples import ENTERPRISE, INSZ_1985

IDS = leaks.Identifiers(insz=[INSZ_1985], enterprise=[ENTERPRISE])


class FakeRiskReport:
    """Stands in for ``crossroads.disclosure``'s report (same two methods)."""

    def to_html(self, path: Path) -> None:
        path.write_text("<html><body>k = 3</body></html>")

    def to_dict(self) -> dict[str, Any]:
        return {"k": 3, "sample_uniques": 0}


def test_a_delivery_is_published_with_everything_listed(
    tmp_path: Path, info: DeliveryInfo, workers: Dataset, users: Dataset
) -> None:
    steps: list[str] = []
    done = make_delivery(
        tmp_path,
        info,
        [workers, users],
        identifiers=IDS,
        disclosure=FakeRiskReport(),
        reports={"population": {"workers": 120, "users": 750}},
        step=steps.append,
    )
    assert done.path == tmp_path / "21-150-v1-phase1-20261122-0a1b2c3d"
    files = sorted(p.relative_to(done.path).as_posix() for p in done.path.rglob("*") if p.is_file())
    assert files == sorted(
        [
            "codebook.html",
            "codebook.md",
            "datapackage.json",
            "manifest.json",
            "disclosure/report.html",
            "disclosure/report.json",
            "reports/population.json",
            "csv/users_timeseries.csv",
            "csv/workers_timeseries.csv",
            "parquet/users_timeseries.parquet",
            "parquet/workers_timeseries.parquet",
            "spss/users_timeseries.sav",
            "spss/workers_timeseries.sav",
            "stata/users_timeseries.dta",
            "stata/workers_timeseries.dta",
        ]
    )
    assert manifest.verify(done.path) == []
    assert {e["path"] for e in done.manifest["files"]} == set(files) - {"manifest.json"}
    assert done.manifest["disclosure"] == {
        "report": "disclosure/report.html",
        "figures": "disclosure/report.json",
    }
    assert done.manifest["datasets"]["users_timeseries"]["rows"] == 2
    assert done.leak_scan["occurrences"] == 0 and done.leak_scan["files"] == 15  # the manifest too
    assert steps[-1] == "scanning every byte for identifiers"
    assert [p.name for p in tmp_path.iterdir()] == [done.path.name]


def test_a_leaking_delivery_is_refused_and_leaves_nothing(
    tmp_path: Path, info: DeliveryInfo, workers: Dataset
) -> None:
    bad = Dataset(
        "leaky",
        "Leaky",
        "person",
        pa.table({"note": ["ok", f"INSZ {INSZ_1985}"]}),
        {"note": VariableInfo("note", "opmerking")},
    )
    with pytest.raises(leaks.IdentifierLeak, match=r"leaky\.csv: insz number"):
        make_delivery(tmp_path, info, [workers, bad], identifiers=IDS)
    assert list(tmp_path.iterdir()) == []


def test_two_runs_get_two_directories(tmp_path: Path, info: DeliveryInfo, workers: Dataset) -> None:
    a = make_delivery(tmp_path, info, [workers], identifiers=IDS, formats=("csv",))
    b = make_delivery(
        tmp_path, replace(info, run_id="ffff0000"), [workers], identifiers=IDS, formats=("csv",)
    )
    assert a.path != b.path and a.path.is_dir() and b.path.is_dir()
    assert a.manifest["formats"] == ["csv"]


def test_bad_requests(tmp_path: Path, info: DeliveryInfo, workers: Dataset) -> None:
    with pytest.raises(DeliveryError, match="no datasets"):
        make_delivery(tmp_path, info, [], identifiers=IDS)
    with pytest.raises(DeliveryError, match="dataset names repeat"):
        make_delivery(tmp_path, info, [workers, workers], identifiers=IDS)
    with pytest.raises(DeliveryError, match="run id"):
        replace(info, run_id="../x")
