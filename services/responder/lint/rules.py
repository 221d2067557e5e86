"""Reply lint: what a platform would reject (or regret) before the reply is approved.

Pure function over the text and the platform policy, cheap enough to run on every
keystroke in the UI and again before approval. Errors block approval; warnings inform.
With a `LintContext` (the mention's family, stars, platform truth, seller fact topics) the
content rules of `content.py` run too: the same call lints a draft and an agent's edit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from services.responder.lint.content import LintContext, content_findings
from services.responder.lint.policy import PlatformPolicy

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class LintIssue:
    """One finding. `span` is a (start, end) character range in the text, when it has one."""

    code: str
    severity: Severity
    message: str
    span: tuple[int, int] | None = None


_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[^\W\d_]{2,}", re.UNICODE)
#: A URL tail: no spaces, and never ending on sentence punctuation.
_TAIL = r"[^\s<>«»\"]*[^\s<>«»\".,;:!?)]"
_URL = re.compile(
    rf"(?:\bhttps?://|\bwww\.){_TAIL}"
    r"|\b(?:[a-zа-яё0-9\-]+\.)+(?:ru|com|net|org|рф|su|by|kz|ua|io|me|info|shop|store|site|online|"
    rf"biz|pro|app|link|ly|gl|cc|co)\b(?:/{_TAIL})?",
    re.IGNORECASE | re.UNICODE,
)
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}|8)?[\s\-]?\(?\d{3}\)?[\s\-]?\d{3}[\s\-]?\d{2}[\s\-]?\d{2}(?!\w)"
)
_HANDLE = re.compile(r"(?<![\w.@])@[A-Za-z][A-Za-z0-9_]{3,}")
_MESSENGER = re.compile(r"\b(?:t\.me|wa\.me|telegram\.me|vk\.com|viber)\b", re.IGNORECASE)
_SLOT = re.compile(r"\{[^{}\n]{0,40}\}|\{\}|\[\s*(?:…|\.\.\.)\s*\]")
_HTML = re.compile(r"</?[a-zA-Z][^<>]{0,200}>")


def _length(text: str, unit: str) -> int:
    return len(text.encode("utf-8")) if unit == "bytes" else len(text)


def _char_index_at_byte_cap(text: str, cap: int) -> int:
    """First character that no longer fits in `cap` UTF-8 bytes."""
    used = 0
    for i, ch in enumerate(text):
        used += len(ch.encode("utf-8"))
        if used > cap:
            return i
    return len(text)


def _link_allowed(match: str, policy: PlatformPolicy) -> bool:
    lowered = match.lower()
    return any(domain in lowered for domain in policy.allowed_link_domains)


def lint_reply(
    text: str,
    policy: PlatformPolicy,
    *,
    kind: str = "review",
    context: LintContext | None = None,
) -> list[LintIssue]:
    """Check a reply against the platform's rules (and, with `context`, the content rules);
    issues sorted by position (None first)."""
    issues: list[LintIssue] = []
    stripped = text.strip()
    if not stripped:
        return [LintIssue("empty", "error", "The reply is empty.", None)]

    length = _length(stripped, policy.length_unit)
    unit = "bytes" if policy.length_unit == "bytes" else "characters"
    least = policy.min_for(kind)
    if length < least:
        issues.append(
            LintIssue(
                "too_short",
                "error",
                f"{policy.platform} needs at least {least} {unit} (has {length}).",
                (0, len(text)),
            )
        )
    cap = policy.cap_for(kind)
    if cap is not None and length > cap:
        start = text.find(stripped)
        cut = (
            _char_index_at_byte_cap(stripped, cap)
            if policy.length_unit == "bytes"
            else min(cap, len(stripped))
        )
        issues.append(
            LintIssue(
                "too_long",
                "error",
                f"{policy.platform} accepts at most {cap} {unit}; this reply has {length}.",
                (start + cut, start + len(stripped)),
            )
        )

    for m in _SLOT.finditer(text):
        name = m.group(0)
        hint = " — write the answer here" if name == "{answer}" else ""
        issues.append(
            LintIssue("unfilled_slot", "error", f"Unfilled placeholder {name}{hint}.", m.span())
        )

    email_spans: list[tuple[int, int]] = []
    if policy.forbid_contacts:
        for m in _EMAIL.finditer(text):
            email_spans.append(m.span())
            issues.append(
                LintIssue(
                    "email",
                    "error",
                    f"{policy.platform} does not allow e-mail addresses in replies.",
                    m.span(),
                )
            )
        for m in _PHONE.finditer(text):
            issues.append(
                LintIssue(
                    "phone",
                    "error",
                    f"{policy.platform} does not allow phone numbers in replies.",
                    m.span(),
                )
            )
        for pattern in (_HANDLE, _MESSENGER):
            for m in pattern.finditer(text):
                if any(s <= m.start() < e for s, e in email_spans):
                    continue
                issues.append(
                    LintIssue(
                        "contact",
                        "error",
                        f"{policy.platform} does not allow messenger or social contacts.",
                        m.span(),
                    )
                )
    else:
        email_spans = [m.span() for m in _EMAIL.finditer(text)]

    if policy.forbid_links:
        for m in _URL.finditer(text):
            if any(s <= m.start() < e for s, e in email_spans):
                continue
            if _link_allowed(m.group(0), policy):
                continue
            issues.append(
                LintIssue(
                    "link",
                    "error",
                    f"{policy.platform} does not allow links in replies.",
                    m.span(),
                )
            )

    if policy.strips_html:
        for m in _HTML.finditer(text):
            issues.append(
                LintIssue(
                    "html",
                    "warning",
                    f"{policy.platform} strips HTML; the tag will not show.",
                    m.span(),
                )
            )

    if context is not None:
        for finding in content_findings(text, context):
            issues.append(LintIssue(finding.code, finding.severity, finding.message, finding.span))

    if not policy.editable:
        issues.append(
            LintIssue(
                "no_edit",
                "warning",
                f"{policy.platform.capitalize()} answers cannot be edited; "
                "delete + re-create only. Check the text before approving.",
                None,
            )
        )
    # Deduplicate overlaps (a phone inside a link, etc.) while keeping order stable.
    unique: dict[tuple[str, tuple[int, int] | None], LintIssue] = {}
    for issue in issues:
        unique.setdefault((issue.code, issue.span), issue)
    return sorted(unique.values(), key=lambda i: (-1, -1) if i.span is None else i.span)


def has_errors(issues: list[LintIssue] | tuple[LintIssue, ...]) -> bool:
    """True when approval must be blocked."""
    return any(i.severity == "error" for i in issues)
