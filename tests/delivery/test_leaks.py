"""The leak scan finds an INSZ or enterprise number planted in any format, and passes a clean delivery."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pyreadstat
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crossroads.delivery import codebook, leaks
from crossroads.delivery.contents import Dataset, DeliveryInfo
from crossroads.delivery.formats import write_dataset

from .samples import ENTERPRISE, INSZ_1985, INSZ_2000

IDS = leaks.Identifiers(insz=[INSZ_1985, INSZ_2000], enterprise=[ENTERPRISE])


def _csv_string(path: Path) -> None:
    pacsv.write_csv(pa.table({"person_seq": [1, 2], "note": ["x", INSZ_1985]}), path)


def _csv_integer(path: Path) -> None:
    # an integer column drops the leading zeros: 00010100105 is written as 10100105
    pacsv.write_csv(pa.table({"id": pa.array([int(INSZ_2000)], pa.int64())}), path)


def _parquet_string(path: Path) -> None:
    # zstd-compressed pages: found by decoding the values
    pq.write_table(pa.table({"v": [INSZ_1985] * 50 + ["x"] * 50}), path, compression="zstd")


def _parquet_int(path: Path) -> None:
    pq.write_table(pa.table({"v": pa.array([1, int(ENTERPRISE)], pa.int64())}), path, compression="zstd")


def _parquet_metadata(path: Path) -> None:
    table = pa.table({"v": [1]}).replace_schema_metadata({"origin": f"file of {INSZ_1985}"})
    pq.write_table(table, path, compression="zstd")


def _dta_string(path: Path) -> None:
    pyreadstat.write_dta(pd.DataFrame({"v": ["a", INSZ_1985]}), str(path))


def _dta_double(path: Path) -> None:
    pyreadstat.write_dta(pd.DataFrame({"v": [1.0, float(ENTERPRISE)]}), str(path))


def _dta_int32(path: Path) -> None:
    # 123456749 fits a Stata long (4 bytes): not searched raw, found decoded
    pyreadstat.write_dta(pd.DataFrame({"v": pd.array([1, int(ENTERPRISE)], dtype="int32")}), str(path))


def _sav_string(path: Path) -> None:
    pyreadstat.write_sav(pd.DataFrame({"v": ["abcdefgh" + INSZ_1985, "b"]}), str(path), row_compress=True)


def _sav_value_label(path: Path) -> None:
    pyreadstat.write_sav(
        pd.DataFrame({"v": [1.0, 2.0]}),
        str(path),
        variable_value_labels={"v": {1.0: "a", 2.0: f"werkgever {ENTERPRISE}"}},
    )


def _sav_variable_label(path: Path) -> None:
    pyreadstat.write_sav(pd.DataFrame({"v": [1.0]}), str(path), column_labels={"v": f"id {INSZ_2000}"})


def _html_printed(path: Path) -> None:
    path.write_text("<table><tr><td>85.07.30-033.28</td></tr></table>")


def _json_enterprise(path: Path) -> None:
    path.write_text(json.dumps({"employer": "BE 0123.456.749"}))


def _markdown_without_leading_zero(path: Path) -> None:
    path.write_text("| employer | 123456749 |\n")


def _utf16(path: Path) -> None:
    path.write_bytes(f"persoon {INSZ_1985}".encode("utf-16-le"))


def _int64_binary(path: Path) -> None:
    path.write_bytes(b"\x01\x02\x03" + int(INSZ_1985).to_bytes(8, "little") + b"\x00" * 5)


def _double_big_endian(path: Path) -> None:
    import struct

    path.write_bytes(b"\x07" + struct.pack(">d", float(INSZ_1985)))


def _gzip(path: Path) -> None:
    path.write_bytes(gzip.compress(f"a,{INSZ_1985}\n".encode()))


def _html_data_uri(path: Path) -> None:
    payload = base64.b64encode(b"\x89PNG....tEXtComment\x00" + INSZ_1985.encode()).decode()
    path.write_text(f'<img src="data:image/png;base64,{payload}">')


PLANTED: dict[str, tuple[str, Callable[[Path], None], str]] = {
    "csv string": ("a.csv", _csv_string, "insz"),
    "csv integer, leading zeros dropped": ("a.csv", _csv_integer, "insz"),
    "parquet string (zstd)": ("a.parquet", _parquet_string, "insz"),
    "parquet int64 (zstd)": ("a.parquet", _parquet_int, "enterprise"),
    "parquet key-value metadata": ("a.parquet", _parquet_metadata, "insz"),
    "stata string": ("a.dta", _dta_string, "insz"),
    "stata double": ("a.dta", _dta_double, "enterprise"),
    "stata long": ("a.dta", _dta_int32, "enterprise"),
    "spss long string, row-compressed": ("a.sav", _sav_string, "insz"),
    "spss value label": ("a.sav", _sav_value_label, "enterprise"),
    "spss variable label": ("a.sav", _sav_variable_label, "insz"),
    "html printed form": ("a.html", _html_printed, "insz"),
    "json printed enterprise number": ("a.json", _json_enterprise, "enterprise"),
    "markdown without leading zero": ("a.md", _markdown_without_leading_zero, "enterprise"),
    "utf-16 text": ("a.txt", _utf16, "insz"),
    "int64 little-endian bytes": ("a.bin", _int64_binary, "insz"),
    "double big-endian bytes": ("a.bin", _double_big_endian, "insz"),
    "gzip member": ("a.csv.gz", _gzip, "insz"),
    "html data uri": ("report.html", _html_data_uri, "insz"),
}


@pytest.mark.parametrize("case", sorted(PLANTED))
def test_a_planted_identifier_is_found(case: str, tmp_path: Path) -> None:
    name, plant, kind = PLANTED[case]
    plant(tmp_path / name)
    report = leaks.scan(tmp_path, IDS)
    assert not report.clean, case
    assert {f.kind for f in report.findings} == {kind}
    assert all(f.path.startswith(name) for f in report.findings)
    with pytest.raises(leaks.IdentifierLeak) as err:
        report.raise_if_leaking()
    # the report locates the leak but never repeats the number
    for number in (INSZ_1985, INSZ_2000, ENTERPRISE, "123456749", "10100105"):
        assert number not in str(err.value)
        assert number not in json.dumps(report.to_dict())


def test_a_clean_delivery_passes(workers: Dataset, info: DeliveryInfo, tmp_path: Path) -> None:
    written = write_dataset(workers, tmp_path)
    files = {p: {"bytes": (tmp_path / p).stat().st_size, "sha256": "0" * 64} for p in written}
    codebook.write(tmp_path, info, [workers], files, ("parquet", "csv", "dta", "sav"))
    report = leaks.scan(tmp_path, IDS)
    assert report.clean, [str(f) for f in report.findings]
    assert report.files == 7  # 4 data files + datapackage.json, codebook.html, codebook.md
    assert report.bytes == sum(p.stat().st_size for p in tmp_path.rglob("*") if p.is_file())


def test_numbers_that_merely_contain_an_identifier_are_not_flagged(tmp_path: Path) -> None:
    # Only whole digit runs count: a 13-digit amount that happens to contain the 11 digits is not an INSZ.
    (tmp_path / "a.csv").write_text(f"amount\n9{INSZ_1985}9\n")
    assert leaks.scan(tmp_path, IDS).clean


def test_identifier_counts() -> None:
    assert IDS.counts() == {"insz": 2, "enterprise": 1}


def test_identifiers_from_arrow_arrays_match_by_value() -> None:
    # the warehouse's numbers come as Arrow arrays (no Python object per number); nulls, separators and
    # short values are handled as for lists, and a value held as both kinds is reported as an INSZ
    ids = leaks.Identifiers(
        insz=pa.chunked_array([[INSZ_1985, None], ["00.01.01-001.05"]]),
        enterprise=pa.array([ENTERPRISE, "1234567", INSZ_1985]),
    )
    assert len(ids) == 3 and ids.counts() == {"enterprise": 1, "insz": 2}
    assert ids.match_digits(INSZ_2000.encode()) == "insz"
    assert ids.match_digits(b"10100105") == "insz"  # leading zeros dropped, as an integer column shows it
    assert ids.match_digits(INSZ_1985.encode()) == "insz"
    assert ids.match_digits(b"123456749") == "enterprise"
    assert ids.match_digits(b"1234567") is None and ids.match_digits(b"000085073003328") is None
    assert ids.kind_of_int(int(ENTERPRISE)) == "enterprise" and ids.kind_of_int(5) == "identifier"


_SEPARATORS = st.sampled_from([",", ";", '"', " ", "\n", "\t", "<td>", "</td>", ":", "|", "=", "'"])


@given(
    before=_SEPARATORS,
    after=_SEPARATORS,
    filler=st.text(alphabet="abcxyz ,;", max_size=20),
    which=st.sampled_from([INSZ_1985, INSZ_2000, ENTERPRISE]),
)
def test_any_delimited_identifier_in_text_is_found(before: str, after: str, filler: str, which: str) -> None:
    report = leaks.LeakReport(root="mem")
    leaks.scan_bytes("t.txt", f"{filler}{before}{which}{after}{filler}".encode(), IDS, report)
    assert report.total >= 1


@given(values=st.lists(st.integers(min_value=0, max_value=9_999_999), max_size=50))
def test_short_numbers_never_match(values: list[int]) -> None:
    # identifiers have at least 8 significant digits; 7-digit values can never be one
    report = leaks.LeakReport(root="mem")
    leaks.scan_bytes("t.csv", "\n".join(map(str, values)).encode(), IDS, report)
    assert report.clean


def test_doubles_that_straddle_into_an_identifier_are_not_a_leak(tmp_path: Path) -> None:
    # INSZ 010815 123 18 (born 15 Aug 2001): check 97 - (2000000000 + 10815123) mod 97 = 97 - (68 + 11) = 18.
    # As an integer it is 1081512318 = 0x4076917E < 2**32. A double whose high 32 bits are 0x4076917E,
    # followed by 1.0 (low 32 bits zero), puts those 8 bytes side by side in an SPSS row: a raw 8-byte
    # window reads the INSZ, but no value of the file is one. Seen on the scale-0.01 demo (wage doubles).
    import struct

    insz_2001 = "01081512318"
    ids = leaks.Identifiers(insz=[insz_2001])
    (high_half,) = struct.unpack("<d", struct.pack("<II", 0, int(insz_2001)))
    pyreadstat.write_sav(pd.DataFrame({"a": [high_half], "b": [1.0]}), str(tmp_path / "a.sav"))
    data = (tmp_path / "a.sav").read_bytes()
    assert list(leaks._binary_hits(data, ids)), "the raw window does read the number"
    assert leaks.scan(tmp_path, ids).clean  # the decoded values are checked instead
    # the same number stored as a value is found
    pyreadstat.write_sav(pd.DataFrame({"a": [float(insz_2001)]}), str(tmp_path / "b.sav"))
    assert {f.path for f in leaks.scan(tmp_path, ids).findings} == {"b.sav"}


# ------------------------------------------------------------------ files too large for memory
_NOT_DECODED_WHEN_LARGE = {"gzip member", "html data uri"}


@pytest.mark.parametrize("chunk", [7, 64])
@pytest.mark.parametrize("case", sorted(PLANTED))
def test_large_files_scanned_in_chunks_give_the_same_findings(
    case: str, chunk: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, plant, _kind = PLANTED[case]
    plant(tmp_path / name)
    whole = leaks.scan(tmp_path, IDS)
    monkeypatch.setattr(leaks, "LARGE_FILE", 0)  # every file takes the chunked path
    monkeypatch.setattr(leaks, "CHUNK", chunk)
    chunked = leaks.scan(tmp_path, IDS)
    assert chunked.bytes == whole.bytes and chunked.files == whole.files == 1
    if case in _NOT_DECODED_WHEN_LARGE:
        # a compressed member or a data URI is not decoded in a large file: reported, never passed
        assert not chunked.clean and "unreadable" in {f.kind for f in chunked.findings}
        return
    assert {str(f) for f in chunked.findings} == {str(f) for f in whole.findings}
    assert chunked.total == whole.total


def test_an_identifier_across_every_chunk_boundary_is_found_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 40 lines, each shifting the number by one byte against chunks of 16 bytes
    lines = [("x" * k + "," + INSZ_1985 + ",") for k in range(40)]
    (tmp_path / "big.csv").write_text("\n".join(lines) + "\n")
    offsets = []
    at = 0
    for line in lines:
        offsets.append(at + line.index(INSZ_1985))
        at += len(line) + 1
    monkeypatch.setattr(leaks, "LARGE_FILE", 0)
    monkeypatch.setattr(leaks, "CHUNK", 16)
    report = leaks.scan(tmp_path, IDS)
    assert report.total == 40
    assert sorted(f.offset for f in report.findings if f.offset is not None) == offsets


def test_an_int64_across_every_chunk_boundary_is_found_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = int(INSZ_1985).to_bytes(8, "little")
    data = b"".join(b"\x01" * k + number for k in range(1, 20))
    (tmp_path / "big.bin").write_bytes(data)
    monkeypatch.setattr(leaks, "LARGE_FILE", 0)
    monkeypatch.setattr(leaks, "CHUNK", 13)
    report = leaks.scan(tmp_path, IDS)
    assert report.total == 19 and {f.encoding for f in report.findings} == {"int64-le"}


def test_string_values_of_a_large_parquet_file_are_decoded_with_their_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # dates and class codes are many digits but no number; the INSZ sits at row 7 of the second batch
    values = ["2014-03-01", "15-19", "1.234,56"] * 4
    values[7] = f"persoon {INSZ_1985}"
    pq.write_table(pa.table({"v": values + values}), tmp_path / "a.parquet", compression="zstd")
    monkeypatch.setattr(leaks, "LARGE_FILE", 0)
    monkeypatch.setattr(leaks, "_DECODED_ROWS", 12)
    report = leaks.scan(tmp_path, IDS)
    rows = sorted(f.row for f in report.findings if f.encoding == "parquet value")
    assert rows == [7, 19]


def _text_hits_by_regex(data: bytes, ids: leaks.Identifiers) -> list[tuple[int, str, str]]:
    """The text layer as its patterns define it, every byte walked by the regular expressions (the scan
    looks for them only inside the runs of bytes they can match)."""
    import re

    hits = []
    for m in re.finditer(rb"\d{8,}", data):
        kind = ids.match_digits(m.group())
        if kind:
            hits.append((m.start(), kind, "text"))
    for run in leaks._GROUPED_RUN.finditer(data):
        for m in leaks._GROUPED.finditer(data, run.start(), min(len(data), run.end() + 2)):
            digits = re.sub(rb"\D", b"", m.group())
            kind = ids.match_digits(digits) if len(digits) in (9, 10, 11) else None
            if kind:
                hits.append((m.start(), kind, "grouped text"))
    return hits


_PIECES = st.sampled_from(
    [INSZ_1985, INSZ_2000, ENTERPRISE, "85.07.30-033.28", "0123.456.749", "BE 0123 456 749", "123456 749",
     "0", "7", "12", "2016-06", "15-19", " ", ".", "-", "/", ",", ";", "a", "\n", "850730033280", "123456789",
     "10100105"]
)  # fmt: skip


@given(pieces=st.lists(_PIECES, max_size=40))
def test_the_text_layer_finds_what_its_patterns_define(pieces: list[str]) -> None:
    """Identifiers whole, grouped, glued to other digits or separators: the same findings, at the same
    offsets, as the regular expressions walking every byte."""
    data = "".join(pieces).encode()
    assert list(leaks._text_hits(data, IDS)) == _text_hits_by_regex(data, IDS)


def test_the_text_layer_on_a_large_csv_like_buffer() -> None:
    """Millions of short numbers (as in a CSV file of sequence numbers and codes) with identifiers planted
    at known places, plain and grouped: found there and nowhere else."""
    rows = [f"{i % 9_999_999},{2014 + i % 7}{1 + i % 4},EU14,2019-03,{i % 97}.5" for i in range(200_000)]
    rows[1_000] += f",{INSZ_1985}"
    rows[150_000] += ",BE 0123.456.749"
    data = "\n".join(rows).encode()
    hits = list(leaks._text_hits(data, IDS))
    assert hits == _text_hits_by_regex(data, IDS)
    assert [(data[o : o + 11], k, e) for o, k, e in hits] == [
        (INSZ_1985.encode(), "insz", "text"),
        (b"0123.456.74", "enterprise", "grouped text"),
    ]
