"""Alembic migrations of the metadata store, shipped inside the package and run on open."""
