"""Per-platform reply lint: run while editing and again before approval."""

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
