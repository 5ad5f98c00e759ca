"""Import of CSV and Parquet files: bad rows end in quarantine with a reason, good rows load, nothing is lost,
importing twice changes nothing, and a failed import leaves every file of the warehouse as it was."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

# imported at collection: rich.console touches Python's global RNG on import, which the autouse guard forbids
from crossroads.cli import app
from crossroads.warehouse import storage
from crossroads.warehouse.imports import ImportFileError, import_files
from crossroads.warehouse.storage import Warehouse
from crossroads.warehouse.validation import validate

P1 = "85073003328"  # DOMAIN.md §1 worked examples
P2 = "17073003384"
P3 = "88222999936"
BAD = "85073003329"  # P1 with the check digits off by one
UNKNOWN = (
    "85073003427"  # valid check digits (850730034 mod 97 = 70, 97 − 70 = 27) but not in the person table
)
IDENTIFIERS = (P1, P2, P3, BAD, UNKNOWN)

PERSONS = f"""insz,register,sex,birth_date,birth_country,first_nationality,death_date
{P1},RR,1,1985-07-30,150,150,
{P2},RR,1,2017-07-30,150,150,
{P3},BIS,2,1988-02-29,129,129,
"""

# rows 1 and 6 are good; every other row breaks exactly one rule (row 4 and 5 share a key)
RESIDENCES = f"""insz,nis_code,start_date,end_date
{P1},11001,2010-01-01,2019-12-31
{BAD},11001,2010-01-01,
{P2},99999,2017-07-30,
{P3},11002,2000-01-01,2020-02-30
{P3},11002,2021-01-01,
{P3},11001,2021-01-01,
{UNKNOWN},11001,2015-01-01,
{P1},11002,2020-01-01,
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def checksums(root: Path) -> dict[str, str]:
    """Every file under ``root`` with its sha256 (and every folder, with an empty hash)."""
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): (hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "")
        for p in sorted(root.rglob("*"))
    }


def quarantine_rows(root: Path, rel: str | None) -> list[dict[str, str]]:
    assert rel is not None
    with (root / rel).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def people(tmp_path: Path) -> Path:
    """A warehouse holding three persons, imported from CSV into an empty directory."""
    root = tmp_path / "wh"
    result = import_files(root, "person", [write(tmp_path / "persons.csv", PERSONS)])
    assert (result.read, result.loaded, result.quarantined, result.created) == (3, 3, 0, True)
    return root


def test_import_into_empty_directory_creates_a_real_warehouse(people: Path) -> None:
    wh = Warehouse(people)
    assert wh.manifest()["synthetic"] is False
    assert wh.read("person").column("insz").to_pylist() == [P1, P2, P3]
    assert wh.read("person").column("birth_date").to_pylist()[1] == date(2017, 7, 30)
    log = wh.manifest()["imports"]
    assert [(e["table"], e["file"], e["loaded"]) for e in log] == [("person", "persons.csv", 3)]
    assert log[0]["sha256"] == hashlib.sha256(PERSONS.encode()).hexdigest()
    assert validate(wh).findings == []


def test_bad_rows_go_to_quarantine_and_good_rows_load(people: Path, tmp_path: Path) -> None:
    result = import_files(people, "residence", [write(tmp_path / "res.csv", RESIDENCES)])
    # 8 rows read = 2 loaded (rows 1, 8) + 6 quarantined (rows 2-7); row 8 does not overlap row 1 (ends 2019)
    assert (result.read, result.loaded, result.already_loaded, result.quarantined) == (8, 2, 0, 6)
    got = {(r["row"], r["field"], r["rule"]) for r in quarantine_rows(people, result.quarantine_file)}
    assert got == {
        ("2", "insz", "id.insz"),
        ("2", "insz", "ref.missing"),  # a malformed INSZ cannot be in the person table either
        ("3", "nis_code", "code.unknown"),
        ("4", "end_date", "parse.date"),  # 30 February
        ("5", "insz, start_date", "key.duplicate"),
        ("6", "insz, start_date", "key.duplicate"),
        ("7", "insz", "ref.missing"),
    }
    loaded = Warehouse(people).read("residence")
    assert loaded.column("nis_code").to_pylist() == ["11001", "11002"]
    assert result.quarantine_file is not None and result.quarantine_file.startswith("quarantine/residence-")
    # the quarantine keeps the rejected rows' own values (custodian side) but the reasons carry none
    rows = quarantine_rows(people, result.quarantine_file)
    assert {r["insz"] for r in rows} == {BAD, P2, P3, UNKNOWN}
    for r in rows:
        assert not any(v in r["reason"] for v in IDENTIFIERS)
    for (rule, _field), refs in result.rejections.items():
        assert all(ref.startswith("res.csv row ") for ref in refs), rule


def test_wrong_type_and_malformed_lines(people: Path, tmp_path: Path) -> None:
    text = (
        f"insz,quarter,hours\n{P1},20201,12\n{P1},20202,1O\n{P2},2020Q3,4\n{P2},20204\n"
        f"{P3},20201,1.5\n{P3},20202,-3\n"
    )
    result = import_files(people, "pwa_work", [write(tmp_path / "pwa.csv", text)])
    assert (result.read, result.loaded, result.quarantined) == (6, 1, 5)
    got = {(r["row"], r["field"], r["rule"]) for r in quarantine_rows(people, result.quarantine_file)}
    assert got == {
        ("2", "hours", "parse.integer"),  # a letter O for a zero
        ("3", "quarter", "parse.integer"),
        ("4", "", "import.malformed_row"),  # two fields where the header has three
        ("5", "hours", "parse.integer"),  # a fraction in an integer field (DuckDB alone would round it)
        ("6", "hours", "value.negative"),
    }
    assert Warehouse(people).read("pwa_work").column("quarter").to_pylist() == [20201]


def test_importing_the_same_file_twice_changes_nothing(people: Path, tmp_path: Path) -> None:
    res = write(tmp_path / "res.csv", RESIDENCES)
    first = import_files(people, "residence", [res])
    before = checksums(people)
    second = import_files(people, "residence", [res])
    assert checksums(people) == before
    assert second.unchanged
    # rows are recognised one by one: the two good rows as already loaded, the bad ones rejected again
    assert (second.loaded, second.already_loaded, second.quarantined) == (0, 2, first.quarantined)
    assert "nothing changed" in second.summary()


def test_same_rows_in_another_file_are_counted_as_already_loaded(people: Path, tmp_path: Path) -> None:
    again = write(tmp_path / "persons-copy.csv", PERSONS.replace("\n", "\r\n"))  # other bytes, same rows
    result = import_files(people, "person", [again])
    assert (result.read, result.loaded, result.already_loaded, result.quarantined) == (3, 0, 3, 0)
    assert not result.unchanged  # a new file: its import is logged
    wh = Warehouse(people)
    assert wh.manifest()["tables"]["person"]["rows"] == 3
    assert len(wh.files("person")) == 1
    assert [e["file"] for e in wh.manifest()["imports"]] == ["persons.csv", "persons-copy.csv"]


def test_same_key_with_other_content_is_a_conflict(people: Path, tmp_path: Path) -> None:
    changed = PERSONS.replace(f"{P3},BIS,2,", f"{P3},BIS,1,")  # the same INSZ, another sex
    result = import_files(people, "person", [write(tmp_path / "p2.csv", changed)])
    assert (result.loaded, result.already_loaded, result.quarantined) == (0, 2, 1)
    assert list(result.rejections) == [("import.key_conflict", "key")]
    assert Warehouse(people).read("person").column("sex").to_pylist() == ["1", "1", "2"]


def test_parquet_files_import_like_csv(people: Path, tmp_path: Path) -> None:
    path = tmp_path / "unemployment.parquet"
    pq.write_table(
        pa.table(
            {
                "insz": [P1, P2, "x"],
                "status": ["UVW", "XXX", "UVW"],
                "start_date": pa.array([date(2009, 1, 1), date(2018, 1, 1), date(2009, 1, 1)]),
                "end_date": pa.array([date(2009, 12, 31), None, None], pa.date32()),
                "daily_benefit_cents": pa.array([5000, 4000, 1], pa.int64()),
            }
        ),
        path,
    )
    result = import_files(people, "unemployment", [path])
    assert (result.read, result.loaded, result.quarantined) == (3, 1, 2)
    assert set(result.rejections) == {
        ("code.unknown", "status"),
        ("id.insz", "insz"),
        ("ref.missing", "insz"),
    }
    table = Warehouse(people).read("unemployment")
    assert table.column("daily_benefit_cents").type == pa.int32()
    assert table.column("end_date").to_pylist() == [date(2009, 12, 31)]


@pytest.mark.parametrize("failure", ["manifest", "writer", "interrupt"])
def test_a_failed_import_leaves_the_warehouse_exactly_as_it_was(
    people: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    res = write(tmp_path / "res.csv", RESIDENCES)
    before = checksums(people)

    def boom(*_args: object, **_kw: object) -> None:
        raise (KeyboardInterrupt() if failure == "interrupt" else OSError("disk full"))

    if failure == "manifest":  # every data and quarantine file written, the commit fails
        monkeypatch.setattr(storage.Warehouse, "write_manifest", boom)
    else:  # the Parquet writer fails midway (after it has created its file)
        original = storage.TableWriter._write_part

        def write_then_fail(self: storage.TableWriter, year: int | None, tbl: pa.Table) -> None:
            original(self, year, tbl)
            boom()

        monkeypatch.setattr(storage.TableWriter, "_write_part", write_then_fail)
    with pytest.raises(KeyboardInterrupt if failure == "interrupt" else OSError):
        import_files(people, "residence", [res])
    assert checksums(people) == before
    monkeypatch.undo()
    # and the same import then succeeds
    assert import_files(people, "residence", [res]).loaded == 2


def test_a_failed_first_import_leaves_no_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_args: object, **_kw: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(storage.Warehouse, "write_manifest", boom)
    with pytest.raises(OSError):
        import_files(tmp_path / "new", "person", [write(tmp_path / "p.csv", PERSONS)])
    assert not (tmp_path / "new").exists()


def test_clear_errors_name_file_and_field(people: Path, tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="unknown warehouse table 'persons'"):
        import_files(people, "persons", [write(tmp_path / "a.csv", PERSONS)])
    no_sex = write(tmp_path / "nosex.csv", "insz,register,birth_date,birth_country,first_nationality\n")
    with pytest.raises(
        ImportFileError, match=r"nosex\.csv: required column\(s\) sex of table person missing"
    ):
        import_files(people, "person", [no_sex])
    garbage = tmp_path / "broken.parquet"
    garbage.write_bytes(b"not parquet at all")
    with pytest.raises(ImportFileError, match=r"broken\.parquet: not a readable Parquet file"):
        import_files(people, "person", [garbage])
    with pytest.raises(ImportFileError, match=r"\.xlsx"):
        import_files(people, "person", [write(tmp_path / "p.xlsx", "")])
    with pytest.raises(ImportFileError, match="no such file"):
        import_files(people, "person", [tmp_path / "missing.csv"])


def test_semicolon_csv_with_bom(people: Path, tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_bytes("\ufeffinsz;year;isced\r\n".encode() + f"{P1};2020;3\r\n{P2};2020;12\r\n".encode())
    result = import_files(people, "education_level", [path])
    assert (result.loaded, result.quarantined) == (1, 1)
    assert list(result.rejections) == [("code.unknown", "isced")]


def test_cli_import_prints_no_identifier(people: Path, tmp_path: Path) -> None:
    res = write(tmp_path / "res.csv", RESIDENCES)
    out = tmp_path / "import.json"
    result = CliRunner().invoke(
        app, ["warehouse", "import", str(people), "--table", "residence", str(res), "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    words = " ".join(result.output.split())
    assert "read 8 rows from 1 file(s): 2 loaded, 0 already loaded, 6 quarantined" in words
    for value in IDENTIFIERS:
        assert value not in result.output and value not in out.read_text()
    assert json.loads(out.read_text())["quarantined"] == 6
    bad = CliRunner().invoke(app, ["warehouse", "import", str(people), "--table", "nope", str(res)])
    assert bad.exit_code == 2 and "unknown warehouse table" in bad.output


def test_importing_into_a_synthetic_warehouse_makes_it_real(people: Path, tmp_path: Path) -> None:
    wh = Warehouse(people)
    manifest = wh.manifest()
    manifest.pop("format")
    wh.write_manifest({**manifest, "synthetic": True})
    assert wh.is_synthetic
    import_files(people, "residence", [write(tmp_path / "res.csv", RESIDENCES)])
    # real rows now sit beside the synthetic ones: simulated reference dates must be refused from now on
    assert not wh.is_synthetic


def test_a_file_without_header_does_not_echo_its_first_row(people: Path, tmp_path: Path) -> None:
    headless = write(tmp_path / "headless.csv", PERSONS.split("\n", 1)[1])  # the first line is P1's row
    with pytest.raises(ImportFileError) as err:
        import_files(people, "person", [headless])
    message = str(err.value)
    # the first row repeats "150" (country codes), so the duplicate-name check stops it, without quoting it
    assert "headless.csv: the header row (row 0) repeats 1 column name(s)" in message
    assert P1 not in message and "150" not in message.split("headless.csv")[1]
    single = write(tmp_path / "single.csv", f"{P1},RR,1\n")
    with pytest.raises(ImportFileError, match="is the header row missing") as err:
        import_files(people, "person", [single])
    assert P1 not in str(err.value)
