"""The import rule of DESIGN.md: pseudonyms imports only governance."""

from __future__ import annotations

import subprocess
import sys


def test_pseudonyms_imports_only_governance() -> None:
    code = (
        "import sys, crossroads.pseudonyms; "
        "print(' '.join(m for m in sys.modules if m.startswith('crossroads.')))"
    )
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert {m.split(".")[1] for m in loaded} == {"pseudonyms", "governance"}
