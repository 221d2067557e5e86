"""Writes deploy/grafana/dashboards/otklik.json: `python deploy/grafana/build_dashboard.py`.

The JSON is committed (Grafana provisions it as is); tests/ops checks it equals what
this script builds, that every query uses only metrics in docs/metrics.md, and (with a
real Prometheus) that every query returns data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

OUT = Path(__file__).parent / "dashboards" / "otklik.json"
DATASOURCE = {"type": "prometheus", "uid": "otklik-prometheus"}
RI = "$__rate_interval"

# (title, kind, unit, [(legend, expr)], description)
Panel = tuple[str, str, str, list[tuple[str, str]], str]

ROWS: list[tuple[str, list[Panel]]] = [
    (
        "Pipeline flow",
        [
            (
                "Mentions in per platform",
                "timeseries",
                "ops",
                [
                    (
                        "{{platform}}",
                        "sum by (platform) "
                        f'(rate(otklik_ingest_mentions_total{{outcome="new"}}[{RI}]))',
                    ),
                ],
                "New mentions per second entering ingest (polls and pushes), by platform.",
            ),
            (
                "Classified by sentiment",
                "timeseries",
                "ops",
                [
                    (
                        "{{sentiment}}",
                        "sum by (sentiment) "
                        f"(rate(otklik_sentiment_mentions_classified_total[{RI}]))",
                    ),
                ],
                "Mentions classified per second by the sentiment service.",
            ),
            (
                "Drafts written",
                "timeseries",
                "ops",
                [
                    (
                        "{{sentiment}}",
                        f"sum by (sentiment) (rate(otklik_responder_drafts_total[{RI}]))",
                    ),
                ],
                "Reply drafts written by the responder, by sentiment.",
            ),
            (
                "Replies published",
                "timeseries",
                "ops",
                [
                    (
                        "{{platform}} {{outcome}}",
                        f"sum by (platform, outcome) (rate(otklik_ingest_replies_total[{RI}]))",
                    ),
                ],
                "Approved replies posted back to the platforms, by outcome.",
            ),
        ],
    ),
    (
        "Consumer lag",
        [
            (
                "Consumer lag per service",
                "timeseries",
                "short",
                [
                    (
                        "{{service}} {{topic}}",
                        "sum by (service, topic) (otklik_consumer_lag_messages)",
                    ),
                ],
                "Messages each consumer group still has to read, per topic.",
            ),
            (
                "Messages handled",
                "timeseries",
                "ops",
                [
                    (
                        "{{service}} {{topic}}",
                        "sum by (service, topic) "
                        f"(rate(otklik_consumer_messages_handled_total[{RI}]))",
                    ),
                ],
                "Messages handled per second, per consumer and topic.",
            ),
            (
                "Since last poll",
                "timeseries",
                "s",
                [
                    (
                        "{{service}}",
                        "time() - max by (service) (otklik_consumer_last_poll_timestamp_seconds)",
                    ),
                ],
                "Seconds since each consumer loop last fetched; liveness fails after 60 s.",
            ),
        ],
    ),
    (
        "SLA",
        [
            (
                "Open items by SLA state",
                "timeseries",
                "short",
                [
                    ("{{sla_state}}", "sum by (sla_state) (otklik_responder_open_items)"),
                ],
                "Reviews waiting for an answer: ok, due soon, breached.",
            ),
            (
                "Due soon",
                "stat",
                "short",
                [
                    ("due soon", 'sum(otklik_responder_open_items{sla_state="due_soon"})'),
                ],
                "Open reviews within the SLA lead time of their deadline.",
            ),
            (
                "Breached",
                "stat",
                "short",
                [
                    ("breached", 'sum(otklik_responder_open_items{sla_state="breached"})'),
                ],
                "Open reviews past their deadline.",
            ),
            (
                "Answered within 24 h",
                "stat",
                "percentunit",
                [
                    (
                        "within 24 h",
                        'sum(increase(otklik_responder_time_to_answer_seconds_bucket{le="86400.0"}[1d]))'
                        " / sum(increase(otklik_responder_time_to_answer_seconds_count[1d]))",
                    ),
                ],
                "Share of answers published within 24 h of the review, over the last day.",
            ),
            (
                "SLA events",
                "timeseries",
                "short",
                [
                    (
                        "{{state}}",
                        "sum by (state) (increase(otklik_responder_sla_events_total[1h]))",
                    ),
                ],
                "SLA events in the last hour: due soon, breached, met.",
            ),
            (
                "Time to answer",
                "timeseries",
                "s",
                [
                    (
                        "p50",
                        "histogram_quantile(0.5, sum by (le) "
                        "(rate(otklik_responder_time_to_answer_seconds_bucket[1h])))",
                    ),
                    (
                        "p90",
                        "histogram_quantile(0.9, sum by (le) "
                        "(rate(otklik_responder_time_to_answer_seconds_bucket[1h])))",
                    ),
                ],
                "From the review's publication to our answer's publication.",
            ),
        ],
    ),
    (
        "Escalations and crises",
        [
            (
                "Open escalations",
                "stat",
                "short",
                [
                    ("open", "sum(otklik_alerts_open_escalations)"),
                ],
                "Escalations not yet acknowledged or closed.",
            ),
            (
                "Active crises",
                "stat",
                "short",
                [
                    ("active", "sum(otklik_alerts_active_crises)"),
                ],
                "Spikes of negatives open or acknowledged.",
            ),
            (
                "Escalation steps",
                "timeseries",
                "short",
                [
                    (
                        "{{level}} {{trigger}}",
                        "sum by (level, trigger) "
                        "(increase(otklik_alerts_escalation_steps_total[1h]))",
                    ),
                ],
                "Ladder steps taken in the last hour, by level and trigger.",
            ),
            (
                "Assignments",
                "timeseries",
                "ops",
                [
                    ("{{how}}", f"sum by (how) (rate(otklik_alerts_assignments_total[{RI}]))"),
                ],
                "Mentions assigned to an owner by a routing rule or by default.",
            ),
            (
                "Crisis signals",
                "timeseries",
                "short",
                [
                    ("{{outcome}}", "sum by (outcome) (increase(otklik_alerts_crises_total[1h]))"),
                ],
                "Crisis signals in the last hour (opened, reopened, updated).",
            ),
        ],
    ),
    (
        "Webhook deliveries",
        [
            (
                "Deliveries by channel and result",
                "timeseries",
                "ops",
                [
                    (
                        "{{channel}} {{result}}",
                        f"sum by (channel, result) (rate(otklik_alerts_notifications_total[{RI}]))",
                    ),
                ],
                "Outbound webhook and notification deliveries, ok or failed after retries.",
            ),
            (
                "Delivery latency p90",
                "timeseries",
                "s",
                [
                    (
                        "{{channel}}",
                        "histogram_quantile(0.9, sum by (le, channel) "
                        f"(rate(otklik_alerts_notification_seconds_bucket[{RI}])))",
                    ),
                ],
                "Time to deliver one notification, retries included.",
            ),
            (
                "Outbound webhooks by result",
                "timeseries",
                "ops",
                [
                    (
                        "{{result}}",
                        f"sum by (result) (rate(otklik_alerts_webhook_deliveries_total[{RI}]))",
                    ),
                ],
                "Deliveries to webhook subscribers: delivered, retry, failed, refused.",
            ),
            (
                "Webhook retries pending",
                "stat",
                "short",
                [
                    ("pending", "sum(otklik_alerts_webhook_retries_pending)"),
                ],
                "Deliveries that failed at least once and wait for another attempt.",
            ),
            (
                "Webhook attempt latency p90",
                "timeseries",
                "s",
                [
                    (
                        "p90",
                        "histogram_quantile(0.9, sum by (le) "
                        f"(rate(otklik_alerts_webhook_delivery_seconds_bucket[{RI}])))",
                    ),
                ],
                "Time of one outbound webhook attempt.",
            ),
        ],
    ),
    (
        "Source health",
        [
            (
                "Source healthy",
                "stat",
                "bool_yes_no",
                [
                    ("{{source}}", "min by (platform, source) (otklik_ingest_source_healthy)"),
                ],
                "1 while the source's polls succeed.",
            ),
            (
                "Since last successful poll",
                "timeseries",
                "s",
                [
                    (
                        "{{source}}",
                        "time() - max by (platform, source) "
                        "(otklik_ingest_source_last_success_timestamp_seconds)",
                    ),
                ],
                "A source silent for hours needs a look (credentials, platform changes).",
            ),
            (
                "Polls by result",
                "timeseries",
                "ops",
                [
                    (
                        "{{source}} {{result}}",
                        f"sum by (source, result) (rate(otklik_ingest_polls_total[{RI}]))",
                    ),
                ],
                "Polls per second by result.",
            ),
            (
                "Push requests",
                "timeseries",
                "ops",
                [
                    (
                        "{{result}}",
                        f"sum by (result) (rate(otklik_ingest_push_requests_total[{RI}]))",
                    ),
                ],
                "POST /api/mentions requests by result.",
            ),
        ],
    ),
    (
        "Errors and DLQ",
        [
            (
                "Dead-lettered (DLQ growth)",
                "timeseries",
                "short",
                [
                    (
                        "{{service}} {{topic}} {{reason}}",
                        "sum by (service, topic, reason) "
                        "(otklik_consumer_messages_dead_lettered_total)",
                    ),
                ],
                "Messages sent to <topic>.dlq since each process started; any rise needs a look.",
            ),
            (
                "Errors",
                "timeseries",
                "ops",
                [
                    (
                        "failed {{service}} {{topic}}",
                        "sum by (service, topic) "
                        f"(rate(otklik_consumer_messages_failed_total[{RI}]))",
                    ),
                    (
                        "HTTP 5xx {{service}}",
                        "sum by (service) "
                        f'(rate(otklik_http_requests_total{{status=~"5.."}}[{RI}]))',
                    ),
                ],
                "Handler attempts that raised (retried) and HTTP 5xx answers.",
            ),
        ],
    ),
    (
        "Service latency and memory",
        [
            (
                "Services up",
                "stat",
                "short",
                [
                    ("{{job}}", 'up{job=~"otklik-.+"}'),
                ],
                "1 when Prometheus can scrape the service.",
            ),
            (
                "HTTP latency p95",
                "timeseries",
                "s",
                [
                    (
                        "{{service}}",
                        "histogram_quantile(0.95, sum by (le, service) "
                        f"(rate(otklik_http_request_seconds_bucket[{RI}])))",
                    ),
                ],
                "95th percentile of HTTP request duration.",
            ),
            (
                "Batch handling latency p95",
                "timeseries",
                "s",
                [
                    (
                        "{{service}} {{topic}}",
                        "histogram_quantile(0.95, sum by (le, service, topic) "
                        f"(rate(otklik_consumer_handler_seconds_bucket[{RI}])))",
                    ),
                ],
                "95th percentile of the time to handle one batch, commit included.",
            ),
            (
                "Inference latency p95",
                "timeseries",
                "s",
                [
                    (
                        "p95",
                        "histogram_quantile(0.95, sum by (le) "
                        f"(rate(otklik_sentiment_inference_seconds_bucket[{RI}])))",
                    ),
                ],
                "Time for the sentiment model to analyse one batch.",
            ),
            (
                "Resident memory",
                "timeseries",
                "bytes",
                [
                    ("{{job}}", 'max by (job) (process_resident_memory_bytes{job=~"otklik-.+"})'),
                ],
                "Resident memory of each service.",
            ),
            (
                "GC collections",
                "timeseries",
                "ops",
                [
                    (
                        "{{job}} gen {{generation}}",
                        "sum by (job, generation) "
                        f'(rate(python_gc_collections_total{{job=~"otklik-.+"}}[{RI}]))',
                    ),
                ],
                "Python garbage collector runs per second.",
            ),
        ],
    ),
]


def panel(
    pid: int,
    title: str,
    kind: str,
    unit: str,
    targets: list[tuple[str, str]],
    desc: str,
    x: int,
    y: int,
    w: int,
) -> dict[str, Any]:
    return {
        "id": pid,
        "type": kind,
        "title": title,
        "description": desc,
        "datasource": DATASOURCE,
        "gridPos": {"h": 8, "w": w, "x": x, "y": y},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom"}}
        if kind == "timeseries"
        else {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}},
        "targets": [
            {
                "refId": chr(ord("A") + i),
                "datasource": DATASOURCE,
                "expr": expr,
                "legendFormat": legend,
                "range": True,
            }
            for i, (legend, expr) in enumerate(targets)
        ],
    }


def build() -> dict[str, Any]:
    panels: list[dict[str, Any]] = []
    pid, y = 1, 0
    for row_title, row_panels in ROWS:
        panels.append(
            {
                "id": pid,
                "type": "row",
                "title": row_title,
                "collapsed": False,
                "gridPos": {"h": 1, "w": 24, "x": 0, "y": y},
                "panels": [],
            }
        )
        pid, y = pid + 1, y + 1
        x = 0
        for title, kind, unit, targets, desc in row_panels:
            w = 4 if kind == "stat" else 8
            if x + w > 24:
                x, y = 0, y + 8
            panels.append(panel(pid, title, kind, unit, targets, desc, x, y, w))
            pid, x = pid + 1, x + w
        y += 8
    return {
        "uid": "otklik-overview",
        "title": "Otklik overview",
        "description": "Pipeline, SLA, escalations, sources, errors and resources of Otklik.",
        "tags": ["otklik"],
        "timezone": "browser",
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "graphTooltip": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": []},
        "annotations": {"list": []},
        "links": [],
        "panels": panels,
    }


def render() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT}")
