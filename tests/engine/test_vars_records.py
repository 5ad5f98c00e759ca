"""Record variables of the certificates and NARIC decisions (catalog/certificates.py, catalog/naric.py) on
both engines, golden values read by hand off the rows of ``tiny_diplomas``.

Points are what the engine passes for unit ``record``: the record table's rows with its key renamed
``record_id``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import tiny_diplomas as td

from crossroads import catalog, engine
from crossroads.catalog import certificates, naric
from crossroads.warehouse.schema import table as table_spec
from crossroads.warehouse.storage import Warehouse

D = td.D
_HAS_SUBJECT = certificates.SUBJECT_COLUMN in table_spec("certificate").field_names

CERTIFICATES: dict[str, dict[int, Any]] = {
    # certificate 102 (D6): SEC, ASO, VKS 4, science, general, day school, issued 30 Jun 2010
    "study_domain": {102: "05 Natuurwetenschappen", 104: None},
    "study_direction": {102: "algemeen"},
    "study_area": {102: "Wetenschappen"},
    # the column is requested from the warehouse owner; empty until the table has it
    "study_area_subject": {102: "Wiskunde" if _HAS_SUBJECT else None},
    "education_form": {102: "dagonderwijs", 105: "volwassenenonderwijs"},
    # SEC -> SEC, POSTSEC -> POSTSEC, BACH (103) -> HIGHER
    "certificate_education_level": {102: "SEC", 105: "POSTSEC", 103: "HIGHER"},
    "certificate_edu_level_detail": {102: "ASO", 103: "professionele bachelor", 105: "HBO5 / Se-n-Se"},
    "qualification_level": {102: 4, 103: 6, 105: 5, 101: None},
    "specialisation": {105: "boekhouden", 102: None},
    "degree": {102: "diploma secundair onderwijs", 103: "bachelor"},
    "certificate_level": {102: "SEC", 103: "BACH", 105: "POSTSEC"},
    "certificate_category": {102: "diploma", 104: "getuigschrift"},
    "certificate_date": {102: date(2010, 6, 30), 103: date(2021, 6, 15)},
    "certificate_type": {102: "initieel", 103: None},
    "certificate_status": {102: "behaald", 104: "ingetrokken"},
    "certificate_issuer_type": {102: "school", 103: "hogeschool", 105: "CVO"},
}
NARIC: dict[str, dict[int, Any]] = {
    # decision 201 (D9): not a refugee, supported, fee exemption not filled in, no appeal
    "refugee_status": {201: "0", 205: "1"},
    "application_support": {201: "1", 205: None},
    "fee_exemption": {201: None, 205: "1"},
    "appeal": {201: "0"},
    "recognition_study_area": {201: "Economie"},
    "original_issuer_type": {201: "universiteit"},
    "requested_recognition_type": {201: "FULL"},
    "granted_recognition_type": {201: "LEVEL", 205: "REFUSED"},
    "application_date": {201: date(2015, 1, 10), 205: date(2014, 1, 1)},
    "recognition_level": {201: "BACH"},
    "recognised_qualification": {201: "master"},
    "qualification_country_class": {201: "262", 205: "354", 206: None},
    "qualification_year": {201: 2004, 206: None},
    "equivalence_decision_date": {201: date(2015, 5, 20), 206: date(2020, 12, 31)},
    "naric_decision": {201: "LEVEL", 205: "REFUSED", 206: "FULL"},
}
GOLDEN_NAMES: set[str] = set(CERTIFICATES) | set(NARIC)

# Default schemes: dates as YYYY-MM; the country in nationality classes (262 Turkey -> CAND, 354 -> MAGH).
DEFAULT_SCHEME: dict[str, dict[int, Any]] = {
    "certificate_date": {102: "2010-06"},
    "application_date": {201: "2015-01"},
    "equivalence_decision_date": {201: "2015-05"},
    "qualification_country_class": {201: "CAND", 205: "MAGH", 206: "UNK"},
}

_engines: dict[str, engine.Engine] = {}


@pytest.fixture(scope="session")
def records_wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return td.build(tmp_path_factory.mktemp("tiny_records") / "wh")


@pytest.fixture(scope="module", autouse=True)
def _close_engines() -> Iterator[None]:
    yield
    for e in _engines.values():
        e.close()
    _engines.clear()


def _derive(backend: str, name: str, options: dict[str, Any], wh: Warehouse, request: Any) -> dict[int, Any]:
    if backend not in _engines:
        spark = request.getfixturevalue("spark_session") if backend == "spark" else None
        _engines[backend] = engine.connect(wh, backend, spark=spark)  # type: ignore[arg-type]
    e = _engines[backend]
    var = catalog.get(name)
    assert var.unit == "record" and var.record_table is not None and var.record_key is not None
    points = e.table(var.record_table).rename(record_id=var.record_key)
    t = e.to_arrow(var.derive(e, points, options))
    assert t.column_names == ["insz", "record_id", "value"]
    got = dict(zip(t["record_id"].to_pylist(), t["value"].to_pylist(), strict=True))
    assert len(got) == t.num_rows  # one row per record
    return got


@pytest.mark.parametrize("name", [*CERTIFICATES, *NARIC])
def test_golden(name: str, backend_name: str, records_wh: Warehouse, request: pytest.FixtureRequest) -> None:
    got = _derive(backend_name, name, {"scheme": None}, records_wh, request)
    for record, expected in {**CERTIFICATES, **NARIC}[name].items():
        assert got[record] == expected, (name, record)


@pytest.mark.parametrize("name", list(DEFAULT_SCHEME))
def test_default_scheme(
    name: str, backend_name: str, records_wh: Warehouse, request: pytest.FixtureRequest
) -> None:
    got = _derive(backend_name, name, {}, records_wh, request)
    for record, expected in DEFAULT_SCHEME[name].items():
        assert got[record] == expected, (name, record)


def test_record_variables_are_declared() -> None:
    for module, table, key in (
        (certificates, "certificate", "certificate_id"),
        (naric, "naric_recognition", "decision_id"),
    ):
        for v in module.VARIABLES:
            assert (v.unit, v.record_table, v.record_key) == ("record", table, key), v.name
            assert v.label_nl and v.label_en, v.name
    assert catalog.get("naric_decision").value_labels()["REFUSED"] == "weigering"  # type: ignore[index]
    assert catalog.get("certificate_level").value_labels()["SEC"] == "secundair onderwijs"  # type: ignore[index]
