"""Property test of `amend`: removing and adding named variables is plain list arithmetic."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crossroads.permits import load_text

from .snippets import BASE

NAMES = [f"var_{i}" for i in range(12)]


def with_variables(names: list[str]) -> str:
    lines = BASE.splitlines()
    # Lines 30-31 hold the dataset's variables; replace them by `names`.
    body = [f"          - name: {n}" for n in names]
    return "\n".join(lines[:29] + body + lines[31:]) + "\n"


@settings(max_examples=50, deadline=None)
@given(
    base=st.lists(st.sampled_from(NAMES), min_size=1, max_size=8, unique=True),
    data=st.data(),
)
def test_amend_removes_and_appends_by_name(base: list[str], data: st.DataObject) -> None:
    removed = data.draw(st.lists(st.sampled_from(base), max_size=len(base) - 1, unique=True))
    added = data.draw(st.lists(st.sampled_from([n for n in NAMES if n not in base]), max_size=3, unique=True))
    changes = [f"            - {{name: {n}, remove: true}}" for n in removed]
    changes += [f"            - name: {n}" for n in added]
    text = with_variables(base)
    text += (
        "  - version: 2\n    extends: 1\n    label: wijziging\n    approved: 2022-01-05\n"
        "    effective: 2022-01-05\n"
    )
    if changes:
        text += (
            "    amend:\n      datasets:\n        - name: d1\n          variables:\n"
            + "\n".join(changes)
            + "\n"
        )
    v1, v2 = load_text(text).versions
    assert [v.name for v in v1.datasets[0].variables] == base
    assert [v.name for v in v2.datasets[0].variables] == [n for n in base if n not in removed] + added
