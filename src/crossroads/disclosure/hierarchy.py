"""Hierarchies along which a quasi-identifier is generalised (municipality → werkwinkel → ... → region).

A hierarchy is a table with one row per leaf and one column per level, finest level first. It must
*nest*: every value of a level has exactly one parent in the next level. An implicit top level ``*``
(everything) sits above the last column, so full suppression of a variable is generalisation too.
Values are handled as strings so NIS codes keep their leading zeros.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crossroads.disclosure.errors import DisclosureInputError, HierarchyError

TOP = "*"  # the value of the implicit top level (also the mark of a suppressed value)

GEOGRAPHY_LEVELS = ("municipality", "werkwinkel", "arrondissement", "province", "region")


@dataclass(frozen=True)
class Hierarchy:
    """A nesting hierarchy: ``frame`` has one row per leaf and one string column per level."""

    name: str
    levels: tuple[str, ...]
    frame: pd.DataFrame = field(repr=False)

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        levels: Sequence[str] | None = None,
        *,
        name: str | None = None,
        source: str = "hierarchy",
    ) -> Hierarchy:
        """Build and validate a hierarchy from the ``levels`` columns of ``frame`` (finest first)."""
        levels = tuple(levels if levels is not None else [str(c) for c in frame.columns])
        if not levels:
            raise HierarchyError(f"{source}: a hierarchy needs at least one level")
        missing = [lv for lv in levels if lv not in frame.columns]
        if missing:
            raise HierarchyError(
                f"{source}: level column(s) {', '.join(missing)} not found; columns are "
                f"{', '.join(map(str, frame.columns))}"
            )
        df = frame.loc[:, list(levels)].copy()
        for lv in levels:
            nulls = df[lv].isna() | (df[lv].astype(str).str.strip() == "")
            if nulls.any():
                row = int(np.flatnonzero(nulls.to_numpy())[0])
                raise HierarchyError(f"{source}: row {row}, level {lv!r} is empty")
            df[lv] = df[lv].astype(str).str.strip()
        df = df.drop_duplicates().reset_index(drop=True)
        for lower, upper in itertools.pairwise(levels):
            parents = df.groupby(lower, sort=False)[upper].nunique()
            bad = parents[parents > 1]
            if len(bad):
                value = str(bad.index[0])
                found = sorted(df.loc[df[lower] == value, upper].unique())
                raise HierarchyError(
                    f"{source}: hierarchy does not nest: {lower} {value!r} has {len(found)} parents at level "
                    f"{upper!r} ({', '.join(found)}); {len(bad)} such value(s) in all"
                )
        leaf = levels[0]
        if df[leaf].duplicated().any():  # only possible if the frame itself is inconsistent
            raise HierarchyError(f"{source}: leaf {leaf!r} values are not unique")
        return cls(name=name or leaf, levels=levels, frame=df)

    @classmethod
    def from_csv(
        cls, path: str | Path, levels: Sequence[str] | None = None, *, name: str | None = None
    ) -> Hierarchy:
        """Read a user's own hierarchy file (CSV, one row per leaf, one column per level)."""
        p = Path(path)
        try:
            frame = pd.read_csv(p, dtype=str, keep_default_na=False)
        except FileNotFoundError:
            raise HierarchyError(f"hierarchy file {p} not found") from None
        return cls.from_frame(frame, levels, name=name, source=str(p))

    @classmethod
    def from_intervals(
        cls, name: str, values: Sequence[int] | np.ndarray, widths: Sequence[int]
    ) -> Hierarchy:
        """An interval hierarchy for whole numbers (e.g. age): level j groups values in bins of widths[j].

        Each width must be a multiple of the previous one, so that the bins nest.
        """
        vals = np.unique(np.asarray(values, dtype=np.int64))
        for a, b in itertools.pairwise(widths):
            if b % a:
                raise HierarchyError(
                    f"hierarchy {name!r}: width {b} is not a multiple of {a}, bins would not nest"
                )
        data: dict[str, Any] = {name: vals.astype(str)}
        for w in widths:
            lo = (vals // w) * w
            data[f"{name}_{w}"] = [f"{a}-{a + w - 1}" for a in lo]
        return cls.from_frame(pd.DataFrame(data), name=name)

    @property
    def height(self) -> int:
        """Number of generalisation steps, including the step to the top value ``*``."""
        return len(self.levels)

    def level_name(self, level: int) -> str:
        return self.levels[level] if level < len(self.levels) else TOP

    def mapping(self, level: int | str) -> dict[str, str]:
        """Leaf value → value at ``level`` (index or name)."""
        idx = self.levels.index(level) if isinstance(level, str) else level
        leaf = self.frame[self.levels[0]]
        if idx >= len(self.levels):
            return dict.fromkeys(leaf, TOP)
        return dict(zip(leaf, self.frame[self.levels[idx]], strict=True))

    def parent_map(self, level: int) -> dict[str, str]:
        """Value at ``level`` → its parent at ``level + 1`` (``*`` above the last column)."""
        if level + 1 >= len(self.levels):
            return dict.fromkeys(self.frame[self.levels[level]], TOP)
        sub = self.frame[[self.levels[level], self.levels[level + 1]]].drop_duplicates()
        return dict(zip(sub.iloc[:, 0], sub.iloc[:, 1], strict=True))

    def leaves_under(self, level: int) -> dict[str, int]:
        """Number of leaves under each value of ``level`` (for information-loss metrics)."""
        if level >= len(self.levels):
            return {TOP: len(self.frame)}
        return {str(k): int(v) for k, v in self.frame.groupby(self.levels[level]).size().items()}

    def check_covers(self, values: np.ndarray | Sequence[str], *, table: str, column: str) -> None:
        """Raise if a data value is not a leaf of this hierarchy (names the first row, not the value)."""
        arr = np.asarray(values).astype(str)
        known = np.isin(arr, self.frame[self.levels[0]].to_numpy())
        if not known.all():
            bad = np.flatnonzero(~known)
            raise DisclosureInputError(
                f"{len(bad)} value(s) not in hierarchy {self.name!r} (first at this row)",
                table=table,
                column=column,
                row=int(bad[0]),
            )

    def recode(
        self,
        values: np.ndarray | Sequence[Any],
        level: int | str,
        *,
        table: str = "data",
        column: str | None = None,
    ) -> np.ndarray:
        """Generalise leaf ``values`` to ``level`` (an object array of strings)."""
        arr = np.asarray(values)
        uniques, inverse = np.unique(arr.astype(str), return_inverse=True)
        m = self.mapping(level)
        out = np.empty(len(uniques), dtype=object)
        for i, u in enumerate(uniques):
            if u not in m:
                row = int(np.flatnonzero(inverse == i)[0])
                raise DisclosureInputError(
                    f"value not in hierarchy {self.name!r}", table=table, column=column or self.name, row=row
                )
            out[i] = m[u]
        return out[inverse]


def geography(werkwinkels: str | Path | None = None) -> Hierarchy:
    """The geographic hierarchy municipality → werkwinkel → arrondissement → province → region.

    Built from :func:`crossroads.classes.geography` (the shipped municipality list and the illustrative
    werkwinkel grouping, or ``werkwinkels``: a user's own grouping file).
    """
    from crossroads import classes

    build = getattr(classes, "geography", None)
    if build is None:
        raise HierarchyError("crossroads.classes.geography() is not available in this installation")
    frame = build(werkwinkels) if werkwinkels is not None else build()
    return Hierarchy.from_frame(
        frame, GEOGRAPHY_LEVELS, name="geography", source=str(werkwinkels or "classes.geography()")
    )
