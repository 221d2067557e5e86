"""A small kustomize for offline tests: the features our kustomizations use, and no more.

Supported kustomization keys: resources (files and directories), namespace, labels
(pairs, includeSelectors false), images (newName/newTag), patches (a `path` to a
strategic-merge patch, or an inline `patch` with a `target`: JSON 6902 ops or a
strategic-merge document). Any other key is an error, so a kustomization never uses a
feature this renderer would silently ignore.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml

Doc = dict[str, Any]

SUPPORTED = {"apiVersion", "kind", "resources", "namespace", "labels", "images", "patches"}
CLUSTER_SCOPED = {
    "Namespace",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleBinding",
    "PersistentVolume",
    "StorageClass",
    "PriorityClass",
}


class KustomizeError(ValueError):
    pass


def load_yaml_docs(path: Path) -> list[Doc]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]


def build(directory: Path) -> list[Doc]:
    kfile = directory / "kustomization.yaml"
    if not kfile.is_file():
        raise KustomizeError(f"{directory}: no kustomization.yaml")
    k = yaml.safe_load(kfile.read_text(encoding="utf-8"))
    unknown = set(k) - SUPPORTED
    if unknown:
        raise KustomizeError(f"{kfile}: unsupported keys {sorted(unknown)}")
    docs: list[Doc] = []
    for entry in k.get("resources", []):
        path = (directory / entry).resolve()
        if not path.exists():
            raise KustomizeError(f"{kfile}: resource {entry} does not exist")
        docs.extend(build(path) if path.is_dir() else load_yaml_docs(path))
    for patch in k.get("patches", []):
        apply_patch(docs, patch, directory)
    for label_set in k.get("labels", []):
        if label_set.get("includeSelectors") or label_set.get("includeTemplates"):
            raise KustomizeError("labels with includeSelectors/includeTemplates unsupported")
        for doc in docs:
            doc.setdefault("metadata", {}).setdefault("labels", {}).update(label_set["pairs"])
    if "namespace" in k:
        for doc in docs:
            if doc["kind"] not in CLUSTER_SCOPED:
                doc.setdefault("metadata", {})["namespace"] = k["namespace"]
    for image in k.get("images", []):
        set_image(docs, image)
    ids = [resource_id(d) for d in docs]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise KustomizeError(f"{directory}: duplicate resources {sorted(duplicates)}")
    return docs


def resource_id(doc: Doc) -> tuple[str, str, str]:
    return (
        doc["apiVersion"].split("/")[0] if "/" in doc["apiVersion"] else "",
        doc["kind"],
        doc["metadata"]["name"],
    )


def containers(doc: Doc) -> list[Doc]:
    spec = doc.get("spec", {}).get("template", {}).get("spec", {})
    return list(spec.get("containers", [])) + list(spec.get("initContainers", []))


def set_image(docs: list[Doc], image: Doc) -> None:
    hit = False
    for doc in docs:
        for container in containers(doc):
            name = re.split(r"[:@]", container["image"], maxsplit=1)[0]
            if name == image["name"]:
                tag = image.get("newTag", container["image"].partition(":")[2] or "latest")
                container["image"] = f"{image.get('newName', name)}:{tag}"
                hit = True
    if not hit:
        raise KustomizeError(f"image {image['name']} matches no container")


def strategic_merge(base: Any, patch: Any) -> Any:
    """Maps merge key by key (null deletes); lists of named maps merge by name."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for key, value in patch.items():
            if value is None:
                out.pop(key, None)
            elif key in out:
                out[key] = strategic_merge(out[key], value)
            else:
                out[key] = copy.deepcopy(value)
        return out
    if (
        isinstance(base, list)
        and isinstance(patch, list)
        and patch
        and all(isinstance(i, dict) and "name" in i for i in base + patch)
    ):
        merged = {i["name"]: i for i in base}
        order = [i["name"] for i in base]
        for item in patch:
            if item["name"] in merged:
                merged[item["name"]] = strategic_merge(merged[item["name"]], item)
            else:
                merged[item["name"]] = copy.deepcopy(item)
                order.append(item["name"])
        return [merged[n] for n in order]
    return copy.deepcopy(patch)


def _pointer(path: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in path.lstrip("/").split("/")]


def json6902(doc: Doc, ops: list[Doc]) -> None:
    for op in ops:
        parts = _pointer(op["path"])
        parent: Any = doc
        for part in parts[:-1]:
            parent = parent[int(part)] if isinstance(parent, list) else parent[part]
        last = parts[-1]
        if op["op"] in ("replace", "add"):
            if op["op"] == "replace" and isinstance(parent, dict) and last not in parent:
                raise KustomizeError(f"replace of missing {op['path']} in {resource_id(doc)}")
            if isinstance(parent, list):
                index = len(parent) if last == "-" else int(last)
                if op["op"] == "add":
                    parent.insert(index, op["value"])
                else:
                    parent[index] = op["value"]
            else:
                parent[last] = op["value"]
        elif op["op"] == "remove":
            del parent[int(last) if isinstance(parent, list) else last]
        else:
            raise KustomizeError(f"unsupported op {op['op']}")


def _matches(doc: Doc, target: Doc) -> bool:
    for key in ("kind", "name", "namespace"):
        if key not in target:
            continue
        value = doc["kind"] if key == "kind" else doc["metadata"].get(key, "")
        if not re.fullmatch(target[key], value):
            return False
    if "group" in target and resource_id(doc)[0] != target["group"]:
        return False
    return True


def apply_patch(docs: list[Doc], entry: Doc, directory: Path) -> None:
    if "path" in entry:
        patches = load_yaml_docs(directory / entry["path"])
        for patch in patches:
            target = {"kind": patch["kind"], "name": patch["metadata"]["name"]}
            _apply(docs, target, patch, f"{entry['path']} ({patch['kind']})")
        return
    body = yaml.safe_load(entry["patch"])
    _apply(docs, entry["target"], body, f"inline patch on {entry['target']}")


def _apply(docs: list[Doc], target: Doc, body: Any, what: str) -> None:
    hits = [d for d in docs if _matches(d, target)]
    if not hits:
        raise KustomizeError(f"{what}: matches no resource")
    for index, doc in enumerate(docs):
        if doc in hits:
            if isinstance(body, list):
                json6902(doc, body)
            else:
                docs[index] = strategic_merge(doc, body)
