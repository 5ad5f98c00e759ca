"""Atomic publishing: a complete, verified delivery at the target, or nothing at all (no partial dir)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from crossroads.delivery import manifest
from crossroads.delivery.publish import PublishError, partial_dirs, publish, sweep_partials


def _good_build(root: Path) -> None:
    (root / "csv").mkdir()
    (root / "csv" / "a.csv").write_text("x,y\n1,2\n")
    manifest.write(root, {"files": manifest.file_entries(root)})


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir())


def test_success_publishes_the_complete_directory(tmp_path: Path) -> None:
    target = tmp_path / "out" / "d1"
    assert publish(target, _good_build) == target
    assert (target / "csv" / "a.csv").read_text() == "x,y\n1,2\n"
    assert manifest.verify(target) == []
    assert _leftovers(tmp_path / "out") == ["d1"]


def test_failure_midway_leaves_nothing(tmp_path: Path) -> None:
    def build(root: Path) -> None:
        (root / "csv").mkdir()
        (root / "csv" / "a.csv").write_text("half")
        raise RuntimeError("disk full (injected)")

    with pytest.raises(RuntimeError, match="injected"):
        publish(tmp_path / "d1", build)
    assert _leftovers(tmp_path) == []


def test_ctrl_c_midway_leaves_nothing(tmp_path: Path) -> None:
    def build(root: Path) -> None:
        (root / "a").write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        publish(tmp_path / "d1", build)
    assert _leftovers(tmp_path) == []


def test_failure_at_the_rename_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_rename(src: object, dst: object) -> None:
        raise OSError("rename failed (injected)")

    monkeypatch.setattr("crossroads.delivery.publish.os.rename", failing_rename)
    with pytest.raises(OSError, match="injected"):
        publish(tmp_path / "d1", _good_build)
    assert _leftovers(tmp_path) == []


def test_checksum_mismatch_is_not_published(tmp_path: Path) -> None:
    def build(root: Path) -> None:
        _good_build(root)
        (root / "csv" / "a.csv").write_text("x,y\n1,3\n")  # changed after the manifest was written

    with pytest.raises(PublishError, match=r"csv/a.csv: sha256 differs"):
        publish(tmp_path / "d1", build)
    assert _leftovers(tmp_path) == []


def test_build_without_manifest_is_not_published(tmp_path: Path) -> None:
    with pytest.raises(PublishError, match=r"no manifest\.json"):
        publish(tmp_path / "d1", lambda root: (root / "a").write_text("x"))
    assert _leftovers(tmp_path) == []


def test_a_failing_gate_stops_publication(tmp_path: Path) -> None:
    def gate(root: Path) -> None:
        assert (root / "csv" / "a.csv").is_file()  # the gate sees the complete staging directory
        raise PublishError("leak found (injected)")

    with pytest.raises(PublishError, match="injected"):
        publish(tmp_path / "d1", _good_build, gate=gate)
    assert _leftovers(tmp_path) == []


def test_an_existing_delivery_is_never_overwritten(tmp_path: Path) -> None:
    publish(tmp_path / "d1", _good_build)
    before = (tmp_path / "d1" / "manifest.json").read_bytes()
    with pytest.raises(PublishError, match="already exists"):
        publish(tmp_path / "d1", _good_build)
    assert (tmp_path / "d1" / "manifest.json").read_bytes() == before
    assert _leftovers(tmp_path) == ["d1"]


def test_a_killed_run_leaves_no_delivery_and_its_partial_dir_is_swept(tmp_path: Path) -> None:
    # A process killed with SIGKILL cannot clean up after itself: its staging directory stays, hidden,
    # and the next publish in the same folder removes it.
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from crossroads.delivery.publish import publish
        def build(root):
            (root / "a.csv").write_text("half")
            print("ready", flush=True)
            time.sleep(60)
        publish(Path({str(tmp_path / "d1")!r}), build)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert not (tmp_path / "d1").exists()
    assert len(partial_dirs(tmp_path)) == 1
    publish(tmp_path / "d2", _good_build)
    assert _leftovers(tmp_path) == ["d2"]


def test_sweep_keeps_the_staging_dir_of_a_live_process(tmp_path: Path) -> None:
    live = tmp_path / f".d1.partial-{os.getpid()}-abcd"
    live.mkdir()
    assert sweep_partials(tmp_path) == []
    assert live.is_dir()
