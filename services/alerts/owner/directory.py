"""The directory (YAML or JSON): people, teams, routing rules and the default owner.

Errors name the field path (``people[1].timezone``) and, when the text came from YAML,
the file and line, because the person fixing it is reading that file, not a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.alerts.owner.schemas import DirectoryIndex, Person, Team
from services.alerts.routing.rules import RoutingRule

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class DirectoryIssue:
    path: str
    message: str
    line: int | None = None


class DirectoryError(ValueError):
    """The directory is invalid; `issues` lists every problem found."""

    def __init__(self, issues: Sequence[DirectoryIssue], source: str = "<config>") -> None:
        self.issues = list(issues)
        self.source = source
        lines = [
            f"{source}{f':{i.line}' if i.line else ''}: {i.path or '<root>'}: {i.message}"
            for i in self.issues
        ]
        super().__init__("invalid directory:\n  " + "\n  ".join(lines))


class Directory(BaseModel):
    """Who is responsible: people, teams, routing rules and the default owner."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default_owner: str = Field(min_length=1)
    people: list[Person] = Field(min_length=1)
    teams: list[Team] = Field(default_factory=list)
    rules: list[RoutingRule] = Field(default_factory=list)

    def index(self) -> DirectoryIndex:
        return DirectoryIndex.build(self.people, self.teams)

    def team_heads(self) -> dict[str, str]:
        return {t.id: t.head_id for t in self.teams}


def format_loc(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _cross_check(cfg: Directory) -> list[tuple[Loc, str]]:
    """References between entities: what pydantic cannot see from one model alone."""
    problems: list[tuple[Loc, str]] = []
    people = {p.id for p in cfg.people}
    teams = {t.id for t in cfg.teams}

    def dupes(kind: str, ids: list[str]) -> None:
        seen: set[str] = set()
        for i, ident in enumerate(ids):
            if ident in seen:
                problems.append(((kind, i, "id"), f"duplicate id {ident!r}"))
            seen.add(ident)

    dupes("people", [p.id for p in cfg.people])
    dupes("teams", [t.id for t in cfg.teams])
    dupes("rules", [r.id for r in cfg.rules])
    if cfg.default_owner not in people:
        problems.append((("default_owner",), f"unknown person {cfg.default_owner!r}"))
    for i, p in enumerate(cfg.people):
        if p.deputy_id and p.deputy_id not in people:
            problems.append((("people", i, "deputy_id"), f"unknown person {p.deputy_id!r}"))
    for i, t in enumerate(cfg.teams):
        if t.head_id not in people:
            problems.append((("teams", i, "head_id"), f"unknown person {t.head_id!r}"))
        for j, member in enumerate(t.members):
            if member not in people:
                problems.append((("teams", i, "members", j), f"unknown person {member!r}"))
    for i, r in enumerate(cfg.rules):
        if r.owner_id and r.owner_id not in people:
            problems.append((("rules", i, "owner_id"), f"unknown person {r.owner_id!r}"))
        if r.team_id and r.team_id not in teams:
            problems.append((("rules", i, "team_id"), f"unknown team {r.team_id!r}"))
    return problems


def _line_of(root: yaml.Node | None, loc: Loc) -> int | None:
    """1-based line of the deepest YAML node on the path `loc`."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        nxt: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == part:
                    nxt = value
                    line = key.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(node.value):
                nxt = node.value[part]
                line = nxt.start_mark.line + 1
        if nxt is None:
            break
        node = nxt
    return line


def parse_directory(
    data: dict[str, Any], *, source: str = "<config>", node: Any = None
) -> Directory:
    """Validate a mapping (already parsed YAML/JSON) into an Directory or raise DirectoryError."""
    try:
        cfg = Directory.model_validate(data)
    except ValidationError as exc:
        issues = []
        for err in exc.errors():
            loc: Loc = tuple(p for p in err["loc"] if isinstance(p, str | int))
            # "value error, ..." is pydantic's prefix for validator messages; drop it.
            msg = str(err["msg"]).removeprefix("Value error, ")
            issues.append(DirectoryIssue(format_loc(loc), msg, _line_of(node, loc)))
        raise DirectoryError(issues, source) from None
    problems = _cross_check(cfg)
    if problems:
        raise DirectoryError(
            [DirectoryIssue(format_loc(loc), msg, _line_of(node, loc)) for loc, msg in problems],
            source,
        )
    return cfg


def load_directory_text(text: str, *, source: str = "<config>") -> Directory:
    """Parse YAML text; syntax errors and schema errors both become DirectoryError."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise DirectoryError([DirectoryIssue("", f"YAML syntax: {exc}", line)], source) from None
    if not isinstance(data, dict):
        raise DirectoryError([DirectoryIssue("", "top level must be a mapping", 1)], source)
    return parse_directory(data, source=source, node=node)


def load_directory(path: str | Path) -> Directory:
    path = Path(path)
    return load_directory_text(path.read_text(encoding="utf-8"), source=str(path))
