"""One phase-1 extract under a permit, from the permit check to the published delivery and its audit entry.

The order is the law of the flow (DESIGN.md): the permit and the reference date are checked first and a
refusal stops everything (and is audited); the engine builds the datasets; ``pseudonyms`` replaces every
INSZ and enterprise number; ``disclosure`` assesses the small-cell risk; ``delivery`` packages, scans
every byte for the warehouse's identifiers and publishes atomically; governance registers the delivery
for retention and appends the audit event. The CLI (``crossroads extract``, ``crossroads demo``) only
calls :func:`run`.

Reference dates (``--as-of``): the permits of the seeds are historical (21/150 expired on 1 Sep 2024),
so a date other than today is allowed only on a synthetic warehouse, and is then recorded as a
simulation in the manifest and the audit trail.
"""

from __future__ import annotations

import getpass
import hashlib
import importlib
import re
import secrets
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from crossroads.delivery import leaks
from crossroads.delivery.contents import Dataset, DeliveryInfo, VariableInfo
from crossroads.delivery.formats import FORMATS
from crossroads.delivery.packaging import Delivered, make_delivery

Step = Callable[[str], None]
_LONG_NUMBER = re.compile(r"\d{10,}")  # never let a number shaped like an identifier into the audit trail


class ExtractRefused(Exception):
    """The extract is not allowed (permit, date, phase, warehouse). The message names no person."""


class PartNotReady(RuntimeError):
    """A part of Crossroads this extract needs is not available in this installation."""


@dataclass(frozen=True)
class ExtractRequest:
    permit_file: Path
    warehouse: Path
    out: Path
    phase: int = 1
    as_of: date | None = None
    """Reference date; None = today."""
    seed: int | None = None
    """Sample seed; None = drawn at random and recorded in the manifest."""
    backend: str = "duckdb"
    formats: tuple[str, ...] = FORMATS
    actor: str = field(default_factory=lambda: _current_user())


@dataclass(frozen=True)
class ExtractResult:
    delivery: Delivered
    permit_number: str
    version: int
    as_of: date
    simulation: bool
    seed: int
    rows: dict[str, int]
    risk: dict[str, Any]

    @property
    def path(self) -> Path:
        return self.delivery.path


def _current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "crossroads"


def today_utc() -> date:
    return datetime.now(UTC).date()


# ----------------------------------------------------------------------------- seams to the other parts
def _require(module: str, attribute: str) -> Any:
    """``module.attribute``, or a clear PartNotReady naming what is missing."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        raise PartNotReady(f"{module} is not available ({exc.name} missing)") from None
    if not hasattr(mod, attribute):
        raise PartNotReady(f"{module}.{attribute} is not available yet")
    return getattr(mod, attribute)


def run_engine(version: Any, warehouse: Any, *, phase: int, seed: int, backend: str, as_of: date) -> Any:
    """The engine's ``Extract`` (datasets with identifiers still in them)."""
    extract = _require("crossroads.engine", "extract")
    return extract(version, warehouse, phase=phase, seed=seed, backend=backend, as_of=as_of)


def check_key(store: Any, permit_number: str) -> None:
    """Refuse a permit whose key was destroyed (crypto-shredding): its sequence numbers are gone for good."""
    from crossroads.governance import KeyDestroyed, KeyNotFound

    try:
        store.keys.key_for(permit_number)
    except KeyNotFound:
        return  # first extract of the permit: the conversion table creates the key
    except KeyDestroyed:
        raise ExtractRefused(f"permit {permit_number}: its key was destroyed (retention); "
                             "no sequence numbers can be assigned any more") from None


def conversion_table(store: Any, permit_number: str) -> Any:
    """The permit's conversion table (custodian side); it creates the permit's key on first use."""
    table_cls = _require("crossroads.pseudonyms", "ConversionTable")
    return table_cls(Path(store.home) / "pseudonyms", permit_number, store.keys)


def pseudonymise(datasets: Mapping[str, pa.Table], identifier_columns: Mapping[str, Mapping[str, str]],
                 conversion: Any) -> dict[str, pa.Table]:
    """Every dataset with its INSZ and enterprise columns replaced by sequence numbers."""
    replace = _require("crossroads.pseudonyms", "replace")
    out = {}
    for name, table in datasets.items():
        columns = dict(identifier_columns.get(name, {}))
        out[name] = replace(table, columns, conversion) if columns else table
    return out


def assess_risk(tables: Mapping[str, pa.Table], settings: Any, title: str = "Disclosure report") -> Any:
    """The disclosure risk report of the datasets (``to_html(path)``, ``to_dict()``)."""
    assess = _require("crossroads.disclosure", "assess_delivery")
    return assess(persons_view(_missing_as_class(tables, settings), settings), settings, title=title)


def persons_view(tables: Mapping[str, pa.Table], settings: Any) -> dict[str, pa.Table]:
    """One record per person and quasi-identifier combination, for the risk assessment.

    The delivered files repeat a person on every quarter (and year) row; counted per row, one person
    with four quarter rows would look like a class of four. k-anonymity is about persons, so each
    table is reduced to the distinct (person_seq, quasi-identifiers) with the person's first sensitive
    values. Tables without ``person_seq`` are assessed as they are.
    """
    qis = list(getattr(settings, "quasi_identifiers", ()) or ())
    sensitive = list(getattr(settings, "sensitive", ()) or ())
    out = {}
    for name, table in tables.items():
        keys = [c for c in qis if c in table.column_names]
        if "person_seq" not in table.column_names or not keys:
            out[name] = table
            continue
        sens = [c for c in sensitive if c in table.column_names and c not in keys]
        # use_threads=False: "first" is only defined on an ordered scan
        grouped = table.select(["person_seq", *keys, *sens]).group_by(["person_seq", *keys],
                                                                       use_threads=False)
        reduced = grouped.aggregate([(c, "first") for c in sens])
        names = {f"{c}_first": c for c in sens}
        reduced = reduced.rename_columns([names.get(c, c) for c in reduced.column_names])
        out[name] = reduced.select(keys + sens)
    return out


MISSING = "(ontbrekend)"


def _missing_as_class(tables: Mapping[str, pa.Table], settings: Any) -> dict[str, pa.Table]:
    """The tables with missing quasi-identifier and sensitive values as a class of their own.

    A missing value is legitimate in a delivery (residence reason only below 5 years of residence) and an
    attacker sees it like any other value, so the risk assessment counts it as one more class.
    """
    import pyarrow.compute as pc

    columns = set(getattr(settings, "quasi_identifiers", ()) or ())
    columns |= set(getattr(settings, "sensitive", ()) or ())
    out = {}
    for name, table in tables.items():
        for column in columns & set(table.column_names):
            values = table.column(column)
            if values.null_count:
                filled = pc.fill_null(values.cast(pa.string()), MISSING)
                table = table.set_column(table.column_names.index(column), column, filled)
        out[name] = table
    return out


# ----------------------------------------------------------------------------- codebook entries
_STRUCTURAL: dict[str, tuple[str, str, str]] = {
    # column -> (Dutch label, English label, unit)
    "person_seq": ("volgnummer van de persoon (betekenisloos, eigen aan deze machtiging)",
                   "person sequence number (meaningless, specific to this permit)", "person"),
    "employer_seq": ("volgnummer van de werkgever (betekenisloos, eigen aan deze machtiging)",
                     "employer sequence number (meaningless, specific to this permit)", "employer"),
    "year": ("jaar", "year", "person-year"),
    "quarter": ("kwartaal (JJJJK, 20204 = 4de kwartaal 2020)", "quarter (YYYYQ, 20204 = 2020 Q4)",
                "person-quarter"),
    "ref_quarter": ("referentiekwartaal (JJJJK)", "reference quarter (YYYYQ)", "person-quarter"),
    "measure_quarter": ("meetkwartaal van de jaarlijkse kenmerken (JJJJK)",
                        "quarter the yearly characteristics are measured in (YYYYQ)", "person-year"),
    "after_outflow": ("kwartaal na de uitstroom", "quarter after the outflow", "person-quarter"),
}
_YES_NO = {"0": "neen", "1": "ja"}
_AFTER_SUFFIXES = ("_after_outflow", "_after")


def variable_infos(version: Any, dataset: Any, columns: list[str]) -> dict[str, VariableInfo]:
    """Codebook entries for the columns of one permit dataset, from the catalog and the class schemes."""
    from crossroads import catalog

    requests = {r.column_name: r for r in dataset.variables}
    groups = {f"in_{g.name}": g for g in version.target_groups}
    infos: dict[str, VariableInfo] = {}
    for column in columns:
        if column in _STRUCTURAL:
            nl, en, unit = _STRUCTURAL[column]
            labels = _YES_NO if column == "after_outflow" else None
            infos[column] = VariableInfo(column, nl, en, unit=unit, value_labels=labels)
            continue
        if column in groups:
            # membership flag of a jointly sampled population (the workers by source, S000-3)
            group = groups[column]
            infos[column] = VariableInfo(column, f"behoort tot: {group.label}",
                                         f"belongs to target group {group.name}", unit="person-year",
                                         value_labels=_YES_NO, description=group.description or "")
            continue
        request, suffix = requests.get(column), ""
        if request is None:
            for end in _AFTER_SUFFIXES:
                if column.endswith(end) and column[: -len(end)] in requests:
                    request, suffix = requests[column[: -len(end)]], end
        if request is None:
            infos[column] = VariableInfo(column, column, description="not described in the catalog")
            continue
        var = catalog.get(request.name)
        scheme = var.scheme_for(request.options)
        scheme_label = None
        if scheme is not None:
            from crossroads import classes

            scheme_label = classes.scheme(scheme).label
        after_nl, after_en = (" (na de uitstroom)", " (after the outflow)") if suffix else ("", "")
        infos[column] = VariableInfo(
            column, var.label_nl + after_nl, var.label_en + after_en, unit=str(var.unit), scheme=scheme,
            scheme_label=scheme_label, value_labels=var.value_labels(scheme),
            sources=tuple(var.sources), description=var.description,
        )
    return infos


# ----------------------------------------------------------------------------- checks
def check_reference_date(as_of: date | None, today: date, warehouse: Any) -> tuple[date, bool]:
    """(reference date, simulation?) — a date other than today only on a synthetic warehouse."""
    if as_of is None or as_of == today:
        return today, False
    if not warehouse.is_synthetic:
        raise ExtractRefused(
            f"--as-of {as_of.isoformat()} differs from today ({today.isoformat()}): a reference date other "
            f"than today is allowed only on a synthetic warehouse, and {warehouse.root} is not one "
            "(its manifest does not say synthetic: true)")
    return as_of, True


def check_permit(permit: Any, store: Any, as_of: date, phase: int) -> Any:
    """The permit version in force on ``as_of`` after the file's and the registry's checks."""
    from crossroads.governance import PermitRefused
    from crossroads.permits import PermitNotInForce

    try:
        version = permit.version_in_force(as_of)
    except PermitNotInForce as exc:
        raise ExtractRefused(str(exc)) from None
    try:
        registered = store.permit_in_force(permit.number, as_of)
    except PermitRefused as exc:
        hint = " (register it with `crossroads permit register FILE`)" if "not registered" in str(exc) else ""
        raise ExtractRefused(f"{exc}{hint}") from None
    if registered.version != version.version:
        raise ExtractRefused(
            f"permit {permit.number}: the file's version in force on {as_of.isoformat()} is "
            f"{version.version} but the registry's is {registered.version}; register the amended file")
    if phase != 1:
        raise ExtractRefused(f"permit {permit.number}: phase {phase} data never leaves as a delivery; "
                             "phase 2 runs on the full population inside the enclave")
    if phase not in version.phases:
        raise ExtractRefused(f"permit {permit.number} version {version.version} has no phase {phase}")
    return version


# ----------------------------------------------------------------------------- the extract
def run(request: ExtractRequest, *, store: Any | None = None, today: date | None = None,
        step: Step | None = None) -> ExtractResult:
    """Run one extract; raise :class:`ExtractRefused` (audited) when it is not allowed."""
    from crossroads.governance import Store

    tell = step or (lambda _s: None)
    own_store = store is None
    store = store if store is not None else Store()
    try:
        return _run(request, store, today or today_utc(), tell)
    finally:
        if own_store:
            store.close()


def _run(request: ExtractRequest, store: Any, today: date, tell: Step) -> ExtractResult:
    from crossroads import permits
    from crossroads.warehouse.storage import Warehouse

    permit = permits.load(request.permit_file)
    wh = Warehouse(request.warehouse)
    wh.manifest()  # a clear WarehouseError when it is not one
    try:
        as_of, simulation = check_reference_date(request.as_of, today, wh)
        version = check_permit(permit, store, as_of, request.phase)
        check_key(store, permit.number)
    except ExtractRefused as refusal:
        store.audit.append(request.actor, "extract.refused", permit=permit.number,
                           detail={"reason": _LONG_NUMBER.sub("#", str(refusal)), "today": today.isoformat(),
                                   "as_of": (request.as_of or today).isoformat(), "phase": request.phase})
        raise
    seed = request.seed if request.seed is not None else secrets.randbelow(10**9)
    tell(f"building the datasets of permit {permit.number} version {version.version} ({request.backend})")
    extract = run_engine(version, wh, phase=request.phase, seed=seed, backend=request.backend, as_of=as_of)
    tell("replacing INSZ and enterprise numbers by sequence numbers")
    conversion = conversion_table(store, permit.number)
    tables = pseudonymise(extract.datasets, extract.identifier_columns, conversion)
    tell("assessing the small-cell risk")
    risk = assess_risk(tables, version.disclosure,
                       title=f"Small-cell risk analysis — permit {permit.number} version {version.version}, "
                       f"phase {request.phase}")
    datasets = []
    for spec in version.datasets:
        if spec.name not in tables:
            raise PartNotReady(f"the engine did not produce dataset {spec.name!r} of permit {permit.number}")
        table = tables[spec.name]
        datasets.append(Dataset(spec.name, spec.label, spec.unit, table,
                                variable_infos(version, spec, table.column_names)))
    tell("collecting the warehouse's identifiers for the leak scan")
    identifiers = warehouse_identifiers(wh)
    run_date = datetime.now(UTC)
    purpose = " ".join(version.purpose.split())
    info = DeliveryInfo(
        permit_number=permit.number, permit_slug=permit.slug, permit_version=version.version,
        permit_title=" ".join(permit.title.split()), phase=request.phase, run_id=secrets.token_hex(4),
        run_date=run_date, as_of=as_of, simulation=simulation, version_label=version.label, seed=seed,
        recipient=f"{version.output_unit.organisation}/{version.output_unit.unit}", purpose=purpose)
    warehouse_manifest = wh.manifest()
    reports = {
        "population": {"counts": _plain(extract.population_counts),
                       "counts_by_year": _plain(getattr(extract, "population_counts_by_year", {})),
                       "sample": _plain(extract.sample)},
        "match_reports": _plain(extract.match_reports),
        "worker_sources_overlap": _overlap_report(extract, version.disclosure.min_cell),
    }
    delivered = make_delivery(
        request.out, info, datasets, identifiers=identifiers, disclosure=risk, reports=reports,
        formats=request.formats, step=tell,
        manifest_extra={"warehouse": {"synthetic": bool(warehouse_manifest.get("synthetic")),
                                      "scale": warehouse_manifest.get("scale"),
                                      "manifest_sha256": _sha256(wh.manifest_path)},
                        "backend": request.backend,
                        "leak_scan": {"identifiers": identifiers.counts()}})
    rows = {d.name: d.table.num_rows for d in datasets}
    try:
        # No delivery may exist without its retention entry and its audit event.
        store.register_delivery(permit.number, version.version, delivered.path, run_date, phase=request.phase)
        store.audit.append(
            request.actor, "extract", permit=permit.number, version=version.version, purpose=purpose[:500],
            counts={**{f"rows_{k}": v for k, v in rows.items()},
                    "files": len(delivered.manifest["files"]) + 1},
            detail={"delivery": info.name, "phase": request.phase, "as_of": as_of.isoformat(),
                    "simulation": simulation, "seed": seed, "backend": request.backend,
                    "manifest_sha256": _sha256(delivered.path / "manifest.json")})
    except BaseException:
        shutil.rmtree(delivered.path, ignore_errors=True)
        raise
    risk_dict = risk.to_dict()
    return ExtractResult(delivered, permit.number, version.version, as_of, simulation, seed, rows,
                         risk_dict if isinstance(risk_dict, dict) else {})


def warehouse_identifiers(warehouse: Any) -> leaks.Identifiers:
    """Every INSZ and enterprise number held anywhere in a warehouse (all identifier fields of all tables)."""
    from crossroads.warehouse.schema import table as schema_table

    con = warehouse.duckdb()
    found: dict[str, set[str]] = {"insz": set(), "enterprise": set()}
    for name in warehouse.manifest().get("tables", {}):
        try:
            spec = schema_table(name)
        except KeyError:
            continue
        if not warehouse.files(name):
            continue
        for f in spec.identifier_fields:
            if f.identifier in found:
                rows = con.execute(f'SELECT DISTINCT "{f.name}" FROM "{name}" '
                                   f'WHERE "{f.name}" IS NOT NULL').fetchall()
                found[f.identifier].update(r[0] for r in rows)
    return leaks.Identifiers(insz=found["insz"], enterprise=found["enterprise"])


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _plain(value: Any) -> Any:
    """JSON-friendly copy (dicts, lists, numbers, strings) of an engine report."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


def _overlap_report(extract: Any, min_cell: int) -> dict[str, Any]:
    """The overlap of the two worker sources per year (population counts), small counts suppressed."""
    overlap = getattr(extract, "overlap", None)
    if overlap is None or not isinstance(overlap, pa.Table):
        return {"rows": []}
    rows = overlap.to_pylist()
    suppressed = 0
    for row in rows:
        for key, value in row.items():
            is_count = key not in ("year", "sample") and not key.startswith("in_")  # not a flag or key
            if is_count and isinstance(value, int) and 0 < value < min_cell:
                row[key] = None  # fewer than min_cell persons: not shown (S000-2 small-cell rule)
                suppressed += 1
    return {"rows": rows, "min_cell": min_cell, "suppressed_cells": suppressed}
