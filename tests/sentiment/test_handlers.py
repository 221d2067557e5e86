"""The sentiment handler on the real broker: mention.classified goes out as schema version 2
with every draft signal, and a version 1 message (no signals) still decodes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from prometheus_client import CollectorRegistry

from services.sentiment.classifier.base import load_classifier
from services.sentiment.handlers import handle_mentions_received
from services.sentiment.metrics import make_sentiment_metrics
from shared.broker import EmbeddedBroker
from shared.bus import Publisher, ensure_topics
from shared.events import (
    MentionClassified,
    MentionKind,
    MentionReceived,
    Sentiment,
    decode,
    encode,
    make_envelope,
    mention_id_for,
)
from shared.topics import MENTIONS_CLASSIFIED, Topics
from tests.shared.test_bus import read_topic
from tests.shared.test_events import mention


@pytest.fixture
async def publisher(broker: EmbeddedBroker, topic_prefix: str) -> AsyncIterator[Publisher]:
    topics = Topics(topic_prefix)
    await ensure_topics(broker.bootstrap_servers, topics.all_with_dlq(), partitions=1)
    pub = Publisher(
        bootstrap_servers=broker.bootstrap_servers, topics=topics, producer_name="sentiment"
    )
    await pub.start()
    try:
        yield pub
    finally:
        await pub.stop()


def received(external_id: str, **fields: object) -> MentionReceived:
    return MentionReceived(
        mention=mention(
            mention_id=mention_id_for("wildberries", external_id),
            external_id=external_id,
            **fields,
        )
    )


async def test_classified_event_carries_the_signals_as_version_2(
    broker: EmbeddedBroker, publisher: Publisher, topic_prefix: str
) -> None:
    events = [
        received(
            "s1",
            text="Всё супер, только коробка помята. Подскажите, как стирать?",
            rating=5,
            cons="Молния туговата",
        ),
        received("s2", text="Отличное качество, развалилось через день 👍", rating=5),
        received("s3", text="Отличный товар, всем рекомендую!", rating=1),
        received("s4", text="Есть ли гарантия на чайник", rating=None, kind=MentionKind.question),
    ]
    envelopes = [make_envelope(e, producer="ingest") for e in events]
    await handle_mentions_received(
        envelopes,
        classifier=load_classifier(None, backend="builtin"),
        publisher=publisher,
        metrics=make_sentiment_metrics(CollectorRegistry()),
    )
    records = await read_topic(broker, Topics(topic_prefix).name(MENTIONS_CLASSIFIED), 4)
    assert len(records) == 4
    raw = [json.loads(r.value) for r in records]
    assert {r["schema_version"] for r in raw} == {2}
    out = {
        env.payload.mention.external_id: env.payload.classification
        for env in (decode(r.value) for r in records)
    }
    remark, irony, slip, question = out["s1"], out["s2"], out["s3"], out["s4"]
    assert remark.sentiment is Sentiment.positive and remark.remark
    assert [q.text for q in remark.questions] == ["Подскажите, как стирать?"]
    assert {a.clause for a in remark.aspects if a.polarity is Sentiment.negative} == {
        "коробка помята", "Молния туговата",
    }  # fmt: skip
    assert irony.sarcasm and irony.sentiment is Sentiment.negative  # the alerts escalate it
    assert slip.rating_slip and slip.sentiment is Sentiment.positive
    assert [q.text for q in question.questions] == ["Есть ли гарантия на чайник"]


def test_version_1_message_still_decodes_with_default_signals() -> None:
    event = MentionClassified(
        mention=mention(),
        classification={  # type: ignore[arg-type]
            "sentiment": "negative", "score": 0.9, "text_sentiment": "negative",
            "aspects": [{"aspect": "defect", "polarity": "negative", "start": 0, "end": 4,
                         "text": "брак"}],
            "rating_contradiction": True,
        },
    )  # fmt: skip
    data = json.loads(encode(make_envelope(event, producer="old-sentiment")))
    data["schema_version"] = 1
    for field in ("questions", "sarcasm", "rating_slip", "remark"):
        del data["payload"]["classification"][field]
    del data["payload"]["classification"]["aspects"][0]["clause"]
    classification = decode(json.dumps(data).encode()).payload.classification
    assert classification.questions == [] and classification.aspects[0].clause == ""
    assert not (classification.sarcasm or classification.rating_slip or classification.remark)
    assert classification.rating_contradiction
