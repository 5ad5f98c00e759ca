"""Validation on tiny hand-built warehouses: a clean one gives no finding; one planted error per rule is found
with the right rule, table, field, file and row; no identifier ever appears in the report."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

# imported at collection: rich.console touches Python's global RNG on import, which the autouse guard forbids
from crossroads.cli import app
from crossroads.warehouse import schema
from crossroads.warehouse.storage import Warehouse, record_tables, sha256_file, write_tables
from crossroads.warehouse.validation import RULES, Finding, Report, _quarter_of, code_periods, validate

Rows = dict[str, list[dict[str, Any]]]

# Identifiers of the tiny warehouse (DOMAIN.md worked examples and valid numbers built by hand):
P1 = "85073003328"  # born 1985-07-30, man
P2 = "17073003384"  # born 2017-07-30
P3 = "88222999936"  # bis number, dies on 2020-05-15
P4 = "85073003427"  # valid (850730034 = 850730033 + 1, mod 97 = 69 + 1 = 70, CC = 97 − 70 = 27), unregistered
E1 = "0403019261"
RSZ1 = "100006"
U1 = "2012345678"
IDENTIFIERS = (P1, P2, P3, P4, E1, U1)
_ADD = (
    "add_unemployment",
    "add_incapacity",
    "add_assistance",
    "add_school_leaver",
    "add_pension",
    "add_career_break",
)


def baseline() -> Rows:
    """A small warehouse that breaks no rule (each list is one file, rows numbered from 1)."""
    return {
        "person": [
            dict(
                insz=P1,
                register="RR",
                sex="1",
                birth_date=date(1985, 7, 30),
                birth_country="150",
                first_nationality="150",
            ),
            dict(
                insz=P2,
                register="RR",
                sex="1",
                birth_date=date(2017, 7, 30),
                birth_country="150",
                first_nationality="150",
                father_insz=P1,
            ),
            dict(
                insz=P3,
                register="BIS",
                sex="2",
                birth_date=date(1988, 2, 29),
                birth_country="129",
                first_nationality="129",
                death_date=date(2020, 5, 15),
            ),
        ],
        "residence": [
            dict(insz=P1, nis_code="11001", start_date=date(2010, 1, 1), end_date=date(2019, 12, 31)),
            dict(insz=P1, nis_code="11002", start_date=date(2020, 1, 1)),
            dict(insz=P2, nis_code="11002", start_date=date(2017, 7, 30)),
            dict(insz=P3, nis_code="11001", start_date=date(2000, 1, 1), end_date=date(2020, 5, 15)),
        ],
        "household": [
            dict(
                insz=P1,
                household_id=1,
                lipro="SING",
                household_type="1P",
                is_reference_person=True,
                start_date=date(2010, 1, 1),
            ),
            dict(
                insz=P3,
                household_id=2,
                lipro="SING",
                household_type="1P",
                is_reference_person=True,
                start_date=date(2000, 1, 1),
                end_date=date(2020, 5, 15),
            ),
        ],
        "employer": [
            dict(
                enterprise_number=E1,
                rsz_number=RSZ1,
                nace="81210",
                employer_category="597",
                public_private="PRIV",
                organisation_type="REG",
                work_form="DC",
                nis_code="11001",
                start_date=date(2000, 1, 1),
            ),
        ],
        "local_unit": [dict(unit_number=U1, enterprise_number=E1, nis_code="11002", nace="81210")],
        "dmfa_employer_declaration": [
            dict(declaration_id=1, quarter=20201, rsz_number=RSZ1, enterprise_number=E1, trusteeship=0),
        ],
        "dmfa_natural_person": [
            dict(person_id=1, declaration_id=1, quarter=20201, sequence=1, insz=P1),
            dict(person_id=2, declaration_id=1, quarter=20201, sequence=2, insz=P3),
        ],
        "dmfa_worker_line": [
            dict(
                worker_line_id=1,
                person_id=1,
                quarter=20201,
                employer_class="597",
                worker_code="015",
                start_date=date(2020, 1, 1),
                end_date=date(2020, 3, 31),
                local_unit=U1,
            ),
            dict(worker_line_id=2, person_id=2, quarter=20201, employer_class="597", worker_code="015"),
        ],
        "dmfa_occupation": [
            dict(
                occupation_id=1,
                worker_line_id=1,
                quarter=20201,
                sequence=1,
                start_date=date(2019, 6, 1),
                joint_committee="322.01",
                days_per_week=300,
                mean_hours_worker=1900,
                mean_hours_reference=3800,
                contract_type=1,
                nace="81210",
            ),
            dict(
                occupation_id=2,
                worker_line_id=2,
                quarter=20201,
                sequence=1,
                start_date=date(2020, 1, 1),
                end_date=date(2020, 3, 31),
                joint_committee="322.01",
                days_per_week=500,
                mean_hours_worker=3800,
                mean_hours_reference=3800,
                contract_type=0,
            ),
        ],
        "dmfa_service": [dict(occupation_id=1, quarter=20201, service_code="1", days=3900, hours=29640)],
        "dmfa_remuneration": [
            dict(occupation_id=1, quarter=20201, remuneration_code="1", amount_cents=500000),
            dict(occupation_id=2, quarter=20201, remuneration_code="1", amount_cents=100000),
        ],
        "dmfa_worker_contribution": [
            dict(
                worker_line_id=1,
                quarter=20201,
                contribution_worker_code="015",
                contribution_type="1",
                base_cents=540000,
                amount_cents=135000,
            ),
        ],
        "dmfa_occupation_deduction": [
            dict(occupation_id=1, quarter=20201, deduction_code="3000", amount_cents=10000),
        ],
        "dmfa_worker_deduction": [
            dict(worker_line_id=1, quarter=20201, deduction_code="0001", amount_cents=5000)
        ],
        "unemployment": [
            dict(insz=P1, status="UVW", start_date=date(2009, 1, 1), end_date=date(2009, 12, 31))
        ],
        "pwa_work": [dict(insz=P1, quarter=20201, hours=30)],
        "socio_economic_position": [
            {"insz": P1, "quarter": 20201, "sep_code": "111", **dict.fromkeys(_ADD, False)},
            {"insz": P3, "quarter": 20201, "sep_code": "111", **dict.fromkeys(_ADD, False)},
        ],
        "voucher_worker_payment": [dict(insz=P1, quarter=20201, enterprise_number=E1, vouchers=100)],
        "voucher_order": [dict(insz=P1, month=202001, kind="E", orders=2, vouchers=10)],
    }


def arrow(name: str, rows: list[dict[str, Any]], nullable: bool = False) -> pa.Table:
    spec = schema.table(name)
    fields = [pa.field(f.name, f.arrow_type, nullable=nullable or f.nullable) for f in spec.fields]
    return pa.table(
        {f.name: pa.array([r.get(f.name) for r in rows], f.type) for f in fields}, schema=pa.schema(fields)
    )


def build(root: Path, rows: Rows, raw: dict[str, pa.Table] | None = None) -> Warehouse:
    """Write ``rows`` with the storage writers; ``raw`` tables go to disk as they are (schema errors)."""
    wh = Warehouse(root)
    raw = raw or {}
    with write_tables(wh, [n for n in rows if n not in raw]) as writers:
        for name, table_rows in rows.items():
            if name not in raw:
                writers[name].write(arrow(name, table_rows))
    manifest = record_tables({"synthetic": True, "seed": 0}, writers)
    for name, tbl in raw.items():
        path = root / "tables" / name / "part-00000.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(tbl, path)
        manifest["tables"][name] = {
            "rows": tbl.num_rows,
            "files": [
                {"path": str(path.relative_to(root)), "rows": tbl.num_rows, "sha256": sha256_file(path)}
            ],
        }
    wh.write_manifest(manifest)
    return wh


def file_of(name: str) -> str:
    spec = schema.table(name)
    return f"tables/{name}/" + ("year=2020/" if spec.partition else "") + "part-00000.parquet"


def assert_no_identifiers(report: Report) -> None:
    text = json.dumps(report.to_dict()) + "\n".join(str(e) for f in report.findings for e in f.examples)
    for value in IDENTIFIERS:
        assert value not in text


def only(report: Report, rule: str, table: str) -> Finding:
    found = [f for f in report.findings if f.rule == rule and f.table == table]
    assert len(found) == 1, f"expected one {rule} finding on {table}, got {report.findings}"
    return found[0]


# ------------------------------------------------------------------------------ the clean case
def test_clean_warehouse_has_no_findings(tmp_path: Path) -> None:
    report = validate(build(tmp_path, baseline()))
    assert report.findings == []
    assert report.ok and report.errors == 0
    assert report.rows["person"] == 3 and report.rows["dmfa_occupation"] == 2


# ------------------------------------------------------------------------------ one error per rule
def _set(table: str, row: int, **values: Any) -> Callable[[Rows], None]:
    def mutate(rows: Rows) -> None:
        rows[table][row - 1].update(values)

    return mutate


def _add(table: str, **values: Any) -> Callable[[Rows], None]:
    def mutate(rows: Rows) -> None:
        rows[table].append(values)

    return mutate


def _drop(table: str, row: int) -> Callable[[Rows], None]:
    def mutate(rows: Rows) -> None:
        del rows[table][row - 1]

    return mutate


def _chain(*steps: Callable[[Rows], None]) -> Callable[[Rows], None]:
    def mutate(rows: Rows) -> None:
        for s in steps:
            s(rows)

    return mutate


# (rule, mutation, table, field, row of the planted error, rules that may follow from it as well)
CASES: list[tuple[str, Callable[[Rows], None], str, str, int, set[str]]] = [
    ("schema.quarter", _set("pwa_work", 1, quarter=20205), "pwa_work", "quarter", 1, set()),
    ("id.insz", _set("person", 2, insz="17073003385"), "person", "insz", 2, {"ref.missing"}),
    (
        "id.enterprise",
        _set("dmfa_employer_declaration", 1, enterprise_number="0403019262"),
        "dmfa_employer_declaration",
        "enterprise_number",
        1,
        {"ref.missing"},
    ),
    ("id.rsz", _set("employer", 1, rsz_number="100007"), "employer", "rsz_number", 1, set()),
    (
        "id.local_unit",
        _set("local_unit", 1, unit_number="1012345678"),
        "local_unit",
        "unit_number",
        1,
        {"ref.missing"},
    ),
    ("code.unknown", _set("residence", 2, nis_code="99999"), "residence", "nis_code", 2, set()),
    (
        "code.unknown",
        _set("dmfa_occupation", 2, joint_committee="322.99"),
        "dmfa_occupation",
        "joint_committee",
        2,
        set(),
    ),
    ("code.unknown", _set("household", 1, lipro="XXXX"), "household", "lipro", 1, set()),
    (
        "code.unknown",
        _set("socio_economic_position", 2, sep_code="999"),
        "socio_economic_position",
        "sep_code",
        2,
        set(),
    ),
    (
        "code.unknown",
        _set("dmfa_remuneration", 2, remuneration_code="999"),
        "dmfa_remuneration",
        "remuneration_code",
        2,
        set(),
    ),
    (
        "code.unknown",
        _set("dmfa_occupation_deduction", 1, deduction_code="3001"),
        "dmfa_occupation_deduction",
        "deduction_code",
        1,
        set(),
    ),  # DOMAIN.md §6: there is no reduction code 3001
    (
        "code.unknown",
        _set("dmfa_worker_line", 2, worker_code="018"),
        "dmfa_worker_line",
        "worker_code",
        2,
        set(),
    ),
    ("code.unknown", _set("employer", 1, nace="99999"), "employer", "nace", 1, set()),
    ("code.unknown", _set("person", 1, sex="3"), "person", "sex", 1, set()),
    # annex 4: code 0501 could be declared from 2000/1 to 2014/2 only; annex 21: status A until 2003/2
    (
        "code.out_of_period",
        _set("dmfa_occupation_deduction", 1, deduction_code="0501"),
        "dmfa_occupation_deduction",
        "deduction_code",
        1,
        set(),
    ),
    (
        "code.out_of_period",
        _set("dmfa_occupation", 2, worker_status="A"),
        "dmfa_occupation",
        "worker_status",
        2,
        set(),
    ),
    (
        "ref.missing",
        _add("residence", insz=P4, nis_code="11001", start_date=date(2015, 1, 1)),
        "residence",
        "insz",
        5,
        set(),
    ),
    ("ref.missing", _set("person", 2, father_insz=P4), "person", "father_insz", 2, set()),
    (
        "spell.end_before_start",
        _set("unemployment", 1, end_date=date(2008, 12, 31)),
        "unemployment",
        "end_date",
        1,
        set(),
    ),
    (
        "spell.residence_overlap",
        _set("residence", 2, start_date=date(2019, 6, 1)),
        "residence",
        "start_date",
        2,
        set(),
    ),
    (
        "spell.household_overlap",
        _add(
            "household",
            insz=P1,
            household_id=3,
            lipro="MAR0",
            household_type="CPL0",
            is_reference_person=False,
            start_date=date(2015, 1, 1),
        ),
        "household",
        "start_date",
        3,
        set(),
    ),
    (
        "death.residence_after",
        _set("residence", 4, end_date=date(2021, 1, 1)),
        "residence",
        "start_date",
        4,
        set(),
    ),
    ("death.work_after", _add("pwa_work", insz=P3, quarter=20203, hours=10), "pwa_work", "quarter", 2, set()),
    (
        "death.work_after",
        _chain(
            _set("person", 3, death_date=date(2020, 2, 15)),
            _set("residence", 4, end_date=date(2020, 2, 15)),
            _set("household", 2, end_date=date(2020, 2, 15)),
            _set("dmfa_occupation", 2, start_date=date(2020, 3, 1)),
        ),
        "dmfa_occupation",
        "start_date",
        2,
        set(),
    ),
    (
        "death.benefit_after",
        _add("unemployment", insz=P3, status="UVW", start_date=date(2020, 6, 1)),
        "unemployment",
        "start_date",
        2,
        set(),
    ),
    (
        "death.position_after",
        _add("socio_economic_position", insz=P3, quarter=20203, sep_code="111", **dict.fromkeys(_ADD, False)),
        "socio_economic_position",
        "quarter",
        3,
        set(),
    ),
    (
        "dmfa.outside_quarter",
        _set("dmfa_occupation", 2, start_date=date(2020, 4, 1), end_date=None),
        "dmfa_occupation",
        "start_date",
        2,
        set(),
    ),
    (
        "dmfa.outside_quarter",
        _set("dmfa_worker_line", 1, end_date=date(2019, 12, 31), start_date=date(2019, 10, 1)),
        "dmfa_worker_line",
        "end_date",
        1,
        set(),
    ),
    (
        "dmfa.quarter_mismatch",
        _set("dmfa_remuneration", 1, quarter=20202),
        "dmfa_remuneration",
        "quarter",
        1,
        set(),
    ),
    (
        "dmfa.quarter_mismatch",
        _set("dmfa_natural_person", 2, quarter=20202),
        "dmfa_natural_person",
        "quarter",
        2,
        {"dmfa.quarter_mismatch"},
    ),
    ("dmfa.negative", _set("dmfa_service", 1, days=-100), "dmfa_service", "days", 1, set()),
    (
        "dmfa.negative",
        _set("dmfa_occupation", 1, days_per_week=800),
        "dmfa_occupation",
        "days_per_week",
        1,
        set(),
    ),
    (
        "dmfa.contribution_base",
        _set("dmfa_worker_contribution", 1, amount_cents=540001),
        "dmfa_worker_contribution",
        "amount_cents",
        1,
        set(),
    ),
    (
        "dmfa.no_remuneration",
        _drop("dmfa_remuneration", 2),
        "dmfa_occupation",
        "occupation_id",
        2,
        set(),
    ),
    (
        "dmfa.no_occupation",
        _add(
            "dmfa_worker_line",
            worker_line_id=3,
            person_id=1,
            quarter=20201,
            employer_class="597",
            worker_code="495",
        ),
        "dmfa_worker_line",
        "worker_line_id",
        3,
        set(),
    ),
    (
        "value.negative",
        _set("voucher_worker_payment", 1, vouchers=-1),
        "voucher_worker_payment",
        "vouchers",
        1,
        set(),
    ),
]


@pytest.mark.parametrize(
    ("rule", "mutate", "table", "field", "row", "also"), CASES, ids=[f"{c[0]}-{c[2]}-{c[3]}" for c in CASES]
)
def test_planted_error_is_found(
    tmp_path: Path,
    rule: str,
    mutate: Callable[[Rows], None],
    table: str,
    field: str,
    row: int,
    also: set[str],
) -> None:
    rows = copy.deepcopy(baseline())
    mutate(rows)
    report = validate(build(tmp_path, rows))
    finding = only(report, rule, table)
    assert finding.field == field
    assert finding.count == 1
    assert [(e.file, e.row) for e in finding.examples] == [(file_of(table), row)]
    others = {f.rule for f in report.findings if f is not finding}
    assert others <= also, f"unexpected findings {others - also}"
    assert report.ok == (RULES[rule][0] == "warning" and not others)
    assert_no_identifiers(report)


def test_duplicate_key_names_both_rows_and_the_safe_key(tmp_path: Path) -> None:
    rows = baseline()
    rows["dmfa_occupation"][1]["occupation_id"] = 1  # two occupations numbered 1
    report = validate(build(tmp_path, rows))
    finding = only(report, "key.duplicate", "dmfa_occupation")
    assert finding.count == 2
    # DmfA line numbers are sequence numbers, not identifiers: the key is shown with the row
    assert [(e.row, e.key) for e in finding.examples] == [
        (1, {"occupation_id": 1}),
        (2, {"occupation_id": 1}),
    ]
    assert_no_identifiers(report)


def test_duplicate_key_with_an_identifier_shows_rows_only(tmp_path: Path) -> None:
    rows = baseline()
    rows["person"].append(dict(rows["person"][0]))
    report = validate(build(tmp_path, rows))
    finding = only(report, "key.duplicate", "person")
    assert [(e.row, e.key) for e in finding.examples] == [(1, None), (4, None)]
    assert_no_identifiers(report)


def test_not_null_and_schema_errors(tmp_path: Path) -> None:
    rows = baseline()
    person = arrow("person", rows["person"], nullable=True)
    person = person.set_column(person.schema.get_field_index("sex"), "sex", pa.array(["1", None, "2"]))
    # unemployment: status missing, start_date as text, and a column the schema does not know
    unemployment = arrow("unemployment", rows["unemployment"]).drop_columns(["status"])
    unemployment = unemployment.set_column(
        unemployment.schema.get_field_index("start_date"), "start_date", pa.array(["2009-01-01"])
    )
    unemployment = unemployment.append_column("note", pa.array(["x"]))
    report = validate(build(tmp_path, rows, raw={"person": person, "unemployment": unemployment}))
    nn = only(report, "schema.not_null", "person")
    assert (nn.field, nn.count, nn.examples[0].row) == ("sex", 1, 2)
    assert only(report, "schema.missing_column", "unemployment").field == "status"
    typ = only(report, "schema.type", "unemployment")
    assert typ.field == "start_date" and "string" in typ.detail
    assert only(report, "schema.extra_column", "unemployment").field == "note"
    # rules on the broken columns are skipped, not crashed on
    assert not [f for f in report.findings if f.table == "unemployment" and f.rule.startswith("spell")]
    assert_no_identifiers(report)


def test_storage_integrity(tmp_path: Path) -> None:
    wh = build(tmp_path, baseline())
    manifest = wh.manifest()
    manifest["tables"]["employer"]["files"][0]["sha256"] = "0" * 64
    manifest["tables"]["pwa_work"]["files"][0]["rows"] = 2
    manifest.pop("format")
    wh.write_manifest(manifest)
    (tmp_path / file_of("voucher_order")).unlink()
    (tmp_path / file_of("household")).write_bytes(b"not parquet")
    report = validate(wh)
    assert only(report, "storage.checksum", "employer").examples[0].file == file_of("employer")
    assert only(report, "storage.row_count", "pwa_work").count == 1
    assert only(report, "storage.missing_file", "voucher_order").examples[0].file == file_of("voucher_order")
    unreadable = only(report, "storage.unreadable", "household")
    assert str(unreadable.examples[0]) == file_of("household")  # the whole file, no row
    # the tables whose files are gone are skipped by the row checks; nothing else is reported
    assert {f.rule for f in report.findings} == {
        "storage.checksum",
        "storage.row_count",
        "storage.missing_file",
        "storage.unreadable",
    }
    assert "storage.checksum" not in {
        f.rule for f in validate(wh, checksums=False).findings if f.table == "employer"
    }


def test_examples_are_capped_but_the_count_is_not(tmp_path: Path) -> None:
    rows = baseline()
    rows["residence"] += [
        dict(insz=P1, nis_code="00000", start_date=date(1990 + i, 1, 1), end_date=date(1990 + i, 6, 30))
        for i in range(8)
    ]
    report = validate(build(tmp_path, rows), examples=3)
    finding = only(report, "code.unknown", "residence")
    assert finding.count == 8
    assert [e.row for e in finding.examples] == [5, 6, 7]


def test_cli_report_exit_code_json_and_no_identifiers(tmp_path: Path) -> None:
    rows = baseline()
    rows["person"][1]["insz"] = "17073003385"
    rows["residence"][1]["nis_code"] = "99999"
    wh = build(tmp_path / "wh", rows)
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["warehouse", "validate", str(wh.root), "--json", str(out)])
    assert result.exit_code == 1, result.output
    assert "id.insz" in result.output and "code.unknown" in result.output
    words = " ".join(result.output.split())  # the console wraps long lines
    assert "INVALID" in words and "3 errors, 0 warnings" in words
    data = json.loads(out.read_text())
    assert data["errors"] == 3  # the bad INSZ, the residence of that person (row 3) now dangling, the code
    for value in IDENTIFIERS:
        assert value not in result.output and value not in out.read_text()

    clean = build(tmp_path / "clean", baseline())
    ok = CliRunner().invoke(app, ["warehouse", "validate", str(clean.root)])
    assert ok.exit_code == 0, ok.output
    assert "0 errors" in ok.output


def test_not_a_warehouse(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["warehouse", "validate", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a warehouse" in result.output


def test_a_generated_warehouse_validates(tmp_path: Path) -> None:
    # The synthetic generator and the checks meet here: every rule must hold on generated data, or one of the
    # two is wrong.
    from crossroads.warehouse.synthetic import build

    wh = build(tmp_path / "wh", 0.0002, 3)
    report = validate(wh)
    assert sum(report.rows.values()) > 100_000
    assert [(f.rule, f.table) for f in report.findings if f.severity == "error"] == []
    assert_no_identifiers(report)
    persons = wh.read("person", columns=["insz"]).column("insz").to_pylist()
    text = json.dumps(report.to_dict())
    assert not any(p in text for p in persons)


def test_annex_validity_periods() -> None:
    # quarters from the annexes' two notations; an end on the first day of a quarter excludes that quarter
    assert _quarter_of("2003/1", end=False) == 20031
    assert _quarter_of("31/12/2007", end=True) == 20074
    assert _quarter_of("01/01/2008", end=True) == 20074
    assert _quarter_of("01/04/2007", end=False) == 20072
    assert _quarter_of("30/06/2003", end=True) == 20032
    assert _quarter_of("01/01/9999", end=True) == 99994
    # rows of the shipped annexes: 322.01 since 1 Jan 2004; reduction 6320 from 2016/3 (DOMAIN.md §6)
    assert ("322.01", 20041, 99994) in code_periods("joint_committees")
    assert ("6320", 20163, 99994) in code_periods("reduction_codes")


def test_a_malformed_dmfa_quarter_is_reported_not_crashed_on(tmp_path: Path) -> None:
    # quarter 20205 cannot become dates: the quarter rules skip it, schema.quarter reports it
    rows = baseline()
    for name in ("dmfa_occupation", "dmfa_remuneration"):
        for r in rows[name]:
            r["quarter"] = 20205 if r["occupation_id"] == 2 else r["quarter"]
    report = validate(build(tmp_path, rows))
    finding = only(report, "schema.quarter", "dmfa_occupation")
    assert (finding.field, finding.count, finding.examples[0].row) == ("quarter", 1, 2)
    assert "dmfa.outside_quarter" not in {f.rule for f in report.findings}
