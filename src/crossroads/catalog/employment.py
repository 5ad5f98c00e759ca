"""Job characteristics per quarter (S000-6, S000-7), from the DmfA and the socio-economic position.

Variables of "the job" describe the person's main job of the quarter (largest FTE, see ``jobs``); volume
and wage mass add up all occupations of the quarter. Null where the person had no occupation.
"""

from __future__ import annotations

import itertools

import ibis
import ibis.expr.types as ir

from crossroads import codelists
from crossroads.catalog import jobs
from crossroads.catalog.model import Sources, left_join_on, round_half_up
from crossroads.warehouse.schema import ENUMS

DAILY_WAGE_HOURS = 7.6
"""DOMAIN.md section 8: a part-time daily wage is pay x 7.6 / part-time hours."""


def _main(src: Sources, points: ir.Table) -> ir.Table:
    return jobs.main_jobs_at(src, points)


def labour_volume(src: Sources, points: ir.Table) -> ir.Table:
    """FTE of the quarter over all occupations: hours against the reference person's hours x 13 weeks."""
    j = jobs.person_quarter_fte_at(src, points)
    return j.select("insz", "ref_quarter", value=round_half_up(j.fte, 4))


def work_regime(src: Sources, points: ir.Table) -> ir.Table:
    """Days per week of the main job's working-time regime."""
    j = _main(src, points)
    return j.select("insz", "ref_quarter", value=round_half_up(j.days_per_week / 100.0, 2))


def part_time_pct(src: Sources, points: ir.Table) -> ir.Table:
    """Mean weekly hours of the worker as a percentage of the reference person's (main job)."""
    j = _main(src, points)
    pct = ibis.ifelse(
        j.mean_hours_reference > 0, j.mean_hours_worker * 100.0 / j.mean_hours_reference, ibis.null("float64")
    )
    return j.select("insz", "ref_quarter", value=round_half_up(pct, 1))


def wage_mass(src: Sources, points: ir.Table) -> ir.Table:
    """Sum of all remuneration amounts of the quarter, in euro."""
    j = jobs.person_quarter_fte_at(src, points)
    return j.select("insz", "ref_quarter", value=round_half_up(j.pay_cents / 100.0, 2))


def daily_wage(src: Sources, points: ir.Table) -> ir.Table:
    """Daily wage of the main job in euro (DOMAIN.md section 8, RSZ ``dagloon``).

    Full time: ordinary pay / days paid; part time: ordinary pay x 7.6 / hours paid.
    """
    j = _main(src, points)
    pay = j.ordinary_cents.fill_null(0) / 100.0
    full = ibis.ifelse(j.paid_days > 0, pay / (j.paid_days / 100.0), ibis.null("float64"))
    part = ibis.ifelse(
        j.paid_hours > 0, pay * DAILY_WAGE_HOURS / (j.paid_hours / 100.0), ibis.null("float64")
    )
    value = ibis.ifelse(j.contract_type == 0, full, part)
    return j.select("insz", "ref_quarter", value=round_half_up(value, 2))


def job_seniority(src: Sources, points: ir.Table) -> ir.Table:
    """Quarters with the main job's employer up to and including the quarter."""

    def build() -> ir.Table:
        # Running count of a person's quarters with each employer: the seniority in every quarter at once
        # (a window instead of joining each point with all earlier quarters).
        occ = jobs.occupations(src)
        per_employer = occ.select("insz", "enterprise_number", "quarter").distinct()
        running = ibis.row_number().over(
            ibis.window(group_by=["insz", "enterprise_number"], order_by="quarter")
        )
        return per_employer.mutate(seniority=(running + 1).cast("int32"))

    quarters = src.memo("job_seniority", build)
    main = _main(src, points).select("insz", "ref_quarter", "enterprise_number")
    # The main job is an occupation of the point's quarter, so its employer has a row for that quarter.
    j = main.join(
        quarters,
        (main.insz == quarters.insz)
        & (main.enterprise_number == quarters.enterprise_number)
        & (quarters.quarter == main.ref_quarter),
    )
    return j.select("insz", "ref_quarter", value=j.seniority)


def system_seniority(src: Sources, points: ir.Table) -> ir.Table:
    """Quarters as a voucher worker (issuer or network) up to and including the quarter; 0 if none."""
    vq = jobs.voucher_quarters(src)
    pts = points.select("insz", "ref_quarter")
    j = pts.join(vq, (pts.insz == vq.insz) & (vq.quarter <= pts.ref_quarter))
    agg = j.group_by("insz", "ref_quarter").aggregate(n=j.quarter.count())
    out = left_join_on(pts, agg, ["insz", "ref_quarter"])
    return out.select("insz", "ref_quarter", value=out.n.fill_null(0).cast("int32"))


def _position(src: Sources, points: ir.Table) -> ir.Table:
    """The position of each point's quarter (five variables read it: joined once per points)."""
    return jobs.memo_at(
        src,
        "socio_economic_position",
        points,
        lambda: jobs.at_points(points, jobs.person_rows(src, "socio_economic_position")),
    )


def in_service_last_day(src: Sources, points: ir.Table) -> ir.Table:
    """1 if an occupation of the quarter runs on the quarter's last day (no end date or ending later)."""
    j = jobs.at_points(points, jobs.occupations(src))
    running = j.end_date.isnull() | (j.end_date >= j.ref_date)
    agg = j.group_by("insz", "ref_quarter").aggregate(n=running.cast("int32").sum())
    return agg.select("insz", "ref_quarter", value=ibis.ifelse(agg.n > 0, "1", "0"))


_BENEFIT_FLAGS = ("add_unemployment", "add_incapacity", "add_assistance", "add_pension", "add_career_break")


def benefits_during_employment(src: Sources, points: ir.Table) -> ir.Table:
    """1 if a person with an occupation in the quarter also had a benefit (unemployment incl. temporary,
    sickness/invalidity, leefloon, pension, career break) at its end; null without an occupation."""
    working = jobs.person_quarter_fte_at(src, points).select("insz", "ref_quarter")
    pos = _position(src, points)
    flag = pos[_BENEFIT_FLAGS[0]]
    for name in _BENEFIT_FLAGS[1:]:
        flag = flag | pos[name]
    flags = pos.select("insz", "ref_quarter", flag=flag)
    j = left_join_on(working, flags, ["insz", "ref_quarter"])
    return j.select("insz", "ref_quarter", value=ibis.ifelse(j.flag.fill_null(False), "1", "0"))


def sep(src: Sources, points: ir.Table) -> ir.Table:
    pos = _position(src, points)
    return pos.select("insz", "ref_quarter", value=pos.sep_code)


_ADDITIONAL = (
    ("U", "add_unemployment", "werkloosheidsverzekering"),
    ("I", "add_incapacity", "ziekte of invaliditeit"),
    ("A", "add_assistance", "leefloon of financiële hulp"),
    ("S", "add_school_leaver", "schoolverlater"),
    ("P", "add_pension", "gepensioneerd"),
    ("C", "add_career_break", "loopbaanonderbreking of tijdskrediet"),
)
NO_ADDITIONAL = "-"


def sep_additional(src: Sources, points: ir.Table) -> ir.Table:
    """The additional positions as letters in a fixed order (U I A S P C), ``-`` for none."""
    pos = _position(src, points)
    code = ibis.literal("")
    for letter, column, _ in _ADDITIONAL:
        code = code + ibis.ifelse(pos[column], letter, "")
    return pos.select("insz", "ref_quarter", value=ibis.ifelse(code == "", NO_ADDITIONAL, code))


def working(src: Sources, points: ir.Table) -> ir.Table:
    """1 if the socio-economic position is in main group 1 (werkend), else 0."""
    pos = _position(src, points)
    return pos.select("insz", "ref_quarter", value=ibis.ifelse(pos.sep_code.substr(0, 1) == "1", "1", "0"))


# S000-7: the position of voucher users who do not work, in the seed's seven categories. Career breaks,
# exempted job seekers and the disability allowance are "another benefit"; SWT counts as unemployment
# (it is an unemployment benefit with a company top-up); early retirement and pre-pension availability as
# pension. Working codes (main group 1) have no user position.
USER_POSITIONS: dict[str, str] = {
    "1": "werkloosheidsuitkering",
    "2": "ziekte- of invaliditeitsuitkering",
    "3": "leefloon of financiële hulp",
    "4": "pensioen",
    "5": "andere uitkering",
    "6": "geen uitkering, enkel kinderbijslag (schoolverlater)",
    "7": "onbekend",
}
USER_POSITION_OF_SEP: dict[str, str] = {
    "211": "1", "212": "1", "213": "1", "352": "1",
    "371": "2",
    "331": "3", "332": "3",
    "34": "4", "351": "4", "353": "4",
    "311": "5", "312": "5", "372": "5",
    "36": "6",
    "39": "7", "4": "7",
}  # fmt: skip


def user_position(src: Sources, points: ir.Table) -> ir.Table:
    """Position of a non-working person in the seven S000-7 categories; null while working."""
    pos = _position(src, points)
    code = pos.sep_code
    value = ibis.cases(
        *((code == sep, category) for sep, category in USER_POSITION_OF_SEP.items()),
        else_=ibis.null("string"),
    )
    return pos.select("insz", "ref_quarter", value=value)


def user_position_labels() -> dict[str, str]:
    return dict(USER_POSITIONS)


def _main_employer(src: Sources, points: ir.Table) -> ir.Table:
    def build() -> ir.Table:
        main = _main(src, points).select(
            "insz", "ref_quarter", "ref_year", "enterprise_number", "nace", "joint_committee"
        )
        emp = src.table("employer").select("enterprise_number", employer_nace="nace", dwse_code="dwse_code")
        return left_join_on(main, emp, ["enterprise_number"])

    return jobs.memo_at(src, "main_employer", points, build)


def employer_size(src: Sources, points: ir.Table) -> ir.Table:
    """Size class of the main job's employer at 31 December of the quarter's year."""
    main = _main(src, points).select("insz", "ref_quarter", "enterprise_number", year=ibis._.ref_year)
    ey = src.table("employer_year").select("enterprise_number", "size_class", year=ibis._.year.cast("int32"))
    j = left_join_on(main.mutate(year=main.year.cast("int32")), ey, ["enterprise_number", "year"])
    return j.select("insz", "ref_quarter", value=j.size_class)


def nace(src: Sources, points: ir.Table) -> ir.Table:
    """NACE-BEL 2008 code of the main job (occupation's own, else the employer's main activity)."""
    j = _main_employer(src, points)
    return j.select("insz", "ref_quarter", value=j.nace.fill_null(j.employer_nace))


def joint_committee(src: Sources, points: ir.Table) -> ir.Table:
    j = _main(src, points)
    return j.select("insz", "ref_quarter", value=j.joint_committee)


def dwse_code(src: Sources, points: ir.Table) -> ir.Table:
    j = _main_employer(src, points)
    return j.select("insz", "ref_quarter", value=j.dwse_code)


# NACE Rev. 2 sections by division (DOMAIN.md section 8).
NACE_SECTIONS: tuple[tuple[str, int, int, str], ...] = (
    ("A", 1, 3, "landbouw, bosbouw en visserij"),
    ("B", 5, 9, "winning van delfstoffen"),
    ("C", 10, 33, "industrie"),
    ("D", 35, 35, "energievoorziening"),
    ("E", 36, 39, "water, afval en sanering"),
    ("F", 41, 43, "bouwnijverheid"),
    ("G", 45, 47, "groot- en detailhandel; reparatie van auto's"),
    ("H", 49, 53, "vervoer en opslag"),
    ("I", 55, 56, "verschaffen van accommodatie en maaltijden"),
    ("J", 58, 63, "informatie en communicatie"),
    ("K", 64, 66, "financiële activiteiten en verzekeringen"),
    ("L", 68, 68, "exploitatie van en handel in onroerend goed"),
    ("M", 69, 75, "vrije beroepen en wetenschappelijke en technische activiteiten"),
    ("N", 77, 82, "administratieve en ondersteunende diensten"),
    ("O", 84, 84, "openbaar bestuur en defensie; verplichte sociale verzekeringen"),
    ("P", 85, 85, "onderwijs"),
    ("Q", 86, 88, "menselijke gezondheidszorg en maatschappelijke dienstverlening"),
    ("R", 90, 93, "kunst, amusement en recreatie"),
    ("S", 94, 96, "overige diensten"),
    ("T", 97, 98, "huishoudens als werkgever"),
    ("U", 99, 99, "extraterritoriale organisaties"),
)


def sector(src: Sources, points: ir.Table) -> ir.Table:
    """NACE section (A-U) of the main job."""
    code = nace(src, points)
    division = code.value.substr(0, 2).cast("int32")
    section = ibis.cases(
        *[((division >= lo) & (division <= hi), ibis.literal(s)) for s, lo, hi, _ in NACE_SECTIONS],
        else_=ibis.null("string"),
    )
    return code.select("insz", "ref_quarter", value=section)


# ------------------------------------------------------------------ labels
def sep_labels() -> dict[str, str]:
    df = codelists.load("sep_nomenclature")
    return dict(zip(df["code"], df["label_nl"], strict=True))


def sep_additional_labels() -> dict[str, str]:
    labels = {NO_ADDITIONAL: "geen bijkomende positie"}
    for n in range(1, len(_ADDITIONAL) + 1):
        for combo in itertools.combinations(_ADDITIONAL, n):
            labels["".join(c[0] for c in combo)] = " + ".join(c[2] for c in combo)
    return labels


def yes_no_labels() -> dict[str, str]:
    return dict(ENUMS["yes_no"])


def size_labels() -> dict[str, str]:
    return dict(ENUMS["size_class"])


def sector_labels() -> dict[str, str]:
    return {s: label for s, _, _, label in NACE_SECTIONS}


def nace_labels() -> dict[str, str]:
    df = codelists.nace_2008()
    return dict(zip(df["Code"], df["Omschrijving"], strict=False))


def joint_committee_labels() -> dict[str, str]:
    df = codelists.load("joint_committees")
    return dict(zip(df["Code"], df["Omschrijving"], strict=False))


def _voucher_job(src: Sources, points: ir.Table) -> ir.Table:
    """The largest voucher occupation (PC 322.01 / category 597) of the person in the point's quarter."""

    def build() -> ir.Table:
        occ = jobs.occupations(src)
        j = jobs.at_points(points, occ.filter(occ.is_voucher_job))
        rank = ibis.row_number().over(
            ibis.window(
                group_by=["insz", "ref_quarter"], order_by=[ibis.desc(j.fte.fill_null(0)), j.occupation_id]
            )
        )
        return j.mutate(_r=rank).filter(lambda t: t._r == 0)

    return jobs.memo_at(src, "voucher_job", points, build)


def entry_year(src: Sources, points: ir.Table) -> ir.Table:
    """Year the voucher occupation of the quarter started (S000-5 "jaar van de indiensttreding")."""
    j = _voucher_job(src, points)
    return j.select("insz", "ref_quarter", value=j.start_date.year().cast("int32"))


def exit_year(src: Sources, points: ir.Table) -> ir.Table:
    """Year the voucher occupation of the quarter ended; empty while it runs ("uitdiensttreding")."""
    j = _voucher_job(src, points)
    return j.select("insz", "ref_quarter", value=j.end_date.year().cast("int32"))
