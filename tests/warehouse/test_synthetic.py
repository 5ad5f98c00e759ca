"""The synthetic warehouse generator: schema, identifiers, determinism, coherence and calibration.

One small warehouse (scale 0.003, about 45,000 persons) is built once per session and shared.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest
from duckdb import DuckDBPyConnection
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from crossroads.cli import (
    app,
)  # imported at collection: a sibling CLI module touches the global RNG on import
from crossroads.warehouse.identifiers import enterprise_is_valid, insz_is_valid, rsz_is_valid
from crossroads.warehouse.schema import TABLES
from crossroads.warehouse.storage import Warehouse
from crossroads.warehouse.synthetic import WarehouseExists, build, calibration
from crossroads.warehouse.synthetic.build import created_for
from crossroads.warehouse.synthetic.dmfa import employer_rate, structural_reduction
from crossroads.warehouse.synthetic.households import LIPRO_BY_TYPE
from crossroads.warehouse.synthetic.population import _snap

SCALE = 0.003


def _one(con: DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row


@pytest.fixture(scope="session")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    yield build(tmp_path_factory.mktemp("synthetic") / "wh", SCALE, seed=11)


@pytest.fixture(scope="session")
def con(wh: Warehouse) -> DuckDBPyConnection:
    return calibration.connect(wh)


def test_every_table_has_the_schema_exactly(wh: Warehouse) -> None:
    m = wh.manifest()
    assert (
        m["synthetic"] is True and m["seed"] == 11 and m["scale"] == SCALE and m["period"] == "2007Q1-2024Q4"
    )
    for spec in TABLES:
        files = wh.files(spec.name)
        assert files, f"table {spec.name} has no files"
        for f in files:
            got = pq.read_schema(f).remove_metadata()
            assert got.equals(spec.arrow_schema()), f"{spec.name}: {got} != {spec.arrow_schema()}"


def test_identifiers_are_valid_and_unique(con: DuckDBPyConnection) -> None:
    insz = [r[0] for r in con.execute("SELECT insz FROM person").fetchall()]
    assert len(insz) == len(set(insz)) > 30_000
    assert all(insz_is_valid(x) for x in insz)
    # people born in 2000 or later and bis numbers (month + 20 or + 40) are among them
    assert any(x[:2] in ("05", "10", "15") for x in insz)
    assert _one(con, "SELECT count(*) FROM person WHERE register = 'BIS'")[0] > 0
    assert all(
        int(x[2:4]) > 12 for (x,) in con.execute("SELECT insz FROM person WHERE register = 'BIS'").fetchall()
    )
    ent = [r[0] for r in con.execute("SELECT enterprise_number FROM employer").fetchall()]
    assert len(ent) == len(set(ent)) and all(enterprise_is_valid(x) for x in ent)
    rsz = [r[0] for r in con.execute("SELECT rsz_number FROM employer").fetchall()]
    assert len(rsz) == len(set(rsz)) and all(rsz_is_valid(x) for x in rsz)
    units = [r[0] for r in con.execute("SELECT unit_number FROM local_unit").fetchall()]
    assert len(units) == len(set(units))
    assert all(len(u) == 10 and u[0] in "2345678" and (int(u[:8]) + int(u[8:])) % 97 == 0 for u in units)


def test_references_resolve(con: DuckDBPyConnection) -> None:
    for table in (
        "residence",
        "household",
        "socio_economic_position",
        "dmfa_natural_person",
        "certificate",
        "voucher_order",
        "voucher_worker_payment",
    ):
        missing = _one(con, f"SELECT count(*) FROM {table} WHERE insz NOT IN (SELECT insz FROM person)")
        assert missing[0] == 0, table
    orphan = _one(
        con,
        "SELECT count(*) FROM dmfa_natural_person WHERE declaration_id NOT IN "
        "(SELECT declaration_id FROM dmfa_employer_declaration)",
    )[0]
    assert orphan == 0


def test_same_seed_gives_identical_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # several chunks, so that the pipelined generation (one chunk generated while another is written)
    # is covered too
    monkeypatch.setattr(sys.modules["crossroads.warehouse.synthetic.build"], "CHUNK_PERSONS", 2_500)

    def digests(root: Path) -> dict[str, str]:
        return {
            str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }

    a = build(tmp_path / "a", 0.0003, seed=5)
    b = build(tmp_path / "b", 0.0003, seed=5)
    assert a.manifest()["chunks"] >= 2
    assert digests(a.root) == digests(b.root)
    assert "manifest.json" in digests(a.root)
    # the manifest's creation stamp comes from the seed, not the clock
    assert a.manifest()["created"] == created_for(5) != created_for(6)


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    with pytest.raises(WarehouseExists):
        build(tmp_path / "x", 0.0003, seed=1)
    assert (tmp_path / "x" / "keep.txt").read_text() == "mine"
    assert not (tmp_path / ".x.building").exists()
    replaced = build(tmp_path / "x", 0.0003, seed=1, force=True)
    assert replaced.manifest()["seed"] == 1 and not (tmp_path / "x" / "keep.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x"]  # no temporary or replaced directory left


def test_nothing_happens_after_death(con: DuckDBPyConnection) -> None:
    q = """SELECT count(*) FROM {t} x JOIN person p USING (insz)
           WHERE p.death_date IS NOT NULL AND x.start_date > p.death_date"""
    for t in ("residence", "household", "unemployment", "incapacity", "pension", "self_employment"):
        assert _one(con, q.format(t=t))[0] == 0, t
    work_after_death = _one(
        con,
        """
        SELECT count(*) FROM dmfa_natural_person n JOIN dmfa_worker_line w ON w.person_id = n.person_id
        JOIN person p ON p.insz = n.insz
        WHERE p.death_date IS NOT NULL AND w.start_date > p.death_date""",
    )
    assert work_after_death[0] == 0
    two_homes = _one(
        con,
        """
        SELECT count(*) FROM residence a JOIN residence b ON a.insz = b.insz AND a.start_date < b.start_date
        WHERE coalesce(a.end_date, DATE '9999-12-31') >= b.start_date""",
    )[0]
    assert two_homes == 0


def test_lipro_matches_household_type(con: DuckDBPyConnection) -> None:
    pairs = con.execute("SELECT DISTINCT household_type, lipro FROM household").fetchall()
    for htype, lipro in pairs:
        assert lipro in LIPRO_BY_TYPE[htype], (htype, lipro)
    assert {h for h, _ in pairs} == set(LIPRO_BY_TYPE)


def test_position_follows_the_spells(con: DuckDBPyConnection) -> None:
    # with a DmfA occupation in the quarter, the position is "working" (main group 1)
    bad = _one(
        con,
        """
        SELECT count(*) FROM dmfa_natural_person n JOIN socio_economic_position s USING (insz, quarter)
        WHERE s.sep_code NOT LIKE '1%'""",
    )[0]
    assert bad == 0
    # an unemployment spell on the quarter's last day without a job means a job-seeker position
    bad = _one(
        con,
        """
        WITH qe AS (SELECT s.insz, s.quarter, s.sep_code,
                           last_day(make_date((s.quarter // 10)::INT, ((s.quarter % 10) * 3)::INT, 1)) AS d
                    FROM socio_economic_position s)
        SELECT count(*), count(*) FILTER (WHERE qe.sep_code NOT IN ('211', '212', '213', '312'))
        FROM qe JOIN unemployment u ON u.insz = qe.insz AND u.start_date <= qe.d
             AND coalesce(u.end_date, DATE '9999-12-31') >= qe.d
             AND u.status IN ('UVW', 'VDT', 'INS', 'VRIJ')
        WHERE NOT EXISTS (SELECT 1 FROM dmfa_natural_person n
                          WHERE n.insz = qe.insz AND n.quarter = qe.quarter)
    """,
    )
    assert bad[0] > 100 and bad[1] == 0
    one_per_quarter = _one(
        con, "SELECT count(*) - count(DISTINCT (insz, quarter)) FROM socio_economic_position"
    )
    assert one_per_quarter[0] == 0


def test_voucher_workers_look_like_voucher_workers(con: DuckDBPyConnection) -> None:
    share_597 = _one(
        con,
        """SELECT avg((e.employer_category = '597')::INT) FROM voucher_worker_payment v
                               JOIN employer e USING (enterprise_number)""",
    )[0]
    assert share_597 > 0.95
    blue, part, women, hourly = _one(
        con,
        """
        SELECT avg((w.worker_code = '015')::INT), avg(o.contract_type), avg((p.sex = '2')::INT),
               avg((o.remuneration_method = '3')::INT)
        FROM dmfa_occupation o JOIN dmfa_worker_line w USING (worker_line_id)
        JOIN dmfa_natural_person n ON n.person_id = w.person_id JOIN person p ON p.insz = n.insz
        WHERE o.joint_committee = '322.01'""",
    )
    assert blue > 0.9 and part > 0.6 and women > 0.8 and hourly == 1.0
    # the issuer's and the network's lists overlap largely but not completely (S000-3)
    issuer, network, both = _one(
        con,
        """
        WITH i AS (SELECT DISTINCT insz FROM voucher_worker_payment WHERE quarter BETWEEN 20201 AND 20204),
             n AS (SELECT DISTINCT n.insz FROM dmfa_natural_person n
                   JOIN dmfa_occupation o ON o.occupation_id = n.person_id
                   WHERE o.joint_committee = '322.01' AND n.quarter BETWEEN 20201 AND 20204)
        SELECT (SELECT count(*) FROM i), (SELECT count(*) FROM n),
               (SELECT count(*) FROM i JOIN n USING (insz))""",
    )
    jaccard = both / (issuer + network - both)
    assert 0.75 < jaccard < 0.95, jaccard  # about 0.85-0.9 (S000-3)


def test_initial_education_comes_before_the_first_job(con: DuckDBPyConnection) -> None:
    late = _one(
        con,
        """
        WITH first_job AS (SELECT n.insz, min(o.start_date) AS d FROM dmfa_natural_person n
                           JOIN dmfa_occupation o ON o.occupation_id = n.person_id GROUP BY n.insz)
        SELECT count(*), count(*) FILTER (WHERE c.issue_date > f.d)
        FROM certificate c JOIN first_job f USING (insz) WHERE c.certificate_type = 'initieel'""",
    )
    assert late[0] > 1000 and late[1] == 0


def test_users_shift_to_electronic_vouchers(con: DuckDBPyConnection) -> None:
    share = dict(
        con.execute("""SELECT month // 100, avg((kind = 'E')::INT) FROM voucher_order
                                GROUP BY 1""").fetchall()
    )
    assert share[2009] < 0.15 and 0.2 < share[2015] < 0.4 and share[2020] > 0.65


def test_calibration_within_proportionate_tolerance(wh: Warehouse) -> None:
    for r in calibration.measure(wh):
        assert r.ok, f"{r.figure.name}: {r.value} vs {r.expected:.0f} (±{r.tolerance:.0%})"


def test_calibration_tolerance_widens_for_small_samples() -> None:
    # 100 expected: 4/sqrt(100) = 0.40 > 0.10; 400: 4/20 = 0.20; 1,600: 4/40 = 0.10;
    # 10,000: 4/100 = 0.04 -> 0.10
    assert calibration.tolerance(100) == pytest.approx(0.40)
    assert calibration.tolerance(400) == pytest.approx(0.20)
    assert calibration.tolerance(1_600) == pytest.approx(0.10)
    assert calibration.tolerance(10_000) == pytest.approx(0.10)


def test_structural_reduction_by_hand() -> None:
    # full time, S = 6,000: R = 0.128 × (8,850 − 6,000) = 364.8; β = 1/µ = 1 -> 364.8
    # half time, 3,000 paid (S = 6,000 FTE): R = 364.8; β = 1.18 (µ in [0.275, 0.55))
    #   -> 364.8 × 0.5 × 1.18 = 215.232
    # above the ceiling nothing; µ below 0.275 nothing
    got = structural_reduction(np.array([6000.0, 3000.0, 9000.0, 1000.0]), np.array([1.0, 0.5, 1.0, 0.2]))
    assert got == pytest.approx([364.8, 215.232, 0.0, 0.0])


def test_employer_rate_by_period_and_category() -> None:
    got = employer_rate(
        np.array([2015, 2017, 2019, 2019, 2019]),
        np.array([1, 1, 1, 1, 1]),
        np.array(["000", "000", "000", "011", "001"]),
    )
    assert got.tolist() == [32.40, 30.0, 25.0, 32.40, 24.82]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(-20_000, 20_000), min_size=1, max_size=20), st.integers(1, 400), st.data())
def test_snapped_birth_dates_belong_to_their_chunk(
    days: list[int], n_chunks: int, data: st.DataObject
) -> None:
    chunk = data.draw(st.integers(0, n_chunks - 1))
    arr = np.array(days, np.int32)
    for forward in (False, True):
        got = _snap(arr, n_chunks, chunk, forward=forward)
        assert np.all((got - chunk) % n_chunks == 0)
        assert np.all(np.abs(got.astype(np.int64) - arr) < n_chunks)


CODED = (
    ("dmfa_occupation", "joint_committee", "joint_committees"),
    ("dmfa_occupation", "nace", "nace_codes"),
    ("employer", "nace", "nace_codes"),
    ("employer", "employer_category", "employer_categories"),
    ("dmfa_worker_line", "worker_code", "worker_codes"),
    ("dmfa_worker_line", "employer_class", "employer_categories"),
    ("dmfa_service", "service_code", "service_codes"),
    ("dmfa_remuneration", "remuneration_code", "remuneration_codes"),
    ("dmfa_occupation_deduction", "deduction_code", "reduction_codes"),
    ("dmfa_worker_deduction", "deduction_code", "reduction_codes"),
    ("person", "birth_country", "country_codes"),
    ("nationality", "nationality", "country_codes"),
    ("residence", "nis_code", "municipalities"),
    ("local_unit", "nis_code", "municipalities"),
    ("household", "lipro", "lipro"),
    ("socio_economic_position", "sep_code", "sep_nomenclature"),
)


@pytest.mark.parametrize(("table", "column", "codelist"), CODED)
def test_codes_come_from_the_official_lists(
    con: DuckDBPyConnection, table: str, column: str, codelist: str
) -> None:
    from crossroads import codelists

    used = {
        r[0]
        for r in con.execute(f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL").fetchall()
    }
    unknown = used - set(codelists.codes(codelist))
    assert used and not unknown, f"{table}.{column}: {sorted(unknown)[:5]}"


def test_real_codes_are_used(con: DuckDBPyConnection) -> None:
    # the code values the domain sheet names all occur
    assert _one(con, "SELECT count(*) FROM employer WHERE employer_category = '597'")[0] > 0
    for code in ("3000", "6320"):
        assert (
            _one(con, f"SELECT count(*) FROM dmfa_occupation_deduction WHERE deduction_code = '{code}'")[0]
            > 0
        )
    countries = {r[0] for r in con.execute("SELECT DISTINCT birth_country FROM person").fetchall()}
    assert {"150", "129", "111", "354", "262"} <= countries


def test_chunks_keep_identifiers_unique(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = sys.modules["crossroads.warehouse.synthetic.build"]
    monkeypatch.setattr(module, "CHUNK_PERSONS", 2_000)
    wh = build(tmp_path / "chunked", 0.0004, seed=3)
    assert wh.manifest()["chunks"] >= 3
    c = wh.duckdb()
    for table, key in (
        ("person", "insz"),
        ("dmfa_natural_person", "person_id"),
        ("certificate", "certificate_id"),
        ("dmfa_employer_declaration", "declaration_id"),
    ):
        dup = _one(c, f"SELECT count(*) - count(DISTINCT {key}) FROM {table}")[0]
        assert dup == 0, table
    seq_dup = _one(c, "SELECT count(*) - count(DISTINCT (declaration_id, sequence)) FROM dmfa_natural_person")
    assert seq_dup[0] == 0
    assert all(insz_is_valid(x) for (x,) in c.execute("SELECT insz FROM person").fetchall())


def test_cli_build_summary_and_calibration(tmp_path: Path, wh: Warehouse) -> None:
    runner = CliRunner()
    out = tmp_path / "cli"
    done = runner.invoke(app, ["warehouse", "build", "--scale", "0.0004", "--seed", "2", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "persons" in done.output and str(out) in done.output.replace("\n", "")
    again = runner.invoke(app, ["warehouse", "build", "--scale", "0.0004", "--seed", "2", "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    summary = runner.invoke(app, ["warehouse", "summary", str(out)])
    assert summary.exit_code == 0 and "dmfa_occupation" in summary.output
    calib = runner.invoke(app, ["warehouse", "calibration", str(wh.root)])
    assert calib.exit_code == 0, calib.output
    assert "5 of 5 figures within tolerance" in calib.output.replace("\n", " ")
    # no INSZ in any output
    assert not re.search(r"\b\d{11}\b", done.output + summary.output + calib.output)


def test_moves_stay_mostly_within_the_region(con: DuckDBPyConnection) -> None:
    same, total = _one(
        con,
        """
        WITH r AS (SELECT insz, nis_code, lag(nis_code) OVER (PARTITION BY insz ORDER BY start_date) AS before
                   FROM residence WHERE nis_code IS NOT NULL)
        SELECT count(*) FILTER (WHERE a.region_nis = b.region_nis), count(*)
        FROM r JOIN municipalities a ON a.nis_code = r.nis_code JOIN municipalities b ON b.nis_code = r.before
        WHERE r.before <> r.nis_code""",
    )
    assert total > 1000 and same / total > 0.8


def test_naric_applicants_were_born_abroad(con: DuckDBPyConnection) -> None:
    born_here = _one(
        con,
        """SELECT count(*) FROM naric_recognition JOIN person USING (insz)
                               WHERE birth_country = '150'""",
    )[0]
    assert born_here == 0
    late = _one(con, "SELECT count(*) FROM naric_recognition WHERE decision_date < application_date")
    assert late[0] == 0


def test_education_level_never_goes_down(con: DuckDBPyConnection) -> None:
    down = _one(
        con,
        """
        SELECT count(*) FROM (SELECT isced, lag(isced) OVER (PARTITION BY insz ORDER BY year) AS before
                              FROM education_level) WHERE isced::INT < before::INT""",
    )[0]
    assert down == 0


def test_voucher_users_are_older_and_working(con: DuckDBPyConnection) -> None:
    users_age, all_age = _one(
        con,
        """
        WITH u AS (SELECT DISTINCT insz FROM voucher_order WHERE month BETWEEN 202001 AND 202012),
             adults AS (SELECT p.insz, date_diff('year', p.birth_date, DATE '2020-12-31') AS age
                        FROM person p JOIN socio_economic_position s ON s.insz = p.insz AND s.quarter = 20204
                        WHERE date_diff('year', p.birth_date, DATE '2020-12-31') >= 18)
        SELECT avg(age) FILTER (WHERE insz IN (SELECT insz FROM u)), avg(age) FROM adults""",
    )
    assert users_age > all_age + 5
    user_active, all_active = _one(
        con,
        """
        WITH u AS (SELECT DISTINCT insz FROM voucher_order WHERE month BETWEEN 202001 AND 202012),
             s AS (SELECT insz, (sep_code LIKE '1%' OR sep_code = '34')::INT AS active
                   FROM socio_economic_position JOIN person USING (insz)
                   WHERE quarter = 20204 AND date_diff('year', birth_date, DATE '2020-12-31') >= 25)
        SELECT avg(active) FILTER (WHERE insz IN (SELECT insz FROM u)), avg(active) FROM s""",
    )
    assert user_active > all_active + 0.05


def test_members_of_a_household_agree_on_its_type(con: DuckDBPyConnection) -> None:
    rows = con.execute("""
        SELECT household_id, count(DISTINCT household_type) AS types,
               count(*) FILTER (WHERE lipro IN ('MAR0', 'MAR+', 'UNM0', 'UNM+')) AS partners,
               count(*) FILTER (WHERE is_reference_person) AS refs, any_value(household_type) AS t
        FROM household WHERE household_type <> 'COLL' AND start_date <= DATE '2020-12-31'
          AND coalesce(end_date, DATE '9999-12-31') >= DATE '2020-12-31'
        GROUP BY household_id""").fetchall()
    assert len(rows) > 5000
    for _, types, partners, refs, htype in rows:
        assert types == 1 and refs <= 1
        assert partners == (2 if htype in ("CPL0", "CPL+") else 0)


def test_pensions_start_at_sixty_or_later(con: DuckDBPyConnection) -> None:
    young = _one(
        con,
        """SELECT count(*), min(date_diff('day', p.birth_date, s.start_date) / 365.25)
                           FROM pension s JOIN person p USING (insz)""",
    )
    assert young[0] > 1000 and young[1] >= 59.99


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 5))
def test_every_generated_insz_is_valid_and_unique(seed: int, n_chunks: int) -> None:
    from crossroads.warehouse.synthetic import population
    from crossroads.warehouse.synthetic.geography import geography

    people = population.generate(np.random.default_rng(seed), geography(), 0.0002, n_chunks, seed % n_chunks)
    numbers = people.insz.to_pylist()
    assert len(numbers) == len(set(numbers)) > 100
    assert all(insz_is_valid(x) for x in numbers)
    # born in 2000 or later -> the check digits use the "2" prefix (DOMAIN.md §1)
    young = people.birth >= np.datetime64("2000-01-01", "D").astype(np.int64)
    for number, is_young in zip(numbers, young.tolist(), strict=True):
        base = int(number[:9]) + (2_000_000_000 if is_young else 0)
        assert int(number[9:]) == 97 - base % 97


def test_size_classes_by_hand() -> None:
    from crossroads.warehouse.synthetic import employers
    from crossroads.warehouse.synthetic.geography import geography

    emp = employers.generate(np.random.default_rng(1), geography(), 0.0002)
    jobs = np.zeros((emp.n, 18), np.int64)
    # jobs at 31 December -> class: 1 -> "1" (1-4), 4 -> "1", 5 -> "2" (5-9), 999 -> "8" (500-999),
    # 1000 -> "9" (1000+)
    jobs[:5, 13] = [1, 4, 5, 999, 1000]
    got = employers.employer_years(np.random.default_rng(2), emp, jobs)
    assert got.column("size_class").to_pylist() == ["1", "1", "2", "8", "9"]
    assert got.column("year").to_pylist() == [2020] * 5


# ------------------------------------------------------------------ 15/018 provider inputs (S001-1, S001-2)
def test_provider_files_are_written_and_imported_with_quarantine(wh: Warehouse) -> None:
    folder = wh.root / "providers" / "15-018"
    names = {p.name for p in folder.iterdir()}
    assert {
        "vsawse_werkgevers_20131231.csv",
        "vsawse_werknemers_20081231.csv",
        "vsawse_werknemers_20131231.csv",
        "nrc_erkende_cooperaties_20131231.csv",
        "kbo_vso_20131231.csv",
        "ugent_bevraging.csv",
        "README.md",
        "import-report.json",
    } == names
    text = (folder / "import-report.json").read_text()
    report = {r["table"]: r for r in json.loads(text)}
    # the planted faults end in quarantine under their rules; nothing is dropped
    rules = {(r["table"], j["rule"]) for r in report.values() for j in r["rejections"]}
    assert {
        ("se_employers", "id.enterprise"),
        ("se_employees", "id.insz"),
        ("se_employees", "ref.missing"),
        ("se_employees", "key.duplicate"),
        ("recognised_cooperatives", "key.duplicate"),
        ("se_employer_survey", "code.unknown"),
    } <= rules
    for r in report.values():
        assert r["read"] == r["loaded"] + r["quarantined"] and r["loaded"] > 0
    # the report names files, rules and rows, never an INSZ or an enterprise number
    assert not re.search(r"\b\d{10,11}\b", text)
    assert wh.manifest()["synthetic"] is True
    assert (wh.root / report["se_employees"]["quarantine_file"]).is_file()


def test_provider_lists_agree_with_the_warehouse(con: DuckDBPyConnection) -> None:
    # every listed employee (imported) had a DmfA job at the listed employer in the quarter of the list
    without_job = _one(
        con,
        """SELECT count(*) FROM se_employees t WHERE NOT EXISTS (
               SELECT 1 FROM dmfa_natural_person n JOIN dmfa_employer_declaration d USING (declaration_id)
               WHERE n.insz = t.insz AND d.enterprise_number = t.employer_enterprise_number
                 AND n.quarter = year(t.reference_date) * 10 + quarter(t.reference_date))""",
    )[0]
    assert without_job == 0
    # listed employers are Flemish social-economy employers; about 24 % answered the survey
    n_listed, flemish, se_forms = _one(
        con,
        """SELECT count(*), count(*) FILTER (WHERE m.region_nis = '02000'),
                  count(*) FILTER (WHERE e.work_form IN ('MAAT', 'BW', 'SW', 'LDE', 'INV'))
           FROM se_employers s JOIN employer e USING (enterprise_number)
           JOIN municipalities m ON m.nis_code = e.nis_code""",
    )
    assert n_listed >= 5 and flemish == n_listed == se_forms
    answered = _one(con, "SELECT count(*) FROM se_employer_survey")[0]
    assert 1 <= answered <= round(0.24 * (n_listed + 1)) + 1
    staff = dict(con.execute("SELECT staff_type, count(*) FROM se_employees GROUP BY 1").fetchall())
    assert staff["DG"] > staff.get("OK", 0)
    # cooperatives and social-purpose companies: employers of that organisation type, plus some without staff
    for name, kind in (("recognised_cooperatives", "COOP"), ("social_purpose_companies", "VSO")):
        total, employers, typed = _one(
            con,
            f"""SELECT count(*), count(e.enterprise_number),
                       count(*) FILTER (WHERE e.organisation_type = '{kind}')
                FROM {name} l LEFT JOIN employer e USING (enterprise_number)""",
        )
        assert total > employers == typed > 0


def test_ocmw_and_self_employment_details_are_filled(con: DuckDBPyConnection) -> None:
    empty = _one(
        con,
        """SELECT count(*), count(*) FILTER (WHERE regulation IS NULL OR intervention_kind IS NULL
                  OR activation_type IS NULL OR programme_type IS NULL OR employment_purpose IS NULL)
           FROM ocmw_employment""",
    )
    assert empty[0] > 0 and empty[1] == 0
    art61_priv = _one(
        con, "SELECT bool_and(programme_type = 'PRIV') FROM ocmw_employment WHERE article = '61'"
    )
    assert art61_priv[0] in (True, None)
    se = _one(
        con,
        "SELECT count(*), count(nace), count(*) FILTER (WHERE quality = 'MAIN' AND contribution_code IN "
        "('HN', 'HS', 'HV', 'VRIJ') OR quality = 'SEC' AND contribution_code IN ('BB', 'VRIJ')) "
        "FROM self_employment",
    )
    assert se[0] > 0 and se[1] == se[0] and se[2] == se[0]


def test_the_15_018_groups_are_found_on_the_built_warehouse(wh: Warehouse) -> None:
    from crossroads import engine, permits
    from crossroads.engine.population import target_group

    version = permits.load(
        Path(__file__).resolve().parents[2] / "examples" / "permits" / "15-018.yaml"
    ).versions[0]
    inputs = {i.name: i for i in version.inputs}
    sizes = {}
    with engine.connect(wh) as e:
        for g in version.target_groups:
            params = dict(g.params)
            if "input" in params:
                params["input"] = inputs[params["input"]]
            sizes[g.name] = e.to_arrow(target_group(e, g.rule, 2013, 2013, params)).num_rows
    assert all(n > 0 for n in sizes.values()), sizes
