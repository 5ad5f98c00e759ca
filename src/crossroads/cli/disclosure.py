"""``crossroads disclosure ...``: the disclosure report of a delivery (thin shell over the service)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import pyarrow.parquet as pq
import typer
from rich.console import Console
from rich.progress import Progress

from crossroads.disclosure import DisclosureError, Hierarchy, assess_delivery

app = typer.Typer(
    help="Disclosure control: risk of microdata, remedies, protected tables.", no_args_is_help=True
)
console = Console(stderr=True)


@app.callback()
def _group() -> None:
    """Disclosure control: risk of microdata, remedies, protected tables."""


def _settings_from_manifest(root: Path) -> dict[str, Any]:
    """The permit's disclosure settings recorded in a delivery: ``manifest.json`` under
    ``disclosure_settings`` or ``disclosure.settings``, else the settings in the delivered report figures."""
    path = root / "manifest.json"
    if not path.is_file():
        return {}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"{path}: not valid JSON (line {exc.lineno}): {exc.msg}") from None
    if isinstance(manifest.get("disclosure_settings"), dict):
        return dict(manifest["disclosure_settings"])
    entry = manifest.get("disclosure")
    if isinstance(entry, dict):
        if isinstance(entry.get("settings"), dict):
            return dict(entry["settings"])
        figures = entry.get("figures")
        if isinstance(figures, str) and (root / figures).is_file():
            doc = json.loads((root / figures).read_text(encoding="utf-8"))
            if isinstance(doc.get("settings"), dict):
                return dict(doc["settings"])
    return {}


@app.command()
def report(
    delivery: Annotated[
        Path, typer.Argument(help="A delivery directory (Parquet data files, manifest.json).")
    ],
    out: Annotated[
        Path | None, typer.Option("--out", help="HTML file to write (default: in the delivery).")
    ] = None,
    qi: Annotated[list[str] | None, typer.Option("--qi", help="A quasi-identifier (repeat).")] = None,
    sensitive: Annotated[
        list[str] | None, typer.Option("--sensitive", help="A sensitive variable (repeat).")
    ] = None,
    k: Annotated[
        int | None, typer.Option("--k", help="Target class size (default: the minimum cell).")
    ] = None,
    min_cell: Annotated[int | None, typer.Option("--min-cell", help="Minimum cell / group size.")] = None,
    fallback: Annotated[
        list[str] | None,
        typer.Option("--fallback", help="Geographic fallback levels, finest first (repeat)."),
    ] = None,
    werkwinkels: Annotated[
        Path | None, typer.Option("--werkwinkels", help="Your own municipality→werkwinkel CSV.")
    ] = None,
    sampling_fraction: Annotated[
        float | None, typer.Option("--sampling-fraction", help="Share of the population in the file.")
    ] = None,
) -> None:
    """Write the HTML disclosure report of DELIVERY and print a one-line summary."""
    if not delivery.is_dir():
        raise typer.BadParameter(f"{delivery} is not a directory")
    settings: dict[str, Any] = _settings_from_manifest(delivery)
    if qi:
        settings["quasi_identifiers"] = list(qi)
    if sensitive:
        settings["sensitive"] = list(sensitive)
    if k is not None:
        settings["k"] = k
    if min_cell is not None:
        settings["min_cell"] = min_cell
    if fallback:
        settings["geographic_fallback"] = list(fallback)
    if not settings.get("quasi_identifiers"):
        raise typer.BadParameter("no quasi-identifiers: the manifest names none, pass --qi")
    files = sorted(p for p in delivery.rglob("*.parquet") if p.is_file())
    if not files:
        raise typer.BadParameter(f"{delivery}: no Parquet data files found")
    tables = {}
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("reading data files", total=len(files))
        for path in files:
            name = path.relative_to(delivery).with_suffix("").as_posix()
            tables[name] = pq.read_table(path)
            progress.advance(task)
        progress.add_task("assessing risk and remedies", total=None)
        geography = None
        if werkwinkels is not None:
            from crossroads.disclosure import geography as build_geography

            geography = build_geography(werkwinkels)
        try:
            result = assess_delivery(
                tables,
                settings,
                geography=geography,
                sampling_fraction=sampling_fraction,
                title=f"Disclosure report: {delivery.name}",
            )
        except DisclosureError as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(code=2) from None
        target = out or (delivery / "disclosure-report.html")
        result.to_html(target)
    typer.echo(f"{result.summary_line()} — report written to {target}")


__all__ = ["Hierarchy", "app"]
