"""The seller facts file (YAML), validated at load: every error names the entry and field.

    shop: {name: "Мамина Радость", languages: [ru, en]}
    facts:
      - id: returns-wildberries
        topic: returns            # FactTopic
        platforms: [wildberries]  # optional; none = every platform
        sku: null                 # optional; set = this product only
        brand: null               # optional; set = this brand only
        text: {ru: "…", en: "…"}
        keywords: {ru: [...], en: [...]}   # optional, for the keyword fallback

A broken file stops the service at start (like a broken script): a wrong fact never
reaches a draft.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from services.responder.fact.schemas import FACT_LANGUAGES, FactCreate

ALLOWED_TOP = {"shop", "facts"}
ALLOWED_SHOP = {"name", "languages"}


class FactFileError(ValueError):
    """The facts file is wrong; `problems` lists each one ("facts[2] (id x).topic: ...")."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


@dataclass(frozen=True)
class FactFile:
    shop_name: str | None
    languages: tuple[str, ...]
    facts: tuple[FactCreate, ...]


def _field(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "entry"


def _message(error: Mapping[str, Any]) -> str:
    msg = str(error.get("msg", "invalid"))
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if error.get("type") == "literal_error" and error.get("loc", ("",))[0] == "topic":
        msg = f"unknown topic {error.get('input')!r}; {msg[0].lower()}{msg[1:]}"
    if error.get("type") == "extra_forbidden":
        msg = "unknown field"
    return msg


def parse_facts(data: Any, source: str = "facts") -> FactFile:
    """Validate the parsed YAML; raises FactFileError listing every problem found."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise FactFileError(source, ["expected a mapping with 'shop' and 'facts'"])
    for key in sorted(set(data) - ALLOWED_TOP):
        problems.append(f"{key}: unknown field (expected shop, facts)")
    shop = data.get("shop") or {}
    languages: tuple[str, ...] = FACT_LANGUAGES
    shop_name: str | None = None
    if not isinstance(shop, dict):
        problems.append("shop: expected a mapping {name, languages}")
    else:
        for key in sorted(set(shop) - ALLOWED_SHOP):
            problems.append(f"shop.{key}: unknown field (expected name, languages)")
        shop_name = str(shop["name"]).strip() if shop.get("name") else None
        if "languages" in shop:
            raw = shop["languages"]
            if not isinstance(raw, list) or not raw:
                problems.append("shop.languages: expected a non-empty list, e.g. [ru, en]")
            else:
                unknown = [str(x) for x in raw if x not in FACT_LANGUAGES]
                if unknown:
                    problems.append(
                        f"shop.languages: unknown language {', '.join(map(repr, unknown))}; "
                        f"expected one of {', '.join(FACT_LANGUAGES)}"
                    )
                languages = tuple(str(x) for x in raw if x in FACT_LANGUAGES)
    entries = data.get("facts")
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise FactFileError(source, [*problems, "facts: expected a list of facts"])
    facts: list[FactCreate] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        fact_id = entry.get("id") if isinstance(entry, dict) else None
        where = f"facts[{index}]" + (f" (id {fact_id!r})" if fact_id else "")
        if not isinstance(entry, dict):
            problems.append(f"{where}: expected a mapping with id, topic, text")
            continue
        try:
            fact = FactCreate.model_validate(entry)
        except ValidationError as exc:
            for error in exc.errors():
                problems.append(f"{where}.{_field(error['loc'])}: {_message(error)}")
            continue
        if fact.id in seen:
            problems.append(f"{where}.id: duplicate id (first at facts[{seen[fact.id]}])")
            continue
        seen[fact.id] = index
        for lang in sorted(set(fact.text) | set(fact.keywords)):
            if lang not in languages:
                problems.append(
                    f"{where}.text.{lang}: unknown language {lang!r} for this shop "
                    f"(shop.languages: {', '.join(languages)})"
                )
        facts.append(fact)
    if problems:
        raise FactFileError(source, problems)
    return FactFile(shop_name=shop_name, languages=languages, facts=tuple(facts))


def load_facts_file(path: Path) -> FactFile:
    """Read and validate the facts file; a missing or unreadable file is a FactFileError."""
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FactFileError(str(path), [f"cannot read the file: {exc.strerror or exc}"]) from exc
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        raise FactFileError(str(path), [f"{line}not valid YAML ({exc})"]) from exc
    return parse_facts(data, str(path))
