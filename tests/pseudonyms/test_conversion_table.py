"""The conversion table: stable within a permit, unlinkable across permits, encrypted and authenticated."""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr

from crossroads.pseudonyms import (
    ConversionTable,
    ConversionTableCorrupt,
    FileKeyStore,
    KeyDestroyed,
    KeyNotFound,
)

from .synthetic import make_enterprises, make_insz


def _seq(table: ConversionTable, values: pa.Array, kind: str = "person") -> np.ndarray:
    out = table.assign(values, kind)  # type: ignore[arg-type]
    assert out.type == pa.int64()
    return np.asarray(out.to_numpy(zero_copy_only=False))


def test_stable_across_deliveries_and_reopen(
    tmp_path: Path, keystore: FileKeyStore, master_key: bytes
) -> None:
    people = make_insz(1_500, seed=1)
    first, second_new = people.slice(0, 1_000), people.slice(1_000, 500)
    table = ConversionTable(tmp_path / "conv", "21/150", keystore)
    s1 = _seq(table, first)
    # Dense numbering: 1,000 distinct values get exactly the numbers 1..1,000.
    assert sorted(s1.tolist()) == list(range(1, 1_001))
    # Delivery 2 (another permit version): 300 known people plus 500 new ones, in another order.
    delivery2 = pa.concat_arrays([second_new, first.slice(200, 300)])
    reopened = ConversionTable(
        tmp_path / "conv", "21/150", FileKeyStore(tmp_path / "keys", master_key=master_key)
    )
    s2 = _seq(reopened, delivery2)
    assert (s2[500:] == s1[200:500]).all()  # the known 300 keep their numbers
    assert sorted(s2[:500].tolist()) == list(range(1_001, 1_501))  # the new get the next 500 numbers
    # And a third object reading from disk agrees with both.
    again = _seq(ConversionTable(tmp_path / "conv", "21/150", keystore), people)
    assert (again[:1_000] == s1).all() and (again[1_000:] == s2[:500]).all()


def test_duplicates_nulls_and_separate_number_spaces(tmp_path: Path, keystore: FileKeyStore) -> None:
    table = ConversionTable(tmp_path, "21/150", keystore)
    people = make_insz(3, seed=2).to_pylist()
    values = pa.array([people[0], None, people[1], people[0], people[2], None], type=pa.string())
    got = table.assign(values, "person").to_pylist()
    assert got[1] is None and got[5] is None
    assert got[0] == got[3] and len({got[0], got[2], got[4]}) == 3
    assert sorted({got[0], got[2], got[4]}) == [1, 2, 3]
    # Employers have their own space, also starting at 1.
    employers = table.assign(make_enterprises(2, seed=3), "employer").to_pylist()
    assert sorted(employers) == [1, 2]
    assert table.counts() == {"person": 3, "employer": 2}
    # a column with no value at all (a batch of persons without a partner) stays null, numbers unchanged
    assert table.assign(pa.array([None, None], type=pa.string()), "person").to_pylist() == [None, None]
    assert table.assign(pa.array([], type=pa.string()), "person").to_pylist() == []
    assert table.counts() == {"person": 3, "employer": 2}


def test_input_forms(tmp_path: Path, keystore: FileKeyStore) -> None:
    table = ConversionTable(tmp_path, "21/150", keystore)
    people = make_insz(4, seed=14)
    plain = table.assign(people, "person")
    # Chunked, dictionary-encoded and large_string inputs give the same numbers; empty input is fine.
    assert table.assign(pa.chunked_array([people.slice(0, 2), people.slice(2)]), "person").equals(plain)
    assert table.assign(people.dictionary_encode(), "person").equals(plain)
    assert table.assign(people.cast(pa.large_string()), "person").equals(plain)
    assert len(table.assign(pa.array([], type=pa.string()), "person")) == 0
    with pytest.raises(TypeError, match="must be strings"):
        table.assign(pa.array([85073003328]), "person")


def test_unlinkable_across_permits(tmp_path: Path, keystore: FileKeyStore) -> None:
    people = make_insz(10_000, seed=4)
    in_insz_order = people.take(pa.array(np.argsort(np.array(people.to_pylist()))))
    a = _seq(ConversionTable(tmp_path, "21/150", keystore), in_insz_order)
    b = _seq(ConversionTable(tmp_path, "15/018", keystore), in_insz_order)
    # Not monotonic in INSZ order: for a random permutation of 10,000, Spearman's rho has a standard
    # deviation of 1/sqrt(9,999) = 0.01, so |rho| < 0.05 fails only for a 5-sigma fluke.
    assert abs(spearmanr(np.arange(10_000), a).statistic) < 0.05
    assert abs(spearmanr(np.arange(10_000), b).statistic) < 0.05
    assert abs(spearmanr(a, b).statistic) < 0.05
    # Two independent permutations of 1..10,000 agree at a position with probability 1/10,000:
    # about 1 equal number is expected; 20 would be a 1-in-10^17 event.
    assert int((a == b).sum()) < 20


def test_ciphertext_and_key_files_hold_no_identifier(tmp_path: Path, keystore: FileKeyStore) -> None:
    people, employers = make_insz(10_000, seed=5), make_enterprises(2_000, seed=6)
    table = ConversionTable(tmp_path / "conv", "21/150", keystore)
    table.assign(people, "person")
    table.assign(employers, "employer")
    identifiers = set(people.to_pylist()) | set(employers.to_pylist())
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) >= 3  # two blobs and one key file (plus lock files)
    for path in files:
        data = path.read_bytes()
        runs = {m.decode() for m in re.findall(rb"(?=(\d{10,11}))", data)}
        assert not runs & identifiers, path.name
    key = keystore.key_for("21/150")
    assert all(key not in p.read_bytes() for p in files)  # the key is stored wrapped only


def _corrupt(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_tampered_or_truncated_blob_fails_authentication(tmp_path: Path, keystore: FileKeyStore) -> None:
    people = make_insz(50, seed=7)
    ConversionTable(tmp_path, "21/150", keystore).assign(people, "person")
    blob = ConversionTable(tmp_path, "21/150", keystore).path("person")
    original = blob.read_bytes()
    for offset in (len(original) // 2, len(original) - 1, 8):  # ciphertext, tag, nonce
        _corrupt(blob, offset)
        with pytest.raises(ConversionTableCorrupt, match="permit 21/150 failed authentication"):
            ConversionTable(tmp_path, "21/150", keystore).assign(people, "person")
        blob.write_bytes(original)
    blob.write_bytes(original[: len(original) // 2])
    with pytest.raises(ConversionTableCorrupt):
        ConversionTable(tmp_path, "21/150", keystore).assign(people, "person")


def test_blob_swapped_between_permits_or_kinds_is_refused(tmp_path: Path, keystore: FileKeyStore) -> None:
    people, employers = make_insz(20, seed=8), make_enterprises(20, seed=9)
    a = ConversionTable(tmp_path, "21/150", keystore)
    b = ConversionTable(tmp_path, "15/018", keystore)
    a.assign(people, "person")
    a.assign(employers, "employer")
    b.assign(people, "person")
    shutil.copyfile(a.path("person"), b.path("person"))  # permit A's table under permit B
    with pytest.raises(ConversionTableCorrupt):
        ConversionTable(tmp_path, "15/018", keystore).assign(people, "person")
    shutil.copyfile(a.path("employer"), a.path("person"))  # employer table posing as the person table
    with pytest.raises(ConversionTableCorrupt):
        ConversionTable(tmp_path, "21/150", keystore).assign(people, "person")


class _WrongKeys:
    """A key store that hands out a different key for the permit (e.g. another permit's key)."""

    def key_for(self, permit_number: str) -> bytes:
        return secrets.token_bytes(32)

    def create_key(self, permit_number: str) -> None:
        return None

    def destroy(self, permit_number: str) -> None:
        return None


def test_wrong_permit_key_is_refused(tmp_path: Path, keystore: FileKeyStore) -> None:
    people = make_insz(20, seed=10)
    ConversionTable(tmp_path, "21/150", keystore).assign(people, "person")
    with pytest.raises(ConversionTableCorrupt):
        ConversionTable(tmp_path, "21/150", _WrongKeys()).assign(people, "person")


def test_destroyed_key_makes_the_table_unreadable(tmp_path: Path, keystore: FileKeyStore) -> None:
    people = make_insz(20, seed=11)
    table = ConversionTable(tmp_path, "21/150", keystore)
    table.assign(people, "person")
    keystore.destroy("21/150")
    # Even the object that still holds the table in memory must stop at once.
    with pytest.raises(KeyDestroyed, match="21/150"):
        table.assign(people, "person")
    with pytest.raises(KeyDestroyed):
        ConversionTable(tmp_path, "21/150", keystore).assign(people, "person")
    with pytest.raises(KeyDestroyed):
        ConversionTable(tmp_path, "21/150", keystore).counts()
    # A permit that never had a key, with key creation not allowed, fails.
    with pytest.raises(KeyNotFound):
        ConversionTable(tmp_path, "19/072", keystore, create_key=False).assign(people, "person")


def _assign_in_process(args: tuple[str, bytes, list[str]]) -> list[int]:
    store_dir, master, values = args
    table = ConversionTable(
        Path(store_dir) / "conv", "21/150", FileKeyStore(Path(store_dir) / "keys", master_key=master)
    )
    return table.assign(pa.array(values, type=pa.string()), "person").to_pylist()


def test_concurrent_processes_share_one_numbering(tmp_path: Path, master_key: bytes) -> None:
    people = make_insz(4_000, seed=12).to_pylist()
    batches = [people[:3_000], people[1_000:]]  # 2,000 in common
    FileKeyStore(tmp_path / "keys", master_key=master_key).create_key("21/150")
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_assign_in_process, [(str(tmp_path), master_key, b) for b in batches]))
    mapping: dict[str, int] = {}
    for batch, seqs in zip(batches, results, strict=True):
        for value, seq in zip(batch, seqs, strict=True):
            assert mapping.setdefault(value, seq) == seq  # the shared 2,000 got one number each
    assert sorted(mapping.values()) == list(range(1, 4_001))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    deliveries=st.lists(
        st.lists(st.sampled_from([f"{i:011d}" for i in range(40)]), max_size=25), min_size=1, max_size=4
    )
)
def test_numbering_is_a_stable_dense_bijection(deliveries: list[list[str]]) -> None:
    master = secrets.token_bytes(32)
    with tempfile.TemporaryDirectory() as d:
        keys = FileKeyStore(Path(d) / "keys", master_key=master)
        mapping: dict[str, int] = {}
        for values in deliveries:
            table = ConversionTable(Path(d) / "conv", "21/150", keys)  # reopened for every delivery
            seqs = table.assign(pa.array(values, type=pa.string()), "person").to_pylist()
            for value, seq in zip(values, seqs, strict=True):
                assert mapping.setdefault(value, seq) == seq
        assert sorted(mapping.values()) == list(range(1, len(mapping) + 1))


@pytest.mark.slow
def test_one_million_new_values_in_seconds(tmp_path: Path, keystore: FileKeyStore) -> None:
    rng = np.random.default_rng(13)
    values = pa.array(
        np.char.zfill(rng.choice(10**11, 1_000_000, replace=False).astype(str), 11).astype(object)
    )
    table = ConversionTable(tmp_path, "21/150", keystore)
    start = time.perf_counter()
    seqs = table.assign(values, "person")
    elapsed = time.perf_counter() - start
    assert len(np.unique(seqs.to_numpy())) == 1_000_000
    assert elapsed < 15, f"assigning 1 M new values took {elapsed:.1f} s"  # about 1.5 s alone on 2 cores


def test_batches_looked_up_in_a_large_table_by_its_numeric_index(
    tmp_path: Path, keystore: FileKeyStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table looked up again (a file pseudonymised batch by batch) answers from a sorted numeric index:
    the numbers are those the table holds, new values get new ones, and values of another width, with a
    non-digit or null are never taken for a known one."""
    from crossroads.pseudonyms import conversion

    monkeypatch.setattr(conversion, "INDEX_MIN_VALUES", 10)
    people = make_insz(400, seed=31)
    table = ConversionTable(tmp_path / "conv", "21/128", keystore)
    numbers = dict(zip(people.to_pylist(), _seq(table, people).tolist(), strict=True))
    known = people.to_pylist()
    built: list[int] = []
    real_build = conversion._DigitIndex.build

    def build(values: pa.Array) -> conversion._DigitIndex | None:
        built.append(len(values))
        return real_build(values)

    monkeypatch.setattr(conversion._DigitIndex, "build", build)
    # Known values in a new order, twice each; an unknown 11-digit value, a 10-digit and a 12-digit value
    # sharing a known one's digits, the same 11 characters with a letter; nulls.
    assert "00000000001" not in numbers
    near = ["00000000001", known[0][1:], known[0] + "0", known[1][:10] + "x"]
    batch = pa.array([known[5], known[3], None, known[5], *near, known[399], None], type=pa.string())
    got = table.assign(batch, "person").to_pylist()
    assert built == [400]  # the second lookup built the index
    assert got[0] == got[3] == numbers[known[5]]
    assert got[1] == numbers[known[3]] and got[8] == numbers[known[399]]
    assert got[2] is None and got[9] is None
    # The four near values are new: the next numbers, 401..404, in some order.
    assert sorted(got[4:8]) == [401, 402, 403, 404]
    # After the table grew, a new index is built over the 404 values, and every number still holds.
    again = table.assign(pa.array([*near, *known[:50]], type=pa.string()), "person").to_pylist()
    assert built == [400, 404]
    assert again[:4] == got[4:8] and again[4:] == [numbers[v] for v in known[:50]]
    # A reopened table (no index yet) agrees.
    fresh = ConversionTable(tmp_path / "conv", "21/128", keystore)
    assert fresh.assign(pa.array(known[:50], type=pa.string()), "person").to_pylist() == again[4:]


def test_a_table_of_mixed_widths_is_looked_up_without_an_index(
    tmp_path: Path, keystore: FileKeyStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crossroads.pseudonyms import conversion

    monkeypatch.setattr(conversion, "INDEX_MIN_VALUES", 10)
    # Leading zeros matter: "0123" and "123" are two values (an index of integers would merge them).
    values = [f"{i:011d}" for i in range(30)] + ["123", "0123", "ABC"]
    table = ConversionTable(tmp_path, "21/128", keystore)
    first = table.assign(pa.array(values, type=pa.string()), "person").to_pylist()
    assert conversion._DigitIndex.build(pa.array(values, type=pa.string())) is None
    for _ in range(2):
        got = table.assign(pa.array(values[::-1][:20], type=pa.string()), "person").to_pylist()
        assert got == first[::-1][:20]
    assert table.counts()["person"] == 33
