"""docs/metrics.md lists exactly the metrics each service's registry declares."""

from __future__ import annotations

import warnings

import pytest

from tests.ops.support import (
    EVERY_SERVICE_SECTIONS,
    SERVICES,
    MetricDoc,
    metrics_module_exists,
    parse_catalogue,
    parse_label_glossary,
    registry_metrics,
    service_registry,
)

#: Labels that would make a series per mention, person or message: never allowed.
UNBOUNDED_LABELS = {
    "mention_id",
    "external_id",
    "event_id",
    "trace_id",
    "reply_id",
    "escalation_id",
    "crisis_id",
    "subscription_id",
    "id",
    "text",
    "body",
    "title",
    "message",
    "error",
    "author",
    "url",
    "email",
    "user",
    "owner",
    "sku",
    "product",
}
#: The prometheus_client default collectors; listed in the "process" section.
PROCESS_PREFIXES = ("process_", "python_")


def present_services() -> list[str]:
    # The alerts service may not declare its metrics yet; that alone is tolerated.
    return [s for s in SERVICES if s != "alerts" or metrics_module_exists(s)]


def expected_from_doc(service: str, rows: list[MetricDoc]) -> dict[str, MetricDoc]:
    return {r.name: r for r in rows if r.section == service or r.section in EVERY_SERVICE_SECTIONS}


def test_catalogue_has_a_section_per_service() -> None:
    sections = {r.section for r in parse_catalogue()}
    assert {"common", "process", *SERVICES} <= sections


@pytest.mark.parametrize("service", SERVICES)
def test_catalogue_matches_registry(service: str) -> None:
    if service not in present_services():
        pytest.skip(f"services/{service}/metrics.py does not exist yet")
    declared = registry_metrics(service_registry(service))
    rows = parse_catalogue()
    documented = expected_from_doc(service, rows)
    if not any(n.startswith(PROCESS_PREFIXES) for n in declared):
        warnings.warn(
            f"{service}: no process_/python_ metrics on the service registry "
            "(ProcessCollector/PlatformCollector/GCCollector not registered); "
            "the catalogue's process section is not checked",
            stacklevel=1,
        )
        documented = {n: r for n, r in documented.items() if r.section != "process"}

    missing_in_doc = sorted(set(declared) - set(documented))
    not_declared = sorted(set(documented) - set(declared))
    assert not missing_in_doc, f"{service}: declared but not in docs/metrics.md: {missing_in_doc}"
    assert not not_declared, f"{service}: in docs/metrics.md but not declared: {not_declared}"
    for name, (kind, labels) in declared.items():
        row = documented[name]
        assert row.type == kind, f"{name}: doc says {row.type}, code declares {kind}"
        assert row.labels == labels, (
            f"{name}: doc labels {sorted(row.labels)}, code labels {sorted(labels)}"
        )


@pytest.mark.parametrize("service", SERVICES)
def test_labels_are_bounded(service: str) -> None:
    if service not in present_services():
        pytest.skip(f"services/{service}/metrics.py does not exist yet")
    glossary = parse_label_glossary()
    for name, (_, labels) in registry_metrics(service_registry(service)).items():
        assert not labels & UNBOUNDED_LABELS, f"{name}: unbounded label {labels & UNBOUNDED_LABELS}"
        unknown = labels - glossary
        assert not unknown, f"{name}: labels {sorted(unknown)} missing in the glossary (bound?)"


def test_documented_labels_are_bounded() -> None:
    glossary = parse_label_glossary()
    for row in parse_catalogue():
        assert not row.labels & UNBOUNDED_LABELS, row.name
        assert row.labels <= glossary, (
            f"{row.name}: {sorted(row.labels - glossary)} not in glossary"
        )


def test_every_metric_is_documented_once_per_section() -> None:
    seen: set[tuple[str, str]] = set()
    for row in parse_catalogue():
        assert (row.section, row.name) not in seen, f"{row.name} twice in {row.section}"
        seen.add((row.section, row.name))
    names = [r.name for r in parse_catalogue()]
    assert len(names) == len(set(names)), "a metric is listed in two sections"
