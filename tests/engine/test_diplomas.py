"""The 21/128 population rules (engine/diplomas.py) on both engines, golden members computed by hand.

The persons and their edges are described in ``tiny_diplomas.py``; the window is 2014-2020 and the
minimum two consecutive years, as in the permit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import tiny_diplomas as td

from crossroads import engine
from crossroads.engine import diplomas, population
from crossroads.engine.backends import EngineError
from crossroads.warehouse.storage import Warehouse

D = td.D
YEARS = {"first": 2014, "last": 2020}
NARIC = {"decision_years": YEARS, "diploma_levels": ["secondary", "post_secondary"]}
FLEMISH = {
    "diploma_levels": ["secondary", "post_secondary"],
    "diploma_before_year": 2021,
    "residence_years": YEARS,
    "min_consecutive_residence_years": 2,
}
FOREIGN = {"residence_years": YEARS, "min_consecutive_residence_years": 2}

# D9 MAST 2015, D11 SEC 1 Jan 2014 (refused: a decision all the same), D12 DOC 31 Dec 2020;
# D10 only 2013 and 2021 -> out.
NARIC_IN = {D[9], D[11], D[12]}
# D6 SEC 2010 + Brussels all along; D9 POSTSEC 2018 + Antwerpen since 2013.
# D2 (stay of 1 y 364 d), D7 (certificate of 2021), D8 (withdrawn) -> out.
FLEMISH_IN = {D[6], D[9]}
# D1 2 Jan 2014 - 1 Jan 2016 (exactly 2 y); D5 1 Mar 2017 - 28 Feb 2019 across a move (exactly 2 y);
# D9 since 2013; D13 1 Jul 2018 - 31 Dec 2020 with a nested spell; D15 1 Jan 2019 - 31 Dec 2020 (2 y);
# D20-D23 since 2000.  Out: D2 (1 y 364 d), D3 (two separate 1-y stays), D4 (2 y, but 1.5 inside the
# window), D14 (one day without residence), D16 (dies after 1 y 7 m), D17 (2 Jan 2019 on: 1 y 364 d),
# D6-D8 (born in Belgium), D10-D12 (no residence).
FOREIGN_IN = {D[i] for i in (1, 5, 9, 13, 15, 20, 21, 22, 23)}

_engines: dict[str, engine.Engine] = {}


@pytest.fixture(scope="session")
def diplomas_wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return td.build(tmp_path_factory.mktemp("tiny_diplomas") / "wh")


@pytest.fixture(scope="module", autouse=True)
def _close_engines() -> Iterator[None]:
    yield
    for e in _engines.values():
        e.close()
    _engines.clear()


@pytest.fixture
def eng(backend_name: str, diplomas_wh: Warehouse, request: pytest.FixtureRequest) -> engine.Engine:
    if backend_name not in _engines:
        spark = request.getfixturevalue("spark_session") if backend_name == "spark" else None
        _engines[backend_name] = engine.connect(diplomas_wh, backend_name, spark=spark)  # type: ignore[arg-type]
    return _engines[backend_name]


def _group(e: engine.Engine, rule: str, params: dict[str, Any], first: int = 2014, last: int = 2020) -> Any:
    t = e.to_arrow(population.target_group(e, rule, first, last, params))
    return set(zip(t["insz"].to_pylist(), t["year"].to_pylist(), strict=True))


def _persons(rows: set[tuple[str, int]]) -> set[str]:
    return {i for i, _ in rows}


@pytest.mark.parametrize(
    ("rule", "params", "expected"),
    [
        ("naric_recognition", NARIC, NARIC_IN),
        ("flemish_diploma_resident", FLEMISH, FLEMISH_IN),
        ("foreign_born_resident", FOREIGN, FOREIGN_IN),
    ],
)
def test_groups(eng: engine.Engine, rule: str, params: dict[str, Any], expected: set[str]) -> None:
    rows = _group(eng, rule, params)
    assert _persons(rows) == expected
    # a member is in the group for every year of 2014..2020, once
    assert rows == {(i, y) for i in expected for y in range(2014, 2021)}


def test_a_person_may_be_in_several_groups(eng: engine.Engine) -> None:
    # D9: NARIC decision, POSTSEC certificate and born in Turkey with residence since 2013
    groups = [
        _persons(_group(eng, r, p))
        for r, p in (
            ("naric_recognition", NARIC),
            ("flemish_diploma_resident", FLEMISH),
            ("foreign_born_resident", FOREIGN),
        )
    ]
    assert all(D[9] in g for g in groups)


def test_levels_and_years(eng: engine.Engine) -> None:
    # secondary only: D11's SEC decision; D9 (MAST) and D12 (DOC) drop out
    assert _persons(_group(eng, "naric_recognition", {**NARIC, "diploma_levels": ["secondary"]})) == {D[11]}
    # codes of the list are accepted: DOC only -> D12
    assert _persons(_group(eng, "naric_recognition", {**NARIC, "diploma_levels": ["DOC"]})) == {D[12]}
    # decisions of 2021: D9 (BACH, 1 Mar) and D10 (SEC, 1 Jan)
    assert _persons(
        _group(eng, "naric_recognition", {**NARIC, "decision_years": {"first": 2021, "last": 2021}})
    ) == {D[9], D[10]}
    # Flemish secondary only: D6 (D9's certificate is POSTSEC)
    assert _persons(
        _group(eng, "flemish_diploma_resident", {**FLEMISH, "diploma_levels": ["secondary"]})
    ) == {D[6]}
    # certificates before 2022: D7's bachelor of 15 Jun 2021 now counts (Aartselaar all along)
    assert _persons(_group(eng, "flemish_diploma_resident", {**FLEMISH, "diploma_before_year": 2022})) == {
        D[6],
        D[7],
        D[9],
    }


def test_residence_edges(eng: engine.Engine) -> None:
    one = {**FOREIGN, "min_consecutive_residence_years": 1}
    # one year suffices: D2 (1 y 364 d), D3 (2014 and 2016), D4 (1 Jan 2014 - 30 Jun 2015), D14 (2014),
    # D16 (2 Jan 2019 - 15 Aug 2020), D17 join; still not D10-D12 (no residence)
    assert _persons(_group(eng, "foreign_born_resident", one)) == FOREIGN_IN | {
        D[i] for i in (2, 3, 4, 14, 16, 17)
    }
    # window 2019-2020: only stays of two full years inside it -> D9 and D20-23 (long), D13
    # (1 Jan 2019 - 31 Dec 2020 of its stay), D15 (exactly 2 y); D17 (2 Jan 2019 on) not; D5 ends Feb 2019
    late = {**FOREIGN, "residence_years": {"first": 2019, "last": 2020}}
    assert _persons(_group(eng, "foreign_born_resident", late)) == {D[i] for i in (9, 13, 15, 20, 21, 22, 23)}
    # a three-year minimum: D1, D5, D13, D15 drop out
    three = {**FOREIGN, "min_consecutive_residence_years": 3}
    assert _persons(_group(eng, "foreign_born_resident", three)) == {D[i] for i in (9, 20, 21, 22, 23)}


def test_defaults_take_the_group_years(eng: engine.Engine) -> None:
    # no params: levels both, decision years = the group's years, two years' residence
    assert _persons(_group(eng, "naric_recognition", {})) == NARIC_IN
    assert _persons(_group(eng, "foreign_born_resident", {})) == FOREIGN_IN


@pytest.mark.parametrize(
    ("rule", "params", "message"),
    [
        ("naric_recognition", {"diploma_levels": ["tertiary"]}, "unknown diploma level"),
        ("naric_recognition", {"decision_years": {"first": 2020, "last": 2014}}, "first <= last"),
        ("flemish_diploma_resident", {"min_consecutive_residence_years": 0}, "positive whole number"),
        ("flemish_diploma_resident", {"diploma_before_year": "2021"}, "must be a year"),
        ("foreign_born_resident", {"diploma_levels": ["secondary"]}, "unknown parameter"),
    ],
)
def test_bad_params(eng: engine.Engine, rule: str, params: dict[str, Any], message: str) -> None:
    with pytest.raises(EngineError, match=message):
        population.target_group(eng, rule, 2014, 2020, params)


def test_registered_with_the_engine() -> None:
    rules = engine.population_rules()
    assert {"naric_recognition", "flemish_diploma_resident", "foreign_born_resident"} <= set(rules)
    assert rules["naric_recognition"] is diplomas.NARIC_RECOGNITION
    assert diplomas.certificate_levels("x", ["post_secondary"]) == ("BACH", "DOC", "MAST", "POSTSEC")
