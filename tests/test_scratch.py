"""Temporary folders that hold identifiers (the engine's stored tables, a workspace's files before the
numbers are replaced) are private and do not outlive a killed process: the next run removes them."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from crossroads.scratch import private_folder


def test_folders_of_dead_processes_are_removed_live_ones_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(finished.stdout)
    dead = tmp_path / f"crossroads-workspace-{dead_pid}-abc"
    (dead / "built").mkdir(parents=True)
    (dead / "built" / "persons.parquet").write_bytes(b"PAR1")
    live = tmp_path / f"crossroads-workspace-{os.getpid()}-def"
    live.mkdir()
    other = tmp_path / f"crossroads-engine-{dead_pid}-ghi"  # another prefix: not this sweep's business
    other.mkdir()
    made = private_folder("crossroads-workspace")
    assert not dead.exists()
    assert live.exists() and other.exists()
    assert made.parent == tmp_path and made.name.startswith(f"crossroads-workspace-{os.getpid()}-")
    assert stat.S_IMODE(made.stat().st_mode) == 0o700
