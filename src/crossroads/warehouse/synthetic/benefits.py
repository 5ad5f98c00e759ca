"""Social-protection spells cut from the career runs: unemployment, career break, incapacity, assistance,
OCMW employment, PWA hours, pensions, child benefit, disability allowance and self-employment.

Every spell comes from a run of the quarterly state (see :mod:`.careers`), so the socio-economic position
(:mod:`.positions`) and these tables always tell the same story.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from crossroads.warehouse.synthetic import careers as C
from crossroads.warehouse.synthetic.careers import Careers, Runs
from crossroads.warehouse.synthetic.employers import Employers
from crossroads.warehouse.synthetic.geography import Geography
from crossroads.warehouse.synthetic.period import OPEN, Q_CODE, Q_END, Y_END, YEARS, Days, dates, day
from crossroads.warehouse.synthetic.population import People

COVID_START, COVID_END = day("2020-04-01"), day("2020-07-01")
K_2020Q2 = 13 * 4 + 1


def _incl(end: Days) -> Days:
    return np.where(end >= OPEN, OPEN, end - 1).astype(np.int32)


def _spell_table(
    people: People, person: npt.NDArray[np.int64], start: Days, end: Days, **cols: pa.Array
) -> pa.Table:
    order = np.lexsort((start, person))
    data: dict[str, pa.Array] = {"insz": people.insz.take(pa.array(person[order]))}
    for k, v in cols.items():
        data[k] = v.take(pa.array(order))
    data["start_date"] = dates(np.asarray(start)[order])
    data["end_date"] = dates(_incl(np.asarray(end)[order]))
    return pa.table(data)


def unemployment_status(r: Runs, people: People, rng: np.random.Generator) -> npt.NDArray[np.int64]:
    """Per run: 0 UVW, 1 VDT, 2 INS, 3 VRIJ (only meaningful for unemployment runs)."""
    age = (r.start - people.birth[r.person]) / 365.25
    prev_young = np.r_[False, (r.state[:-1] == C.YOUNG) & (r.person[:-1] == r.person[1:])]
    year = r.start.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    return np.select(
        [prev_young & (age < 30), (age >= 58) & (year < 2015), rng.random(r.person.size) < 0.08], [2, 3, 1], 0
    )


def spells(
    rng: np.random.Generator,
    people: People,
    c: Careers,
    r: Runs,
    emp: Employers,
    geo: Geography,
    status: npt.NDArray[np.int64],
) -> dict[str, pa.Table]:
    out: dict[str, pa.Table] = {}
    st = r.state
    # unemployment: unemployment runs, company-allowance (SWT) runs and COVID temporary unemployment
    u = np.flatnonzero(st == C.UNEMP)
    s = np.flatnonzero(st == C.SWT)
    covid_p = np.flatnonzero(
        (c.job[:, K_2020Q2] >= 0)
        & (c.job[:, K_2020Q2 - 1] == c.job[:, K_2020Q2])
        & (rng.random(people.n) < 0.25)
    )
    labels = pa.array(["UVW", "VDT", "INS", "VRIJ", "SWT", "TIJD"], pa.string())
    code = np.r_[status[u], np.full(s.size, 4), np.full(covid_p.size, 5)]
    person = np.r_[r.person[u], r.person[s], covid_p].astype(np.int64)
    start = np.r_[r.start[u], r.start[s], np.full(covid_p.size, COVID_START)].astype(np.int32)
    end = np.r_[r.end[u], r.end[s], np.full(covid_p.size, COVID_END)].astype(np.int32)
    benefit = np.round(
        np.where(code == 2, 2000, np.where(code == 5, 4500, 5000)) * rng.uniform(0.8, 1.3, code.size)
    )
    out["unemployment"] = _spell_table(
        people,
        person,
        start,
        end,
        status=labels.take(pa.array(code)),
        measure=pa.array(
            np.where(
                rng.random(code.size) < 0.1,
                np.array("activering", dtype=object),
                np.array(None, dtype=object),
            ),
            pa.string(),
        ),
        daily_benefit_cents=pa.array(benefit.astype(np.int32)),
        unemployment_start=dates(start),
    )
    covid = np.zeros(people.n, bool)
    covid[covid_p] = True
    # career break: full breaks are runs; part-time breaks run alongside a job
    b = np.flatnonzero(st == C.BREAK)
    pj = np.flatnonzero(c.j_part_break)
    kind = np.r_[np.where(rng.random(b.size) < 0.2, 2, 0), np.ones(pj.size, np.int64)]
    frac = np.r_[np.ones(b.size), rng.choice([0.2, 0.5], pj.size)]
    out["career_break"] = _spell_table(
        people,
        np.r_[r.person[b], c.j_person[pj]].astype(np.int64),
        np.r_[r.start[b], c.j_start[pj]],
        np.r_[r.end[b], c.j_end[pj]],
        kind=pa.array(["FULL", "PART", "THEM"], pa.string()).take(pa.array(kind)),
        fraction=pa.array(frac),
    )
    # incapacity: the first year is primary incapacity, then invalidity
    i = np.flatnonzero(st == C.SICK)
    split = r.start[i] + 365
    long_ = split < r.end[i]
    person = np.r_[r.person[i], r.person[i][long_]].astype(np.int64)
    start = np.r_[r.start[i], split[long_]]
    end = np.r_[np.where(long_, split, r.end[i]), r.end[i][long_]]
    kind = np.r_[np.zeros(i.size, np.int64), np.ones(int(long_.sum()), np.int64)]
    out["incapacity"] = _spell_table(
        people, person, start, end, kind=pa.array(["PRIM", "INV"], pa.string()).take(pa.array(kind))
    )
    # social assistance: leefloon, or equivalent aid for foreign nationals without a right to it
    a = np.flatnonzero(st == C.ASSIST)
    eq = (people.first_nationality[r.person[a]] != 0) & ~geo.is_eu[people.first_nationality[r.person[a]]]
    eq &= rng.random(a.size) < 0.5
    out["social_assistance"] = _spell_table(
        people,
        r.person[a],
        r.start[a],
        r.end[a],
        kind=pa.array(["LL", "EQ"], pa.string()).take(pa.array(eq.astype(np.int64))),
        monthly_amount_cents=pa.array(np.round(rng.uniform(90_000, 160_000, a.size)).astype(np.int32)),
    )
    # OCMW employment (art. 60 §7 mostly, art. 61 sometimes): the jobs found from assistance
    o = np.flatnonzero(c.j_art60)
    out["ocmw_employment"] = _spell_table(
        people,
        c.j_person[o],
        c.j_start[o],
        c.j_end[o],
        article=pa.array(["60", "61"], pa.string()).take(
            pa.array((rng.random(o.size) < 0.12).astype(np.int64))
        ),
        employer_enterprise_number=emp.enterprise.take(pa.array(c.j_employer[o])),
    )
    # pensions
    pn = np.flatnonzero(st == C.PENSION)
    out["pension"] = _spell_table(
        people,
        r.person[pn],
        r.start[pn],
        r.end[pn],
        kind=pa.array(np.full(pn.size, "RET").astype(object), pa.string()),
        monthly_amount_cents=pa.array(np.round(rng.uniform(110_000, 260_000, pn.size)).astype(np.int32)),
    )
    # child benefit: children and young people in education (until 25)
    y = np.flatnonzero(st == C.YOUNG)
    y_end = np.minimum(r.end[y], people.birth[r.person[y]] + int(25 * 365.25))
    ok = y_end > r.start[y]
    out["child_benefit"] = _spell_table(people, r.person[y][ok], r.start[y][ok], y_end[ok])
    d = np.flatnonzero(st == C.DISAB)
    out["disability_allowance"] = _spell_table(people, r.person[d], r.start[d], r.end[d])
    # self-employment: main occupation (runs) and a side activity of some employees (their job spans)
    se = np.flatnonzero(st == C.SELF)
    sec = np.flatnonzero(c.self_secondary[c.j_person])
    person = np.r_[r.person[se], c.j_person[sec]].astype(np.int64)
    start = np.r_[r.start[se], c.j_start[sec]]
    end = np.r_[r.end[se], c.j_end[sec]]
    quality = np.r_[np.zeros(se.size, np.int64), np.ones(sec.size, np.int64)]
    profession = pa.array(
        ["zaakvoerder", "handelaar", "vrij beroep", "landbouwer", "ambachtsman", "consultant"], pa.string()
    ).take(pa.array(rng.integers(0, 6, person.size)))
    sector = pa.array(["handel", "nijverheid", "vrije beroepen", "landbouw", "diensten"], pa.string()).take(
        pa.array(rng.integers(0, 5, person.size))
    )
    out["self_employment"] = _spell_table(
        people,
        person,
        start,
        end,
        quality=pa.array(["MAIN", "SEC"], pa.string()).take(pa.array(quality)),
        profession=profession,
        sector=sector,
        affiliation_date=dates(start),
    )
    # income class per year of self-employment (main activity earns more)
    ys, ye = Y_END[None, :], (Y_END - 364)[None, :]
    active = (start[:, None] <= ys) & (end[:, None] > ye)
    row, yi = np.nonzero(active)
    cls = np.clip(
        np.where(quality[row] == 0, rng.integers(2, 11, row.size), rng.integers(1, 6, row.size)), 1, 10
    )
    key = person[row] * 100 + yi
    _, first = np.unique(key, return_index=True)
    out["self_employment_income"] = pa.table(
        {
            "insz": people.insz.take(pa.array(person[row][first])),
            "year": pa.array(YEARS[yi[first]].astype(np.int16)),
            "income_class": pa.array([str(x) for x in range(11)], pa.string()).take(pa.array(cls[first])),
        }
    )
    # PWA: some long-term unemployed work a few hours a quarter in a local employment agency
    pw = np.flatnonzero((st == C.UNEMP) & (r.k1 - r.k0 >= 8) & (rng.random(st.size) < 0.06))
    rows_k = [np.arange(r.k0[x] + 8, r.k1[x] + 1) for x in pw]
    pk = np.concatenate(rows_k) if rows_k else np.zeros(0, np.int64)
    pp = np.repeat(r.person[pw], [len(x) for x in rows_k]) if rows_k else np.zeros(0, np.int64)
    out["pwa_work"] = pa.table(
        {
            "insz": people.insz.take(pa.array(pp.astype(np.int64))),
            "quarter": pa.array(Q_CODE[pk]),
            "hours": pa.array(rng.integers(10, 46, pk.size).astype(np.int32)),
        }
    )
    eq_run = np.zeros(st.size, bool)
    eq_run[a] = eq
    out["_covid"] = pa.table({"flag": pa.array(covid)})
    out["_assist_eq"] = pa.table({"flag": pa.array(eq_run)})
    return out


def quarter_cover(start: Days, end: Days) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """For spells [start, end), the first and last quarter index whose last day they cover."""
    k0 = np.searchsorted(Q_END, start)
    k1 = np.searchsorted(Q_END, end) - 1
    return k0, k1
