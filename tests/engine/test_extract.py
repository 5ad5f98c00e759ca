"""A 21/150-shaped permit version run end to end on the tiny warehouse (S000-2, S000-3, S000-4).

The version is a light stand-in with the attributes of ``crossroads.permits.PermitVersion`` that the
engine reads, so these tests do not depend on the permit file's wording.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace as NS
from typing import Any

import pyarrow as pa
import pytest
import tiny_warehouse as tw

from crossroads import engine
from crossroads.engine import parity
from crossroads.warehouse.storage import Warehouse

P = tw.P
REGION = {"domicile_region": "02000"}
Y2020 = NS(first=2020, last=2020)


def _var(name: str, after: bool = False, condition: str | None = None, column: str | None = None) -> Any:
    """A variable request of a dataset (the attributes of a permit's variable request the engine reads)."""
    return NS(
        name=name,
        options={"scheme": None},
        after_outflow=after,
        condition=condition,
        column_name=column or name,
    )


def _version(sizes: tuple[int, int] = (1000, 1000)) -> Any:
    groups = [
        NS(
            name="workers_issuer",
            rule="voucher_workers_issuer",
            params=REGION,
            years=Y2020,
            sample="workers",
            sample_size=sizes[0],
        ),
        NS(
            name="workers_network",
            rule="voucher_workers_network",
            params=REGION,
            years=Y2020,
            sample="workers",
            sample_size=sizes[0],
        ),
        NS(name="users", rule="voucher_users", params=REGION, years=Y2020, sample=None, sample_size=sizes[1]),
    ]

    var = _var

    def ds(name: str, unit: str, pop: Any, selection: str | None, variables: list[Any]) -> Any:
        return NS(
            name=name,
            unit=unit,
            population=pop,
            populations=pop if isinstance(pop, list) else [pop],
            selection=selection,
            years=Y2020,
            measurement=None,
            window=None,
            reference_date=None,
            variables=variables,
        )

    workers = ["workers_issuer", "workers_network"]
    datasets = [
        ds("workers_timeseries", "person-quarter", workers, None, [var("sex"), var("labour_volume")]),
        ds("workers_inflow", "person-year", workers, "inflow", [var("sep"), var("age_class")]),
        ds(
            "workers_outflow",
            "person-quarter",
            workers,
            "outflow",
            [var("sep", after=True), var("labour_volume")],
        ),
        ds(
            "users_timeseries",
            "person-year",
            "users",
            None,
            [var("vouchers_bought"), var("new_user"), var("voucher_kind")],
        ),
        ds(
            "users_quarters",
            "person-quarter",
            "users",
            None,
            [
                var("working"),
                var("sep", condition="not working"),
                var("labour_volume", condition="working"),
                var("age_class", column="age_at_year_end"),
            ],
        ),
    ]
    inputs = [
        NS(name="issuer_payments", key="insz", table="voucher_worker_payment"),
        NS(name="issuer_orders", key="insz", table="voucher_order"),
    ]
    return NS(
        version=1,
        phases=[1, 2],
        effective=date(2021, 10, 5),
        retention=NS(until=date(2024, 9, 1)),
        target_groups=groups,
        datasets=datasets,
        inputs=inputs,
        sample_draws=lambda: [
            NS(name="workers", groups=workers, size=sizes[0]),
            NS(name="users", groups=["users"], size=sizes[1]),
        ],
    )


_runs: dict[str, Any] = {}


def _phase2(backend: str, wh: Warehouse, spark: Any = None) -> Any:
    """One phase-2 run per backend, shared by every test of this module."""
    if backend not in _runs:
        _runs[backend] = engine.extract(
            _version(), wh, phase=2, seed=1, backend=backend, as_of=date(2022, 1, 1), spark=spark
        )
    return _runs[backend]


@pytest.fixture
def phase2(backend_name: str, tiny_wh: Warehouse, request: pytest.FixtureRequest) -> Any:
    spark = request.getfixturevalue("spark_session") if backend_name == "spark" else None
    return _phase2(backend_name, tiny_wh, spark)


@pytest.mark.spark
def test_spark_extract_equals_duckdb(tiny_wh: Warehouse, spark_session: Any) -> None:
    duck, spark = _phase2("duckdb", tiny_wh), _phase2("spark", tiny_wh, spark_session)
    for name, table in duck.datasets.items():
        # the same rows (each run orders its persons at random)
        assert parity.diff_tables(spark.datasets[name], table) == [], name
    assert spark.overlap.equals(duck.overlap)
    assert spark.match_reports == duck.match_reports
    assert spark.population_counts_by_year == duck.population_counts_by_year


@pytest.fixture
def flattened(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One item per flattening of the DmfA (``jobs._build_occupations``) during the test."""
    from crossroads.catalog import jobs

    calls: list[int] = []
    build = jobs._build_occupations
    monkeypatch.setattr(jobs, "_build_occupations", lambda src: calls.append(1) or build(src))
    return calls


@pytest.mark.parametrize("slice_persons", [None, 2, 1000])
def test_streamed_to_parquet_equals_in_memory(
    phase2: Any,
    backend_name: str,
    tiny_wh: Warehouse,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    flattened: list[int],
    slice_persons: int | None,
) -> None:
    """``write_to``: each dataset streamed to its Parquet file holds the same rows and types; with
    ``slice_persons=2`` built about 2 persons at a time (whole households), too, and the DmfA is flattened
    once for the run
    (``backends.PINNED``), not once per slice."""
    import pyarrow.parquet as pq

    from crossroads.engine import backends

    cut: list[tuple[str, bool]] = []  # (memo key, whether its parts were built by this call)
    part = backends.Engine._part

    def spy(self: Any, key: str, build: Any, *companions: Any) -> Any:
        cut.append((key, (key, self._pass) not in self._pinned))
        return part(self, key, build, *companions)

    monkeypatch.setattr(backends.Engine, "_part", spy)
    spark = request.getfixturevalue("spark_session") if backend_name == "spark" else None
    x = engine.extract(
        _version(), tiny_wh, phase=2, seed=1, backend=backend_name, as_of=date(2022, 1, 1), spark=spark,
        write_to=tmp_path / "out", slice_persons=slice_persons,
    )  # fmt: skip
    assert x.datasets == {} and set(x.files) == set(phase2.datasets)
    for name, table in phase2.datasets.items():
        assert x.files[name] == tmp_path / "out" / f"{name}.parquet"
        # The same rows and types (each run orders its persons at random: ``extract.ORDER_COLUMN``).
        assert parity.diff_tables(pq.read_table(x.files[name]), table) == [], name
    assert x.population_counts == phase2.population_counts and x.overlap.equals(phase2.overlap)
    if slice_persons is None or slice_persons >= 1000:  # everyone in one slice: one pass
        assert x.slices == 1
    else:
        # at least one slice per 2 of the persons delivered (the groups may hold more, in other years): the
        # one household of more than one person (P1, P7, P8, P9) is larger than a slice, cut like the rest
        persons = len(set().union(*(_persons(phase2, ds) for ds in phase2.datasets)))
        assert x.slices >= -(-persons // 2) > 1
        # Each person table read through the scope is cut into its slices' parts once for the run, and
        # every slice reads its part (scanning the warehouse table again per slice grew with the square).
        built = [key for key, first in cut if first]
        assert len(built) == len(set(built)) and "occupations" in built
        if backend_name == "duckdb":  # Spark reads person tables whole (storing is not cheap there)
            assert "members:person" in built
            assert sum(1 for key, _ in cut if key == "members:person") == x.slices
    # In slices the flattening is built a calendar year at a time (``backends.QUARTER_CHUNKED``): the
    # run's quarters, 2019 Q4 to 2021 Q4 (the outflow file reads the year after 2020), span three years.
    assert x.run_quarters == (20194, 20214)
    assert len(flattened) == (1 if x.slices == 1 else 3)


def test_shared_blocks_built_once_per_pass_of_slices(
    phase2: Any,
    backend_name: str,
    tiny_wh: Warehouse,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    flattened: list[int],
) -> None:
    """With passes of two slices (``pass_persons=4``, 2 persons per slice) the DmfA is flattened once per
    pass, for that pass's persons only, and the files are still the one-pass tables."""
    import pyarrow.parquet as pq

    spark = request.getfixturevalue("spark_session") if backend_name == "spark" else None
    x = engine.extract(
        _version(), tiny_wh, phase=2, seed=1, backend=backend_name, as_of=date(2022, 1, 1), spark=spark,
        write_to=tmp_path / "out", slice_persons=2, pass_persons=4,
    )  # fmt: skip
    for name, table in phase2.datasets.items():
        assert parity.diff_tables(pq.read_table(x.files[name]), table) == [], name
    assert x.slices >= 3
    assert x.passes == -(-x.slices // 2) >= 2
    assert len(flattened) == 3 * x.passes  # once per pass and calendar year of the run's quarters


def test_quarter_chunks_are_calendar_years() -> None:
    from crossroads.engine import backends

    assert backends._years((20194, 20214)) == [(20194, 20194), (20201, 20204), (20211, 20214)]
    assert backends._years((20152, 20153)) == [(20152, 20153)]
    assert backends._years(None) == []


def test_staged_joins_give_the_same_tables(
    phase2: Any,
    backend_name: str,
    tiny_wh: Warehouse,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Large frames join their variables in stored steps: forced here (every 2 joins), same tables."""
    import importlib

    extract_module = importlib.import_module("crossroads.engine.extract")

    monkeypatch.setattr(extract_module, "STAGED_ROWS", 0)
    monkeypatch.setattr(extract_module, "JOINS_PER_STEP", 2)
    spark = request.getfixturevalue("spark_session") if backend_name == "spark" else None
    x = engine.extract(
        _version(), tiny_wh, phase=2, seed=1, backend=backend_name, as_of=date(2022, 1, 1), spark=spark
    )
    for name, table in phase2.datasets.items():
        assert parity.diff_tables(x.datasets[name], table) == [], name


def test_slices_are_refused_without_a_file_or_with_counts(tiny_wh: Warehouse, tmp_path: Path) -> None:
    with pytest.raises(engine.EngineError, match="need write_to"):
        engine.extract(_version(), tiny_wh, phase=2, seed=1, as_of=date(2022, 1, 1), slice_persons=2)
    with pytest.raises(engine.EngineError, match="at least 1"):
        engine.extract(
            _version(), tiny_wh, phase=2, seed=1, as_of=date(2022, 1, 1), write_to=tmp_path, slice_persons=0
        )


def test_raw_amounts_and_dates_are_refused_where_the_permit_classes_them(tiny_wh: Warehouse) -> None:
    """The engine obeys the permit's disclosure flags as ``crossroads permit validate`` does: a raw amount
    under ``amounts_in_classes`` (or a raw date under ``dates_as_year_month``) stops the run."""
    version = _version()
    quarters = next(d for d in version.datasets if d.name == "users_quarters")
    raw_wage = NS(
        name="daily_wage_class",
        options={"scheme": None},
        after_outflow=False,
        condition=None,
        column_name="daily_wage_class",
    )
    quarters.variables.append(raw_wage)
    version.disclosure = NS(dates_as_year_month=True, amounts_in_classes=True)
    with pytest.raises(engine.EngineError, match=r"'users_quarters'.*'daily_wage_class'.*amounts in classes"):
        engine.extract(version, tiny_wh, phase=2, seed=1, as_of=date(2022, 1, 1))
    # the amount in its classes, as the catalog defines it, is delivered
    raw_wage.options = {}
    x = engine.extract(version, tiny_wh, phase=2, seed=1, as_of=date(2022, 1, 1))
    assert x.datasets["users_quarters"].column("daily_wage_class").type == pa.string()
    # without the flag the raw amount is allowed
    raw_wage.options = {"scheme": None}
    version.disclosure = NS(dates_as_year_month=False, amounts_in_classes=False)
    x = engine.extract(version, tiny_wh, phase=2, seed=1, as_of=date(2022, 1, 1))
    assert pa.types.is_floating(x.datasets["users_quarters"].column("daily_wage_class").type)


def test_default_class_schemes(tiny_wh: Warehouse) -> None:
    """The catalog's default schemes (crossroads.classes) on hand-known raw values, DuckDB."""
    from crossroads.engine.extract import variables_at

    pts = pa.table({"insz": [P[1], P[2], P[3], P[4]], "ref_quarter": pa.array([20202] * 4, pa.int32())})
    names = ["age_class", "origin_class", "daily_wage_class"]
    with engine.connect(tiny_wh) as e:
        t = variables_at(e, pts, [(n, {}) for n in names])
    rows = {r["insz"]: r for r in t.to_pylist()}
    assert rows[P[1]]["age_class"] == "40-44"  # 40 on 30 Jun 2020
    assert (rows[P[2]]["origin_class"], rows[P[3]]["origin_class"]) == ("BE_UND", "MAGH")
    # Salcla: classes of EUR 1.25; 92.31 lies in [91.25, 92.50) = class 74; 100.00 in [100.00, 101.25) = 81
    assert (rows[P[1]]["daily_wage_class"], rows[P[4]]["daily_wage_class"]) == ("074", "081")


def test_populations_overlap_and_match_report(phase2: Any) -> None:
    # Flemish on 31 Dec 2020: issuer P1, P2 (moved to Antwerp in July), not P3 (abroad); network P1, P4
    assert phase2.population_counts == {"workers_issuer": 2, "workers_network": 2, "users": 2}
    rows = {
        (r["in_workers_issuer"], r["in_workers_network"]): r["persons"] for r in phase2.overlap.to_pylist()
    }
    assert rows == {(1, 1): 1, (1, 0): 1, (0, 1): 1}  # both P1, issuer only P2, network only P4
    # 8 payment rows: P0 is not in the registers, one P2 row repeats its key
    assert phase2.match_reports["issuer_payments"] == {
        "rows": 8,
        "matched": 7,
        "not_found": 1,
        "duplicates": 1,
    }
    assert phase2.match_reports["issuer_orders"] == {"rows": 4, "matched": 4, "not_found": 0, "duplicates": 0}


def test_populations_alone_count_the_same_groups(
    backend_name: str, tiny_wh: Warehouse, request: pytest.FixtureRequest
) -> None:
    spark = request.getfixturevalue("spark_session") if backend_name == "spark" else None
    got = engine.populations(_version(), tiny_wh, backend=backend_name, as_of=date(2022, 1, 1), spark=spark)
    # The same hand-counted groups as the whole run (above): 2 + 2 Flemish workers, 2 users; no dataset.
    assert got.population_counts == {"workers_issuer": 2, "workers_network": 2, "users": 2}
    rows = {(r["in_workers_issuer"], r["in_workers_network"]): r["persons"] for r in got.overlap.to_pylist()}
    assert rows == {(1, 1): 1, (1, 0): 1, (0, 1): 1}
    assert got.match_reports["issuer_payments"]["not_found"] == 1
    assert got.datasets == {} and got.files == {}
    with pytest.raises(engine.EngineError, match="retention ended"):
        engine.populations(_version(), tiny_wh, backend=backend_name, as_of=date(2025, 1, 1), spark=spark)


def test_inflow_measured_in_q4_of_previous_year(phase2: Any) -> None:
    # P1 (network 2019) and P2 (issuer 2019, in Brussels then) were in the system in 2019: only P4 flows in,
    # measured on 31 Dec 2019 (SEP 211, age 23: born 31 Dec 1995 -> 24 only on 31 Dec 2020? 31 Dec 2019 = 24)
    t = phase2.datasets["workers_inflow"].to_pylist()
    assert [(r["insz"], r["year"], r["measure_quarter"], r["sep"]) for r in t] == [(P[4], 2020, 20194, "211")]
    assert t[0]["age_class"] == 24  # 31 Dec 1995 -> 24 on 31 Dec 2019


def test_outflow_with_quarters_after(phase2: Any) -> None:
    # P1 is paid again in 2021 Q1; P2 and P4 leave. Four quarters of 2020 + four after (flagged).
    t = phase2.datasets["workers_outflow"].to_pylist()
    assert sorted({r["insz"] for r in t}) == [P[2], P[4]]
    p4 = {r["quarter"]: r for r in t if r["insz"] == P[4]}
    assert sorted(p4) == [20201, 20202, 20203, 20204, 20211, 20212, 20213, 20214]
    assert p4[20211]["after_outflow"] == 1 and p4[20211]["sep"] == "371"  # sep flagged after_outflow
    assert p4[20202]["labour_volume"] == pytest.approx(0.6154)
    assert all(p4[q]["labour_volume"] is None for q in (20211, 20212))  # not flagged -> blank after


def test_users(phase2: Any) -> None:
    t = {r["insz"]: r for r in phase2.datasets["users_timeseries"].to_pylist()}
    assert (t[P[5]]["vouchers_bought"], t[P[5]]["new_user"], t[P[5]]["voucher_kind"]) == (30, "1", "PE")
    assert (t[P[6]]["vouchers_bought"], t[P[6]]["new_user"], t[P[6]]["voucher_kind"]) == (7, "0", "E")
    assert phase2.identifier_columns["users_timeseries"] == {"insz": "person"}
    assert phase2.identifier_columns["workers_timeseries"] == {
        "insz": "person",
        "enterprise_number": "employer",
    }


def _persons(x: Any, ds: str) -> set[str]:
    return set(x.datasets[ds].column("insz").to_pylist())


def test_sample_invariants(tiny_wh: Warehouse) -> None:
    full = engine.extract(_version(), tiny_wh, phase=2, seed=7)
    a = engine.extract(_version((2, 1)), tiny_wh, phase=1, seed=7)
    b = engine.extract(_version((2, 1)), tiny_wh, phase=1, seed=7)
    assert a.sample["seed"] == 7
    assert a.sample["draws"]["workers"]["drawn"] == 2 and a.sample["draws"]["workers"]["population"] == 3
    assert len(_persons(a, "users_timeseries")) == 1
    for ds in a.datasets:
        assert parity.diff_tables(a.datasets[ds], b.datasets[ds]) == []  # same seed -> same sample
    # a sampled person keeps every row they have in the full population
    for ds, table in a.datasets.items():
        for person in _persons(a, ds):
            mine = [r for r in full.datasets[ds].to_pylist() if r["insz"] == person]
            assert [r for r in table.to_pylist() if r["insz"] == person] == mine
    samples = {
        frozenset(_persons(engine.extract(_version((1, 1)), tiny_wh, phase=1, seed=s), "users_timeseries"))
        for s in range(8)
    }
    assert len(samples) == 2  # different seeds draw different users (P5 or P6)


def test_refuses_outside_the_permit(tiny_wh: Warehouse) -> None:
    with pytest.raises(engine.EngineError, match="retention ended"):
        engine.extract(_version(), tiny_wh, phase=2, seed=1, as_of=date(2025, 1, 1))
    with pytest.raises(engine.EngineError, match="phase"):
        engine.extract(_version(), tiny_wh, phase=3, seed=1)


def test_conditions_and_renamed_columns(phase2: Any) -> None:
    # 2020 Q4: P5 is a pensioner (SEP 34, not working) -> sep kept; P6 works (111) -> sep blanked.
    rows = {(r["insz"], r["quarter"]): r for r in phase2.datasets["users_quarters"].to_pylist()}
    p5, p6 = rows[(P[5], 20204)], rows[(P[6], 20204)]
    assert (p5["working"], p5["sep"], p5["labour_volume"]) == ("0", "34", None)
    assert (p6["working"], p6["sep"]) == ("1", None)
    assert p5["age_at_year_end"] == 70  # born 3 Mar 1950, measured on 31 Dec 2020
    assert phase2.columns["users_quarters"]["age_at_year_end"] == "age_class"


def test_columns_of_one_block_joined_once(
    backend_name: str, tiny_wh: Warehouse, request: pytest.FixtureRequest
) -> None:
    """Variables computed from one stored block (sep and its additional code; working and the user position)
    are joined to the dataset once, side by side: each keeps its own value, condition and column name, also
    when one variable is asked twice under two names."""
    spark = request.getfixturevalue("spark_session") if backend_name == "spark" else None
    version = _version()
    (users,) = [g for g in version.target_groups if g.name == "users"]
    version.target_groups = [users]
    version.sample_draws = lambda: [NS(name="users", groups=["users"], size=1000)]
    version.inputs = []
    var = _var
    (quarters,) = [d for d in version.datasets if d.name == "users_quarters"]
    quarters.variables = [
        var("working"),
        var("sep"),
        var("sep_additional", condition="not working"),
        var("user_position", column="position"),
        var("sep", column="sep_again"),
    ]
    version.datasets = [quarters]
    x = engine.extract(
        version, tiny_wh, phase=2, seed=1, backend=backend_name, as_of=date(2022, 1, 1), spark=spark
    )
    rows = {(r["insz"], r["quarter"]): r for r in x.datasets["users_quarters"].to_pylist()}
    cols = ["working", "sep", "sep_additional", "position", "sep_again"]
    # 2020 Q4: P5 is a pensioner (SEP 34, additional code P, user position 4); P6 works (111): the additional
    # code is blanked by the condition and a working user has no user position.
    assert [rows[(P[5], 20204)][c] for c in cols] == ["0", "34", "P", "4", "34"]
    assert [rows[(P[6], 20204)][c] for c in cols] == ["1", "111", None, None, "111"]
    assert x.columns["users_quarters"]["sep_again"] == "sep"
