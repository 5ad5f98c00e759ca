"""Job variables of 15/018 (``catalog/occupations.py``) on both engines, golden values computed by hand.

Points are jobs (person x employer x quarter) of ``tiny_occupations``; raw values (``scheme: null``).
FTE below = ``jobs.occupations``' hours / (reference hours x 13): it picks each job's main occupation.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import tiny_occupations as to

from crossroads import catalog, classes, engine
from crossroads.warehouse.storage import Warehouse

W1, W2, W3, W4 = to.W[1], to.W[2], to.W[3], to.W[4]
EA, EB, EC, ED, EF = to.EA, to.EB, to.EC, to.ED, to.EF
Q3, Q4 = to.Q3, to.Q4

J1 = (W1, EA, Q4)  # two worker lines: occ 101 (015) FTE 26,600/49,400 = 0.538 (main), occ 102 (495) 0.462
J2 = (W1, EB, Q4)  # voucher job, 3 days, 19/38 h
J3 = (W2, EA, Q4)  # white-collar, 4 days, 30.4/38 h, partial career break
J5 = (W3, EC, Q4)  # agency worker
J6 = (W3, EC, Q3)  # the same agency job a quarter earlier
J7 = (W3, EF, Q4)  # shop, paid through vouchers (remuneration method 3)
J8 = (W4, ED, Q4)  # statutory, OCMW
NO_JOB = (W2, EB, Q4)  # W2 has no occupation at EB: no value
POINTS = [J1, J2, J3, J5, J6, J7, J8, NO_JOB]

# (variable, options) -> {job: value}
GOLDEN: dict[tuple[str, tuple[tuple[str, str], ...]], dict[tuple[str, str, int], Any]] = {
    # main occupation's worker code: J1 occ 101 = 015 (not occ 102's 495) -> 1; J3 495 -> 2; J8 675 -> 3
    ("worker_type", ()): {J1: "1", J2: "1", J3: "2", J8: "3", NO_JOB: None},
    # zone 00053: J1's main occupation 101 has none ("T" is on occ 102) -> "-"; J3 "T"
    ("employment_status", ()): {J1: "-", J3: "T", J2: "-"},
    # days per week / 100: 500 -> 5.0, 300 -> 3.0, 400 -> 4.0
    ("job_work_regime", ()): {J1: 5.0, J2: 3.0, J3: 4.0},
    # 1,900 / 3,800 x 100 = 50.0; 3,040 / 3,800 x 100 = 80.0; full time 100.0
    ("job_part_time_pct", ()): {J1: 100.0, J2: 50.0, J3: 80.0},
    # J1 full time (occ 101): 3,300.00 EUR / 33 paid days = 100.00
    # J2 part time: 1,500.00 x 7.6 / 247 h = 46.1538 -> 46.15; J3: 4,000.00 x 7.6 / 395.2 h = 76.923 -> 76.92
    ("job_daily_wage_class", ()): {J1: 100.0, J2: 46.15, J3: 76.92},
    # definition 2 (paid days, service code 1): J1 occ 101 33 / (13 x 5) x 38/38 + occ 102 30 / 65 = 63/65
    # = 0.969231 -> 0.9692 (the 2 sickness days, code 50, left out); J2 39 / (13 x 3) x 19/38 = 0.5;
    # J3 52 / (13 x 4) x 30.4/38 = 0.8; J5 20 / 65 = 0.307692 -> 0.3077; J6 (Q3) 65 / 65 = 1.0
    ("fte_days_quarter", ()): {J1: 0.9692, J2: 0.5, J3: 0.8, J5: 0.3077, J6: 1.0, NO_JOB: None},
    # definition 1 (every day): J1 (33 + 2 + 30) / 65 = 1.0
    ("fte_days_quarter", (("definition", "1"),)): {J1: 1.0, J2: 0.5},
    # block 90001 of the job's lines: J1 2,000 + 100 (code 855) + 300 (white-collar line) = 2,400.00;
    # J3 1,500.00; J2 500.00; J5 1,200.00 (the Q3 line's 900 is J6's); J7 and J8 have none -> 0.0
    ("employer_contributions", ()): {
        J1: 2400.0,
        J2: 500.0,
        J3: 1500.0,
        J5: 1200.0,
        J6: 900.0,
        J7: 0.0,
        J8: 0.0,
        NO_JOB: None,
    },
    # EA in Q4: W1 2,400 + W2 1,500 + W5 (not a point) 1,000 = 4,900.00; EC Q4 1,200.00, Q3 900.00
    ("employer_contributions", (("level", "employer"),)): {
        J1: 4900.0,
        J3: 4900.0,
        J2: 500.0,
        J5: 1200.0,
        J6: 900.0,
        J7: 0.0,
        NO_JOB: None,
    },
    # J1: 3000 = 400 + 300 = 700 EUR vs 3410 = 500 EUR -> 3000; J3: 3410 250 > 3000 200 (the worker-line
    # 0001 werkbonus of 999.99 is a personal-contribution reduction and does not count) -> 3410; none -> "-"
    ("contribution_reduction_kind", ()): {J1: "3000", J3: "3410", J2: "-", J8: "-", NO_JOB: None},
    # J1: 400 + 300 + 500 = 1,200.00; J3: 200 + 250 = 450.00 (0001 excluded); J2: 0.0
    ("contribution_reduction_amount", ()): {J1: 1200.0, J3: 450.0, J2: 0.0, NO_JOB: None},
    # EA: 1,200 + 450 + W5's 3000 of 100 = 1,750.00; EB: 0.0
    ("contribution_reduction_amount", (("level", "employer"),)): {J1: 1750.0, J3: 1750.0, J2: 0.0},
    # zone 00052: J1's main occupation 101 has none, occ 102 has 2 (activation) -> "2"; J3 none -> "-"
    ("special_measure", ()): {J1: "2", J3: "-", J2: "-"},
    # zone 00051: J3 partial career break 4 -> "R4"; J1 none -> "-"
    ("special_measure", (("measure", "reorganisation"),)): {J3: "R4", J1: "-"},
    # J2: PC 322.01 and category 597 -> 1; J7: PC 201, category 000 but remuneration method 3 -> 1;
    # J5: PC 322 (agency, not 322.01) -> 0; J1 -> 0
    ("voucher_employment", ()): {J2: "1", J7: "1", J5: "0", J1: "0", NO_JOB: None},
    # J5: PC 322 and category 097 -> 1; J2 (322.01, 597) -> 0; J7 -> 0
    ("temp_agency_employment", ()): {J5: "1", J2: "0", J7: "0", J1: "0"},
    # J1, J3: PC 327.01 -> 1; J8: public category 001 with NACE 84115 (annex 31 Maribel RSZPPO) -> 1;
    # J2 (322.01), J5 (322), J7 (201) -> 0
    ("social_maribel", ()): {J1: "1", J3: "1", J8: "1", J2: "0", J5: "0", J7: "0"},
}
GOLDEN_NAMES: set[str] = {name for name, _ in GOLDEN}


@pytest.fixture(scope="session")
def occupations_wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return to.build(Path(tmp_path_factory.mktemp("tiny_occupations")) / "wh")


_engines: dict[str, engine.Engine] = {}
_results: dict[tuple[str, str, tuple[tuple[str, str], ...]], dict[tuple[str, str, int], Any]] = {}


@pytest.fixture(scope="module", autouse=True)
def _close_engines() -> Iterator[None]:
    yield
    for e in _engines.values():
        e.close()
    _engines.clear()
    _results.clear()


def _points(e: engine.Engine) -> Any:
    quarters = [q for _, _, q in POINTS]
    ends = {Q3: date(2013, 9, 30), Q4: date(2013, 12, 31)}
    return e.register_arrow(
        "job_points",
        pa.table(
            {
                "insz": [i for i, _, _ in POINTS],
                "enterprise_number": [n for _, n, _ in POINTS],
                "ref_quarter": pa.array(quarters, pa.int32()),
                "ref_date": pa.array([ends[q] for q in quarters], pa.date32()),
                "ref_year": pa.array([q // 10 for q in quarters], pa.int32()),
            }
        ),
    )


def _values(
    backend: str, name: str, options: tuple[tuple[str, str], ...], wh: Warehouse, spark: Any
) -> dict[tuple[str, str, int], Any]:
    key = (backend, name, options)
    if key not in _results:
        if backend not in _engines:
            _engines[backend] = engine.connect(wh, backend, spark=spark)  # type: ignore[arg-type]
        e = _engines[backend]
        out = catalog.get(name).derive(e, _points(e), {"scheme": None, **dict(options)})
        t = e.to_arrow(out)
        got = {
            (i, n, q): v
            for i, n, q, v in zip(
                t["insz"].to_pylist(),
                t["enterprise_number"].to_pylist(),
                t["ref_quarter"].to_pylist(),
                t["value"].to_pylist(),
                strict=True,
            )
        }
        assert len(got) == t.num_rows, "one value per job"
        _results[key] = got
    return _results[key]


@pytest.mark.parametrize(("name", "options"), list(GOLDEN), ids=[f"{n}{dict(o) or ''}" for n, o in GOLDEN])
def test_golden(
    name: str,
    options: tuple[tuple[str, str], ...],
    backend_name: str,
    occupations_wh: Warehouse,
    request: pytest.FixtureRequest,
) -> None:
    spark = request.getfixturevalue("spark_session") if backend_name == "spark" else None
    got = _values(backend_name, name, options, occupations_wh, spark)
    for job, expected in GOLDEN[(name, options)].items():
        assert got.get(job) == expected, (name, options, POINTS.index(job))


@pytest.mark.spark
@pytest.mark.parametrize(("name", "options"), list(GOLDEN), ids=[f"{n}{dict(o) or ''}" for n, o in GOLDEN])
def test_duckdb_and_spark_agree(
    name: str, options: tuple[tuple[str, str], ...], occupations_wh: Warehouse, spark_session: Any
) -> None:
    duck = _values("duckdb", name, options, occupations_wh, None)
    assert duck == _values("spark", name, options, occupations_wh, spark_session)


def test_catalog_entries() -> None:
    """Unit job, requirement, labels and declared options; bad option values are refused."""
    for name in GOLDEN_NAMES:
        var = catalog.get(name)
        assert var.unit == "job" and var.requirement == "S001-5" and var.label_nl and var.label_en
        assert var.value_type != "string" or var.value_labels() is not None, name
    assert catalog.get("employer_contributions").options == ("level",)
    assert catalog.get("contribution_reduction_amount").options == ("level",)
    assert catalog.get("fte_days_quarter").options == ("definition",)
    assert catalog.get("special_measure").options == ("measure",)
    labels = catalog.get("contribution_reduction_kind").value_labels()
    assert labels is not None and labels["3000"] == "Structurele vermindering" and "-" in labels
    assert catalog.get("special_measure").value_labels()["R4"].startswith("Gedeeltelijke onderbreking")  # type: ignore[index]
    assert catalog.get("employer_contributions").scheme == "amount_generic"
    assert "amount_generic" in classes.names()


def test_bad_options_refused(occupations_wh: Warehouse) -> None:
    with engine.connect(occupations_wh, "duckdb") as e:
        pts = _points(e)
        with pytest.raises(ValueError, match="level"):
            catalog.get("employer_contributions").derive(e, pts, {"level": "sector"})
        with pytest.raises(ValueError, match="definition"):
            catalog.get("fte_days_quarter").derive(e, pts, {"definition": "3"})
        with pytest.raises(ValueError, match="unknown option"):
            catalog.get("worker_type").derive(e, pts, {"level": "job"})


def test_default_scheme_classes_amounts(occupations_wh: Warehouse) -> None:
    """With the default scheme the amounts come out as amount classes, one per job."""
    with engine.connect(occupations_wh, "duckdb") as e:
        t = e.to_arrow(catalog.get("employer_contributions").derive(e, _points(e), {"level": "employer"}))
        assert t.num_rows == 7 and set(t["value"].to_pylist()) <= set(
            classes.scheme("amount_generic").value_labels()
        )
