"""The disclosure check every delivery goes through: risk per data file, and the permit's remedies.

``assess_delivery(tables, settings)`` measures each table on the quasi-identifiers it holds, and
shows what each remedy declared in the permit would do (the 15/018 geographic fallback, local
suppression to k, an optimal k-anonymisation where hierarchies are given): the risk after it and the
information it costs. ``protect_delivery`` applies the remedies and returns the protected tables
with the same report. Neither ever puts a record number or an identifier in the report: classes at
risk are shown by their quasi-identifier values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from crossroads.disclosure.errors import DisclosureInputError, HierarchyError
from crossroads.disclosure.hierarchy import Hierarchy
from crossroads.disclosure.hierarchy import geography as default_geography
from crossroads.disclosure.microdata import Microdata, as_pandas, column_names, num_rows
from crossroads.disclosure.recoding import (
    InformationLoss,
    anonymise,
    geographic_fallback,
    local_suppression,
)
from crossroads.disclosure.risk import RiskSummary, assess
from crossroads.disclosure.secondary import Protection


@dataclass(frozen=True)
class Settings:
    """The permit's disclosure settings (the fields of ``permits.DisclosureSettings`` used here)."""

    min_cell: int = 5
    k: int | None = None
    quasi_identifiers: tuple[str, ...] = ()
    sensitive: tuple[str, ...] = ()
    geographic_fallback: tuple[str, ...] = ()
    suppression_limit: float | None = None

    @property
    def target_k(self) -> int:
        return self.k if self.k is not None else self.min_cell

    @classmethod
    def from_any(cls, settings: Any) -> Settings:
        """From a permit's ``DisclosureSettings``, a mapping, or a Settings."""
        if isinstance(settings, Settings):
            return settings
        get = settings.get if isinstance(settings, Mapping) else (lambda k, d=None: getattr(settings, k, d))
        return cls(
            min_cell=int(get("min_cell", 5) or 5),
            k=get("k", None),
            quasi_identifiers=tuple(get("quasi_identifiers", ()) or ()),
            sensitive=tuple(get("sensitive", ()) or ()),
            geographic_fallback=tuple(get("geographic_fallback", ()) or ()),
            suppression_limit=get("suppression_limit", None),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "min_cell": self.min_cell,
            "k": self.k,
            "target_k": self.target_k,
            "quasi_identifiers": list(self.quasi_identifiers),
            "sensitive": list(self.sensitive),
            "geographic_fallback": list(self.geographic_fallback),
            "suppression_limit": self.suppression_limit,
        }


@dataclass
class RemedyEffect:
    """One remedy applied to one table: the risk after it and what it cost."""

    remedy: str
    description: str
    after: RiskSummary
    loss: InformationLoss
    detail: dict[str, Any] = field(default_factory=dict)
    data: pd.DataFrame | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "remedy": self.remedy,
            "description": self.description,
            "after": self.after.to_dict(),
            "loss": self.loss.to_dict(),
            "detail": self.detail,
        }


@dataclass
class TableAssessment:
    name: str
    records: int
    quasi_identifiers: list[str]
    risk: RiskSummary | None
    remedies: list[RemedyEffect] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def final(self) -> RiskSummary | None:
        """The risk after the last remedy (or before any, if none applies)."""
        return self.remedies[-1].after if self.remedies else self.risk

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "records": self.records,
            "quasi_identifiers": self.quasi_identifiers,
            "risk": self.risk.to_dict() if self.risk else None,
            "remedies": [r.to_dict() for r in self.remedies],
            "notes": self.notes,
        }


@dataclass
class RiskReport:
    """The disclosure report of a delivery (or of an output at the airlock)."""

    settings: Settings
    tables: list[TableAssessment]
    protections: dict[str, Protection] = field(default_factory=dict)
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    title: str = "Disclosure report"

    @property
    def passed(self) -> bool:
        """True when every assessed table reaches the target k after its remedies and every protected
        table passed its audit."""
        tables_ok = all(t.final is None or t.final.k >= self.settings.target_k for t in self.tables)
        return tables_ok and all(p.protected for p in self.protections.values())

    def summary_line(self) -> str:
        assessed = [t for t in self.tables if t.risk is not None]
        if not assessed:
            return f"{len(self.tables)} table(s), none holds a quasi-identifier: nothing to assess"
        k_before = min(t.risk.k for t in assessed if t.risk is not None)
        k_after = min(t.final.k for t in assessed if t.final is not None)
        at_risk = sum(t.final.records_below_k for t in assessed if t.final is not None)
        verdict = "PASS" if self.passed else "AT RISK"
        return (
            f"{verdict}: {len(assessed)} table(s) assessed, k = {k_before} before remedies, {k_after} after "
            f"(target {self.settings.target_k}), {at_risk} record(s) still in classes below k"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "created": self.created.isoformat(),
            "passed": self.passed,
            "summary": self.summary_line(),
            "settings": self.settings.to_dict(),
            "tables": [t.to_dict() for t in self.tables],
            "protected_tables": {name: p.summary() for name, p in self.protections.items()},
        }

    def to_html(self, path: str | Path | None = None) -> str:
        """Render the report (figures, classes at risk, remedies, plots); write it to ``path`` if given."""
        from crossroads.disclosure.report import render_html

        html = render_html(self)
        if path is not None:
            Path(path).write_text(html, encoding="utf-8")
        return html


def _published_geography(data: pd.DataFrame, names: Sequence[str]) -> pd.Series:
    """The finest geographic value each record shows after the fallback, tagged with its level."""
    out = pd.Series([None] * len(data), dtype=object)
    for name in reversed(list(names)):
        col = data[name]
        has = col.notna()
        out[has.to_numpy()] = (name + ":" + col[has].astype(str)).to_numpy()
    return out


def _assess_table(
    name: str,
    data: Microdata,
    settings: Settings,
    *,
    hierarchies: Mapping[str, Hierarchy],
    geography: Hierarchy | None,
    population: Microdata | None,
    sampling_fraction: float | None,
    optimise: bool,
) -> TableAssessment:
    cols = column_names(data)
    qis = [q for q in settings.quasi_identifiers if q in cols]
    sens = [s for s in settings.sensitive if s in cols]
    result = TableAssessment(name, num_rows(data), qis, None)
    if not qis:
        result.notes.append("holds none of the quasi-identifiers: not assessed")
        return result
    if num_rows(data) == 0:
        raise DisclosureInputError("the table is empty: a delivery file must hold records", table=name)
    k = settings.target_k
    common: dict[str, Any] = {
        "sensitive": sens,
        "k": k,
        "table": name,
        "sampling_fraction": sampling_fraction,
    }
    pop = population if population is not None and all(q in column_names(population) for q in qis) else None
    result.risk = assess(data, qis, population=pop, **common)
    current = as_pandas(data)
    current_qis = list(qis)
    fb_data: pd.DataFrame | None = None

    fallback = list(settings.geographic_fallback)
    if fallback and fallback[0] in qis:
        geo = geography
        if geo is None:
            try:
                geo = default_geography()
            except (HierarchyError, ImportError, AttributeError) as exc:
                result.notes.append(f"geographic fallback not applied: {exc}")
        if geo is not None:
            fb = geographic_fallback(
                current, geo, column=fallback[0], fallback=fallback, min_count=settings.min_cell, table=name
            )
            shown = fb.data.copy()
            shown[fallback[0]] = _published_geography(fb.data, fallback).to_numpy()
            after = assess(shown, current_qis, **common)
            result.remedies.append(
                RemedyEffect(
                    "geographic fallback",
                    f"{fallback[0]} kept where at least {settings.min_cell} records share it, else "
                    + ", then ".join(fallback[1:])
                    + " (15/018)",
                    after,
                    fb.loss,
                    {
                        "records_per_level": fb.levels,
                        "groups_below_minimum": fb.groups_below,
                        "records_below_minimum": fb.records_below,
                    },
                    data=fb.data,
                )
            )
            current = shown
            fb_data = fb.data
    if optimise and settings.suppression_limit is not None:
        # After the fallback the geography column mixes levels: it is not generalised again.
        skip = fallback[0] if fb_data is not None else None
        hier = {q: h for q, h in hierarchies.items() if q in current_qis and q != skip}
        if hier:
            an = anonymise(
                current, current_qis, hier, k=k, suppression_limit=settings.suppression_limit, table=name
            )
            after = assess(an.data, current_qis, **common)
            result.remedies.append(
                RemedyEffect(
                    "optimal k-anonymisation",
                    f"full-domain generalisation to k={k}, at most {settings.suppression_limit:.1%} of "
                    "records suppressed, least LM loss",
                    after,
                    an.loss,
                    {
                        "levels": an.level_names,
                        "nodes_evaluated": an.nodes_evaluated,
                        "nodes_total": an.nodes_total,
                    },
                    data=an.data,
                )
            )
            current = an.data
    last = result.remedies[-1].after if result.remedies else result.risk
    if last.k < k:
        ls, loss = local_suppression(current, current_qis, k, table=name)
        after = assess(ls, current_qis, **common)
        published = ls
        if fb_data is not None:  # publish the fallback's columns, suppressed where the geography was
            published = fb_data.copy()
            for q in current_qis:
                if q != fallback[0]:
                    published[q] = ls[q].to_numpy()
            gone = (ls[fallback[0]].astype(str) == "*").to_numpy()
            for col in [*fallback, "geo_level"]:
                values = published[col].to_numpy(dtype=object).copy()
                values[gone] = "*"
                published[col] = values
        result.remedies.append(
            RemedyEffect(
                "local suppression",
                f"quasi-identifier values set to * until every class has {k} records",
                after,
                loss,
                data=published,
            )
        )
    return result


def assess_delivery(
    tables: Mapping[str, pa.Table | pd.DataFrame],
    settings: Any,
    *,
    hierarchies: Mapping[str, Hierarchy] | None = None,
    geography: Hierarchy | None = None,
    population: Microdata | None = None,
    sampling_fraction: float | None = None,
    optimise: bool = True,
    title: str = "Disclosure report",
) -> RiskReport:
    """Assess every table of a delivery under the permit's disclosure ``settings``.

    ``settings``: a permit's ``DisclosureSettings`` (or a mapping with the same fields). Tables holding
    none of the quasi-identifiers are listed but not assessed; a quasi-identifier found in no table is
    an error. ``geography`` defaults to the shipped hierarchy (classes.geography()); ``population`` or
    ``sampling_fraction`` enable the journalist risk (phase-1 samples).
    """
    s = Settings.from_any(settings)
    if not tables:
        raise DisclosureInputError("the delivery holds no tables")
    if not s.quasi_identifiers:
        raise DisclosureInputError("the disclosure settings name no quasi-identifiers")
    everywhere = set().union(*[set(column_names(t)) for t in tables.values()])
    absent = [q for q in s.quasi_identifiers if q not in everywhere]
    if absent:
        raise DisclosureInputError(
            f"quasi-identifier(s) {', '.join(absent)} are in none of the tables ({', '.join(tables)})"
        )
    absent_s = [v for v in s.sensitive if v not in everywhere]
    if absent_s:
        raise DisclosureInputError(
            f"sensitive variable(s) {', '.join(absent_s)} are in none of the tables ({', '.join(tables)})"
        )
    results = [
        _assess_table(
            name,
            data,
            s,
            hierarchies=hierarchies or {},
            geography=geography,
            population=population,
            sampling_fraction=sampling_fraction,
            optimise=optimise,
        )
        for name, data in tables.items()
    ]
    return RiskReport(s, results, title=title)


def protect_delivery(
    tables: Mapping[str, pa.Table | pd.DataFrame], settings: Any, **options: Any
) -> tuple[dict[str, pd.DataFrame], RiskReport]:
    """Apply the permit's remedies; return the protected tables (unchanged where none applied)."""
    report = assess_delivery(tables, settings, **options)
    out: dict[str, pd.DataFrame] = {}
    for t in report.tables:
        final = next((r.data for r in reversed(t.remedies) if r.data is not None), None)
        out[t.name] = final if final is not None else as_pandas(tables[t.name])
    return out, report


__all__ = [
    "RemedyEffect",
    "RiskReport",
    "Settings",
    "TableAssessment",
    "assess_delivery",
    "protect_delivery",
]
