"""Static checks of the Grafana dashboard and the Prometheus rules (no server needed).

- the dashboard JSON is what deploy/grafana/build_dashboard.py builds;
- every panel query and every rule uses only metrics in docs/metrics.md;
- every query and rule parses as PromQL (`promtool check rules`);
- `promtool test rules` passes and every alert has a test case where it fires;
- every alert has a runbook section in docs/operations.md.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.ops.support import (
    DASHBOARD,
    DEPLOY,
    DOCS,
    PROMETHEUS_BUILTIN,
    RULES,
    alert_rules,
    base_metric,
    dashboard_panels,
    dashboard_queries,
    documented_names,
    grafana_to_promql,
    load_dashboard,
    load_rules,
    metric_names,
)

RULE_TESTS = sorted((DEPLOY / "prometheus" / "tests").glob("*.yml"))


def promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.skip(
            "promtool missing: install the Debian `prometheus` package (scripts/setup-system.sh)"
        )
    return path


def unknown_metrics(expr: str) -> set[str]:
    known = documented_names() | PROMETHEUS_BUILTIN
    return {n for n in metric_names(expr) if base_metric(n) not in known and n not in known}


# --- dashboard -----------------------------------------------------------------------------


def test_dashboard_is_generated_from_build_script() -> None:
    spec = importlib.util.spec_from_file_location(
        "build_dashboard", DEPLOY / "grafana" / "build_dashboard.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert DASHBOARD.read_text(encoding="utf-8") == module.render(), (
        "otklik.json is stale: run python deploy/grafana/build_dashboard.py"
    )


def test_dashboard_covers_the_issue() -> None:
    dashboard = load_dashboard()
    rows = [p["title"] for p in dashboard["panels"] if p["type"] == "row"]
    assert rows == [
        "Pipeline flow",
        "Consumer lag",
        "SLA",
        "Escalations and crises",
        "Webhook deliveries",
        "Source health",
        "Errors and DLQ",
        "Service latency and memory",
    ]
    titles = {p["title"] for p in dashboard_panels(dashboard)}
    for needed in (
        "Mentions in per platform",
        "Classified by sentiment",
        "Drafts written",
        "Replies published",
        "Consumer lag per service",
        "Due soon",
        "Breached",
        "Answered within 24 h",
        "Open escalations",
        "Active crises",
        "Deliveries by channel and result",
        "Source healthy",
        "Dead-lettered (DLQ growth)",
        "HTTP latency p95",
        "Resident memory",
    ):
        assert needed in titles


def test_dashboard_panels_are_well_formed() -> None:
    dashboard = load_dashboard()
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    provisioned = yaml.safe_load(
        (DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )
    uid = provisioned["datasources"][0]["uid"]
    cells: set[tuple[int, int]] = set()
    for panel in dashboard_panels(dashboard):
        assert panel["datasource"]["uid"] == uid, panel["title"]
        assert panel["targets"], f"{panel['title']}: no query"
        pos = panel["gridPos"]
        assert pos["x"] + pos["w"] <= 24, panel["title"]
        mine = {(pos["x"] + dx, pos["y"] + dy) for dx in range(pos["w"]) for dy in range(pos["h"])}
        assert not cells & mine, f"{panel['title']} overlaps another panel"
        cells |= mine


@pytest.mark.parametrize(
    ("title", "ref", "expr"),
    dashboard_queries(),
    ids=[f"{t}/{r}" for t, r, _ in dashboard_queries()],
)
def test_dashboard_queries_use_catalogued_metrics(title: str, ref: str, expr: str) -> None:
    assert metric_names(expr), f"{title}: no metric found in {expr!r}"
    assert not unknown_metrics(expr), (
        f"{title}/{ref}: not in docs/metrics.md: {unknown_metrics(expr)}"
    )


def test_dashboard_queries_parse(tmp_path: Path) -> None:
    tool = promtool()
    rules = [
        {"record": f"otklik:dashboard:{i}", "expr": grafana_to_promql(expr)}
        for i, (_, _, expr) in enumerate(dashboard_queries())
    ]
    path = tmp_path / "dashboard-rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = subprocess.run(
        [tool, "check", "rules", str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- rules ---------------------------------------------------------------------------------


def test_rules_cover_the_issue() -> None:
    names = {r["alert"] for r in alert_rules()}
    assert names >= {
        "OtklikSlaBreachesRising",
        "OtklikDueSoonUnacknowledged",
        "OtklikConsumerLagGrowing",
        "OtklikSourceFailing",
        "OtklikSourceSilent",
        "OtklikDeadLetters",
        "OtklikNotificationsFailing",
        "OtklikServiceDown",
    }


@pytest.mark.parametrize("rule", load_rules(), ids=lambda r: r.get("alert") or r.get("record"))
def test_rules_use_catalogued_metrics(rule: dict) -> None:
    assert not unknown_metrics(rule["expr"]), unknown_metrics(rule["expr"])
    if "alert" in rule:
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert {"summary", "description", "runbook"} <= set(rule["annotations"])


def test_every_alert_has_a_runbook() -> None:
    text = (DOCS / "operations.md").read_text(encoding="utf-8")
    anchors = {
        re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-")
        for h in re.findall(r"^#+ (.+)$", text, flags=re.M)
    }
    for rule in alert_rules():
        anchor = rule["annotations"]["runbook"].split("#", 1)[1]
        assert anchor in anchors, f"{rule['alert']}: no section #{anchor} in docs/operations.md"


def test_rules_check() -> None:
    tool = promtool()
    result = subprocess.run(
        [tool, "check", "rules", str(RULES)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_rule_unit_tests() -> None:
    tool = promtool()
    assert RULE_TESTS, "no rule tests under deploy/prometheus/tests"
    result = subprocess.run(
        [tool, "test", "rules", *map(str, RULE_TESTS)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=RULE_TESTS[0].parent,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_fires_in_a_rule_test() -> None:
    firing: set[str] = set()
    quiet: set[str] = set()
    for path in RULE_TESTS:
        for case in yaml.safe_load(path.read_text())["tests"]:
            for check in case.get("alert_rule_test", []):
                (firing if check["exp_alerts"] else quiet).add(check["alertname"])
    for rule in alert_rules():
        assert rule["alert"] in firing, f"{rule['alert']}: no promtool test where it fires"
        assert rule["alert"] in quiet, f"{rule['alert']}: no promtool test where it stays quiet"
