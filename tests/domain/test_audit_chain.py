"""The audit hash chain as pure domain code: hashing, canonical form and verification."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.domain.audit import (
    GENESIS_HASH,
    AuditEntry,
    ChainHead,
    canonical_json,
    entry_hash,
    recompute,
    verify_chain,
)

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

text = st.text(max_size=20)
optional_json = st.one_of(
    st.none(),
    st.dictionaries(st.text(max_size=8), st.one_of(st.integers(), st.text(max_size=8)),
                    max_size=3).map(canonical_json),
)


def build_chain(count: int, *, start: datetime = START) -> list[AuditEntry]:
    """A valid chain of ``count`` entries, built the way the repository builds it."""
    entries: list[AuditEntry] = []
    prev = GENESIS_HASH
    for sequence in range(1, count + 1):
        fields = {
            "sequence": sequence,
            "at": start + timedelta(seconds=sequence),
            "actor_id": sequence % 3 or None,
            "actor_name": f"user {sequence}",
            "action": "user.updated",
            "entity_type": "user",
            "entity_id": str(sequence),
            "old_values": canonical_json({"role": "nurse"}),
            "new_values": canonical_json({"role": "clinician", "n": sequence}),
            "reason": None if sequence % 2 else "promoted",
            "prev_hash": prev,
        }
        digest = entry_hash(**fields)
        entries.append(AuditEntry(**fields, hash=digest))
        prev = digest
    return entries


def head_of(entries: list[AuditEntry]) -> ChainHead | None:
    return ChainHead(entries[-1].sequence, entries[-1].hash) if entries else None


# ---------------------------------------------------------------- canonical form


def test_canonical_json_is_independent_of_key_order_and_spacing() -> None:
    assert canonical_json({"b": 1, "a": [1, 2]}) == canonical_json({"a": [1, 2], "b": 1})
    assert canonical_json({"b": 1, "a": [1, 2]}) == '{"a":[1,2],"b":1}'
    assert canonical_json(None) is None


def test_canonical_json_writes_dates_as_utc_iso_and_decimals_as_text() -> None:
    plus_two = timezone(timedelta(hours=2))
    local = datetime(2026, 11, 24, 11, 0, tzinfo=plus_two)
    assert canonical_json({"at": local}) == '{"at":"2026-11-24T09:00:00+00:00"}'
    assert canonical_json({"dose": Decimal("12.50")}) == '{"dose":"12.50"}'


def test_canonical_json_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        canonical_json({"at": datetime(2026, 1, 1)})  # noqa: DTZ001 - the point of the test


@given(st.dictionaries(st.text(max_size=10),
                       st.one_of(st.integers(), st.text(max_size=10), st.booleans(), st.none()),
                       max_size=6))
def test_canonical_json_is_stable_under_reordering(values: dict[str, object]) -> None:
    reordered = dict(reversed(list(values.items())))
    assert canonical_json(values) == canonical_json(reordered)


def test_entry_hash_is_the_same_for_the_same_instant_in_any_timezone() -> None:
    entry = build_chain(1)[0]
    elsewhere = entry.at.astimezone(timezone(timedelta(hours=-5)))
    assert recompute(dataclasses.replace(entry, at=elsewhere)) == entry.hash


def test_entry_hash_is_a_sha256_hex_digest_and_deterministic() -> None:
    first = build_chain(3)
    again = build_chain(3)
    assert [e.hash for e in first] == [e.hash for e in again]
    assert all(len(e.hash) == 64 and int(e.hash, 16) >= 0 for e in first)
    assert len({e.hash for e in first}) == 3


# ---------------------------------------------------------------- verification


def test_an_intact_chain_verifies() -> None:
    entries = build_chain(6)
    assert verify_chain(entries, head_of(entries)) is None


def test_an_empty_chain_without_head_verifies() -> None:
    assert verify_chain([], None) is None


def test_a_deleted_middle_record_is_named() -> None:
    entries = build_chain(6)
    del entries[2]  # sequence 3
    problem = verify_chain(entries, head_of(build_chain(6)))
    assert problem is not None
    assert problem.sequence == 3
    assert "deleted" in problem.reason
    assert str(problem).startswith("audit record #3:")


def test_a_deleted_first_record_is_named() -> None:
    entries = build_chain(4)[1:]
    problem = verify_chain(entries, head_of(build_chain(4)))
    assert problem is not None
    assert problem.sequence == 1


def test_a_deleted_last_record_is_caught_by_the_head() -> None:
    full = build_chain(6)
    problem = verify_chain(full[:-1], head_of(full))
    assert problem is not None
    assert problem.sequence == 6
    assert "head" in problem.reason


def test_a_record_appended_outside_the_console_is_caught_by_the_head() -> None:
    full = build_chain(6)
    # A forger can compute a valid hash (the chain is not keyed) but the head still says 5.
    problem = verify_chain(full, head_of(full[:5]))
    assert problem is not None
    assert problem.sequence == 6


def test_a_record_added_beyond_the_head_with_a_gap_is_named_itself() -> None:
    full = build_chain(8)
    kept, forged = full[:5], dataclasses.replace(full[7], sequence=8)
    problem = verify_chain([*kept, forged], head_of(kept))
    assert problem is not None
    assert problem.sequence == 8  # not "#6 missing": nothing before the head was removed
    assert "added outside the console" in problem.reason


def test_a_gap_before_the_head_is_still_reported_as_deleted() -> None:
    full = build_chain(8)
    problem = verify_chain([*full[:3], *full[5:]], head_of(full))
    assert problem is not None
    assert problem.sequence == 4
    assert "deleted" in problem.reason


def test_a_record_inserted_with_a_duplicate_or_lower_sequence_is_named() -> None:
    entries = build_chain(4)
    forged = dataclasses.replace(entries[1], sequence=0)
    problem = verify_chain([forged, *entries], head_of(entries))
    assert problem is not None
    assert problem.sequence == 0
    assert "inserted" in problem.reason


def test_a_missing_head_is_reported_when_records_exist() -> None:
    entries = build_chain(3)
    problem = verify_chain(entries, None)
    assert problem is not None
    assert problem.sequence == 3
    assert "head" in problem.reason


def test_a_head_with_the_wrong_hash_is_reported() -> None:
    entries = build_chain(3)
    problem = verify_chain(entries, ChainHead(3, "f" * 64))
    assert problem is not None
    assert problem.sequence == 3


def test_a_relinked_record_is_reported_as_not_linking() -> None:
    entries = build_chain(4)
    # Re-hash record 3 over a different predecessor: its own hash is consistent, the link is not.
    fields = {f.name: getattr(entries[2], f.name) for f in dataclasses.fields(AuditEntry)}
    fields["prev_hash"] = "a" * 64
    del fields["hash"]
    rehashed = AuditEntry(**fields, hash=entry_hash(**fields))
    entries[2] = rehashed
    problem = verify_chain(entries, head_of(entries))
    assert problem is not None
    assert problem.sequence == 3
    assert "link" in problem.reason


CONTENT_CHANGES = {
    "at": st.integers(min_value=1, max_value=10**9).map(lambda us: timedelta(microseconds=us)),
    "actor_id": st.one_of(st.none(), st.integers(min_value=-5, max_value=10**6)),
    "actor_name": text,
    "action": text,
    "entity_type": text,
    "entity_id": text,
    "old_values": optional_json,
    "new_values": optional_json,
    "reason": st.one_of(st.none(), text),
    "prev_hash": st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
    "hash": st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
}


@st.composite
def single_field_change(draw: st.DrawFn) -> tuple[list[AuditEntry], int, AuditEntry]:
    size = draw(st.integers(min_value=1, max_value=8))
    entries = build_chain(size)
    index = draw(st.integers(min_value=0, max_value=size - 1))
    field = draw(st.sampled_from(sorted(CONTENT_CHANGES)))
    original = entries[index]
    value = draw(CONTENT_CHANGES[field])
    if field == "at":
        value = original.at + value
    changed = dataclasses.replace(original, **{field: value})
    return entries, index, changed


@given(single_field_change())
def test_any_single_field_change_is_found_at_that_record(
    case: tuple[list[AuditEntry], int, AuditEntry],
) -> None:
    entries, index, changed = case
    original = entries[index]
    if changed == original:
        return  # the strategy drew the same value: nothing was changed
    if changed.hash == original.hash:
        assert recompute(changed) != original.hash  # content changed: the hash must too
    tampered = [*entries[:index], changed, *entries[index + 1:]]
    problem = verify_chain(tampered, head_of(entries))
    assert problem is not None
    assert problem.sequence == original.sequence


@given(st.integers(min_value=1, max_value=8), st.data())
def test_changing_a_sequence_number_is_always_found(size: int, data: st.DataObject) -> None:
    entries = build_chain(size)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    new_sequence = data.draw(st.integers(min_value=-3, max_value=20).filter(
        lambda n: n != entries[index].sequence))
    tampered = list(entries)
    tampered[index] = dataclasses.replace(entries[index], sequence=new_sequence)
    problem = verify_chain(tampered, head_of(entries))
    assert problem is not None
    assert problem.sequence <= entries[index].sequence


def test_entry_hash_refuses_a_naive_time() -> None:
    entry = build_chain(1)[0]
    with pytest.raises(ValueError, match="naive"):
        recompute(dataclasses.replace(entry, at=entry.at.replace(tzinfo=None)))


def test_decoded_values_round_trip() -> None:
    entry = build_chain(1)[0]
    assert entry.decoded_old() == {"role": "nurse"}
    assert entry.decoded_new() == {"role": "clinician", "n": 1}
    empty = dataclasses.replace(entry, old_values=None)
    assert empty.decoded_old() == {}
