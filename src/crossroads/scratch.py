"""Scratch folders: private temporary folders for files that hold identifiers, and what a killed process
left behind.

A run writes identifiers to disk before they are replaced (the engine's stored tables and spill files, an
enclave workspace's files before pseudonymisation, a delivery being staged). Each such folder carries the
process id in its name, so the next run can remove the folders of processes that no longer exist. Knows no
other part of Crossroads (the engine and the delivery both use it).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def alive(pid: int) -> bool:
    """Whether a process with this id exists (owned by anyone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def private_folder(prefix: str) -> Path:
    """A new temporary folder (mode 0700) ``<prefix>-<pid>-*``; first removes the folders of that prefix
    left by processes that no longer run (killed before their cleanup)."""
    for stale in Path(tempfile.gettempdir()).glob(f"{prefix}-*-*"):
        pid = stale.name.removeprefix(f"{prefix}-").split("-", 1)[0]
        if stale.is_dir() and pid.isdigit() and not alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}-{os.getpid()}-"))
