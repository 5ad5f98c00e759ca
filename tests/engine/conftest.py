"""Fixtures of the engine tests: the tiny hand-made warehouse and an engine on each backend."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import tiny_warehouse

from crossroads.warehouse.storage import Warehouse


@pytest.fixture(scope="session")
def tiny_wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return tiny_warehouse.build(tmp_path_factory.mktemp("tiny") / "wh")


@pytest.fixture
def engine_on(backend_name: str, tiny_wh: Warehouse, request: pytest.FixtureRequest) -> Iterator[Any]:
    from crossroads import engine

    spark = request.getfixturevalue("spark_session") if backend_name == "spark" else None
    e = engine.connect(tiny_wh, backend_name, spark=spark)  # type: ignore[arg-type]
    yield e
    e.close()
