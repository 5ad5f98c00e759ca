"""The linked data warehouse: schema (defined once), storage, validation, import, synthetic generator.

Imports nothing from ``crossroads`` but ``codelists``.
"""
