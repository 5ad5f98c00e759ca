"""The warehouse schema, defined once.

Every table of the linked data warehouse (DWH "arbeidsmarkt en sociale bescherming") and every field in
it is declared here: its type, its meaning, the code list its values come from and whether it holds an
identifier that must never leave the custodian side. The synthetic generator writes these tables, the
import validates real files against them, the engine reads them, and ``docs/reference/warehouse.md`` is
rendered from them (``crossroads warehouse schema``).

Conventions
- INSZ: 11-digit string; enterprise number: 10-digit string; RSZ number: 9-digit string.
- ``quarter``: int ``YYYYQ`` (20204 = 2020 Q4), the DWH's last-day-of-quarter reference.
- Spells have ``start_date`` and ``end_date`` (inclusive; null end = still running).
- DmfA amounts are in eurocent (zone 00070), days and hours in hundredths (zones 00063/00064),
  as in the declaration itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pyarrow as pa

FieldType = Literal["string", "int8", "int16", "int32", "int64", "float64", "date", "bool"]
Identifier = Literal["insz", "enterprise", "rsz", "local_unit"]

_ARROW: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int8": pa.int8(),
    "int16": pa.int16(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "date": pa.date32(),
    "bool": pa.bool_(),
}


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType
    meaning: str
    codelist: str | None = None
    """A list in ``crossroads.codelists`` or a key of ``ENUMS``."""
    nullable: bool = True
    identifier: Identifier | None = None
    """Set on fields holding a national, enterprise, RSZ or unit number: replaced before anything leaves."""
    references: str | None = None
    """``table.field`` this field points to (referential integrity)."""

    @property
    def arrow_type(self) -> pa.DataType:
        return _ARROW[self.type]


@dataclass(frozen=True)
class Table:
    name: str
    group: str
    meaning: str
    source: str
    key: tuple[str, ...]
    fields: tuple[Field, ...]
    partition: str | None = None
    """Column the Parquet files are partitioned on (``year`` derived from quarter or date)."""
    block: str | None = None
    """DmfA functional block code (90007 ...) where the table mirrors one."""
    requirements: tuple[str, ...] = field(default=())

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"table {self.name!r} has no field {name!r}")

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(f.name, f.arrow_type, nullable=f.nullable) for f in self.fields])

    @property
    def identifier_fields(self) -> list[Field]:
        return [f for f in self.fields if f.identifier]


def F(name: str, type: FieldType, meaning: str, **kw: object) -> Field:
    return Field(name, type, meaning, **kw)  # type: ignore[arg-type]


def _insz(meaning: str = "INSZ (national or bis number) of the person", **kw: object) -> Field:
    kw.setdefault("nullable", False)
    kw.setdefault("references", "person.insz")
    return F("insz", "string", meaning, identifier="insz", **kw)


def _enterprise(
    name: str = "enterprise_number", meaning: str = "enterprise number (KBO)", **kw: object
) -> Field:
    kw.setdefault("references", "employer.enterprise_number")
    return F(name, "string", meaning, identifier="enterprise", **kw)


def _spell() -> tuple[Field, Field]:
    return (
        F("start_date", "date", "first day of the spell", nullable=False),
        F("end_date", "date", "last day of the spell (inclusive); empty while it runs"),
    )


_QUARTER = F("quarter", "int32", "quarter as YYYYQ (20204 = 2020 Q4)", nullable=False)

# Small code lists that have no official file; values documented here and rendered in the reference.
ENUMS: dict[str, dict[str, str]] = {
    "sex": {"1": "man", "2": "vrouw"},
    "register": {"RR": "Rijksregister", "BIS": "KSZ-bisregister"},
    "residence_reason": {
        "BE": "Belg",
        "EU": "EU-burger of familielid (vrij verkeer)",
        "FAM": "gezinshereniging",
        "WRK": "arbeid",
        "STU": "studie",
        "ASY": "asiel / internationale bescherming",
        "HUM": "humanitaire regularisatie",
        "OTH": "andere",
    },
    "household_type": {
        "1P": "eenpersoonshuishouden",
        "CPL0": "koppel zonder kinderen",
        "CPL+": "koppel met kinderen",
        "1PAR": "eenoudergezin",
        "OTH": "ander privé-huishouden",
        "COLL": "collectief huishouden",
    },
    "isced": {str(i): f"ISCED 2011 niveau {i}" for i in range(9)} | {"9": "onbekend"},
    "education_level": {
        "LOW": "laaggeschoold (ISCED 0-2)",
        "MID": "middengeschoold (ISCED 3-4)",
        "HIGH": "hooggeschoold (ISCED 5-8)",
        "UNK": "onbekend",
    },
    "certificate_level": {
        "SEC": "secundair onderwijs",
        "POSTSEC": "postsecundair niet-hoger onderwijs (Se-n-Se, HBO5)",
        "BACH": "bachelor",
        "MAST": "master",
        "DOC": "doctoraat",
    },
    "public_private": {"PRIV": "privésector", "PUBL": "openbare sector"},
    "organisation_type": {
        "REG": "gewone onderneming",
        "VZW": "vereniging zonder winstoogmerk",
        "COOP": "erkende coöperatieve vennootschap",
        "VSO": "vennootschap met sociaal oogmerk",
        "PUB": "openbaar bestuur",
    },
    "work_form": {
        "MAAT": "maatwerkbedrijf (beschutte/sociale werkplaats)",
        "BW": "beschutte werkplaats",
        "SW": "sociale werkplaats",
        "LDE": "lokale diensteneconomie",
        "INV": "invoegbedrijf",
        "DC": "dienstenchequebedrijf",
        "NONE": "geen sociale-economievorm",
    },
    "size_class": {
        "0": "0 werknemers",
        "1": "1-4",
        "2": "5-9",
        "3": "10-19",
        "4": "20-49",
        "5": "50-99",
        "6": "100-199",
        "7": "200-499",
        "8": "500-999",
        "9": "1000+",
    },
    "self_employment_quality": {
        "MAIN": "hoofdberoep",
        "SEC": "bijberoep",
        "PENS": "na pensioen",
        "HELP": "helper",
        "SPOUSE": "meewerkende echtgenoot",
    },
    "unemployment_status": {
        "UVW": "uitkeringsgerechtigde volledig werkloze werkzoekende",
        "VDT": "werkzoekend na vrijwillig deeltijdse job",
        "INS": "werkzoekend met inschakelingsuitkering na studies",
        "VRIJ": "vrijgestelde werkzoekende",
        "SWT": "werkloosheid met bedrijfstoeslag",
        "TIJD": "tijdelijk werkloos",
    },
    "career_break_kind": {
        "FULL": "volledige loopbaanonderbreking/tijdskrediet",
        "PART": "deeltijdse loopbaanonderbreking/tijdskrediet",
        "THEM": "thematisch verlof",
    },
    "incapacity_kind": {
        "PRIM": "primaire arbeidsongeschiktheid",
        "INV": "invaliditeit",
        "MAT": "moederschapsrust",
        "ACC": "arbeidsongeval/beroepsziekte",
    },
    "assistance_kind": {
        "LL": "leefloon",
        "EQ": "equivalent leefloon / financiële maatschappelijke hulp",
        "OTH": "andere OCMW-tussenkomst",
    },
    "ocmw_article": {"60": "artikel 60 §7 OCMW-wet", "61": "artikel 61 OCMW-wet"},
    "pension_kind": {
        "RET": "rustpensioen",
        "SURV": "overlevingspensioen",
        "EARLY": "brugpensioen",
        "DISP": "terbeschikkingstelling voor pensioen",
    },
    "voucher_kind": {"P": "papieren dienstencheque", "E": "elektronische dienstencheque"},
    "naric_decision": {
        "FULL": "volledige gelijkwaardigheid",
        "PART": "gedeeltelijke gelijkwaardigheid",
        "LEVEL": "niveaugelijkwaardigheid",
        "REFUSED": "weigering",
    },
    "yes_no": {"0": "neen", "1": "ja"},
    # ---- 15/018 provider inputs (S001-1, S001-2): the providers' own small code lists
    "se_staff_type": {"DG": "doelgroepwerknemer", "OK": "omkaderingspersoneel (begeleiding, leiding)"},
    "se_origin": {
        "BE": "Belgische herkomst",
        "EU": "herkomst uit een andere EU-lidstaat",
        "NEU": "herkomst buiten de EU",
        "ONB": "onbekend",
    },
    "se_work_ability": {
        "VOL": "volledig arbeidsgeschikt",
        "ARBH": "arbeidshandicap (erkend door VDAB/VAPH)",
        "MMPP": "medische, mentale, psychische of psychiatrische problematiek",
        "ONB": "onbekend",
    },
    "se_activity": {
        "GROEN": "groenonderhoud en landschapszorg",
        "SCHOON": "schoonmaak",
        "VERPAK": "verpakking en assemblage voor derden",
        "RECYC": "kringloop en recyclage",
        "HORECA": "horeca en buurtrestaurant",
        "KINDER": "buitenschoolse kinderopvang",
        "STRIJK": "strijkatelier en wassalon",
        "BOUW": "bouw en renovatie",
        "LOGIST": "logistiek en fietsherstel",
        "ANDERE": "andere activiteit",
    },
    "se_sector": {
        "IND": "industrie",
        "BOUW": "bouw",
        "MIL": "groen en milieu",
        "BDV": "diensten aan bedrijven",
        "PDV": "persoonsgebonden diensten",
        "HAND": "handel en horeca",
    },
    "survey_scale": {
        "1": "helemaal niet",
        "2": "eerder niet",
        "3": "neutraal",
        "4": "eerder wel",
        "5": "in sterke mate",
    },
    "survey_board_category": {
        "VRIJW": "vrijwilligers",
        "DESK": "externe deskundigen",
        "STAKE": "belanghebbenden (personeel, doelgroep)",
        "GEMENGD": "gemengd",
    },
    "survey_board_tasks": {
        "STRAT": "vooral strategisch",
        "CONTR": "vooral controlerend",
        "OPER": "ook operationeel",
        "GEMENGD": "gemengd",
    },
    "survey_hr_policy": {"FORMEEL": "uitgeschreven HR-beleid", "INFORMEEL": "informeel", "GEEN": "geen"},
    "survey_territory": {
        "LOK": "lokaal (gemeente)",
        "REG": "regionaal",
        "VL": "Vlaanderen",
        "BE": "België",
        "INT": "internationaal",
    },
    "survey_renewable_energy": {
        "GEEN": "geen",
        "ZON": "eigen zonnepanelen",
        "GROEN": "groenestroomcontract",
        "BEIDE": "eigen productie en groenestroomcontract",
    },
    # one flag per partner kind, in this order: governments, regular employers, social-economy employers,
    # referring bodies, other social bodies ("10110" = partnerships with 1, 3 and 4)
    "survey_partnerships": {
        format(i, "05b"): "samenwerking met "
        + (
            ", ".join(
                k
                for b, k in zip(
                    format(i, "05b"),
                    (
                        "overheden",
                        "reguliere werkgevers",
                        "sociale-economiewerkgevers",
                        "doorverwijzers",
                        "andere sociale instanties",
                    ),
                    strict=True,
                )
                if b == "1"
            )
            or "niemand"
        )
        for i in range(32)
    },
    # ---- OCMW employment (S001-7), art. 60 §7 / 61
    "ocmw_regulation": {
        "RMI": "wet van 26 mei 2002 (recht op maatschappelijke integratie, leefloon)",
        "MH": "wet van 2 april 1965 (financiële maatschappelijke hulp, equivalent leefloon)",
    },
    "ocmw_intervention_kind": {
        "BASIS": "federale toelage gelijk aan het leefloon",
        "VERH": "verhoogde toelage (tewerkstelling in de sociale economie of bij een private partner)",
        "GEEN": "geen federale toelage",
    },
    "ocmw_activation_type": {
        "TEWERK": "tewerkstelling",
        "OPL": "tewerkstelling met opleiding",
        "SOCACT": "sociale activering voorafgaand aan tewerkstelling",
    },
    "ocmw_programme_type": {
        "OCMW": "bij het OCMW zelf",
        "GEM": "bij een gemeente of ander openbaar bestuur",
        "VZW": "bij een vzw",
        "SE": "bij een sociale-economieonderneming",
        "PRIV": "bij een private onderneming (art. 60 §7 ter beschikking, art. 61)",
    },
    "ocmw_employment_purpose": {
        "SZ": "opbouw van recht op volledige sociale-zekerheidsuitkeringen",
        "WE": "werkervaring",
    },
    # ---- self-employment (S001-8)
    "self_employment_contribution": {
        "HN": "hoofdberoep, normale bijdrage",
        "HS": "hoofdberoep, starter (voorlopige bijdrage)",
        "HV": "hoofdberoep, verminderde bijdrage (gelijkgesteld)",
        "BB": "bijberoep",
        "PENS": "actief na pensioen",
        "VRIJ": "vrijstelling van bijdragen",
    },
    "income_class": {str(i): f"inkomensklasse {i}" for i in range(1, 11)} | {"0": "geen inkomen"},
}


TABLES: tuple[Table, ...] = (
    # ---------------------------------------------------------------- registers
    Table(
        "person",
        "registers",
        "One row per person known to the national register or the KSZ bis register.",
        "Rijksregister / KSZ-registers",
        ("insz",),
        (
            F(
                "insz",
                "string",
                "INSZ (national or bis number), valid check digits",
                nullable=False,
                identifier="insz",
            ),
            F("register", "string", "register holding the person", codelist="register", nullable=False),
            F(
                "last_name",
                "string",
                "last name; only for the identity check of online consultations (S004-2)",
            ),
            F("first_names", "string", "first names; only for the identity check (S004-2)"),
            F("sex", "string", "sex", codelist="sex", nullable=False),
            F("birth_date", "date", "date of birth", nullable=False),
            F(
                "birth_country",
                "string",
                "country of birth (NIS country code, annex 5; 150 = Belgium)",
                codelist="country_codes",
                nullable=False,
            ),
            F(
                "birth_municipality",
                "string",
                "NIS code of the municipality of birth when born in Belgium",
                codelist="municipalities",
            ),
            F(
                "first_nationality",
                "string",
                "nationality at birth (NIS country code)",
                codelist="country_codes",
                nullable=False,
            ),
            F(
                "father_insz",
                "string",
                "INSZ of the father where known (for the parents' variables)",
                identifier="insz",
                references="person.insz",
            ),
            F(
                "mother_insz",
                "string",
                "INSZ of the mother where known",
                identifier="insz",
                references="person.insz",
            ),
            F(
                "father_first_nationality",
                "string",
                "father's nationality at birth",
                codelist="country_codes",
            ),
            F(
                "mother_first_nationality",
                "string",
                "mother's nationality at birth",
                codelist="country_codes",
            ),
            F("first_registration_date", "date", "date of first registration in the national register"),
            F("death_date", "date", "date of death"),
        ),
        requirements=("S000-5", "S001-4", "S003-3", "S004-2"),
    ),
    Table(
        "nationality",
        "registers",
        "Current nationality over time, one spell per nationality.",
        "Rijksregister",
        ("insz", "start_date"),
        (
            _insz(),
            F(
                "nationality",
                "string",
                "nationality (NIS country code)",
                codelist="country_codes",
                nullable=False,
            ),
            *_spell(),
        ),
        requirements=("S000-5", "S003-3"),
    ),
    Table(
        "residence_reason",
        "registers",
        "Reason of residence of foreigners over time, with its registration date.",
        "Rijksregister (vreemdelingendossier)",
        ("insz", "start_date"),
        (
            _insz(),
            F("reason", "string", "reason of residence", codelist="residence_reason", nullable=False),
            F("registration_date", "date", "date the reason was registered"),
            *_spell(),
        ),
        requirements=("S000-5", "S003-3"),
    ),
    # ---------------------------------------------------------------- residence and households
    Table(
        "residence",
        "residence",
        "Main residence spells (domicile). Abroad spells have no municipality.",
        "Rijksregister",
        ("insz", "start_date"),
        (
            _insz(),
            F(
                "nis_code",
                "string",
                "NIS5 code of the municipality of main residence (2025 map); empty when abroad",
                codelist="municipalities",
            ),
            F("abroad_country", "string", "country of residence when abroad", codelist="country_codes"),
            F("registration_date", "date", "date of registration at this address"),
            *_spell(),
        ),
        requirements=("S000-3", "S000-5", "S001-4", "S003-1"),
    ),
    Table(
        "household",
        "residence",
        "Household membership spells with the LIPRO position and household type.",
        "Rijksregister / KSZ (LIPRO-positie)",
        ("insz", "start_date"),
        (
            _insz(),
            F("household_id", "int64", "household number (the reference person's household)", nullable=False),
            F("lipro", "string", "LIPRO household position", codelist="lipro", nullable=False),
            F("household_type", "string", "household type", codelist="household_type", nullable=False),
            F("is_reference_person", "bool", "reference person of the household", nullable=False),
            *_spell(),
        ),
        requirements=("S000-5", "S000-7", "S001-4", "S003-3"),
    ),
    # ---------------------------------------------------------------- education
    Table(
        "education_level",
        "education",
        "Highest attained education level (Statbel EDU) per reference year.",
        "Statbel / Census / Vlaams onderwijs",
        ("insz", "year"),
        (
            _insz(),
            F("year", "int16", "reference year", nullable=False),
            F("isced", "string", "highest level, ISCED 2011", codelist="isced", nullable=False),
        ),
        requirements=("S000-5", "S000-7"),
    ),
    Table(
        "certificate",
        "education",
        "Flemish education certificates and diplomas (S003-3).",
        "Vlaams Ministerie van Onderwijs en Vorming (LED)",
        ("certificate_id",),
        (
            F("certificate_id", "int64", "certificate number", nullable=False),
            _insz(),
            F("level", "string", "certificate level", codelist="certificate_level", nullable=False),
            F(
                "detailed_level",
                "string",
                "detailed level (e.g. ASO, TSO, BSO, KSO, HBO5, professional bachelor)",
            ),
            F("qualification_level", "int8", "Flemish qualification structure level (VKS 1-8)"),
            F("field", "string", "field of study (ISCED-F 2013 broad field)"),
            F("direction", "string", "direction / study option"),
            F("study_area", "string", "study area (studiegebied)"),
            F("study_subject", "string", "subject of the study area (onderwerp van het studiegebied)"),
            F("education_form", "string", "form: day, adult education, dual, distance"),
            F("specialisation", "string", "specialisation"),
            F("degree", "string", "degree awarded"),
            F("certificate_category", "string", "certificate category (diploma, getuigschrift, attest)"),
            F("certificate_type", "string", "type: initial, further education, recognition"),
            F("status", "string", "status: obtained, withdrawn"),
            F(
                "issuer_type",
                "string",
                "type of issuing institution (school, CVO, university college, university)",
            ),
            F("issue_date", "date", "date the certificate was obtained", nullable=False),
        ),
        requirements=("S003-1", "S003-3"),
    ),
    Table(
        "naric_recognition",
        "education",
        "NARIC-Vlaanderen recognition decisions of foreign qualifications (S003-4).",
        "NARIC-Vlaanderen (input for 21/128)",
        ("decision_id",),
        (
            F("decision_id", "int64", "decision number", nullable=False),
            _insz(),
            F(
                "diploma_level",
                "string",
                "level of the foreign diploma",
                codelist="certificate_level",
                nullable=False,
            ),
            F("refugee_status", "bool", "applicant has refugee status"),
            F("application_support", "bool", "applicant was supported with the application"),
            F("fee_exemption", "bool", "exempted from the fee"),
            F("appeal", "bool", "an appeal was lodged"),
            F("study_area", "string", "study area of the recognition"),
            F(
                "issuing_institution_type",
                "string",
                "type of the institution that issued the foreign diploma",
            ),
            F("requested_type", "string", "requested recognition type", codelist="naric_decision"),
            F("granted_type", "string", "granted recognition type", codelist="naric_decision"),
            F("application_date", "date", "date of the application", nullable=False),
            F("recognition_level", "string", "level of the recognition"),
            F("recognised_qualification", "string", "recognised Flemish qualification"),
            F("origin_country", "string", "country of the original qualification", codelist="country_codes"),
            F("qualification_year", "int16", "year the original qualification was obtained"),
            F("decision_date", "date", "date of the equivalence decision", nullable=False),
            F(
                "decision_nature",
                "string",
                "nature of the decision",
                codelist="naric_decision",
                nullable=False,
            ),
        ),
        requirements=("S003-1", "S003-4"),
    ),
    # ---------------------------------------------------------------- employers
    Table(
        "employer",
        "employers",
        "Employers (KBO enterprises with an RSZ registration).",
        "KBO / RSZ werkgeversrepertorium / DWSE",
        ("enterprise_number",),
        (
            F(
                "enterprise_number",
                "string",
                "enterprise number (KBO), valid mod 97",
                nullable=False,
                identifier="enterprise",
            ),
            F("rsz_number", "string", "RSZ employer number, valid check digits", identifier="rsz"),
            F("nace", "string", "main activity, NACE-BEL 2008 five-digit code", codelist="nace_codes"),
            F(
                "employer_category",
                "string",
                "RSZ employer category (annex 27; 597 = service-voucher company)",
                codelist="employer_categories",
                nullable=False,
            ),
            F(
                "public_private",
                "string",
                "public or private sector",
                codelist="public_private",
                nullable=False,
            ),
            F(
                "organisation_type",
                "string",
                "organisation type",
                codelist="organisation_type",
                nullable=False,
            ),
            F(
                "work_form",
                "string",
                "social-economy work form (werkvorm)",
                codelist="work_form",
                nullable=False,
            ),
            F("dwse_code", "string", "DWSE classification code of the employer"),
            F("nis_code", "string", "municipality of the registered office", codelist="municipalities"),
            F("start_date", "date", "start of activity", nullable=False),
            F("end_date", "date", "end of activity"),
        ),
        requirements=("S000-6", "S001-3", "S001-5", "S003-3"),
    ),
    Table(
        "local_unit",
        "employers",
        "Local units (vestigingseenheden) of employers.",
        "KBO",
        ("unit_number",),
        (
            F(
                "unit_number",
                "string",
                "establishment-unit number (starts with 2-8)",
                nullable=False,
                identifier="local_unit",
            ),
            _enterprise(nullable=False),
            F(
                "nis_code",
                "string",
                "municipality of the local unit",
                codelist="municipalities",
                nullable=False,
            ),
            F("nace", "string", "activity of the unit (NACE-BEL 2008)", codelist="nace_codes"),
        ),
        requirements=("S001-3", "S001-5", "S003-3"),
    ),
    Table(
        "employer_year",
        "employers",
        "Yearly employer facts: size class at 31 Dec and annual-account ratios.",
        "RSZ / NBB balanscentrale",
        ("enterprise_number", "year"),
        (
            _enterprise(nullable=False),
            F("year", "int16", "year", nullable=False),
            F("size_class", "string", "size class by workers at 31 Dec", codelist="size_class"),
            F("jobs_31dec", "int32", "number of jobs at 31 Dec"),
            F("liquidity", "float64", "current ratio (annual accounts)"),
            F("solvency", "float64", "equity / total assets"),
            F("profitability", "float64", "return on equity"),
            F("credit_policy", "float64", "days of customer credit"),
            F("investment_ratio", "float64", "investments / value added"),
        ),
        requirements=("S001-3", "S001-5"),
    ),
    # ---------------------------------------------------------------- DmfA, in its block structure
    Table(
        "dmfa_employer_declaration",
        "dmfa",
        "Employer declaration per quarter (block 90007).",
        "RSZ DmfA",
        ("declaration_id",),
        (
            F("declaration_id", "int64", "declaration number", nullable=False),
            _QUARTER,
            F("rsz_number", "string", "RSZ number (zone 00011)", identifier="rsz"),
            _enterprise("enterprise_number", "company ID (zone 00014)", nullable=False),
            F("trusteeship", "int8", "period under trusteeship (zone 00012)", codelist="yes_no"),
            F("net_owed_cents", "int64", "net amount owed, eurocent (zone 00015)"),
        ),
        partition="year",
        block="90007",
        requirements=("S004-2",),
    ),
    Table(
        "dmfa_natural_person",
        "dmfa",
        "Natural person in a declaration (block 90017).",
        "RSZ DmfA",
        ("person_id",),
        (
            F("person_id", "int64", "natural-person line number", nullable=False),
            F(
                "declaration_id",
                "int64",
                "declaration",
                nullable=False,
                references="dmfa_employer_declaration.declaration_id",
            ),
            _QUARTER,
            F("sequence", "int16", "sequence number in the declaration (zone 00023)", nullable=False),
            _insz("INSZ (zone 00024)"),
        ),
        partition="year",
        block="90017",
        requirements=("S004-2",),
    ),
    Table(
        "dmfa_worker_line",
        "dmfa",
        "Worker line (block 90012): contributions are computed at this level.",
        "RSZ DmfA",
        ("worker_line_id",),
        (
            F("worker_line_id", "int64", "worker line number", nullable=False),
            F(
                "person_id",
                "int64",
                "natural-person line",
                nullable=False,
                references="dmfa_natural_person.person_id",
            ),
            _QUARTER,
            F(
                "employer_class",
                "string",
                "employer category (zone 00036, annex 27)",
                codelist="employer_categories",
                nullable=False,
            ),
            F(
                "worker_code",
                "string",
                "worker code (zone 00037, annex 2; 015 blue-collar, 495 white-collar)",
                codelist="worker_codes",
                nullable=False,
            ),
            F("start_date", "date", "start of the quarter or of the line (zone 00038)"),
            F("end_date", "date", "end (zone 00039)"),
            F("cross_border", "bool", "cross-border worker (zone 00040)"),
            F(
                "local_unit",
                "string",
                "local unit (zone 00042)",
                identifier="local_unit",
                references="local_unit.unit_number",
            ),
        ),
        partition="year",
        block="90012",
        requirements=("S000-6", "S004-2"),
    ),
    Table(
        "dmfa_occupation",
        "dmfa",
        "Occupation of the worker line (block 90015): the DWH's observation unit.",
        "RSZ DmfA",
        ("occupation_id",),
        (
            F("occupation_id", "int64", "occupation number", nullable=False),
            F(
                "worker_line_id",
                "int64",
                "worker line",
                nullable=False,
                references="dmfa_worker_line.worker_line_id",
            ),
            _QUARTER,
            F("sequence", "int16", "occupation sequence number (zone 00043)", nullable=False),
            F("start_date", "date", "start of the occupation (zone 00044)", nullable=False),
            F("end_date", "date", "end of the occupation (zone 00045)"),
            F(
                "joint_committee",
                "string",
                "joint committee CCC.CC (zone 00046; 322.01 = service vouchers)",
                codelist="joint_committees",
                nullable=False,
            ),
            F("days_per_week", "int16", "days per week of the regime ×100 (zone 00047)", nullable=False),
            F(
                "mean_hours_worker",
                "int32",
                "mean weekly hours of the worker ×100 (zone 00048)",
                nullable=False,
            ),
            F(
                "mean_hours_reference",
                "int32",
                "mean weekly hours of the reference person ×100 (zone 00049)",
                nullable=False,
            ),
            F("contract_type", "int8", "0 full-time, 1 part-time (zone 00050)", nullable=False),
            F(
                "reorganisation_measure",
                "string",
                "working-time reorganisation (zone 00051, annex 44)",
                codelist="reorganisation_measures",
            ),
            F(
                "employment_measure",
                "string",
                "employment promotion measure (zone 00052, annex 35)",
                codelist="employment_measures",
            ),
            F("worker_status", "string", "worker status (zone 00053, annex 21)", codelist="worker_status"),
            F("retired", "bool", "retired (zone 00054)"),
            F("apprentice", "string", "apprentice type (zone 00055)"),
            F(
                "remuneration_method",
                "string",
                "remuneration method (zone 00056; 3 = paid through the service-voucher system)",
            ),
            F("nace", "string", "NACE of the occupation (zone 00228)", codelist="nace_codes"),
        ),
        partition="year",
        block="90015",
        requirements=("S000-6", "S001-5", "S003-3", "S004-2"),
    ),
    Table(
        "dmfa_service",
        "dmfa",
        "Services (prestaties) of an occupation (block 90018).",
        "RSZ DmfA",
        ("occupation_id", "service_code"),
        (
            F(
                "occupation_id",
                "int64",
                "occupation",
                nullable=False,
                references="dmfa_occupation.occupation_id",
            ),
            _QUARTER,
            F(
                "service_code",
                "string",
                "service code (zone 00062, annex 8)",
                codelist="service_codes",
                nullable=False,
            ),
            F("days", "int32", "days ×100 (zone 00063)", nullable=False),
            F("hours", "int32", "hours ×100 (zone 00064)"),
        ),
        partition="year",
        block="90018",
        requirements=("S000-6", "S004-2"),
    ),
    Table(
        "dmfa_remuneration",
        "dmfa",
        "Remuneration of an occupation (block 90019).",
        "RSZ DmfA",
        ("occupation_id", "remuneration_code", "frequency"),
        (
            F(
                "occupation_id",
                "int64",
                "occupation",
                nullable=False,
                references="dmfa_occupation.occupation_id",
            ),
            _QUARTER,
            F(
                "remuneration_code",
                "string",
                "remuneration code (zone 00067, annex 7)",
                codelist="remuneration_codes",
                nullable=False,
            ),
            F("frequency", "int16", "payment frequency in months (zone 00068)"),
            F("percentage", "int32", "% of the yearly remuneration ×100 (zone 00069)"),
            F("amount_cents", "int64", "amount, eurocent (zone 00070)", nullable=False),
        ),
        partition="year",
        block="90019",
        requirements=("S000-6", "S004-2"),
    ),
    Table(
        "dmfa_occupation_deduction",
        "dmfa",
        "Reductions on the occupation (block 90109) with their details (block 90250).",
        "RSZ DmfA",
        ("occupation_id", "deduction_code"),
        (
            F(
                "occupation_id",
                "int64",
                "occupation",
                nullable=False,
                references="dmfa_occupation.occupation_id",
            ),
            _QUARTER,
            F(
                "deduction_code",
                "string",
                "reduction code (zone 00086, annex 4; 3000 structural)",
                codelist="reduction_codes",
                nullable=False,
            ),
            F("base_cents", "int64", "calculation base, eurocent (zone 00088)"),
            F("amount_cents", "int64", "reduction amount, eurocent (zone 00089)", nullable=False),
            F("start_right_date", "date", "start date of the right (zone 00090)"),
            F("months_cost", "int16", "number of months of administration cost (detail, zone 00091)"),
            F("replaced_person_seq", "int16", "sequence of the replaced worker, where applicable (detail)"),
        ),
        partition="year",
        block="90109",
        requirements=("S001-5", "S004-2"),
    ),
    Table(
        "dmfa_worker_deduction",
        "dmfa",
        "Reductions on the worker line (block 90110) with their details (block 90108).",
        "RSZ DmfA",
        ("worker_line_id", "deduction_code"),
        (
            F(
                "worker_line_id",
                "int64",
                "worker line",
                nullable=False,
                references="dmfa_worker_line.worker_line_id",
            ),
            _QUARTER,
            F(
                "deduction_code",
                "string",
                "reduction code (zone 00086, annex 4; 0001 werkbonus)",
                codelist="reduction_codes",
                nullable=False,
            ),
            F("base_cents", "int64", "calculation base, eurocent"),
            F("amount_cents", "int64", "reduction amount, eurocent", nullable=False),
            F("start_right_date", "date", "start date of the right"),
        ),
        partition="year",
        block="90110",
        requirements=("S004-2",),
    ),
    Table(
        "dmfa_worker_contribution",
        "dmfa",
        "Contributions due for the worker line (block 90001).",
        "RSZ DmfA",
        ("worker_line_id", "contribution_worker_code", "contribution_type"),
        (
            F(
                "worker_line_id",
                "int64",
                "worker line",
                nullable=False,
                references="dmfa_worker_line.worker_line_id",
            ),
            _QUARTER,
            F(
                "contribution_worker_code",
                "string",
                "worker code of the contribution (zone 00082)",
                codelist="worker_codes",
                nullable=False,
            ),
            F("contribution_type", "string", "contribution type (zone 00083, annex 3)", nullable=False),
            F("base_cents", "int64", "calculation base, eurocent (zone 00084)", nullable=False),
            F("amount_cents", "int64", "contribution, eurocent (zone 00085)", nullable=False),
        ),
        partition="year",
        block="90001",
        requirements=("S001-5", "S004-2"),
    ),
    # ---------------------------------------------------------------- social protection
    Table(
        "self_employment",
        "social",
        "Self-employment affiliation spells (RSVZ).",
        "RSVZ",
        ("insz", "start_date"),
        (
            _insz(),
            F("quality", "string", "quality", codelist="self_employment_quality", nullable=False),
            F("profession", "string", "profession"),
            F("sector", "string", "sector (RSVZ)"),
            F(
                "nace",
                "string",
                "activity of the self-employed, NACE-BEL 2008 five-digit code",
                codelist="nace_codes",
            ),
            F(
                "contribution_code",
                "string",
                "social-contribution category (RSVZ bijdragecode) at the start of the spell",
                codelist="self_employment_contribution",
            ),
            F("affiliation_date", "date", "affiliation date", nullable=False),
            *_spell(),
        ),
        requirements=("S001-8", "S003-3"),
    ),
    Table(
        "self_employment_income",
        "social",
        "Net taxable professional income class of the self-employed per year.",
        "RSVZ / FOD Financiën",
        ("insz", "year"),
        (
            _insz(),
            F("year", "int16", "income year", nullable=False),
            F("income_class", "string", "net taxable income class", codelist="income_class", nullable=False),
        ),
        requirements=("S003-3",),
    ),
    Table(
        "unemployment",
        "social",
        "Unemployment spells with status, measure and benefit (RVA).",
        "RVA",
        ("insz", "start_date"),
        (
            _insz(),
            F("status", "string", "status", codelist="unemployment_status", nullable=False),
            F("measure", "string", "activation or employment measure"),
            F("daily_benefit_cents", "int32", "daily benefit, eurocent"),
            F("unemployment_start", "date", "start of the unemployment period (for the duration)"),
            *_spell(),
        ),
        requirements=("S000-6", "S000-7", "S001-7", "S003-3"),
    ),
    Table(
        "career_break",
        "social",
        "Career break and time credit spells (RVA).",
        "RVA",
        ("insz", "start_date"),
        (
            _insz(),
            F("kind", "string", "kind", codelist="career_break_kind", nullable=False),
            F("fraction", "float64", "fraction of the working time interrupted (1 = full)"),
            *_spell(),
        ),
        requirements=("S000-6",),
    ),
    Table(
        "incapacity",
        "social",
        "Sickness, invalidity and maternity spells (RIZIV).",
        "RIZIV / NIC",
        ("insz", "start_date"),
        (_insz(), F("kind", "string", "kind", codelist="incapacity_kind", nullable=False), *_spell()),
        requirements=("S000-6", "S001-7", "S003-3"),
    ),
    Table(
        "social_assistance",
        "social",
        "Leefloon and financial aid from the OCMW/POD MI, monthly spells.",
        "POD Maatschappelijke Integratie",
        ("insz", "start_date"),
        (
            _insz(),
            F("kind", "string", "kind", codelist="assistance_kind", nullable=False),
            F("monthly_amount_cents", "int32", "monthly amount, eurocent"),
            *_spell(),
        ),
        requirements=("S000-6", "S001-7", "S003-3"),
    ),
    Table(
        "ocmw_employment",
        "social",
        "Employment by the OCMW under article 60 §7 or 61.",
        "POD Maatschappelijke Integratie",
        ("insz", "start_date"),
        (
            _insz(),
            F("article", "string", "article", codelist="ocmw_article", nullable=False),
            _enterprise("employer_enterprise_number", "employer where the person works (art. 60/61)"),
            F(
                "regulation",
                "string",
                "applicable regulation (integration law or social-assistance law)",
                codelist="ocmw_regulation",
            ),
            F(
                "intervention_kind",
                "string",
                "kind of federal intervention in the wage cost",
                codelist="ocmw_intervention_kind",
            ),
            F("activation_type", "string", "type of activation", codelist="ocmw_activation_type"),
            F(
                "programme_type",
                "string",
                "type of employment programme (where the person is put to work)",
                codelist="ocmw_programme_type",
            ),
            F(
                "employment_purpose",
                "string",
                "purpose of the employment (art. 60 §7)",
                codelist="ocmw_employment_purpose",
            ),
            *_spell(),
        ),
        requirements=("S001-1", "S001-7"),
    ),
    Table(
        "pwa_work",
        "social",
        "Hours worked in a local employment agency (PWA) per quarter.",
        "RVA",
        ("insz", "quarter"),
        (_insz(), _QUARTER, F("hours", "int32", "hours worked", nullable=False)),
        partition="year",
        requirements=("S001-1", "S001-8"),
    ),
    Table(
        "pension",
        "social",
        "Pensions and early retirement (pension cadastre).",
        "Pensioenkadaster",
        ("insz", "start_date"),
        (
            _insz(),
            F("kind", "string", "kind", codelist="pension_kind", nullable=False),
            F("monthly_amount_cents", "int32", "monthly gross amount, eurocent"),
            *_spell(),
        ),
        requirements=("S000-6", "S001-8"),
    ),
    Table(
        "child_benefit",
        "social",
        "Children entitled to child benefit (spells).",
        "FAMIFED / Groeipakket",
        ("insz", "start_date"),
        (_insz("INSZ of the entitled child"), *_spell()),
        requirements=("S000-7",),
    ),
    Table(
        "disability_allowance",
        "social",
        "Allowance for persons with a disability (IVT/IT).",
        "FOD Sociale Zekerheid",
        ("insz", "start_date"),
        (_insz(), *_spell()),
        requirements=("S000-6",),
    ),
    # ---------------------------------------------------------------- service vouchers (issuer input)
    Table(
        "voucher_company",
        "vouchers",
        "Recognised service-voucher companies.",
        "DWSE / issuer",
        ("enterprise_number", "start_date"),
        (_enterprise(nullable=False), F("recognition_number", "string", "recognition number"), *_spell()),
        requirements=("S000-3",),
    ),
    Table(
        "voucher_order",
        "vouchers",
        "Voucher purchases by users per month and kind (issuer).",
        "Uitgiftebedrijf dienstencheques (Sodexo/Pluxee)",
        ("insz", "month", "kind"),
        (
            _insz("INSZ of the user"),
            F("month", "int32", "month as YYYYMM", nullable=False),
            F("kind", "string", "paper or electronic", codelist="voucher_kind", nullable=False),
            F("orders", "int16", "number of orders", nullable=False),
            F("vouchers", "int32", "number of vouchers bought", nullable=False),
        ),
        partition="year",
        requirements=("S000-3", "S000-7"),
    ),
    Table(
        "voucher_worker_payment",
        "vouchers",
        "Workers paid with vouchers per quarter and company, according to the issuer.",
        "Uitgiftebedrijf dienstencheques",
        ("insz", "quarter", "enterprise_number"),
        (
            _insz("INSZ of the worker"),
            _QUARTER,
            _enterprise(nullable=False),
            F("vouchers", "int32", "vouchers reimbursed for this worker's work", nullable=False),
        ),
        partition="year",
        requirements=("S000-3",),
    ),
    # ------------------------------------------------------- provider inputs of 15/018 (S001-1, S001-2)
    # Loaded from the providers' files with ``crossroads warehouse import`` (the synthetic build writes them
    # under ``providers/15-018/`` and imports them the same way). The lists are not registers: a listed
    # enterprise need not be an RSZ employer (cooperatives without staff), so only the subsidy agency's
    # lists point to ``employer``.
    Table(
        "se_employers",
        "inputs",
        "Employers of the social inclusion economy as the subsidy agency lists them, per reference date.",
        "Vlaams Subsidieagentschap voor Werk en Sociale Economie (input for 15/018)",
        ("enterprise_number", "reference_date"),
        (
            _enterprise(nullable=False),
            F("reference_date", "date", "reference date of the list (stand op)", nullable=False),
            F("work_form", "string", "work form (werkvorm) according to the agency", codelist="work_form"),
            F("activity", "string", "activity according to the agency", codelist="se_activity"),
            F("sector", "string", "sector according to the agency", codelist="se_sector"),
        ),
        requirements=("S001-1", "S001-3"),
    ),
    Table(
        "se_employees",
        "inputs",
        "Employees of the social inclusion economy as the subsidy agency lists them, with their employer.",
        "Vlaams Subsidieagentschap voor Werk en Sociale Economie (input for 15/018)",
        ("insz", "reference_date"),
        (
            _insz(),
            F("reference_date", "date", "reference date of the list (stand op)", nullable=False),
            _enterprise("employer_enterprise_number", "enterprise number of the employer on the list"),
            F("staff_type", "string", "target-group or supervisory staff", codelist="se_staff_type"),
            F("origin", "string", "origin according to the agency", codelist="se_origin"),
            F(
                "education_level",
                "string",
                "education level according to the agency",
                codelist="education_level",
            ),
            F("work_ability", "string", "work ability according to the agency", codelist="se_work_ability"),
        ),
        requirements=("S001-1", "S001-4", "S001-8"),
    ),
    Table(
        "recognised_cooperatives",
        "inputs",
        "Cooperatives recognised by the National Council for Cooperation: enterprise numbers only.",
        "Nationale Raad voor de Coöperatie (input for 15/018)",
        ("enterprise_number", "reference_date"),
        (
            _enterprise(nullable=False, references=None),
            F("reference_date", "date", "reference date of the list", nullable=False),
        ),
        requirements=("S001-1",),
    ),
    Table(
        "social_purpose_companies",
        "inputs",
        "Companies with a social purpose (vennootschappen met sociaal oogmerk): enterprise numbers only.",
        "Kruispuntbank Ondernemingen (input for 15/018)",
        ("enterprise_number", "reference_date"),
        (
            _enterprise(nullable=False, references=None),
            F("reference_date", "date", "reference date of the list", nullable=False),
        ),
        requirements=("S001-1",),
    ),
    Table(
        "se_employer_survey",
        "inputs",
        "Answers of the employers that took part in the UGent survey of social enterprises (about 24 %).",
        "Universiteit Gent (input for 15/018)",
        ("enterprise_number",),
        (
            _enterprise(nullable=False),
            F("survey_date", "date", "date the answers were given"),
            F(
                "innovation",
                "string",
                "degree of innovation",
                codelist="survey_scale",
            ),
            F(
                "board_category",
                "string",
                "category of the board members",
                codelist="survey_board_category",
            ),
            F(
                "board_cooperation",
                "string",
                "cooperation within the board",
                codelist="survey_scale",
            ),
            F(
                "board_decision_making",
                "string",
                "decision making in the board (participative)",
                codelist="survey_scale",
            ),
            F(
                "board_consensus",
                "string",
                "consensus in the board",
                codelist="survey_scale",
            ),
            F(
                "board_tasks",
                "string",
                "tasks of the board",
                codelist="survey_board_tasks",
            ),
            F(
                "operation",
                "string",
                "democratic operation of the organisation",
                codelist="survey_scale",
            ),
            F(
                "hr_policy",
                "string",
                "personnel policy",
                codelist="survey_hr_policy",
            ),
            F(
                "staff_coaching",
                "string",
                "coaching of the staff",
                codelist="survey_scale",
            ),
            F(
                "policy_plan_satisfaction",
                "string",
                "has a policy plan on job satisfaction",
                codelist="yes_no",
            ),
            F(
                "policy_plan_diversity",
                "string",
                "has a policy plan on diversity",
                codelist="yes_no",
            ),
            F(
                "policy_plan_training",
                "string",
                "has a policy plan on training",
                codelist="yes_no",
            ),
            F(
                "proactive_recruitment",
                "string",
                "proactive recruitment of migrants, long-term unemployed, low-skilled, disabled and older "
                "persons",
                codelist="survey_scale",
            ),
            F(
                "supplier_territory",
                "string",
                "territorial level of the suppliers",
                codelist="survey_territory",
            ),
            F(
                "customer_territory",
                "string",
                "territorial level of the customers",
                codelist="survey_territory",
            ),
            F(
                "community_activities",
                "string",
                "activities in relation with the community",
                codelist="survey_scale",
            ),
            F(
                "environmental_effort",
                "string",
                "efforts for the environment",
                codelist="survey_scale",
            ),
            F(
                "environmental_goals",
                "string",
                "pursues environmental goals",
                codelist="yes_no",
            ),
            F(
                "renewable_energy",
                "string",
                "use of renewable energy and how",
                codelist="survey_renewable_energy",
            ),
            F(
                "stakeholder_needs",
                "string",
                "goals meet the stakeholders' needs",
                codelist="survey_scale",
            ),
            F(
                "goal_clarity",
                "string",
                "goals are clear to all parties",
                codelist="survey_scale",
            ),
            F(
                "partnerships",
                "string",
                "partnerships with governments, regular employers, social-economy employers, referrers "
                "and other social bodies (one 0/1 flag each)",
                codelist="survey_partnerships",
            ),
        ),
        requirements=("S001-2",),
    ),
    # ---------------------------------------------------------------- positions
    Table(
        "socio_economic_position",
        "positions",
        "Socio-economic position on the last day of each quarter (one per person) and additional positions.",
        "KSZ DWH (nomenclatuur socio-economische positie)",
        ("insz", "quarter"),
        (
            _insz(),
            _QUARTER,
            F(
                "sep_code",
                "string",
                "position, the one closest to the labour market",
                codelist="sep_nomenclature",
                nullable=False,
            ),
            F(
                "add_unemployment",
                "bool",
                "additional: status towards unemployment insurance",
                nullable=False,
            ),
            F("add_incapacity", "bool", "additional: sickness or invalidity", nullable=False),
            F("add_assistance", "bool", "additional: leefloon or financial aid", nullable=False),
            F(
                "add_school_leaver",
                "bool",
                "additional: school leaver (integration allowance / child benefit only)",
                nullable=False,
            ),
            F("add_pension", "bool", "additional: pensioner", nullable=False),
            F("add_career_break", "bool", "additional: career break or time credit", nullable=False),
        ),
        partition="year",
        requirements=("S000-6", "S000-7", "S001-4", "S001-8", "S003-3"),
    ),
)

_BY_NAME = {t.name: t for t in TABLES}


def table(name: str) -> Table:
    """The table called ``name``; a clear error names the known tables otherwise."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown warehouse table {name!r}; known: {', '.join(sorted(_BY_NAME))}") from None


def table_names() -> list[str]:
    return [t.name for t in TABLES]
