"""The audit trail: canonical encoding, tamper detection, identifiers refused, concurrent writers."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from crossroads.governance import AuditEventRejected, Event, Store, verify_file
from crossroads.governance.audit import GENESIS, ChainCheck, Row, event_hash, prepare, record_text

MASTER_KEY = bytes(range(32))  # the same fixed test key as conftest.py

SELECT_ROW = (
    "SELECT seq, time, actor, action, permit, version, purpose, counts, detail, prev_hash, hash "
    "FROM audit_events WHERE seq = :seq"
)


def _fill(store: Store, n: int, *, every: int = 10) -> None:
    store.audit.set_checkpoint_interval(every)
    store.audit.append_many(
        Event(f"user{i % 3}", "extract", "21/150", 1, "jaarverslag", {"rows": i}, {"dataset": f"d{i}"})
        for i in range(1, n + 1)
    )


def _sql(store: Store, sql: str, **params: object) -> None:
    with store.engine.begin() as conn:
        conn.execute(text(sql), params)


def test_an_event_is_stored_with_its_canonical_record_and_hash(store: Store) -> None:
    seq = store.audit.append(
        "ann",
        "extract",
        permit="21/150",
        version=1,
        purpose="jaarverslag",
        counts={"rows": 3, "files": 2},
        detail={"b": [1, 2], "a": "x"},
    )
    assert seq == 1
    with store.engine.connect() as conn:
        row = conn.execute(text(SELECT_ROW), {"seq": 1}).one()
    # Written out by hand: fields joined by US (0x1f), JSON with sorted keys and no spaces; the
    # fixed clock says 2022-03-01 09:30 UTC; the first event links to the all-zero genesis hash.
    expected_record = (
        "1\x1f2022-03-01T09:30:00.000000Z\x1fann\x1fextract\x1f21/150\x1f1\x1fjaarverslag"
        '\x1f{"files":2,"rows":3}\x1f{"a":"x","b":[1,2]}'
    )
    assert row.counts == '{"files":2,"rows":3}'
    assert row.prev_hash == "0" * 64
    assert record_text(*row[:9]) == expected_record
    assert row.hash == hashlib.sha256(("0" * 64 + "\x1e" + expected_record).encode()).hexdigest()
    assert store.audit.verify().ok


def test_events_without_permit_encode_empty_fields(store: Store) -> None:
    store.audit.append("system", "store.open")
    with store.engine.connect() as conn:
        row = conn.execute(text(SELECT_ROW), {"seq": 1}).one()
    assert (
        record_text(*row[:9])
        == "1\x1f2022-03-01T09:30:00.000000Z\x1fsystem\x1fstore.open\x1f\x1f\x1f\x1f{}\x1f{}"
    )


def test_intact_chain_with_checkpoints_verifies(store: Store) -> None:
    _fill(store, 35)
    store.audit.append("ann", "release", permit="21/150", version=1, counts={"tables": 4})
    report = store.audit.verify()
    assert report.ok, report.problem
    # 36 events, checkpoints every 10 events: at 10, 20 and 30.
    assert (report.events, report.checkpoints, report.head_seq) == (36, 3, 36)


def test_a_failed_batch_appends_nothing(store: Store) -> None:
    store.audit.append("ann", "extract")
    with pytest.raises(AuditEventRejected):
        store.audit.append_many([Event("ann", "extract"), Event("ann", "extract", detail={"x": 85073003328})])
    assert store.audit.count() == 1
    assert store.audit.verify().ok


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("time", "2022-03-01T09:30:01.000000Z"),
        ("actor", "user9"),
        ("action", "extracT"),
        ("permit", "21/151"),
        ("version", 2),
        ("purpose", "jaarverslaG"),
        ("counts", '{"rows":8}'),
        ("detail", '{"dataset":"d0"}'),
    ],
)
def test_changing_one_field_is_detected_at_that_event(store: Store, column: str, value: object) -> None:
    _fill(store, 40)
    _sql(store, f"UPDATE audit_events SET {column} = :value WHERE seq = 17", value=value)
    report = store.audit.verify()
    assert not report.ok
    assert report.first_bad_seq == 17
    assert "content changed" in (report.problem or "")


def test_a_dropped_event_is_detected(store: Store) -> None:
    _fill(store, 40)
    _sql(store, "DELETE FROM audit_events WHERE seq = 23")
    report = store.audit.verify()
    assert report.first_bad_seq == 23
    assert "missing" in (report.problem or "")


def test_a_dropped_event_with_renumbering_is_detected(store: Store) -> None:
    _fill(store, 40)
    _sql(store, "DELETE FROM audit_events WHERE seq = 23")
    for seq in range(24, 41):  # close the gap, one row at a time to keep the key unique
        _sql(store, "UPDATE audit_events SET seq = :new WHERE seq = :old", new=seq - 1, old=seq)
    report = store.audit.verify()
    assert report.first_bad_seq == 23


def _shift_up_from(store: Store, seq: int, last: int) -> None:
    for old in range(last, seq - 1, -1):
        _sql(store, "UPDATE audit_events SET seq = :new WHERE seq = :old", new=old + 1, old=old)


def test_an_inserted_event_is_detected_at_its_position(store: Store) -> None:
    _fill(store, 40)
    _shift_up_from(store, 12, 40)
    # A copied-in row: it claims the hashes of another event.
    _sql(
        store,
        "INSERT INTO audit_events SELECT 12, time, actor, action, permit, version, purpose, counts, detail, "
        "prev_hash, hash FROM audit_events WHERE seq = 30",
    )
    assert store.audit.verify().first_bad_seq == 12


def test_a_well_forged_insertion_breaks_the_chain_right_after_it(store: Store) -> None:
    """Anyone can compute sha256, so an inserted event can carry a correct hash of its own; the
    chain then breaks at the next event, whose seq (part of its hash) had to move."""
    _fill(store, 40)
    with store.engine.connect() as conn:
        prev = conn.execute(text("SELECT hash FROM audit_events WHERE seq = 11")).scalar_one()
    _shift_up_from(store, 12, 40)
    fields = (12, "2022-03-01T09:30:00.000000Z", "mallory", "extract", "21/150", 1, "x", "{}", "{}")
    forged = event_hash(prev, record_text(*fields))
    _sql(
        store,
        "INSERT INTO audit_events VALUES "
        "(12, :t, 'mallory', 'extract', '21/150', 1, 'x', '{}', '{}', :p, :h)",
        t=fields[1],
        p=prev,
        h=forged,
    )
    report = store.audit.verify()
    assert report.first_bad_seq == 13


def test_two_reordered_events_are_detected_at_the_first(store: Store) -> None:
    _fill(store, 40)
    _sql(store, "UPDATE audit_events SET seq = -1 WHERE seq = 8")
    _sql(store, "UPDATE audit_events SET seq = 8 WHERE seq = 31")
    _sql(store, "UPDATE audit_events SET seq = 31 WHERE seq = -1")
    report = store.audit.verify()
    assert report.first_bad_seq == 8


def test_truncating_below_the_last_checkpoint_is_detected(store: Store) -> None:
    _fill(store, 40)
    # Also rewrite the head to a consistent-looking state: the checkpoints at 30 and 40 still commit.
    with store.engine.connect() as conn:
        h25 = conn.execute(text("SELECT hash FROM audit_events WHERE seq = 25")).scalar_one()
    _sql(store, "DELETE FROM audit_events WHERE seq > 25")
    _sql(store, "UPDATE audit_head SET seq = 25, hash = :h", h=h25)
    report = store.audit.verify()
    assert report.first_bad_seq == 26
    assert "truncated" in (report.problem or "")


def test_truncating_after_the_last_checkpoint_is_detected_by_the_head(store: Store) -> None:
    _fill(store, 37)  # checkpoints at 10, 20, 30; head at 37
    _sql(store, "DELETE FROM audit_events WHERE seq > 33")
    report = store.audit.verify()
    assert report.first_bad_seq == 34
    assert "head pointer commits to 37" in (report.problem or "")


def test_truncating_and_moving_the_head_without_the_key_is_detected(store: Store) -> None:
    _fill(store, 37)
    with store.engine.connect() as conn:
        h33 = conn.execute(text("SELECT hash FROM audit_events WHERE seq = 33")).scalar_one()
    _sql(store, "DELETE FROM audit_events WHERE seq > 33")
    _sql(store, "UPDATE audit_head SET seq = 33, hash = :h", h=h33)  # keeps the old signature
    report = store.audit.verify()
    assert not report.ok
    assert "head pointer signature" in (report.problem or "")


def test_rolling_back_to_a_saved_head_after_the_last_checkpoint_is_not_detectable(store: Store) -> None:
    """The documented limit (docs/reference/audit-trail.md): someone who saved a genuine signed
    head row can cut the events after it, as long as no checkpoint lies beyond it. Exported files
    and the checkpoint interval bound what can be lost this way."""
    _fill(store, 33)
    with store.engine.connect() as conn:
        saved = conn.execute(text("SELECT seq, hash, signature FROM audit_head")).one()
    _fill_more = [Event("ann", "extract") for _ in range(4)]
    store.audit.append_many(_fill_more)
    _sql(store, "DELETE FROM audit_events WHERE seq > 33")
    _sql(
        store, "UPDATE audit_head SET seq = :s, hash = :h, signature = :g", s=saved[0], h=saved[1], g=saved[2]
    )
    assert store.audit.verify().ok


def test_an_event_appended_beyond_the_head_is_detected(store: Store) -> None:
    _fill(store, 12)
    with store.engine.connect() as conn:
        prev = conn.execute(text("SELECT hash FROM audit_events WHERE seq = 12")).scalar_one()
    fields = (13, "2022-03-01T09:30:00.000000Z", "mallory", "extract", None, None, "", "{}", "{}")
    _sql(
        store,
        "INSERT INTO audit_events VALUES (13, :t, 'mallory', 'extract', NULL, NULL, '', '{}', '{}', :p, :h)",
        t=fields[1],
        p=prev,
        h=event_hash(prev, record_text(*fields)),
    )
    assert store.audit.verify().first_bad_seq == 13


def test_a_deleted_or_forged_checkpoint_is_detected(store: Store) -> None:
    _fill(store, 25)
    _sql(store, "DELETE FROM audit_checkpoints WHERE seq = 10")
    report = store.audit.verify()
    assert (report.first_bad_seq, report.problem) == (10, "the signed checkpoint for this event is missing")
    _sql(store, "INSERT INTO audit_checkpoints VALUES (10, 'ab', '2022', :sig)", sig="00" * 64)
    assert store.audit.verify().first_bad_seq == 10


def test_a_fully_rewritten_chain_fails_at_the_first_checkpoint(store: Store) -> None:
    """Rewriting every event from seq 5 on (recomputing all hashes) needs the signing key to
    re-sign checkpoints: verification stops at the first checkpoint that no longer matches."""
    _fill(store, 25)
    with store.engine.connect() as conn:
        rows = conn.execute(text(SELECT_ROW.replace("seq = :seq", "seq >= 1 ORDER BY seq"))).all()
    prev = rows[3].hash
    for row in rows[4:]:
        fields = list(row[:9])
        fields[2] = "mallory"
        digest = event_hash(prev, record_text(*fields))
        _sql(
            store,
            "UPDATE audit_events SET actor = 'mallory', prev_hash = :p, hash = :h WHERE seq = :s",
            p=prev,
            h=digest,
            s=row.seq,
        )
        prev = digest
    report = store.audit.verify()
    assert report.first_bad_seq == 10
    assert "checkpoint" in (report.problem or "")


@pytest.mark.parametrize(
    "detail",
    [
        {"insz": "85073003328"},
        {"insz": "85.07.30-033.28"},
        {"employer": "0123.456.789"},
        {"employer": "BE0123456789"},
        {"note": "person 85073003328 matched"},
        {"n": 85073003328},
        {"nested": [{"x": ["0123456789"]}]},
        {"85073003328": 1},
        {"f": 85073003328.0},
    ],
)
def test_identifiers_are_refused_and_never_echoed(store: Store, detail: dict[str, object]) -> None:
    with pytest.raises(AuditEventRejected) as info:
        store.audit.append("ann", "extract", permit="21/150", detail=detail)
    message = str(info.value)
    assert "INSZ or enterprise number" in message
    for digits in ("85073003328", "0123456789", "033.28", "456.789"):
        assert digits not in message
    assert store.audit.count() == 0


def test_identifiers_in_counts_purpose_and_actor_are_refused(store: Store) -> None:
    with pytest.raises(AuditEventRejected):
        store.audit.append("ann", "extract", counts={"rows": 85073003328})
    with pytest.raises(AuditEventRejected):
        store.audit.append("ann", "extract", purpose="for 85073003328")
    with pytest.raises(AuditEventRejected):
        store.audit.append("85073003328", "extract")
    with pytest.raises(AuditEventRejected):
        store.audit.append("ann", "extract", counts={"rows": -1})


@pytest.mark.parametrize(
    "detail",
    [
        {"sha256": hashlib.sha256(b"x").hexdigest()},
        {"date": "2024-09-01", "when": "2024-09-01T12:00:00Z"},
        {"rows": 123456789, "big": 123456789012},
        {"sequence_numbers": [1, 2, 3]},
        {"path": "deliveries/21-150/2024-09-01"},
    ],
)
def test_counts_dates_hashes_and_sequence_numbers_are_accepted(
    store: Store, detail: dict[str, object]
) -> None:
    store.audit.append("ann", "extract", detail=detail)
    assert store.audit.verify().ok


@given(
    number=st.integers(min_value=10**9, max_value=10**11 - 1), prefix=st.sampled_from(["", "id ", "x=", "BE"])
)
@settings(max_examples=100, deadline=None)
def test_any_ten_or_eleven_digit_number_is_refused(number: int, prefix: str) -> None:
    # 10**9 .. 10**11 - 1 are exactly the 10- and 11-digit numbers; zero-padded to 11 as INSZ too.
    for text_value in (f"{prefix}{number}", f"{prefix}{number:011d}"):
        with pytest.raises(AuditEventRejected):
            prepare(Event("ann", "extract", detail={"v": text_value}))


def _chain(n: int) -> list[Row]:
    rows: list[Row] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        fields = (
            seq,
            "2022-03-01T09:30:00.000000Z",
            "ann",
            "extract",
            "21/150",
            1,
            "p",
            f'{{"rows":{seq}}}',
            "{}",
        )
        digest = event_hash(prev, record_text(*fields))
        rows.append((*fields, prev, digest))
        prev = digest
    return rows


@given(data=st.data())
@settings(max_examples=100, deadline=None)
def test_any_single_tampering_is_detected_at_the_right_seq(data: st.DataObject) -> None:
    """Property: in a chain of 2..60 events, changing one character of one field of event k,
    dropping event k or swapping events k and j is reported with first bad seq k (k < j)."""
    n = data.draw(st.integers(min_value=2, max_value=60))
    rows = _chain(n)
    k = data.draw(st.integers(min_value=1, max_value=n - 1))
    kind = data.draw(st.sampled_from(["change", "drop", "swap"]))
    tampered = list(rows)
    if kind == "change":
        field = data.draw(st.sampled_from([1, 2, 3, 6, 7]))
        row = list(tampered[k - 1])
        value = str(row[field])
        at = data.draw(st.integers(min_value=0, max_value=len(value) - 1))
        row[field] = value[:at] + ("Z" if value[at] != "Z" else "Y") + value[at + 1 :]
        tampered[k - 1] = tuple(row)  # type: ignore[assignment]
    elif kind == "drop":
        del tampered[k - 1]
    else:
        j = data.draw(st.integers(min_value=k + 1, max_value=n))
        a, b = tampered[k - 1], tampered[j - 1]
        tampered[k - 1] = (k, *b[1:])  # type: ignore[assignment]
        tampered[j - 1] = (j, *a[1:])  # type: ignore[assignment]
    check = ChainCheck(public_key=None, checkpoints={})  # type: ignore[arg-type]
    check.feed(tampered)
    assert check.first_bad == k


def test_export_verifies_offline_and_detects_a_changed_line(store: Store, tmp_path: Path) -> None:
    _fill(store, 25)
    summary = store.audit.export(tmp_path / "audit.jsonl")
    assert (summary.events, summary.checkpoints, summary.head_seq) == (25, 2, 25)
    key = summary.public_key_path.read_text()
    assert verify_file(summary.path, key).ok
    lines = summary.path.read_text().splitlines()
    event = json.loads(lines[14])  # line 1 is the header, so line 15 holds seq 14
    assert event["seq"] == 14
    event["counts"]["rows"] = 15
    lines[14] = json.dumps(event)
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text("\n".join(lines) + "\n")
    report = verify_file(tampered, key)
    assert (report.ok, report.first_bad_seq) == (False, 14)


def test_export_is_refused_against_another_public_key(store: Store, tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from crossroads.governance.custody import public_key_pem

    _fill(store, 3)
    summary = store.audit.export(tmp_path / "audit.jsonl")
    other = public_key_pem(Ed25519PrivateKey.generate().public_key())
    report = verify_file(summary.path, other)
    assert not report.ok
    assert "different key" in (report.problem or "")


def test_export_with_a_dropped_line_is_detected(store: Store, tmp_path: Path) -> None:
    _fill(store, 25)
    summary = store.audit.export(tmp_path / "audit.jsonl")
    lines = summary.path.read_text().splitlines()
    # Lines: header, events 1..25, checkpoints 10 and 20 (28 lines); the 4th from the end is seq 24.
    assert json.loads(lines[-4])["seq"] == 24
    del lines[-4]
    summary.path.write_text("\n".join(lines) + "\n")
    assert verify_file(summary.path).first_bad_seq == 24


def _append_from_process(url: str, home: str, worker: int, count: int) -> None:
    store = Store(url, home=Path(home), master_key=MASTER_KEY)
    try:
        singles = count // 2
        for i in range(singles):
            store.audit.append(f"worker{worker}", "test.append", counts={"i": i})
        for start in range(singles, count, 20):
            store.audit.append_many(
                Event(f"worker{worker}", "test.append", counts={"i": i})
                for i in range(start, min(start + 20, count))
            )
    finally:
        store.close()


def test_concurrent_appenders_in_several_processes_leave_one_chain(
    make_store: Callable[..., Store], store_url: str, tmp_path: Path
) -> None:
    store = make_store()
    store.audit.set_checkpoint_interval(50)
    workers, per_worker = 4, 200
    store.engine.dispose()  # no pooled connection may be shared with the forked children
    context = multiprocessing.get_context("fork")  # children open their own engines
    processes = [
        context.Process(target=_append_from_process, args=(store_url, str(store.home), w, per_worker))
        for w in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=240)
        assert process.exitcode == 0
    report = store.audit.verify()
    assert report.ok, report.problem
    # 4 x 200 = 800 events, checkpoints at 50, 100, ..., 800 = 16.
    assert (report.events, report.checkpoints) == (800, 16)
    with store.engine.connect() as conn:
        pairs = conn.execute(text("SELECT actor, counts FROM audit_events")).all()
    assert sorted((a, json.loads(c)["i"]) for a, c in pairs) == sorted(
        (f"worker{w}", i) for w in range(workers) for i in range(per_worker)
    )


def test_parallel_verify_agrees_with_a_single_pass(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Segments of 7 events (1-7, 8-14, 15-21, ...) checked in 2 processes: a dropped first event of
    a segment and a change inside another are found exactly as a single pass finds them."""
    from crossroads.governance import audit

    monkeypatch.setattr(audit, "PARALLEL_FROM", 0)
    monkeypatch.setattr(audit, "CHUNK", 7)
    _fill(store, 40)
    assert store.audit.verify(workers=2).ok
    _sql(store, "UPDATE audit_events SET purpose = 'x' WHERE seq = 30")
    _sql(store, "DELETE FROM audit_events WHERE seq = 15")
    single, parallel = store.audit.verify(), store.audit.verify(workers=2)
    assert (single.first_bad_seq, parallel.first_bad_seq) == (15, 15)
    _sql(store, "DELETE FROM audit_events WHERE seq > 14")  # now only a truncated tail is wrong
    assert store.audit.verify(workers=2).first_bad_seq == 15


def test_an_earlier_export_anchors_the_tail(store: Store, tmp_path: Path) -> None:
    """The rollback above becomes visible once an auditor holds an export taken after the lost
    events: its recorded head (seq 37 and its hash) must still be in the chain."""
    from crossroads.governance.audit import export_anchor

    _fill(store, 33)
    with store.engine.connect() as conn:
        saved = conn.execute(text("SELECT seq, hash, signature FROM audit_head")).one()
    store.audit.append_many([Event("ann", "extract") for _ in range(4)])
    anchor = export_anchor(store.audit.export(tmp_path / "audit.jsonl").path)
    assert anchor[0] == 37
    _sql(store, "DELETE FROM audit_events WHERE seq > 33")
    _sql(
        store, "UPDATE audit_head SET seq = :s, hash = :h, signature = :g", s=saved[0], h=saved[1], g=saved[2]
    )
    report = store.audit.verify(anchors=dict([anchor]))
    assert (report.ok, report.first_bad_seq) == (False, 34)
    assert "earlier export recorded 37 events" in (report.problem or "")
