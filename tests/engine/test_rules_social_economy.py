"""Golden tests of the 15/018 population rules on the tiny warehouse of ``tiny_se_inputs`` (both engines).

Every expected set is worked out by hand from the table in the docstring of ``tiny_se_inputs``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from tiny_se_inputs import E, P, build

from crossroads import engine, permits
from crossroads.engine import EngineError
from crossroads.engine.population import target_group
from crossroads.warehouse.storage import Warehouse

PERMIT = Path(__file__).resolve().parents[2] / "examples" / "permits" / "15-018.yaml"
D13, D08 = date(2013, 12, 31), date(2008, 12, 31)


@pytest.fixture(scope="session")
def se_wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return build(tmp_path_factory.mktemp("tiny_se") / "wh")


@pytest.fixture
def eng(se_wh: Warehouse, backend_name: str, request: pytest.FixtureRequest) -> Iterator[engine.Engine]:
    spark = request.getfixturevalue("spark_session") if backend_name == "spark" else None
    with engine.connect(se_wh, backend_name, spark=spark) as e:
        yield e


def _inp(table: str, ref: date | None) -> Any:
    """A stand-in for the permit's ProviderInput (what the engine passes as ``params['input']``)."""
    return SimpleNamespace(table=table, reference_date=ref, key="enterprise")


def _members(e: engine.Engine, rule: str, year: int, params: dict[str, Any]) -> set[tuple[str, int]]:
    t = e.to_arrow(target_group(e, rule, year, year, params))
    key = "enterprise_number" if "enterprise_number" in t.column_names else "insz"
    return set(zip(t.column(key).to_pylist(), t.column("year").to_pylist(), strict=True))


def test_listed_employers(eng: engine.Engine) -> None:
    # 2013 list: E1, E2 (E3 is only on the 2008 list); year = year of the reference date
    assert _members(eng, "listed_employers", 2013, {"input": _inp("se_employers", D13)}) == {
        (E[1], 2013),
        (E[2], 2013),
    }
    assert _members(eng, "listed_employers", 2008, {"input": _inp("se_employers", D08)}) == {(E[3], 2008)}


def test_listed_employers_with_staff(eng: engine.Engine) -> None:
    # cooperatives at 31 Dec 2013: E3, E4, E5 (E6 only at 2012). Workers in 2013 Q4: E3 (P3) yes; E4 only in
    # Q3; E5 never declared -> {E3}
    coop = {"input": _inp("recognised_cooperatives", D13), "quarter": 20134}
    assert _members(eng, "listed_employers_with_staff", 2013, coop) == {(E[3], 2013)}
    # social-purpose company E2: its only worker (P2) is in 2013 Q3 -> nobody in Q4, E2 in Q3
    vso = {"input": _inp("social_purpose_companies", D13), "quarter": 20134}
    assert _members(eng, "listed_employers_with_staff", 2013, vso) == set()
    vso["quarter"] = "20133"  # the quarter may come as text from YAML
    assert _members(eng, "listed_employers_with_staff", 2013, vso) == {(E[2], 2013)}


def test_listed_persons(eng: engine.Engine) -> None:
    # 2013 list: P1, P2; 2008 list: P2, P6
    assert _members(eng, "listed_persons", 2013, {"input": _inp("se_employees", D13)}) == {
        (P[1], 2013),
        (P[2], 2013),
    }
    assert _members(eng, "listed_persons", 2008, {"input": _inp("se_employees", D08)}) == {
        (P[2], 2008),
        (P[6], 2008),
    }


def test_employees_of_listed_employers(eng: engine.Engine) -> None:
    # listed cooperatives E3, E4, E5; DmfA jobs in 2013 Q4 at them: P3 at E3 (P5 works at E6, which is only
    # on the 2012 list; P4 at E4 only in Q3) -> {P3}
    coop = {"input": _inp("recognised_cooperatives", D13), "quarter": 20134}
    assert _members(eng, "employees_of_listed_employers", 2013, coop) == {(P[3], 2013)}
    # E2 (social-purpose company): P2 in 2013 Q3, nobody in Q4
    vso = {"input": _inp("social_purpose_companies", D13), "quarter": 20134}
    assert _members(eng, "employees_of_listed_employers", 2013, vso) == set()
    vso["quarter"] = 20133
    assert _members(eng, "employees_of_listed_employers", 2013, vso) == {(P[2], 2013)}


def test_pwa_or_ocmw_employment(eng: engine.Engine) -> None:
    # PWA in 2013 Q4 with hours > 0: P7 (P8 has 0 h, P9 is in Q3).
    # OCMW spells overlapping 1 Oct - 31 Dec 2013: P1 (art. 60 from 15 Oct), P8 (art. 61 on 31 Dec);
    # P6 ended 30 Sep, P9 starts in 2014 -> {P1, P7, P8}
    both = {"quarter": 20134, "ocmw_articles": ["60", "61"]}
    assert _members(eng, "pwa_or_ocmw_employment", 2013, both) == {(P[1], 2013), (P[7], 2013), (P[8], 2013)}
    # art. 60 only: P8's spell is art. 61 -> {P1, P7}
    only_60 = {"quarter": 20134, "ocmw_articles": ["60"]}
    assert _members(eng, "pwa_or_ocmw_employment", 2013, only_60) == {(P[1], 2013), (P[7], 2013)}


def test_the_permits_provider_inputs_drive_the_rules(eng: engine.Engine) -> None:
    # the real ProviderInput objects of 15/018: the 2008 employee list -> P2, P6 (as above)
    version = permits.load(PERMIT).versions[0]
    inputs = {i.name: i for i in version.inputs}
    got = _members(eng, "listed_persons", 2008, {"input": inputs["se_employee_list_2008"]})
    assert got == {(P[2], 2008), (P[6], 2008)}
    got = _members(eng, "listed_employers", 2013, {"input": inputs["se_employer_list"]})
    assert got == {(E[1], 2013), (E[2], 2013)}


def test_bad_parameters_are_refused(se_wh: Warehouse) -> None:
    with engine.connect(se_wh) as e:
        with pytest.raises(EngineError, match="quarter"):
            target_group(e, "employees_of_listed_employers", 2013, 2013, {"input": _inp("se_employers", D13)})
        with pytest.raises(EngineError, match="unknown parameter"):
            target_group(e, "listed_persons", 2013, 2013, {"input": _inp("se_employees", D13), "quarter": 1})
        with pytest.raises(EngineError, match="'input'"):
            target_group(e, "listed_persons", 2013, 2013, {})


def test_match_report_counts_each_list_of_a_shared_table(eng: engine.Engine) -> None:
    from crossroads.engine import linkage

    # se_employees holds two lists: 31 Dec 2013 (P1, P2) and 31 Dec 2008 (P2, P6); the tiny warehouse has no
    # person register, so every row is "not found". Each input's report counts its own list only.
    r13 = linkage.link(eng, "se_employees", "insz", D13)
    r08 = linkage.link(eng, "se_employees", "insz", D08)
    both = linkage.link(eng, "se_employees", "insz")
    assert r13 == {"rows": 2, "matched": 0, "not_found": 2, "duplicates": 0}
    assert r08 == {"rows": 2, "matched": 0, "not_found": 2, "duplicates": 0}
    assert both["rows"] == 4
