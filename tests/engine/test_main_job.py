"""The main job of a person in a quarter (``catalog.jobs.main_jobs``): the occupation with the largest FTE;
ties and missing FTEs (no reference hours) go to the lowest occupation number. Both engines.

FTE = hours / (reference hours x 13 weeks); every occupation below has a reference of 38 h (3800), so
13 x 38 h = 494 h (49400 hundredths), except where the reference is 0 (FTE unknown, counted as 0).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import tiny_occupations as to

from crossroads import engine
from crossroads.catalog import jobs

T = {i: f"{800 + i:011d}" for i in range(1, 6)}
E1, E2, E3 = "0400000201", "0400000202", "0400000203"
Q3, Q4 = to.Q3, to.Q4


def _job(insz: str, ent: str, q: int, *occupations: dict[str, Any]) -> to.Job:
    return (insz, ent, q, "000", [("015", [], [], list(occupations))])


def _occ(oid: int, hours: int, reference: int = 3800) -> dict[str, Any]:
    return to.occ(oid, "200", 500, 3800, reference, 0, services=[("1", hours // 760 * 100, hours)])


JOBS = [
    # T1 Q4: 24,700 / 49,400 = 0.5 at both employers; 202 is declared first, 201 (lower) wins the tie.
    _job(T[1], E2, Q4, _occ(202, 24700)),
    _job(T[1], E1, Q4, _occ(201, 24700)),
    # T1 Q3: a single job is the main job.
    _job(T[1], E1, Q3, _occ(200, 7600)),
    # T2 Q4: 204 has an FTE (0.154); 203 has no reference hours (FTE unknown = 0) despite more hours.
    _job(T[2], E1, Q4, _occ(203, 49400, reference=0)),
    _job(T[2], E2, Q4, _occ(204, 7600)),
    # T3 Q4: no FTE on either job -> the lower number, 205.
    _job(T[3], E2, Q4, _occ(206, 7600, reference=0)),
    _job(T[3], E3, Q4, _occ(205, 15200, reference=0)),
    # T4 Q4: the larger FTE wins although its number is higher (208: 0.8; 207: 0.3); one line, two jobs.
    (T[4], E1, Q4, "000", [("015", [], [], [_occ(207, 14820), _occ(208, 39520)])]),
]

EXPECTED = {(T[1], Q4): 201, (T[1], Q3): 200, (T[2], Q4): 204, (T[3], Q4): 205, (T[4], Q4): 208}


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return to.build(Path(tmp_path_factory.mktemp("main_job")) / "wh", JOBS)


def test_main_job(backend_name: str, wh: Any, request: pytest.FixtureRequest) -> None:
    spark = request.getfixturevalue("spark_session") if backend_name == "spark" else None
    e = engine.connect(wh, backend_name, spark=spark)  # type: ignore[arg-type]
    try:
        main = e.to_arrow(jobs.main_jobs(e).select("insz", "quarter", "occupation_id")).to_pylist()
        flags = e.to_arrow(jobs.occupations(e).select("occupation_id", "is_main_job")).to_pylist()
    finally:
        e.close()
    assert {(r["insz"], r["quarter"]): r["occupation_id"] for r in main} == EXPECTED
    assert len(main) == len(EXPECTED), "one main job per person and quarter"
    assert {r["occupation_id"] for r in flags if r["is_main_job"]} == set(EXPECTED.values())
    assert len(flags) == 9
