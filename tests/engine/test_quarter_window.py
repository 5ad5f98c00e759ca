"""The run reads only the quarters of the DmfA and the socio-economic position its datasets need (issue 6:
21/128 at scale 1.0).

``windows.run_quarters`` tells from the permit alone which quarters of those tables a run reads; the
extract then cuts them before flattening the DmfA and storing the scope's positions. Golden spans are
worked out by hand from the permits; the extract with the window must give the same files as without it,
and a window one quarter short (the household work intensity of 2014 reads 2014 Q1) must not.
"""

from __future__ import annotations

import importlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from crossroads import engine, permits
from crossroads.engine import parity, windows
from crossroads.warehouse.storage import Warehouse
from crossroads.warehouse.synthetic.build import build

PERMITS = Path(__file__).resolve().parents[2] / "examples" / "permits"
AS_OF = date(2025, 12, 1)
extract_module = importlib.import_module("crossroads.engine.extract")  # the package exports its function


def _version(slug: str, as_of: date) -> Any:
    return permits.load(PERMITS / f"{slug}.yaml").version_in_force(as_of)


def _span(version: Any) -> tuple[int, int] | None:
    return windows.run_quarters(version, extract_module._group_years(version))


def test_21_128_reads_2014_to_2020() -> None:
    """Rows 2014 Q1 - 2020 Q4 (persons and labour_market, years 2014-2020). The household work intensity is
    yearly, measured in Q4 of each year (2014 Q4 ... 2020 Q4), and reads the four quarters up to it: 2014 Q1
    at the earliest. The education and NARIC files ask no DmfA variable."""
    assert _span(_version("21-128", AS_OF)) == (20141, 20204)


def test_the_span_follows_the_datasets() -> None:
    version = _version("21-128", AS_OF)
    labour = next(d for d in version.datasets if d.name == "labour_market")
    jobs = [v for v in labour.variables if v.name == "jobs_wage_count"]
    intensity = [v for v in labour.variables if v.name == "household_work_intensity"]

    def only(variables: list[Any], **update: Any) -> Any:
        ds = labour.model_copy(update={"variables": variables, **update})
        return version.model_copy(update={"datasets": [ds]})

    # A quarterly variable: the rows' quarters.
    assert _span(only(jobs)) == (20141, 20204)
    # An inflow file of 2015-2016: rows 2015 Q1 - 2016 Q4; yearly variables measured in Q4 of the year
    # before (2014 Q4, 2015 Q4), the work intensity three quarters further back: 2014 Q1.
    years = labour.years.model_copy(update={"first": 2015, "last": 2016})
    assert _span(only(intensity, years=years, selection="inflow")) == (20141, 20164)
    assert _span(only(jobs, years=years, selection="inflow")) == (20151, 20164)
    # One reference date: its quarter.
    assert _span(only(jobs, reference_date=date(2013, 12, 31), unit="job-quarter")) == (20134, 20134)
    # A window of 8 quarters before and 20 after 31 Dec 2008 (15/018's dynamics): 2007 Q1 - 2013 Q4.
    window = permits.Window(reference=date(2008, 12, 31), quarters_before=8, quarters_after=20)
    assert _span(only(jobs, window=window, years=None)) == (20071, 20134)


def test_unbounded_runs_read_every_quarter() -> None:
    """Seniority counts every earlier quarter; records are dated at will; a year option moves the reading."""
    version = _version("21-128", AS_OF)
    labour = next(d for d in version.datasets if d.name == "labour_market")
    request = labour.variables[0].model_copy(update={"name": "job_seniority", "options": {}})
    seniority = labour.model_copy(update={"variables": [*labour.variables, request]})
    assert _span(version.model_copy(update={"datasets": [seniority]})) is None
    education = next(d for d in version.datasets if d.name == "education")
    dated = education.model_copy(update={"variables": [*education.variables, labour.variables[1]]})
    assert _span(version.model_copy(update={"datasets": [dated]})) is None
    # 21/150 asks job and system seniority; 15/018 employer files read the DmfA of their own.
    assert _span(_version("21-150", date(2022, 6, 30))) is None
    assert _span(_version("15-018", date(2016, 6, 30))) is None


@pytest.fixture(scope="module")
def small_wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return build(tmp_path_factory.mktemp("window") / "wh", scale=0.0003, seed=5)


def _extract(version: Any, wh: Warehouse, backend: str, spark: Any, window: bool) -> Any:
    # Phase 2 (every person) on DuckDB; phase 1 on Spark keeps the test short.
    phase = 2 if backend == "duckdb" else 1
    return engine.extract(
        version, wh, phase=phase, seed=1, as_of=AS_OF, backend=backend, spark=spark, quarter_window=window
    )


def test_21_128_with_the_window_equals_every_quarter(
    small_wh: Warehouse, backend_name: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    spark = request.getfixturevalue("spark_session") if backend_name == "spark" else None
    version = _version("21-128", AS_OF)
    cut = _extract(version, small_wh, backend_name, spark, window=True)
    whole = _extract(version, small_wh, backend_name, spark, window=False)
    assert cut.run_quarters == (20141, 20204) and whole.run_quarters is None
    for name, table in whole.datasets.items():
        assert table.num_rows > 0, name
        assert parity.diff_tables(cut.datasets[name], table) == [], name
    # The comparison can fail: a window one quarter short loses 2014 Q1, which the socio-economic position
    # of 2014 Q1 and the household work intensity of 2014 (measured in Q4, over Q1-Q4) read.
    monkeypatch.setattr(windows, "run_quarters", lambda *_: (20142, 20204))
    short = _extract(version, small_wh, backend_name, spark, window=True)
    cut_rows = short.datasets["labour_market"].sort_by([("insz", "ascending"), ("quarter", "ascending")])
    all_rows = whole.datasets["labour_market"].sort_by([("insz", "ascending"), ("quarter", "ascending")])
    assert cut_rows.num_rows == all_rows.num_rows
    quarter = all_rows["quarter"].to_pylist()
    for column, year in (("sep", 20141), ("household_work_intensity", 20144)):
        cut, full = cut_rows[column].to_pylist(), all_rows[column].to_pylist()
        changed = {q for q, a, b in zip(quarter, cut, full, strict=True) if a != b}
        assert year in changed, column
        assert all(q // 10 == 2014 for q in changed), column  # later years read no cut quarter
