"""Official and curated code lists, loaded from the CSV files shipped in ``codelists/data``.

The files are copies of ``shared/data`` (sources in ``data/SOURCES.md``); they are loaded, never retyped.
Codes are kept as strings so that leading zeros survive (worker code ``015``, reduction ``0001``).
This module sits at the bottom of the import graph: it imports nothing from ``crossroads``.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd

DATA_DIR = Path(str(resources.files("crossroads.codelists") / "data"))

_FILES = {
    "municipalities": "be_municipalities_2025_565.csv",
    "municipality_crosswalk": "be_nis_municipality_crosswalk_2019_2025.csv",
    "werkwinkels": "werkwinkel_illustrative_2025.csv",
    "lipro": "ksz_lipro_positions.csv",
    "sep_categories": "ksz_socio_economic_position_webapp_categories.csv",
    "sep_nomenclature": "sep_nomenclature_crossroads.csv",
    "pc32201_wages": "pc32201_minimum_hourly_wages.csv",
    "rsz_rates": "rsz_employer_rate_and_structural_reduction_params.csv",
    "voucher_prices": "service_voucher_user_price_history.csv",
    "voucher_figures": "service_vouchers_key_figures.csv",
    "worker_codes": "dmfa_annex02_worker_codes_2022-2.csv",
    "contribution_types": "dmfa_annex03_contribution_types_2022-3.csv",
    "reduction_codes": "dmfa_annex04_reduction_codes_2022-2.csv",
    "country_codes": "dmfa_annex05_country_codes_2021-1.csv",
    "remuneration_codes": "dmfa_annex07_remuneration_codes_2021-4.csv",
    "service_codes": "dmfa_annex08_working_time_service_codes_2022-2.csv",
    "worker_status": "dmfa_annex21_worker_status_2022-3.csv",
    "joint_committees": "dmfa_annex26_joint_committees_2019-1.csv",
    "employer_categories": "dmfa_annex27_employer_categories_2022-1.csv",
    "nace_codes": "dmfa_annex31_nace_codes_2015-2.csv",
    "employment_measures": "dmfa_annex35_employment_promotion_measures_2013-1.csv",
    "reorganisation_measures": "dmfa_annex44_working_time_reorganisation_2021-1.csv",
    "dmfa_blocks": "dmfa_functional_blocks_2023-3.csv",
    "dmfa_zones": "dmfa_zones_glossary_2023-3.csv",
}

# The column that holds the code, per list (for ``codes()``).
_CODE_COLUMN = {
    "municipalities": "nis_code",
    "werkwinkels": "werkwinkel_code",
    "lipro": "code",
    "sep_nomenclature": "code",
    "worker_codes": "Code",
    "reduction_codes": "CodeDMFA",
    "country_codes": "Code",
    "remuneration_codes": "Code",
    "service_codes": "Code",
    "worker_status": "Code",
    "joint_committees": "Code",
    "employer_categories": "Code",
    "nace_codes": "Code",
    "employment_measures": "Code",
    "reorganisation_measures": "Code",
    "dmfa_blocks": "code",
}


def names() -> list[str]:
    """The names of every code list."""
    return sorted(_FILES)


def path(name: str) -> Path:
    """The CSV file behind a code list."""
    if name not in _FILES:
        raise KeyError(f"unknown code list {name!r}; known: {', '.join(names())}")
    return DATA_DIR / _FILES[name]


@cache
def load(name: str) -> pd.DataFrame:
    """A code list as a DataFrame of strings (copy before you modify it)."""
    return pd.read_csv(path(name), dtype=str, keep_default_na=False)


@cache
def codes(name: str) -> frozenset[str]:
    """The set of codes of a list, as strings with their leading zeros."""
    if name not in _CODE_COLUMN:
        raise KeyError(f"code list {name!r} has no single code column")
    return frozenset(load(name)[_CODE_COLUMN[name]].str.strip())


def municipalities() -> pd.DataFrame:
    """The 565 municipalities of 2025 with arrondissement, province and region (NIS codes)."""
    return load("municipalities")


def nace_2008() -> pd.DataFrame:
    """The 948 five-digit NACE-BEL 2008 codes (annex 31, valid from 2008/1)."""
    df = load("nace_codes")
    return df[df["Geldigheid"].str.contains("2008")].reset_index(drop=True)


def lipro_codes() -> list[str]:
    """LIPRO household positions (SING ... COLL), in the KSZ order."""
    return list(load("lipro")["code"])
