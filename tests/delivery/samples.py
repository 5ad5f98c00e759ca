"""Small hand-made delivery inputs: a few rows with labelled classes, no warehouse needed."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from crossroads.delivery.contents import VariableInfo

# Valid numbers used as "identifiers of the warehouse" in the leak tests (never in a clean delivery):
# INSZ 850730 033 28: base 850730033 (born 30 Jul 1985, serial 033), check 97 - 850730033 mod 97 = 28.
INSZ_1985 = "85073003328"
# INSZ 000101 001 05 (born 1 Jan 2000): check 97 - (2000000000 + 101001) mod 97 = 97 - (68 + 24) = 5.
INSZ_2000 = "00010100105"
# Enterprise 0123.456.749: 97 - 01234567 mod 97 = 49.
ENTERPRISE = "0123456749"

SEX = VariableInfo(
    "sex",
    "geslacht",
    "sex",
    unit="person-year",
    scheme="sex",
    value_labels={"1": "man", "2": "vrouw"},
    sources=("person",),
)
AGE = VariableInfo(
    "age_class",
    "leeftijdsklasse",
    "age class",
    unit="person-year",
    scheme="age_5y",
    scheme_label="leeftijd in klassen van 5 jaar",
    value_labels={"15-19": "15 tot 19 jaar", "20-24": "20 tot 24 jaar", "25-29": "25 tot 29 jaar"},
    sources=("person",),
)


def workers_table() -> pa.Table:
    return pa.table(
        {
            "person_seq": pa.array([17, 17, 42, 99], pa.int64()),
            "year": pa.array([2019, 2020, 2020, 2020], pa.int16()),
            "sex": pa.array(["2", "2", "1", None]),
            "age_class": pa.array(["20-24", "25-29", "15-19", "20-24"]),
            "wage": pa.array([1250.5, None, 980.0, 1100.25]),
            "entry_date": pa.array([date(2019, 3, 1), date(2019, 3, 1), None, date(2020, 7, 15)]),
            "in_service": pa.array([True, False, True, None]),
        }
    )


def workers_variables() -> dict[str, VariableInfo]:
    return {
        "person_seq": VariableInfo(
            "person_seq", "volgnummer van de persoon", "person sequence number", unit="person"
        ),
        "year": VariableInfo("year", "jaar", "year", unit="person-year"),
        "sex": SEX,
        "age_class": AGE,
        "wage": VariableInfo(
            "wage",
            "loonmassa <brutoloon> (EUR)",
            "wage mass",
            unit="person-year",
            sources=("dmfa_remuneration",),
        ),
        "entry_date": VariableInfo(
            "entry_date", "datum van indiensttreding", "entry date", unit="person-year"
        ),
        "in_service": VariableInfo(
            "in_service", "in dienst op de laatste dag", "in service on the last day", unit="person-quarter"
        ),
    }
