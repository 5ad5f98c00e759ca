"""Hierarchies used for recoding: the geography (municipality -> werkwinkel -> arrondissement -> province ->
region) and the class hierarchies of age and nationality.

No public municipality -> werkwinkel table exists (DOMAIN.md §3), so an illustrative grouping ships with
the code lists and a user may pass their own CSV (columns ``nis_code``, ``werkwinkel_code``,
``werkwinkel_nl``). It is checked strictly: every 2025 municipality exactly once, and every werkwinkel
inside one arrondissement, because the 15/018 fallback (S001-4) replaces a municipality by its werkwinkel
and arrondissement and must never cross an arrondissement border.
"""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from crossroads import codelists
from crossroads.classes.countries import EU_GROUPS, country_groups
from crossroads.classes.schemes import scheme

# Brussels-Capital (arrondissement 21000) belongs to no province. Giving it a pseudo-province equal to
# its arrondissement code keeps the hierarchy total and nested: recoding up a level changes nothing there.
BRUSSELS_PROVINCE = "21000"
BRUSSELS_PROVINCE_NL = "Brussel-Hoofdstad (geen provincie)"

GEOGRAPHY_LEVELS = ("municipality", "werkwinkel", "arrondissement", "province", "region")
_REQUIRED = ("nis_code", "werkwinkel_code", "werkwinkel_nl")
_MAX_LISTED = 10


@dataclass(frozen=True)
class Problem:
    row: int | None  # line number in the file (header = 1), None for a whole-file problem
    field: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}: " if self.row is not None else ""
        return f"{where}field {self.field!r}: {self.message}"


class HierarchyError(ValueError):
    """A hierarchy file is incomplete, repeats a code or does not nest. Names file, row and field."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        first = problems[0]
        self.row = first.row
        self.field = first.field
        listed = "\n  ".join(str(p) for p in problems[:_MAX_LISTED])
        more = f"\n  ... and {len(problems) - _MAX_LISTED} more" if len(problems) > _MAX_LISTED else ""
        super().__init__(f"{file}: {len(problems)} problem(s)\n  {listed}{more}")


def _read_werkwinkels(path: Path) -> list[tuple[int, dict[str, str]]]:
    if not path.is_file():
        raise HierarchyError(str(path), [Problem(None, "-", "file not found")])
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        header = [h.strip() for h in reader.fieldnames or []]
        absent = [c for c in _REQUIRED if c not in header]
        if absent:
            raise HierarchyError(
                str(path),
                [Problem(1, c, f"required column missing (header has: {', '.join(header)})") for c in absent],
            )
        return [
            (line, {k.strip(): (v or "").strip() for k, v in row.items() if k})
            for line, row in enumerate(reader, start=2)
        ]


def _validate_werkwinkels(
    path: Path, rows: list[tuple[int, dict[str, str]]], muni: pd.DataFrame
) -> pd.DataFrame:
    arr_of = dict(zip(muni["nis_code"], muni["arrondissement_nis"], strict=True))
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    names: dict[str, tuple[str, int]] = {}
    rows_by_ww: dict[str, dict[str, int]] = {}
    records = []
    for line, row in rows:
        nis, ww, ww_nl = row.get("nis_code", ""), row.get("werkwinkel_code", ""), row.get("werkwinkel_nl", "")
        for name, value in (("nis_code", nis), ("werkwinkel_code", ww), ("werkwinkel_nl", ww_nl)):
            if not value:
                problems.append(Problem(line, name, "empty"))
        if not nis or not ww:
            continue
        if nis not in arr_of:
            problems.append(Problem(line, "nis_code", f"{nis} is not a 2025 municipality (NIS5 code)"))
            continue
        if nis in seen:
            problems.append(
                Problem(line, "nis_code", f"municipality {nis} already assigned on row {seen[nis]}")
            )
            continue
        seen[nis] = line
        declared = row.get("arrondissement_nis", "")
        if declared and declared != arr_of[nis]:
            problems.append(
                Problem(
                    line,
                    "arrondissement_nis",
                    f"{declared} but municipality {nis} lies in arrondissement {arr_of[nis]}",
                )
            )
        if ww in names and ww_nl and names[ww][0] != ww_nl:
            problems.append(
                Problem(
                    line,
                    "werkwinkel_nl",
                    f"{ww} is called {names[ww][0]!r} on row {names[ww][1]}, {ww_nl!r} here",
                )
            )
        names.setdefault(ww, (ww_nl, line))
        rows_by_ww.setdefault(ww, {}).setdefault(arr_of[nis], line)
        records.append((nis, ww, names[ww][0]))
    for ww, arrs in rows_by_ww.items():
        if len(arrs) > 1:
            where = ", ".join(f"{a} (row {r})" for a, r in sorted(arrs.items()))
            problems.append(
                Problem(
                    max(arrs.values()),
                    "werkwinkel_code",
                    f"werkwinkel {ww} spans arrondissements {where}: it must nest in one",
                )
            )
    missing = sorted(set(arr_of) - set(seen))
    if missing:
        shown = ", ".join(missing[:_MAX_LISTED]) + (" ..." if len(missing) > _MAX_LISTED else "")
        problems.append(Problem(None, "nis_code", f"{len(missing)} municipality(ies) not assigned: {shown}"))
    if problems:
        raise HierarchyError(str(path), problems)
    return pd.DataFrame(records, columns=["municipality", "werkwinkel", "werkwinkel_nl"])


def geography(werkwinkels: str | Path | None = None) -> pd.DataFrame:
    """One row per 2025 municipality with werkwinkel, arrondissement, province and region (codes, labels).

    ``werkwinkels`` is a CSV with columns nis_code, werkwinkel_code, werkwinkel_nl; by default the
    illustrative grouping of the code lists. Raises :class:`HierarchyError` naming file, row and field.
    """
    path = Path(werkwinkels) if werkwinkels is not None else codelists.path("werkwinkels")
    muni = codelists.municipalities()
    ww = _validate_werkwinkels(path, _read_werkwinkels(path), muni)
    geo = pd.DataFrame(
        {
            "municipality": muni["nis_code"],
            "municipality_nl": muni["name_nl"],
            "arrondissement": muni["arrondissement_nis"],
            "arrondissement_nl": muni["arrondissement_nl"],
            "province": muni["province_nis"].replace("", BRUSSELS_PROVINCE),
            "province_nl": np.where(muni["province_nis"] == "", BRUSSELS_PROVINCE_NL, muni["province_nl"]),
            "region": muni["region_nis"],
            "region_nl": muni["region_nl"],
        }
    )
    geo = geo.merge(ww, on="municipality", how="left", validate="one_to_one")
    columns = [
        "municipality",
        "municipality_nl",
        "werkwinkel",
        "werkwinkel_nl",
        "arrondissement",
        "arrondissement_nl",
        "province",
        "province_nl",
        "region",
        "region_nl",
    ]
    geo = geo[columns].sort_values("municipality").reset_index(drop=True)
    _check_nests(str(path), geo, list(GEOGRAPHY_LEVELS))
    return geo


def _check_nests(file: str, table: pd.DataFrame, levels: list[str]) -> None:
    """Each code of a level must map to exactly one code of the next coarser level."""
    problems = []
    for fine, coarse in itertools.pairwise(levels):
        parents = table.groupby(fine)[coarse].nunique()
        for code in parents[parents > 1].index[:_MAX_LISTED]:
            found = ", ".join(sorted(table.loc[table[fine] == code, coarse].unique()))
            problems.append(Problem(None, coarse, f"{fine} {code} lies in several {coarse}s: {found}"))
    if problems:
        raise HierarchyError(file, problems)


# ------------------------------------------------------------------ named hierarchies

_HIERARCHIES: dict[str, tuple[str, ...]] = {
    "geography": GEOGRAPHY_LEVELS,
    "age": ("age_5y", "age_10y", "age_broad"),
    "nationality": ("country", "nationality", "eu"),
    "daily_wage": ("daily_wage", "daily_wage_10", "daily_wage_50"),
    "wage_mass": ("wage_mass", "wage_mass_5000"),
}


def hierarchies() -> list[str]:
    return list(_HIERARCHIES)


def hierarchy(name: str) -> list[tuple[str, str]]:
    """The levels of a hierarchy, finest first, as (level name, column of ``hierarchy_table(name)``)."""
    if name not in _HIERARCHIES:
        raise KeyError(f"unknown hierarchy {name!r}; known: {', '.join(_HIERARCHIES)}")
    return [(level, level) for level in _HIERARCHIES[name]]


def interval_hierarchy(levels: list[str]) -> pd.DataFrame:
    """A hierarchy table for interval schemes (finest first), checked to nest; ``HierarchyError`` if not.

    Codes are taken at every bound of every level and between consecutive bounds: every level is
    constant between bounds, so these points show any failure to nest."""
    schemes = [scheme(lv) for lv in levels]
    bounds = sorted({b for s in schemes for c in s.classes for b in (c.lower, c.upper) if b is not None})
    between = [(a + b) / 2 for a, b in itertools.pairwise(bounds)]
    points = np.array([*bounds, *between, bounds[-1] + 1.0], dtype=np.float64)
    table = pd.DataFrame(
        {lv: np.asarray(s.assign_array(points), dtype=object) for lv, s in zip(levels, schemes, strict=True)}
    )
    table = table.dropna()
    _check_nests(f"hierarchy {' > '.join(levels)}", table, levels)
    return table.drop_duplicates().reset_index(drop=True)


def hierarchy_table(name: str, werkwinkels: str | Path | None = None) -> pd.DataFrame:
    """One row per finest code with the code of every coarser level (checked to nest)."""
    levels = [c for _, c in hierarchy(name)]
    if name == "geography":
        return geography(werkwinkels)[levels]
    if name == "nationality":
        groups = country_groups()
        table = pd.DataFrame({"country": list(groups), "nationality": list(groups.values())})
        table["eu"] = table["nationality"].map(
            lambda g: "EU" if g in EU_GROUPS else ("UNK" if g == "UNK" else "NONEU")
        )
    else:
        return interval_hierarchy(levels)
    _check_nests(f"hierarchy {name}", table, levels)
    return table.drop_duplicates().sort_values(levels[0]).reset_index(drop=True)
