"""The DmfA, quarter by quarter, in its block structure, for every job-quarter of :mod:`.careers`.

Per job and quarter: a natural person (90017) in the employer's declaration (90007), one worker line
(90012: category, worker code 015 blue-collar / 495 white-collar), one occupation (90015: joint
committee, regime, part-time), its service (90018, code 1: days and hours ×100), its remuneration (90019,
code 1, eurocent), the structural reduction (90109, code 3000) and the Flemish target-group reduction for
older workers (6320), the werkbonus on the worker line (90110, code 0001) and the ordinary contribution
(90001): T × base, the base being 108 % of the wage for blue-collar workers (DOMAIN.md §6).

Service-voucher jobs are declared in joint committee 322.01 by category-597 employers, paid per hour;
a small share is declared under joint committee 322 (administrative errors), one reason why the
network's list of voucher workers and the issuer's differ.

A natural person, its worker line and its occupation share one number (one line each per job-quarter).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from crossroads.warehouse.synthetic.careers import Careers
from crossroads.warehouse.synthetic.employers import Employers
from crossroads.warehouse.synthetic.geography import Geography
from crossroads.warehouse.synthetic.period import N_QUARTERS, OPEN, Q_CODE, Q_END, Q_START, Q_YEAR, dates
from crossroads.warehouse.synthetic.population import People
from crossroads.warehouse.synthetic.social_economy import SE_FORMS

JC_ERROR_RATE = 0.06


def employer_rate(
    year: npt.NDArray[np.int64], quarter: npt.NDArray[np.int64], category: npt.NDArray[np.str_]
) -> npt.NDArray[np.float64]:
    """Employer contribution rate T (%) by period and category (DOMAIN.md §6)."""
    private = np.where(
        year < 2016,
        32.40,
        np.where((year == 2016) & (quarter == 1), 32.40, np.where(year < 2018, 30.0, 25.0)),
    )
    nonprofit = np.where(year < 2018, private, 32.40)
    return np.where(category == "001", 24.82, np.where(category == "011", nonprofit, private))


def structural_reduction(
    wage_q: npt.NDArray[np.float64], mu: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Ps = R·µ·β with R = α·(S0 − S) for the FTE quarterly wage S (category 1, 2018 parameters)."""
    s_fte = wage_q / np.maximum(mu, 1e-6)
    r = np.maximum(0.1280 * (8850.0 - s_fte), 0.0)
    beta = np.select(
        [mu >= 0.8, mu >= 0.55, mu >= 0.275],
        [1.0 / np.maximum(mu, 1e-6), 1.18 + 0.28 * (mu - 0.55), 1.18],
        0.0,
    )
    return np.minimum(r * mu * beta, r)


class Dmfa:
    """The DmfA rows of one chunk plus the per employer-quarter totals the build accumulates."""

    def __init__(
        self,
        c: Careers,
        people: People,
        emp: Employers,
        geo: Geography,
        rng: np.random.Generator,
        id_base: int,
        sequence_counter: npt.NDArray[np.int32],
    ) -> None:
        p, k = np.nonzero(c.job >= 0)
        j = c.job[p, k].astype(np.int64)
        n = p.size
        e = c.j_employer[j]
        self.person, self.k, self.job, self.employer = p.astype(np.int64), k.astype(np.int64), j, e
        ids = id_base + np.arange(n, dtype=np.int64)
        qs, qe = Q_START[k].astype(np.int64), Q_END[k].astype(np.int64)
        j_start, j_end = c.j_start[j].astype(np.int64), c.j_end[j].astype(np.int64)
        lo, hi = np.maximum(qs, j_start), np.minimum(qe + 1, j_end)
        cover = np.clip((hi - lo) / (qe + 1 - qs), 0.05, 1.0)
        frac = c.j_fraction[j]
        voucher = emp.voucher[e]
        blue = c.j_blue[j]
        days = np.round(65 * cover * frac * 100).astype(np.int64)
        hours = np.round(days * 7.6).astype(np.int64)
        year = Q_YEAR[k].astype(np.int64)
        wage_q = np.where(voucher, hours / 100 * c.j_daily_wage[j] / 7.6, days / 100 * c.j_daily_wage[j])
        amount = np.round(wage_q * 100).astype(np.int64)
        # string columns are built by ``take`` from small label arrays: far cheaper than object arrays
        category = np.asarray(emp.category.to_numpy(zero_copy_only=False)).astype("U3")[e]
        # declared under the wrong joint committee for the whole job (a stable per-job draw), so such workers
        # are on the issuer's list but not on the network's
        jc_error = voucher & ((j * 2654435761) % 10_000 < JC_ERROR_RATE * 10_000)
        jc_labels = pa.concat_arrays([emp.jc_blue, emp.jc_white, pa.array(["322"], pa.string())])
        jc = jc_labels.take(pa.array(np.where(jc_error, 2 * emp.n, np.where(blue, e, e + emp.n))))
        # PC 330 only exists from 2007 Q2 (annex 26); before that the health sector declared under PC 305.
        early = pa.array(Q_CODE[k] < 20072)
        jc = pc.if_else(pc.and_(early, pc.equal(jc, "330")), "305", jc)
        collar = pa.array(["495", "015"], pa.string()).take(pa.array(blue.astype(np.int8)))
        self.in_network = voucher & ~jc_error
        self.voucher = voucher
        self.hours = hours
        # sequence of the natural person within the declaration, continued across chunks
        decl = e * N_QUARTERS + k
        order = np.argsort(decl, kind="stable")
        sd = decl[order]
        starts = np.r_[0, np.flatnonzero(sd[1:] != sd[:-1]) + 1]
        rank = np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n]))
        seq = np.empty(n, np.int64)
        seq[order] = rank
        flat = sequence_counter.reshape(-1)
        seq = seq + flat[decl] + 1
        np.add.at(flat, decl, 1)
        seq = (seq - 1) % 32767 + 1
        quarter = pa.array(Q_CODE[k])
        insz = people.insz.take(pa.array(p.astype(np.int64)))
        occ_end = np.where(j_end <= qe, j_end - 1, OPEN)
        # social-economy target-group jobs (SINE, annex 35 code 2) and art. 60 jobs (activation, code 2):
        # stable per job, from a hash of the job number (no draw, so the chunk's stream is unchanged); about
        # one in eight SE workers is supervisory staff, outside the measure
        se_employer = pc.is_in(emp.table_employer.column("work_form"), value_set=pa.array(SE_FORMS))
        se_job = se_employer.to_numpy(zero_copy_only=False)[e] & ((j * 2654435761) % 1000 < 880)
        measure = (se_job | c.j_art60[j]) & (Q_CODE[k] >= 20031)
        fixed_term = (j * 40503) % 1000 < 100  # ~10 % of the jobs are fixed-term (worker status T)
        tables: dict[str, pa.Table] = {}
        tables["dmfa_natural_person"] = pa.table(
            {
                "person_id": pa.array(ids),
                "declaration_id": pa.array(decl),
                "quarter": quarter,
                "sequence": pa.array(seq.astype(np.int16)),
                "insz": insz,
            }
        )
        unit = emp.unit_of(e, j)
        tables["dmfa_worker_line"] = pa.table(
            {
                "worker_line_id": pa.array(ids),
                "person_id": pa.array(ids),
                "quarter": quarter,
                "employer_class": emp.category.take(pa.array(e)),
                "worker_code": collar,
                "start_date": dates(lo),
                "end_date": dates(hi - 1),
                "cross_border": pa.array(np.zeros(n, bool)),
                "local_unit": emp.unit_numbers.take(pa.array(unit)),
            }
        )
        tables["dmfa_occupation"] = pa.table(
            {
                "occupation_id": pa.array(ids),
                "worker_line_id": pa.array(ids),
                "quarter": quarter,
                "sequence": pa.array(np.ones(n, np.int16)),
                "start_date": dates(j_start),
                "end_date": dates(occ_end),
                "joint_committee": jc,
                "days_per_week": pa.array(np.round(500 * frac).astype(np.int16)),
                "mean_hours_worker": pa.array(np.round(3800 * frac).astype(np.int32)),
                "mean_hours_reference": pa.array(np.full(n, 3800, np.int32)),
                "contract_type": pa.array((frac < 1).astype(np.int8)),
                # a part-time career break runs alongside the job (the career_break table): annex 44 code 4
                "reorganisation_measure": _code_where(c.j_part_break[j], "4"),
                "employment_measure": _code_where(measure, "2"),
                "worker_status": _code_where(fixed_term, "T"),
                "retired": pa.array(np.zeros(n, bool)),
                "apprentice": pa.nulls(n, pa.string()),
                "remuneration_method": pa.array(
                    np.where(voucher, np.array("3", dtype=object), np.array(None, dtype=object)), pa.string()
                ),
                "nace": emp.nace.take(pa.array(e)),
            }
        )
        # ~5 % of the occupation-quarters (a hash of the line number: no draw) have a quarter of their days
        # under sickness (code 50) or temporary unemployment (code 70) besides code 1; totals unchanged
        mixed = ((ids % 1_000_003) * 2654435761 >> 8) % 100 < 5
        moved = np.where(mixed, days // 4, 0)
        split = np.flatnonzero(moved > 0)
        moved_hours = np.round(hours[split] * moved[split] / days[split]).astype(np.int64)
        s_hours = hours.copy()
        s_hours[split] -= moved_hours
        s_order = np.argsort(np.r_[np.arange(n), split], kind="stable")
        s_code = np.r_[np.zeros(n, np.int8), np.where(ids[split] % 7 < 4, 1, 2).astype(np.int8)]
        tables["dmfa_service"] = pa.table(
            {
                "occupation_id": pa.array(np.r_[ids, ids[split]][s_order]),
                "quarter": pa.array(Q_CODE[np.r_[k, k[split]][s_order]]),
                "service_code": pa.array(["1", "50", "70"], pa.string()).take(pa.array(s_code[s_order])),
                "days": pa.array(np.r_[days - moved, moved[split]][s_order].astype(np.int32)),
                "hours": pa.array(np.r_[s_hours, moved_hours][s_order].astype(np.int32)),
            }
        )
        tables["dmfa_remuneration"] = pa.table(
            {
                "occupation_id": pa.array(ids),
                "quarter": quarter,
                "remuneration_code": pa.array(["1"], pa.string()).take(pa.array(np.zeros(n, np.int8))),
                "frequency": pa.nulls(n, pa.int16()),
                "percentage": pa.nulls(n, pa.int32()),
                "amount_cents": pa.array(amount),
            }
        )
        # reductions: structural (3000) for low wages; Flemish older workers in service (6320) from 2017
        mu = frac * cover
        struct = np.round(structural_reduction(wage_q, mu) * 100).astype(np.int64)
        struct = np.where(year >= 2004, struct, 0)
        age = (qe - people.birth[p]) / 365.25
        flemish_unit = geo.region[emp.unit_muni[unit]] == 0
        older = flemish_unit & (age >= 55) & (year >= 2017) & (wage_q / np.maximum(mu, 1e-6) < 13_945)
        s_idx, o_idx = np.flatnonzero(struct > 0), np.flatnonzero(older)
        # SINE reduction (3240, from 2004) for the social-economy target-group jobs: 1,000 euro x mu a quarter
        sine = np.flatnonzero(se_job & (year >= 2004))
        d_occ = np.r_[s_idx, o_idx, sine]
        d_code = np.r_[
            np.full(s_idx.size, "3000"), np.full(o_idx.size, "6320"), np.full(sine.size, "3240")
        ].astype(object)
        d_amount = np.r_[
            struct[s_idx],
            np.round(np.where(age[o_idx] >= 60, 1500, 1000) * 100 * mu[o_idx]),
            np.round(1000 * 100 * mu[sine]),
        ].astype(np.int64)
        order = np.argsort(d_occ, kind="stable")
        d_occ, d_code, d_amount = d_occ[order], d_code[order], d_amount[order]
        tables["dmfa_occupation_deduction"] = pa.table(
            {
                "occupation_id": pa.array(ids[d_occ]),
                "quarter": pa.array(Q_CODE[k[d_occ]]),
                "deduction_code": pa.array(d_code, pa.string()),
                # annex 4: code 3240 has no calculation base (forbidden), the others carry the wage
                "base_cents": pa.array(amount[d_occ], mask=d_code == "3240"),
                "amount_cents": pa.array(d_amount),
                "start_right_date": dates(j_start[d_occ]),
                "months_cost": pa.nulls(d_occ.size, pa.int16()),
                "replaced_person_seq": pa.nulls(d_occ.size, pa.int16()),
            }
        )
        # werkbonus: lower personal contributions for monthly FTE wages below about 2,500 euro
        monthly_fte = wage_q / np.maximum(mu, 1e-6) / 3
        bonus = np.round(np.clip(0.2 * (2500 - monthly_fte), 0, 200) * 3 * mu * 100).astype(np.int64)
        w_idx = np.flatnonzero((bonus > 0) & (year >= 2007))
        tables["dmfa_worker_deduction"] = pa.table(
            {
                "worker_line_id": pa.array(ids[w_idx]),
                "quarter": pa.array(Q_CODE[k[w_idx]]),
                "deduction_code": pa.array(np.full(w_idx.size, "0001").astype(object), pa.string()),
                "base_cents": pa.array(amount[w_idx]),
                "amount_cents": pa.array(bonus[w_idx]),
                "start_right_date": dates(j_start[w_idx]),
            }
        )
        base = np.where(blue, np.round(amount * 1.08), amount).astype(np.int64)
        rate = employer_rate(year, k % 4 + 1, category)
        contribution = np.round(base * rate / 100).astype(np.int64)
        tables["dmfa_worker_contribution"] = pa.table(
            {
                "worker_line_id": pa.array(ids),
                "quarter": quarter,
                "contribution_worker_code": collar,
                "contribution_type": pa.array(["0", "1"], pa.string()).take(pa.array(blue.astype(np.int8))),
                "base_cents": pa.array(base),
                "amount_cents": pa.array(contribution),
            }
        )
        self.tables = tables
        # net owed per declaration: contributions minus employer reductions
        net = contribution.astype(np.int64).copy()
        np.subtract.at(net, d_occ, d_amount)
        self.decl = decl
        self.net = net


def _code_where(flag: npt.NDArray[np.bool_], code: str) -> pa.Array:
    """``code`` where ``flag`` is set, null elsewhere."""
    return pa.array(np.where(flag, np.array(code, dtype=object), np.array(None, dtype=object)), pa.string())


def declarations(emp: Employers, net_owed: npt.NDArray[np.int64], seen: npt.NDArray[np.bool_]) -> pa.Table:
    """Employer declarations (block 90007) for every employer-quarter with at least one worker."""
    e, k = np.nonzero(seen)
    return pa.table(
        {
            "declaration_id": pa.array(e.astype(np.int64) * N_QUARTERS + k),
            "quarter": pa.array(Q_CODE[k]),
            "rsz_number": emp.rsz.take(pa.array(e)),
            "enterprise_number": emp.enterprise.take(pa.array(e)),
            "trusteeship": pa.array(np.zeros(e.size, np.int8)),
            "net_owed_cents": pa.array(net_owed[e, k]),
        }
    )
