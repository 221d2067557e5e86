"""deploy/k8s renders (kustomize-lite) and every document validates offline.

Core kinds against the Kubernetes schemas (`kubernetes-validate`, strict); custom kinds
against the CRD schemas kept in deploy/k8s/crds (jsonschema, unknown fields rejected).
Then what ops rely on: probes, resources, security context, secrets only by reference,
PDBs, HPA bounds vs. partitions, monitoring wiring, the rules identical to
deploy/prometheus/rules.yml, topics identical to shared/topics.py.
"""

from __future__ import annotations

import copy
import importlib.util
import re
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from shared.topics import ALL_TOPICS, DLQ_SUFFIX
from tests.ops.kustomize_lite import build, load_yaml_docs
from tests.ops.support import DEPLOY, RULES

K8S = DEPLOY / "k8s"
BASE = K8S / "base"
OVERLAYS = sorted(p for p in (K8S / "overlays").iterdir() if p.is_dir())
RENDERS = {"base": BASE} | {f"overlay-{p.name}": p for p in OVERLAYS}
SERVICES = {"ingest": 8001, "sentiment": 8003, "responder": 8002, "alerts": 8004}
K8S_VERSION = kubernetes_validate.latest_version()
SECRET_LIKE = re.compile(r"TOKEN|SECRET|PASSWORD|DATABASE_URL|USERS|HOOK_URL")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


@pytest.fixture(scope="module", params=sorted(RENDERS))
def rendered(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    return build(RENDERS[request.param])


def by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


# --- schemas -------------------------------------------------------------------------------


def openapi_to_jsonschema(node: Any) -> Any:
    """CRD openAPIV3Schema → JSON Schema; objects with properties reject unknown fields."""
    if isinstance(node, list):
        return [openapi_to_jsonschema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {
        k: openapi_to_jsonschema(v)
        for k, v in node.items()
        if not k.startswith("x-kubernetes-") and k not in ("description", "format")
    }
    if node.get("x-kubernetes-int-or-string"):
        out["type"] = ["integer", "string"]
    if (
        out.get("type") == "object"
        and "properties" in out
        and "additionalProperties" not in out
        and not node.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


def crd_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    schemas = {}
    for path in sorted((K8S / "crds").glob("*.yaml")):
        for crd in load_yaml_docs(path):
            for version in crd["spec"]["versions"]:
                api = f"{crd['spec']['group']}/{version['name']}"
                schemas[(api, crd["spec"]["names"]["kind"])] = openapi_to_jsonschema(
                    version["schema"]["openAPIV3Schema"]
                )
    return schemas


def test_crd_documents_are_valid_kubernetes() -> None:
    paths = sorted((K8S / "crds").glob("*.yaml"))
    assert {p.stem for p in paths} >= {"servicemonitor", "prometheusrule", "kafkatopic"}
    for path in paths:
        for doc in load_yaml_docs(path):
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_every_document_validates(rendered: list[dict[str, Any]]) -> None:
    custom = crd_schemas()
    for doc in rendered:
        key = (doc["apiVersion"], doc["kind"])
        name = f"{doc['kind']}/{doc['metadata']['name']}"
        assert DNS_SUBDOMAIN.match(doc["metadata"]["name"]), f"{name}: invalid name"
        if key in custom:
            jsonschema.validate(doc, custom[key])
        else:
            try:
                kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
            except kubernetes_validate.SchemaNotFoundError:
                pytest.fail(f"{name}: neither a Kubernetes kind nor a kept CRD ({key})")


def test_crd_validation_rejects_mistakes() -> None:
    custom = crd_schemas()
    topic = next(d for d in build(BASE) if d["kind"] == "KafkaTopic")
    bad = copy.deepcopy(topic)
    bad["spec"]["partitions"] = 0
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, custom[(bad["apiVersion"], bad["kind"])])
    bad = copy.deepcopy(topic)
    bad["spec"]["partition"] = 3  # a typo must not pass
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, custom[(bad["apiVersion"], bad["kind"])])


# --- workloads -----------------------------------------------------------------------------


def test_deployments(rendered: list[dict[str, Any]]) -> None:
    deployments = by_kind(rendered, "Deployment")
    assert set(deployments) == {f"otklik-{s}" for s in SERVICES}
    for svc, port in SERVICES.items():
        dep = deployments[f"otklik-{svc}"]
        pod = dep["spec"]["template"]["spec"]
        selector = dep["spec"]["selector"]["matchLabels"]
        assert selector.items() <= dep["spec"]["template"]["metadata"]["labels"].items()
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["automountServiceAccountToken"] is False
        (container,) = pod["containers"]
        assert container["args"] == [f"services.{svc}"]
        assert container["ports"][0]["containerPort"] == port
        assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
        assert container["livenessProbe"]["httpGet"]["path"] == "/health"
        resources = container["resources"]
        assert {"cpu", "memory"} <= set(resources["requests"])
        assert {"cpu", "memory"} <= set(resources["limits"])
        sc = container["securityContext"]
        assert sc["readOnlyRootFilesystem"] is True
        assert sc["allowPrivilegeEscalation"] is False
        assert sc["capabilities"]["drop"] == ["ALL"]
        env = {e["name"]: e for e in container["env"]}
        assert env["HTTP_PORT"]["value"] == str(port)
        for name, var in env.items():
            if SECRET_LIKE.search(name):
                assert "secretKeyRef" in var.get("valueFrom", {}), f"{svc}: {name} is literal"
        if svc != "sentiment":
            assert "secretKeyRef" in env["DATABASE_URL"]["valueFrom"]
        mounts = {m["mountPath"] for m in container["volumeMounts"]}
        assert "/tmp" in mounts  # the read-only root needs a writable /tmp


def test_no_literal_secrets(rendered: list[dict[str, Any]]) -> None:
    assert not by_kind(rendered, "Secret"), "Secrets are created out of band, never shipped"
    for cm in by_kind(rendered, "ConfigMap").values():
        for key in cm.get("data", {}):
            assert not SECRET_LIKE.search(key), f"{cm['metadata']['name']}: {key} in a ConfigMap"


def test_services_select_their_pods(rendered: list[dict[str, Any]]) -> None:
    deployments = by_kind(rendered, "Deployment")
    for name, service in by_kind(rendered, "Service").items():
        pod_labels = deployments[name]["spec"]["template"]["metadata"]["labels"]
        assert service["spec"]["selector"].items() <= pod_labels.items()
        assert service["spec"]["ports"][0]["name"] == "http"


def test_pdbs_cover_every_deployment(rendered: list[dict[str, Any]]) -> None:
    pdbs = by_kind(rendered, "PodDisruptionBudget")
    for name, dep in by_kind(rendered, "Deployment").items():
        pdb = pdbs[name]
        assert ("minAvailable" in pdb["spec"]) != ("maxUnavailable" in pdb["spec"])
        labels = dep["spec"]["template"]["metadata"]["labels"]
        assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
        if pdb["spec"].get("minAvailable") is not None:  # must not block every drain
            assert dep["spec"].get("replicas", 1) > pdb["spec"]["minAvailable"] or (
                name in by_kind(rendered, "HorizontalPodAutoscaler")
            )


def test_sentiment_autoscales_within_partitions(rendered: list[dict[str, Any]]) -> None:
    (hpa,) = by_kind(rendered, "HorizontalPodAutoscaler").values()
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", "otklik-sentiment")
    topics = {t["spec"]["topicName"]: t for t in by_kind(rendered, "KafkaTopic").values()}
    partitions = topics["mentions.raw"]["spec"]["partitions"]
    assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"] <= partitions


# --- monitoring and topics -----------------------------------------------------------------


def test_servicemonitor_scrapes_every_service(rendered: list[dict[str, Any]]) -> None:
    (monitor,) = by_kind(rendered, "ServiceMonitor").values()
    selector = monitor["spec"]["selector"]["matchLabels"]
    ports = {e["port"] for e in monitor["spec"]["endpoints"]}
    assert {e["path"] for e in monitor["spec"]["endpoints"]} == {"/metrics"}
    services = by_kind(rendered, "Service")
    assert set(services) == {f"otklik-{s}" for s in SERVICES}
    for name, service in services.items():
        # job label = Service name, as the rules' up{job=~"otklik-.+"} expects
        assert re.fullmatch("otklik-.+", name)
        assert selector.items() <= service["metadata"]["labels"].items()
        assert ports <= {p["name"] for p in service["spec"]["ports"]}


def test_prometheusrule_is_rules_yml(rendered: list[dict[str, Any]]) -> None:
    (rule,) = by_kind(rendered, "PrometheusRule").values()
    assert rule["spec"]["groups"] == yaml.safe_load(RULES.read_text())["groups"]


def test_generated_files_are_current() -> None:
    spec = importlib.util.spec_from_file_location("k8s_generate", K8S / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for path, text in module.render().items():
        assert Path(path).read_text(encoding="utf-8") == text, (
            f"{path} is stale: run python deploy/k8s/generate.py"
        )


def test_kafka_topics_are_the_topics_of_shared(rendered: list[dict[str, Any]]) -> None:
    topics = list(by_kind(rendered, "KafkaTopic").values())
    names = sorted(t["spec"]["topicName"] for t in topics)
    assert names == sorted([*ALL_TOPICS, *(t + DLQ_SUFFIX for t in ALL_TOPICS)])
    for topic in topics:
        assert topic["metadata"]["labels"]["strimzi.io/cluster"]
        assert topic["spec"]["partitions"] >= 1
        assert topic["spec"]["replicas"] >= 1
        assert int(topic["spec"]["config"]["retention.ms"]) >= 24 * 3600 * 1000


def test_embedded_configs_load_with_the_services_own_loaders(
    rendered: list[dict[str, Any]], tmp_path: Path
) -> None:
    from services.alerts.owner.directory import load_directory_text
    from services.ingest.source.config import load_sources

    maps = by_kind(rendered, "ConfigMap")
    assert load_directory_text(maps["otklik-alerts-config"]["data"]["alerts.yml"]).default_owner
    sources = tmp_path / "sources.yml"
    sources.write_text(maps["otklik-ingest-sources"]["data"]["sources.yml"])
    load_sources(sources)
    common = maps["otklik-common"]["data"]
    assert common["KAFKA_CREATE_TOPICS"] == "false"  # Strimzi owns the topics


def test_production_overlay() -> None:
    for overlay in OVERLAYS:
        docs = build(overlay)
        for doc in docs:
            if doc["kind"] != "Namespace":
                assert doc["metadata"].get("namespace") == "otklik", doc["metadata"]["name"]
        for dep in by_kind(docs, "Deployment").values():
            image = dep["spec"]["template"]["spec"]["containers"][0]["image"]
            assert not image.startswith("otklik:"), image  # a released image, not latest
        topics = {t["spec"]["topicName"]: t for t in by_kind(docs, "KafkaTopic").values()}
        common = by_kind(docs, "ConfigMap")["otklik-common"]["data"]
        assert topics["mentions.raw"]["spec"]["partitions"] == int(common["KAFKA_PARTITIONS"])
