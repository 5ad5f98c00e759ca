"""Shared fixtures: the two engines, and a guard against unseeded randomness."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

# Imported once here: rich touches the global random module when it is first imported, which would
# otherwise trip the RNG guard below in whichever test imports the CLI first.
import crossroads.cli  # noqa: F401

BACKENDS = ("duckdb", "spark")


@pytest.fixture(autouse=True)
def _no_global_rng() -> Iterator[None]:
    """Fail any test whose code draws from the global RNGs: randomness must come from a seed."""
    np_state = np.random.get_state()[1].copy()  # type: ignore[index]
    py_state = random.getstate()
    yield
    if not np.array_equal(np.random.get_state()[1], np_state):  # type: ignore[index]
        pytest.fail("code used numpy's global RNG; pass a seeded numpy.random.Generator instead")
    if random.getstate() != py_state:
        pytest.fail("code used Python's global random module; use a seeded generator instead")


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("crossroads-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(params=BACKENDS)
def backend_name(request: pytest.FixtureRequest) -> str:
    """Runs the test once per engine; mark-selectable with ``-m 'not spark'`` locally."""
    name: str = request.param
    return name


@pytest.fixture
def ibis_con(backend_name: str, request: pytest.FixtureRequest) -> Any:
    """A fresh Ibis connection on the engine under test."""
    import ibis

    if backend_name == "duckdb":
        return ibis.duckdb.connect()
    return ibis.pyspark.connect(request.getfixturevalue("spark_session"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Mark every test instance that runs on Spark, so ``-m "not spark"`` gives a quick local run.
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "spark" in callspec.params.values():
            item.add_marker(pytest.mark.spark)
