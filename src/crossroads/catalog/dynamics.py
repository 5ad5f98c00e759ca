"""Catalog variables of the dynamics file of 15/018 (S001-8), one value per person and quarter.

- ``labour_market_position``: employee, self-employed, unemployed, or inactive (pension, early retirement,
  invalidity, other), from the DWH socio-economic position of the quarter's last day. That position is
  already unique per person: when several statuses apply the KSZ keeps the one closest to the labour market
  (DOMAIN.md section 5: a pensioner with a job is working, a worker on part-time credit is working), so the
  position wins over the separate spell tables, which are not read again.
- ``in_social_economy``: whether the quarter's employment is inside the social (inclusion) economy, with
  art. 60/61 OCMW and PWA work as a category of its own so that a move from there into the social economy
  stays visible (S001-8: "did they move into the social economy?").

The other dynamics columns belong to other modules: ``organisation_type`` and ``work_form`` (employer
variables, ``social_economy``), ``central_city`` and ``arrondissement`` (``registers``), ``self_employed_*``
(``careers``); the rest are 21/150 variables.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from crossroads.catalog import jobs, periods
from crossroads.catalog.model import Sources, Variable, left_join_on

# ------------------------------------------------------------------ labour-market position
POSITIONS: dict[str, str] = {
    "1": "werknemer (loontrekkende)",
    "2": "zelfstandige of helper",
    "3": "werkloos (werkzoekend met uitkering)",
    "4": "inactief: pensioen",
    "5": "inactief: brugpensioen of werkloosheid met bedrijfstoeslag",
    "6": "inactief: invaliditeit of arbeidsongeschiktheid",
    "7": "inactief: andere",
    "9": "onbekend",
}
# Codes of ``sep_nomenclature``. A combination of wage and self-employed work goes by its main job.
# Exempted job seekers (312) are inactive as in the nomenclature's main group 3; early retirement covers the
# old full early retirement (351), its successor with company allowance (352) and availability before
# pension (353); the disability allowance (372) is not an invalidity benefit and counts as "other".
POSITION_OF_SEP: dict[str, str] = {
    "111": "1", "112": "1", "141": "1",
    "121": "2", "122": "2", "123": "2", "131": "2", "132": "2", "133": "2", "142": "2", "143": "2",
    "211": "3", "212": "3", "213": "3",
    "34": "4",
    "351": "5", "352": "5", "353": "5",
    "371": "6",
    "311": "7", "312": "7", "331": "7", "332": "7", "36": "7", "372": "7", "39": "7",
    "4": "9",
}  # fmt: skip


def labour_market_position(src: Sources, points: ir.Table) -> ir.Table:
    """The position of the quarter's last day in the S001-8 categories; empty without a position."""
    pos = jobs.at_points(points, jobs.person_rows(src, "socio_economic_position"))
    code = pos.sep_code
    value = ibis.cases(
        *((code == sep, group) for sep, group in POSITION_OF_SEP.items()), else_=ibis.literal("9")
    )
    return pos.select("insz", "ref_quarter", value=value)


def labour_market_position_labels() -> dict[str, str]:
    return dict(POSITIONS)


# ------------------------------------------------------------------ inside the social economy
SE_LISTS = ("se_employers", "recognised_cooperatives", "social_purpose_companies")
"""Provider lists of employers (VSAWSE, NRC, KBO); the employers on the employee list count too."""
SE_WORK_FORMS = ("MAAT", "BW", "SW", "LDE", "INV")
"""Work forms of the inclusion economy in ``employer.work_form``; service-voucher companies (DC) are not."""
SE_ORGANISATION_TYPES = ("COOP", "VSO")
"""Recognised cooperatives and social-purpose companies (``employer.organisation_type``)."""
IN_SOCIAL_ECONOMY: dict[str, str] = {
    "0": "tewerkgesteld buiten de sociale economie",
    "1": "tewerkgesteld in de sociale economie",
    "2": "PWA of art. 60/61 OCMW, niet bij een werkgever van de sociale economie",
}


def listed_employer_quarters(src: Sources) -> ir.Table:
    """``enterprise_number, quarter``: employers on a provider list dated in that quarter - the lists of
    social-economy employers, recognised cooperatives and social-purpose companies, and the employers of
    the listed employees. A list tells about its own date only, as for ``organisation_type``."""

    def build() -> ir.Table:
        parts = []
        for name in SE_LISTS:
            t = src.table(name)
            parts.append(t.select("enterprise_number", quarter=periods.quarter_of_date(t.reference_date)))
        t = src.table("se_employees")
        parts.append(
            t.select(
                enterprise_number=t.employer_enterprise_number,
                quarter=periods.quarter_of_date(t.reference_date),
            )
        )
        out = parts[0]
        for part in parts[1:]:
            out = out.union(part, distinct=True)
        return out.filter(out.enterprise_number.notnull())

    return src.memo("listed_employer_quarters@all", build)


def registered_se_employers(src: Sources) -> ir.Table:
    """``enterprise_number`` of the employers whose registered work form or organisation type is one of
    the social economy (the registers hold one value per employer, used for every quarter)."""
    emp = src.table("employer")
    emp = emp.filter(emp.work_form.isin(SE_WORK_FORMS) | emp.organisation_type.isin(SE_ORGANISATION_TYPES))
    return emp.select("enterprise_number").distinct()


def in_social_economy(src: Sources, points: ir.Table) -> ir.Table:
    """1 main job of the quarter (DmfA, largest FTE) with a social-economy employer (listed in that quarter
    or registered as one); else 2 with an OCMW
    art. 60/61 employment or PWA hours in the quarter; else 0 with a DmfA job or a self-employment on the
    quarter's last day; empty when not employed."""
    p = points.select("insz", "ref_quarter", "ref_date")
    main = jobs.at_points(points, jobs.main_jobs(src)).select("insz", "ref_quarter", "enterprise_number")
    listed = listed_employer_quarters(src).mutate(_listed=ibis.literal(1, "int8"))
    listed = listed.rename(ref_quarter="quarter")
    registered = registered_se_employers(src).mutate(_registered=ibis.literal(1, "int8"))
    main = left_join_on(main, listed, ["enterprise_number", "ref_quarter"])
    main = left_join_on(main, registered, ["enterprise_number"])
    is_se = (main._listed.fill_null(0) + main._registered.fill_null(0)) > 0
    main = main.select("insz", "ref_quarter", _job=ibis.literal(1, "int8"), _se=is_se.cast("int8"))

    p2 = p.mutate(_q_start=periods.quarter_start(p.ref_quarter))
    ocmw = jobs.person_rows(src, "ocmw_employment")
    o = p2.join(
        ocmw,
        (p2.insz == ocmw.insz)
        & (ocmw.start_date <= p2.ref_date)
        & (ocmw.end_date.isnull() | (ocmw.end_date >= p2._q_start)),
    ).select("insz", "ref_quarter")
    pwa = jobs.person_rows(src, "pwa_work")
    w = p.join(pwa, (p.insz == pwa.insz) & (p.ref_quarter == pwa.quarter) & (pwa.hours > 0))
    w = w.select("insz", "ref_quarter")
    special = o.union(w, distinct=True).mutate(_special=ibis.literal(1, "int8"))

    self_emp = jobs.person_rows(src, "self_employment")
    s = p.join(
        self_emp,
        (p.insz == self_emp.insz) & periods.covers(self_emp.start_date, self_emp.end_date, p.ref_date),
    )
    s = s.select("insz", "ref_quarter").distinct().mutate(_self=ibis.literal(1, "int8"))

    out = left_join_on(p.select("insz", "ref_quarter"), main, ["insz", "ref_quarter"])
    out = left_join_on(out, special, ["insz", "ref_quarter"])
    out = left_join_on(out, s, ["insz", "ref_quarter"])
    value = ibis.cases(
        (out._se.fill_null(0) == 1, "1"),
        (out._special.fill_null(0) == 1, "2"),
        ((out._job.fill_null(0) == 1) | (out._self.fill_null(0) == 1), "0"),
        else_=ibis.null("string"),
    )
    return out.select("insz", "ref_quarter", value=value)


def in_social_economy_labels() -> dict[str, str]:
    return dict(IN_SOCIAL_ECONOMY)


DMFA = jobs.DMFA_TABLES

VARIABLES: tuple[Variable, ...] = (
    Variable(
        "labour_market_position",
        "arbeidsmarktpositie",
        "labour-market position",
        "person-quarter",
        ("socio_economic_position",),
        labour_market_position,
        "Position on the last day of the quarter from the DWH socio-economic position (which already keeps "
        "the status closest to the labour market when several apply): 1 employee (111, 112, 141), "
        "2 self-employed or helper (121-123, 131-133, 142, 143), 3 unemployed job seeker with benefit "
        "(211-213), inactive: 4 pension (34), 5 early retirement (351 full early retirement, 352 "
        "unemployment with company allowance, 353 availability before pension), 6 invalidity or "
        "incapacity for work (371), 7 other (career break, exempted job seeker, leefloon or aid, child "
        "benefit, disability allowance, other: 311, 312, 331, 332, 36, 372, 39); 9 unknown (4). Empty "
        "when the person has no position in the quarter.",
        labels=labour_market_position_labels,
        requirement="S001-8",
    ),
    Variable(
        "in_social_economy",
        "tewerkgesteld in de sociale economie",
        "employed in the social economy",
        "person-quarter",
        (
            *DMFA,
            *SE_LISTS,
            "se_employees",
            "employer",
            "ocmw_employment",
            "pwa_work",
            "self_employment",
        ),
        in_social_economy,
        "1 if the quarter's main job (DmfA, largest FTE) is with a social-economy employer: on a provider "
        "list dated in that quarter (social-economy employers, recognised cooperatives, social-purpose "
        "companies, or the employer of an employee on the employee list), or registered with an inclusion "
        "work form (employer.work_form MAAT, BW, SW, LDE, INV) or organisation type COOP or VSO - the same "
        "sources as organisation_type and work_form, so 1 goes with SIE/COOP/VSO or an inclusion work form "
        "there; else 2 with an OCMW art. 60/61 employment overlapping the quarter or PWA hours in it; else "
        "0 with a DmfA job in the quarter or self-employment on its last day; empty when not employed.",
        labels=in_social_economy_labels,
        requirement="S001-8",
    ),
)
