"""Import of 15/018 provider files with faults: each bad row quarantined with file, row, field and rule; the
report names no INSZ or enterprise number; the good rows load."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from test_validation import E1, P1, P2, P3, baseline, build

from crossroads.warehouse.imports import import_files

BAD = P1[:-2] + f"{int(P1[-2:]) % 97 + 1:02d}"  # P1 with wrong check digits
UNKNOWN = "85073003427"  # valid check digits, not in the person table
HEADER = "insz;reference_date;employer_enterprise_number;staff_type;origin;education_level;work_ability\n"
# rows: 1 good; 2 wrong check digits; 3 unknown person; 4 and 5 the same line twice; 6 unknown code;
# 7 not a date; 8 good (P3, empty optional fields)
EMPLOYEES = (
    HEADER
    + f"{P1};2013-12-31;{E1};DG;BE;LOW;ARBH\n"
    + f"{BAD};2013-12-31;{E1};DG;BE;LOW;VOL\n"
    + f"{UNKNOWN};2013-12-31;{E1};OK;EU;HIGH;VOL\n"
    + f"{P2};2013-12-31;{E1};DG;NEU;MID;MMPP\n"
    + f"{P2};2013-12-31;{E1};DG;NEU;MID;MMPP\n"
    + f"{P1};2008-12-31;{E1};XX;BE;LOW;VOL\n"
    + f"{P3};31/12/2013;{E1};DG;BE;LOW;VOL\n"
    + f"{P3};2008-12-31;;;;;\n"
)


def test_faulty_employee_list_is_quarantined_and_reported(tmp_path: Path) -> None:
    wh = build(tmp_path / "wh", baseline())
    src = tmp_path / "vsawse_werknemers.csv"
    src.write_text(EMPLOYEES, encoding="utf-8")
    result = import_files(wh.root, "se_employees", [src])
    assert (result.read, result.loaded, result.quarantined) == (8, 2, 6)
    got = {(rule, fld): refs for (rule, fld), refs in result.rejections.items()}
    assert got[("id.insz", "insz")] == ["vsawse_werknemers.csv row 2"]
    assert got[("ref.missing", "insz")] == ["vsawse_werknemers.csv row 2", "vsawse_werknemers.csv row 3"]
    assert got[("key.duplicate", "insz, reference_date")] == [
        "vsawse_werknemers.csv row 4",
        "vsawse_werknemers.csv row 5",
    ]
    assert got[("code.unknown", "staff_type")] == ["vsawse_werknemers.csv row 6"]
    assert got[("parse.date", "reference_date")] == ["vsawse_werknemers.csv row 7"]
    # the quarantine (custodian side) keeps the rows with their reasons
    assert result.quarantine_file is not None
    with (wh.root / result.quarantine_file).open(encoding="utf-8") as fh:
        rejected = list(csv.DictReader(fh))
    assert {int(r["row"]) for r in rejected} == {2, 3, 4, 5, 6, 7}
    assert all(r["source_file"] == "vsawse_werknemers.csv" and r["reason"] for r in rejected)
    # the report and the summary carry rules, files and row numbers, never an identifier
    text = json.dumps(result.to_dict()) + result.summary()
    for value in (P1, P2, P3, BAD, UNKNOWN, E1):
        assert value not in text
    loaded = wh.read("se_employees")
    assert sorted(
        zip(
            loaded.column("insz").to_pylist(),
            map(str, loaded.column("reference_date").to_pylist()),
            strict=True,
        )
    ) == [
        (P1, "2013-12-31"),
        (P3, "2008-12-31"),
    ]
    # a synthetic warehouse importing real files is real from then on; the build's own files keep the flag
    assert wh.manifest()["synthetic"] is False


def test_build_import_keeps_a_synthetic_warehouse_synthetic(tmp_path: Path) -> None:
    wh = build(tmp_path / "wh", baseline())
    src = tmp_path / "kbo_vso.csv"
    src.write_text(f"enterprise_number;reference_date\n{E1};2013-12-31\n", encoding="utf-8")
    result = import_files(wh.root, "social_purpose_companies", [src], keep_synthetic=True)
    assert result.loaded == 1 and wh.manifest()["synthetic"] is True
