"""Retention: destroy what a permit no longer allows us to keep, and certify it in the audit trail.

On or after a permit's retention date (21/150: 2024-09-01, 15/018: 2017-03-31, 21/128: 2031-01-31)
every registered delivery and workspace of the permit is hashed and deleted, its key is destroyed
(crypto-shredding: the conversion table can never be decrypted again) and the permit is marked
destroyed, so that ``permit_in_force`` refuses it for good. Permits kept "N years after each record"
(19/072: 10 years) instead call the purge hooks their owners registered, with the cut-off date.
Phase-1 deliveries are also destroyed ``phase1_years_after_delivery`` years after delivery (S000-8).
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import update

from crossroads.governance.audit import Event, prepare
from crossroads.governance.errors import PermitRegistrationError
from crossroads.governance.models import StoredData
from crossroads.governance.store import Store

# A purge hook deletes the permit's records older than ``cutoff`` and returns how many it deleted.
PurgeHook = Callable[[str, date], int]
_PURGE_HOOKS: dict[str, list[PurgeHook]] = {}


def register_record_purge(permit_number: str, hook: PurgeHook) -> None:
    """Registers a function that deletes a permit's records older than the cut-off date it is given
    (for permits that keep data N years after each record, like 19/072)."""
    _PURGE_HOOKS.setdefault(permit_number, []).append(hook)


def unregister_record_purges(permit_number: str) -> None:
    _PURGE_HOOKS.pop(permit_number, None)


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True)
class Destruction:
    """One destruction certificate, as recorded in the audit trail (event ``audit_seq``)."""

    permit: str
    reason: str
    locations: int
    files: int
    bytes: int
    records: int
    key_destroyed: bool
    audit_seq: int


@dataclass
class RetentionReport:
    today: date
    dry_run: bool
    destructions: list[Destruction] = field(default_factory=list)
    due: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.dry_run:
            due = "; ".join(self.due) or "none"
            return f"retention on {self.today} (dry run): {len(self.due)} destruction(s) due: {due}"
        files = sum(d.files for d in self.destructions)
        records = sum(d.records for d in self.destructions)
        permits = sorted({d.permit for d in self.destructions if d.key_destroyed})
        return (
            f"retention on {self.today}: {len(self.destructions)} certificate(s), {files} file(s) and "
            f"{records} record(s) destroyed; permits destroyed: {', '.join(permits) or 'none'}"
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _inventory(locations: list[StoredData], progress: Callable[[str], None] | None) -> list[dict[str, Any]]:
    """What is about to be destroyed: every file with its size and sha256."""
    entries: list[dict[str, Any]] = []
    for location in locations:
        root = Path(location.path)
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
        if root.is_file():
            files = [root]
        listed = []
        for path in files:
            if progress is not None:
                progress(f"hashing {path.name}")
            listed.append(
                {
                    "file": str(path.relative_to(root)) if path != root else path.name,
                    "bytes": path.stat().st_size,
                    "sha256": _sha256(path),
                }
            )
        entries.append(
            {
                "kind": location.kind,
                "path": str(root),
                "version": location.version,
                "created": location.created.date().isoformat(),
                "present": root.exists(),
                "files": listed,
            }
        )
    return entries


def _destroy_locations(
    store: Store,
    locations: list[StoredData],
    *,
    permit: str,
    version: int,
    actor: str,
    reason: str,
    destroy_key: bool,
    progress: Callable[[str], None] | None,
    run_on: date,
) -> Destruction:
    inventory = _inventory(locations, progress)
    files = sum(len(e["files"]) for e in inventory)
    size = sum(f["bytes"] for e in inventory for f in e["files"])
    counts = {
        "locations": len(locations),
        "deliveries": sum(1 for loc in locations if loc.kind == "delivery"),
        "workspaces": sum(1 for loc in locations if loc.kind == "workspace"),
        "files": files,
        "bytes": size,
        "keys": 1 if destroy_key else 0,
    }
    # ``run_on`` differs from the event's own time when retention ran "as if" on another date.
    detail = {"certificate": {"reason": reason, "run_on": run_on.isoformat(), "locations": inventory}}
    event = Event(actor, "retention.destroy", permit, version, reason, counts, detail)
    prepare(event)  # the certificate must be recordable before anything is deleted
    now = store.clock()
    for location in locations:
        if progress is not None:
            progress(f"deleting {location.kind} {location.id}")
        path = Path(location.path)
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        with store.sessions.begin() as session:
            session.execute(update(StoredData).where(StoredData.id == location.id).values(destroyed=now))
    if destroy_key:
        store.keys.destroy(permit)
        store.registry.mark_destroyed(permit, now)
    seq = store.audit.append_many([event])[0]
    return Destruction(permit, reason, len(locations), files, size, 0, destroy_key, seq)


def destroy_permit(
    store: Store,
    number: str,
    *,
    reason: str,
    actor: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Destruction:
    """Destroys a permit now (all its registered data and its key), e.g. when it is withdrawn."""
    if store.registry.status(number, store.clock().date()) == "destroyed":
        raise PermitRegistrationError(f"permit {number} is already destroyed")
    governing = store.registry.governing(number, store.clock().date())
    return _destroy_locations(
        store,
        store.stored_data(number),
        permit=number,
        version=governing.version,
        actor=actor or store.actor,
        reason=reason,
        destroy_key=True,
        progress=progress,
        run_on=store.clock().date(),
    )


def run_retention(
    store: Store,
    today: date,
    *,
    actor: str | None = None,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> RetentionReport:
    """Destroys everything past its retention date on ``today`` (see the module docstring)."""
    actor = actor or store.actor
    report = RetentionReport(today=today, dry_run=dry_run)
    for number in store.registry.numbers():
        governing = store.registry.governing(number, today)
        locations = store.stored_data(number)
        if governing.retention_until is not None and today >= governing.retention_until:
            reason = f"retention date {governing.retention_until} reached"
            report.due.append(f"{number} (all data and key: {reason})")
            if not dry_run:
                report.destructions.append(
                    _destroy_locations(
                        store,
                        locations,
                        permit=number,
                        version=governing.version,
                        actor=actor,
                        reason=reason,
                        destroy_key=True,
                        progress=progress,
                        run_on=today,
                    )
                )
            continue
        years = governing.phase1_years_after_delivery
        if years is not None:
            cutoff = years_before(today, years)
            old = [loc for loc in locations if loc.phase == 1 and loc.created.date() <= cutoff]
            if old:
                reason = f"phase-1 data kept at most {years} years after delivery (delivered by {cutoff})"
                report.due.append(f"{number} ({len(old)} phase-1 location(s))")
                if not dry_run:
                    report.destructions.append(
                        _destroy_locations(
                            store,
                            old,
                            permit=number,
                            version=governing.version,
                            actor=actor,
                            reason=reason,
                            destroy_key=False,
                            progress=progress,
                            run_on=today,
                        )
                    )
        years = governing.retention_years_after_record
        if years is not None:
            cutoff = years_before(today, years)
            hooks = _PURGE_HOOKS.get(number, [])
            if not hooks:
                report.warnings.append(
                    f"permit {number} keeps data {years} years after each record "
                    "but no purge hook is registered"
                )
                continue
            report.due.append(f"{number} (records before {cutoff})")
            if dry_run:
                continue
            records = 0
            for hook in hooks:
                if progress is not None:
                    progress(f"purging records of {number} before {cutoff}")
                records += int(hook(number, cutoff))
            seq = store.audit.append(
                actor,
                "retention.purge_records",
                permit=number,
                version=governing.version,
                purpose=f"records kept {years} years after each record",
                counts={"records": records, "hooks": len(hooks)},
                detail={"cutoff": cutoff.isoformat()},
            )
            report.destructions.append(
                Destruction(number, f"records before {cutoff}", 0, 0, 0, records, False, seq)
            )
    return report
