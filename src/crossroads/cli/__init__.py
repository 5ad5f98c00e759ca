"""The ``crossroads`` command: thin Typer shells over the services, no business logic here."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="crossroads",
    help="Crossroads: permit-governed social-security data hub.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals could hold row values
)


@app.callback()
def _root() -> None:
    """Crossroads: permit-governed social-security data hub."""


# Each sub-command group lives in its own module exposing ``app`` (a typer.Typer).
_GROUPS = {
    "warehouse": "crossroads.cli.warehouse",
    "permit": "crossroads.cli.permits",
    "catalog": "crossroads.cli.catalog",
    "disclosure": "crossroads.cli.disclosure",
    "org": "crossroads.cli.governance:org_app",
    "user": "crossroads.cli.governance:user_app",
    "audit": "crossroads.cli.governance:audit_app",
    "retention": "crossroads.cli.governance:retention_app",
}

for _name, _target in _GROUPS.items():
    _module, _, _attr = _target.partition(":")
    try:
        _mod = importlib.import_module(_module)
    except ModuleNotFoundError as exc:  # a group not built yet
        if exc.name != _module:
            raise
        continue
    app.add_typer(getattr(_mod, _attr or "app"), name=_name)

# The permit registry commands (register, approve, list, status, destroy) belong to governance but are
# used as `crossroads permit ...`, beside validate/show/schema.
from crossroads.cli import governance as _governance  # noqa: E402
from crossroads.cli import permits as _permits  # noqa: E402

_permits.app.registered_commands.extend(_governance.registry_app.registered_commands)

# Top-level commands (extract, demo) register themselves on ``app`` when their module is imported.
for _module in ("crossroads.cli.extract", "crossroads.cli.demo"):
    try:
        importlib.import_module(_module)
    except ModuleNotFoundError as exc:
        if exc.name != _module:
            raise


@app.command()
def version() -> None:
    """Print the Crossroads version."""
    from crossroads import __version__

    typer.echo(f"crossroads {__version__}")


def main() -> None:
    app()
