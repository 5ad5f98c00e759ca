"""A run built in slices of persons gives the same files as one pass (issue 6), on a whole example permit.

21/128 reads about more persons than the slice's own: household members (household type, work intensity),
parents (their residence reasons, nationality at birth) and every job of the DmfA. The warehouse's
person-keyed rows are cut once per run into one part per slice (``Engine.set_run_scope``); a person whose
household spans two slices must be in both parts. Slices hold whole households (``engine.slicing``), so
that happens only when a household is cut (a component larger than a slice); the test cuts by INSZ ranges
too, where it happens all the time. A small synthetic warehouse (scale 0.0003, about 4,500 persons) is
extracted in phase 2 in one pass and in slices of 1,000 persons; every dataset must agree as a set of rows
(``engine.parity.diff_tables``).
"""

from __future__ import annotations

import importlib
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import row_order

from crossroads import engine, permits
from crossroads.engine import backends, parity
from crossroads.warehouse.storage import Warehouse
from crossroads.warehouse.synthetic.build import build

PERMIT = Path(__file__).resolve().parents[2] / "examples" / "permits" / "21-128.yaml"
AS_OF = date(2025, 12, 1)


@pytest.fixture(scope="module")
def small_wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return build(tmp_path_factory.mktemp("slices") / "wh", scale=0.0003, seed=5)


def _insz_ranges(
    persons: np.ndarray, person: np.ndarray, home: np.ndarray, slice_persons: int, component_keys: Any = None
) -> np.ndarray:
    """The former cut: ``slice_persons`` persons at a time in INSZ order (households split across slices)."""
    return (np.arange(len(persons)) // slice_persons).astype(np.int32)


@pytest.mark.parametrize(
    ("pass_persons", "cut"),
    [(engine.PASS_PERSONS, "households"), (2000, "households"), (2000, "insz ranges")],
)
def test_21_128_in_slices_equals_one_pass(
    small_wh: Warehouse, tmp_path: Path, pass_persons: int, cut: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shared blocks built once for the whole run, or per pass of two slices (as at scale 1.0, where the
    whole run's blocks did not fit on disk), slices of whole households or of INSZ ranges: the same rows."""
    if cut == "insz ranges":
        # (``crossroads.engine.extract`` the attribute is the function; the module by its name)
        monkeypatch.setattr(
            importlib.import_module("crossroads.engine.extract"), "household_slices", _insz_ranges
        )
    scopes: list[pa.Table] = []
    set_run_scope = backends.Engine.set_run_scope

    def spy(self: Any, slices: Any, pass_slices: int | None = None) -> None:
        if slices is not None:
            scopes.append(self.to_arrow(slices))
        set_run_scope(self, slices, pass_slices)

    monkeypatch.setattr(backends.Engine, "set_run_scope", spy)
    # The files each shared block's folder receives (``Engine._write_parts``, ``Engine._write``).
    folders: dict[str, list[Path]] = {}
    written: dict[Path, list[str]] = {}
    write_parts, write = backends.Engine._write_parts, backends.Engine._write

    def spy_parts(
        self: Any, key: str, build: Any, companions: Any, in_pass: Any, into: dict[str, Path]
    ) -> Any:
        folders.setdefault(key, []).append(into[key])
        return write_parts(self, key, build, companions, in_pass, into)

    def spy_write(self: Any, expr: Any, folder: Path, sort_by: str, name: str = "rows.parquet") -> None:
        written.setdefault(folder, []).append(name)
        write(self, expr, folder, sort_by, name)

    monkeypatch.setattr(backends.Engine, "_write_parts", spy_parts)
    monkeypatch.setattr(backends.Engine, "_write", spy_write)
    version = permits.load(PERMIT).version_in_force(AS_OF)
    whole = engine.extract(version, small_wh, phase=2, seed=1, as_of=AS_OF)
    sliced = engine.extract(
        version,
        small_wh,
        phase=2,
        seed=1,
        as_of=AS_OF,
        write_to=tmp_path / "out",
        slice_persons=1000,
        pass_persons=pass_persons,
    )
    assert sliced.slices >= 3
    assert sliced.passes == (1 if pass_persons == engine.PASS_PERSONS else -(-sliced.slices // 2))
    assert set(sliced.files) == set(whole.datasets) == {d.name for d in version.datasets}
    for name, table in whole.datasets.items():
        assert table.num_rows > 0, name
        assert parity.diff_tables(pq.read_table(sliced.files[name]), table) == [], name
    assert sliced.population_counts == whole.population_counts
    # The blocks of quarter-keyed tables (the flattened DmfA, the socio-economic positions, the worker
    # lines' flags) built a calendar year of the run's quarters at a time, in every pass; the others whole.
    assert sliced.run_quarters is not None
    years = [
        f"rows-{y}.parquet" for y in range(sliced.run_quarters[0] // 10, sliced.run_quarters[1] // 10 + 1)
    ]
    assert len(years) >= 2
    chunked = {"occupations", "scoped:socio_economic_position", "scoped:worker_line_flags"}
    assert chunked <= set(folders) and "members:person" in folders
    for key, into in folders.items():
        assert len(into) == sliced.passes, key
        for folder in into:
            assert written[folder] == (years if key in chunked else ["rows.parquet"]), key
    # Slices of whole households: every person of a scope (own or member) is in one slice only.
    (scope,) = scopes
    rows = scope.to_pylist()
    slices_of: dict[str, set[int]] = {}
    for r in rows:
        slices_of.setdefault(r["insz"], set()).add(r[backends.SLICE_COLUMN])
    in_several = [insz for insz, numbers in slices_of.items() if len(numbers) > 1]
    if cut != "households":
        assert len(in_several) > 100  # the households across slices this test must also cover
        return
    assert in_several == []
    # The order of the slices and of the rows tells nothing of the INSZ (hence the birth date): about no
    # correlation (standard deviation ~0.015 for 4,500 persons, ~0.03 for the slices' 1,600 households;
    # sorted by INSZ or cut in INSZ order: ~1).
    own = sorted((r["insz"], r[backends.SLICE_COLUMN]) for r in rows if r[backends.OWN_COLUMN])
    numbers = np.array([number for _, number in own])
    assert abs(float(np.corrcoef(np.arange(len(own)), numbers)[0, 1])) < 0.1
    files = {name: pq.read_table(path) for name, path in sliced.files.items()}
    for name, table in [*files.items(), *whole.datasets.items()]:
        persons = row_order.persons_in_order(table)
        if len(persons) < 500:
            continue  # naric: three persons
        assert abs(row_order.rank_correlation(persons)) < 0.1, name
        # and within a slice's rows too (~1,000 persons each; within ~1,000 persons standard deviation ~0.03)
        for start in range(0, len(persons) - 500, 500):
            assert abs(row_order.rank_correlation(persons[start : start + 500])) < 0.25, name
    keys = {
        "persons": ["insz", "year", "quarter"],
        "labour_market": ["insz", "year", "quarter"],
        "education": ["insz", "record_seq"],
    }
    for name, key in keys.items():
        row_order.assert_rows_in_key_order(files[name], key)
    # One random order of the persons for the whole run, every dataset of a slice in it; another run, another.
    in_order = row_order.persons_in_order(files["persons"])
    assert in_order == row_order.persons_in_order(files["labour_market"])
    assert in_order != row_order.persons_in_order(whole.datasets["persons"])
