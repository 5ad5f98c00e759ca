"""Service vouchers as the issuer sees them: users' orders per month (paper or electronic) and the
workers paid with vouchers per quarter and company.

Users are concentrated in working, older and better-educated (higher-income) households, most of them
in Flanders; each user switches from paper to electronic vouchers once, when the electronic share of the
year (DOMAIN.md §7: 29 % in 2015, 48 % end 2016, 73 % end 2019) passes the user's own threshold.
The issuer's list of workers is built from the voucher jobs but misses workers who work mostly for users
outside Flanders and, as in the real data, does not match the network's list (DmfA, 322.01) exactly.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from crossroads.warehouse.synthetic import careers as C
from crossroads.warehouse.synthetic.careers import Careers
from crossroads.warehouse.synthetic.dmfa import Dmfa
from crossroads.warehouse.synthetic.education import HIGH, Education
from crossroads.warehouse.synthetic.employers import Employers
from crossroads.warehouse.synthetic.period import Q_CODE, Q_END, YEARS, day
from crossroads.warehouse.synthetic.population import People
from crossroads.warehouse.synthetic.residence import Residence

USER_RATE = 0.30
"""Scales the yearly chance of being a user (calibrated: about 750,000 Flemish users in 2020 at scale 1)."""
_E_SHARE = {
    2007: 0.02,
    2008: 0.04,
    2009: 0.07,
    2010: 0.10,
    2011: 0.13,
    2012: 0.17,
    2013: 0.21,
    2014: 0.25,
    2015: 0.29,
    2016: 0.40,
    2017: 0.53,
    2018: 0.64,
    2019: 0.72,
    2020: 0.78,
    2021: 0.84,
    2022: 0.89,
    2023: 0.93,
    2024: 0.96,
}
_TREND = {
    y: v
    for y, v in zip(
        YEARS.tolist(),
        [
            0.45,
            0.55,
            0.64,
            0.72,
            0.78,
            0.84,
            0.88,
            0.90,
            0.83,
            0.88,
            0.93,
            0.97,
            1.0,
            0.96,
            0.98,
            1.0,
            1.0,
            1.0,
        ],
        strict=True,
    )
}


def orders(rng: np.random.Generator, people: People, edu: Education, c: Careers, res: Residence) -> pa.Table:
    n = people.n
    latent = rng.random(n)
    e_threshold = rng.random(n)
    parts: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]] = []
    for yr in YEARS.tolist():
        ye = day(f"{yr}-12-31")
        age = (ye - people.birth) / 365.25
        region = res.region_on(ye, n)
        kq = (yr - 2007) * 4 + 3
        working = np.isin(c.state[:, kq], (C.EMP, C.SELF))
        retired = c.state[:, kq] == C.PENSION
        f_age = np.interp(age, [0, 25, 30, 40, 55, 65, 80, 95], [0, 0, 0.25, 0.6, 0.85, 1.0, 1.0, 0.5])
        p = (
            USER_RATE
            * _TREND[yr]
            * f_age
            * np.where(working | retired, 1.0, 0.35)
            * np.where(edu.level == HIGH, 1.6, np.where(edu.level == 0, 0.55, 1.0))
            * np.array([1.0, 0.55, 0.45, 0.0])[np.where(region < 0, 3, region)]
        )
        users = np.flatnonzero(latent < p)
        parts.append((users.astype(np.int64), np.full(users.size, yr, np.int64), np.zeros(0, np.int64)))
    person = np.concatenate([x[0] for x in parts])
    year = np.concatenate([x[1] for x in parts])
    # 2-6 orders a year in distinct months, about 25 vouchers each
    k = rng.integers(2, 7, person.size)
    rank = np.argsort(rng.random((person.size, 12)), axis=1)
    pr, month0 = np.nonzero(rank < k[:, None])
    person, year = person[pr], year[pr]
    month_day = _month_mid(year, month0)
    ok = (month_day >= people.arrival[person]) & (month_day < people.out[person])
    person, year, month0 = person[ok], year[ok], month0[ok]
    share = np.array([_E_SHARE[int(y)] for y in YEARS])[year - YEARS[0]]
    kind = (e_threshold[person] < share + month0 / 12 * 0.05).astype(np.int64)
    vouchers = np.clip(np.round(rng.gamma(3.0, 8.5, person.size)), 1, 250).astype(np.int32)
    return pa.table(
        {
            "insz": people.insz.take(pa.array(person)),
            "month": pa.array((year * 100 + month0 + 1).astype(np.int32)),
            "kind": pa.array(["P", "E"], pa.string()).take(pa.array(kind)),
            "orders": pa.array(np.ones(person.size, np.int16)),
            "vouchers": pa.array(vouchers),
        }
    )


def _month_mid(year: npt.NDArray[np.int64], month0: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    months = (year - 1970) * 12 + month0
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + 14


def worker_payments(
    rng: np.random.Generator, people: People, d: Dmfa, emp: Employers, res: Residence
) -> pa.Table:
    """The issuer's list: voucher job-quarters of workers, most of those living in Flanders."""
    v = np.flatnonzero(d.voucher)
    region = _region_at(res, d.person[v], Q_END[d.k[v]])
    p = np.where(region == 0, 0.955, 0.50)
    keep = v[rng.random(v.size) < p]
    return pa.table(
        {
            "insz": people.insz.take(pa.array(d.person[keep])),
            "quarter": pa.array(Q_CODE[d.k[keep]]),
            "enterprise_number": emp.enterprise.take(pa.array(d.employer[keep])),
            "vouchers": pa.array(np.maximum(np.round(d.hours[keep] / 100), 1).astype(np.int32)),
        }
    )


def _region_at(
    res: Residence, person: npt.NDArray[np.int64], when: npt.NDArray[np.int32]
) -> npt.NDArray[np.int8]:
    """Region of residence of each (person, day) pair (-1 when not resident)."""
    order = np.argsort(res.person, kind="stable")
    first = np.searchsorted(res.person[order], person, side="left")
    last = np.searchsorted(res.person[order], person, side="right")
    out = np.full(person.size, -1, np.int8)
    for step in range(int((last - first).max(initial=0))):
        idx = first + step
        valid = idx < last
        sp = order[np.minimum(idx, order.size - 1)]
        hit = valid & (res.start[sp] <= when) & (res.end[sp] > when)
        out[hit] = res.geo.region[res.muni[sp[hit]]]
    return out
