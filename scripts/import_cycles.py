"""Package-level import cycles inside each service: `python scripts/import_cycles.py`.

A service's domain packages (`services/<service>/<package>/`) must import each other in
one direction only; a cycle means two packages are one in disguise, or a piece sits in
the wrong one. The modules at a service's root (settings, metrics, deps, consumers, the
app) wire the packages together and may import any of them, so they are not nodes.
Every import counts, including those inside functions and under TYPE_CHECKING: a lazy
import hides a cycle, it does not remove it. Exits 1 and names each import of a cycle.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Edge:
    """`source` package imports `target` package, at `where` (path:line)."""

    source: str
    target: str
    where: str


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[str, int]]:
    """Absolute names of everything the module imports (`from a import b` gives a.b too)."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            yield prefix, node.lineno
            for alias in node.names:
                yield f"{prefix}.{alias.name}", node.lineno


def service_edges(service_dir: Path, root: Path = ROOT) -> list[Edge]:
    """Imports between the domain packages of one service."""
    service = _module_name(service_dir / "__init__.py", root)
    packages = {p.parent.name for p in service_dir.glob("*/__init__.py")}
    edges: list[Edge] = []
    for name in sorted(packages):
        for path in sorted((service_dir / name).rglob("*.py")):
            module = _module_name(path, root)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for target, line in _imported(tree, module, path.name == "__init__.py"):
                if not target.startswith(service + "."):
                    continue
                other = target[len(service) + 1 :].split(".")[0]
                if other in packages and other != name:
                    edges.append(Edge(name, other, f"{path.relative_to(root)}:{line}"))
    return list(dict.fromkeys(edges))


def cycles(edges: list[Edge]) -> list[list[str]]:
    """Strongly connected groups of more than one package (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for e in edges:
        graph.setdefault(e.source, set()).add(e.target)
        graph.setdefault(e.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def report(root: Path = ROOT) -> list[str]:
    """One paragraph per cycle: the packages, then every import that closes it."""
    lines: list[str] = []
    for service_dir in sorted(p.parent for p in (root / "services").glob("*/__init__.py")):
        edges = service_edges(service_dir, root)
        for group in cycles(edges):
            lines.append(f"{service_dir.name}: import cycle between {', '.join(group)}")
            members = set(group)
            for e in edges:
                if e.source in members and e.target in members:
                    lines.append(f"  {e.where}: {e.source} -> {e.target}")
    return lines


def main() -> int:
    lines = report()
    for line in lines:
        print(line)
    if not lines:
        print("no package-level import cycle in any service")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
