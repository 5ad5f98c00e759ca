"""``crossroads org|user|audit|retention`` (and the registry commands merged into ``crossroads permit``).

Thin shells over ``crossroads.governance``: every command opens the metadata store named by
``CROSSROADS_DB_URL`` / ``CROSSROADS_HOME``, prints clear errors and ends with a one-line summary.
"""

from __future__ import annotations

import getpass
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from crossroads.governance import (
    GovernanceError,
    PermitRegistration,
    Store,
    VersionRegistration,
    verify_file,
)
from crossroads.governance.audit import ExportFileError, export_anchor
from crossroads.governance.organisations import ACTIONS, KNOWN_ROLES
from crossroads.governance.retention import destroy_permit, run_retention

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

org_app = typer.Typer(help="Organisations and their units.", no_args_is_help=True)
user_app = typer.Typer(help="Users, roles, passwords and API tokens.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit trail: show, verify, export.", no_args_is_help=True)
retention_app = typer.Typer(help="Destroy data past its permit's retention date.", no_args_is_help=True)
registry_app = typer.Typer(help="The permit registry: register, list, status, destroy.", no_args_is_help=True)

ActorOption = Annotated[
    str | None, typer.Option("--actor", help="Who acts (default: $CROSSROADS_ACTOR or the login name).")
]


def _actor(actor: str | None) -> str:
    return actor or os.environ.get("CROSSROADS_ACTOR") or getpass.getuser()


@contextmanager
def _store(actor: str | None = None) -> Iterator[Store]:
    """Opens the store; turns governance errors into a red message and exit code 1."""
    try:
        with Store(actor=_actor(actor)) as store:
            yield store
    except (GovernanceError, ValueError, ExportFileError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None


def _parse_date(value: str | None, option: str) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        err.print(f"[red]error:[/red] {option} {value!r} is not a date (use YYYY-MM-DD)")
        raise typer.Exit(2) from None


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


# -- org ----------------------------------------------------------------------------------------
@org_app.command("add")
def org_add(code: str, name: str) -> None:
    """Register an organisation (e.g. DWSE "Departement Werk en Sociale Economie")."""
    with _store() as store:
        store.orgs.add_organisation(code, name)
    console.print(f"organisation {code} registered in {_where()}")


@org_app.command("add-unit")
def org_add_unit(organisation: str, code: str, name: str) -> None:
    """Register a unit of an organisation (permits name an input unit and an output unit)."""
    with _store() as store:
        store.orgs.add_unit(organisation, code, name)
    console.print(f"unit {organisation}/{code} registered in {_where()}")


@org_app.command("list")
def org_list() -> None:
    """List organisations and their units."""
    with _store() as store:
        rows = store.orgs.organisations()
    table = Table("organisation", "name", "units")
    for code, name, units in rows:
        table.add_row(code, name, ", ".join(units))
    console.print(table)
    console.print(f"{len(rows)} organisation(s) in {_where()}")


# -- user ---------------------------------------------------------------------------------------
@user_app.command("add")
def user_add(
    username: str,
    organisation: Annotated[str, typer.Option("--org", help="Organisation code.")],
    unit: Annotated[str, typer.Option("--unit", help="Unit code inside the organisation.")],
    role: Annotated[list[str], typer.Option("--role", help=f"Role (repeatable): {', '.join(KNOWN_ROLES)}.")],
    name: Annotated[str | None, typer.Option("--name", help="Display name.")] = None,
    password: Annotated[
        bool, typer.Option("--password", help="Prompt for a password (argon2-hashed).")
    ] = False,
) -> None:
    """Register a user in a unit with roles."""
    secret = typer.prompt("password", hide_input=True, confirmation_prompt=True) if password else None
    with _store() as store:
        view = store.orgs.add_user(username, organisation, unit, role, display_name=name, password=secret)
    console.print(
        f"user {view.username} registered in {view.organisation}/{view.unit} "
        f"with roles {', '.join(view.roles)}"
    )


@user_app.command("grant")
def user_grant(username: str, role: str) -> None:
    """Give a user a role."""
    with _store() as store:
        store.orgs.grant(username, role)
    console.print(f"role {role} granted to {username}")


@user_app.command("revoke")
def user_revoke(username: str, role: str) -> None:
    """Take a role away from a user."""
    with _store() as store:
        store.orgs.revoke(username, role)
    console.print(f"role {role} revoked from {username}")


@user_app.command("list")
def user_list() -> None:
    """List users with their unit and roles."""
    with _store() as store:
        users = store.orgs.users()
    table = Table("user", "name", "unit", "roles", "active")
    for u in users:
        table.add_row(
            u.username, u.display_name, f"{u.organisation}/{u.unit}", ", ".join(u.roles), str(u.active)
        )
    console.print(table)
    console.print(f"{len(users)} user(s) in {_where()}")


@user_app.command("token")
def user_token(
    username: str, label: Annotated[str, typer.Option(help="What the token is for.")] = "api"
) -> None:
    """Issue an API token (printed once; only its sha256 is stored)."""
    with _store() as store:
        token = store.orgs.issue_token(username, label)
    console.print(token)
    err.print(f"API token '{label}' issued to {username}; store it now, it is not shown again")


@user_app.command("check")
def user_check(
    username: str,
    action: Annotated[str, typer.Argument(help=f"One of: {', '.join(sorted(ACTIONS))}.")],
    permit: str,
    on: Annotated[str | None, typer.Option("--on", help="Date (YYYY-MM-DD), default today.")] = None,
) -> None:
    """Check whether a user may perform an action under a permit on a date (separation of functions)."""
    day = _parse_date(on, "--on")
    with _store() as store:
        version = store.authorise(username, action, permit, day)
    console.print(
        f"allowed: {username} may {action} under permit {permit} version {version.version} on {day}"
    )


# -- permit registry ----------------------------------------------------------------------------
def registration_from_file(path: Path) -> PermitRegistration:
    """Reads a permit file with ``crossroads.permits`` and turns it into a registry payload."""
    from crossroads.permits import load  # the CLI may import permits; governance may not

    raw = path.read_bytes()
    permit = load(path)
    return PermitRegistration(
        number=permit.number,
        title=" ".join(permit.title.split()),
        kind=permit.kind,
        requester=permit.requester,
        controller=permit.controller,
        versions=tuple(
            VersionRegistration(
                version=v.version,
                label=v.label,
                approved=v.approved,
                effective=v.effective,
                purpose=" ".join(v.purpose.split()),
                input_unit=(v.input_unit.organisation, v.input_unit.unit),
                output_unit=(v.output_unit.organisation, v.output_unit.unit),
                roles=tuple(v.roles),
                retention_until=v.retention.until,
                retention_years_after_record=v.retention.years_after_record,
                phase1_years_after_delivery=v.retention.phase1_years_after_delivery,
            )
            for v in permit.versions
        ),
        sha256=hashlib.sha256(raw).hexdigest(),
        yaml_text=raw.decode("utf-8"),
    )


@registry_app.command("register")
def permit_register(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Permit YAML file.")],
    draft: Annotated[bool, typer.Option("--draft", help="Register as a draft (not yet approved).")] = False,
    actor: ActorOption = None,
) -> None:
    """Register a permit file (or its amendments) in the permit registry."""
    from crossroads.permits import PermitError

    try:
        payload = registration_from_file(file)
    except PermitError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    with _store(actor) as store:
        result = store.register_permit(payload, draft=draft)
    if not result.changed:
        what = "already registered, unchanged"
    elif result.created:
        what = f"registered as {result.state} with {len(payload.versions)} version(s)"
    else:
        added = ", ".join(map(str, result.new_versions)) or "none (file text changed)"
        what = f"amended: new version(s) {added}"
    console.print(f"permit {payload.number} {what} in {_where()}")


@registry_app.command("approve")
def permit_approve(number: str, actor: ActorOption = None) -> None:
    """Approve a draft permit."""
    with _store(actor) as store:
        store.approve_permit(number)
    console.print(f"permit {number} approved")


@registry_app.command("list")
def permit_list(on: Annotated[str | None, typer.Option("--on", help="Date (YYYY-MM-DD).")] = None) -> None:
    """List registered permits with their status on a date."""
    day = _parse_date(on, "--on")
    with _store() as store:
        rows = store.registry.summaries(day)
    table = Table("permit", "status", "versions", "in force", "retention", "title")
    for s in rows:
        retention = (
            str(s.retention_until)
            if s.retention_until
            else f"{s.retention_years_after_record} years after record"
        )
        table.add_row(
            s.number, s.status, str(s.versions), str(s.version_in_force or "-"), retention, s.title[:60]
        )
    console.print(table)
    console.print(f"{len(rows)} permit(s) registered; status as on {day}")


@registry_app.command("status")
def permit_status(number: str, on: Annotated[str | None, typer.Option("--on")] = None) -> None:
    """Show a permit's lifecycle status and the version in force on a date."""
    day = _parse_date(on, "--on")
    with _store() as store:
        status = store.registry.status(number, day)
        governing = store.registry.governing(number, day)
    console.print(
        f"permit {number} on {day}: {status}; governing version {governing.version} ({governing.label}), "
        f"input {'/'.join(governing.input_unit)}, output {'/'.join(governing.output_unit)}, "
        f"roles {', '.join(governing.roles)}"
    )


@registry_app.command("destroy")
def permit_destroy(
    number: str,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: this cannot be undone.")] = False,
    actor: ActorOption = None,
) -> None:
    """Destroy a permit now: its registered data, its key (crypto-shredding), and refuse it from then on."""
    if not yes:
        err.print("[red]error:[/red] destroying a permit cannot be undone; add --yes to confirm")
        raise typer.Exit(2)
    with _store(actor) as store, _progress() as progress:
        task = progress.add_task(f"destroying {number}", total=None)
        done = destroy_permit(
            store,
            number,
            reason="destroyed on request",
            progress=lambda msg: progress.update(task, description=msg),
        )
    console.print(
        f"permit {number} destroyed: {done.files} file(s) in {done.locations} location(s) deleted, "
        "key destroyed; "
        f"certificate in audit event {done.audit_seq}"
    )


# -- audit --------------------------------------------------------------------------------------
@audit_app.command("verify")
def audit_verify(
    file: Annotated[Path | None, typer.Option("--file", help="Verify an exported file offline.")] = None,
    public_key: Annotated[
        Path | None, typer.Option("--public-key", help="The custodian's published public key (PEM).")
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", help="Processes for long chains (segments checked in parallel).")
    ] = min(2, os.cpu_count() or 1),
    anchor: Annotated[
        list[Path] | None,
        typer.Option("--anchor", help="An earlier export whose recorded head the trail must still contain."),
    ] = None,
) -> None:
    """Re-compute the hash chain, checkpoints and head; name the first bad event."""
    if file is not None:
        key = public_key.read_text(encoding="ascii") if public_key is not None else None
        try:
            report = verify_file(file, key)
        except (ExportFileError, OSError, ValueError) as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1) from None
        where = str(file)
    else:
        try:
            anchors = dict(export_anchor(path) for path in anchor or [])
        except (ExportFileError, OSError) as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1) from None
        with _store() as store, _progress() as progress:
            task = progress.add_task("verifying audit trail", total=store.audit.count())
            report = store.audit.verify(
                progress=lambda n: progress.advance(task, n), workers=workers, anchors=anchors
            )
        where = _where()
    if not report.ok:
        err.print(f"[red]{report.summary()}[/red] ({where})")
        raise typer.Exit(1)
    console.print(f"{report.summary()} ({where})")


@audit_app.command("export")
def audit_export(out: Annotated[Path, typer.Option("--out", help="JSON-lines file to write.")]) -> None:
    """Write the trail, its checkpoints and public key to a file an auditor verifies offline."""
    with _store() as store, _progress() as progress:
        task = progress.add_task("exporting audit trail", total=store.audit.count())
        summary = store.audit.export(out, progress=lambda n: progress.advance(task, n))
    console.print(
        f"exported {summary.events} events and {summary.checkpoints} checkpoints to {summary.path} "
        f"(public key {summary.public_key_path}); check with: crossroads audit verify --file {summary.path}"
    )


@audit_app.command("show")
def audit_show(
    last: Annotated[int, typer.Option("--last", help="How many recent events.")] = 20,
    permit: Annotated[str | None, typer.Option("--permit", help="Only this permit.")] = None,
) -> None:
    """Show the most recent events."""
    with _store() as store:
        events = store.audit.events(last=last, permit=permit)
    table = Table("seq", "time (UTC)", "actor", "action", "permit", "v", "counts")
    for e in events:
        counts = ", ".join(f"{k}={v}" for k, v in e["counts"].items())
        table.add_row(
            str(e["seq"]),
            e["time"],
            e["actor"],
            e["action"],
            e["permit"] or "",
            str(e["version"] or ""),
            counts,
        )
    console.print(table)
    console.print(f"{len(events)} event(s) shown from {_where()}")


@audit_app.command("public-key")
def audit_public_key(out: Annotated[Path | None, typer.Option("--out")] = None) -> None:
    """Print (or write) the public key that verifies the trail's signatures."""
    with _store() as store:
        pem = store.audit.public_key_pem()
    if out is None:
        console.print(pem, end="")
        err.print("audit public key printed (PEM)")
    else:
        out.write_text(pem, encoding="ascii")
        console.print(f"audit public key written to {out}")


# -- retention ----------------------------------------------------------------------------------
@retention_app.command("run")
def retention_run(
    today: Annotated[str | None, typer.Option("--today", help="Run as if on this date (YYYY-MM-DD).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list what is due.")] = False,
    allow_future: Annotated[
        bool, typer.Option("--allow-future", help="Accept a --today after today (simulations, demos).")
    ] = False,
    actor: ActorOption = None,
) -> None:
    """Destroy every delivery, workspace and key past its permit's retention date, with certificates."""
    day = _parse_date(today, "--today")
    if day > date.today() and not (dry_run or allow_future):
        err.print(
            f"[red]error:[/red] --today {day} is in the future: that would destroy data before its "
            "retention date; add --allow-future to simulate"
        )
        raise typer.Exit(2)
    with _store(actor) as store, _progress() as progress:
        task = progress.add_task("retention", total=None)
        report = run_retention(
            store, day, dry_run=dry_run, progress=lambda msg: progress.update(task, description=msg)
        )
    for line in report.due if dry_run else []:
        console.print(f"due: {line}")
    for d in report.destructions:
        console.print(
            f"{d.permit}: {d.reason}; {d.files} file(s), {d.records} record(s) destroyed"
            f"{', key destroyed' if d.key_destroyed else ''} (audit event {d.audit_seq})"
        )
    for warning in report.warnings:
        err.print(f"[yellow]warning:[/yellow] {warning}")
    console.print(f"{report.summary()} ({_where()})")


def _where() -> str:
    from crossroads.governance.store import database_url

    url = database_url()
    return url.split("@")[-1] if "@" in url else url  # never print a password
