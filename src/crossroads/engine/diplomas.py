"""Population rules: diplomas (issue 6). Each rule is added with `population.register(...)` when imported."""

from __future__ import annotations
