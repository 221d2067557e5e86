"""Per-platform reply lint: run while editing and again before approval."""

from services.responder.lint.content import (
    COMPLAINT_FAMILIES,
    FORBIDDEN_CODES,
    LintContext,
    content_findings,
)
from services.responder.lint.platforms import (
    DEFAULT_TRUTHS,
    PlatformTruth,
    load_platform_truths,
    truth_for,
)
from services.responder.lint.policy import (
    DEFAULT_POLICIES,
    PlatformPolicy,
    PolicyConfigError,
    canonical_platform,
    load_platform_policies,
    policy_for,
)
from services.responder.lint.rules import LintIssue, has_errors, lint_reply

__all__ = [
    "COMPLAINT_FAMILIES",
    "DEFAULT_POLICIES",
    "DEFAULT_TRUTHS",
    "FORBIDDEN_CODES",
    "LintContext",
    "LintIssue",
    "PlatformPolicy",
    "PlatformTruth",
    "PolicyConfigError",
    "canonical_platform",
    "content_findings",
    "has_errors",
    "lint_reply",
    "load_platform_policies",
    "load_platform_truths",
    "policy_for",
    "truth_for",
]
