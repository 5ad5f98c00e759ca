"""The four formats: values and labels read back with pyarrow and pyreadstat equal the hand-made input."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crossroads.delivery.contents import Dataset, DeliveryError, VariableInfo
from crossroads.delivery.formats import FORMATS, label_encoding, parse_formats, write_dataset

from .samples import AGE, workers_table, workers_variables


def _nan_to_none(values: list[object]) -> list[object]:
    return [None if isinstance(v, float) and math.isnan(v) else v for v in values]


def test_files_land_in_one_folder_per_format(workers: Dataset, tmp_path: Path) -> None:
    written = write_dataset(workers, tmp_path)
    assert written == [
        "parquet/workers_timeseries.parquet",
        "csv/workers_timeseries.csv",
        "stata/workers_timeseries.dta",
        "spss/workers_timeseries.sav",
    ]
    assert all((tmp_path / p).is_file() for p in written)


def test_parquet_round_trips_exactly(workers: Dataset, tmp_path: Path) -> None:
    write_dataset(workers, tmp_path, ("parquet",))
    assert pq.read_table(tmp_path / "parquet/workers_timeseries.parquet").equals(workers.table)


def test_csv_is_plain_utf8_with_iso_dates_and_empty_missing(workers: Dataset, tmp_path: Path) -> None:
    write_dataset(workers, tmp_path, ("csv",))
    text = (tmp_path / "csv/workers_timeseries.csv").read_text(encoding="utf-8")
    assert text.splitlines() == [
        '"person_seq","year","sex","age_class","wage","entry_date","in_service"',
        '17,2019,"2","20-24",1250.5,2019-03-01,true',
        '17,2020,"2","25-29",,2019-03-01,false',
        '42,2020,"1","15-19",980,,true',
        '99,2020,,"20-24",1100.25,2020-07-15,',
    ]


@pytest.mark.parametrize("fmt", ["dta", "sav"])
def test_labelled_formats_carry_values_value_labels_and_variable_labels(
    workers: Dataset, tmp_path: Path, fmt: str
) -> None:
    write_dataset(workers, tmp_path, (fmt,))
    folder, reader = ("stata", pyreadstat.read_dta) if fmt == "dta" else ("spss", pyreadstat.read_sav)
    df, meta = reader(str(tmp_path / folder / f"workers_timeseries.{fmt}"))

    assert list(df.columns) == workers.table.column_names
    assert _nan_to_none(df["person_seq"].tolist()) == [17, 17, 42, 99]
    # sex codes "1"/"2" are plain integers: written as themselves
    assert _nan_to_none(df["sex"].tolist()) == [2, 2, 1, None]
    assert meta.variable_value_labels["sex"] == {1: "man", 2: "vrouw"}
    # age classes are not integers: numbered 1, 2, 3 in scheme order; "20-24" -> 2, "25-29" -> 3, "15-19" -> 1
    assert _nan_to_none(df["age_class"].tolist()) == [2, 3, 1, 2]
    assert meta.variable_value_labels["age_class"] == {
        1: "15-19: 15 tot 19 jaar",
        2: "20-24: 20 tot 24 jaar",
        3: "25-29: 25 tot 29 jaar",
    }
    # booleans become 0/1 labelled neen/ja
    assert _nan_to_none(df["in_service"].tolist()) == [1, 0, 1, None]
    assert meta.variable_value_labels["in_service"] == {0: "neen", 1: "ja"}
    assert _nan_to_none(df["wage"].tolist()) == [1250.5, None, 980.0, 1100.25]
    assert _nan_to_none(df["entry_date"].tolist()) == [
        date(2019, 3, 1),
        date(2019, 3, 1),
        None,
        date(2020, 7, 15),
    ]
    assert meta.column_names_to_labels["wage"] == "loonmassa <brutoloon> (EUR)"
    assert meta.column_names_to_labels["sex"] == "geslacht"
    assert meta.file_label == "Werknemers, tijdreeks"


def test_codes_outside_the_scheme_keep_their_code_as_label(tmp_path: Path) -> None:
    table = pa.table({"age_class": ["20-24", "99+"]})
    ds = Dataset("odd", "Odd", "person", table, {"age_class": AGE})
    write_dataset(ds, tmp_path, ("dta",))
    df, meta = pyreadstat.read_dta(str(tmp_path / "stata/odd.dta"))
    # scheme codes take 1..3; the stray "99+" comes after them as 4, labelled with itself
    assert df["age_class"].tolist() == [2, 4]
    assert meta.variable_value_labels["age_class"][4] == "99+"


def test_long_variable_label_is_cut_to_statas_80_characters(tmp_path: Path) -> None:
    long = "x" * 100
    ds = Dataset("long", "Long", "person", pa.table({"v": [1]}), {"v": VariableInfo("v", long)})
    write_dataset(ds, tmp_path, ("dta",))
    _, meta = pyreadstat.read_dta(str(tmp_path / "stata/long.dta"))
    assert meta.column_names_to_labels["v"] == "x" * 79 + "…"


def test_string_missing_values_become_empty_strings(tmp_path: Path) -> None:
    ds = Dataset("s", "S", "person", pa.table({"v": ["a", None]}), {"v": VariableInfo("v", "v")})
    write_dataset(ds, tmp_path, ("sav",))
    df, _ = pyreadstat.read_sav(str(tmp_path / "spss/s.sav"))
    assert df["v"].tolist() == ["a", ""]


def test_parse_formats() -> None:
    assert parse_formats(None) == FORMATS
    assert parse_formats("csv, parquet,csv") == ("csv", "parquet")
    with pytest.raises(DeliveryError, match="unknown format 'xlsx'"):
        parse_formats("parquet,xlsx")


def test_dataset_refuses_undescribed_and_unwritable_columns() -> None:
    table = workers_table()
    variables = workers_variables()
    del variables["wage"]
    with pytest.raises(DeliveryError, match=r"column 'wage': no description"):
        Dataset("w", "W", "person-year", table, variables)
    with pytest.raises(DeliveryError, match=r"column '1st': names must be"):
        Dataset("w", "W", "person", pa.table({"1st": [1]}), {"1st": VariableInfo("1st", "x")})
    with pytest.raises(DeliveryError, match="dataset 'Bad name'"):
        Dataset("Bad name", "W", "person", pa.table({"a": [1]}), {"a": VariableInfo("a", "x")})
    with pytest.raises(DeliveryError, match=r"described columns not in the table: \['b'\]"):
        Dataset(
            "w",
            "W",
            "person",
            pa.table({"a": [1]}),
            {"a": VariableInfo("a", "x"), "b": VariableInfo("b", "y")},
        )


_CODE = st.text(alphabet="0123456789ABC-+", min_size=1, max_size=4)


@given(scheme=st.lists(_CODE, min_size=1, max_size=8, unique=True), present=st.lists(_CODE, max_size=12))
def test_label_encoding_is_one_to_one_and_covers_every_value(scheme: list[str], present: list[str]) -> None:
    info = VariableInfo("v", "v", value_labels={c: f"label {c}" for c in scheme})
    enc = label_encoding(info, pa.array(present, pa.string()))
    assert enc is not None
    assert set(scheme) | set(present) <= set(enc.numbers)
    assert len(set(enc.numbers.values())) == len(enc.numbers)  # no two codes share a number
    assert set(enc.labels) == set(enc.numbers.values())
    for code, number in enc.numbers.items():
        if enc.keeps_codes:
            assert number == int(code)
            if code in scheme:
                assert enc.labels[number] == f"label {code}"
        elif code in scheme:
            # the original code is recoverable from the label
            assert enc.labels[number] == f"{code}: label {code}"


def test_long_labelled_names_are_written_to_stata(tmp_path: Path) -> None:
    # pyreadstat names the n-th value-label set "<column><n>": a 31-character labelled column as the 11th
    # labelled column would make a 33-character name; it is moved before the other labelled columns
    long = "self_employed_contribution_code"
    assert len(long) == 31
    columns = {"person_seq": pa.array([1, 2], pa.int64())}
    columns |= {f"flag_{i}": ["0", "1"] for i in range(10)}
    columns[long] = ["0", "1"]
    yes_no = {"0": "neen", "1": "ja"}
    infos = {c: VariableInfo(c, c, value_labels=None if c == "person_seq" else yes_no) for c in columns}
    ds = Dataset("wide", "Wide", "person", pa.table(columns), infos)
    written = write_dataset(ds, tmp_path, ("dta", "parquet"))
    df, meta = pyreadstat.read_dta(str(tmp_path / written[0]))
    assert list(df.columns) == ["person_seq", long, *[f"flag_{i}" for i in range(10)]]
    assert meta.variable_value_labels[long] == {0: "neen", 1: "ja"}
    assert pq.read_table(tmp_path / written[1]).column_names == list(columns)  # other formats keep the order
