"""The socio-economic position (KSZ nomenclature) on the last day of each quarter, one per person.

Derived from the same runs and jobs as the spell tables: when several positions apply, the one closest to
the labour market wins (lowest ``priority`` in ``codelists.load("sep_nomenclature")``): an employee who
also is self-employed on the side is 141, a worker on part-time career break stays a worker. The
cumulated statuses are the ``add_*`` flags.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from crossroads import codelists
from crossroads.warehouse.synthetic import careers as C
from crossroads.warehouse.synthetic.careers import Careers, Runs
from crossroads.warehouse.synthetic.employers import Employers
from crossroads.warehouse.synthetic.period import Q_CODE, Q_END, Q_YEAR
from crossroads.warehouse.synthetic.population import People

_CODES = (
    "111",
    "112",
    "141",
    "121",
    "211",
    "212",
    "213",
    "311",
    "312",
    "331",
    "332",
    "351",
    "352",
    "371",
    "372",
    "34",
    "36",
    "39",
)


def sep_codes() -> tuple[str, ...]:
    known = set(codelists.load("sep_nomenclature")["code"])
    missing = [c for c in _CODES if c not in known]
    if missing:
        raise KeyError(f"sep_nomenclature lacks codes {missing}")
    return _CODES


def positions(
    people: People,
    c: Careers,
    r: Runs,
    emp: Employers,
    unemp_status: npt.NDArray[np.int64],
    assist_eq: npt.NDArray[np.bool_],
    covid: npt.NDArray[np.bool_],
) -> pa.Table:
    codes = sep_codes()
    ix = {code: i for i, code in enumerate(codes)}
    # per run: the index of the run covering each (person, quarter)
    n, q = c.state.shape
    run_of = np.full((n, q), -1, np.int64)
    lengths = r.k1 - r.k0 + 1
    rr = np.repeat(np.arange(r.person.size), lengths)
    kk = np.repeat(r.k0 - np.cumsum(np.r_[0, lengths[:-1]]), lengths) + np.arange(lengths.sum())
    run_of[r.person[rr], kk] = rr
    p, k = np.nonzero(c.state != C.ABSENT)
    s = c.state[p, k]
    run = run_of[p, k]
    job = c.job[p, k]
    public = emp.public[c.j_employer[np.maximum(job, 0)]] & (job >= 0)
    st_u = unemp_status[np.maximum(run, 0)]
    sep = np.select(
        [
            s == C.EMP,
            s == C.SELF,
            s == C.UNEMP,
            s == C.BREAK,
            s == C.ASSIST,
            s == C.SWT,
            s == C.SICK,
            s == C.DISAB,
            s == C.PENSION,
            s == C.YOUNG,
        ],
        [
            np.where(c.self_secondary[p], ix["141"], np.where(public, ix["112"], ix["111"])),
            ix["121"],
            np.select([st_u == 2, st_u == 1, st_u == 3], [ix["213"], ix["212"], ix["312"]], ix["211"]),
            ix["311"],
            np.where(assist_eq[np.maximum(run, 0)], ix["332"], ix["331"]),
            np.where(Q_YEAR[k] < 2012, ix["351"], ix["352"]),
            ix["371"],
            ix["372"],
            ix["34"],
            ix["36"],
        ],
        ix["39"],
    )
    age = (Q_END[k] - people.birth[p]) / 365.25
    part_break = c.j_part_break[np.maximum(job, 0)] & (job >= 0)
    covid_q = covid[p] & (k == 13 * 4 + 1)
    return pa.table(
        {
            "insz": people.insz.take(pa.array(p.astype(np.int64))),
            "quarter": pa.array(Q_CODE[k]),
            "sep_code": pa.array(codes, pa.string()).take(pa.array(sep)),
            "add_unemployment": pa.array((s == C.UNEMP) | (s == C.SWT) | covid_q),
            "add_incapacity": pa.array(s == C.SICK),
            "add_assistance": pa.array(s == C.ASSIST),
            "add_school_leaver": pa.array(((s == C.UNEMP) & (st_u == 2)) | ((s == C.YOUNG) & (age >= 18))),
            "add_pension": pa.array(s == C.PENSION),
            "add_career_break": pa.array((s == C.BREAK) | part_break),
        }
    )
