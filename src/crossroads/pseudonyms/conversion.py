"""The per-permit conversion table: INSZ and enterprise numbers -> meaningless sequence numbers.

Design (docs/explanation/pseudonyms.md):

- A new value gets the next free number of its permit and kind, in an order drawn by a random permutation
  from the OS CSPRNG. The number carries nothing of the INSZ (it is not a hash, keyed or not): only
  the conversion table links the two, and two permits draw independently, so their numbers cannot be
  linked. Persons and employers have separate number spaces.
- The table is append-only: a value keeps its number across deliveries and versions of one permit.
- Each (permit, kind) table is one blob ``magic + nonce + AES-256-GCM(Arrow IPC of (value, kind, seq))``
  under the permit's key, with the permit number and kind as associated data so a blob cannot be
  swapped between permits or kinds. It is written atomically under a lock (several processes may assign).
- Error messages name the permit, the kind and counts, never a value.
"""

from __future__ import annotations

import fcntl
import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from crossroads.governance.errors import KeyNotFound
from crossroads.pseudonyms.keys import NONCE_BYTES, KeyStore, permit_file_stem, write_atomically

Kind = Literal["person", "employer"]
KINDS: tuple[Kind, ...] = ("person", "employer")
_MAGIC = b"CRCONV1"
_SCHEMA = pa.schema(
    [
        pa.field("value", pa.string(), nullable=False),
        pa.field("kind", pa.dictionary(pa.int8(), pa.string()), nullable=False),
        pa.field("seq", pa.int64(), nullable=False),
    ]
)


class ConversionError(Exception):
    """A conversion table cannot be used (base class)."""


class ConversionTableCorrupt(ConversionError):
    """The blob failed authentication: tampered with, truncated, swapped from another permit or kind,
    or encrypted under another key."""


class IdentifierLeft(ConversionError):
    """``replace`` would return a table that still holds an identifier column or identifier values."""


class Converter(Protocol):
    def assign(self, values: pa.Array | pa.ChunkedArray, kind: Kind) -> pa.Array: ...


INDEX_MIN_VALUES = 100_000
"""Tables at least this large get a sorted numeric index once they are looked up more than once (a file
pseudonymised batch by batch looks each batch up in the whole table)."""


@dataclass
class _DigitIndex:
    """Known values that are all digit strings of one width, as sorted int64 keys: a batch is looked up by
    binary search instead of hashing the whole table (``is_in`` over 7.5 M values: ~0.1 s a batch)."""

    width: int
    keys: np.ndarray  # int64, sorted
    rows: np.ndarray  # int64: the row in ``values`` of each key

    @classmethod
    def build(cls, values: pa.Array) -> _DigitIndex | None:
        """The index, or None when the values are not all digit strings of one width (up to 18 digits)."""
        if len(values) == 0:
            return None
        lengths = pc.min_max(pc.binary_length(values))
        width = lengths["min"].as_py()
        if width != lengths["max"].as_py() or not 0 < width <= 18:
            return None
        if not pc.all(pc.match_substring_regex(values, r"^[0-9]+$")).as_py():
            return None
        keys = np.asarray(values.cast(pa.int64()).to_numpy(), dtype=np.int64)
        rows = np.argsort(keys)  # the keys are distinct: no need for a stable sort (twice as slow)
        return cls(width, keys[rows], rows.astype(np.int64, copy=False))

    def positions(self, distinct: pa.Array) -> np.ndarray:
        """For each distinct value, its row in the indexed values or -1 (a value of another width or with a
        non-digit is in no row: every indexed value has this width and only digits)."""
        out = np.full(len(distinct), -1, dtype=np.int64)
        shaped = pc.and_(
            pc.equal(pc.binary_length(distinct), self.width),
            pc.match_substring_regex(distinct, r"^[0-9]+$"),
        )
        at = np.flatnonzero(np.asarray(shaped.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool))
        if len(at) == 0:
            return out
        wanted = np.asarray(distinct.take(pa.array(at)).cast(pa.int64()).to_numpy(), dtype=np.int64)
        slot = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
        hit = self.keys[slot] == wanted
        out[at[hit]] = self.rows[slot[hit]]
        return out


@dataclass
class _Loaded:
    stamp: tuple[int, int, int]  # (inode, size, mtime_ns) of the blob it was read from
    values: pa.Array  # string
    seqs: np.ndarray  # int64
    lookups: int = 0
    index: _DigitIndex | None = None
    indexed: bool = False  # the index was tried (None: the values cannot have one)

    def positions(self, distinct: pa.Array) -> np.ndarray:
        """For each distinct value, its row in ``values`` or -1. A large table looked up a second time gets
        a numeric index when it holds only digit strings of one width (INSZ, enterprise numbers)."""
        self.lookups += 1
        if self.lookups > 1 and len(self.values) >= INDEX_MIN_VALUES and len(distinct) < len(self.values):
            if not self.indexed:
                self.index, self.indexed = _DigitIndex.build(self.values), True
            if self.index is not None:
                return self.index.positions(distinct)
        return _positions_in(distinct, self.values)


def _associated_data(permit_number: str, kind: str) -> bytes:
    return _MAGIC + b"\x00" + permit_number.encode() + b"\x00" + kind.encode()


def _random_permutation(n: int) -> np.ndarray:
    """A uniformly random permutation from the OS CSPRNG (sort random 64-bit keys; numpy's PRNGs are
    not cryptographic, and the draw is what makes numbers unlinkable across permits)."""
    keys = np.frombuffer(secrets.token_bytes(8 * n), dtype=np.uint64)
    return np.argsort(keys, kind="stable")


def _positions_in(distinct: pa.Array, known: pa.Array) -> np.ndarray:
    """For each distinct value, its row in ``known`` or -1. The hash table is built over the smaller
    side: a small delivery against a table of millions probes the table instead of hashing it."""
    if len(known) == 0 or len(distinct) == 0:
        return np.full(len(distinct), -1, dtype=np.int64)
    if len(distinct) >= len(known):
        found = pc.index_in(distinct, value_set=known)
        return np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
    hit = np.flatnonzero(np.asarray(pc.is_in(known, value_set=distinct).to_numpy(zero_copy_only=False)))
    found = pc.index_in(distinct, value_set=known.take(pa.array(hit)))
    local = np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
    out = np.full(len(distinct), -1, dtype=np.int64)
    out[local >= 0] = hit[local[local >= 0]]
    return out


class ConversionTable:
    """The conversion table of one permit, kept encrypted in ``store_dir`` under the permit's key."""

    def __init__(
        self, store_dir: str | Path, permit_number: str, keystore: KeyStore, *, create_key: bool = True
    ):
        self.permit_number = permit_number
        self.directory = Path(store_dir) / permit_file_stem(permit_number)
        self.keystore = keystore
        self._create_key = create_key
        self._cache: dict[str, _Loaded] = {}

    # ------------------------------------------------------------------ storage

    def path(self, kind: Kind) -> Path:
        return self.directory / f"{kind}.bin"

    def _check_kind(self, kind: str) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown identifier kind {kind!r}; expected one of {', '.join(KINDS)}")

    @contextmanager
    def _locked(self, kind: Kind) -> Iterator[None]:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(self.directory / f".{kind}.lock", "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _key(self, *, creating: bool) -> AESGCM:
        try:
            key = self.keystore.key_for(self.permit_number)
        except KeyNotFound:
            if not (creating and self._create_key):
                raise
            self.keystore.create_key(self.permit_number)
            key = self.keystore.key_for(self.permit_number)
        return AESGCM(key)

    def _load(self, kind: Kind, aead: AESGCM) -> _Loaded:
        path = self.path(kind)
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return _Loaded((0, 0, 0), pa.array([], type=pa.string()), np.empty(0, dtype=np.int64))
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
        cached = self._cache.get(kind)
        if cached is not None and cached.stamp == stamp:
            return cached
        blob = path.read_bytes()
        if not blob.startswith(_MAGIC) or len(blob) < len(_MAGIC) + NONCE_BYTES + 16:
            raise ConversionTableCorrupt(f"{path}: not a conversion table of permit {self.permit_number}")
        nonce = blob[len(_MAGIC) : len(_MAGIC) + NONCE_BYTES]
        try:
            plain = aead.decrypt(
                nonce, blob[len(_MAGIC) + NONCE_BYTES :], _associated_data(self.permit_number, kind)
            )
        except InvalidTag:
            raise ConversionTableCorrupt(
                f"{path}: the {kind} conversion table of permit {self.permit_number} failed authentication "
                "(tampered, truncated, taken from another permit or kind, or another key)"
            ) from None
        table = ipc.open_stream(pa.BufferReader(plain)).read_all()
        loaded = _Loaded(
            stamp,
            table.column("value").combine_chunks(),
            table.column("seq").to_numpy().astype(np.int64, copy=False),
        )
        self._cache[kind] = loaded
        return loaded

    def _save(self, kind: Kind, values: pa.Array, seqs: np.ndarray, aead: AESGCM) -> None:
        table = pa.table(
            {
                "value": values,
                "kind": pa.DictionaryArray.from_arrays(
                    pa.array(np.zeros(len(values), dtype=np.int8)), pa.array([kind])
                ),
                "seq": pa.array(seqs, type=pa.int64()),
            },
            schema=_SCHEMA,
        )
        sink = pa.BufferOutputStream()
        with ipc.new_stream(sink, _SCHEMA, options=ipc.IpcWriteOptions(compression="zstd")) as writer:
            writer.write_table(table)
        nonce = secrets.token_bytes(NONCE_BYTES)
        ciphertext = aead.encrypt(
            nonce, sink.getvalue().to_pybytes(), _associated_data(self.permit_number, kind)
        )
        write_atomically(self.path(kind), _MAGIC + nonce + ciphertext)
        st = os.stat(self.path(kind))
        # Written by a lookup: the next one is the second (``_Loaded.positions`` may index).
        self._cache[kind] = _Loaded((st.st_ino, st.st_size, st.st_mtime_ns), values, seqs, lookups=1)

    # ------------------------------------------------------------------ public

    def assign(self, values: pa.Array | pa.ChunkedArray, kind: Kind) -> pa.Array:
        """Sequence numbers (int64) for ``values``; new values get new numbers, known ones keep theirs.

        Nulls stay null (an unknown parent, say). The table is extended and persisted before returning.
        """
        self._check_kind(kind)
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if pa.types.is_dictionary(values.type):
            values = values.dictionary_decode()
        if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
            raise TypeError(f"identifiers must be strings (leading zeros matter), got {values.type}")
        values = values.cast(pa.string())
        with self._locked(kind):
            # Ask the key store on every call, even with a warm cache: a destroyed key must stop use at once.
            try:
                aead = self._key(creating=not self.path(kind).exists())
            except Exception:
                self._cache.clear()
                raise
            known = self._load(kind, aead)
            # One hash pass gives the distinct values and, per row, which of them it holds.
            encoded = pc.dictionary_encode(values)
            distinct, rows = encoded.dictionary, encoded.indices
            position = known.positions(distinct)  # -1 for a value the table lacks
            seq_of = np.zeros(len(distinct), dtype=np.int64)
            seq_of[position >= 0] = known.seqs[position[position >= 0]]
            new_at = np.flatnonzero(position < 0)
            if len(new_at):
                order = _random_permutation(len(new_at))
                start = int(known.seqs.max()) + 1 if len(known.seqs) else 1
                numbers = np.arange(start, start + len(new_at), dtype=np.int64)
                # The i-th value in random order gets start + i: dense numbers in no meaningful order,
                # stored in number order so the table's row order reveals nothing of the input either.
                seq_of[new_at[order]] = numbers
                new_values = distinct.take(pa.array(new_at[order]))
                self._save(
                    kind,
                    pa.concat_arrays([known.values, new_values]),
                    np.concatenate([known.seqs, numbers]),
                    aead,
                )
        if len(distinct) == 0:  # every value null (a batch without any partner, say): no number to look up
            return pa.nulls(len(values), pa.int64())
        valid = np.asarray(rows.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        index = np.asarray(rows.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
        return pa.array(seq_of[index], type=pa.int64(), mask=~valid)

    def counts(self) -> dict[str, int]:
        """How many values each kind holds (for audit entries and reports: counts only)."""
        out: dict[str, int] = {}
        for kind in KINDS:
            if not self.path(kind).exists():
                out[kind] = 0
                continue
            with self._locked(kind):
                out[kind] = len(self._load(kind, self._key(creating=False)).values)
        return out


# ------------------------------------------------------------------ replacing identifier columns

_PERSON_NAMES = {"insz": "person_seq"}
_EMPLOYER_NAMES = {
    "enterprise_number": "employer_seq",
    "enterprise": "employer_seq",
    "employer": "employer_seq",
}
# Column names that betray an identifier left behind by mistake.
_SUSPECT = ("insz", "niss", "enterprise_number", "rsz_number", "national_number", "rijksregisternummer")


def seq_column_name(column: str, kind: Kind) -> str:
    """``insz`` -> ``person_seq``, ``father_insz`` -> ``father_person_seq``, ``enterprise_number`` ->
    ``employer_seq``, ``user_enterprise_number`` -> ``user_employer_seq``."""
    if kind == "person":
        if column in _PERSON_NAMES:
            return _PERSON_NAMES[column]
        return (column.removesuffix("_insz") if column.endswith("_insz") else column) + "_person_seq"
    if column in _EMPLOYER_NAMES:
        return _EMPLOYER_NAMES[column]
    for suffix in ("_enterprise_number", "_enterprise"):
        if column.endswith(suffix):
            return column.removesuffix(suffix) + "_employer_seq"
    return column + "_employer_seq"


def _digits(col: pa.Array, start: int, stop: int) -> np.ndarray:
    part = pc.utf8_slice_codeunits(col, start=start, stop=stop)
    return np.asarray(part.cast(pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)


def _looks_like_identifiers(column: pa.ChunkedArray) -> int:
    """How many values have the exact shape and check digits of an INSZ or an enterprise number."""
    col = column.combine_chunks()
    if pa.types.is_dictionary(col.type):
        col = col.dictionary_decode()  # a dictionary-encoded column holds its values all the same
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        return 0
    col = col.drop_null().cast(pa.string())
    # Only values of 10 or 11 bytes can match (both patterns are ASCII digits): the lengths come from the
    # offsets, so most columns (classes, codes, dates) are checked without a regex (3.8 -> 1.3 s over the
    # 12.6 M rows of three slices of 21/128's labour_market at scale 0.1).
    col = col.filter(pc.is_in(pc.binary_length(col), value_set=pa.array([10, 11], pa.int32())))
    if len(col) == 0:
        return 0
    insz = col.filter(pc.match_substring_regex(col, r"^\d{11}$"))
    base, check = _digits(insz, 0, 9), _digits(insz, 9, 11)
    n = int(np.count_nonzero((check == 97 - base % 97) | (check == 97 - (2_000_000_000 + base) % 97)))
    kbo = col.filter(pc.match_substring_regex(col, r"^[01]\d{9}$"))
    n += int(np.count_nonzero((_digits(kbo, 0, 8) + _digits(kbo, 8, 10)) % 97 == 0))
    return n


def replace(
    table: pa.Table, columns: Mapping[str, str], conversion: Converter, *, check_values: bool = True
) -> pa.Table:
    """``table`` with each identifier column replaced, in place, by its int64 sequence-number column.

    ``columns`` maps column -> "person" | "employer". Afterwards no listed column, no column named like an
    identifier and (with ``check_values``) no string value shaped like a valid INSZ or enterprise number
    may remain; otherwise ``IdentifierLeft`` is raised naming the column and a count, never a value.
    """
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise KeyError(
            f"identifier column(s) {', '.join(missing)} not in the table ({', '.join(table.column_names)})"
        )
    out = table
    for column, kind in columns.items():
        if kind not in KINDS:
            raise ValueError(
                f"column {column!r}: unknown identifier kind {kind!r}; expected person or employer"
            )
        name = seq_column_name(column, kind)
        if name in out.column_names:
            raise ValueError(f"column {column!r} would become {name!r}, which the table already has")
        seqs = conversion.assign(out.column(column), kind)
        position = out.column_names.index(column)
        out = out.set_column(position, pa.field(name, pa.int64()), seqs)
    left = [c for c in out.column_names if c in columns or any(s in c.lower() for s in _SUSPECT)]
    if left:
        raise IdentifierLeft(f"identifier column(s) still present after replacement: {', '.join(left)}")
    if check_values:
        for name in out.column_names:
            n = _looks_like_identifiers(out.column(name))
            if n:
                raise IdentifierLeft(
                    f"column {name!r} holds {n} value(s) shaped like an INSZ or enterprise number; "
                    "list it in `columns` or drop it"
                )
    return out
