"""Registry payloads for the four seed permits, written by hand from MISSION.md (not from YAML)."""

from __future__ import annotations

import hashlib
from datetime import date

from crossroads.governance import PermitRegistration, Store, VersionRegistration

DWSE_INPUT = ("DWSE", "dienstencheques-input")
DWSE_RESEARCH = ("DWSE", "dienstencheques-onderzoek")
DWSE_SOCIAL_ECONOMY = ("DWSE", "sociale-economie")
KSZ_DWH = ("KSZ", "datawarehouse")


def payload(
    number: str,
    versions: list[VersionRegistration],
    *,
    text: str | None = None,
    kind: str = "research",
) -> PermitRegistration:
    yaml_text = text if text is not None else f"number: '{number}'\n# versions: {len(versions)}\n"
    return PermitRegistration(
        number=number,
        title=f"Beraadslaging {number}",
        kind=kind,
        requester="DWSE",
        controller="DWSE",
        versions=tuple(versions),
        sha256=hashlib.sha256(yaml_text.encode()).hexdigest(),
        yaml_text=yaml_text,
    )


def version(
    number: int,
    effective: date,
    *,
    approved: date | None = None,
    input_unit: tuple[str, str] = DWSE_INPUT,
    output_unit: tuple[str, str] = DWSE_RESEARCH,
    roles: tuple[str, ...] = ("researcher",),
    until: date | None = None,
    years_after_record: int | None = None,
    phase1_years: int | None = None,
) -> VersionRegistration:
    return VersionRegistration(
        version=number,
        label=f"versie {number}",
        approved=approved or effective,
        effective=effective,
        purpose="onderzoek",
        input_unit=input_unit,
        output_unit=output_unit,
        roles=roles,
        retention_until=until,
        retention_years_after_record=years_after_record,
        phase1_years_after_delivery=phase1_years,
    )


# S000-8: destroyed by 1 September 2024; phase-1 data at most three years after delivery.
P21_150 = payload("21/150", [version(1, date(2021, 10, 5), until=date(2024, 9, 1), phase1_years=3)])
# S001-9: the decision's date, 31 March 2017, governs.
P15_018 = payload(
    "15/018",
    [
        version(
            1,
            date(2015, 4, 7),
            input_unit=("VSAWSE", "sociale-economie"),
            output_unit=("SWSE", "onderzoek"),
            until=date(2017, 3, 31),
        )
    ],
)
# S003-5: amendments approved 6 Feb 2024 (in force 21 Feb 2024) and 4 Nov 2025 (in force 20 Nov 2025).
P21_128_VERSIONS = [
    version(
        1,
        date(2021, 7, 6),
        input_unit=("NARIC", "erkenningen"),
        output_unit=("UM", "roa"),
        until=date(2031, 1, 31),
    ),
    version(
        2,
        date(2024, 2, 21),
        approved=date(2024, 2, 6),
        input_unit=("NARIC", "erkenningen"),
        output_unit=("UM", "roa"),
        until=date(2031, 1, 31),
    ),
    version(
        3,
        date(2025, 11, 20),
        approved=date(2025, 11, 4),
        input_unit=("NARIC", "erkenningen"),
        output_unit=("UM", "roa"),
        until=date(2031, 1, 31),
    ),
]
P21_128 = payload("21/128", P21_128_VERSIONS)
# S004-4: three groups of DWSE staff; data kept 10 years after each record; indefinite permit.
P19_072 = payload(
    "19/072",
    [
        version(
            1,
            date(2019, 5, 7),
            input_unit=("KSZ", "dmfa"),
            output_unit=DWSE_SOCIAL_ECONOMY,
            roles=("dossier_handler", "inspector", "fines_handler"),
            years_after_record=10,
        )
    ],
    kind="online_consultation",
)
SEED_PERMITS = (P21_150, P15_018, P21_128, P19_072)


def register_seed_permits(store: Store) -> None:
    for permit in SEED_PERMITS:
        store.register_permit(permit)
