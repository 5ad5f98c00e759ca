"""The store: Alembic migrations match the models, settings, durability across reopenings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from crossroads.governance import Store
from crossroads.governance.models import Base
from crossroads.governance.store import database_url


def test_the_migrated_schema_matches_the_models(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert context.get_current_revision() == "0001"
        assert compare_metadata(context, Base.metadata) == []


def test_reopening_keeps_everything(make_store: Callable[..., Store]) -> None:
    first = make_store()
    first.audit.append("ann", "extract", counts={"rows": 1})
    first.close()
    second = make_store()  # migrations run again: a no-op on an up-to-date schema
    assert second.audit.count() == 1
    assert second.audit.verify().ok


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CROSSROADS_DB_URL", raising=False)
    monkeypatch.setenv("CROSSROADS_HOME", str(tmp_path))
    assert database_url() == f"sqlite:///{tmp_path}/crossroads.db"
    monkeypatch.delenv("CROSSROADS_HOME")
    assert database_url() == "sqlite:///var/crossroads.db"
    monkeypatch.setenv("CROSSROADS_DB_URL", "postgresql+psycopg://u@h/db")
    assert database_url() == "postgresql+psycopg://u@h/db"


def test_governance_imports_nothing_else_from_crossroads() -> None:
    """DESIGN.md: governance is called by everyone and calls no one."""
    import ast

    import crossroads.governance

    root = Path(crossroads.governance.__file__).parent
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                if name.startswith("crossroads"):
                    assert name.startswith("crossroads.governance"), f"{path.name} imports {name}"
