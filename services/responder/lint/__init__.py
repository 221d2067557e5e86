"""Per-platform reply lint: run while editing and again before approval."""

from .content import COMPLAINT_FAMILIES, FORBIDDEN_CODES, LintContext, content_findings
from .platforms import (
    DEFAULT_TRUTHS,
    PlatformTruth,
    load_platform_truths,
    truth_for,
)
from .policy import (
    DEFAULT_POLICIES,
    PlatformPolicy,
    PolicyConfigError,
    canonical_platform,
    load_platform_policies,
    policy_for,
)
from .rules import LintIssue, has_errors, lint_reply

__all__ = [
    "COMPLAINT_FAMILIES",
    "DEFAULT_TRUTHS",
    "FORBIDDEN_CODES",
    "LintContext",
    "PlatformTruth",
    "content_findings",
    "load_platform_truths",
    "truth_for",
    "DEFAULT_POLICIES",
    "LintIssue",
    "PlatformPolicy",
    "PolicyConfigError",
    "canonical_platform",
    "has_errors",
    "lint_reply",
    "load_platform_policies",
    "policy_for",
]
