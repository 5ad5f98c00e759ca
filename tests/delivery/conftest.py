"""Fixtures: small hand-made deliveries (see ``samples``)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pyarrow as pa
import pytest

from crossroads.delivery.contents import Dataset, DeliveryInfo, VariableInfo

from .samples import SEX, workers_table, workers_variables


@pytest.fixture
def workers() -> Dataset:
    return Dataset(
        "workers_timeseries", "Werknemers, tijdreeks", "person-year", workers_table(), workers_variables()
    )


@pytest.fixture
def users() -> Dataset:
    table = pa.table({"person_seq": pa.array([5, 6], pa.int64()), "sex": ["1", "1"]})
    variables = {
        "person_seq": VariableInfo("person_seq", "volgnummer van de persoon", unit="person"),
        "sex": SEX,
    }
    return Dataset("users_timeseries", "Gebruikers, tijdreeks", "person-year", table, variables)


@pytest.fixture
def info() -> DeliveryInfo:
    return DeliveryInfo(
        permit_number="21/150",
        permit_slug="21-150",
        permit_version=1,
        permit_title="Dienstencheques",
        phase=1,
        run_id="0a1b2c3d",
        run_date=datetime(2026, 11, 22, 6, 30, tzinfo=UTC),
        as_of=date(2022, 6, 30),
        simulation=True,
        version_label="origineel",
        seed=42,
    )
