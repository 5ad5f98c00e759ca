"""NIS country codes (DmfA annex 5) grouped into the nationality classes of the KSZ research extracts.

The grouping is data: ``data/country_groups.csv``, one row per annex-5 code, with the reason for each
assignment in its ``basis`` column (documented in ``docs/reference/classes.md``). Loading checks that the
file covers every code of ``codelists.load("country_codes")`` exactly once, so a new annex version that
adds a code fails loudly instead of silently falling into "unknown".
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources
from pathlib import Path

from crossroads import codelists

COUNTRY_GROUPS_FILE = Path(str(resources.files("crossroads.classes") / "data" / "country_groups.csv"))

BELGIUM = "150"

# Group code -> (Dutch label, English label), in the order used for tables and value labels.
NATIONALITY_GROUPS: dict[str, tuple[str, str]] = {
    "BE": ("Belg", "Belgian"),
    "EU14": ("andere EU-14", "other EU-14"),
    "EU13": ("EU-13", "EU-13 (joined 2004-2013)"),
    "CAND": ("Turkije en kandidaat-lidstaten", "Turkey and candidate countries"),
    "EUR": ("ander Europees land", "other European country"),
    "MAGH": ("Maghreb", "Maghreb"),
    "AFR": ("ander Afrikaans land", "other African country"),
    "ASIA": ("Azië", "Asia"),
    "AMER": ("Amerika", "Americas"),
    "OCEA": ("Oceanië", "Oceania"),
    "STL": ("staatloos of vluchteling", "stateless or refugee"),
    "UNK": ("onbekend", "unknown"),
}

EU_GROUPS = frozenset({"BE", "EU14", "EU13"})


class CountryGroupsError(ValueError):
    """The country grouping file is inconsistent with the annex-5 code list."""


@cache
def country_groups(path: Path | None = None) -> dict[str, str]:
    """NIS country code -> nationality group code, validated against annex 5."""
    path = path or COUNTRY_GROUPS_FILE
    mapping: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        for line, row in enumerate(reader, start=2):
            code = (row.get("nis_code") or "").strip()
            group = (row.get("group") or "").strip()
            if not code:
                raise CountryGroupsError(f"{path}: row {line}: field 'nis_code' is empty")
            if group not in NATIONALITY_GROUPS:
                raise CountryGroupsError(
                    f"{path}: row {line}: field 'group' has unknown group {group!r}; "
                    f"known: {', '.join(NATIONALITY_GROUPS)}"
                )
            if code in mapping:
                raise CountryGroupsError(f"{path}: row {line}: field 'nis_code' repeats code {code}")
            mapping[code] = group
    missing = sorted(codelists.codes("country_codes") - mapping.keys())
    if missing:
        raise CountryGroupsError(f"{path}: no group for annex-5 country code(s) {', '.join(missing)}")
    return mapping
