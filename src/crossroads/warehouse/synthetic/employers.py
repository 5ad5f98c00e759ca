"""Employers and their local units: one pool for the whole warehouse, drawn once from the build seed.

Sector templates give each employer a NACE-BEL 2008 code (``codelists.nace_2008()``), the joint committees
of its blue- and white-collar workers, its share of blue-collar workers and its sector (public/private).
Service-voucher companies are a separate group: employer category 597, NACE 81210, joint committee
322.01, work form "DC". Sizes are heavy-tailed (Pareto), so jobs concentrate in large employers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from crossroads import codelists
from crossroads.warehouse.identifiers import enterprise_from_sequence, rsz_from_radix
from crossroads.warehouse.synthetic.geography import Geography
from crossroads.warehouse.synthetic.period import YEARS, dates, day

EMPLOYERS_PER_SCALE = 260_000
VOUCHER_COMPANIES_PER_SCALE = 2_000

# (NACE divisions, blue-collar JC, white-collar JC, blue-collar share, public, weight in jobs)
SECTORS: tuple[tuple[tuple[int, ...], str, str, float, bool, float], ...] = (
    ((1, 2, 3), "144", "200", 0.85, False, 0.01),
    (tuple(range(10, 34)), "111", "200", 0.60, False, 0.15),
    ((41, 42, 43), "124", "200", 0.80, False, 0.07),
    ((45, 46, 47), "311", "201", 0.35, False, 0.14),
    ((49, 50, 51, 52, 53), "140", "226", 0.60, False, 0.06),
    ((55, 56), "302", "302", 0.80, False, 0.04),
    ((58, 59, 60, 61, 62, 63, 64, 65, 66, 69, 70, 71, 72, 73), "200", "200", 0.03, False, 0.10),
    ((77, 78, 79, 80, 81, 82), "121", "200", 0.70, False, 0.07),
    ((84,), "100", "200", 0.10, True, 0.11),
    ((85,), "152", "225", 0.05, True, 0.09),
    ((86, 87, 88), "330", "330", 0.25, False, 0.14),
    ((90, 91, 92, 93, 94, 95, 96), "329", "329", 0.30, False, 0.02),
)


@dataclass(frozen=True)
class Employers:
    n: int
    enterprise: pa.Array
    rsz: pa.Array
    nace: pa.Array
    category: pa.Array
    public: npt.NDArray[np.bool_]
    voucher: npt.NDArray[np.bool_]
    sector: npt.NDArray[np.int16]
    blue_share: npt.NDArray[np.float64]
    jc_blue: pa.Array
    jc_white: pa.Array
    muni: npt.NDArray[np.int64]
    units_first: npt.NDArray[np.int64]
    units_count: npt.NDArray[np.int64]
    unit_numbers: pa.Array
    unit_muni: npt.NDArray[np.int64]
    cum_regular: npt.NDArray[np.float64]
    regular_index: npt.NDArray[np.int64]
    cum_voucher: npt.NDArray[np.float64]
    voucher_index: npt.NDArray[np.int64]
    cum_public: npt.NDArray[np.float64]
    public_index: npt.NDArray[np.int64]
    table_employer: pa.Table
    table_local_unit: pa.Table
    table_voucher_company: pa.Table

    def pick(self, rng: np.random.Generator, n: int, kind: str = "regular") -> npt.NDArray[np.int64]:
        cum, index = {
            "regular": (self.cum_regular, self.regular_index),
            "voucher": (self.cum_voucher, self.voucher_index),
            "public": (self.cum_public, self.public_index),
        }[kind]
        return index[np.minimum(np.searchsorted(cum, rng.random(n)), index.size - 1)]

    def unit_of(self, employer: npt.NDArray[np.int64], salt: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """A local unit of each employer (stable for a given salt, e.g. the job number)."""
        return self.units_first[employer] + salt % self.units_count[employer]


def _cum(weights: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    c = np.cumsum(weights)
    return c / c[-1]


def generate(rng: np.random.Generator, geo: Geography, scale: float) -> Employers:
    n_reg = max(60, round(EMPLOYERS_PER_SCALE * scale))
    n_dc = max(4, round(VOUCHER_COMPANIES_PER_SCALE * scale))
    n = n_reg + n_dc
    nace_all = codelists.nace_2008()["Code"].to_numpy().astype(str)
    division = np.array([int(c[:2]) for c in nace_all])
    weights = np.array([s[5] for s in SECTORS])
    sector = rng.choice(len(SECTORS), n_reg, p=weights / weights.sum()).astype(np.int16)
    nace = np.empty(n, dtype=object)
    for i, s in enumerate(SECTORS):
        sel = np.flatnonzero(sector == i)
        pool = nace_all[np.isin(division, s[0])]
        nace[sel] = pool[rng.integers(0, pool.size, sel.size)]
    nace[n_reg:] = "81210"
    public = np.zeros(n, bool)
    public[:n_reg] = np.array([s[4] for s in SECTORS])[sector]
    public[:n_reg] &= rng.random(n_reg) < 0.9
    voucher = np.zeros(n, bool)
    voucher[n_reg:] = True
    size = rng.pareto(1.05, n) + 1.0
    size = np.minimum(size, 5_000.0)
    blue = np.r_[np.array([s[3] for s in SECTORS])[sector], np.full(n_dc, 0.97)]
    jc_b = np.r_[np.array([s[1] for s in SECTORS])[sector], np.full(n_dc, "322.01")]
    jc_w = np.r_[np.array([s[2] for s in SECTORS])[sector], np.full(n_dc, "322.01")]
    nonprofit = (~public) & np.r_[np.isin(sector, (10, 11)), np.zeros(n_dc, bool)]
    category = np.where(voucher, "597", np.where(public, "001", np.where(nonprofit, "011", "000")))
    # identifiers: unique by construction (disjoint ranges per employer)
    step = max(1, min(37, 15_000_000 // n))
    ent = enterprise_from_sequence(4_000_000 + np.arange(n) * step + rng.integers(0, step, n))
    rstep = max(1, min(3, 1_800_000 // n))
    rsz = rsz_from_radix(100_000 + np.arange(n) * rstep + rng.integers(0, rstep, n))
    muni = geo.draw(rng, n)
    # voucher companies sit where users are: weighted to Flanders like the sector itself
    muni[n_reg:] = geo.draw(rng, n_dc, (1.6, 0.8, 1.0))
    units = 1 + np.minimum(rng.poisson(np.log1p(size)), 40)
    first = np.r_[0, np.cumsum(units)[:-1]]
    n_units = int(units.sum())
    owner = np.repeat(np.arange(n), units)
    unit_muni = np.where(
        np.arange(n_units) == first[owner], muni[owner], geo.nearby(rng, muni[owner], 0.5, 0.4)
    )
    seq = (
        20_000_000
        + np.arange(n_units) * 7
        + rng.integers(0, 7, n_units)
        + rng.integers(0, 7, 1)[0] * 10_000_000
    )
    unit_numbers = np.char.add(seq.astype(str), np.char.zfill((97 - seq % 97).astype(str), 2))
    ent_arr = pa.array(ent.astype(object), pa.string())
    organisation = np.where(public, "PUB", np.where(nonprofit, "VZW", "REG"))
    work_form = np.where(voucher, "DC", "NONE").astype(object)
    social = (~voucher) & (~public) & (rng.random(n) < 0.01)
    work_form[social] = rng.choice(["MAAT", "BW", "SW", "LDE", "INV"], int(social.sum()))
    organisation = np.where(social, rng.choice(["VZW", "COOP", "VSO"], n), organisation)
    start = day("1950-01-01") + (rng.random(n) ** 0.5 * (day("2020-01-01") - day("1950-01-01"))).astype(
        np.int32
    )
    start = np.where(voucher, day("2004-01-01") + rng.integers(0, 365 * 8, n), start)
    reg_w = (
        size[:n_reg]
        * np.array([s[5] for s in SECTORS])[sector]
        / np.bincount(sector, minlength=len(SECTORS))[sector].clip(1)
    )
    pub_idx = np.flatnonzero(public)
    employer = pa.table(
        {
            "enterprise_number": ent_arr,
            "rsz_number": pa.array(rsz.astype(object), pa.string()),
            "nace": pa.array(nace, pa.string()),
            "employer_category": pa.array(category.astype(object), pa.string()),
            "public_private": pa.array(np.where(public, "PUBL", "PRIV").astype(object), pa.string()),
            "organisation_type": pa.array(organisation.astype(object), pa.string()),
            "work_form": pa.array(work_form, pa.string()),
            "dwse_code": pa.array(
                np.where(
                    work_form != "NONE",
                    np.char.add("DWSE-", work_form.astype(str)).astype(object),
                    np.array(None, dtype=object),
                ),
                pa.string(),
            ),
            "nis_code": geo.nis.take(pa.array(muni)),
            "start_date": dates(start.astype(np.int32)),
            "end_date": pa.nulls(n, pa.date32()),
        }
    )
    local_unit = pa.table(
        {
            "unit_number": pa.array(unit_numbers.astype(object), pa.string()),
            "enterprise_number": ent_arr.take(pa.array(owner)),
            "nis_code": geo.nis.take(pa.array(unit_muni)),
            "nace": pa.array(nace[owner], pa.string()),
        }
    )
    dc = np.arange(n_reg, n)
    voucher_company = pa.table(
        {
            "enterprise_number": ent_arr.take(pa.array(dc)),
            "recognition_number": pa.array([f"DC{i:06d}" for i in range(1, n_dc + 1)], pa.string()),
            "start_date": dates(start[dc].astype(np.int32)),
            "end_date": pa.nulls(n_dc, pa.date32()),
        }
    )
    public_weights = size[pub_idx] if pub_idx.size else np.ones(1)
    return Employers(
        n=n,
        enterprise=ent_arr,
        rsz=pa.array(rsz.astype(object), pa.string()),
        nace=pa.array(nace, pa.string()),
        category=pa.array(category.astype(object), pa.string()),
        public=public,
        voucher=voucher,
        sector=np.r_[sector, np.full(n_dc, -1)].astype(np.int16),
        blue_share=blue,
        jc_blue=pa.array(jc_b.astype(object), pa.string()),
        jc_white=pa.array(jc_w.astype(object), pa.string()),
        muni=muni,
        units_first=first,
        units_count=units,
        unit_numbers=local_unit.column("unit_number").combine_chunks(),
        unit_muni=unit_muni,
        cum_regular=_cum(reg_w),
        regular_index=np.arange(n_reg),
        cum_voucher=_cum(size[n_reg:]),
        voucher_index=dc,
        cum_public=_cum(public_weights),
        public_index=pub_idx if pub_idx.size else np.array([0]),
        table_employer=employer,
        table_local_unit=local_unit,
        table_voucher_company=voucher_company,
    )


def employer_years(rng: np.random.Generator, emp: Employers, jobs_31dec: npt.NDArray[np.int64]) -> pa.Table:
    """Size class at 31 December and annual-account ratios, for employers with jobs that year."""
    e, y = np.nonzero(jobs_31dec > 0)
    jobs = jobs_31dec[e, y]
    bounds = np.array([1, 5, 10, 20, 50, 100, 200, 500, 1000])
    size_class = np.searchsorted(bounds, jobs, side="right")
    m = e.size
    return pa.table(
        {
            "enterprise_number": emp.enterprise.take(pa.array(e)),
            "year": pa.array(YEARS[y].astype(np.int16)),
            "size_class": pa.array([str(i) for i in range(10)], pa.string()).take(pa.array(size_class)),
            "jobs_31dec": pa.array(jobs.astype(np.int32)),
            "liquidity": pa.array(np.round(rng.lognormal(0.2, 0.4, m), 3)),
            "solvency": pa.array(np.round(rng.beta(3, 4, m), 3)),
            "profitability": pa.array(np.round(rng.normal(0.08, 0.12, m), 3)),
            "credit_policy": pa.array(np.round(rng.gamma(4, 12, m), 1)),
            "investment_ratio": pa.array(np.round(rng.beta(2, 8, m), 3)),
        }
    )
