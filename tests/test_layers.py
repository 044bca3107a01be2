"""Imports go one way, layer by layer, as DESIGN.md draws them; engines know no database or web."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "lifecircle"

FOUNDATIONS = {"errors", "progress", "geo", "standards", "network", "data"}
ENGINES = {"access", "plan"}
ALLOWED = {
    "errors": set(),
    "progress": set(),
    "geo": {"errors", "progress"},
    "standards": {"errors", "progress"},
    "network": {"errors", "progress", "geo", "standards"},
    "data": {"errors", "progress", "geo", "standards", "network"},
    "access": FOUNDATIONS,
    "plan": FOUNDATIONS | {"access"},
    "library": FOUNDATIONS | ENGINES,
    "store": {"errors", "progress", "geo", "standards"},
    "ops": FOUNDATIONS | ENGINES | {"store"},
    "scale": FOUNDATIONS | ENGINES | {"library"},
    "report": FOUNDATIONS | ENGINES | {"library"},
    "web": FOUNDATIONS | ENGINES | {"store", "ops", "report", "library"},
    "cli": FOUNDATIONS | ENGINES | {"store", "ops", "scale", "report", "web", "library"},
}
NO_DJANGO = FOUNDATIONS | ENGINES | {"library", "report", "scale"}


def _layer(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if _layer(p) in ALLOWED)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_imports_only_lower_layers(path):
    layer = _layer(path)
    wrong = set()
    for name in _imports(path):
        parts = name.split(".")
        if parts[0] == "lifecircle" and len(parts) > 1:
            target = parts[1]
            if target != layer and target in ALLOWED and target not in ALLOWED[layer]:
                wrong.add(name)
        if parts[0] in {"django", "ninja"} and layer in NO_DJANGO:
            wrong.add(name)
    assert not wrong, f"{layer} 不应导入 must not import {sorted(wrong)}"


def test_every_package_folder_has_a_layer():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders <= set(ALLOWED), f"未分层的包 packages without a layer: {folders - set(ALLOWED)}"
