"""``crossroads catalog``: list and show the variables a permit can request."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from crossroads import catalog

app = typer.Typer(help="The variable catalog (every variable defined once).", no_args_is_help=True)
_console = Console()


@app.command("list")
def list_(unit: Annotated[str | None, typer.Option("--unit", help="Only this unit")] = None) -> None:
    """List the catalog's variables."""
    table = Table("name", "label (nl)", "unit", "scheme", "sources")
    shown = [v for v in catalog.all() if unit is None or v.unit == unit]
    for v in shown:
        table.add_row(v.name, v.label_nl, v.unit, v.scheme or "", ", ".join(v.sources))
    _console.print(table)
    _console.print(f"{len(shown)} variable(s) in the catalog" + (f" with unit {unit}" if unit else ""))


@app.command()
def show(name: str) -> None:
    """Show one variable: labels, unit, sources, derivation and classes."""
    try:
        v = catalog.get(name)
    except KeyError as exc:
        raise typer.BadParameter(str(exc.args[0])) from None
    _console.print(f"[bold]{v.name}[/bold]  {v.label_nl} / {v.label_en}")
    _console.print(f"unit: {v.unit}   requirement: {v.requirement}   value: {v.value_type}")
    _console.print(f"sources: {', '.join(v.sources)}")
    _console.print(f"derivation: {v.description}")
    _console.print(f"class scheme: {v.scheme or '-'}")
    try:
        labels = v.value_labels()
    except Exception as exc:  # the classes package may not offer the scheme yet
        labels = None
        _console.print(f"(classes unavailable: {type(exc).__name__})")
    if labels:
        t = Table("code", "label")
        for code, label in list(labels.items())[:40]:
            t.add_row(code, label)
        _console.print(t)
        if len(labels) > 40:
            _console.print(f"... and {len(labels) - 40} more classes")
    _console.print(f"shown variable {v.name} ({len(labels or {})} labelled values)")
