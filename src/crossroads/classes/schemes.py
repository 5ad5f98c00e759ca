"""Class schemes: how a value (an age, an amount, a country code, a date) becomes a published class.

Every scheme is data (code, Dutch label, English label, bounds) and works in three places with the same
result: on an Ibis expression (``assign``, compiled by DuckDB or Spark), on a numpy/pyarrow array
(``assign_array``), and in a codebook (``value_labels``). Interval schemes compare against explicit bounds
in float64 on every path, so a boundary value (age 20, a daily wage of exactly 1.25 EUR) lands in the same
class whichever engine runs it. A missing input (null or NaN) gives the scheme's ``missing`` code, or null
when the scheme has none; a value below the first class gives null (it is invalid, not unknown).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, TypeAlias

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from crossroads.classes.countries import EU_GROUPS, NATIONALITY_GROUPS, country_groups

ArrayLike: TypeAlias = np.ndarray | pa.Array | pa.ChunkedArray | Sequence[Any]


class Class(NamedTuple):
    """One class of a scheme. Bounds are None for categorical schemes and for open ends."""

    code: str
    label_nl: str
    lower: float | None
    upper: float | None


class SchemeError(ValueError):
    """A scheme is defined inconsistently (overlapping bounds, duplicate codes) or used on the wrong input."""


def _as_result(values: np.ndarray, like: object) -> np.ndarray | pa.Array:
    """Return pyarrow when the caller gave pyarrow, numpy (object dtype, None for null) otherwise."""
    if isinstance(like, pa.Array | pa.ChunkedArray):
        return pa.array(values, type=pa.string())
    return values


def _to_float(values: ArrayLike) -> np.ndarray:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return np.asarray(values.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    arr = np.asarray(values, dtype=object if not isinstance(values, np.ndarray) else None)
    if arr.dtype == object:
        return np.array([np.nan if v is None else float(v) for v in arr], dtype=np.float64)
    return arr.astype(np.float64)


def _to_strings(values: ArrayLike) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.Array):
        values = pa.array(
            np.asarray(values, dtype=object) if isinstance(values, np.ndarray) else list(values)
        )
    if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
        values = values.cast(pa.string())
    return values


@dataclass(frozen=True)
class ClassScheme:
    """Common part of every scheme: identity, classes and labels."""

    name: str
    label: str
    label_en: str
    classes: list[Class]
    labels_en: dict[str, str]
    missing: str | None = None
    description: str = ""

    def __post_init__(self) -> None:
        codes = [c.code for c in self.classes]
        if len(set(codes)) != len(codes):
            raise SchemeError(f"scheme {self.name!r}: duplicate class codes")
        if self.missing is not None and self.missing not in codes:
            raise SchemeError(
                f"scheme {self.name!r}: missing code {self.missing!r} is not one of its classes"
            )

    def codes(self) -> list[str]:
        return [c.code for c in self.classes]

    def value_labels(self, language: Literal["nl", "en"] = "nl") -> dict[str, str]:
        """Code -> label, in class order (Dutch by default: researchers read the Dutch codebook)."""
        if language == "en":
            return {c.code: self.labels_en[c.code] for c in self.classes}
        return {c.code: c.label_nl for c in self.classes}

    def numeric_codes(self) -> dict[str, int]:
        """Code -> 1-based position: Stata and SPSS attach value labels to integers only."""
        return {c.code: i for i, c in enumerate(self.classes, start=1)}

    def assign(self, expr: ir.Value) -> ir.StringValue:  # pragma: no cover - overridden
        raise NotImplementedError

    def assign_array(self, values: ArrayLike) -> np.ndarray | pa.Array:
        """Classes of an array: pyarrow in, pyarrow string array out; otherwise a numpy object array
        with None for null."""
        return self._assign_array(values)

    def _assign_array(self, values: ArrayLike) -> np.ndarray | pa.Array:  # pragma: no cover - overridden
        raise NotImplementedError


@dataclass(frozen=True)
class IntervalScheme(ClassScheme):
    """Contiguous numeric intervals, [lower, upper) when ``closed='left'`` or (lower, upper] when 'right'."""

    closed: Literal["left", "right"] = "left"
    _bounds: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        ranged = [c for c in self.classes if c.code != self.missing]
        if not ranged:
            raise SchemeError(f"scheme {self.name!r} has no classes")
        for a, b in itertools.pairwise(ranged):
            if a.upper is None or b.lower is None or a.upper != b.lower:
                raise SchemeError(
                    f"scheme {self.name!r}: class {a.code!r} ends at {a.upper} "
                    f"but {b.code!r} starts at {b.lower}"
                )
        lows = [-math.inf if ranged[0].lower is None else ranged[0].lower]
        lows += [float(c.lower) for c in ranged[1:] if c.lower is not None]
        top = math.inf if ranged[-1].upper is None else float(ranged[-1].upper)
        object.__setattr__(self, "_bounds", np.array([*lows, top], dtype=np.float64))

    @property
    def ranged(self) -> list[Class]:
        return [c for c in self.classes if c.code != self.missing]

    def _missing_literal(self) -> ir.StringScalar:
        return ibis.literal(self.missing, type="string")

    def _conditions(self, x: ir.FloatingValue) -> list[tuple[ir.BooleanValue, str]]:
        out = []
        for c in self.ranged:
            parts = []
            if c.lower is not None:
                parts.append(x >= c.lower if self.closed == "left" else x > c.lower)
            if c.upper is not None:
                parts.append(x < c.upper if self.closed == "left" else x <= c.upper)
            cond = parts[0] if len(parts) == 1 else parts[0] & parts[1]
            out.append((cond, c.code))
        return out

    def assign(self, expr: ir.Value) -> ir.StringValue:
        # float64 on every engine: DuckDB would otherwise compare decimals exactly and Spark as doubles.
        x = expr.cast("float64")
        # NaN sorts above +inf in DuckDB and Spark but compares false in numpy: treat it as missing.
        missing = x.isnull() | x.isnan()
        branches: list[tuple[Any, Any]] = [(missing, self._missing_literal())]
        branches += self._conditions(x)
        return ibis.cases(*branches, else_=ibis.null("string")).cast("string")

    def _index(self, x: np.ndarray) -> np.ndarray:
        """Position of each value among the ranged classes, -1 when outside every class."""
        b = self._bounds
        side: Literal["left", "right"] = "right" if self.closed == "left" else "left"
        n = len(b) - 1
        idx = np.searchsorted(b, x, side=side) - 1
        # An open end has no bound to compare with, so +-inf belong to the outer classes (as in SQL).
        if b[-1] == math.inf:
            idx = np.where(x == math.inf, n - 1, idx)
        if b[0] == -math.inf:
            idx = np.where(x == -math.inf, 0, idx)
        ok = (idx >= 0) & (idx < n) & ~np.isnan(x)
        return np.where(ok, idx, -1)

    def _assign_array(self, values: ArrayLike) -> np.ndarray | pa.Array:
        x = _to_float(values)
        idx = self._index(x)
        codes = np.array([c.code for c in self.ranged] + [None], dtype=object)
        out = codes[np.where(idx >= 0, idx, len(codes) - 1)]
        if self.missing is not None:
            out[np.isnan(x)] = self.missing
        return _as_result(out, values)


@dataclass(frozen=True)
class EqualWidthScheme(IntervalScheme):
    """Many classes of one width (the RSZ Salcla: 500 classes of 1.25 EUR), computed arithmetically.

    A CASE with hundreds of branches is slow to compile on Spark; ``floor`` plus an exact correction
    against the same bounds gives the identical class. The bounds ``start + k * width`` are exact in
    float64 for the widths used here (multiples of 1/4), so comparisons decide boundary values.
    """

    start: float = 0.0
    width: float = 1.0
    code_digits: int = 3

    def assign(self, expr: ir.Value) -> ir.StringValue:
        x = expr.cast("float64")
        n = len(self.ranged)
        top_lower = self.start + (n - 1) * self.width
        open_top = self.ranged[-1].upper is None
        # Clamp first so that floor() never casts a huge value to int64 (DuckDB raises on overflow).
        top = top_lower if open_top else self.start + n * self.width
        y = ibis.greatest(ibis.least(x, top), self.start)
        k0 = ((y - self.start) / self.width).floor().cast("int64")
        # Correct a quotient that rounded across a bound so the result equals the comparison definition.
        k = (
            k0
            - ibis.ifelse(y < self.start + k0.cast("float64") * self.width, 1, 0)
            + ibis.ifelse(y >= self.start + (k0 + 1).cast("float64") * self.width, 1, 0)
        )
        code = (k + 1).cast("string").lpad(self.code_digits, "0")
        too_high = ibis.literal(False) if open_top else x >= self.start + n * self.width
        return ibis.cases(
            (x.isnull() | x.isnan(), self._missing_literal()),
            ((x < self.start) | too_high, ibis.null("string")),
            else_=code,
        ).cast("string")


@dataclass(frozen=True)
class CategoricalScheme(ClassScheme):
    """Codes mapped to classes through an explicit table (ISCED -> LOW/MID/HIGH, country -> group)."""

    mapping: Mapping[str, str] = field(default_factory=dict)
    other: str | None = None  # class for a code not in the mapping; None -> null (an invalid code)

    def __post_init__(self) -> None:
        super().__post_init__()
        known = set(self.codes())
        bad = sorted({v for v in self.mapping.values() if v not in known})
        if bad or (self.other is not None and self.other not in known):
            raise SchemeError(f"scheme {self.name!r}: mapping targets {bad or [self.other]} are not classes")

    def assign(self, expr: ir.Value) -> ir.StringValue:
        x = expr if expr.type().is_string() else expr.cast("string")
        x = x.strip()
        other = ibis.literal(self.other, type="string")
        # One map lookup, not a CASE of IN lists: DuckDB tests IN lists inside a CASE row by row (6x slower).
        found = ibis.map(dict(self.mapping)).get(x, other) if self.mapping else other
        return ibis.ifelse(x.isnull(), ibis.literal(self.missing, type="string"), found).cast("string")

    def _assign_array(self, values: ArrayLike) -> np.ndarray | pa.Array:
        strings = pc.utf8_trim_whitespace(_to_strings(values))
        keys = pa.array(list(self.mapping), type=pa.string())
        targets = np.array([*self.mapping.values(), self.other], dtype=object)
        idx = pc.index_in(strings, value_set=keys).fill_null(len(keys)).to_numpy(zero_copy_only=False)
        out = targets[idx]
        out[np.asarray(strings.is_null().to_numpy(zero_copy_only=False), dtype=bool)] = self.missing
        return _as_result(out, values)


@dataclass(frozen=True)
class YearMonthScheme(ClassScheme):
    """Dates published as ``YYYY-MM`` (S003-3): an open set of codes, so no value labels."""

    def assign(self, expr: ir.Value) -> ir.StringValue:
        d = expr.cast("date")
        return (d.year().cast("string") + "-" + d.month().cast("string").lpad(2, "0")).cast("string")

    def _assign_array(self, values: ArrayLike) -> np.ndarray | pa.Array:
        if isinstance(values, pa.Array | pa.ChunkedArray):
            arr = values if pa.types.is_timestamp(values.type) else values.cast(pa.date32())
            return pc.strftime(arr, format="%Y-%m")
        dt = np.asarray(values, dtype="datetime64[D]")
        out = np.array(np.datetime_as_string(dt, unit="M"), dtype=object)
        out[np.isnat(dt)] = None
        return out


@dataclass(frozen=True)
class OriginScheme(ClassScheme):
    """Origin (herkomst) after the FOD WASO/Unia socio-economic monitoring.

    Foreign origin when the father's nationality at birth, the mother's nationality at birth, the own
    nationality at birth or the current nationality is non-Belgian, checked in that order: the class is
    the nationality group of the first non-Belgian one. Belgian origin when all four are Belgian.
    "Belg, herkomst onbepaald" when the person is Belgian but a parent's (or the other own) nationality
    is unknown; "onbekend" when nothing known is non-Belgian and the person's own nationality is unknown.
    """

    def _groups(self) -> CategoricalScheme:
        return nationality_scheme()

    def assign(self, *exprs: ir.Value) -> ir.StringValue:
        """``assign(father_first, mother_first, own_first, current)`` (NIS country codes)."""
        if len(exprs) != 4:
            raise SchemeError("origin needs four nationalities: father's, mother's, own at birth, current")
        groups = self._groups()
        # Foreign codes -> their group in one map; the first foreign of the four wins (coalesce). Unknown and
        # invalid codes are in neither the map nor the Belgian list: never foreign, never Belgian.
        foreign = ibis.map({k: v for k, v in groups.mapping.items() if v not in ("BE", "UNK")})
        belgian = sorted(k for k, v in groups.mapping.items() if v == "BE")
        codes = [(e if e.type().is_string() else e.cast("string")).strip() for e in exprs]
        is_be = [x.isin(belgian) for x in codes]
        rest = ibis.cases(
            (is_be[0] & is_be[1] & is_be[2] & is_be[3], "BE"), (is_be[2] | is_be[3], "BE_UND"), else_="UNK"
        )
        return ibis.coalesce(*[foreign.get(x) for x in codes], rest).cast("string")

    def assign_array(self, *values: ArrayLike) -> np.ndarray | pa.Array:
        """``assign_array(father_first, mother_first, own_first, current)``."""
        return self._assign_origin(*values)

    def _assign_array(self, values: ArrayLike) -> np.ndarray | pa.Array:
        raise SchemeError("origin needs four nationalities: father's, mother's, own at birth, current")

    def _assign_origin(self, *values: ArrayLike) -> np.ndarray | pa.Array:
        if len(values) != 4:
            raise SchemeError("origin needs four nationalities: father's, mother's, own at birth, current")
        g = [np.asarray(_to_obj(self._groups().assign_array(v)), dtype=object) for v in values]
        g = [np.where(pd_isnull(gi), "UNK", gi) for gi in g]
        out = np.full(len(g[0]), "UNK", dtype=object)
        decided = np.zeros(len(g[0]), dtype=bool)
        for gi in g:
            foreign = ~decided & (gi != "BE") & (gi != "UNK")
            out[foreign] = gi[foreign]
            decided |= foreign
        all_be = ~decided & (g[0] == "BE") & (g[1] == "BE") & (g[2] == "BE") & (g[3] == "BE")
        out[all_be] = "BE"
        decided |= all_be
        out[~decided & ((g[2] == "BE") | (g[3] == "BE"))] = "BE_UND"
        return _as_result(out, values[0])


def pd_isnull(values: np.ndarray) -> np.ndarray:
    return np.array([v is None for v in values], dtype=bool)


def _to_obj(values: np.ndarray | pa.Array) -> np.ndarray:
    if isinstance(values, pa.Array):
        return np.asarray(values.to_pylist(), dtype=object)
    return values


# ------------------------------------------------------------------ builders


def _interval(
    name: str,
    label: str,
    label_en: str,
    rows: Sequence[tuple[str, str, str, float | None, float | None]],
    *,
    closed: Literal["left", "right"] = "left",
    description: str = "",
) -> IntervalScheme:
    return IntervalScheme(
        name=name,
        label=label,
        label_en=label_en,
        classes=[Class(code, nl, lo, hi) for code, nl, _en, lo, hi in rows],
        labels_en={code: en for code, _nl, en, _lo, _hi in rows},
        closed=closed,
        description=description,
    )


def _age(name: str, width: int, first: int, top: int, label: str, label_en: str) -> IntervalScheme:
    """Age classes ``first .. top-1`` by ``width`` years, with an open class below and above."""
    rows: list[tuple[str, str, str, float | None, float | None]] = [
        (f"00-{first - 1:02d}", f"jonger dan {first} jaar", f"under {first}", 0, first)
    ]
    for lo in range(first, top, width):
        hi = lo + width - 1
        rows.append((f"{lo:02d}-{hi:02d}", f"{lo}-{hi} jaar", f"{lo}-{hi} years", lo, lo + width))
    rows.append((f"{top}+", f"{top} jaar en ouder", f"{top} and over", top, None))
    return _interval(name, label, label_en, rows, description=f"age in completed years, {width}-year classes")


def _euro(x: float) -> str:
    """Dutch amount notation: 1.234,50."""
    whole, cents = f"{x:,.2f}".split(".")
    return f"{whole.replace(',', '.')},{cents}"


def amount_classes(
    name: str,
    *,
    width: float,
    count: int,
    start: float = 0.0,
    label: str = "bedragklasse",
    label_en: str = "amount class",
    code_digits: int | None = None,
) -> EqualWidthScheme:
    """``count`` classes of ``width`` EUR from ``start``; the last is open-ended ("... en meer")."""
    if width <= 0 or count < 1:
        raise SchemeError(f"scheme {name!r}: width must be positive and count at least 1")
    digits = code_digits or len(str(count))
    classes, labels_en = [], {}
    for k in range(count):
        lo = start + k * width
        hi = None if k == count - 1 else start + (k + 1) * width
        code = f"{k + 1:0{digits}d}"
        if hi is None:
            nl, en = f"{_euro(lo)} EUR en meer", f"{lo:,.2f} EUR and over"
        else:
            nl, en = f"{_euro(lo)} tot {_euro(hi)} EUR", f"{lo:,.2f} to under {hi:,.2f} EUR"
        classes.append(Class(code, nl, lo, hi))
        labels_en[code] = en
    return EqualWidthScheme(
        name=name,
        label=label,
        label_en=label_en,
        classes=classes,
        labels_en=labels_en,
        start=start,
        width=width,
        code_digits=digits,
        description=f"{count} classes of {width} EUR from {start}, the last open-ended",
    )


def _income(name: str, step: int, label: str, label_en: str) -> IntervalScheme:
    """Income classes with the codes of the warehouse ``income_class`` list: 0 none, 1..10 by ``step``."""
    rows: list[tuple[str, str, str, float | None, float | None]] = [
        ("0", "geen inkomen (0 EUR of minder)", "no income (0 EUR or less)", None, 0.0)
    ]
    for k in range(1, 11):
        lo, hi = (k - 1) * step, k * step
        if k == 10:
            rows.append((str(k), f"meer dan {_euro(lo)} EUR", f"over {lo:,} EUR", float(lo), None))
        else:
            rows.append(
                (
                    str(k),
                    f"meer dan {_euro(lo)} tot en met {_euro(hi)} EUR",
                    f"over {lo:,} up to {hi:,} EUR",
                    float(lo),
                    float(hi),
                )
            )
    return _interval(
        name, label, label_en, rows, closed="right", description=f"yearly amount, classes of {step} EUR"
    )


def nationality_scheme() -> CategoricalScheme:
    return _nationality()


def _nationality() -> CategoricalScheme:
    return _NATIONALITY


def _build_nationality() -> CategoricalScheme:
    return CategoricalScheme(
        name="nationality",
        label="nationaliteitsklasse",
        label_en="nationality class",
        classes=[Class(code, nl, None, None) for code, (nl, _en) in NATIONALITY_GROUPS.items()],
        labels_en={code: en for code, (_nl, en) in NATIONALITY_GROUPS.items()},
        missing="UNK",
        mapping=country_groups(),
        other=None,
        description="NIS country code (annex 5) grouped per classes/data/country_groups.csv",
    )


def _build_birthplace() -> CategoricalScheme:
    def target(group: str) -> str:
        if group == "BE":
            return "BE"
        if group in EU_GROUPS:
            return "EU"
        return "UNK" if group == "UNK" else "NONEU"

    return CategoricalScheme(
        name="birthplace",
        label="geboorteland (klasse)",
        label_en="country of birth class",
        classes=[
            Class("BE", "België", None, None),
            Class("EU", "ander EU-land (EU-27)", None, None),
            Class("NONEU", "land buiten de EU", None, None),
            Class("UNK", "onbekend", None, None),
        ],
        labels_en={
            "BE": "Belgium",
            "EU": "other EU country (EU-27)",
            "NONEU": "outside the EU",
            "UNK": "unknown",
        },
        missing="UNK",
        mapping={code: target(g) for code, g in country_groups().items()},
        description="country of birth: Belgium, the other 26 EU states, elsewhere (nationality grouping)",
    )


def _build_origin() -> OriginScheme:
    rows = [("BE", "Belgische herkomst", "Belgian origin")]
    rows += [
        (code, f"herkomst {nl}", f"origin {en}")
        for code, (nl, en) in NATIONALITY_GROUPS.items()
        if code not in ("BE", "UNK")
    ]
    rows += [
        ("BE_UND", "Belg, herkomst onbepaald", "Belgian, origin undetermined"),
        ("UNK", "onbekend", "unknown"),
    ]
    return OriginScheme(
        name="origin",
        label="herkomst",
        label_en="origin",
        classes=[Class(c, nl, None, None) for c, nl, _ in rows],
        labels_en={c: en for c, _, en in rows},
        missing="UNK",
        description="FOD WASO/Unia rule on father's, mother's, own first and current nationality",
    )


def _build_education() -> CategoricalScheme:
    return CategoricalScheme(
        name="education",
        label="onderwijsniveau",
        label_en="education level",
        classes=[
            Class("LOW", "laaggeschoold (ISCED 0-2)", None, None),
            Class("MID", "middengeschoold (ISCED 3-4)", None, None),
            Class("HIGH", "hooggeschoold (ISCED 5-8)", None, None),
            Class("UNK", "onbekend", None, None),
        ],
        labels_en={
            "LOW": "low (ISCED 0-2)",
            "MID": "medium (ISCED 3-4)",
            "HIGH": "high (ISCED 5-8)",
            "UNK": "unknown",
        },
        missing="UNK",
        mapping={
            "0": "LOW",
            "1": "LOW",
            "2": "LOW",
            "3": "MID",
            "4": "MID",
            "5": "HIGH",
            "6": "HIGH",
            "7": "HIGH",
            "8": "HIGH",
            "9": "UNK",
        },
        description="ISCED 2011 level (Statbel EDU) to the Eurostat three-level split",
    )


def _build_employer_size() -> IntervalScheme:
    # Codes and bounds of the warehouse ``size_class`` list (workers at 31 December).
    bounds = [(0, 1), (1, 5), (5, 10), (10, 20), (20, 50), (50, 100), (100, 200), (200, 500), (500, 1000)]
    rows: list[tuple[str, str, str, float | None, float | None]] = [
        ("0", "0 werknemers", "no workers", 0.0, 1.0)
    ]
    for k, (lo, hi) in enumerate(bounds[1:], start=1):
        rows.append((str(k), f"{lo}-{hi - 1} werknemers", f"{lo}-{hi - 1} workers", float(lo), float(hi)))
    rows.append(("9", "1000 werknemers en meer", "1000 workers and more", 1000.0, None))
    return _interval(
        "employer_size",
        "grootteklasse werkgever",
        "employer size class",
        rows,
        description="number of workers at 31 December, RSZ size classes",
    )


def _build_registry() -> dict[str, ClassScheme]:
    schemes: list[ClassScheme] = [
        _age("age_5y", 5, 15, 65, "leeftijdsklasse (5 jaar)", "age class (5 years)"),
        _age("age_2y", 2, 15, 65, "leeftijdsklasse (2 jaar)", "age class (2 years)"),
        _age("age_10y", 10, 15, 65, "leeftijdsklasse (10 jaar)", "age class (10 years)"),
        _interval(
            "age_broad",
            "leeftijdsgroep",
            "age group",
            [
                ("00-24", "jonger dan 25 jaar", "under 25", 0, 25),
                ("25-44", "25-44 jaar", "25-44 years", 25, 45),
                ("45-64", "45-64 jaar", "45-64 years", 45, 65),
                ("65+", "65 jaar en ouder", "65 and over", 65, None),
            ],
            description="age in completed years, broad groups (top of the age hierarchy)",
        ),
        _NATIONALITY,
        _ORIGIN,
        _build_birthplace(),
        _interval(
            "residence_duration",
            "verblijfsduur",
            "residence duration",
            [
                ("<1", "minder dan 1 jaar", "under 1 year", 0, 1),
                ("1-2", "1 tot 2 jaar", "1 to under 2 years", 1, 2),
                ("2-5", "2 tot 5 jaar", "2 to under 5 years", 2, 5),
                ("5-10", "5 tot 10 jaar", "5 to under 10 years", 5, 10),
                ("10+", "10 jaar en meer", "10 years and over", 10, None),
            ],
            description="years since first registration in Belgium",
        ),
        amount_classes(
            "wage_mass",
            width=1000.0,
            count=21,
            label="loonmassa per kwartaal (klasse)",
            label_en="quarterly wage mass class",
        ),
        amount_classes(
            "daily_wage",
            width=1.25,
            count=500,
            label="dagloonklasse (Salcla)",
            label_en="daily wage class (Salcla)",
        ),
        # Coarser levels of the wage hierarchies: 10 EUR = 8 Salcla classes, 50 EUR = 5 of those.
        amount_classes(
            "daily_wage_10",
            width=10.0,
            count=63,
            label="dagloonklasse (10 EUR)",
            label_en="daily wage class (10 EUR)",
        ),
        amount_classes(
            "daily_wage_50",
            width=50.0,
            count=13,
            label="dagloonklasse (50 EUR)",
            label_en="daily wage class (50 EUR)",
        ),
        amount_classes(
            "wage_mass_5000",
            width=5000.0,
            count=5,
            label="loonmassa per kwartaal (klasse van 5.000 EUR)",
            label_en="quarterly wage mass class (5,000 EUR)",
        ),
        amount_classes(
            "amount_generic", width=500.0, count=41, label="bedragklasse", label_en="amount class"
        ),
        _income("household_income", 10_000, "inkomensklasse huishouden", "household income class"),
        _income("net_taxable_income", 5_000, "klasse netto belastbaar inkomen", "net taxable income class"),
        YearMonthScheme(
            name="year_month",
            label="jaar en maand",
            label_en="year and month",
            classes=[],
            labels_en={},
            description="a date published as YYYY-MM",
        ),
        _build_education(),
        _build_employer_size(),
        _interval(
            "part_time",
            "deeltijdpercentage",
            "part-time percentage",
            [
                ("00-49", "minder dan halftijds (< 50 %)", "under half time (< 50 %)", 0, 50),
                ("50-79", "50 tot 80 %", "50 to under 80 %", 50, 80),
                ("80-99", "80 tot 100 %", "80 to under 100 %", 80, 100),
                ("100", "voltijds (100 %)", "full time (100 %)", 100, None),
            ],
            description="working time as a percentage of a full-time reference worker",
        ),
        # Annual-account ratios (S001-3) and employer size in FTE (S001-5): fractions, not percentages,
        # as stored in employer_year; amount classes in euro would put every ratio in one class.
        _interval(
            "liquidity_ratio",
            "liquiditeit (current ratio)",
            "liquidity (current ratio)",
            [
                ("<0.5", "minder dan 0,5", "under 0.5", None, 0.5),
                ("0.5-1", "0,5 tot 1", "0.5 to under 1", 0.5, 1.0),
                ("1-1.5", "1 tot 1,5", "1 to under 1.5", 1.0, 1.5),
                ("1.5-2", "1,5 tot 2", "1.5 to under 2", 1.5, 2.0),
                ("2-3", "2 tot 3", "2 to under 3", 2.0, 3.0),
                ("3+", "3 en meer", "3 and over", 3.0, None),
            ],
            description="current assets / short-term debts",
        ),
        _interval(
            "solvency_ratio",
            "solvabiliteit",
            "solvency",
            [
                ("<0", "negatief eigen vermogen", "negative equity", None, 0.0),
                ("0-0.1", "0 tot 10 %", "0 to under 10 %", 0.0, 0.1),
                ("0.1-0.2", "10 tot 20 %", "10 to under 20 %", 0.1, 0.2),
                ("0.2-0.4", "20 tot 40 %", "20 to under 40 %", 0.2, 0.4),
                ("0.4-0.6", "40 tot 60 %", "40 to under 60 %", 0.4, 0.6),
                ("0.6+", "60 % en meer", "60 % and over", 0.6, None),
            ],
            description="equity / total assets",
        ),
        _interval(
            "profitability_ratio",
            "rentabiliteit",
            "profitability",
            [
                ("<-0.1", "verlies van meer dan 10 %", "loss over 10 %", None, -0.1),
                ("-0.1-0", "verlies tot 10 %", "loss up to 10 %", -0.1, 0.0),
                ("0-0.05", "0 tot 5 %", "0 to under 5 %", 0.0, 0.05),
                ("0.05-0.1", "5 tot 10 %", "5 to under 10 %", 0.05, 0.1),
                ("0.1-0.2", "10 tot 20 %", "10 to under 20 %", 0.1, 0.2),
                ("0.2+", "20 % en meer", "20 % and over", 0.2, None),
            ],
            description="return on equity",
        ),
        _interval(
            "credit_policy_ratio",
            "kredietbeleid (dagen klantenkrediet)",
            "credit policy (days of customer credit)",
            [
                ("<30", "minder dan 30 dagen", "under 30 days", None, 30.0),
                ("30-60", "30 tot 60 dagen", "30 to under 60 days", 30.0, 60.0),
                ("60-90", "60 tot 90 dagen", "60 to under 90 days", 60.0, 90.0),
                ("90-120", "90 tot 120 dagen", "90 to under 120 days", 90.0, 120.0),
                ("120+", "120 dagen en meer", "120 days and over", 120.0, None),
            ],
            description="days of customer credit",
        ),
        _interval(
            "investment_policy_ratio",
            "investeringsbeleid",
            "investment policy",
            [
                ("<0", "desinvestering", "disinvestment", None, 0.0),
                ("0-0.05", "0 tot 5 %", "0 to under 5 %", 0.0, 0.05),
                ("0.05-0.1", "5 tot 10 %", "5 to under 10 %", 0.05, 0.1),
                ("0.1-0.2", "10 tot 20 %", "10 to under 20 %", 0.1, 0.2),
                ("0.2-0.4", "20 tot 40 %", "20 to under 40 %", 0.2, 0.4),
                ("0.4+", "40 % en meer", "40 % and over", 0.4, None),
            ],
            description="investments / value added",
        ),
        _interval(
            "amount_employer_quarter",
            "bedragklasse werkgever per kwartaal",
            "employer amount class per quarter",
            [
                ("<5k", "minder dan 5.000 EUR", "under EUR 5,000", None, 5000.0),
                ("5k-10k", "5.000 tot 10.000 EUR", "EUR 5,000 to under 10,000", 5000.0, 10000.0),
                ("10k-25k", "10.000 tot 25.000 EUR", "EUR 10,000 to under 25,000", 10000.0, 25000.0),
                ("25k-50k", "25.000 tot 50.000 EUR", "EUR 25,000 to under 50,000", 25000.0, 50000.0),
                ("50k-100k", "50.000 tot 100.000 EUR", "EUR 50,000 to under 100,000", 50000.0, 100000.0),
                ("100k-250k", "100.000 tot 250.000 EUR", "EUR 100,000 to under 250,000", 100000.0, 250000.0),
                ("250k-500k", "250.000 tot 500.000 EUR", "EUR 250,000 to under 500,000", 250000.0, 500000.0),
                ("500k-1M", "500.000 tot 1 miljoen EUR", "EUR 500,000 to under 1 million", 500000.0, 1e6),
                ("1M-2.5M", "1 tot 2,5 miljoen EUR", "EUR 1 to under 2.5 million", 1e6, 2.5e6),
                ("2.5M+", "2,5 miljoen EUR en meer", "EUR 2.5 million and over", 2.5e6, None),
            ],
            description="an employer's total amount in a quarter (contributions, reductions), in euro",
        ),
        _interval(
            "employer_fte",
            "grootteklasse werkgever (VTE)",
            "employer size class (FTE)",
            [
                ("0", "minder dan 1 VTE", "under 1 FTE", 0.0, 1.0),
                ("1", "1 tot 5 VTE", "1 to under 5 FTE", 1.0, 5.0),
                ("2", "5 tot 10 VTE", "5 to under 10 FTE", 5.0, 10.0),
                ("3", "10 tot 20 VTE", "10 to under 20 FTE", 10.0, 20.0),
                ("4", "20 tot 50 VTE", "20 to under 50 FTE", 20.0, 50.0),
                ("5", "50 tot 100 VTE", "50 to under 100 FTE", 50.0, 100.0),
                ("6", "100 tot 200 VTE", "100 to under 200 FTE", 100.0, 200.0),
                ("7", "200 tot 500 VTE", "200 to under 500 FTE", 200.0, 500.0),
                ("8", "500 tot 1000 VTE", "500 to under 1000 FTE", 500.0, 1000.0),
                ("9", "1000 VTE en meer", "1000 FTE and over", 1000.0, None),
            ],
            description="FTE of the jobs on the measurement day, with the bounds of the RSZ size classes",
        ),
    ]
    return {s.name: s for s in schemes}


_NATIONALITY = _build_nationality()
_ORIGIN = _build_origin()
SCHEMES: dict[str, ClassScheme] = _build_registry()


def origin(
    father_first: ir.Value, mother_first: ir.Value, own_first: ir.Value, current: ir.Value
) -> ir.StringValue:
    """Origin class (Ibis) from the four nationalities; typed shortcut for ``scheme("origin").assign``."""
    return _ORIGIN.assign(father_first, mother_first, own_first, current)


def origin_array(
    father_first: ArrayLike, mother_first: ArrayLike, own_first: ArrayLike, current: ArrayLike
) -> np.ndarray | pa.Array:
    """Origin class of arrays; typed shortcut for ``scheme("origin").assign_array``."""
    return _ORIGIN.assign_array(father_first, mother_first, own_first, current)


def names() -> list[str]:
    return list(SCHEMES)


def scheme(name: str) -> ClassScheme:
    """The scheme called ``name``; KeyError lists the known names."""
    try:
        return SCHEMES[name]
    except KeyError:
        raise KeyError(f"unknown class scheme {name!r}; known: {', '.join(SCHEMES)}") from None
