"""Alembic environment: always run programmatically by ``store.migrate`` with an open connection."""

from __future__ import annotations

from alembic import context

from crossroads.governance.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached from the alembic command line
    raise RuntimeError("run migrations through crossroads.governance.store.migrate(), not the alembic CLI")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
