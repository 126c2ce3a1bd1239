"""Safe YAML loading that remembers line numbers, so errors can name file:line."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


class LocatedYaml:
    """A YAML document's data plus the line of every mapping key and list item."""

    def __init__(self, file: Path, data: Any, lines: dict[Path_, int]):
        self.file = file
        self.data = data
        self.lines = lines

    def line(self, path: Path_) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[(*path, key)] = key_node.start_mark.line + 1
            _walk(value_node, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), lines)


def _plain(value: Any) -> Any:
    """Dates become ISO strings so the JSON Schema sees what the author wrote."""
    if isinstance(value, dict):
        return {str(k) if isinstance(k, date) else k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def load(file: Path) -> LocatedYaml:
    """Load one YAML document safely; raises yaml.YAMLError with its own line information."""
    text = file.read_text(encoding="utf-8")
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    lines: dict[Path_, int] = {}
    if node is not None:
        _walk(node, (), lines)
    data = yaml.safe_load(text)
    return LocatedYaml(file, _plain(data), lines)
