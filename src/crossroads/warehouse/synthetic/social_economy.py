"""The social inclusion economy of 15/018 and the files its providers send (S001-1, S001-2).

Employers: the pool already holds social-economy employers (``work_form`` BW, SW, LDE, INV, MAAT, about 1 %
of the private employers); :func:`prepare` makes sure enough of them sit in Flanders, marks recognised
cooperatives (organisation type ``COOP``) and companies with a social purpose (``VSO``) and draws the
enterprises of those lists that have no staff (in the KBO, not in the RSZ repertory). It draws from its own
stream, so every other table of the warehouse is the same as without it.

Provider files (``providers/15-018/`` of the warehouse, ``;``-separated UTF-8 CSV, English headers equal to
the warehouse fields, so ``crossroads warehouse import`` reads them as they are):

- ``vsawse_werkgevers_20131231.csv``: the agency's employer list at 31 Dec 2013 (work form, activity, sector);
- ``vsawse_werknemers_20081231.csv``, ``vsawse_werknemers_20131231.csv``: the employees on 31 Dec 2008 and
  2013 of the listed employers (a DmfA job that day), with staff type, origin, education and work ability;
- ``nrc_erkende_cooperaties_20131231.csv``, ``kbo_vso_20131231.csv``: enterprise numbers only;
- ``ugent_bevraging.csv``: the survey answers of about 24 % of the listed employers.

Like real deliveries they carry a few faults (an enterprise number with wrong check digits, an INSZ the
registers do not know, a repeated line, an answer outside its code list), which the import quarantines.

Sizes at scale 1 (Flanders, 2013, rounded; the deliberation gives none): about 30,000 listed employees
(sheltered and social workshops, local services economy, insertion companies), set through the listed
employers' share of the jobs (``SE_JOB_SHARE``); 350 recognised cooperatives (half with staff) and 400
social-purpose companies (45 % with staff).
"""

from __future__ import annotations

import csv
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from crossroads import codelists
from crossroads.warehouse.identifiers import enterprise_from_sequence
from crossroads.warehouse.schema import ENUMS, table
from crossroads.warehouse.synthetic.employers import Employers
from crossroads.warehouse.synthetic.geography import Geography
from crossroads.warehouse.synthetic.period import FIRST_YEAR, day

PROVIDER_DIR = Path("providers") / "15-018"
REF_2008, REF_2013 = "2008-12-31", "2013-12-31"
K_2008Q4 = (2008 - FIRST_YEAR) * 4 + 3
K_2013Q4 = (2013 - FIRST_YEAR) * 4 + 3
SE_FORMS = ("MAAT", "BW", "SW", "LDE", "INV")
MIN_LISTED = 6
COOPERATIVES_PER_SCALE, COOP_WITH_STAFF = 350, 0.5
VSO_PER_SCALE, VSO_WITH_STAFF = 400, 0.45
SURVEY_RESPONSE = 0.24
SE_JOB_SHARE = 0.0075
"""Listed employers' share of the private jobs: about 30,000 of 4 million jobs at 31 Dec 2013 at scale 1."""

# provider file name -> (warehouse table, reference date or None)
FILES: dict[str, tuple[str, str | None]] = {
    "vsawse_werkgevers_20131231.csv": ("se_employers", REF_2013),
    "vsawse_werknemers_20081231.csv": ("se_employees", REF_2008),
    "vsawse_werknemers_20131231.csv": ("se_employees", REF_2013),
    "nrc_erkende_cooperaties_20131231.csv": ("recognised_cooperatives", REF_2013),
    "kbo_vso_20131231.csv": ("social_purpose_companies", REF_2013),
    "ugent_bevraging.csv": ("se_employer_survey", None),
}

# activities per provider work form, and the agency's sector of each activity
_ACTIVITIES = {
    "BW": ("VERPAK", "GROEN", "SCHOON", "RECYC", "LOGIST"),
    "SW": ("GROEN", "RECYC", "HORECA", "BOUW", "SCHOON"),
    "LDE": ("KINDER", "STRIJK", "HORECA", "SCHOON", "LOGIST"),
    "INV": ("SCHOON", "BOUW", "HORECA", "ANDERE", "GROEN"),
}
_SECTOR = {
    "GROEN": "MIL",
    "SCHOON": "BDV",
    "VERPAK": "IND",
    "RECYC": "MIL",
    "HORECA": "HAND",
    "KINDER": "PDV",
    "STRIJK": "PDV",
    "BOUW": "BOUW",
    "LOGIST": "BDV",
    "ANDERE": "BDV",
}
# work ability of target-group workers by work form: VOL, ARBH, MMPP, ONB
_ABILITY = {
    "BW": (0.05, 0.80, 0.10, 0.05),
    "SW": (0.30, 0.30, 0.35, 0.05),
    "LDE": (0.75, 0.10, 0.10, 0.05),
    "INV": (0.75, 0.10, 0.10, 0.05),
}


@dataclass(frozen=True)
class SocialEconomy:
    """Which employers the providers list, and what the agency says about them."""

    form: npt.NDArray[np.object_]
    """Per employer: the agency's work form (BW, SW, LDE, INV) or None when not a listed SE employer."""
    start: npt.NDArray[np.int32]
    activity: npt.NDArray[np.object_]
    cooperatives: pa.Array
    """Enterprise numbers of the recognised cooperatives (employers and enterprises without staff)."""
    social_purpose: pa.Array

    def listed_at(self, when: str) -> npt.NDArray[np.bool_]:
        return (self.form != None) & (self.start <= day(when))  # noqa: E711 (element-wise)


def prepare(
    rng: np.random.Generator, emp: Employers, geo: Geography, scale: float
) -> tuple[Employers, SocialEconomy]:
    """Complete the social economy of the employer pool; returns the updated pool and the lists."""
    t = emp.table_employer
    form = np.asarray(t.column("work_form").to_numpy(zero_copy_only=False)).astype(object)
    org = np.asarray(t.column("organisation_type").to_numpy(zero_copy_only=False)).astype(object)
    start = pc.cast(t.column("start_date"), pa.int32()).to_numpy().astype(np.int32)
    flemish = geo.region[emp.muni] == 0
    private = ~emp.public & ~emp.voucher
    se = np.isin(form, SE_FORMS) & flemish & (start <= day(REF_2013))
    # calibrate the listed employers' share of the jobs (their chance to be picked for a job): promote
    # Flemish private employers, bigger ones more likely (Efraimidis-Spirakis keys), or drop the largest
    w = np.zeros(emp.n)
    w[emp.regular_index] = np.diff(np.r_[0.0, emp.cum_regular])
    share = float(w[se].sum())
    if share < SE_JOB_SHARE:
        pool = np.flatnonzero(
            private & flemish & ~se & (start <= day(REF_2008)) & (w > 0) & (w <= SE_JOB_SHARE / 4)
        )
        keys = np.log(rng.random(pool.size)) / w[pool]
        order = pool[np.argsort(-keys, kind="stable")]
        take = order[: int(np.searchsorted(np.cumsum(w[order]), SE_JOB_SHARE - share)) + 1]
        form[take] = rng.choice(np.array(SE_FORMS[1:], dtype=object), take.size)
        org[take] = np.where(
            org[take] == "REG",
            rng.choice(np.array(["VZW", "COOP", "VSO"], dtype=object), take.size),
            org[take],
        )
        se[take] = True
    elif share > 2 * SE_JOB_SHARE:
        big = np.flatnonzero(se)[np.argsort(-w[se], kind="stable")]
        drop = big[: int(np.searchsorted(np.cumsum(w[big]), share - 1.5 * SE_JOB_SHARE)) + 1]
        drop = drop[: max(0, int(se.sum()) - MIN_LISTED)]
        form[drop] = "NONE"
        se[drop] = False
    # tiny warehouses: promote private Flemish employers so that every list has rows
    need = MIN_LISTED - int(se.sum())
    if need > 0:
        pool = np.flatnonzero(private & flemish & ~se & (start <= day(REF_2008)))
        pick = rng.choice(pool, min(need, pool.size), replace=False)
        form[pick] = rng.choice(np.array(SE_FORMS[1:], dtype=object), pick.size)
        org[pick] = rng.choice(np.array(["VZW", "COOP", "VSO"], dtype=object), pick.size)
        se[pick] = True
    # recognised cooperatives and social-purpose companies with staff: the SE employers of that type, then
    # regular private employers turned into them
    extra_orgs = {}
    for kind, per_scale, share in (
        ("COOP", COOPERATIVES_PER_SCALE, COOP_WITH_STAFF),
        ("VSO", VSO_PER_SCALE, VSO_WITH_STAFF),
    ):
        n_list = max(4, round(per_scale * scale))
        with_staff = max(2, round(n_list * share))
        have = np.flatnonzero((org == kind) & flemish & (start <= day(REF_2013)))
        pool = np.flatnonzero(private & flemish & ~se & (org == "REG") & (start <= day(REF_2013)))
        more = rng.choice(pool, min(max(0, with_staff - have.size), pool.size), replace=False)
        org[more] = kind
        extra_orgs[kind] = (np.r_[have, more].astype(np.int64), n_list)
    # the work form the agency reports: the later maatwerkbedrijf (MAAT) was a BW or SW in 2013
    none = np.array(None, dtype=object)
    agency = np.where(se, form, none).astype(object)
    maat = agency == "MAAT"
    agency[maat] = rng.choice(np.array(["BW", "SW"], dtype=object), int(maat.sum()))
    activity = np.full(emp.n, None, dtype=object)
    for f, acts in _ACTIVITIES.items():
        sel = np.flatnonzero(agency == f)
        activity[sel] = rng.choice(np.array(acts, dtype=object), sel.size)
    # enterprises on the lists without staff: numbers below the employers' range (3.5 million up)
    lists = {}
    next_seq = 3_500_000
    for kind, (idx, n_list) in extra_orgs.items():
        n_extra = max(2, n_list - idx.size)
        seq = next_seq + np.arange(n_extra) * 7 + rng.integers(0, 7, n_extra)
        next_seq += n_extra * 7 + 7
        numbers = np.r_[
            np.asarray(emp.enterprise.take(pa.array(idx)).to_pylist(), dtype=object),
            enterprise_from_sequence(seq).astype(object),
        ]
        lists[kind] = pa.array(sorted(numbers), pa.string())
    # the employer table carries the new forms and organisation types (dwse_code follows the form)
    dwse = np.where(np.isin(form, SE_FORMS), np.char.add("DWSE-", form.astype(str)).astype(object), none)
    cols = {
        "organisation_type": pa.array(org, pa.string()),
        "work_form": pa.array(form, pa.string()),
        "dwse_code": pa.array(dwse, pa.string()),
    }
    for name, col in cols.items():
        t = t.set_column(t.schema.get_field_index(name), name, col)
    social = SocialEconomy(agency, start, activity, lists["COOP"], lists["VSO"])
    return dataclasses.replace(emp, table_employer=t), social


def employees(
    rng: np.random.Generator,
    se: SocialEconomy,
    emp: Employers,
    insz: pa.Array,
    job_employer: dict[str, npt.NDArray[np.int64]],
    level: npt.NDArray[np.int8],
    foreign: npt.NDArray[np.int8],
    disabled: npt.NDArray[np.bool_],
) -> pa.Table:
    """Rows of the agency's employee lists for one chunk of persons.

    ``job_employer[ref]`` is each person's employer on the reference day (-1 without a job); ``level`` the
    education level (0 low, 1 middle, 2 high); ``foreign`` 0 Belgian, 1 EU, 2 non-EU origin.
    """
    parts = []
    for ref, employer in job_employer.items():
        listed = se.listed_at(ref)
        p = np.flatnonzero((employer >= 0) & listed[np.maximum(employer, 0)])
        if p.size == 0:
            continue
        e = employer[p]
        n = p.size
        lvl = level[p].astype(np.int64)
        supervisory = rng.random(n) < np.array([0.08, 0.25, 0.5])[lvl]
        # the agency's education data: its own intake records, sometimes unknown or a level off
        off = rng.random(n)
        lvl_agency = np.where(off < 0.04, np.clip(lvl + rng.choice([-1, 1], n), 0, 2), lvl)
        edu = np.where(off > 0.94, "UNK", np.array(["LOW", "MID", "HIGH"], dtype=object)[lvl_agency])
        origin = np.where(
            rng.random(n) < 0.04, "ONB", np.array(["BE", "EU", "NEU"], dtype=object)[foreign[p]]
        )
        ability = np.full(n, "VOL", dtype=object)
        forms = se.form[e]
        u = rng.random(n)
        for f, probs in _ABILITY.items():
            sel = forms == f
            cum = np.cumsum(probs)
            ability[sel] = np.array(["VOL", "ARBH", "MMPP", "ONB"], dtype=object)[
                np.searchsorted(cum, u[sel])
            ]
        ability[disabled[p]] = "ARBH"
        ability[supervisory] = np.where(u[supervisory] < 0.97, "VOL", "ONB")
        parts.append(
            pa.table(
                {
                    "insz": insz.take(pa.array(p)),
                    "reference_date": pa.array([ref] * n, pa.string()),
                    "employer_enterprise_number": emp.enterprise.take(pa.array(e)),
                    "staff_type": pa.array(np.where(supervisory, "OK", "DG").astype(object), pa.string()),
                    "origin": pa.array(origin.astype(object), pa.string()),
                    "education_level": pa.array(edu.astype(object), pa.string()),
                    "work_ability": pa.array(ability, pa.string()),
                }
            )
        )
    if not parts:
        return _empty_employees()
    return pa.concat_tables(parts)


def _empty_employees() -> pa.Table:
    names = (
        "insz",
        "reference_date",
        "employer_enterprise_number",
        "staff_type",
        "origin",
        "education_level",
        "work_ability",
    )
    return pa.table({n: pa.array([], pa.string()) for n in names})


# ---------------------------------------------------------------------------------------------- files
def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, delimiter=";", lineterminator="\n")
        out.writerow(header)
        out.writerows(["" if v is None else v for v in r] for r in rows)


def _rows(t: pa.Table, names: list[str]) -> list[list[Any]]:
    cols = [t.column(n).to_pylist() for n in names]
    return [list(r) for r in zip(*cols, strict=True)]


def _bad_check_digits(number: str) -> str:
    """The same number with check digits one off (never valid: exactly one pair passes mod 97)."""
    cc = int(number[-2:])
    return number[:-2] + f"{(cc % 97) + 1:02d}"


def _unknown_insz() -> str:
    """A well-formed INSZ nobody has: born 1 January 1901, serial 997 (the generator starts at 1920)."""
    base = "010101997"
    return base + f"{97 - int(base) % 97:02d}"


def write_files(
    rng: np.random.Generator, root: Path, se: SocialEconomy, emp: Employers, employee_rows: pa.Table
) -> dict[str, list[Path]]:
    """Write the provider files under ``root/providers/15-018``; returns table -> files to import."""
    folder = root / PROVIDER_DIR
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, list[Path]] = {}

    def emit(name: str, header: list[str], rows: list[list[Any]]) -> None:
        _write_csv(folder / name, header, rows)
        out.setdefault(FILES[name][0], []).append(folder / name)

    # the agency's employer list; one number typed with wrong check digits
    listed = np.flatnonzero(se.listed_at(REF_2013))
    ent = emp.enterprise.take(pa.array(listed)).to_pylist()
    order = np.argsort(ent)
    employers = [
        [ent[i], REF_2013, se.form[listed[i]], se.activity[listed[i]], _SECTOR[se.activity[listed[i]]]]
        for i in order
    ]
    if employers:
        employers[len(employers) // 2][0] = _bad_check_digits(employers[len(employers) // 2][0])
    emit("vsawse_werkgevers_20131231.csv", table("se_employers").field_names, employers)

    # employee lists: 2008 has an INSZ with wrong check digits, 2013 an unknown INSZ and a line twice
    header = table("se_employees").field_names
    for ref, name in (
        (REF_2008, "vsawse_werknemers_20081231.csv"),
        (REF_2013, "vsawse_werknemers_20131231.csv"),
    ):
        sel = employee_rows.filter(pc.equal(employee_rows.column("reference_date"), ref))
        sel = sel.sort_by([("employer_enterprise_number", "ascending"), ("insz", "ascending")])
        rows = _rows(sel, header)
        if rows and ref == REF_2008:
            rows[0][0] = _bad_check_digits(rows[0][0])
        if rows and ref == REF_2013:
            unknown = list(rows[-1])
            unknown[0] = _unknown_insz()
            rows.insert(len(rows) // 3, unknown)
            rows.insert(len(rows) // 2, list(rows[len(rows) // 2]))
        emit(name, header, rows)

    # enterprise numbers only; the cooperatives' list repeats one line
    coops = [[x, REF_2013] for x in se.cooperatives.to_pylist()]
    if coops:
        coops.insert(len(coops) // 2, list(coops[len(coops) // 2]))
    emit("nrc_erkende_cooperaties_20131231.csv", ["enterprise_number", "reference_date"], coops)
    emit(
        "kbo_vso_20131231.csv",
        ["enterprise_number", "reference_date"],
        [[x, REF_2013] for x in se.social_purpose.to_pylist()],
    )

    # the survey: about 24 % of the listed employers answered; 5 % of the items are left blank
    spec = table("se_employer_survey")
    n = max(1, round(SURVEY_RESPONSE * listed.size))
    answered = (
        np.sort(rng.choice(np.array(sorted(ent), dtype=object), n, replace=False)) if ent else np.array([])
    )
    survey = []
    first_day, last_day = day("2013-10-01"), day("2014-03-31")
    for number in answered:
        when = np.datetime64(int(rng.integers(first_day, last_day + 1)), "D")
        row: list[Any] = [number, str(when)]
        for f in spec.fields[2:]:
            codes = sorted(ENUMS[f.codelist or ""])
            row.append(None if rng.random() < 0.05 else codes[int(rng.integers(0, len(codes)))])
        survey.append(row)
    if survey:
        survey[0][2] = "6"  # innovation on a scale of 1-5: answered outside the scale
    emit("ugent_bevraging.csv", spec.field_names, survey)
    (folder / "README.md").write_text(_README, encoding="utf-8")
    return out


_README = """# Provider files of deliberation 15/018 (synthetic)

Written by `crossroads warehouse build` as the providers would send them, then imported into the warehouse
with the import code path (`crossroads warehouse import <warehouse> <file> --table <table>`): good rows are
loaded, bad rows quarantined in `quarantine/` with file, row, field and rule. `import-report.json` lists
what each import did (counts and rules only, never a value).

All files: UTF-8, `;`-separated, one header row whose names are the warehouse fields, dates `YYYY-MM-DD`,
empty = not given. Codes: see `docs/reference/warehouse.md` (group "inputs").

- `vsawse_werkgevers_20131231.csv` (subsidy agency VSAWSE) -> `se_employers`: enterprise number, reference
  date, work form, activity, sector.
- `vsawse_werknemers_20081231.csv` and `..._20131231.csv` (subsidy agency) -> `se_employees`: INSZ,
  reference date, employer's enterprise number, staff type, origin, education level, work ability.
- `nrc_erkende_cooperaties_20131231.csv` (National Council for Cooperation) -> `recognised_cooperatives`
  and `kbo_vso_20131231.csv` (Crossroads Bank for Enterprises) -> `social_purpose_companies`: enterprise
  number and reference date only.
- `ugent_bevraging.csv` (Ghent University) -> `se_employer_survey`: enterprise number, survey date and 22
  answers as codes.

Known faults, as in real deliveries: one employer number with wrong check digits, one INSZ with wrong check
digits (2008), one INSZ the registers do not know and one line sent twice (2013), one cooperative sent
twice, one survey answer outside its scale.
"""


# ---------------------------------------------------------------------------------------------- columns
# NACE divisions of the self-employed by their RSVZ sector
_SELF_DIVISIONS = {
    "handel": (45, 46, 47),
    "nijverheid": (*range(10, 34), 41, 42, 43),
    "vrije beroepen": (69, 70, 71, 73, 74, 75, 86),
    "landbouw": (1,),
    "diensten": (56, 62, 81, 96),
}


def self_employment_columns(rng: np.random.Generator, t: pa.Table) -> pa.Table:
    """``nace`` (from the RSVZ sector) and ``contribution_code`` (from the quality) of the spells."""
    n = t.num_rows
    nace_all = codelists.nace_2008()["Code"].to_numpy().astype(str)
    division = np.array([int(c[:2]) for c in nace_all])
    sector = np.asarray(t.column("sector").to_numpy(zero_copy_only=False)).astype(object)
    nace = np.full(n, None, dtype=object)
    for name, divisions in _SELF_DIVISIONS.items():
        sel = np.flatnonzero(sector == name)
        pool = nace_all[np.isin(division, divisions)]
        nace[sel] = pool[rng.integers(0, pool.size, sel.size)]
    quality = np.asarray(t.column("quality").to_numpy(zero_copy_only=False)).astype(object)
    u = rng.random(n)
    main = np.array(["HN", "HS", "HV", "VRIJ"], dtype=object)[np.searchsorted([0.6, 0.85, 0.95], u)]
    code = np.where(quality == "MAIN", main, np.where(u < 0.95, "BB", "VRIJ"))
    code = np.where(quality == "PENS", "PENS", code)
    return t.append_column("nace", pa.array(nace, pa.string())).append_column(
        "contribution_code", pa.array(code.astype(object), pa.string())
    )


def ocmw_columns(rng: np.random.Generator, t: pa.Table, emp: Employers, employer_table: pa.Table) -> pa.Table:
    """Regulation, intervention, activation, programme and purpose of the art. 60/61 employments (S001-7).

    The programme follows the employer: a public employer is the OCMW or the municipality, a social-economy
    employer gives "SE", a non-profit one "VZW", any other (and most art. 61 work) "PRIV".
    """
    n = t.num_rows
    ent = employer_table.column("enterprise_number")
    idx = pc.index_in(t.column("employer_enterprise_number"), value_set=ent).to_numpy(zero_copy_only=False)
    idx = np.where(np.isnan(idx.astype(float)), -1, idx).astype(np.int64)
    known = idx >= 0
    e = np.maximum(idx, 0)
    form = np.asarray(employer_table.column("work_form").to_numpy(zero_copy_only=False)).astype(object)[e]
    org = np.asarray(employer_table.column("organisation_type").to_numpy(zero_copy_only=False)).astype(
        object
    )[e]
    public = emp.public[e] & known
    article = np.asarray(t.column("article").to_numpy(zero_copy_only=False)).astype(object)
    programme = np.where(
        public,
        np.where(rng.random(n) < 0.55, "OCMW", "GEM"),
        np.where(np.isin(form, SE_FORMS), "SE", np.where(org == "VZW", "VZW", "PRIV")),
    ).astype(object)
    programme[article == "61"] = "PRIV"
    u = rng.random((4, n))
    raised = np.isin(programme, ("SE", "PRIV"))
    cols = {
        "regulation": np.where(u[0] < 0.8, "RMI", "MH"),
        "intervention_kind": np.where(raised & (u[1] < 0.7), "VERH", np.where(u[1] < 0.92, "BASIS", "GEEN")),
        "activation_type": np.array(["TEWERK", "OPL", "SOCACT"], dtype=object)[
            np.searchsorted([0.75, 0.95], u[2])
        ],
        "programme_type": programme,
        "employment_purpose": np.where(u[3] < 0.85, "SZ", "WE"),
    }
    for name, values in cols.items():
        t = t.append_column(name, pa.array(np.asarray(values).astype(object), pa.string()))
    return t
