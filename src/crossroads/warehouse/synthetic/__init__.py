"""Population-scale synthetic warehouse: coherent life courses with real Belgian codes.

``build(out_dir, scale, seed)`` writes every table of :mod:`crossroads.warehouse.schema`; scale 1.0 is
Belgium (about 11.8 million inhabitants plus those who arrive, leave or die in 2007-2024). Modules are
named after the domain they generate: population, households, residence, education, careers, employers,
dmfa, benefits, vouchers, positions; calibration holds the published figures and their SQL.
"""

from crossroads.warehouse.synthetic.build import GENERATOR_VERSION, WarehouseExists, build

__all__ = ["GENERATOR_VERSION", "WarehouseExists", "build"]
