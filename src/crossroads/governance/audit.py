"""The tamper-evident audit trail: an append-only hash chain with Ed25519-signed checkpoints.

Each event ``seq`` stores ``hash = sha256(prev_hash + RS + record)`` where ``record`` is the
event's fields joined by the ASCII unit separator (US, 0x1f); fields cannot contain control
characters (text fields are checked, JSON escapes them), so the encoding is unambiguous and cheap
to rebuild while verifying. Every ``checkpoint_every`` events a checkpoint signs "``seq`` events,
ending in ``hash``"; the head row (the chain's end) is re-signed on every append. See
``docs/reference/audit-trail.md`` for what each check detects.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection, Engine, create_engine, func, select, update

from crossroads.governance.custody import load_public_key, public_key_hex, public_key_pem
from crossroads.governance.errors import AuditEventRejected
from crossroads.governance.models import AuditCheckpoint, AuditEvent, AuditHead

GENESIS = "0" * 64
# Events between two signed checkpoints, as set by the first migration (``set_checkpoint_interval``).
DEFAULT_CHECKPOINT_EVERY = 1000
EXPORT_FORMAT = "crossroads-audit-export/1"
_US = "\x1f"
_RS = "\x1e"
# How many events one database round trip carries when appending or verifying.
CHUNK = 20_000
# Chains shorter than this are verified in one pass even when workers are offered.
PARALLEL_FROM = 200_000

# INSZ: 11 digits, often written 85.07.30-033.28; enterprise number: 10 digits, 0123.456.789.
_IDENTIFIER = re.compile(
    r"(?<!\d)(?:\d{2}\.?\d{2}\.?\d{2}[-. ]?\d{3}[-. ]?\d{2}|\d{4}[. ]?\d{3}[. ]?\d{3})(?!\d)"
)
_HASH = re.compile(r"(?:sha256:)?[0-9a-f]{64}")
_QUOTED_HASH = re.compile(r'"(?:sha256:)?[0-9a-f]{64}"')
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Event:
    """One action to record: who did what under which permit, why, and how many records."""

    actor: str
    action: str
    permit: str | None = None
    version: int | None = None
    purpose: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VerifyReport:
    """Result of ``verify``: ``first_bad_seq`` is the first event that is missing, changed, moved or
    inserted (None when the chain is intact)."""

    ok: bool
    events: int
    checkpoints: int
    head_seq: int
    first_bad_seq: int | None = None
    problem: str | None = None

    def summary(self) -> str:
        if self.ok:
            return (
                f"audit trail intact: {self.events} events, {self.checkpoints} signed checkpoints, "
                f"head at seq {self.head_seq}"
            )
        return f"audit trail BROKEN at seq {self.first_bad_seq}: {self.problem}"


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    public_key_path: Path
    events: int
    checkpoints: int
    head_seq: int
    head_hash: str


def canonical_json(value: Any, where: str) -> str:
    """The one JSON text that is hashed and stored: sorted keys, no spaces, UTF-8, no NaN."""
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise AuditEventRejected(f"audit event rejected: {where} is not plain JSON ({exc})") from None


def record_text(
    seq: int,
    time: str,
    actor: str,
    action: str,
    permit: str | None,
    version: int | None,
    purpose: str,
    counts: str,
    detail: str,
) -> str:
    """The canonical encoding of one event (everything but the hashes)."""
    return (
        f"{seq}{_US}{time}{_US}{actor}{_US}{action}{_US}{permit or ''}{_US}"
        f"{'' if version is None else version}{_US}{purpose}{_US}{counts}{_US}{detail}"
    )


def event_hash(prev_hash: str, record: str) -> str:
    return sha256(f"{prev_hash}{_RS}{record}".encode()).hexdigest()


def head_message(seq: int, head_hash: str) -> bytes:
    return f"crossroads-audit-head{_US}{seq}{_US}{head_hash}".encode()


def checkpoint_message(seq: int, head_hash: str, signed_at: str) -> bytes:
    return f"crossroads-audit-checkpoint{_US}{seq}{_US}{head_hash}{_US}{signed_at}".encode()


def utc_text(moment: datetime) -> str:
    """UTC time as fixed-width ISO text with microseconds and a Z."""
    if moment.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _check_text(value: str, where: str) -> None:
    if _CONTROL.search(value):
        raise AuditEventRejected(f"audit event rejected: {where} contains a control character")
    if not _HASH.fullmatch(value) and _IDENTIFIER.search(value):
        raise AuditEventRejected(
            f"audit event rejected: {where} holds a 10- or 11-digit number that looks like an INSZ or "
            "enterprise number; the audit trail takes counts, sequence numbers and hashes only"
        )


def _check_value(value: Any, where: str) -> None:
    """Walks a JSON value looking for identifier-like numbers in keys, strings and numbers."""
    if isinstance(value, str):
        _check_text(value, where)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        _check_text(str(value), where)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise AuditEventRejected(f"audit event rejected: {where} is not a finite number")
        _check_text(repr(value), where)
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise AuditEventRejected(f"audit event rejected: {where} has a non-text key")
            _check_text(key, f"{where} key")
            _check_value(item, f"{where}[{key!r}]")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_value(item, f"{where}[{index}]")
    else:
        raise AuditEventRejected(f"audit event rejected: {where} has type {type(value).__name__}")


def prepare(event: Event) -> tuple[str, str, str | None, int | None, str, str, str]:
    """Validates an event and returns its stored fields (JSON already canonical).

    The identifier scan runs once over the event's text (fields and canonical JSON, quoted sha256
    values blanked); only when it finds something does the slower field-by-field walk run, to name
    the field in the error (and to have the last word)."""
    if not event.actor or not event.action:
        raise AuditEventRejected("audit event rejected: actor and action are required")
    if event.permit is not None and not event.permit:
        raise AuditEventRejected("audit event rejected: permit is empty (use None)")
    if event.version is not None and (isinstance(event.version, bool) or not isinstance(event.version, int)):
        raise AuditEventRejected("audit event rejected: version must be an integer")
    for name, count in event.counts.items():
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise AuditEventRejected(f"audit event rejected: counts[{name!r}] must be a non-negative integer")
    counts = canonical_json(event.counts, "counts")
    detail = canonical_json(event.detail, "detail")
    texts = f"{event.actor}{_US}{event.action}{_US}{event.purpose}{_US}{event.permit or ''}"
    if _CONTROL.search(texts.replace(_US, "")):
        for name in ("actor", "action", "purpose", "permit"):
            value = getattr(event, name)
            if value is not None:
                _check_text(value, name)
    scanned = _QUOTED_HASH.sub('""', f"{texts}{_US}{counts}{_US}{detail}")
    if _IDENTIFIER.search(scanned):
        for name in ("actor", "action", "purpose", "permit"):
            value = getattr(event, name)
            if value is not None:
                _check_text(value, name)
        _check_value(event.counts, "counts")
        _check_value(event.detail, "detail")
    return event.actor, event.action, event.permit, event.version, event.purpose, counts, detail


# Row layout shared by the database and the export file while verifying.
Row = tuple[int, str, str, str, str | None, int | None, str, str, str, str, str]


def stream_rows(
    engine: Engine, after: int, upto: int, progress: Callable[[int], None] | None = None
) -> Iterator[list[Row]]:
    """Streams events ``after < seq <= upto`` in seq order by keyset pages (bounded memory, the same
    SQL on both databases, raw DB-API tuples because row objects cost more than the hashing)."""
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    sql = (
        "SELECT seq, time, actor, action, permit, version, purpose, counts, detail, prev_hash, hash "
        f"FROM audit_events WHERE seq > {mark} AND seq <= {mark} ORDER BY seq LIMIT {CHUNK * 5}"
    )
    last = after
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()
        try:
            while True:
                cursor.execute(sql, (last, upto))
                rows: list[Row] = list(cursor.fetchall())
                if not rows:
                    return
                last = rows[-1][0]
                if progress is not None:
                    progress(len(rows))
                yield rows
        finally:
            cursor.close()


Segment = tuple[int | None, str | None, str | None, str | None, int]


def check_segment(
    url: str,
    first: int,
    last: int,
    checkpoints: dict[int, tuple[str, str, str]],
    anchors: dict[int, str] | None = None,
) -> Segment:
    """Checks events ``first..last`` on their own (run in a worker process by ``verify``). Returns
    (first bad seq, problem, stored prev_hash of the first event, hash of the last, last seq seen)."""
    engine = create_engine(url)
    try:
        check = ChainCheck(None, checkpoints, anchors)  # type: ignore[arg-type]  # no signatures here
        check.expected, check.prev = first, None
        for rows in stream_rows(engine, first - 1, last):
            if not check.feed(rows):
                break
    finally:
        engine.dispose()
    return check.first_bad, check.problem, check.link, check.prev, check.expected - 1


class ChainCheck:
    """Streaming verifier: feed rows in seq order, then ``finish`` with the head and checkpoints."""

    def __init__(
        self,
        public_key: Ed25519PublicKey,
        checkpoints: dict[int, tuple[str, str, str]],
        anchors: dict[int, str] | None = None,
    ) -> None:
        self.public_key = public_key
        self.checkpoints = checkpoints
        # Heads recorded by earlier exports (seq -> hash): the chain must still pass through them.
        self.anchors = anchors or {}
        self.expected = 1
        self.prev: str | None = GENESIS
        # For a segment checked on its own (parallel verify), ``prev`` starts as None and the first
        # row's stored prev_hash is taken as the link, for the caller to compare with the segment before.
        self.link: str | None = None
        self.first_bad: int | None = None
        self.problem: str | None = None

    def fail(self, seq: int, problem: str) -> None:
        if self.first_bad is None:
            self.first_bad, self.problem = seq, problem

    def feed(self, rows: Sequence[Row]) -> bool:
        """Checks a chunk; returns False once a problem was found (callers may stop reading)."""
        if self.first_bad is not None:
            return False
        if self.prev is None and rows:
            self.prev = self.link = rows[0][9]
        expected, prev, checkpoints, anchors = self.expected, self.prev, self.checkpoints, self.anchors
        for seq, time, actor, action, permit, version, purpose, counts, detail, prev_hash, stored in rows:
            if seq != expected:
                self.fail(expected, f"event {expected} is missing (next stored event is {seq})")
                return False
            if prev_hash != prev:
                self.fail(seq, "prev_hash does not match the hash of the previous event")
                return False
            # event_hash(prev, record_text(...)) written out in one f-string: this loop is the
            # verifier's hot path (a test checks both spellings agree).
            text = (
                f"{prev}\x1e{seq}\x1f{time}\x1f{actor}\x1f{action}\x1f{permit or ''}\x1f"
                f"{'' if version is None else version}\x1f{purpose}\x1f{counts}\x1f{detail}"
            )
            if sha256(text.encode()).hexdigest() != stored:
                self.fail(seq, "content changed: the stored hash does not match the event")
                return False
            if seq in checkpoints and checkpoints[seq][0] != stored:
                self.fail(seq, "differs from the signed checkpoint: events up to here were rewritten")
                return False
            if seq in anchors and anchors[seq] != stored:
                self.fail(seq, "differs from the head recorded by an earlier export: events were rewritten")
                return False
            prev = stored
            expected += 1
        self.expected, self.prev = expected, prev
        return True

    def finish(self, head_seq: int, head_hash: str, head_signature: str, checkpoint_every: int) -> None:
        last = self.expected - 1
        if self.first_bad is not None:
            return
        # Checkpoint signatures, and one checkpoint at every multiple of the interval.
        for seq, (cp_hash, signed_at, signature) in sorted(self.checkpoints.items()):
            if not self._signed(checkpoint_message(seq, cp_hash, signed_at), signature):
                self.fail(seq, "checkpoint signature is invalid")
                return
        top = max([head_seq, last, *self.checkpoints.keys()])
        for seq in range(checkpoint_every, top + 1, checkpoint_every):
            if seq not in self.checkpoints and seq <= max(head_seq, last):
                self.fail(seq, "the signed checkpoint for this event is missing")
                return
        latest_anchor = max(self.anchors, default=0)
        if latest_anchor > last:
            self.fail(
                last + 1,
                f"events {last + 1}..{latest_anchor} are missing: an earlier export recorded "
                f"{latest_anchor} events (tail truncated)",
            )
            return
        latest_cp = max(self.checkpoints, default=0)
        if latest_cp > last:
            self.fail(
                last + 1,
                f"events {last + 1}..{latest_cp} are missing: a signed checkpoint commits "
                f"to {latest_cp} events (tail truncated)",
            )
            return
        if head_seq > 0 and not self._signed(head_message(head_seq, head_hash), head_signature):
            self.fail(min(head_seq, last + 1), "head pointer signature is invalid")
            return
        if head_seq > last:
            self.fail(
                last + 1,
                f"events {last + 1}..{head_seq} are missing: the head pointer commits to "
                f"{head_seq} events (tail truncated)",
            )
        elif head_seq < last:
            self.fail(head_seq + 1, "event stored beyond the signed head pointer (inserted at the end)")
        elif head_seq > 0 and head_hash != self.prev:
            self.fail(last, "the last event differs from the signed head pointer")

    def _signed(self, message: bytes, signature_hex: str) -> bool:
        try:
            self.public_key.verify(bytes.fromhex(signature_hex), message)
        except (InvalidSignature, ValueError):
            return False
        return True

    def report(self, checkpoints: int, head_seq: int) -> VerifyReport:
        return VerifyReport(
            ok=self.first_bad is None,
            events=self.expected - 1,
            checkpoints=checkpoints,
            head_seq=head_seq,
            first_bad_seq=self.first_bad,
            problem=self.problem,
        )


_HEAD = select(AuditHead.seq, AuditHead.hash, AuditHead.signature, AuditHead.checkpoint_every).where(
    AuditHead.id == 1
)
_CHECKPOINTS = select(
    AuditCheckpoint.seq, AuditCheckpoint.hash, AuditCheckpoint.signed_at, AuditCheckpoint.signature
).order_by(AuditCheckpoint.seq)


class AuditTrail:
    """Appends to and verifies the audit chain in the metadata store."""

    def __init__(
        self,
        engine: Engine,
        signing_key: Ed25519PrivateKey,
        clock: Callable[[], datetime],
    ) -> None:
        self._engine = engine
        self._signing_key = signing_key
        self._clock = clock

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self._signing_key.public_key()

    def public_key_pem(self) -> str:
        return public_key_pem(self.public_key)

    def append(
        self,
        actor: str,
        action: str,
        *,
        permit: str | None = None,
        version: int | None = None,
        purpose: str = "",
        counts: dict[str, int] | None = None,
        detail: dict[str, Any] | None = None,
    ) -> int:
        """Appends one event in its own committed transaction and returns its seq."""
        event = Event(actor, action, permit, version, purpose, counts or {}, detail or {})
        return self.append_many([event])[0]

    def append_many(self, events: Iterable[Event]) -> range:
        """Appends events in one transaction (all or none) and returns their seqs.

        Batches are how the trail reaches tens of thousands of events a second: one lock, one
        commit (one fsync) and one head signature per batch instead of per event."""
        prepared = [prepare(event) for event in events]  # reject before taking the lock
        if not prepared:
            return range(0)
        with self._engine.connect().execution_options(crossroads_write_lock=True) as conn, conn.begin():
            # The write lock: BEGIN IMMEDIATE on SQLite (see store.py), a row lock on PostgreSQL.
            head = conn.execute(
                select(AuditHead.seq, AuditHead.hash, AuditHead.checkpoint_every)
                .where(AuditHead.id == 1)
                .with_for_update()
            ).one()
            seq, prev, every = int(head.seq), str(head.hash), int(head.checkpoint_every)
            first = seq + 1
            mark = "?" if self._engine.dialect.paramstyle == "qmark" else "%s"
            insert_events = (
                "INSERT INTO audit_events (seq, time, actor, action, permit, version, purpose, counts, "
                f"detail, prev_hash, hash) VALUES ({', '.join([mark] * 11)})"
            )
            insert_checkpoints = (
                "INSERT INTO audit_checkpoints (seq, hash, signed_at, signature) "
                f"VALUES ({mark}, {mark}, {mark}, {mark})"
            )
            at = utc_text(self._clock())  # taken under the lock, so times never go back along seq
            for start in range(0, len(prepared), CHUNK):
                rows: list[tuple[Any, ...]] = []
                checkpoints: list[tuple[Any, ...]] = []
                for actor, action, permit, version, purpose, counts, detail in prepared[
                    start : start + CHUNK
                ]:
                    seq += 1
                    digest = event_hash(
                        prev, record_text(seq, at, actor, action, permit, version, purpose, counts, detail)
                    )
                    rows.append(
                        (seq, at, actor, action, permit, version, purpose, counts, detail, prev, digest)
                    )
                    prev = digest
                    if seq % every == 0:
                        signature = self._signing_key.sign(checkpoint_message(seq, digest, at)).hex()
                        checkpoints.append((seq, digest, at, signature))
                # Plain DB-API executemany: SQLAlchemy's per-row parameter handling cost more than
                # the hashing did.
                conn.exec_driver_sql(insert_events, rows)
                if checkpoints:
                    conn.exec_driver_sql(insert_checkpoints, checkpoints)
            conn.execute(
                update(AuditHead)
                .where(AuditHead.id == 1)
                .values(seq=seq, hash=prev, signature=self._signing_key.sign(head_message(seq, prev)).hex())
            )
        return range(first, seq + 1)

    def _snapshot(self) -> Connection:
        """A connection whose reads see one state: the head and the checkpoints must agree even
        while others append (SQLite's WAL transactions are snapshots; PostgreSQL needs REPEATABLE READ)."""
        conn = self._engine.connect()
        if self._engine.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        return conn

    def set_checkpoint_interval(self, every: int) -> None:
        """Sets how many events lie between signed checkpoints; only while the trail is still empty
        (changing it later would make old checkpoints look missing)."""
        if every < 1:
            raise ValueError("the checkpoint interval must be at least 1")
        with self._engine.connect().execution_options(crossroads_write_lock=True) as conn, conn.begin():
            seq = conn.execute(select(AuditHead.seq).where(AuditHead.id == 1).with_for_update()).scalar_one()
            if seq != 0:
                raise ValueError("the checkpoint interval can only be set on an empty audit trail")
            conn.execute(update(AuditHead).where(AuditHead.id == 1).values(checkpoint_every=every))

    def head(self) -> tuple[int, str]:
        with self._engine.connect() as conn:
            row = conn.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one()
        return int(row.seq), str(row.hash)

    def events(self, *, last: int = 20, permit: str | None = None) -> list[dict[str, Any]]:
        """The most recent events (newest last), for display."""
        query = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(last)
        if permit is not None:
            query = query.where(AuditEvent.permit == permit)
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [_event_dict(dict(row)) for row in reversed(rows)]

    def _rows(self, upto: int, progress: Callable[[int], None] | None) -> Iterator[list[Row]]:
        return stream_rows(self._engine, 0, upto, progress)

    def verify(
        self,
        progress: Callable[[int], None] | None = None,
        *,
        workers: int = 1,
        anchors: dict[int, str] | None = None,
    ) -> VerifyReport:
        """Re-computes the whole chain and checks checkpoints and head; names the first bad seq.

        With ``workers > 1`` a long chain is cut into segments checked in parallel processes; each
        segment's first prev_hash is then matched with the previous segment's last hash, so the
        result is the same as a single pass. ``anchors`` (seq -> hash, see ``export_anchor``) are
        heads recorded by earlier exports: the chain must still contain them unchanged."""
        with self._snapshot() as conn:
            head = conn.execute(_HEAD).one()
            head_seq, head_hash, head_sig, every = head.seq, head.hash, head.signature, head.checkpoint_every
            checkpoints = {
                int(cp.seq): (cp.hash, cp.signed_at, cp.signature) for cp in conn.execute(_CHECKPOINTS)
            }
        check = ChainCheck(self.public_key, checkpoints, anchors)
        # Events appended after the head was read are left for the next run.
        if workers > 1 and head_seq >= PARALLEL_FROM:
            self._verify_segments(check, head_seq, workers, progress)
        else:
            for rows in self._rows(upto=head_seq, progress=progress):
                if not check.feed(rows):
                    break
        check.finish(head_seq, head_hash, head_sig, every)
        if check.first_bad is None:
            # An event stored beyond the head (inserted at the end without the signing key). The
            # maximum is read before the head: an append in between then only moves the head further.
            with self._engine.connect() as conn:
                stored = conn.execute(select(func.max(AuditEvent.seq))).scalar_one() or 0
                current = int(conn.execute(select(AuditHead.seq).where(AuditHead.id == 1)).scalar_one())
            if stored > current:
                check.fail(current + 1, "event stored beyond the signed head pointer (inserted at the end)")
        return check.report(len(checkpoints), head_seq)

    def _verify_segments(
        self, check: ChainCheck, head_seq: int, workers: int, progress: Callable[[int], None] | None
    ) -> None:
        """Parallel pass over 1..head_seq; leaves ``check`` as a single pass would."""
        url = self._engine.url.render_as_string(hide_password=False)
        size = max(CHUNK, -(-head_seq // (workers * 4)))  # a few segments per worker, for progress
        bounds = [(start, min(start + size - 1, head_seq)) for start in range(1, head_seq + 1, size)]
        # Fork is cheap; the children open their own engine and never touch the inherited pool
        # (forked workers leave through os._exit, so no inherited connection is closed either).
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = [
                pool.submit(check_segment, url, a, b, check.checkpoints, check.anchors) for a, b in bounds
            ]
            expected_link = GENESIS
            for (start, end), future in zip(bounds, futures, strict=True):
                bad, problem, link, last_hash, last_seen = future.result()
                if progress is not None:
                    progress(end - start + 1)
                if link is not None and link != expected_link and (bad is None or bad > start):
                    check.fail(start, "prev_hash does not match the hash of the previous event")
                if bad is not None:
                    check.fail(bad, problem or "bad event")
                elif last_seen < end:
                    check.fail(last_seen + 1, f"event {last_seen + 1} is missing")
                if check.first_bad is not None:
                    for later in futures:
                        later.cancel()
                    check.expected = check.first_bad
                    return
                expected_link = last_hash or expected_link
            check.expected, check.prev = head_seq + 1, expected_link

    def count(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(AuditEvent)).scalar_one())

    def export(self, out: Path, progress: Callable[[int], None] | None = None) -> ExportSummary:
        """Writes a JSON-lines file an auditor can verify offline (``verify_file``) and, next to it,
        the public key as PEM (``<out>.pub.pem``) to compare with the one published by the custodian."""
        with self._snapshot() as conn:
            head = conn.execute(_HEAD).one()
            checkpoints = conn.execute(_CHECKPOINTS).all()
            header = {
                "type": "header",
                "format": EXPORT_FORMAT,
                "exported_at": utc_text(self._clock()),
                "public_key": public_key_hex(self.public_key),
                "checkpoint_every": head.checkpoint_every,
                "head": {"seq": head.seq, "hash": head.hash, "signature": head.signature},
            }
            cps = [
                {
                    "type": "checkpoint",
                    "seq": cp.seq,
                    "hash": cp.hash,
                    "signed_at": cp.signed_at,
                    "signature": cp.signature,
                }
                for cp in checkpoints
                if cp.seq <= head.seq
            ]
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".partial")
        written = 0
        with tmp.open("w", encoding="utf-8") as handle:
            handle.write(json.dumps(header, ensure_ascii=False) + "\n")
            for rows in self._rows(upto=int(head.seq), progress=progress):
                for row in rows:
                    handle.write(json.dumps(_row_dict(row), ensure_ascii=False, separators=(",", ":")) + "\n")
                written += len(rows)
            for cp in cps:
                handle.write(json.dumps(cp) + "\n")
        tmp.replace(out)
        key_path = out.with_name(out.name + ".pub.pem")
        key_path.write_text(self.public_key_pem(), encoding="ascii")
        return ExportSummary(out, key_path, written, len(cps), head.seq, head.hash)


def _row_dict(row: Row) -> dict[str, Any]:
    seq, time, actor, action, permit, version, purpose, counts, detail, prev_hash, digest = row
    return {
        "type": "event",
        "seq": seq,
        "time": time,
        "actor": actor,
        "action": action,
        "permit": permit,
        "version": version,
        "purpose": purpose,
        "counts": json.loads(counts),
        "detail": json.loads(detail),
        "prev_hash": prev_hash,
        "hash": digest,
    }


def _event_dict(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["counts"] = json.loads(row["counts"])
    row["detail"] = json.loads(row["detail"])
    return row


class ExportFileError(ValueError):
    """An export file that cannot be read; names the file and line."""


def export_anchor(path: Path) -> tuple[int, str]:
    """The head (seq, hash) an earlier export recorded, read from its header line."""
    with path.open(encoding="utf-8") as handle:
        first = handle.readline()
    try:
        header = json.loads(first)
        if header.get("format") != EXPORT_FORMAT:
            raise ExportFileError(f"{path}, line 1: not a Crossroads audit export")
        return int(header["head"]["seq"]), str(header["head"]["hash"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ExportFileError(f"{path}, line 1: malformed header ({exc.__class__.__name__})") from None


def _export_lines(path: Path, kinds: tuple[str, ...]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, item) for the lines of the given types; malformed lines name file and line."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                item = json.loads(line)
                kind = item["type"]
            except (KeyError, TypeError, json.JSONDecodeError) as exc:
                raise ExportFileError(
                    f"{path}, line {number}: malformed ({exc.__class__.__name__})"
                ) from None
            if kind not in ("header", "event", "checkpoint"):
                raise ExportFileError(f"{path}, line {number}: unknown line type {kind!r}")
            if kind in kinds:
                yield number, item


def verify_file(path: Path, public_key: str | None = None) -> VerifyReport:
    """Verifies an exported audit file offline. ``public_key`` (PEM or hex), when given, must be the
    key the custodian publishes; otherwise the key inside the file is used (and only proves that the
    file is internally consistent). Two streaming passes (checkpoints sit at the end of the file),
    so memory stays bounded for any length."""
    header: dict[str, Any] | None = None
    checkpoints: dict[int, tuple[str, str, str]] = {}
    for number, item in _export_lines(path, ("header", "checkpoint")):
        try:
            if item["type"] == "header":
                if item.get("format") != EXPORT_FORMAT:
                    raise ExportFileError(f"{path}, line {number}: unknown format {item.get('format')!r}")
                header = item
            else:
                checkpoints[int(item["seq"])] = (item["hash"], item["signed_at"], item["signature"])
        except ExportFileError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise ExportFileError(f"{path}, line {number}: malformed ({exc.__class__.__name__})") from None
    if header is None:
        raise ExportFileError(f"{path}, line 1: the header line is missing")
    try:
        head_seq, head_hash, head_sig = (
            int(header["head"]["seq"]),
            header["head"]["hash"],
            header["head"]["signature"],
        )
        every = int(header["checkpoint_every"])
        key = load_public_key(public_key if public_key is not None else header["public_key"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ExportFileError(f"{path}: malformed header or key ({exc.__class__.__name__})") from None
    if public_key is not None and public_key_hex(key) != header["public_key"]:
        return VerifyReport(
            False,
            0,
            len(checkpoints),
            head_seq,
            1,
            "the file was signed with a different key than the one given",
        )
    check = ChainCheck(key, checkpoints)
    chunk: list[Row] = []
    for number, item in _export_lines(path, ("event",)):
        try:
            chunk.append(
                (
                    int(item["seq"]),
                    item["time"],
                    item["actor"],
                    item["action"],
                    item["permit"],
                    item["version"],
                    item["purpose"],
                    canonical_json(item["counts"], "counts"),
                    canonical_json(item["detail"], "detail"),
                    item["prev_hash"],
                    item["hash"],
                )
            )
        except (KeyError, TypeError, ValueError, AuditEventRejected) as exc:
            raise ExportFileError(
                f"{path}, line {number}: malformed event ({exc.__class__.__name__})"
            ) from None
        if len(chunk) >= CHUNK:
            if not check.feed(chunk):
                break
            chunk = []
    if chunk:
        check.feed(chunk)
    check.finish(head_seq, head_hash, head_sig, every)
    return check.report(len(checkpoints), head_seq)
