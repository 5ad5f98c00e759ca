"""The delivery check: assess_delivery, the HTML report and the ``crossroads disclosure report`` command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from crossroads.cli.disclosure import app
from crossroads.disclosure import (
    DisclosureInputError,
    Hierarchy,
    Threshold,
    assess_delivery,
    build_table,
    protect,
    protect_delivery,
)

SETTINGS = {
    "min_cell": 5,
    "quasi_identifiers": ["municipality", "sex", "age_class"],
    "sensitive": ["sep"],
    "geographic_fallback": ["municipality", "werkwinkel", "arrondissement"],
}


def geography() -> Hierarchy:
    frame = pd.DataFrame(
        {
            "municipality": ["A1", "A2", "A3", "A4", "B1", "B2"],
            "werkwinkel": ["W1", "W1", "W1", "W2", "W3", "W3"],
            "arrondissement": ["X", "X", "X", "X", "Y", "Y"],
            "province": ["P"] * 6,
            "region": ["R"] * 6,
        }
    )
    return Hierarchy.from_frame(frame, name="geography")


def workers(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "person_seq": np.arange(900_001, 900_001 + n),
            "municipality": rng.choice(
                ["A1", "A2", "A3", "A4", "B1", "B2"], n, p=[0.5, 0.2, 0.1, 0.05, 0.1, 0.05]
            ),
            "sex": rng.integers(1, 3, n),
            "age_class": rng.choice(["18-24", "25-34", "35-44", "45-54"], n),
            "sep": rng.integers(0, 4, n),
        }
    )


def test_assess_delivery_applies_the_permits_remedies() -> None:
    tables = {"workers": pa.Table.from_pandas(workers()), "years": pa.table({"year": [2020, 2021]})}
    report = assess_delivery(tables, SETTINGS, geography=geography(), sampling_fraction=0.01)
    by_name = {t.name: t for t in report.tables}
    assert by_name["years"].risk is None and "not assessed" in by_name["years"].notes[0]
    w = by_name["workers"]
    assert w.risk is not None and w.risk.k < 5
    assert next(r.remedy for r in w.remedies) == "geographic fallback"
    assert w.final is not None and w.final.k >= 5
    assert report.passed
    doc = report.to_dict()
    json.dumps(doc)  # serialisable as the delivery's report.json
    assert doc["settings"]["quasi_identifiers"] == SETTINGS["quasi_identifiers"]
    assert report.summary_line().startswith("PASS")


def test_protect_delivery_returns_k_anonymous_tables() -> None:
    out, _report = protect_delivery({"workers": workers()}, SETTINGS, geography=geography())
    protected = out["workers"]
    assert {"werkwinkel", "arrondissement", "geo_level"} <= set(protected.columns)
    geo = protected[["municipality", "werkwinkel", "arrondissement"]].astype(str).agg("|".join, axis=1)
    sizes = pd.DataFrame(
        {"g": geo, "s": protected["sex"].astype(str), "a": protected["age_class"].astype(str)}
    )
    assert sizes.groupby(["g", "s", "a"]).size().min() >= 5


def test_html_report_has_figures_and_no_record_numbers(tmp_path: Path) -> None:
    data = workers()
    report = assess_delivery({"workers": data}, SETTINGS, geography=geography())
    path = tmp_path / "report.html"
    html = report.to_html(path)
    assert path.read_text(encoding="utf-8") == html
    assert "Classes at risk" in html and "geographic fallback" in html
    assert html.count("data:image/png;base64,") == 2  # class sizes and risk distribution
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)
    for seq in data["person_seq"]:  # sequence numbers never appear
        assert str(seq) not in text


def test_report_lists_protected_tables(tmp_path: Path) -> None:
    report = assess_delivery({"workers": workers()}, SETTINGS, geography=geography())
    report.protections["municipality x sex"] = protect(
        build_table(workers(), ["municipality", "sex"]), [Threshold(5)]
    )
    html = report.to_html()
    assert "Protected tables" in html and "every primary cell protected" in html


def test_quasi_identifier_in_no_table_is_an_error() -> None:
    message = r"quasi-identifier.*nationality are in none of the tables"
    with pytest.raises(DisclosureInputError, match=message):
        assess_delivery({"workers": workers()}, {**SETTINGS, "quasi_identifiers": ["sex", "nationality"]})
    with pytest.raises(DisclosureInputError, match="holds no tables"):
        assess_delivery({}, SETTINGS)


def test_empty_table_is_an_error() -> None:
    with pytest.raises(DisclosureInputError, match="table 'workers': the table is empty"):
        assess_delivery({"workers": workers().iloc[:0]}, SETTINGS, geography=geography())


def test_cli_report_reads_settings_from_the_manifest(tmp_path: Path) -> None:
    delivery = tmp_path / "21-150_phase1"
    delivery.mkdir()
    workers().drop(columns=["municipality"]).to_parquet(delivery / "workers.parquet")
    (delivery / "manifest.json").write_text(
        json.dumps(
            {
                "disclosure_settings": {
                    "min_cell": 5,
                    "quasi_identifiers": ["sex", "age_class"],
                    "sensitive": ["sep"],
                }
            }
        )
    )
    result = CliRunner().invoke(app, ["report", str(delivery)])
    assert result.exit_code == 0, result.output
    assert "report written to" in result.output
    assert (delivery / "disclosure-report.html").is_file()


def test_cli_report_options_and_errors(tmp_path: Path) -> None:
    delivery = tmp_path / "d"
    delivery.mkdir()
    workers().to_parquet(delivery / "workers.parquet")
    out = tmp_path / "r.html"
    result = CliRunner().invoke(
        app, ["report", str(delivery), "--qi", "sex", "--qi", "age_class", "--k", "3", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "target 3" in result.output and out.is_file()
    result = CliRunner().invoke(app, ["report", str(delivery), "--qi", "zip"])
    assert result.exit_code == 2
    assert "zip" in result.output
    result = CliRunner().invoke(app, ["report", str(delivery)])
    assert result.exit_code != 0 and "no quasi-identifiers" in result.output
