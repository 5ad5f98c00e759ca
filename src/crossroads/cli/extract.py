"""``crossroads extract``: one phase-1 delivery under a permit (a shell over ``crossroads.extraction``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from crossroads.cli import app

console = Console()
err_console = Console(stderr=True, soft_wrap=True)


@contextmanager
def stage_progress(total: int) -> Iterator[Any]:
    """A Rich progress bar advanced once per stage of the extract; yields the ``step`` callback.

    The bar appears with the first stage, so a refusal (checked before any stage) prints no bar.
    """
    progress = Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
    )
    task = progress.add_task("starting", total=total)

    def step(description: str) -> None:
        if not progress.live.is_started:
            progress.start()
        progress.update(task, description=description, advance=1)

    try:
        yield step
        progress.update(task, description="done", completed=total)
    finally:
        if progress.live.is_started:
            progress.stop()


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option) from None


def report_failure(exc: BaseException) -> None:
    """Print a refusal or error (never a row value) and exit with code 2 (refused) or 1 (failed)."""
    from crossroads.extraction import ExtractRefused

    if isinstance(exc, ExtractRefused):
        err_console.print(f"[bold red]refused:[/] {exc}")
        raise typer.Exit(code=2)
    err_console.print(f"[bold red]error:[/] {exc}")
    raise typer.Exit(code=1)


def delivery_table(result: Any) -> Table:
    """Datasets of a delivery with rows, variables and files."""
    manifest = result.delivery.manifest
    table = Table(title=f"Delivery {manifest['delivery']}")
    table.add_column("dataset")
    table.add_column("rows", justify="right")
    table.add_column("variables", justify="right")
    table.add_column("formats")
    formats = ", ".join(manifest.get("formats", []))
    for name, entry in manifest["datasets"].items():
        table.add_row(name, f"{entry['rows']:,}", str(len(entry["columns"])), formats)
    return table


def summary_line(result: Any) -> str:
    sim = f" (SIMULATION as of {result.as_of.isoformat()})" if result.simulation else ""
    files = len(result.delivery.manifest["files"]) + 1
    what = "Built the enclave workspace of" if result.delivery.manifest.get("enclave") else "Delivered"
    phase = result.delivery.manifest.get("phase", 1)
    return (
        f"{what} permit {result.permit_number} version {result.version} phase {phase}{sim}: "
        f"{len(result.rows)} datasets, {sum(result.rows.values()):,} rows, {files} files, "
        f"no identifier found -> {result.path}"
    )


@app.command("extract")
def extract(
    permit_file: Annotated[
        Path,
        typer.Argument(
            help="The permit file (YAML), e.g. examples/permits/21-150.yaml.", exists=True, dir_okay=False
        ),
    ],
    warehouse: Annotated[Path, typer.Option("--warehouse", help="Warehouse directory.")],
    out: Annotated[Path, typer.Option("--out", help="Folder the delivery directory is created in.")],
    phase: Annotated[int, typer.Option("--phase", help="Phase; only 1 leaves as a delivery.")] = 1,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Reference date (YYYY-MM-DD, default today); another date only on a synthetic "
            "warehouse, recorded as a simulation.",
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Sample seed (default: random, recorded).")
    ] = None,
    backend: Annotated[str, typer.Option("--backend", help="duckdb or spark.")] = "duckdb",
    formats: Annotated[
        str | None,
        typer.Option(
            "--formats",
            help="Comma-separated: parquet,csv,dta,sav (default: all four for a delivery; parquet,csv for "
            "an enclave workspace, whose files are written batch by batch).",
        ),
    ] = None,
    enclave: Annotated[
        bool,
        typer.Option(
            "--enclave",
            help="Phase 2: build the full populations into an enclave workspace under --out "
            "(not a delivery; nothing in it leaves).",
        ),
    ] = False,
    slice_persons: Annotated[
        int | None,
        typer.Option(
            "--slice-persons",
            min=0,
            help="Enclave: build the datasets this many persons at a time (memory stays bounded); "
            "default 200,000 when the permit allows slices, 0 for one pass.",
        ),
    ] = None,
    pass_persons: Annotated[
        int | None,
        typer.Option(
            "--pass-persons",
            min=1,
            help="Enclave: build the slices' shared blocks (the DmfA, person rows) for this many persons "
            "at a time; default a country in one pass (scale 1.0: 18 GB of temporary disk), fewer for "
            "less disk.",
        ),
    ] = None,
) -> None:
    """Extract a phase-1 delivery under a permit: check, build, pseudonymise, assess, package, publish.

    With ``--phase 2 --enclave``: the full populations into an enclave workspace instead (never a delivery).
    """
    from crossroads import extraction
    from crossroads.delivery.contents import DeliveryError
    from crossroads.delivery.formats import FORMATS, parse_formats
    from crossroads.engine.backends import EngineError
    from crossroads.permits import PermitError
    from crossroads.warehouse.storage import WarehouseError

    if backend not in ("duckdb", "spark"):
        raise typer.BadParameter("choose duckdb or spark", param_hint="--backend")
    for value, option in ((slice_persons, "--slice-persons"), (pass_persons, "--pass-persons")):
        if value is not None and not enclave:
            # Refused rather than ignored: a delivery is built in one go, never in slices.
            raise typer.BadParameter("only with --enclave (a delivery is built in one go)", param_hint=option)
    try:
        chosen = parse_formats(formats) if formats else (extraction.WORKSPACE_FORMATS if enclave else FORMATS)
    except DeliveryError as exc:
        raise typer.BadParameter(str(exc), param_hint="--formats") from None
    request = extraction.ExtractRequest(
        permit_file=permit_file,
        warehouse=warehouse,
        out=out,
        phase=phase,
        as_of=parse_date(as_of, "--as-of"),
        seed=seed,
        backend=backend,
        formats=chosen,
        enclave=enclave,
        slice_persons=slice_persons,
        pass_persons=pass_persons,
    )
    try:
        with stage_progress(total=12) as step:
            result = extraction.run(request, step=step)
    except (
        extraction.ExtractRefused,
        extraction.PartNotReady,
        PermitError,
        WarehouseError,
        DeliveryError,
        EngineError,
    ) as exc:
        report_failure(exc)
        return
    console.print(delivery_table(result))
    console.print(summary_line(result), soft_wrap=True)  # one line, never wrapped


def populations_tables(result: Any) -> list[Table]:
    """Persons per group (with the size the permit quotes), per group and year, and the match reports."""
    groups = Table(title=f"Target groups of permit {result.permit_number} version {result.version}")
    # The deliberations quote a group's size per year or over the period: both are shown beside it.
    for column in ("group", "persons", "peak year", "quoted", "years"):
        groups.add_column(column, justify="left" if column in ("group", "years") else "right")
    for name, persons in result.persons.items():
        quoted = result.approximate.get(name)
        counts = result.by_year.get(name, {})
        years = sorted(counts)
        span = f"{years[0]}-{years[-1]}" if years else "-"
        largest = f"{max(counts.values()):,}" if counts else "0"
        groups.add_row(name, f"{persons:,}", largest, f"~{quoted:,}" if quoted else "-", span)
    every_year = sorted({y for counts in result.by_year.values() for y in counts})
    per_year = Table(title="Persons per year")
    per_year.add_column("year")
    for name in result.by_year:
        per_year.add_column(name, justify="right")
    for year in every_year:
        per_year.add_row(str(year), *(f"{result.by_year[n].get(year, 0):,}" for n in result.by_year))
    tables = [groups, per_year]
    if result.match_reports:
        links = Table(title="Provider inputs linked by INSZ or enterprise number")
        for column in ("input", "rows", "matched", "not found", "duplicates"):
            links.add_column(column, justify="left" if column == "input" else "right")
        for name, r in result.match_reports.items():
            links.add_row(name, *(f"{r[k]:,}" for k in ("rows", "matched", "not_found", "duplicates")))
        tables.append(links)
    return tables


@app.command("populations")
def populations(
    permit_file: Annotated[
        Path,
        typer.Argument(help="The permit file (YAML).", exists=True, dir_okay=False),
    ],
    warehouse: Annotated[Path, typer.Option("--warehouse", help="Warehouse directory.")],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Reference date (YYYY-MM-DD, default today); another date only on a synthetic warehouse.",
        ),
    ] = None,
    backend: Annotated[str, typer.Option("--backend", help="duckdb or spark.")] = "duckdb",
) -> None:
    """Count a permit's target groups in full before an extract: persons per group and year, against the
    sizes the permit expects, and the match reports of its inputs. Nothing is written; the count is audited.
    """
    from crossroads import extraction
    from crossroads.engine.backends import EngineError
    from crossroads.permits import PermitError
    from crossroads.warehouse.storage import WarehouseError

    if backend not in ("duckdb", "spark"):
        raise typer.BadParameter("choose duckdb or spark", param_hint="--backend")
    day = parse_date(as_of, "--as-of")
    try:
        with console.status(f"linking the inputs and building the target groups on {backend}"):
            result = extraction.count_populations(permit_file, warehouse, as_of=day, backend=backend)
    except (
        extraction.ExtractRefused,
        extraction.PartNotReady,
        PermitError,
        WarehouseError,
        EngineError,
    ) as exc:
        report_failure(exc)
        return
    for table in populations_tables(result):
        console.print(table)
    sim = f" (SIMULATION as of {result.as_of.isoformat()})" if result.simulation else ""
    sizes = ", ".join(f"{name} {n:,}" for name, n in result.persons.items())
    console.print(
        f"Counted the {len(result.persons)} target groups of permit {result.permit_number} version "
        f"{result.version}{sim} on {result.backend}: {sizes} persons; {len(result.match_reports)} inputs "
        "linked; nothing written (audited as populations.counted)",
        soft_wrap=True,
    )
