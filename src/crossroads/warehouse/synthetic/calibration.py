"""Published figures the synthetic warehouse is calibrated to, and the SQL that measures them.

Each figure is a DuckDB query over the warehouse catalog (``Warehouse(dir).duckdb()``) plus the
municipality code list (registered as ``municipalities``). At scale ``s`` the measured value should be
within ±10 % of ``s × target`` (a wider, sample-size-proportionate margin at tiny scales, see
:func:`tolerance`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb

from crossroads import codelists
from crossroads.warehouse.storage import Warehouse

_FLEMISH = "(SELECT nis_code FROM municipalities WHERE region_nis = '02000')"
# persons resident in Belgium on 31 December of two consecutive years within 2014-2020
_TWO_YEARS = """
    SELECT DISTINCT r1.insz FROM residence r1, residence r2, range(2014, 2020) AS y(year)
    WHERE r1.insz = r2.insz AND r1.nis_code IS NOT NULL AND r2.nis_code IS NOT NULL
      AND r1.start_date <= make_date(y.year::INT, 12, 31)
      AND coalesce(r1.end_date, DATE '9999-12-31') >= make_date(y.year::INT, 12, 31)
      AND r2.start_date <= make_date(y.year::INT + 1, 12, 31)
      AND coalesce(r2.end_date, DATE '9999-12-31') >= make_date(y.year::INT + 1, 12, 31)
"""


@dataclass(frozen=True)
class Figure:
    name: str
    label: str
    target: float
    """Published value for Belgium (scale 1)."""
    sql: str
    source: str


FIGURES: tuple[Figure, ...] = (
    Figure(
        "voucher_workers_2020",
        "service-voucher workers domiciled in Flanders, 2020 (issuer)",
        120_000,
        f"""SELECT count(DISTINCT p.insz) FROM voucher_worker_payment p JOIN residence r USING (insz)
               WHERE p.quarter BETWEEN 20201 AND 20204 AND r.nis_code IN {_FLEMISH}
                 AND r.start_date <= DATE '2020-12-31'
                 AND coalesce(r.end_date, DATE '9999-12-31') >= DATE '2020-01-01'""",
        "deliberation 21/150; DWSE 118,210 workers in 2020",
    ),
    Figure(
        "voucher_users_2020",
        "service-voucher users domiciled in Flanders, 2020",
        750_000,
        f"""SELECT count(DISTINCT o.insz) FROM voucher_order o JOIN residence r USING (insz)
               WHERE o.month BETWEEN 202001 AND 202012 AND r.nis_code IN {_FLEMISH}
                 AND r.start_date <= DATE '2020-12-31'
                 AND coalesce(r.end_date, DATE '9999-12-31') >= DATE '2020-01-01'""",
        "deliberation 21/150; DWSE 743,286 users in 2020",
    ),
    Figure(
        "naric_decisions_2014_2020",
        "NARIC recognition decisions 2014-2020",
        14_800,
        "SELECT count(*) FROM naric_recognition WHERE year(decision_date) BETWEEN 2014 AND 2020",
        "deliberation 21/128 (seed 003)",
    ),
    Figure(
        "born_abroad_two_years",
        "persons born abroad with two consecutive years of residence, 2014-2020",
        2_200_000,
        f"SELECT count(*) FROM ({_TWO_YEARS}) t JOIN person p USING (insz) WHERE p.birth_country <> '150'",
        "deliberation 21/128 (seed 003)",
    ),
    Figure(
        "flemish_certificate_two_years",
        "holders of a Flemish secondary or post-secondary certificate before 2021 with such residence",
        7_300_000,
        f"""SELECT count(*) FROM ({_TWO_YEARS}) t
               WHERE insz IN (SELECT insz FROM certificate WHERE issue_date < DATE '2021-01-01')""",
        "deliberation 21/128 (seed 003)",
    ),
)


@dataclass(frozen=True)
class Result:
    figure: Figure
    value: int
    expected: float
    tolerance: float

    @property
    def ok(self) -> bool:
        return abs(self.value - self.expected) <= self.tolerance * self.expected

    @property
    def deviation(self) -> float:
        return (self.value - self.expected) / self.expected if self.expected else 0.0


def tolerance(expected: float, base: float = 0.10) -> float:
    """±10 %, or four standard errors of a Poisson count (4/√n) when that is wider (small samples)."""
    return max(base, 4.0 / math.sqrt(max(expected, 1.0)))


def connect(wh: Warehouse) -> duckdb.DuckDBPyConnection:
    con = wh.duckdb()
    munis = codelists.municipalities()[["nis_code", "region_nis"]]
    con.register("municipalities_df", munis)
    con.execute("CREATE OR REPLACE TABLE municipalities AS SELECT * FROM municipalities_df")
    return con


def measure(wh: Warehouse, strict: bool = False) -> list[Result]:
    """Each figure measured on the warehouse, with the expected value at its scale."""
    scale = float(wh.manifest()["scale"])
    con = connect(wh)
    out = []
    for f in FIGURES:
        row = con.execute(f.sql).fetchone()
        value = int(row[0]) if row else 0
        expected = f.target * scale
        out.append(Result(f, value, expected, 0.10 if strict else tolerance(expected)))
    return out
