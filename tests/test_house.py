"""The house rules that no linter states: no function in the faces over 60 lines, and the
architecture page names every engine package the layers contract names."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 60


def _long_functions(folder: Path) -> list[str]:
    found = []
    for file in sorted(folder.rglob("*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_LINES:
                    found.append(f"{file}:{node.lineno} {node.name} ({lines} lines)")
    return found


def test_no_function_in_the_faces_is_over_60_lines():
    assert _long_functions(ROOT / "api") == []


def test_the_long_function_finder_finds_one(tmp_path: Path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_LINES))
    (tmp_path / "m.py").write_text(f"def long():\n{body}\n", encoding="utf-8")
    assert len(_long_functions(tmp_path)) == 1


def test_the_architecture_page_names_every_layer():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c.get("id") == "engine-layers")["layers"]
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for layer in layers:
        for module in layer.split("|"):
            assert f"`{module.strip()}`" in page, module.strip()
