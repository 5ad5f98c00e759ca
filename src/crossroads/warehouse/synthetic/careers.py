"""Careers: a quarterly state per person, moving between work, unemployment, sickness, career break,
assistance, inactivity and pension, then cut into spells and jobs.

The state on the last day of each quarter follows a Markov chain (vectorised over all persons of a
chunk, one step per quarter). A career starts at the end of education (or on arrival, or on 1 January
2007 for the people already here) and ends in pension at 60-65, death or emigration. Runs of equal state
become spells; runs of employment become jobs with an employer, a collar, a working-time fraction and a
wage, which :mod:`.dmfa` declares quarter by quarter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from crossroads.warehouse.synthetic.education import LOW, MID, Education
from crossroads.warehouse.synthetic.employers import Employers
from crossroads.warehouse.synthetic.period import (
    N_QUARTERS,
    OPEN,
    P0,
    Q_END,
    Q_START,
    Q_YEAR,
    Days,
    years_to_days,
)
from crossroads.warehouse.synthetic.population import People

# states
ABSENT, YOUNG, EMP, SELF, UNEMP, SICK, BREAK, ASSIST, INACT, DISAB, SWT, PENSION = range(12)
_MOBILE = (EMP, SELF, UNEMP, SICK, BREAK, ASSIST, INACT)

# quarterly transition probabilities between the mobile states (rows: from; columns: to, in _MOBILE order)
_T = np.array(
    [
        #  EMP    SELF   UNEMP  SICK   BREAK  ASSIST INACT
        [0.000, 0.002, 0.012, 0.008, 0.003, 0.0005, 0.004],  # EMP
        [0.006, 0.000, 0.002, 0.004, 0.000, 0.0005, 0.004],  # SELF
        [0.110, 0.004, 0.000, 0.012, 0.000, 0.008, 0.015],  # UNEMP
        [0.090, 0.002, 0.020, 0.000, 0.000, 0.002, 0.010],  # SICK
        [0.300, 0.000, 0.010, 0.005, 0.000, 0.000, 0.010],  # BREAK
        [0.060, 0.002, 0.030, 0.010, 0.000, 0.000, 0.020],  # ASSIST
        [0.025, 0.002, 0.012, 0.004, 0.000, 0.003, 0.000],  # INACT
    ]
)
_STOCK = np.array([0.62, 0.08, 0.08, 0.05, 0.01, 0.01, 0.15])
_LEAVER = np.array([0.52, 0.01, 0.34, 0.01, 0.00, 0.02, 0.10])
_ARRIVER = np.array([0.42, 0.04, 0.16, 0.01, 0.00, 0.10, 0.27])

VOUCHER_PROPENSITY = 0.12
"""Chance that a new job of a woman with low or middle education is a service-voucher job (2016+)."""


@dataclass
class Careers:
    state: npt.NDArray[np.int8]
    """(persons, 72) state on the last day of each quarter."""
    job: npt.NDArray[np.int32]
    """(persons, 72) job number (-1 when not employed)."""
    # jobs
    j_person: npt.NDArray[np.int64]
    j_employer: npt.NDArray[np.int64]
    j_blue: npt.NDArray[np.bool_]
    j_fraction: npt.NDArray[np.float64]
    j_daily_wage: npt.NDArray[np.float64]
    """Full-time daily wage, euro."""
    j_art60: npt.NDArray[np.bool_]
    j_start: Days
    j_end: Days
    """Exclusive end (``OPEN`` while running)."""
    j_part_break: npt.NDArray[np.bool_]
    self_secondary: npt.NDArray[np.bool_]
    disabled: npt.NDArray[np.bool_]


def generate(rng: np.random.Generator, people: People, edu: Education, emp: Employers) -> Careers:
    n = people.n
    state = np.zeros((n, N_QUARTERS), np.int8)
    job = np.full((n, N_QUARTERS), -1, np.int32)
    retire = 60 + rng.beta(2.5, 1.2, n) * 5.0
    disabled = rng.random(n) < 0.02
    women_lowmid = (people.sex == 2) & (edu.level <= MID)
    p_voucher = np.where(
        women_lowmid,
        VOUCHER_PROPENSITY * np.where(people.foreign_born, 1.6, 1.0),
        np.where(edu.level == LOW, 0.006, 0.0),
    )
    cum_t = np.cumsum(_T, axis=1)
    stay = 1.0 - _T.sum(axis=1)
    # per new job: person, first quarter, voucher job, art. 60 job
    j_rows: list[
        tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]
    ]
    j_rows = []
    n_jobs = 0
    prev = np.zeros(n, np.int8)
    prev_job = np.full(n, -1, np.int32)
    for k in range(N_QUARTERS):
        qe = Q_END[k]
        present = (people.arrival <= qe) & (people.out > qe)
        age = (qe - people.birth) / 365.25
        s = np.full(n, ABSENT, np.int8)
        s[present & (qe < edu.end)] = YOUNG
        working_age = present & (qe >= edu.end)
        pension = working_age & ((age >= retire) | (prev == PENSION))
        swt_cont = working_age & (prev == SWT) & (age < 65)
        s[pension & ~swt_cont] = PENSION
        s[swt_cont] = SWT
        free = working_age & ~pension & ~swt_cont
        # entering the career: at 1 January 2007, at the end of education or on arrival
        fresh = free & np.isin(prev, (ABSENT, YOUNG))
        u = rng.random(n)
        if fresh.any():
            base = np.where(
                (prev == YOUNG)[:, None],
                _LEAVER[None, :],
                np.where((k == 0) & (people.arrival < P0)[:, None], _STOCK[None, :], _ARRIVER[None, :]),
            )
            pick = (u[:, None] > np.cumsum(base, axis=1)).sum(axis=1).clip(0, len(_MOBILE) - 1)
            s[fresh] = np.array(_MOBILE, np.int8)[pick[fresh]]
            s[fresh & disabled] = DISAB
        cont = free & ~fresh
        if cont.any():
            prev_i = np.searchsorted(_MOBILE, np.where(np.isin(prev, _MOBILE), prev, EMP))
            nxt = (u[:, None] > cum_t[prev_i]).sum(axis=1)
            go = u < 1.0 - stay[prev_i]  # else stay in the same state
            new_s = np.where(go, np.array(_MOBILE, np.int8)[np.minimum(nxt, len(_MOBILE) - 1)], prev)
            new_s = np.where(np.isin(prev, (DISAB,)), DISAB, new_s)
            # early retirement with a company allowance from 57 (bridging pension)
            swt = (prev == EMP) & (age >= 57) & (rng.random(n) < np.where(Q_YEAR[k] < 2012, 0.02, 0.008))
            new_s = np.where(swt, SWT, new_s)
            s[cont] = new_s[cont]
        s[present & ~working_age & (qe >= edu.end)] = YOUNG
        # jobs: a new job when entering employment, or a change of employer (about 10 % a year)
        emp_now = s == EMP
        switch = emp_now & (prev == EMP) & (rng.random(n) < 0.025)
        new_job = emp_now & ((prev != EMP) | switch)
        idx = np.flatnonzero(new_job)
        if idx.size:
            ids = np.arange(n_jobs, n_jobs + idx.size, dtype=np.int32)
            n_jobs += idx.size
            trend = min(1.0, 0.55 + 0.05 * (Q_YEAR[k] - 2007))
            is_voucher = rng.random(idx.size) < p_voucher[idx] * trend
            from_assist = prev[idx] == ASSIST
            art60 = from_assist & (rng.random(idx.size) < 0.35) & ~is_voucher
            j_rows.append((idx.astype(np.int64), np.full(idx.size, k, np.int64), is_voucher, art60))
            job[idx, k] = ids
            prev_job[idx] = ids
        keep = emp_now & ~new_job
        job[keep, k] = prev_job[keep]
        state[:, k] = s
        prev = s
    # assemble jobs
    j_rows.append((np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, bool), np.zeros(0, bool)))
    persons, kq, voucher, art60 = (np.concatenate([r[i] for r in j_rows]) for i in range(4))
    m = persons.size
    employer = emp.pick(rng, m)
    employer[voucher] = emp.pick(rng, int(voucher.sum()), "voucher")
    employer[art60] = emp.pick(rng, int(art60.sum()), "public")
    blue = np.where(
        voucher,
        rng.random(m) < 0.97,
        rng.random(m) < emp.blue_share[employer] * np.where(edu.level[persons] == 2, 0.4, 1.2),
    )
    fraction = np.where(
        voucher,
        rng.choice([0.5, 0.6, 0.66, 0.75, 0.8, 1.0], m, p=[0.25, 0.2, 0.15, 0.2, 0.1, 0.1]),
        np.where(
            rng.random(m) < np.where(people.sex[persons] == 2, 0.40, 0.10),
            rng.choice([0.5, 0.6, 0.8], m),
            1.0,
        ),
    )
    age_start = (Q_START[kq] - people.birth[persons]) / 365.25
    wage = (
        np.where(edu.level[persons] == 2, 150.0, np.where(edu.level[persons] == 1, 115.0, 100.0))
        * (1 + 0.012 * np.clip(age_start - 20, 0, 30))
        * rng.lognormal(0, 0.2, m)
        * (1.02 ** (Q_YEAR[kq] - 2007))
    )
    wage = np.where(voucher, 11.0 * 7.6 * (1.02 ** (Q_YEAR[kq] - 2016)), wage)
    # job start: a day in the first quarter (or the career/arrival date), end: the day the next state starts
    start = (Q_START[kq] + (rng.random(m) * (Q_END[kq] - Q_START[kq] + 1)).astype(np.int32)).astype(np.int32)
    first_q_start = np.maximum.reduce([np.asarray(start), edu.end[persons], people.arrival[persons]])
    start = np.minimum(first_q_start, Q_END[kq]).astype(np.int32)
    stock = (kq == 0) & (people.arrival[persons] < P0)
    start = np.where(
        stock, np.maximum(P0 - years_to_days(rng.random(m) * 8), edu.end[persons]), start
    ).astype(np.int32)
    ends = _job_ends(job, m, start, people, persons)
    careers = Careers(
        state=state,
        job=job,
        j_person=persons,
        j_employer=employer,
        j_blue=blue,
        j_fraction=fraction,
        j_daily_wage=wage,
        j_art60=art60,
        j_start=start,
        j_end=ends,
        j_part_break=rng.random(m) < 0.04,
        self_secondary=rng.random(n) < 0.05,
        disabled=disabled,
    )
    return careers


def _job_ends(
    job: npt.NDArray[np.int32], m: int, start: Days, people: People, persons: npt.NDArray[np.int64]
) -> Days:
    """Exclusive end of each job: the start of what follows, or leaving the population, or open."""
    last_q = np.full(m, -1, np.int64)
    rows, cols = np.nonzero(job >= 0)
    ids = job[rows, cols]
    np.maximum.at(last_q, ids, cols)
    end = np.full(m, OPEN, np.int64)
    ended = last_q < N_QUARTERS - 1
    nq = np.minimum(last_q + 1, N_QUARTERS - 1)
    # the next state starts on a day in the next quarter (seeded by the job number, so it is reproducible)
    offset = (np.arange(m) * 7919) % np.maximum(Q_END[nq] - Q_START[nq], 1)
    nxt = Q_START[nq] + offset
    out = people.out[persons]
    end = np.where(ended, np.minimum(nxt, out), np.where(out < OPEN, out, OPEN))
    return np.maximum(end, start + 1).astype(np.int32)


@dataclass
class Runs:
    """Runs of an equal state: person, state, first and last quarter, start and (exclusive) end date."""

    person: npt.NDArray[np.int64]
    state: npt.NDArray[np.int8]
    k0: npt.NDArray[np.int64]
    k1: npt.NDArray[np.int64]
    start: Days
    end: Days


def runs(c: Careers, people: People, edu: Education) -> Runs:
    """Cut the state matrix into spells; a spell starts on a day inside its first quarter and ends the day
    before the next one starts, so the state on each quarter's last day is the spell covering it."""
    s = c.state
    n, q = s.shape
    change = np.ones((n, q), bool)
    change[:, 1:] = s[:, 1:] != s[:, :-1]
    pr, k0 = np.nonzero(change)
    st = s[pr, k0]
    nxt_idx = np.r_[np.arange(1, pr.size), pr.size]
    same_person_next = np.r_[pr[1:] == pr[:-1], False]
    k1 = np.where(same_person_next, k0[np.minimum(nxt_idx, pr.size - 1)] - 1, q - 1)
    keep = st != ABSENT
    # start: random day in the first quarter (stable: derived from person and quarter)
    salt = (pr * 7919 + k0 * 104729) % 89
    start = Q_START[k0] + (salt * (Q_END[k0] - Q_START[k0])) // 89
    start = np.maximum.reduce(
        [start, people.arrival[pr], np.where(st == YOUNG, people.birth[pr], edu.end[pr])]
    )
    start = np.minimum(start, Q_END[k0])
    stock = (k0 == 0) & (people.arrival[pr] < P0)
    start = np.where(
        stock,
        np.maximum(P0 - 365 * ((pr % 7) + 1), np.where(st == YOUNG, people.birth[pr], edu.end[pr])),
        start,
    )
    # a pension already running in 2007 started at 60 at the earliest
    start = np.where(st == PENSION, np.maximum(start, people.birth[pr] + years_to_days(60)), start)
    start = np.minimum(start, Q_END[k0])
    nxt_start = np.where(same_person_next, np.roll(start, -1), OPEN)
    nxt_state = np.where(same_person_next, np.roll(st, -1), ABSENT)
    out = people.out[pr]
    end = np.where(same_person_next & (nxt_state != ABSENT), nxt_start, np.where(out < OPEN, out, OPEN))
    end = np.where(k1 == q - 1, np.where(out < OPEN, out, OPEN), end)
    r = Runs(
        person=pr[keep].astype(np.int64),
        state=st[keep],
        k0=k0[keep].astype(np.int64),
        k1=k1[keep].astype(np.int64),
        start=start[keep].astype(np.int32),
        end=end[keep].astype(np.int32),
    )
    return r
