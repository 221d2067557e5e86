"""Event contracts: ids, envelope round trip, and how bad bytes are refused."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from shared.events import (
    EventDecodeError,
    Mention,
    MentionReceived,
    decode,
    encode,
    make_envelope,
    mention_id_for,
)


def mention(**overrides: object) -> Mention:
    values: dict[str, object] = {
        "mention_id": mention_id_for("wildberries", "A1"),
        "platform": "wildberries",
        "source_id": "wb-main",
        "external_id": "A1",
        "text": "Отличный чайник",
        "rating": 5,
        "published_at": datetime(2026, 11, 1, 10, tzinfo=UTC),
    }
    values.update(overrides)
    return Mention.model_validate(values)


def test_mention_id_is_uuid5_of_platform_and_external_id() -> None:
    first = mention_id_for("ozon", "123")
    assert first == mention_id_for("ozon", "123")
    assert first != mention_id_for("wildberries", "123")
    assert first.version == 5


def test_revision_changes_with_text_or_rating_only() -> None:
    base = mention()
    assert mention(author="someone else").revision == base.revision
    assert mention(text="Сломался через день").revision != base.revision
    assert mention(rating=1).revision != base.revision


def test_envelope_round_trip_keeps_type_payload_and_key() -> None:
    envelope = make_envelope(MentionReceived(mention=mention()), producer="ingest")
    decoded = decode(encode(envelope))
    assert decoded.type == "mention.received"
    assert isinstance(decoded.payload, MentionReceived)
    assert decoded.payload.mention == envelope.payload.mention
    assert decoded.event_id == envelope.event_id
    assert envelope.payload.key() == str(mention().mention_id).encode()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (None, "empty message"),
        (b"\xff\xfe garbage", "not JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"type": "nope"}', "unknown event type"),
        (
            json.dumps(
                {"type": "mention.received", "schema_version": 9, "producer": "x", "payload": {}}
            ).encode(),
            "schema_version 9 not supported",
        ),
        (
            json.dumps(
                {
                    "type": "mention.received",
                    "producer": "x",
                    "event_id": str(uuid.uuid4()),
                    "payload": {"mention": {"platform": "wb"}},
                }
            ).encode(),
            "invalid mention.received",
        ),
    ],
)
def test_decode_refuses_bad_messages_with_a_reason(raw: bytes | None, message: str) -> None:
    with pytest.raises(EventDecodeError, match=message):
        decode(raw)


def test_decoding_from_bytes_refuses_what_the_checking_path_refuses() -> None:
    """Messages are validated straight from their bytes; whatever that path does not take
    goes through the checking one, so a near-miss is refused with its reason, not let in."""
    envelope = make_envelope(MentionReceived(mention=mention()), producer="ingest")
    data = json.loads(encode(envelope))
    assert decode(encode(envelope)) == envelope
    data["schema_version"] = "1"  # a string is not the version 1
    with pytest.raises(EventDecodeError, match="schema_version '1' not supported"):
        decode(json.dumps(data).encode())
    data["schema_version"] = 1
    raw = json.dumps(data).encode().replace(b'"rating": 5', b'"rating": ' + b"4" * 5000)
    assert b"4" * 5000 in raw
    with pytest.raises(EventDecodeError, match="ValueError"):
        decode(raw)


def test_naive_publication_time_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        mention(published_at=datetime(2026, 1, 1))


def test_supplement_link_is_written_only_when_set() -> None:
    """A mention without the link encodes exactly as before the field existed, so
    consumers that do not know it still read every other mention; with it, it round
    trips."""
    plain = encode(make_envelope(MentionReceived(mention=mention()), producer="ingest"))
    assert b"supplements" not in plain
    body = json.loads(plain)["payload"]["mention"]
    assert "supplements" not in body and Mention.model_validate(body).supplements is None
    linked = make_envelope(
        MentionReceived(mention=mention(external_id="A2", supplements="A1")), producer="ingest"
    )
    assert decode(encode(linked)).payload.mention.supplements == "A1"
