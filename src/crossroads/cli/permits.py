"""``crossroads permit ...``: validate permit files, show the version in force, export the JSON Schema."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from crossroads.permits import (
    Dataset,
    Permit,
    PermitFileError,
    PermitIssue,
    PermitNotInForce,
    PermitVersion,
    load,
)
from crossroads.permits import schema as permit_schema
from crossroads.permits.vocabulary import check_requests, check_rules, check_variables

app = typer.Typer(
    help="Permits (deliberations): validate, show, export the format's schema.", no_args_is_help=True
)

# Permit texts and file names are printed as they are: no Rich markup or :emoji: codes in them.
console = Console(emoji=False)
err = Console(stderr=True, emoji=False)


def _optional_names(module: str, function: str) -> tuple[list[str] | None, str | None]:
    """Names from ``module.function()`` if that exists yet; else None and why (the check is skipped).

    The catalog and the engine are built beside the permits; validation uses them when present.
    """
    import importlib

    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        return None, f"{module} cannot be imported ({exc.__class__.__name__})"
    provider: Callable[[], object] | None = getattr(mod, function, None)
    if not callable(provider):
        return None, f"{module}.{function}() does not exist yet"
    try:
        names = provider()
    except Exception as exc:  # a half-built catalog must not hide the permit's own errors
        return None, f"{module}.{function}() failed: {exc.__class__.__name__}"
    if not isinstance(names, list | tuple | set | frozenset | dict):
        return None, f"{module}.{function}() did not return names"
    return [str(name) for name in names], None


def _population_rules() -> tuple[list[str] | None, str | None]:
    names, reason = _optional_names("crossroads.engine", "population_rules")
    if names is None:  # the engine may keep its rules in a submodule
        names, _ = _optional_names("crossroads.engine.population", "population_rules")
    return names, (None if names is not None else reason)


def _catalog_variables() -> dict[str, object]:
    """Catalog name -> Variable (units and options), for the request checks."""
    try:
        from crossroads import catalog
    except ImportError:
        return {}
    return {v.name: v for v in catalog.all()}


def _print_issue(issue: PermitIssue) -> None:
    where = issue.file
    if issue.line is not None:
        where += f":{issue.line}:{issue.column}"
    path = f" [bold]{escape(issue.path)}[/bold]" if issue.path else ""
    console.print(
        f"[red]✗[/red] {escape(where)}{path}: {escape(issue.message)}", highlight=False, soft_wrap=True
    )


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Permit YAML files.", exists=False)],
    catalog: Annotated[
        bool, typer.Option("--catalog/--no-catalog", help="Check variable names against the catalog.")
    ] = True,
    rules: Annotated[
        bool, typer.Option("--rules/--no-rules", help="Check population rules against the engine.")
    ] = True,
) -> None:
    """Validate permit files; report each error with file, line, column and field path."""
    variable_names, variable_skip = (
        _optional_names("crossroads.catalog", "names") if catalog else (None, None)
    )
    rule_names, rule_skip = (
        _optional_names("crossroads.engine", "population_rules") if rules else (None, None)
    )
    for reason in (variable_skip, rule_skip):
        if reason:
            err.print(f"[yellow]note:[/yellow] check skipped: {reason}", highlight=False)
    failed = 0
    errors = 0
    for file in files:
        issues: list[PermitIssue] = []
        try:
            permit = load(file)
        except PermitFileError as exc:
            issues = exc.issues
        else:
            if variable_names is not None:
                issues += check_variables(permit, variable_names)
                issues += check_requests(permit, _catalog_variables())
            if rule_names is not None:
                issues += check_rules(permit, rule_names)
        if issues:
            failed += 1
            errors += len(issues)
            for issue in issues:
                _print_issue(issue)
        else:
            console.print(
                f"[green]✓[/green] {file}: permit {permit.number}, {len(permit.versions)} version(s)",
                highlight=False,
            )
    checks = ", ".join(
        name
        for name, on in (
            ("catalog", variable_names is not None),
            ("population rules", rule_names is not None),
        )
        if on
    )
    extra = f" (with {checks})" if checks else ""
    console.print(
        f"Validated {len(files)} permit file(s){extra}: {len(files) - failed} valid, "
        f"{failed} with {errors} error(s).",
        highlight=False,
        soft_wrap=True,
    )
    if failed:
        raise typer.Exit(1)


def _parse_date(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)", param_hint="--as-of") from None


def _range(first: int | None, last: int | None) -> str:
    return "" if first is None else f"{first}–{last}"


@app.command()
def show(
    file: Annotated[Path, typer.Argument(help="Permit YAML file.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Reference date YYYY-MM-DD (default today).")
    ] = None,
) -> None:
    """Summarise the version of a permit in force on a date."""
    on = _parse_date(as_of)
    try:
        permit = load(file)
    except PermitFileError as exc:
        for issue in exc.issues:
            _print_issue(issue)
        console.print(f"{file} is not a valid permit ({len(exc.issues)} error(s)); nothing shown.")
        raise typer.Exit(1) from None
    try:
        version = permit.version_in_force(on)
    except PermitNotInForce as exc:
        _print_versions(permit, None)
        console.print(f"[red]Refused:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    _print_permit(permit, version, on)
    console.print(
        f"Permit {permit.number}: version {version.version} of {len(permit.versions)} is in force on "
        f"{on.isoformat()} (read from {file}).",
        highlight=False,
    )


def _print_versions(permit: Permit, current: PermitVersion | None) -> None:
    table = Table(title=f"Beraadslaging {permit.number} — versies", title_justify="left")
    for column in ("", "versie", "label", "goedgekeurd", "in werking", "bewaring tot"):
        table.add_column(column)
    for v in permit.versions:
        until = (
            v.retention.until.isoformat() if v.retention.until else f"{v.retention.years_after_record} jaar"
        )
        marker = "▶" if current is not None and v.version == current.version else ""
        table.add_row(marker, str(v.version), v.label, v.approved.isoformat(), v.effective.isoformat(), until)
    console.print(table)


def _unit(ref: object) -> str:
    organisation = getattr(ref, "organisation", "")
    unit = getattr(ref, "unit", "")
    label = getattr(ref, "label", None)
    return f"{organisation}/{unit}" + (f" — {label}" if label else "")


def _period(d: Dataset) -> str:
    parts = []
    if d.years:
        parts.append(_range(d.years.first, d.years.last))
    if d.reference_date:
        parts.append(f"stand {d.reference_date}")
    if d.selection:
        parts.append({"inflow": "instroom", "outflow": "uitstroom"}[d.selection])
    if d.measurement:
        parts.append(f"gemeten Y{d.measurement.year_offset:+d} K{d.measurement.quarter}")
    if d.window:
        w = d.window
        parts.append(f"{w.quarters_before} kw. vóór en {w.quarters_after} na {w.reference}")
    return "; ".join(parts)


def _print_permit(permit: Permit, v: PermitVersion, on: date) -> None:
    kind = {"research": "onderzoek (extractie)", "online_consultation": "online raadpleging"}[permit.kind]
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    names = permit.organisations
    head.add_row("Titel", permit.title)
    head.add_row("Comité", permit.committee)
    head.add_row(
        "Beslissing",
        permit.decision_date.isoformat() + (f" ({permit.reference})" if permit.reference else ""),
    )
    head.add_row("Soort", kind)
    head.add_row("Aanvrager", f"{permit.requester} {names.get(permit.requester, '')}".strip())
    head.add_row("Verwerkingsverantw.", f"{permit.controller} {names.get(permit.controller, '')}".strip())
    head.add_row(
        "Versie in werking", f"{v.version}: {v.label} (goedgekeurd {v.approved}, in werking {v.effective})"
    )
    if v.changes:
        head.add_row("Wijziging", v.changes)
    head.add_row("Doel", v.purpose)
    head.add_row("Rechtsgrond", v.legal_basis)
    head.add_row("Input door", _unit(v.input_unit))
    head.add_row("Output naar", _unit(v.output_unit))
    head.add_row("Rollen", ", ".join(v.roles))
    for p in v.processors:
        head.add_row("", f"{p.role}: {p.label} ({p.unit.organisation}/{p.unit.unit})")
    head.add_row("Fasen", ", ".join(str(p) for p in v.phases) or "geen (online raadpleging)")
    head.add_row("Derden", ", ".join(v.third_parties) or "geen")
    console.print(Panel(head, title=f"Beraadslaging {permit.number} op {on.isoformat()}", title_align="left"))
    _print_versions(permit, v)

    if v.target_groups:
        groups = Table(title="Doelgroepen", title_justify="left")
        for column in ("naam", "label", "regel", "jaren", "steekproef fase 1"):
            groups.add_column(column, overflow="fold")
        for g in v.target_groups:
            sample = "" if g.sample_size is None else f"{g.sample_size:,}".replace(",", ".")
            if g.sample:
                sample += f" (gezamenlijk: {g.sample})"
            years = _range(g.years.first, g.years.last) if g.years else ""
            groups.add_row(g.name, g.label, g.rule, years, sample)
        console.print(groups)

    if v.datasets:
        datasets = Table(title="Bestanden", title_justify="left")
        for column in ("naam", "eenheid", "populatie", "periode", "var."):
            datasets.add_column(column, overflow="fold")
        for d in v.datasets:
            datasets.add_row(d.name, d.unit, ", ".join(d.populations), _period(d), str(len(d.variables)))
        console.print(datasets)
        for d in v.datasets:
            variables = ", ".join(
                var.column_name + (" (+na uitstroom)" if var.after_outflow else "") for var in d.variables
            )
            console.print(f"[bold]{escape(d.name)}[/bold]: {escape(variables)}", highlight=False)

    if v.inputs:
        inputs = Table(title="Input van derden", title_justify="left")
        for column in ("naam", "leverancier", "sleutel", "tabel"):
            inputs.add_column(column, overflow="fold")
        for i in v.inputs:
            inputs.add_row(i.name, f"{i.provider.organisation}/{i.provider.unit}", i.key, i.table)
        console.print(inputs)

    conditions = Table.grid(padding=(0, 2))
    conditions.add_column(style="bold")
    conditions.add_column()
    if permit.kind == "research":  # small-cell rules apply to extracts, not to online answers
        disclosure = v.disclosure
        conditions.add_row(
            "Minimale cel", str(disclosure.min_cell) + (f", k = {disclosure.k}" if disclosure.k else "")
        )
        if disclosure.quasi_identifiers:
            conditions.add_row("Quasi-identificatoren", ", ".join(disclosure.quasi_identifiers))
        if disclosure.geographic_fallback:
            conditions.add_row("Geografische terugval", " → ".join(disclosure.geographic_fallback))
        conditions.add_row(
            "Datums / bedragen",
            f"{'jaar-maand' if disclosure.dates_as_year_month else 'zoals gevraagd'} / "
            f"{'in klassen' if disclosure.amounts_in_classes else 'zoals gevraagd'}",
        )
    ps = v.pseudonymisation
    conditions.add_row(
        "Pseudonimisering",
        f"personen: {'ja' if ps.persons else 'neen'}, werkgevers: {'ja' if ps.employers else 'neen'}",
    )
    r = v.retention
    keep = []
    if r.until:
        keep.append(f"tot en met {r.until}")
    if r.requested_until:
        keep.append(f"(aanvraag: {r.requested_until})")
    if r.years_after_record:
        keep.append(f"{r.years_after_record} jaar na elk gegeven")
    if r.phase1_years_after_delivery:
        keep.append(f"fase 1: max. {r.phase1_years_after_delivery} jaar na levering")
    conditions.add_row("Bewaring", " ".join(keep))
    if v.online:
        o = v.online
        conditions.add_row(
            "DmfA-blokken",
            ", ".join(o.blocks) + (" (huidige en toekomstige samenstelling)" if o.future_composition else ""),
        )
        conditions.add_row(
            "Toegang",
            f"verwijzingsrepertorium: {'ja' if o.reference_directory else 'neen'}; "
            f"permanent: {'ja' if o.permanent else 'neen'}; "
            f"onbepaalde duur: {'ja' if o.indefinite else 'neen'}",
        )
    console.print(Panel(conditions, title="Voorwaarden", title_align="left"))


@app.command()
def schema(
    out: Annotated[
        Path, typer.Option("--out", help="Where to write the JSON Schema.")
    ] = permit_schema.DEFAULT_PATH,
    check: Annotated[bool, typer.Option("--check", help="Only verify that the file is current.")] = False,
) -> None:
    """Export the JSON Schema of the permit file format."""
    text = permit_schema.render()
    if check:
        current = out.read_text(encoding="utf-8") if out.exists() else None
        if current != text:
            console.print(f"{out} is out of date; run `crossroads permit schema --out {out}`.")
            raise typer.Exit(1)
        console.print(f"{out} is current.")
        return
    path = permit_schema.export(out)
    console.print(f"Wrote the permit JSON Schema ({len(text):,} bytes) to {path}.", highlight=False)
