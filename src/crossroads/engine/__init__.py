"""The engine: compiles a permit version into Ibis expressions and runs them on DuckDB or Spark.

``connect(warehouse, backend)`` opens a warehouse; ``extract(version, warehouse, phase=..., seed=...)`` runs a
permit version; ``populations(version, warehouse)`` builds its target groups only (counts, overlap,
match reports); ``population_rules()`` lists the population rules a permit's target groups can name.
"""

from __future__ import annotations

from crossroads.engine.backends import BACKENDS, Engine, EngineError, connect
from crossroads.engine.extract import PASS_PERSONS, Extract, extract, populations, slice_refusal
from crossroads.engine.population import PopulationRule, population_rules

# Imported for their side effect: they register the population rules of later permits.
from crossroads.engine import diplomas, social_economy  # noqa: F401  # isort: skip

__all__ = [
    "BACKENDS",
    "PASS_PERSONS",
    "Engine",
    "EngineError",
    "Extract",
    "PopulationRule",
    "connect",
    "extract",
    "population_rules",
    "populations",
    "slice_refusal",
]
