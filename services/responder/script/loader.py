"""Load and validate script files; a broken script is refused with its file and line.

Validation happens once, at load, so an edited YAML that would produce a broken reply (an
unknown move, a misspelt slot, a negative script without an apology) never reaches a
customer: the service refuses to start, or the admin's upload is refused with the line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from services.responder.script.model import (
    COMPUTED_MOVES,
    FOLLOW_UP_SLOT,
    FOLLOW_UP_SLOT_MOVE,
    REQUIRED_MOVES,
    LanguageFile,
    ScriptSpec,
    phrasing_slots,
)

#: The scripts shipped with the responder; a deployment may point elsewhere.
DEFAULT_SCRIPTS_DIR = Path(__file__).resolve().parent / "scripts"


class ScriptError(ValueError):
    """A script file is invalid. `problems` are (line, message); lines are 1-based."""

    def __init__(self, path: str, problems: Sequence[tuple[int | None, str]]) -> None:
        self.path = path
        self.problems = list(problems)
        self.line = self.problems[0][0] if self.problems else None
        lines = [f"{path}:{line}: {msg}" if line else f"{path}: {msg}" for line, msg in problems]
        super().__init__("\n".join(lines))


def _locate(node: yaml.Node | None, loc: Iterable[Any]) -> int | None:
    """1-based line of the deepest YAML node reachable along a pydantic error location."""
    if node is None:
        return None
    current: yaml.Node = node
    for part in loc:
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                    current = value_node
                    break
        elif isinstance(current, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(current.value):
                current = current.value[part]
    return current.start_mark.line + 1


def _compose(path: str, text: str) -> tuple[Any, yaml.Node | None]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ScriptError(path, [(line, f"bad YAML: {exc.problem or exc}")]) from exc
    except yaml.YAMLError as exc:
        raise ScriptError(path, [(None, f"bad YAML: {exc}")]) from exc
    return data, node


def _semantic_problems(doc: LanguageFile) -> list[tuple[tuple[Any, ...], str]]:
    """Rules that need the whole file: required moves, fillable phrasings, unique ids."""
    problems: list[tuple[tuple[Any, ...], str]] = []
    seen: dict[str, int] = {}
    for i, script in enumerate(doc.scripts):
        where: tuple[Any, ...] = ("scripts", i)
        if script.id in seen:
            problems.append(
                (
                    (*where, "id"),
                    f"duplicate script id {script.id!r} (also script #{seen[script.id]})",
                )
            )
        seen.setdefault(script.id, i)
        required_here = {m.move for m in script.moves if not m.optional}
        missing = sorted(REQUIRED_MOVES[script.family] - required_here)
        if missing:
            problems.append(
                (
                    (*where, "moves"),
                    f"script {script.id!r}: missing required move(s) {', '.join(missing)} "
                    f"for a {script.family} script (present and not optional)",
                )
            )
        guaranteed = script.guaranteed_slots()
        for j, move in enumerate(script.moves):
            phrasings = (
                move.phrasings
                if move.phrasings is not None
                else doc.phrasings.get(move.use or move.move)
            )
            if move.use and move.use not in doc.phrasings:
                problems.append(
                    (
                        (*where, "moves", j),
                        f"script {script.id!r}: move {move.move!r} uses the phrase group "
                        f"{move.use!r}, which the library does not have",
                    )
                )
                continue
            if phrasings is None and move.move in COMPUTED_MOVES:
                continue
            if phrasings is None:
                problems.append(
                    (
                        (*where, "moves", j),
                        f"script {script.id!r}: move {move.move!r} has no phrasings "
                        "(none inline and none in the phrase library)",
                    )
                )
                continue
            slot_problem = _follow_up_slot_problem(script, move.move, phrasings)
            if slot_problem:
                problems.append(((*where, "moves", j), slot_problem))
            if move.optional:
                continue
            if not any(set(phrasing_slots(p)) <= guaranteed for p in phrasings):
                problems.append(
                    (
                        (*where, "moves", j),
                        f"script {script.id!r}: required move {move.move!r} needs at least one "
                        "phrasing that uses only always-filled slots "
                        f"({', '.join(sorted(guaranteed))}) so a review without a name "
                        "or product still gets it",
                    )
                )
    families = {s.family for s in doc.scripts if s.when == type(s.when)()}
    missing_fallback = sorted(set(REQUIRED_MOVES) - families)
    if missing_fallback:
        problems.append(
            (
                ("scripts",),
                "no unconditional fallback script (empty `when`) for: "
                + ", ".join(missing_fallback),
            )
        )
    return problems


def _follow_up_slot_problem(script: ScriptSpec, move: str, phrasings: Sequence[str]) -> str | None:
    """The resolution slot exists only in follow-ups, and a follow-up must state it."""
    uses = [FOLLOW_UP_SLOT in phrasing_slots(p) for p in phrasings]
    if script.kind != "follow_up" and any(uses):
        return (
            f"script {script.id!r}: move {move!r} uses {{{FOLLOW_UP_SLOT}}}, which is filled "
            "only in follow_up scripts"
        )
    if script.kind == "follow_up" and move == FOLLOW_UP_SLOT_MOVE and not all(uses):
        return (
            f"script {script.id!r}: every {FOLLOW_UP_SLOT_MOVE} phrasing must contain "
            f"{{{FOLLOW_UP_SLOT}}} (the follow-up says what was done)"
        )
    return None


def parse_script_file(text: str, path: str = "<string>") -> LanguageFile:
    """Validate one language file's text; raises ScriptError naming `path` and the line."""
    data, node = _compose(path, text)
    if not isinstance(data, dict):
        raise ScriptError(path, [(1, "expected a mapping with language, slots, scripts")])
    try:
        doc = LanguageFile.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            dotted = ".".join(str(p) for p in loc)
            got = err.get("input")
            shown = f" (got {got!r})" if isinstance(got, str | int | float) else ""
            problems.append((_locate(node, loc), f"{dotted}: {err['msg']}{shown}"))
        raise ScriptError(path, problems) from exc
    semantic = _semantic_problems(doc)
    if semantic:
        raise ScriptError(path, [(_locate(node, loc), msg) for loc, msg in semantic])
    return doc


@dataclass(frozen=True)
class ScriptLibrary:
    """All languages' scripts, validated; the draft engine reads only this."""

    languages: dict[str, LanguageFile]

    def scripts(self, language: str) -> list[ScriptSpec]:
        return list(self.languages[language].scripts)

    def has_language(self, language: str) -> bool:
        return language in self.languages


def load_scripts(path: Path | str | None = None) -> ScriptLibrary:
    """Load every `*.yaml` in a directory (or one file); one file per language.

    Raises ScriptError on the first broken file, naming the file and line.
    """
    root = Path(path) if path is not None else DEFAULT_SCRIPTS_DIR
    files = [root] if root.is_file() else sorted(root.glob("*.y*ml"))
    if not files:
        raise ScriptError(str(root), [(None, "no script files (*.yaml) found")])
    languages: dict[str, LanguageFile] = {}
    origin: dict[str, str] = {}
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ScriptError(str(file), [(None, f"cannot read: {exc}")]) from exc
        doc = parse_script_file(text, str(file))
        if doc.language in languages:
            raise ScriptError(
                str(file),
                [(1, f"language {doc.language!r} already defined in {origin[doc.language]}")],
            )
        languages[doc.language] = doc
        origin[doc.language] = str(file)
    return ScriptLibrary(languages)
