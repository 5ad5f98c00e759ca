"""Record variables of the Flemish certificates (21/128, S003-3): one row per certificate.

Points are the rows of table ``certificate`` of the persons in scope, with ``certificate_id`` renamed
``record_id``; each derivation reads one column of that row. The permit's names follow the seed's list
(studiedomein, studierichting, studiegebied, onderwerp van het studiegebied, onderwijsvorm, onderwijsniveau,
gedetailleerd onderwijsniveau, niveau van de onderwijskwalificatie, specialisatie, graad, niveau, categorie,
datum van uitreiking, type, status, type uitreikende instantie).
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
import ibis.expr.types as ir

from crossroads.catalog.model import Sources, Variable, record_variables
from crossroads.warehouse.schema import ENUMS

TABLE = "certificate"
KEY = "certificate_id"
SUBJECT_COLUMN = "study_subject"
"""Column of the subject of the study area (onderwerp van het studiegebied); requested from the warehouse
owner. Until the table has it the variable is empty."""

HIGHER = "HIGHER"
EDUCATION_LEVELS: dict[str, str] = {
    "SEC": "secundair onderwijs",
    "POSTSEC": "postsecundair niet-hoger onderwijs",
    HIGHER: "hoger onderwijs",
}
"""Onderwijsniveau: the certificate level (``certificate_level``) with bachelor, master and doctorate
grouped as higher education; the level itself is ``certificate_level``."""


def column(name: str) -> Callable[[Sources, ir.Table], ir.Table]:
    """A derivation delivering one column of the record as it is."""

    def derive(src: Sources, points: ir.Table) -> ir.Table:
        return points.select("insz", "record_id", value=points[name])

    derive.__name__ = f"certificate_{name}"
    return derive


def study_subject(src: Sources, points: ir.Table) -> ir.Table:
    if SUBJECT_COLUMN in points.columns:
        return points.select("insz", "record_id", value=points[SUBJECT_COLUMN].cast("string"))
    return points.select("insz", "record_id", value=ibis.null("string"))


def education_level(src: Sources, points: ir.Table) -> ir.Table:
    lvl = points.level
    value = ibis.cases(
        (lvl.isin(["BACH", "MAST", "DOC"]), ibis.literal(HIGHER)),
        else_=lvl,
    )
    return points.select("insz", "record_id", value=value)


def _labels(codes: dict[str, str]) -> Callable[[], dict[str, str]]:
    def labels() -> dict[str, str]:
        return dict(codes)

    return labels


_record = record_variables(TABLE, KEY, "S003-3")


VARIABLES: tuple[Variable, ...] = (
    _record(
        "study_domain",
        "studiedomein",
        "field of study",
        column("field"),
        "Field of study of the certificate (ISCED-F 2013 broad field).",
    ),
    _record(
        "study_direction",
        "studierichting",
        "study direction",
        column("direction"),
        "Direction or study option of the certificate.",
    ),
    _record(
        "study_area",
        "studiegebied",
        "study area",
        column("study_area"),
        "Study area (studiegebied) of the certificate.",
    ),
    _record(
        "study_area_subject",
        "onderwerp van het studiegebied",
        "subject of the study area",
        study_subject,
        f"Subject within the study area (column {SUBJECT_COLUMN}); empty while the warehouse lacks it.",
    ),
    _record(
        "education_form",
        "onderwijsvorm",
        "form of education",
        column("education_form"),
        "Form of education: day education, adult education, dual learning, distance learning.",
    ),
    _record(
        "certificate_education_level",
        "onderwijsniveau",
        "level of education",
        education_level,
        "Level of education of the certificate: SEC secondary, POSTSEC post-secondary non-higher, "
        "HIGHER higher education (bachelor, master, doctorate).",
        labels=_labels(EDUCATION_LEVELS),
    ),
    _record(
        "certificate_edu_level_detail",
        "gedetailleerd onderwijsniveau",
        "detailed level of education",
        column("detailed_level"),
        "Detailed level of education (ASO, TSO, BSO, KSO, HBO5, professional or academic bachelor ...).",
    ),
    _record(
        "qualification_level",
        "niveau van de onderwijskwalificatie",
        "qualification level",
        column("qualification_level"),
        "Level of the education qualification in the Flemish qualification structure (VKS 1-8).",
        "int",
    ),
    _record(
        "specialisation",
        "specialisatie",
        "specialisation",
        column("specialisation"),
        "Specialisation of the certificate.",
    ),
    _record("degree", "graad", "degree", column("degree"), "Degree awarded with the certificate."),
    _record(
        "certificate_level",
        "niveau van het getuigschrift",
        "certificate level",
        column("level"),
        "Level of the certificate (code list certificate_level: SEC, POSTSEC, BACH, MAST, DOC).",
        labels=_labels(ENUMS["certificate_level"]),
    ),
    _record(
        "certificate_category",
        "categorie van het getuigschrift",
        "certificate category",
        column("certificate_category"),
        "Category of the certificate (diploma, getuigschrift, attest).",
    ),
    _record(
        "certificate_date",
        "datum van uitreiking van het getuigschrift",
        "date the certificate was issued",
        column("issue_date"),
        "Date the certificate was obtained (as year-month by default).",
        scheme="year_month",
    ),
    _record(
        "certificate_type",
        "type getuigschrift",
        "certificate type",
        column("certificate_type"),
        "Type of certificate (initial education, further education ...).",
    ),
    _record(
        "certificate_status",
        "status van het getuigschrift",
        "certificate status",
        column("status"),
        "Status of the certificate (obtained, withdrawn).",
    ),
    _record(
        "certificate_issuer_type",
        "type uitreikende instantie",
        "type of issuing institution",
        column("issuer_type"),
        "Type of institution that issued the certificate (school, CVO, university college, university).",
    ),
)
