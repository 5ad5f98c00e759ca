"""``crossroads warehouse validate | import | schema``: thin shells over the warehouse checks.

Nothing printed here carries a row value: findings name rule, table, field, file and row number only.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from crossroads.cli.warehouse import app
from crossroads.warehouse import dictionary
from crossroads.warehouse.storage import WarehouseError

console = Console()


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


@app.command("validate")
def validate_cmd(
    directory: Path = typer.Argument(..., help="warehouse directory"),
    json_out: Path | None = typer.Option(None, "--json", help="also write the findings as JSON to this file"),
    examples: int = typer.Option(5, "--examples", "-n", min=0, help="example rows shown per finding"),
    checksums: bool = typer.Option(True, "--checksums/--no-checksums", help="verify every file's sha256"),
) -> None:
    """Check schema, identifiers, code lists, keys, references, spells, deaths and DmfA consistency."""
    from crossroads.warehouse.validation import RULES, validate

    try:
        with _progress() as progress:
            task = progress.add_task("validating", total=None)

            def step(name: str, done: int, total: int) -> None:
                progress.update(task, completed=done, total=total, description=name)

            report = validate(directory, examples=examples, checksums=checksums, on_check=step)
    except WarehouseError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None

    for rule, findings in report.by_rule().items():
        severity, meaning = RULES[rule]
        colour = "red" if severity == "error" else "yellow"
        total = sum(f.count for f in findings)
        grid = RichTable(
            title=f"[{colour}]{rule}[/{colour}] ({severity}): {meaning} — {total:,} rows",
            title_justify="left",
            show_lines=False,
        )
        grid.add_column("table")
        grid.add_column("field")
        grid.add_column("rows", justify="right")
        grid.add_column(f"first {examples} (file, row)", overflow="fold")
        for f in findings:
            shown = "\n".join(str(e) for e in f.examples[:examples])
            grid.add_row(
                f.table, f.field or "", f"{f.count:,}", shown + (f"\n({f.detail})" if f.detail else "")
            )
        console.print(grid)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(report.to_dict(), indent=2))
    where = f"; findings in {json_out}" if json_out else ""
    colour = "green" if report.ok else "red"
    console.print(
        f"[{colour}]{'valid' if report.ok else 'INVALID'}[/{colour}]: {report.summary()} ({directory}){where}"
    )
    if not report.ok:
        raise typer.Exit(1)


@app.command("schema")
def schema_cmd(
    out: Path = typer.Option(dictionary.DEFAULT_PATH, "--out", help="markdown file to write"),
    check: bool = typer.Option(False, "--check", help="only check that the file is up to date"),
) -> None:
    """Render the warehouse schema to the data dictionary (docs/reference/warehouse.md)."""
    from crossroads.warehouse.schema import TABLES

    text = dictionary.render()
    n_fields = sum(len(t.fields) for t in TABLES)
    if check:
        current = out.read_text(encoding="utf-8") if out.is_file() else ""
        if current != text:
            console.print(
                f"[red]out of date[/red]: {out} differs from the schema; run `crossroads warehouse schema`"
            )
            raise typer.Exit(1)
        console.print(f"up to date: {out} describes {len(TABLES)} tables and {n_fields} fields")
        return
    dictionary.write(out)
    console.print(f"wrote the data dictionary of {len(TABLES)} tables and {n_fields} fields to {out}")


@app.command("import")
def import_cmd(
    directory: Path = typer.Argument(..., help="warehouse directory (created when empty)"),
    files: list[Path] = typer.Argument(..., help="CSV or Parquet files"),
    table_name: str = typer.Option(..., "--table", "-t", help="warehouse table the rows belong to"),
    json_out: Path | None = typer.Option(None, "--json", help="also write the import summary as JSON"),
) -> None:
    """Import CSV or Parquet files into a table: good rows appended, bad rows quarantined with a reason."""
    from crossroads.warehouse.imports import ImportFileError, import_files

    try:
        with _progress() as progress:
            task = progress.add_task("importing", total=None)

            def step(name: str, done: int, total: int) -> None:
                progress.update(task, completed=done, total=total, description=name)

            result = import_files(directory, table_name, files, on_step=step)
    except (ImportFileError, WarehouseError, KeyError) as exc:
        console.print(f"[red]error:[/red] {exc.args[0] if exc.args else exc}")
        raise typer.Exit(2) from None

    if result.rejections:
        grid = RichTable(title="rejected rows by rule", title_justify="left")
        for col in ("rule", "field", "rows", "first rows (file, row)"):
            grid.add_column(col, overflow="fold")
        for (rule, fld), refs in sorted(result.rejections.items()):
            grid.add_row(rule, fld, f"{len(refs):,}", "\n".join(refs[:5]))
        console.print(grid)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result.to_dict(), indent=2))
    console.print(result.summary())
