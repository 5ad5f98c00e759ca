"""The HTML disclosure report: figures, classes at risk, each remedy's effect, plots.

One self-contained file: the plots (matplotlib) are embedded as base64 PNG, the layout is a Jinja2
template shipped with the package. Classes at risk are shown by their quasi-identifier values (a
class is a combination of values, not a person); no record number appears anywhere.
"""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING, Any

import jinja2
import matplotlib

matplotlib.use("Agg")  # no display: reports are rendered on servers
import matplotlib.pyplot as plt
import numpy as np

if TYPE_CHECKING:
    from crossroads.disclosure.assessment import RiskReport
    from crossroads.disclosure.risk import RiskSummary

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("crossroads.disclosure", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def class_size_plot(summaries: list[tuple[str, RiskSummary]]) -> str:
    """Records per class-size band, before and after each remedy."""
    fig, ax = plt.subplots(figsize=(7.5, 3.2))
    bands = [h["size"] for h in summaries[0][1].class_size_histogram()]
    x = np.arange(len(bands))
    width = 0.8 / len(summaries)
    for i, (label, s) in enumerate(summaries):
        ax.bar(x + i * width, [h["records"] for h in s.class_size_histogram()], width, label=label)
    ax.set_xticks(x + width * (len(summaries) - 1) / 2, bands)
    # the target k: a dashed line before the first band that starts at k or above
    lows = [int(str(b).split("-")[0].rstrip("+")) for b in bands]
    first_safe = next((i for i, lo in enumerate(lows) if lo >= summaries[0][1].k_target), len(lows))
    ax.axvline(first_safe - 0.5 + width * (len(summaries) - 1) / 2, color="red", ls="--", lw=1)
    ax.text(
        first_safe - 0.45 + width * (len(summaries) - 1) / 2,
        ax.get_ylim()[1] * 0.92,
        f"k = {summaries[0][1].k_target}",
        color="red",
        fontsize=8,
    )
    ax.set_xlabel("equivalence-class size")
    ax.set_ylabel("records")
    ax.legend(fontsize=8)
    return _png(fig)


def risk_plot(summaries: list[tuple[str, RiskSummary]]) -> str:
    """Distribution of the prosecutor risk per record (1 / class size)."""
    fig, ax = plt.subplots(figsize=(7.5, 3.2))
    uppers = np.array([0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 1 / 3, 0.5, 1.0])  # each band is (previous, upper]
    labels = ["≤.01", "≤.02", "≤.05", "≤.1", "≤.2", "≤.25", "≤.33", "≤.5", "1"]
    x = np.arange(len(labels))
    width = 0.8 / len(summaries)
    for i, (label, s) in enumerate(summaries):
        risk = 1.0 / s.class_sizes.astype(float)
        band = np.searchsorted(uppers, risk - 1e-12, side="left")
        counts = np.bincount(band, weights=s.class_sizes.astype(float), minlength=len(uppers))
        ax.bar(x + i * width, counts, width, label=label)
    ax.set_xticks(x + width * (len(summaries) - 1) / 2, labels)
    ax.set_xlabel("prosecutor risk (1 / class size)")
    ax.set_ylabel("records")
    ax.legend(fontsize=8)
    return _png(fig)


def render_html(report: RiskReport) -> str:
    tables = []
    for t in report.tables:
        entry: dict[str, Any] = {"t": t, "plots": {}, "at_risk": None}
        if t.risk is not None:
            series = [("before", t.risk)] + [(r.remedy, r.after) for r in t.remedies]
            entry["plots"] = {"sizes": class_size_plot(series), "risk": risk_plot(series)}
            at_risk = t.risk.classes_at_risk(limit=50)
            entry["at_risk"] = at_risk.to_dict(orient="split") if len(at_risk) else None
        tables.append(entry)
    protections = {
        name: {"summary": p.summary(), "failures": len(p.failures)} for name, p in report.protections.items()
    }
    return _ENV.get_template("report.html.j2").render(
        report=report, tables=tables, protections=protections, summary=report.summary_line()
    )
