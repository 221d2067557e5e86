"""Pinned draft outputs: the engine must draft exactly these for these inputs.

A speed-up of the engine (issue 16) must not change what it writes for a given seed. The
inputs are the first cases of the project's evaluation set, classified once by the shipped
classifier and stored with the drafts they produced (`data/pinned_drafts.json`), so the
test needs no classifier. The shop's recent replies grow case by case, as in the queue.

Regenerate (only when the copy or the engine's choices change on purpose):
    python -m tests.responder.draft.pinned_cases
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from services.responder.draft import engine
from services.responder.draft.engine import Draft, DraftSettings, draft_reply
from shared.events import Classification, Mention

ROOT = Path(__file__).resolve().parents[3]
DATA = Path(__file__).with_name("data") / "pinned_drafts.json"
SETTINGS = DraftSettings(brand="Тёплый дом", english_brand="Warm Home")
CASES = 60
#: Shop-wide recent replies compared per draft (as the queue benchmark does).
RECENT = 100


def draft_all(
    inputs: list[dict[str, Any]], *, reuse_index: bool = True
) -> list[Draft]:
    """Draft every input in order; each draft joins the shop's recent replies.

    `reuse_index`: one `RecentReplies` index for the whole run (the batch path), else a
    plain list per call (the per-draft path); both must draft the same.
    """
    shop: list[str] = []
    index = engine.RecentReplies() if reuse_index else None
    out = []
    for row in inputs:
        mention = Mention.model_validate(row["mention"])
        classification = Classification.model_validate(row["classification"])
        recent = shop[-RECENT:]
        draft = draft_reply(
            mention=mention,
            classification=classification,
            recent_replies=index.window(recent) if index is not None else recent,
            settings=SETTINGS,
        )
        shop.append(draft.text)
        out.append(draft)
    return out


def load() -> list[dict[str, Any]]:
    return json.loads(DATA.read_text(encoding="utf-8"))


def regenerate() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    from eval_drafts import mention_of  # the evaluation's own mention builder

    from services.sentiment.classifier.base import load_classifier
    from services.sentiment.classifier.pipeline import MentionInput, analyse

    lines = (ROOT / "services/responder/evaluation/draft_cases.jsonl").read_text("utf-8")
    cases = [json.loads(line) for line in lines.splitlines() if line.strip()][:CASES]
    mentions = [mention_of(c) for c in cases]
    classified = analyse(
        [MentionInput(m.full_text, c.get("rating"), c.get("language")) for m, c in zip(mentions, cases, strict=True)],
        load_classifier(None),
    )
    inputs = [
        {"mention": m.model_dump(mode="json"), "classification": k.model_dump(mode="json")}
        for m, k in zip(mentions, classified, strict=True)
    ]
    drafts = draft_all(inputs, reuse_index=False)
    for row, draft in zip(inputs, drafts, strict=True):
        row["expected"] = {
            "text": draft.text,
            "script_id": draft.script_id,
            "attempts": draft.attempts,
            "similarity": draft.similarity,
            "lint": sorted(i.code for i in draft.lint),
        }
    DATA.write_text(json.dumps(inputs, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    regenerate()
