"""The import rule of DESIGN.md: classes imports only codelists."""

from __future__ import annotations

import subprocess
import sys


def test_classes_imports_only_codelists() -> None:
    code = (
        "import sys, crossroads.classes; "
        "print(' '.join(m for m in sys.modules if m.startswith('crossroads.')))"
    )
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert {m.split(".")[1] for m in loaded} == {"classes", "codelists"}
