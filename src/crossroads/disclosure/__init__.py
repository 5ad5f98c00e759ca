"""Disclosure control: microdata risk, remedies (recoding, the 15/018 geographic fallback, local
suppression, optimal k-anonymisation), protected tables (primary and audited secondary suppression),
and the HTML report every delivery carries.

Entry points:
- :func:`assess_delivery` / :func:`protect_delivery` — a delivery's tables under the permit's settings;
- :func:`assess` — the risk summary of one table;
- :func:`build_table` + :func:`protect` — frequency/magnitude tables, suppression and LP audit.
"""

from crossroads.disclosure.assessment import (
    RemedyEffect,
    RiskReport,
    Settings,
    TableAssessment,
    assess_delivery,
    protect_delivery,
)
from crossroads.disclosure.attack import Audit, audit
from crossroads.disclosure.errors import (
    DisclosureError,
    DisclosureInputError,
    HierarchyError,
    InfeasibleProtection,
)
from crossroads.disclosure.hierarchy import Hierarchy, geography
from crossroads.disclosure.primary import Dominance, PPercent, Threshold, apply_rules
from crossroads.disclosure.recoding import (
    Anonymisation,
    InformationLoss,
    anonymise,
    geographic_fallback,
    local_suppression,
    recode,
)
from crossroads.disclosure.risk import RiskSummary, assess
from crossroads.disclosure.secondary import Protection, protect
from crossroads.disclosure.tables import Table, TableSet, build_table

__all__ = [
    "Anonymisation",
    "Audit",
    "DisclosureError",
    "DisclosureInputError",
    "Dominance",
    "Hierarchy",
    "HierarchyError",
    "InfeasibleProtection",
    "InformationLoss",
    "PPercent",
    "Protection",
    "RemedyEffect",
    "RiskReport",
    "RiskSummary",
    "Settings",
    "Table",
    "TableAssessment",
    "TableSet",
    "Threshold",
    "anonymise",
    "apply_rules",
    "assess",
    "assess_delivery",
    "audit",
    "build_table",
    "geographic_fallback",
    "geography",
    "local_suppression",
    "protect",
    "protect_delivery",
    "recode",
]
