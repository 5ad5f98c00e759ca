"""The shape of a catalog variable and of the sources its derivation reads.

A derivation is a plain function ``(sources, points) -> table``. ``points`` holds one row per person and
measurement quarter (columns ``insz``, ``ref_quarter``, ``ref_date`` = last day of that quarter and
``ref_year``); the derivation returns ``insz``, ``ref_quarter`` and ``value`` for (a subset of) those
points. Everything is an Ibis expression, so the same derivation runs on DuckDB and on Spark; the engine
(``crossroads.engine.backends``) is the only place that knows which one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, Protocol

import ibis
import ibis.expr.types as ir

Unit = Literal["person-year", "person-quarter", "employer", "job", "record"]
ValueType = Literal["string", "int", "float"]
DATE_SCHEMES = frozenset({"year_month"})
"""Default schemes of date variables: delivered as year and month unless a request asks the raw date."""
AMOUNT_SCHEMES = frozenset({"household_income", "wage_mass", "daily_wage", "amount_generic"})
"""Default schemes of amount variables: delivered in classes unless a request asks the raw amount."""

POINT_KEYS = ("insz", "ref_quarter")
KEYS: dict[str, tuple[str, ...]] = {
    "person-year": POINT_KEYS,
    "person-quarter": POINT_KEYS,
    # An employer at a measurement quarter (points: enterprise_number, ref_quarter, ref_date, ref_year).
    "employer": ("enterprise_number", "ref_quarter"),
    # A person's job with one employer in a quarter (points add enterprise_number to the person keys).
    "job": ("insz", "enterprise_number", "ref_quarter"),
    # One row of a record table (a certificate, a recognition decision): points are that table's rows
    # of the persons in scope, with the table's key renamed ``record_id``.
    "record": ("insz", "record_id"),
}
"""The key columns of the points a derivation of each unit receives and of the rows it returns."""


class Sources(Protocol):
    """What a derivation may read: warehouse tables, small reference tables and shared building blocks."""

    def table(self, name: str) -> ir.Table:
        """A warehouse table (provider inputs already linked to the registers)."""
        ...

    def lookup(self, name: str) -> ir.Table:
        """A small reference table (``geography``) registered on the backend."""
        ...

    def memo(
        self,
        key: str,
        build: Callable[[], ir.Table],
        companions: Mapping[str, Callable[[ir.Table], ir.Table]] | None = None,
    ) -> ir.Table:
        """``build()`` once per connection, materialised; shared building blocks use it.

        Keys ending in ``@all`` do not depend on the scope and survive a change of scope. Keys starting
        ``scoped:`` hold the scope's persons' rows, of which a sliced run may keep each slice's own persons
        only; keys starting ``members:`` keep their households' members too. ``companions`` (``members:``
        keys -> a function of this block's rows) may be built from the same rows in one go; each is still
        asked for by its own key.
        """
        ...

    def scope(self) -> ir.Table | None:
        """Persons (``insz``) the run needs, or None for everyone; building blocks restrict to it."""
        ...


Derivation = Callable[..., ir.Table]
"""``(sources, points) -> table``, or ``(sources, points, options)`` for variables that declare options."""


@dataclass(frozen=True)
class Variable:
    """One variable of the catalog, defined once."""

    name: str
    label_nl: str
    label_en: str
    unit: Unit
    sources: tuple[str, ...]
    derivation: Derivation = field(repr=False)
    description: str
    value_type: ValueType = "string"
    scheme: str | None = None
    """Default class scheme (``crossroads.classes``) for the raw value; ``options.scheme`` overrides."""
    labels: Callable[[], dict[str, str]] | None = field(default=None, repr=False)
    """Dutch labels of the raw codes, for variables without a class scheme."""
    requirement: str = ""
    """The requirement (S000-5 ...) that asks for it."""
    scheme_inputs: tuple[str, ...] = ("value",)
    """Columns of the derivation passed to the default scheme's ``assign`` (origin takes four)."""
    options: tuple[str, ...] = ()
    """Request options besides ``scheme`` that the derivation accepts (``definition``, ``year`` ...); when
    not empty the derivation is called as ``derivation(sources, points, options)``."""
    record_table: str | None = None
    """For unit ``record``: the warehouse table whose rows are the records (``certificate`` ...)."""
    record_key: str | None = None
    """For unit ``record``: that table's key column, delivered as ``record_id``."""
    identifier: str | None = None
    """``employer`` (or ``person``) when the value is an identifier the pseudonyms step must replace with
    the permit's meaningless sequence number (``employer_seq``)."""
    history_quarters: int | None = 0
    """Quarters before a point's quarter the derivation reads from the quarter-keyed tables
    (``jobs.QUARTER_TABLES``: the DmfA blocks, the socio-economic position): 0 the point's own quarter, 3 a
    year up to it (household FTE), None any quarter (seniority). The engine reads only the quarters a run
    needs of them (``engine.windows.run_quarters``)."""
    usual: Any = None
    """The raw value of a point the derivation gives no row for (0 jobs for a point without any): the
    derivation returns only the other points, ``derive`` gives the usual value to the rest. A run stores
    the rows alone and fills the value in its files (``derive(..., sparse=True)``): a job count is 0 at
    most points of a population, each of them stored and joined for nothing. None: no row is empty."""

    @property
    def measure(self) -> Literal["date", "amount"] | None:
        """``date`` or ``amount``: what a permit's ``dates_as_year_month`` / ``amounts_in_classes`` govern."""
        if self.scheme in DATE_SCHEMES:
            return "date"
        if self.scheme in AMOUNT_SCHEMES:
            return "amount"
        return None

    @property
    def keys(self) -> tuple[str, ...]:
        """Key columns of the points and of the derived rows."""
        return KEYS[self.unit]

    def value_labels(self, scheme: str | None = "default") -> dict[str, str] | None:
        """Code -> Dutch label (for Stata/SPSS value labels and the codebook); ``None`` for plain numbers."""
        chosen = self.scheme if scheme == "default" else scheme
        if chosen is not None:
            from crossroads import classes

            labels: dict[str, str] = classes.scheme(chosen).value_labels()
            return labels
        return self.labels() if self.labels is not None else None

    def scheme_for(self, options: dict[str, Any]) -> str | None:
        """The class scheme a request asks for (``scheme: null`` = the raw value)."""
        if "scheme" in options:
            chosen = options["scheme"]
            if chosen is not None and not isinstance(chosen, str):
                raise ValueError(f"variable {self.name}: option 'scheme' must be a scheme name or null")
            return chosen
        return self.scheme

    def sparse_for(self, options: dict[str, Any]) -> bool:
        """Whether ``derive(..., sparse=True)`` leaves out the points of the ``usual`` value: only for raw
        values (a class scheme classes the usual value too, so the points are filled before classing)."""
        return self.usual is not None and self.scheme_for(options) is None

    def derive(
        self,
        sources: Sources,
        points: ir.Table,
        options: dict[str, Any] | None = None,
        sparse: bool = False,
    ) -> ir.Table:
        """``insz``, ``ref_quarter`` and ``value`` (classed when a scheme applies) for the points.

        ``sparse``: without the points of the ``usual`` value where ``sparse_for`` allows it (the caller
        fills them); every point otherwise."""
        options = options or {}
        unknown = set(options) - {"scheme", *self.options}
        if unknown:
            raise ValueError(
                f"variable {self.name}: unknown option(s) {', '.join(sorted(unknown))}; "
                f"accepted: {', '.join(['scheme', *self.options])}"
            )
        if self.options:
            out = self.derivation(sources, points, {k: v for k, v in options.items() if k != "scheme"})
        else:
            out = self.derivation(sources, points)
        if self.usual is not None and not (sparse and self.sparse_for(options)):
            out = with_usual(points, out.select(*self.keys, "value"), self.keys, self.usual)
        scheme = self.scheme_for(options)
        if scheme is not None:
            from crossroads import classes

            inputs = self.scheme_inputs if scheme == self.scheme else ("value",)
            out = out.mutate(value=classes.scheme(scheme).assign(*[out[c] for c in inputs]))
        return out.select(*self.keys, "value")


def record_variables(table: str, key: str, requirement: str) -> Callable[..., Variable]:
    """A factory of ``record`` variables of one record table (certificates, NARIC decisions)."""

    def make(
        name: str,
        label_nl: str,
        label_en: str,
        derivation: Derivation,
        description: str,
        value_type: ValueType = "string",
        **kw: Any,
    ) -> Variable:
        return Variable(
            name,
            label_nl,
            label_en,
            "record",
            (table,),
            derivation,
            description,
            value_type,
            requirement=requirement,
            record_table=table,
            record_key=key,
            **kw,
        )

    return make


POINT_KEY = "point__"
"""A stored set of person points may carry each point's key (``point_key``): DuckDB joins one 64-bit number
faster than an INSZ string and a quarter."""


def point_key(insz: ir.StringValue, quarter: ir.IntegerValue) -> ir.IntegerValue:
    """``insz * 100000 + quarter``: unique per person and quarter (an INSZ has 11 digits, a quarter such as
    ``20194`` 5) and within 64 bits. Anything else in ``insz`` fails the cast loudly rather than matching
    wrongly."""
    return insz.cast("int64") * 100_000 + quarter.cast("int64")


def with_usual(points: ir.Table, rows: ir.Table, keys: tuple[str, ...], usual: Any) -> ir.Table:
    """Every point (``keys``) with its ``value`` in ``rows``, ``usual`` where it has none.

    Points that carry their key (``POINT_KEY``) meet the rows on it (a join of 4 M points on the INSZ and
    quarter cost twice one on the key)."""
    if POINT_KEY in points.columns and keys == ("insz", "ref_quarter"):
        p = points.select(*keys, POINT_KEY)
        r = rows.select("value", _key=point_key(rows.insz, rows.ref_quarter))
        j = p.left_join(r, p[POINT_KEY] == r._key)
    else:
        j = left_join_on(points.select(*keys), rows.select(*keys, "value"), list(keys))
    return j.select(*keys, value=j.value.fill_null(usual))


def left_join_on(left: ir.Table, right: ir.Table, keys: list[str] | tuple[str, ...]) -> ir.Table:
    """Left join on equally named keys, keeping one copy of the keys (Ibis suffixes the right ones)."""
    joined = left.left_join(right, list(keys))
    return joined.drop(*[f"{k}_right" for k in keys if f"{k}_right" in joined.columns])


_FAR = date(9999, 12, 31)
"""The end of an open spell, for comparing ends."""

_OVERLAPS = "overlaps__"


def spell_at(points: ir.Table, spells: ir.Table, order_by: list[Any] | None = None) -> ir.Table:
    """The spell of each person covering the point's day (one per point: the latest start, or the first by
    ``order_by`` where overlapping spells are ranked otherwise).

    Returns the points' ``insz``/``ref_quarter`` with the spell's columns.
    """
    # Only a person whose spells overlap can have two spells covering one day: the others' matches are
    # taken as they are, and only the overlapping persons' are ranked (an aggregate over every point cost
    # three times the join).
    s = _with_overlaps(spells)
    p = points.select("insz", "ref_quarter", "ref_date")
    j = p.join(
        s,
        (p.insz == s.insz)
        & (s.start_date <= p.ref_date)
        & (s.end_date.isnull() | (s.end_date >= p.ref_date)),
    )
    j = j.drop(*[c for c in j.columns if c.endswith("_right")])
    single = j.filter(~j[_OVERLAPS]).drop(_OVERLAPS)
    j = j.filter(j[_OVERLAPS]).drop(_OVERLAPS)
    if order_by is None:
        # The latest start: an arg-max per point over a struct of the spell's columns. A ranking window
        # sorted every matched row; it took twice as long.
        rest = [c for c in j.columns if c not in ("insz", "ref_quarter")]
        latest = ibis.struct({c: j[c] for c in rest}).argmax(j.start_date)
        ranked = j.group_by(["insz", "ref_quarter"]).aggregate(_spell=latest).unpack("_spell")
    else:
        rank = ibis.row_number().over(ibis.window(group_by=["insz", "ref_quarter"], order_by=order_by))
        ranked = j.mutate(_rank=rank).filter(lambda t: t._rank == 0).drop("_rank")
    return single.union(ranked.select(*single.columns), distinct=False)


def _with_overlaps(spells: ir.Table) -> ir.Table:
    """``spells`` with ``_OVERLAPS``: true for every spell of a person two of whose spells share a day.

    In start order, two spells of a person overlap only if two consecutive ones do (a later spell starting
    before an earlier one ends starts after the spells in between, so before that earlier one ends too)."""
    ends = spells.end_date.fill_null(_FAR)
    before = ends.lag().over(ibis.window(group_by="insz", order_by="start_date"))
    flagged = spells.mutate(_o=(before >= spells.start_date).fill_null(False))
    overlaps = flagged._o.any().over(ibis.window(group_by="insz"))
    return flagged.mutate(**{_OVERLAPS: overlaps}).drop("_o")


_ROUNDING_SLACK = 1e-9
"""Absorbs float noise of sums taken in a different order (x * 10^d is 457.49999999999994 for 0.4575)."""


def round_half_up(value: ir.NumericValue, digits: int) -> ir.FloatingValue:
    """``value`` rounded to ``digits`` decimals, halves away from zero, identically on every backend.

    The backends' own ``round`` differ on doubles near a half (DuckDB scales the binary value, Spark rounds
    its shortest decimal text), so one formula is written out here.
    """
    scale = 10**digits
    v = value.cast("float64")
    up = (v.abs() * scale + 0.5 + _ROUNDING_SLACK).floor().cast("float64") / scale
    return ibis.ifelse(v < 0, -up, up).cast("float64")
