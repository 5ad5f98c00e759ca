"""Register variables (catalog/registers.py) on both engines, golden values computed by hand.

Points: persons of ``tiny_diplomas`` at 2017 Q4 (31 Dec 2017), 2018 Q2 (30 Jun 2018), 2019 Q4 (31 Dec 2019),
2020 Q2 (30 Jun 2020) and 2020 Q4 (31 Dec 2020); raw values (``scheme: null``) unless a test says otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pyarrow as pa
import pytest
import tiny_diplomas as td
from derived import rows_by_point, stored_table

from crossroads import catalog, codelists, engine
from crossroads.catalog import registers
from crossroads.warehouse.storage import Warehouse

D = td.D
Q17_4, Q18_2, Q19_4, Q20_2, Q20_4 = 20174, 20182, 20194, 20202, 20204
QUARTERS = (Q17_4, Q18_2, Q19_4, Q20_2, Q20_4)
PERSONS = (1, 2, 3, 5, 6, 9, 10, 13, 15, 16)
POINTS = [(D[i], q) for i in PERSONS for q in QUARTERS]

GOLDEN: dict[str, dict[tuple[str, int], Any]] = {
    # nationality at birth as stored: D1 Morocco 354, D6 Belgium 150, D9 Turkey 262
    "first_nationality_class": {(D[1], Q20_4): "354", (D[6], Q20_4): "150", (D[9], Q20_4): "262"},
    # D1: father 150, mother 354 -> 354 (the first non-Belgian); D6: both 150 -> 150;
    # D9: father 262, mother 354 -> father first: 262; D3: father unknown, mother 129 -> 129;
    # D5: father unknown, mother 150 -> no parent known foreign, one unknown -> empty
    "parents_first_nationality_class": {
        (D[1], Q20_4): "354",
        (D[6], Q20_4): "150",
        (D[9], Q20_4): "262",
        (D[3], Q20_4): "129",
        (D[5], Q20_4): None,
    },
    "birth_country_class": {(D[1], Q20_4): "354", (D[6], Q20_4): "150", (D[3], Q20_4): "129"},
    # D5 in Gent (44021, arr. 44000) on 31 Dec 2017, in Antwerpen (11002, arr. 11000) on 30 Jun 2018, abroad
    # on 31 Dec 2019; D6 Brussels 21004 -> 21000; D15 Hasselt 71072 -> 71000; D10 no residence -> empty
    "arrondissement": {
        (D[5], Q17_4): "44000",
        (D[5], Q18_2): "11000",
        (D[5], Q19_4): "ABR",
        (D[6], Q20_4): "21000",
        (D[15], Q20_4): "71000",
        (D[10], Q20_4): None,
    },
    "municipality": {
        (D[5], Q17_4): "44021",
        (D[5], Q18_2): "11002",
        (D[5], Q19_4): "ABR",
        (D[6], Q20_4): "21004",
        (D[10], Q20_4): None,
    },
    # Gent and Antwerpen and Hasselt are central cities; Brussels 21004 is not (0); abroad ABR
    "central_city": {
        (D[5], Q17_4): "44021",
        (D[5], Q18_2): "11002",
        (D[5], Q19_4): "ABR",
        (D[6], Q20_4): "0",
        (D[15], Q20_4): "71072",
        (D[10], Q20_4): None,
    },
    # D6: couple with children until 31 Dec 2019, alone from 1 Jan 2020; D1 has no household spell
    "household_type": {(D[6], Q19_4): "CPL+", (D[6], Q20_2): "1P", (D[1], Q20_4): None},
    # D6 2019 Q4: one line flagged -> 1; 2020 Q2: a False and an empty flag -> 0; 2020 Q4: no line -> empty
    "cross_border_work": {(D[6], Q19_4): "1", (D[6], Q20_2): "0", (D[6], Q20_4): None, (D[1], Q19_4): None},
    # D9: father D20 WRK, mother D21 FAM -> father's WRK.  D1: father D22 ASY until 31 Dec 2017, BE from
    # 1 Jan 2018; mother D23 ASY from 1 Jul 2020.  31 Dec 2017: father ASY -> ASY; 31 Dec 2019: father BE,
    # mother none -> BE; 30 Jun 2020: still BE (mother's reason starts 1 Jul); 31 Dec 2020: mother ASY -> ASY.
    # D6: no parent known -> empty
    "parents_residence_reason": {
        (D[9], Q20_4): "WRK",
        (D[1], Q17_4): "ASY",
        (D[1], Q19_4): "BE",
        (D[1], Q20_2): "BE",
        (D[1], Q20_4): "ASY",
        (D[6], Q20_4): None,
    },
    # D5 in Antwerpen from 1 Apr 2018, registered 5 Apr 2018; Gent before (registered on the start day)
    "register_date": {
        (D[5], Q18_2): date(2018, 4, 5),
        (D[5], Q17_4): date(2017, 3, 1),
        (D[10], Q20_4): None,
    },
    "first_registration_date": {(D[1], Q20_4): date(2014, 1, 2), (D[6], Q20_4): date(1980, 1, 1)},
    # D9's reason WRK applies from 1 Mar 2013, registered 2 Apr 2013; D6 has no reason
    "residence_reason_date": {(D[9], Q20_4): date(2013, 4, 2), (D[6], Q20_4): None},
    # D16 died 15 Aug 2020 -> 2020 Q3, also at the earlier points; D1 alive -> empty
    "death_year_quarter": {(D[16], Q17_4): 20203, (D[16], Q20_4): 20203, (D[1], Q20_4): None},
}
GOLDEN_NAMES: set[str] = set(GOLDEN)

# Default schemes: nationality classes (354 Morocco -> MAGH, 150 -> BE, 262 Turkey -> CAND per
# classes/data/country_groups.csv) and dates as YYYY-MM.
DEFAULT_SCHEME: dict[str, dict[tuple[str, int], Any]] = {
    "first_nationality_class": {(D[1], Q20_4): "MAGH", (D[6], Q20_4): "BE", (D[9], Q20_4): "CAND"},
    "parents_first_nationality_class": {(D[9], Q20_4): "CAND", (D[5], Q20_4): "UNK"},
    "register_date": {(D[5], Q18_2): "2018-04"},
    "first_registration_date": {(D[1], Q20_4): "2014-01"},
    "residence_reason_date": {(D[9], Q20_4): "2013-04"},
}

_results: dict[str, pa.Table] = {}
_engines: dict[str, engine.Engine] = {}


@pytest.fixture(scope="session")
def registers_wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return td.build(tmp_path_factory.mktemp("tiny_registers") / "wh")


@pytest.fixture(scope="module", autouse=True)
def _close_engines() -> Iterator[None]:
    yield
    for e in _engines.values():
        e.close()
    _engines.clear()


def _values(backend: str, name: str, options: dict[str, Any], wh: Warehouse, spark: Any) -> dict[Any, Any]:
    key = f"{backend}:{name}:{options}"
    if key not in _results:
        from crossroads.engine.extract import variables_at

        if backend not in _engines:
            _engines[backend] = engine.connect(wh, backend, spark=spark)  # type: ignore[arg-type]
        pts = pa.table(
            {"insz": [p for p, _ in POINTS], "ref_quarter": pa.array([q for _, q in POINTS], pa.int32())}
        )
        _results[key] = variables_at(_engines[backend], pts, [(name, options)])
    t = _results[key]
    return {
        (i, q): v
        for i, q, v in zip(
            t["insz"].to_pylist(), t["ref_quarter"].to_pylist(), t[name].to_pylist(), strict=True
        )
    }


def _spark(backend: str, request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue("spark_session") if backend == "spark" else None


@pytest.mark.parametrize("name", list(GOLDEN))
def test_golden(
    name: str, backend_name: str, registers_wh: Warehouse, request: pytest.FixtureRequest
) -> None:
    got = _values(backend_name, name, {"scheme": None}, registers_wh, _spark(backend_name, request))
    for point, expected in GOLDEN[name].items():
        assert got[point] == expected, (name, point)


@pytest.mark.parametrize("name", list(DEFAULT_SCHEME))
def test_default_scheme(
    name: str, backend_name: str, registers_wh: Warehouse, request: pytest.FixtureRequest
) -> None:
    got = _values(backend_name, name, {}, registers_wh, _spark(backend_name, request))
    for point, expected in DEFAULT_SCHEME[name].items():
        assert got[point] == expected, (name, point)


def test_the_reason_and_its_date_find_the_spell_once(
    backend_name: str, registers_wh: Warehouse, request: pytest.FixtureRequest
) -> None:
    """The reason of residence without a limit on the years (21/128) and its registration date read the
    same reason spell (``registers._reason_at``): asked together, as the persons dataset asks them, they
    give the values by hand, and on DuckDB they are stored as one table (``extract._Derivations``)."""
    from crossroads.engine.extract import _Derivations

    if backend_name not in _engines:
        _engines[backend_name] = engine.connect(
            registers_wh,
            backend_name,  # type: ignore[arg-type]
            spark=_spark(backend_name, request),
        )
    e = _engines[backend_name]
    frame = e.register_arrow(
        "reason_frame",
        pa.table({"insz": [p for p, _ in POINTS], "quarter": pa.array([q for _, q in POINTS], pa.int32())}),
    )
    d = _Derivations(e)
    reason = d.ask(
        "ds", "person", "quarter", frame, catalog.get("residence_reason"), {"max_residence_years": None}
    )
    when = d.ask("ds", "person", "quarter", frame, catalog.get("residence_reason_date"), {"scheme": None})
    d.run()

    def values(need: Any) -> dict[tuple[str, int], Any]:
        return {(i, q): v for i, q, v in rows_by_point(e, d.results[need])}

    # Only D9 has a reason of its own: WRK from 1 Mar 2013, registered 2 Apr 2013 (tiny_diplomas); D6 and
    # the others have none, so no stored row.
    assert values(reason) == {(D[9], q): "WRK" for q in QUARTERS}
    assert values(when) == {(D[9], q): date(2013, 4, 2) for q in QUARTERS}

    if backend_name == "duckdb":
        assert stored_table(d.results[reason]) is stored_table(d.results[when])


def test_central_cities_are_the_code_list_names() -> None:
    m = codelists.municipalities().set_index("nis_code")["name_nl"]
    assert {code: m[code] for code in registers.CENTRAL_CITIES} == registers.CENTRAL_CITIES
    assert len(registers.CENTRAL_CITIES) == 13


def test_labels_cover_the_codes() -> None:
    for name in ("arrondissement", "municipality", "central_city"):
        labels = catalog.get(name).value_labels()
        assert labels is not None and labels["ABR"] == "buitenland"
    assert catalog.get("arrondissement").value_labels()["44000"] == "arrondissement Gent"  # type: ignore[index]
    assert catalog.get("central_city").value_labels()["0"] == "geen centrumstad"  # type: ignore[index]
    assert catalog.get("household_type").value_labels()["1P"] == "eenpersoonshuishouden"  # type: ignore[index]
