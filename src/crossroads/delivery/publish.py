"""Atomic publishing: a delivery appears complete and verified at its final path, or not at all.

The delivery is written into a hidden sibling directory (``.<name>.partial-<pid>-<random>``) on the same
filesystem, its checksums are verified against the manifest, a final gate runs (the leak scan), every
file and directory is fsynced, and one ``rename`` makes it visible. Any failure (an exception, Ctrl-C)
removes the staging directory. A process killed outright cannot clean up, so each publish first sweeps
the partial directories of processes that no longer run.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path

from crossroads.delivery import manifest as manifests
from crossroads.delivery.contents import DeliveryError
from crossroads.scratch import alive

_PARTIAL = re.compile(r"^\.(?P<name>.+)\.partial-(?P<pid>\d+)-[0-9a-f]+$")


class PublishError(DeliveryError):
    """Publishing failed; nothing was left at the target."""


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(root: Path) -> None:
    """fsync every file and directory under ``root`` (directories last, so their entries are durable)."""
    dirs = []
    for path in root.rglob("*"):
        if path.is_dir():
            dirs.append(path)
        else:
            _fsync(path)
    for d in sorted(dirs, key=lambda p: len(p.parts), reverse=True):
        _fsync(d)
    _fsync(root)


def partial_dirs(parent: Path) -> list[Path]:
    """Staging directories under ``parent`` (of any process)."""
    if not parent.is_dir():
        return []
    return sorted(p for p in parent.iterdir() if p.is_dir() and _PARTIAL.match(p.name))


def sweep_partials(parent: Path) -> list[Path]:
    """Remove staging directories left by processes that were killed; return what was removed."""
    removed = []
    for path in partial_dirs(parent):
        m = _PARTIAL.match(path.name)
        if m and not alive(int(m["pid"])):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def publish(
    target: Path, build: Callable[[Path], None], *, gate: Callable[[Path], None] | None = None
) -> Path:
    """Build a delivery with ``build(staging_dir)`` and publish it at ``target`` atomically.

    ``build`` must write every file including ``manifest.json`` (see :mod:`crossroads.delivery.manifest`).
    ``gate(staging_dir)`` runs after the checksums are verified and may raise to stop publication.
    """
    target = Path(target)
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    sweep_partials(parent)
    if target.exists():
        raise PublishError(f"{target}: already exists; a delivery is never overwritten")
    staging = parent / f".{target.name}.partial-{os.getpid()}-{secrets.token_hex(4)}"
    staging.mkdir()
    try:
        build(staging)
        problems = manifests.verify(staging)
        if problems:
            raise PublishError(f"{target.name}: checksum verification failed: " + "; ".join(problems[:5]))
        if gate is not None:
            gate(staging)
        fsync_tree(staging)
        if target.exists():  # someone else published the same name meanwhile
            raise PublishError(f"{target}: already exists; a delivery is never overwritten")
        os.rename(staging, target)
        _fsync(parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
