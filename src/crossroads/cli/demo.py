"""``crossroads demo``: the main job — a small synthetic warehouse and the 21/150 phase-1 delivery from it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from crossroads.cli import app
from crossroads.cli.extract import console, delivery_table, report_failure, stage_progress, summary_line

DEMO_AS_OF = date(2022, 6, 30)  # inside 21/150's lifetime (5 Oct 2021 - 1 Sep 2024)
DEMO_PERMIT = Path("examples/permits/21-150.yaml")


def demo_permit_file() -> Path:
    """The 21/150 permit file: in the working directory, else next to the source tree."""
    if DEMO_PERMIT.is_file():
        return DEMO_PERMIT
    beside_source = Path(__file__).resolve().parents[3] / DEMO_PERMIT
    if beside_source.is_file():
        return beside_source
    raise typer.BadParameter(
        f"{DEMO_PERMIT} not found; run the demo from the project folder", param_hint="--permit"
    )


def ensure_warehouse(directory: Path, scale: float, seed: int) -> str:
    """Build a synthetic warehouse in ``directory`` unless one is there; say which happened."""
    from crossroads.warehouse.storage import Warehouse, WarehouseError

    if Warehouse(directory).exists():
        return f"using the warehouse in {directory}"
    if directory.exists() and any(directory.iterdir()):
        raise WarehouseError(
            f"{directory} exists but holds no warehouse (no manifest.json; an interrupted "
            "build?); remove it or choose another --warehouse"
        )
    from crossroads.extraction import PartNotReady

    try:
        from crossroads.warehouse import synthetic
    except ModuleNotFoundError:
        raise PartNotReady("crossroads.warehouse.synthetic is not available") from None
    if not hasattr(synthetic, "build"):
        raise PartNotReady("crossroads.warehouse.synthetic.build is not available yet")
    console.print(f"building a synthetic warehouse (scale {scale}, seed {seed}) in {directory} ...")
    synthetic.build(directory, scale=scale, seed=seed, progress=True)
    return f"built a synthetic warehouse (scale {scale}) in {directory}"


def ensure_registered(permit_file: Path, store: Any) -> None:
    """Register the permit file in the governance registry (a no-op when it is registered already)."""
    from crossroads.cli.governance import registration_from_file

    store.register_permit(registration_from_file(permit_file), actor="crossroads-demo")


def risk_table(risk: dict[str, Any]) -> Table:
    """Per delivered file: the small-cell figures of the disclosure report (as built, and as delivered)."""
    table = Table(title="Small-cell risk, one record per person and profile (disclosure/report.html)")
    table.add_column("dataset", min_width=18)
    for column in ("records", "k built", "uniques", "max. risk", "k delivered"):
        table.add_column(column, justify="right")
    delivered = {
        t.get("name"): (t.get("risk") or {}).get("k")
        for t in (risk.get("as_delivered") or {}).get("tables", [])
    }
    for entry in risk.get("tables", []):
        figures = entry.get("risk") or {}
        remedies = entry.get("remedies") or []
        after = delivered.get(entry.get("name"))
        if after is None:
            after = remedies[-1].get("after", {}).get("k") if remedies else figures.get("k")
        prosecutor = (figures.get("prosecutor") or {}).get("maximum")
        table.add_row(
            str(entry.get("name", "")),
            f"{entry.get('records', 0):,}",
            str(figures.get("k", "-")),
            str(figures.get("sample_uniques", "-")),
            f"{prosecutor:.2f}" if isinstance(prosecutor, float) else "-",
            str(after),
        )
    return table


@app.command("demo")
def demo(
    warehouse: Annotated[Path, typer.Option("--warehouse", help="Synthetic warehouse (built if absent).")] = (
        Path("var/demo/warehouse")
    ),
    out: Annotated[Path, typer.Option("--out", help="Folder for the delivery.")] = (
        Path("var/demo/deliveries")
    ),
    scale: Annotated[float, typer.Option("--scale", help="Warehouse scale (0.01 = 1 % of Belgium).")] = 0.01,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the warehouse and the sample.")] = 2021,
) -> None:
    """Build a small synthetic warehouse if there is none and produce the 21/150 phase-1 delivery from it."""
    from crossroads import extraction
    from crossroads.delivery.contents import DeliveryError
    from crossroads.governance import GovernanceError, Store
    from crossroads.permits import PermitError
    from crossroads.warehouse.storage import WarehouseError

    permit_file = demo_permit_file()
    try:
        what = ensure_warehouse(warehouse, scale, seed)
        console.print(what)
        with Store() as store:
            ensure_registered(permit_file, store)
            request = extraction.ExtractRequest(
                permit_file=permit_file, warehouse=warehouse, out=out, phase=1, as_of=DEMO_AS_OF, seed=seed
            )
            with stage_progress(total=12) as step:
                result = extraction.run(request, store=store, step=step)
    except (
        extraction.ExtractRefused,
        extraction.PartNotReady,
        PermitError,
        WarehouseError,
        DeliveryError,
        GovernanceError,
    ) as exc:
        report_failure(exc)
        return
    console.print(f"Delivery: [bold]{result.path}[/]")
    console.print(delivery_table(result))
    by_folder: dict[str, int] = {}
    top: list[str] = []
    for entry in result.delivery.manifest["files"]:
        folder, _, name = entry["path"].rpartition("/")
        if folder:
            by_folder[folder] = by_folder.get(folder, 0) + 1
        else:
            top.append(name)
    files = len(result.delivery.manifest["files"]) + 1
    console.print(
        f"Files ({files}): "
        + ", ".join(f"{folder}/ {n}" for folder, n in by_folder.items())
        + ", "
        + ", ".join([*top, "manifest.json"])
    )
    if result.risk:
        console.print(risk_table(result.risk))
        if result.risk.get("summary"):
            flag = result.risk.get("remedies_applied")
            applied = (
                ""
                if flag is None
                else "remedies applied to the delivered files; "
                if flag
                else "no remedy needed; "
            )
            delivered = (result.risk.get("as_delivered") or {}).get("summary")
            console.print(
                f"Disclosure: {result.risk['summary']} ({applied}as delivered: "
                f"{delivered or 'see disclosure/report.html'})"
            )
    console.print(summary_line(result), soft_wrap=True)  # one line, never wrapped
