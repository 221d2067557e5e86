"""Helpers the ops tests share: the metrics catalogue, the dashboard, the rules, PromQL names."""

from __future__ import annotations

import importlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from prometheus_client import CollectorRegistry
from prometheus_client.metrics import MetricWrapperBase

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
DEPLOY = ROOT / "deploy"
CATALOGUE = DOCS / "metrics.md"
DASHBOARD = DEPLOY / "grafana" / "dashboards" / "otklik.json"
RULES = DEPLOY / "prometheus" / "rules.yml"
SERVICES = ("ingest", "sentiment", "responder", "alerts")
#: Sections of the catalogue whose metrics every service exposes.
EVERY_SERVICE_SECTIONS = ("common", "process")


@dataclass(frozen=True)
class MetricDoc:
    name: str
    type: str
    labels: frozenset[str]
    section: str


def exposed_name(name: str, kind: str) -> str:
    """The name PromQL uses for a metric family (counter → _total, info → _info)."""
    if kind == "counter":
        return name + "_total"
    if kind == "info":
        return name + "_info"
    return name


def registry_metrics(registry: CollectorRegistry) -> dict[str, tuple[str, frozenset[str]]]:
    """{exposed name: (type, label names)} of everything registered."""
    found: dict[str, tuple[str, frozenset[str]]] = {}
    for collector in list(registry._collector_to_names):
        if isinstance(collector, MetricWrapperBase):
            kind = str(collector._type)
            name = exposed_name(collector._name, kind)
            found[name] = (kind, frozenset(collector._labelnames))
            continue
        for family in collector.collect():
            labels = frozenset(k for s in family.samples for k in s.labels)
            found[exposed_name(family.name, family.type)] = (family.type, labels)
    return found


def metrics_module_exists(service: str) -> bool:
    return (ROOT / "services" / service / "metrics.py").is_file()


def service_registry(service: str) -> CollectorRegistry:
    """The registry a service builds: common metrics plus every `make_*_metrics` of its
    metrics.py (main.py calls each of them on the same registry)."""
    from shared.metrics import make_common_metrics

    common = make_common_metrics(service, CollectorRegistry())
    module = importlib.import_module(f"services.{service}.metrics")
    makers = [
        getattr(module, n) for n in dir(module) if n.startswith("make_") and n.endswith("_metrics")
    ]
    assert makers, f"services/{service}/metrics.py: no make_*_metrics function"
    for make in makers:
        make(common.registry)
    return common.registry


_ROW = re.compile(r"^\|\s*`([a-z_:][a-z0-9_:]*)`\s*\|\s*(\w+)\s*\|([^|]*)\|")


def parse_catalogue(text: str | None = None) -> list[MetricDoc]:
    """Rows of the metric tables, each with the section (`## <section>`) it sits in."""
    text = text if text is not None else CATALOGUE.read_text(encoding="utf-8")
    section = ""
    rows: list[MetricDoc] = []
    for line in text.splitlines():
        if line.startswith("## "):
            section = line[3:].split(":")[0].strip().lower()
            continue
        m = _ROW.match(line)
        if not m or section == "labels":
            continue
        raw = m.group(3).strip()
        labels = (
            frozenset() if raw in ("—", "-", "") else frozenset(p.strip() for p in raw.split(","))
        )
        rows.append(MetricDoc(m.group(1), m.group(2).lower(), labels, section))
    return rows


def parse_label_glossary(text: str | None = None) -> set[str]:
    text = text if text is not None else CATALOGUE.read_text(encoding="utf-8")
    block = text.split("## Labels", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in block.splitlines():
        if line.startswith("|") and "`" in line:
            first = line.split("|")[1]
            names.update(re.findall(r"`([a-z_]+)`", first))
    return names


def documented_names() -> set[str]:
    return {row.name for row in parse_catalogue()}


# --- dashboard and rules -------------------------------------------------------------------


def load_dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text(encoding="utf-8"))


def dashboard_panels(dashboard: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    dashboard = dashboard or load_dashboard()
    panels: list[dict[str, Any]] = []
    for panel in dashboard["panels"]:
        panels.append(panel)
        panels.extend(panel.get("panels", []))
    return [p for p in panels if p.get("type") != "row"]


def dashboard_queries(dashboard: dict[str, Any] | None = None) -> list[tuple[str, str, str]]:
    """(panel title, refId, expr) for every target of every panel."""
    out = []
    for panel in dashboard_panels(dashboard):
        for target in panel.get("targets", []):
            out.append((panel["title"], target.get("refId", "A"), target["expr"]))
    return out


def grafana_to_promql(expr: str, interval: str = "5m") -> str:
    """Replace Grafana's template variables with concrete values for the HTTP API."""
    return (
        expr.replace("$__rate_interval", interval)
        .replace("$__range", "1h")
        .replace('service=~"$service"', 'service=~".+"')
        .replace('platform=~"$platform"', 'platform=~".+"')
    )


def load_rules(path: Path = RULES) -> list[dict[str, Any]]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [rule for group in doc["groups"] for rule in group["rules"]]


def alert_rules(path: Path = RULES) -> list[dict[str, Any]]:
    return [r for r in load_rules(path) if "alert" in r]


#: Series Prometheus makes itself.
PROMETHEUS_BUILTIN = {"up"}
_PROMQL_WORDS = {
    "sum",
    "by",
    "without",
    "rate",
    "irate",
    "increase",
    "delta",
    "deriv",
    "avg",
    "max",
    "min",
    "count",
    "histogram_quantile",
    "time",
    "and",
    "or",
    "unless",
    "on",
    "ignoring",
    "le",
    "group_left",
    "group_right",
    "clamp_min",
    "clamp_max",
    "absent",
    "vector",
    "bool",
    "offset",
    "topk",
    "bottomk",
    "label_replace",
    "changes",
    "resets",
    "max_over_time",
    "min_over_time",
    "avg_over_time",
    "count_over_time",
    "last_over_time",
    "abs",
    "round",
    "scalar",
    "timestamp",
}


def metric_names(expr: str) -> set[str]:
    """Metric names a PromQL expression selects (good enough for our expressions)."""
    without_strings = re.sub(r'"[^"]*"', '""', expr)
    without_matchers = re.sub(r"\{[^}]*\}", "", without_strings)
    without_by = re.sub(
        r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", without_matchers
    )
    without_ranges = re.sub(r"\[[^\]]*\]", "", without_by)
    tokens = set(re.findall(r"\b[a-zA-Z_:][a-zA-Z0-9_:]*\b", without_ranges))
    return {
        t
        for t in tokens
        if t not in _PROMQL_WORDS
        and not re.fullmatch(r"\d+[smhdwy]?", t)
        and ("_" in t or t in PROMETHEUS_BUILTIN)
    }


def base_metric(name: str) -> str:
    """A histogram's series name → the family name the catalogue lists."""
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name
