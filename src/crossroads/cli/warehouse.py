"""``crossroads warehouse ...``: build, calibration and summary live in ``warehouse_build``;
validate, import and schema in ``warehouse_checks``. Both register their commands on ``app``."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(help="The linked data warehouse: build, validate, import, describe.", no_args_is_help=True)

for _module in ("crossroads.cli.warehouse_build", "crossroads.cli.warehouse_checks"):
    try:
        importlib.import_module(_module)
    except ModuleNotFoundError as exc:
        if exc.name != _module:
            raise
