"""Record variables of the NARIC-Vlaanderen recognition decisions (21/128, S003-4): one row per decision.

Points are the rows of table ``naric_recognition`` of the persons in scope, with ``decision_id`` renamed
``record_id``. Yes/no facts are delivered as 1/0; dates as year-month by default; the country of the original
qualification in nationality classes.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
import ibis.expr.types as ir

from crossroads.catalog.model import Sources, Variable, record_variables
from crossroads.warehouse.schema import ENUMS

TABLE = "naric_recognition"
KEY = "decision_id"


def column(name: str) -> Callable[[Sources, ir.Table], ir.Table]:
    """A derivation delivering one column of the decision as it is."""

    def derive(src: Sources, points: ir.Table) -> ir.Table:
        return points.select("insz", "record_id", value=points[name])

    derive.__name__ = f"naric_{name}"
    return derive


def yes_no(name: str) -> Callable[[Sources, ir.Table], ir.Table]:
    """A boolean column as 1 / 0 (empty when not filled in)."""

    def derive(src: Sources, points: ir.Table) -> ir.Table:
        flag = points[name]
        value = ibis.cases(
            (flag.isnull(), ibis.null("string")), (flag, ibis.literal("1")), else_=ibis.literal("0")
        )
        return points.select("insz", "record_id", value=value)

    derive.__name__ = f"naric_{name}"
    return derive


def _labels(name: str) -> Callable[[], dict[str, str]]:
    def labels() -> dict[str, str]:
        return dict(ENUMS[name])

    return labels


_record = record_variables(TABLE, KEY, "S003-4")


VARIABLES: tuple[Variable, ...] = (
    _record(
        "refugee_status",
        "status van vluchteling",
        "refugee status",
        yes_no("refugee_status"),
        "The applicant has refugee status (1 yes, 0 no).",
        labels=_labels("yes_no"),
    ),
    _record(
        "application_support",
        "ondersteuning bij de erkenningsaanvraag",
        "support with the application",
        yes_no("application_support"),
        "The applicant was supported with the application (1 yes, 0 no).",
        labels=_labels("yes_no"),
    ),
    _record(
        "fee_exemption",
        "vrijstelling van de procedurekosten",
        "exemption from the fee",
        yes_no("fee_exemption"),
        "The applicant was exempted from the procedure fee (1 yes, 0 no).",
        labels=_labels("yes_no"),
    ),
    _record(
        "appeal",
        "beroep tegen een eerdere beslissing",
        "appeal against an earlier decision",
        yes_no("appeal"),
        "An appeal against an earlier decision was lodged (1 yes, 0 no).",
        labels=_labels("yes_no"),
    ),
    _record(
        "recognition_study_area",
        "studiegebied van de erkenning",
        "study area of the recognition",
        column("study_area"),
        "Study area of the specific recognition.",
    ),
    _record(
        "original_issuer_type",
        "type instantie van het oorspronkelijke getuigschrift",
        "type of institution that issued the original certificate",
        column("issuing_institution_type"),
        "Type of the institution that issued the foreign certificate.",
    ),
    _record(
        "requested_recognition_type",
        "type gevraagde erkenning",
        "requested recognition type",
        column("requested_type"),
        "Type of recognition the applicant asked for.",
        labels=_labels("naric_decision"),
    ),
    _record(
        "granted_recognition_type",
        "type gekregen erkenning",
        "granted recognition type",
        column("granted_type"),
        "Type of recognition granted.",
        labels=_labels("naric_decision"),
    ),
    _record(
        "application_date",
        "datum van indiening van de erkenningsvraag",
        "date of the application",
        column("application_date"),
        "Date the application was lodged (as year-month by default).",
        scheme="year_month",
    ),
    _record(
        "recognition_level",
        "niveau van de erkenning",
        "level of the recognition",
        column("recognition_level"),
        "Level of the recognition (code list certificate_level).",
        labels=_labels("certificate_level"),
    ),
    _record(
        "recognised_qualification",
        "benaming van de erkende kwalificatie",
        "recognised qualification",
        column("recognised_qualification"),
        "Name of the recognised Flemish qualification.",
    ),
    _record(
        "qualification_country_class",
        "land van de oorspronkelijke kwalificatie (klasse)",
        "country of the original qualification (class)",
        column("origin_country"),
        "Country where the original qualification was obtained (NIS country code), in nationality classes.",
        scheme="nationality",
    ),
    _record(
        "qualification_year",
        "jaar van de oorspronkelijke kwalificatie",
        "year of the original qualification",
        column("qualification_year"),
        "Year the original qualification was obtained.",
        "int",
    ),
    _record(
        "equivalence_decision_date",
        "datum van de gelijkwaardigheidsbeslissing",
        "date of the equivalence decision",
        column("decision_date"),
        "Date of the equivalence decision (as year-month by default).",
        scheme="year_month",
    ),
    _record(
        "naric_decision",
        "aard van de beslissing",
        "nature of the decision",
        column("decision_nature"),
        "Nature of the decision of NARIC-Vlaanderen (full, partial, level equivalence, refusal).",
        labels=_labels("naric_decision"),
    ),
)
