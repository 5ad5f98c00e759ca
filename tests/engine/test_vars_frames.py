"""The frame variables (``catalog/frames.py``): their golden values in datasets are in ``test_extract_units``
(group_membership flags, employer_seq as the row's employer, person_count / employer_count of aggregates);
here what they do outside a dataset."""

from __future__ import annotations

import pyarrow as pa
import pytest
import tiny_extract as tx

from crossroads import catalog, engine
from crossroads.warehouse.storage import Warehouse

GOLDEN_NAMES: set[str] = {"group_membership", "employer_seq", "person_count", "employer_count"}
E1 = tx.E1


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return tx.build(tmp_path_factory.mktemp("frames") / "wh")


def test_frame_variables_refuse_outside_a_dataset() -> None:
    with pytest.raises(ValueError, match="computed by the engine"):
        catalog.get("person_count").derivation(None, None)


def test_employer_seq_is_the_employer(wh: Warehouse) -> None:
    # outside a dataset employer_seq's value is the enterprise number of its points (an identifier)
    var = catalog.get("employer_seq")
    assert var.identifier == "employer" and var.unit == "employer"
    with engine.connect(wh) as e:
        pts = e.register_arrow(
            "p", pa.table({"enterprise_number": [E1], "ref_quarter": pa.array([20134], pa.int32())})
        )
        out = e.to_arrow(var.derive(e, pts))
    assert out.to_pylist() == [{"enterprise_number": E1, "ref_quarter": 20134, "value": E1}]
