"""No package-level import cycle inside any service (scripts/import_cycles.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "import_cycles", ROOT / "scripts" / "import_cycles.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_no_package_import_cycle_in_any_service() -> None:
    assert _checker().report(ROOT) == []


def test_a_cycle_is_found_and_named(tmp_path: Path) -> None:
    """The checker itself: two packages importing each other (one lazily, one relatively)."""
    service = tmp_path / "services" / "demo"
    for package in ("a", "b", "c"):
        (service / package).mkdir(parents=True)
        (service / package / "__init__.py").write_text("")
    (tmp_path / "services" / "__init__.py").write_text("")
    (service / "__init__.py").write_text("")
    (service / "main.py").write_text(
        "from services.demo.a import x\nfrom services.demo.b import y\n"
    )
    (service / "a" / "x.py").write_text("def f():\n    from services.demo.b import y\n")
    (service / "b" / "y.py").write_text("from ..a import x\nfrom services.demo.c import z\n")
    (service / "c" / "z.py").write_text("import json\n")
    assert _checker().report(tmp_path) == [
        "demo: import cycle between a, b",
        "  services/demo/a/x.py:2: a -> b",
        "  services/demo/b/y.py:1: b -> a",
    ]
