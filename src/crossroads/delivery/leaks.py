"""The leak scan: prove that no INSZ or enterprise number is in any byte of any file of a delivery.

Run by the tests and as the last gate before a delivery is published. A number can hide in many shapes,
so each file is searched in layers:

1. **raw bytes**, whatever the format: digit runs as ASCII/UTF-8 text (also with a leading zero dropped,
   as an integer column written to CSV would show it), the printed forms ``85.07.30-033.61`` and
   ``0123.456.789``, UTF-16 text, and 8-byte integers and doubles in either byte order (how Stata, SPSS
   and uncompressed Parquet store numbers);
2. **decoded values**, because compression hides bytes: every value of every column of a Parquet file
   (pages are zstd-compressed), and every value, variable label and value label of a Stata or SPSS file
   (SPSS splits long strings into 8-byte pieces);
3. **embedded payloads**: gzip and zip members and ``data:...;base64,`` URIs (plots in an HTML report).

A finding names the file, the layer/encoding, the offset or column and row, and the kind of number —
never the number itself, so the report can be logged.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from crossroads.delivery.contents import DeliveryError

_MAX_FINDINGS = 200  # enough to locate the problem; the total is counted anyway
LARGE_FILE = 256 * 2**20
"""Files above this size are scanned in chunks (a workspace's CSV of a full population is gigabytes)."""
CHUNK = 64 * 2**20
_OVERLAP = 64
_DECODED_ROWS = 500_000  # Parquet values are decoded this many rows at a time

_DIGIT_RUN = 8
r"""Identifiers have at least 8 significant digits: the text layer reads every whole run of at least 8 ASCII
digits (what ``\d{8,}`` matches walking the bytes; 12+ digit runs are read too and are not an identifier)."""
# Digit groups joined by one separator each, as numbers are printed for people (85.07.30-033.61,
# 0123.456.789, 0123 456 789, BE 0123.456.789).
# The look-ahead asks for 9 digits first (an identifier printed in groups has 9 to 11): dates and class codes
# (2016-06, 15-19) in every row of a large CSV file then never reach Python.
_GROUPED = re.compile(
    rb"(?<!\d)(?<!\d[.\-/ ])(?=(?:\d[.\-/ ]?){9})\d{2,6}(?:[.\-/ ]\d{2,4}){1,4}(?!\d)(?![.\-/ ]\d)"
)
_GROUPED_RUN = re.compile(rb"\d[\d.\-/ ]{8,}\d")
_GROUPED_SHORTEST = 10
"""The fewest bytes ``_GROUPED_RUN`` matches (a digit, eight digits or separators, a digit)."""
_UTF16_LE = re.compile(rb"(?:[0-9]\x00){8,}")
_UTF16_BE = re.compile(rb"(?:\x00[0-9]){8,}")
_DATA_URI = re.compile(rb"data:[\w/+.\-]+;base64,([A-Za-z0-9+/=\s]+)")


class IdentifierLeak(DeliveryError):
    """A delivery contains an INSZ or enterprise number; it must not be published."""


@dataclass(frozen=True)
class Leak:
    path: str
    kind: str
    """"insz" or "enterprise"."""
    encoding: str
    """How it was found: text, grouped text, utf-16le, int64-le, float64-be, parquet value, ..."""
    offset: int | None = None
    column: str | None = None
    row: int | None = None

    def __str__(self) -> str:
        where = f" at byte {self.offset}" if self.offset is not None else ""
        if self.column is not None:
            where += f" in column {self.column!r}" + (f", row {self.row}" if self.row is not None else "")
        return f"{self.path}: {self.kind} number ({self.encoding}){where}"


_KINDS = ("enterprise", "insz")  # on equal values the later kind is reported


def _numbers(values: Iterable[str | None] | pa.Array | pa.ChunkedArray) -> npt.NDArray[np.int64]:
    """The distinct integer values of the identifiers that have 8 to 18 digits (separators dropped)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.Array):
        values = pa.array([None if v is None else str(v) for v in values], pa.string())
    text = values.cast(pa.string()).drop_null()
    digits = pc.replace_substring_regex(text, r"\D", "")
    length = pc.utf8_length(digits)
    digits = digits.filter(pc.and_(pc.greater_equal(length, 8), pc.less_equal(length, 18)))
    return np.unique(np.asarray(digits.cast(pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64))


class Identifiers:
    """The numbers to look for, by kind, as one sorted array of integer values (a digit string is matched by
    its value: an integer column holding 0123456789 shows 123456789). Arrays in, so that the ~15 million
    numbers of a full-scale warehouse take ~130 MB rather than Python objects."""

    def __init__(
        self,
        insz: Iterable[str | None] | pa.Array | pa.ChunkedArray = (),
        enterprise: Iterable[str | None] | pa.Array | pa.ChunkedArray = (),
    ) -> None:
        parts = [_numbers(enterprise), _numbers(insz)]
        values = np.concatenate(parts)
        kinds = np.concatenate([np.full(len(part), i, dtype=np.int8) for i, part in enumerate(parts)])
        order = np.lexsort((kinds, values))
        values, kinds = values[order], kinds[order]
        last = np.ones(len(values), dtype=bool)
        last[:-1] = values[1:] != values[:-1]  # one entry per value, the later kind winning
        self._sorted: npt.NDArray[np.int64] = values[last]
        self._kinds: npt.NDArray[np.int8] = kinds[last]
        self._sorted_float = self._sorted.astype(np.float64)
        self._low = int(self._sorted[0]) if len(self._sorted) else 0
        self._high = int(self._sorted[-1]) if len(self._sorted) else -1
        self.below_2_37 = self._high < 2**37
        """Every number fits in 37 bits (INSZ and enterprise numbers do: at most 11 digits)."""

    def __len__(self) -> int:
        return len(self._sorted)

    def counts(self) -> dict[str, int]:
        per_kind = np.bincount(self._kinds, minlength=len(_KINDS))
        return {kind: int(n) for kind, n in zip(_KINDS, per_kind, strict=True) if n}

    def _kind_at(self, value: int) -> str | None:
        at = int(np.searchsorted(self._sorted, value))
        if at < len(self._sorted) and int(self._sorted[at]) == value:
            return _KINDS[int(self._kinds[at])]
        return None

    # ------------------------------------------------------------------ matching
    def match_digits(self, digits: bytes) -> str | None:
        return self._kind_at(int(digits)) if 8 <= len(digits) <= 11 else None

    def hits_int(self, values: npt.NDArray[Any]) -> npt.NDArray[np.intp]:
        """Positions of ``values`` that are identifiers (a cheap range test first: most bytes are not)."""
        candidates = np.flatnonzero((values >= self._low) & (values <= self._high))
        return candidates[_member(values[candidates], self._sorted)]

    def hits_float(self, values: npt.NDArray[Any]) -> npt.NDArray[np.intp]:
        with np.errstate(invalid="ignore"):
            candidates = np.flatnonzero((values >= self._low) & (values <= self._high))
        return candidates[_member(values[candidates], self._sorted_float)]

    def kind_of_int(self, value: int) -> str:
        return self._kind_at(int(value)) or "identifier"


def _member(values: npt.NDArray[Any], sorted_set: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """``values`` found in the sorted array (binary search; no re-sorting of the set per call)."""
    if len(sorted_set) == 0 or len(values) == 0:
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    found: npt.NDArray[np.bool_] = sorted_set[at] == values
    return found


@dataclass
class LeakReport:
    root: str
    files: int = 0
    bytes: int = 0
    total: int = 0
    findings: list[Leak] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return self.total == 0

    def add(self, leak: Leak) -> None:
        self.total += 1
        if len(self.findings) < _MAX_FINDINGS and leak not in self.findings:
            self.findings.append(leak)

    def raise_if_leaking(self) -> None:
        if not self.clean:
            shown = "; ".join(str(f) for f in self.findings[:10])
            raise IdentifierLeak(f"{self.root}: {self.total} identifier occurrence(s) found, e.g. {shown}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "bytes": self.bytes,
            "occurrences": self.total,
            "findings": [str(f) for f in self.findings],
        }


# ---------------------------------------------------------------------- layer 1: raw bytes
def _runs(mask: npt.NDArray[np.bool_], shortest: int) -> list[tuple[int, int]]:
    """(start, end) of each maximal run of True in ``mask`` at least ``shortest`` long.

    Found through the windows of ``shortest`` bytes that are all True (a few shifted ANDs), not through every
    run: a CSV file is mostly short runs of digits, whose edges alone cost more than the search."""
    window, width = mask, 1
    while width < shortest and len(window):
        step = min(width, shortest - width)
        window = window[:-step] & window[step:]  # True at p: mask[p : p + width + step] all True
        width += step
    at = np.flatnonzero(window) if width == shortest else np.empty(0, dtype=np.intp)
    if len(at) == 0:
        return []
    # Windows of one run are consecutive; a run [s, e) has its windows at s .. e - shortest.
    breaks = np.flatnonzero(np.diff(at) > 1)
    starts = at[np.concatenate(([0], breaks + 1))]
    lasts = at[np.concatenate((breaks, [len(at) - 1]))]
    return list(zip(starts.tolist(), (lasts + shortest).tolist(), strict=True))


def _text_hits(data: bytes, ids: Identifiers) -> Iterator[tuple[int, str, str]]:
    # The patterns are searched only inside the runs of bytes they can match, found with numpy: the
    # regular expressions walked every byte in Python's engine (~35 MB/s: 29 s for a 1 GB CSV file).
    # ``\d{8,}`` would match exactly the runs of 8 or more ASCII digits (``\d`` in a bytes pattern is
    # [0-9]); ``_GROUPED_RUN`` matches only inside a run of digits and separators, so it sees those alone.
    raw = np.frombuffer(data, dtype=np.uint8)
    digit = (raw >= 48) & (raw <= 57)
    for start, end in _runs(digit, _DIGIT_RUN):
        kind = ids.match_digits(data[start:end])
        if kind:
            yield start, kind, "text"
    grouping = digit | (raw == 46) | (raw == 45) | (raw == 47) | (raw == 32)  # digits and . - / space
    # Grouped forms only inside runs of digits and separators long enough to hold one (a fast scan:
    # the run's pattern starts with a digit); the full pattern then sees the run and two bytes around it.
    for start, end in _runs(grouping, _GROUPED_SHORTEST):
        for run in _GROUPED_RUN.finditer(data, start, end):
            for m in _GROUPED.finditer(data, run.start(), min(len(data), run.end() + 2)):
                digits = re.sub(rb"\D", b"", m.group())
                if len(digits) in (9, 10, 11):
                    kind = ids.match_digits(digits)
                    if kind:
                        yield m.start(), kind, "grouped text"
    if b"\x00" not in data:
        return  # UTF-16 digits are NUL-interleaved
    for pattern, name in ((_UTF16_LE, "utf-16le"), (_UTF16_BE, "utf-16be")):
        for m in pattern.finditer(data):
            digits = m.group().replace(b"\x00", b"")
            kind = ids.match_digits(digits)
            if kind:
                yield m.start(), kind, name


def _binary_hits(data: bytes, ids: Identifiers) -> Iterator[tuple[int, str, str]]:
    # Every 8-byte window, at each of the 8 alignments. 4-byte integers are not searched raw: with
    # 100,000 numbers a random window matches once per ~40,000 bytes; they are caught decoded instead.
    if len(ids) == 0 or len(data) < 8:
        return
    if ids.below_2_37 and b"\x00" not in data:
        # An integer below 2**37 has zero high bytes as an int64 and zero low mantissa bytes as a double:
        # bytes without a NUL (text such as a CSV file) cannot hold one.
        return
    layouts = (("<i8", "int64-le"), (">i8", "int64-be"), ("<f8", "float64-le"), (">f8", "float64-be"))
    for dtype, name in layouts:
        for align in range(8):
            count = (len(data) - align) // 8
            if count <= 0:
                continue
            values = np.frombuffer(data, dtype=dtype, count=count, offset=align)
            hits = ids.hits_float(values) if name.startswith("float") else ids.hits_int(values)
            for i in hits.tolist():
                yield align + 8 * i, ids.kind_of_int(int(values[i])), name


# ---------------------------------------------------------------------- layer 2: decoded values
def _scan_values(
    column: str, values: pa.Array | pa.ChunkedArray, ids: Identifiers, encoding: str
) -> Iterator[tuple[str, int | None, str]]:
    """(kind, row, encoding) for each value that is or contains a number."""
    arr = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    if pa.types.is_integer(arr.type):
        np_values = arr.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
        for i in ids.hits_int(np_values).tolist():
            yield ids.kind_of_int(int(np_values[i])), i, encoding
    elif pa.types.is_floating(arr.type):
        f_values = arr.fill_null(0.0).to_numpy(zero_copy_only=False).astype(np.float64)
        for i in ids.hits_float(f_values).tolist():
            yield ids.kind_of_int(int(f_values[i])), i, encoding
    elif pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type) or pa.types.is_binary(arr.type):
        # Only values that could hold a number are tested one by one: a run of 8 digits (text), 9 or more
        # digits in all (printed with separators: 9 to 11 digits), or a NUL (UTF-16). Dates such as
        # 2014-03-01 and class codes are not candidates, which keeps a column of millions of rows fast.
        text = arr.cast(pa.string())
        # Values under 8 characters (class codes, year-months) hold no number: the regexes see the rest only.
        long_enough = np.flatnonzero(
            pc.greater_equal(pc.utf8_length(text), 8).fill_null(False).to_numpy(zero_copy_only=False)
        )
        if len(long_enough) == 0:
            return
        rest = text.take(pa.array(long_enough))
        digits = pc.utf8_length(pc.replace_substring_regex(rest, r"\D", ""))
        could = pc.or_(
            pc.or_(pc.match_substring_regex(rest, r"\d{8}"), pc.greater_equal(digits, 9)),
            pc.match_substring(rest, "\x00"),
        )
        candidates = long_enough[np.flatnonzero(could.fill_null(False).to_numpy(zero_copy_only=False))]
        for i in candidates.tolist():
            text = arr[i].as_py()
            data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
            for _, kind, _enc in _text_hits(data, ids):
                yield kind, i, encoding
                break


def _parquet_hits(source: bytes | Path, ids: Identifiers) -> Iterator[tuple[str, str, int | None, str]]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    first = 0
    for batch in pf.iter_batches(batch_size=_DECODED_ROWS):
        for name in batch.schema.names:
            for kind, row, enc in _scan_values(name, batch.column(name), ids, "parquet value"):
                yield kind, name, None if row is None else first + row, enc
        first += batch.num_rows


def _readstat_hits(
    path: Path, suffix: str, ids: Identifiers
) -> Iterator[tuple[str, str | None, int | None, str]]:
    import pyreadstat

    reader = pyreadstat.read_dta if suffix == ".dta" else pyreadstat.read_sav
    df, meta = reader(str(path))
    label = "stata value" if suffix == ".dta" else "spss value"
    for name in df.columns:
        series = df[name]
        if series.dtype.kind in "iufb":
            arr = pa.array(series.to_numpy(dtype="float64", na_value=np.nan))
        else:
            arr = pa.array([None if v is None or v != v else str(v) for v in series.tolist()], pa.string())
        for kind, row, enc in _scan_values(str(name), arr, ids, label):
            yield kind, str(name), row, enc
    texts: list[str] = [str(meta.file_label or "")]
    texts += [str(x) for x in (meta.column_labels or []) if x]
    for labels in (meta.variable_value_labels or {}).values():
        for code, text in labels.items():
            texts += [str(code), str(text)]
            if isinstance(code, int | float) and code == code:
                texts.append(str(int(code)) if float(code).is_integer() else "")
    notes = getattr(meta, "notes", None) or []
    texts += [str(n) for n in notes]
    joined = "\n".join(texts).encode("utf-8")
    for _, kind, _enc in _text_hits(joined, ids):
        yield kind, None, None, f"{label} label"


def scan_bytes(
    name: str, data: bytes, ids: Identifiers, report: LeakReport, *, path: Path | None = None, depth: int = 0
) -> None:
    """Scan one file's bytes (and, for known containers, its decoded content) into ``report``."""
    for offset, kind, enc in _text_hits(data, ids):
        report.add(Leak(name, kind, enc, offset=offset))
    suffix = Path(name).suffix.lower()
    is_parquet = data[:4] == b"PAR1"
    is_readstat = suffix in (".dta", ".sav", ".zsav") and path is not None
    if not (is_parquet or is_readstat) or depth > 3:
        # Raw 8-byte windows only where no decoder reads every value: in Stata, SPSS and Parquet files
        # windows straddling two doubles (the high half of one, the zero low half of the next) hit
        # numbers below 2**32 by chance; their values are checked decoded instead.
        for offset, kind, enc in _binary_hits(data, ids):
            report.add(Leak(name, kind, enc, offset=offset))
    if depth > 3:
        return
    if is_parquet:
        for kind, column, row, enc in _parquet_hits(data, ids):
            report.add(Leak(name, kind, enc, column=column, row=row))
    elif is_readstat and path is not None:
        for kind, col, row, enc in _readstat_hits(path, suffix, ids):
            report.add(Leak(name, kind, enc, column=col, row=row))
    if data[:2] == b"\x1f\x8b":
        try:
            scan_bytes(f"{name}!gunzip", gzip.decompress(data), ids, report, depth=depth + 1)
        except (OSError, EOFError):
            report.add(Leak(name, "unreadable", "corrupt gzip"))
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for member in zf.namelist():
                scan_bytes(f"{name}!{member}", zf.read(member), ids, report, depth=depth + 1)
    for i, m in enumerate(_DATA_URI.finditer(data)):
        try:
            payload = base64.b64decode(re.sub(rb"\s", b"", m.group(1)))
        except (binascii.Error, ValueError):
            continue
        scan_bytes(f"{name}!data-uri-{i}", payload, ids, report, depth=depth + 1)


def _digit_like(byte: int) -> bool:
    # digits, the separators of printed numbers, and NUL (UTF-16 digits): a chunk never ends inside these
    return 48 <= byte <= 57 or byte in b".-/ \x00"


def _chunks(path: Path, size: int) -> Iterator[tuple[int, int, bytes]]:
    """(offset of ``data``, offset where its new bytes start, data) for a file read ``size`` bytes at a time.

    Each chunk ends after a byte that cannot be part of a printed number (searched in its last 256 bytes),
    so no text match is cut in two, and starts with the previous chunk's last 64 bytes, so an 8-byte
    window across the boundary and the look-behind of the patterns see their bytes.
    """
    fresh, carry, tail = 0, b"", b""
    with path.open("rb") as fh:
        while True:
            raw = fh.read(size)
            buf = carry + raw
            last = len(raw) < size
            cut = len(buf)
            if not last:
                # the end of the last non-digit-like byte; none in a short buffer: all of it waits
                cut = 0 if len(buf) < 256 else len(buf)
                for i in range(len(buf) - 1, max(len(buf) - 256, 0) - 1, -1):
                    if not _digit_like(buf[i]):
                        cut = i + 1
                        break
            body, carry = buf[:cut], buf[cut:]
            if not body and not last:
                continue
            yield fresh - len(tail), fresh, tail + body
            fresh += len(body)
            tail = (tail + body)[-_OVERLAP:]
            if last:
                return


def _scan_large(name: str, path: Path, ids: Identifiers, report: LeakReport) -> None:
    """The layers of :func:`scan_bytes` for a file too large to hold in memory: raw bytes chunk by chunk,
    Parquet values batch by batch. A compressed container that large is not decoded: reported, not passed."""
    with path.open("rb") as fh:
        head = fh.read(4)
    suffix = path.suffix.lower()
    decoded = head == b"PAR1" or suffix in (".dta", ".sav", ".zsav")
    if head[:2] == b"\x1f\x8b" or head == b"PK\x03\x04":
        report.add(Leak(name, "unreadable", f"compressed file over {LARGE_FILE // 2**20} MB not decoded"))
    for start, fresh, data in _chunks(path, CHUNK):
        for offset, kind, enc in _text_hits(data, ids):
            if start + offset >= fresh:  # a match before ``fresh`` was found in the previous chunk
                report.add(Leak(name, kind, enc, offset=start + offset))
        if not decoded:
            for offset, kind, enc in _binary_hits(data, ids):
                if start + offset + 8 > fresh:  # windows wholly before ``fresh`` were searched already
                    report.add(Leak(name, kind, enc, offset=start + offset))
        if b";base64," in data:
            # a data URI may be cut by the chunk's end: not decoded here, so reported (reports are small)
            why = f"data URI in a file over {LARGE_FILE // 2**20} MB not decoded"
            report.add(Leak(name, "unreadable", why))
    if head == b"PAR1":
        for kind, column, row, enc in _parquet_hits(path, ids):
            report.add(Leak(name, kind, enc, column=column, row=row))
    elif suffix in (".dta", ".sav"):
        for kind, col, row, enc in _readstat_hits(path, suffix, ids):
            report.add(Leak(name, kind, enc, column=col, row=row))


def scan(root: Path, ids: Identifiers) -> LeakReport:
    """Scan every file under ``root`` (a delivery directory, or a single file); files above
    ``LARGE_FILE`` bytes are read in chunks, so memory stays bounded whatever a workspace holds."""
    root = Path(root)
    report = LeakReport(root=root.name)
    paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    for path in paths:
        rel = path.name if path == root else path.relative_to(root).as_posix()
        report.files += 1
        size = path.stat().st_size
        report.bytes += size
        if size > LARGE_FILE:
            _scan_large(rel, path, ids, report)
        else:
            scan_bytes(rel, path.read_bytes(), ids, report, path=path)
    return report


def gate(ids: Identifiers) -> Any:
    """A publish gate (see :func:`crossroads.delivery.publish.publish`) that refuses a leaking delivery."""

    def _gate(staging: Path) -> None:
        scan(staging, ids).raise_if_leaking()

    return _gate
