"""``crossroads warehouse build | calibration | summary``: thin shells over ``warehouse.synthetic``."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from crossroads.cli.warehouse import app
from crossroads.warehouse.storage import Warehouse, WarehouseError

console = Console()


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024:
            return f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


@app.command("build")
def build_cmd(
    scale: float = typer.Option(0.01, "--scale", help="1.0 = Belgium (about 11.8 million inhabitants)"),
    seed: int = typer.Option(1, "--seed", help="same seed and scale give the same warehouse, byte for byte"),
    out: Path = typer.Option(..., "--out", help="warehouse directory to create"),
    force: bool = typer.Option(False, "--force", help="replace an existing warehouse"),
) -> None:
    """Build a synthetic warehouse with coherent life courses and real Belgian codes."""
    from crossroads.warehouse.synthetic import WarehouseExists, build

    t0 = time.monotonic()
    try:
        wh = build(out, scale=scale, seed=seed, progress=True, force=force)
    except (WarehouseExists, ValueError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    m = wh.manifest()
    rows = sum(t["rows"] for t in m["tables"].values())
    console.print(
        f"built {m['persons']:,} persons, {rows:,} rows in {len(m['tables'])} tables, "
        f"{_human(_size(wh.root))} at {wh.root} in {time.monotonic() - t0:.1f} s"
    )
    _report_providers(wh)


def _report_providers(wh: Warehouse) -> None:
    """One line on the provider files the build imported (counts only; the report holds no values)."""
    import json

    from crossroads.warehouse.synthetic.social_economy import PROVIDER_DIR

    path = wh.root / PROVIDER_DIR / "import-report.json"
    if not path.is_file():
        return
    reports = json.loads(path.read_text(encoding="utf-8"))
    read = sum(r["read"] for r in reports)
    loaded = sum(r["loaded"] for r in reports)
    quarantined = sum(r["quarantined"] for r in reports)
    console.print(
        f"15/018 provider files: {read:,} rows read into {len(reports)} tables, {loaded:,} loaded, "
        f"{quarantined:,} quarantined (report: {path.relative_to(wh.root)})"
    )


@app.command("calibration")
def calibration_cmd(directory: Path = typer.Argument(..., help="warehouse directory")) -> None:
    """Compare the warehouse's figures with the published ones at its scale (exit 1 if any is off)."""
    from crossroads.warehouse.synthetic import calibration

    wh = Warehouse(directory)
    try:
        results = calibration.measure(wh)
    except WarehouseError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    table = Table(title=f"Calibration at scale {wh.manifest()['scale']}")
    for col in ("figure", "measured", "target × scale", "deviation", "tolerance", "status"):
        table.add_column(col, justify="left" if col == "figure" else "right")
    for r in results:
        table.add_row(
            r.figure.label,
            f"{r.value:,}",
            f"{r.expected:,.0f}",
            f"{r.deviation:+.1%}",
            f"±{r.tolerance:.0%}",
            "[green]OK[/green]" if r.ok else "[red]OFF[/red]",
        )
    console.print(table)
    off = sum(not r.ok for r in results)
    console.print(f"{len(results) - off} of {len(results)} figures within tolerance for {directory}")
    if off:
        raise typer.Exit(1)


@app.command("summary")
def summary_cmd(directory: Path = typer.Argument(..., help="warehouse directory")) -> None:
    """Tables, row counts and files of a warehouse."""
    wh = Warehouse(directory)
    try:
        m = wh.manifest()
    except WarehouseError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    table = Table(title=f"Warehouse {directory}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    table.add_column("files", justify="right")
    for name, entry in sorted(m["tables"].items()):
        table.add_row(name, f"{entry['rows']:,}", str(len(entry["files"])))
    console.print(table)
    rows = sum(t["rows"] for t in m["tables"].values())
    kind = "synthetic" if m.get("synthetic") else "imported"
    console.print(
        f"{kind} warehouse, seed {m.get('seed')}, scale {m.get('scale')}, period {m.get('period')}: "
        f"{m.get('persons', 0):,} persons, {rows:,} rows, {_human(_size(wh.root))} at {wh.root}"
    )
