"""Golden boundaries of every class scheme on the numpy/pyarrow path (Ibis: test_class_backends)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossroads import classes, codelists
from crossroads.classes import IntervalScheme


def codes(name: str, values: list[object]) -> list[object]:
    out = classes.scheme(name).assign_array(np.array(values, dtype=object))
    return list(out)


def test_registry_has_the_interface_names() -> None:
    required = {
        "age_5y",
        "age_2y",
        "nationality",
        "origin",
        "residence_duration",
        "wage_mass",
        "daily_wage",
        "household_income",
        "amount_generic",
        "year_month",
    }
    assert required <= set(classes.names())
    with pytest.raises(KeyError, match="known: age_5y"):
        classes.scheme("no_such_scheme")


def test_age_5y_boundaries() -> None:
    # [15, 20) is 15-19: 19 and 19.999 stay, 20 moves up; 65 opens the top class; a negative age is invalid.
    got = codes("age_5y", [0, 14, 15, 19, 19.999, 20, 24, 25, 64, 65, 120, -1, None, math.nan])
    assert got == [
        "00-14",
        "00-14",
        "15-19",
        "15-19",
        "15-19",
        "20-24",
        "20-24",
        "25-29",
        "60-64",
        "65+",
        "65+",
        None,
        None,
        None,
    ]


def test_age_5y_labels() -> None:
    labels = classes.scheme("age_5y").value_labels()
    # <15, then (65 - 15) / 5 = 10 five-year classes, then 65+: 12 classes.
    assert len(labels) == 12
    assert labels["00-14"] == "jonger dan 15 jaar"
    assert labels["15-19"] == "15-19 jaar"
    assert labels["65+"] == "65 jaar en ouder"
    assert classes.scheme("age_5y").value_labels("en")["65+"] == "65 and over"
    assert classes.scheme("age_5y").numeric_codes()["15-19"] == 2


def test_age_2y_boundaries() -> None:
    # Two-year classes from 15: 15-16, 17-18, ..., 63-64 -> (65 - 15) / 2 = 25 classes, plus <15 and 65+.
    assert len(classes.scheme("age_2y").classes) == 27
    got = codes("age_2y", [14, 15, 16, 17, 18, 19, 62, 63, 64, 65])
    assert got == ["00-14", "15-16", "15-16", "17-18", "17-18", "19-20", "61-62", "63-64", "63-64", "65+"]


def test_daily_wage_salcla_edges() -> None:
    scheme = classes.scheme("daily_wage")
    assert len(scheme.classes) == 500
    # Class k covers [(k-1) * 1.25, k * 1.25): 1.25 / 1.25 = 1 -> class 2; 100 / 1.25 = 80 -> class 81;
    # 623.74 / 1.25 = 498.99 -> class 499; 623.75 = 499 * 1.25 -> class 500, open-ended.
    got = codes(
        "daily_wage", [0, 1.24, 1.2499999, 1.25, 2.49, 2.5, 100.0, 623.74, 623.75, 10_000, -0.01, None]
    )
    assert got == ["001", "001", "001", "002", "002", "003", "081", "499", "500", "500", None, None]
    labels = scheme.value_labels()
    assert labels["001"] == "0,00 tot 1,25 EUR"
    assert labels["081"] == "100,00 tot 101,25 EUR"
    assert labels["500"] == "623,75 EUR en meer"


def test_wage_mass_and_generic_amounts() -> None:
    # Classes of 1,000 EUR: 999.99 -> 01, 1000 -> 02, 19,999.99 -> 20, 20,000 and more -> 21.
    assert codes("wage_mass", [0, 999.99, 1000, 19_999.99, 20_000, 1e7]) == [
        "01",
        "01",
        "02",
        "20",
        "21",
        "21",
    ]
    assert classes.scheme("wage_mass").value_labels()["21"] == "20.000,00 EUR en meer"
    # Generic classes of 500 EUR: 499.99 -> 01, 500 -> 02, 41st class from 40 * 500 = 20,000.
    assert codes("amount_generic", [499.99, 500, 19_999, 20_000]) == ["01", "02", "40", "41"]


def test_amount_classes_factory() -> None:
    s = classes.amount_classes("test_amount", width=250.0, count=4)
    # [0,250) [250,500) [500,750) [750,inf)
    assert list(s.assign_array([0, 249.99, 250, 749.99, 750, 1e6])) == ["1", "1", "2", "3", "4", "4"]
    with pytest.raises(classes.SchemeError):
        classes.amount_classes("bad", width=0, count=3)


def test_income_classes_are_closed_on_the_right() -> None:
    # household income: 0 = none (<= 0), class k = (10,000 (k-1), 10,000 k], class 10 = over 90,000.
    got = codes("household_income", [-5, 0, 0.01, 10_000, 10_000.01, 90_000, 90_000.01])
    assert got == ["0", "0", "1", "1", "2", "9", "10"]
    # net taxable income: steps of 5,000: 5,000 -> 1, 5,000.01 -> 2, 45,000.01 -> 10.
    assert codes("net_taxable_income", [5_000, 5_000.01, 45_000.01]) == ["1", "2", "10"]
    assert set(classes.scheme("household_income").codes()) == set(codelists_income_codes())


def codelists_income_codes() -> list[str]:
    # The warehouse's own income_class list: 0 and 1..10.
    return ["0"] + [str(i) for i in range(1, 11)]


def test_residence_duration() -> None:
    got = codes("residence_duration", [0, 0.99, 1, 1.99, 2, 4.99, 5, 9.99, 10, 40, -0.5])
    assert got == ["<1", "<1", "1-2", "1-2", "2-5", "2-5", "5-10", "5-10", "10+", "10+", None]


def test_employer_size_matches_warehouse_size_class() -> None:
    got = codes("employer_size", [0, 1, 4, 5, 9, 10, 49, 50, 999, 1000, 250_000])
    assert got == ["0", "1", "1", "2", "2", "3", "4", "5", "8", "9", "9"]
    from crossroads.warehouse.schema import ENUMS  # the warehouse list these codes must equal

    assert classes.scheme("employer_size").codes() == list(ENUMS["size_class"])


def test_part_time() -> None:
    assert codes("part_time", [10, 49.9, 50, 79.99, 80, 99.9, 100, 120]) == [
        "00-49",
        "00-49",
        "50-79",
        "50-79",
        "80-99",
        "80-99",
        "100",
        "100",
    ]


def test_education_isced() -> None:
    got = codes("education", ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", None, "X"])
    assert got == ["LOW", "LOW", "LOW", "MID", "MID", "HIGH", "HIGH", "HIGH", "HIGH", "UNK", "UNK", None]


def test_nationality_groups() -> None:
    # 150 BE, 111 FR, 112 UK (not EU), 122 PL, 262 TR, 354 MA, 306 DR Congo, 207 India, 402 USA,
    # 611 Australia, 999 unknown, 900 stateless, 796 "van Marokkaanse herkomst" -> Maghreb.
    got = codes(
        "nationality",
        [
            "150",
            "111",
            "112",
            "122",
            "262",
            "354",
            "306",
            "207",
            "402",
            "611",
            "999",
            "900",
            "796",
            None,
            "12345",
        ],
    )
    assert got == [
        "BE",
        "EU14",
        "EUR",
        "EU13",
        "CAND",
        "MAGH",
        "AFR",
        "ASIA",
        "AMER",
        "OCEA",
        "UNK",
        "STL",
        "MAGH",
        "UNK",
        None,
    ]


def test_every_annex5_country_code_is_classified() -> None:
    all_codes = sorted(codelists.codes("country_codes"))
    got = classes.scheme("nationality").assign_array(pa.array(all_codes))
    assert isinstance(got, pa.Array) and got.null_count == 0
    assert len(all_codes) == 474
    # EU-14 other than Belgium = 13 member states; each must be there by its current code.
    eu14 = {"108", "103", "110", "111", "114", "116", "128", "113", "129", "105", "123", "109", "126"}
    assert {c for c, g in classes.country_groups().items() if g == "EU14"} >= eu14
    eu13 = {"106", "107", "136", "115", "146", "135", "137", "119", "122", "124", "147", "141", "140"}
    assert {c for c, g in classes.country_groups().items() if g == "EU13"} >= eu13


def test_birthplace() -> None:
    assert codes("birthplace", ["150", "129", "122", "112", "354", "999", None]) == [
        "BE",
        "EU",
        "EU",
        "NONEU",
        "NONEU",
        "UNK",
        "UNK",
    ]


ORIGIN_CASES = [
    # father, mother, own at birth, current -> class; the first non-Belgian in this order decides.
    (("354", "150", "150", "150"), "MAGH"),
    (("150", "111", "150", "150"), "EU14"),
    (("150", "150", "262", "150"), "CAND"),
    (("150", "150", "150", "122"), "EU13"),
    (("111", "354", "150", "150"), "EU14"),  # father before mother
    (("150", "150", "150", "150"), "BE"),
    ((None, "150", "150", "150"), "BE_UND"),  # a parent missing
    (("999", "150", "150", "150"), "BE_UND"),  # "onbekend" counts as missing
    (("150", "150", None, "150"), "BE_UND"),
    ((None, None, None, None), "UNK"),
    ((None, None, None, "354"), "MAGH"),
    (("150", "150", None, None), "UNK"),  # own nationality unknown, nothing foreign
    (("bad", "150", "150", "150"), "BE_UND"),  # an invalid code is unknown, never foreign
]


def test_origin_rule() -> None:
    cols = list(zip(*[c for c, _ in ORIGIN_CASES], strict=True))
    father, mother, own, current = (np.array(c, dtype=object) for c in cols)
    got = classes.origin_array(father, mother, own, current)
    # The generic entry point gives the same; with one input it explains what it needs.
    assert list(classes.scheme("origin").assign_array(father, mother, own, current)) == list(got)  # type: ignore[call-arg]
    with pytest.raises(classes.SchemeError, match="four nationalities"):
        classes.scheme("origin").assign_array(father)
    assert list(got) == [want for _, want in ORIGIN_CASES]
    labels = classes.scheme("origin").value_labels()
    assert labels["BE_UND"] == "Belg, herkomst onbepaald"
    assert labels["MAGH"] == "herkomst Maghreb"


def test_year_month() -> None:
    days = [dt.date(2020, 3, 31), dt.date(1999, 12, 1), None]
    got = classes.scheme("year_month").assign_array(pa.array(days))
    assert isinstance(got, pa.Array) and got.to_pylist() == [
        "2020-03",
        "1999-12",
        None,
    ]
    np_days = np.array(["2021-01-15", "NaT"], dtype="datetime64[D]")
    assert list(classes.scheme("year_month").assign_array(np_days)) == ["2021-01", None]
    assert classes.scheme("year_month").value_labels() == {}


def test_pyarrow_in_pyarrow_out() -> None:
    out = classes.scheme("age_5y").assign_array(pa.array([20, None], type=pa.int64()))
    assert isinstance(out, pa.Array) and out.to_pylist() == ["20-24", None]


def test_bad_scheme_definitions_are_refused() -> None:
    from crossroads.classes import Class

    with pytest.raises(classes.SchemeError, match="ends at 10"):
        IntervalScheme(
            name="gap",
            label="",
            label_en="",
            classes=[Class("a", "a", 0, 10), Class("b", "b", 11, None)],
            labels_en={"a": "a", "b": "b"},
        )
    with pytest.raises(classes.SchemeError, match="duplicate"):
        IntervalScheme(
            name="dup",
            label="",
            label_en="",
            classes=[Class("a", "a", 0, 10), Class("a", "a", 10, None)],
            labels_en={"a": "a"},
        )


INTERVAL_NAMES = [n for n in classes.names() if isinstance(classes.scheme(n), IntervalScheme)]


@pytest.mark.parametrize("name", INTERVAL_NAMES)
@settings(max_examples=200, deadline=None)
@given(x=st.floats(min_value=-1e6, max_value=1e7, allow_nan=False))
def test_every_value_lies_inside_its_class(name: str, x: float) -> None:
    scheme = classes.scheme(name)
    assert isinstance(scheme, IntervalScheme)
    [code] = list(scheme.assign_array(np.array([x])))
    if code is None:  # below the first class
        first = scheme.ranged[0]
        assert first.lower is not None and (
            x < first.lower or (scheme.closed == "right" and x == first.lower)
        )
        return
    cls = next(c for c in scheme.classes if c.code == code)
    if scheme.closed == "left":
        assert (cls.lower is None or cls.lower <= x) and (cls.upper is None or x < cls.upper)
    else:
        assert (cls.lower is None or cls.lower < x) and (cls.upper is None or x <= cls.upper)


def test_country_group_file_is_checked(tmp_path: Path) -> None:
    shipped = classes.countries.COUNTRY_GROUPS_FILE.read_text(encoding="utf-8").splitlines()
    bad_group = tmp_path / "bad_group.csv"
    bad_group.write_text("\n".join([shipped[0], "150,België,BE,XX,test", *shipped[2:]]) + "\n")
    with pytest.raises(classes.CountryGroupsError, match=r"bad_group\.csv: row 2: field 'group'.*'XX'"):
        classes.country_groups(bad_group)
    repeated = tmp_path / "repeated.csv"
    repeated.write_text("\n".join([*shipped, shipped[1]]) + "\n")
    last_line = len(shipped) + 1  # header + 474 rows, then the repeated row
    with pytest.raises(classes.CountryGroupsError, match=rf"row {last_line}: field 'nis_code' repeats"):
        classes.country_groups(repeated)
    short = tmp_path / "short.csv"
    short.write_text("\n".join(shipped[:-1]) + "\n")  # drops the last code, 999 (Onbekend)
    with pytest.raises(classes.CountryGroupsError, match="no group for annex-5 country code"):
        classes.country_groups(short)


def test_reference_page_lists_every_scheme_and_hierarchy() -> None:
    page = (Path(__file__).parents[2] / "docs" / "reference" / "classes.md").read_text(encoding="utf-8")
    assert all(f"### `{name}`" in page for name in classes.names())
    assert all(f"| `{name}` |" in page for name in classes.hierarchies())
