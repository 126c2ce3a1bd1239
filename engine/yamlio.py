"""Safe YAML loading that remembers line numbers, so errors can name file:line.

Rule files are data written by hand, so the loader refuses what plain data never needs and
what could crash or stall it: bytes that are not UTF-8, files above MAX_BYTES or of more than
MAX_NODES values, lists longer than MAX_ITEMS, nesting deeper than MAX_DEPTH, anchors and
aliases (an alias bomb of a few KB expands to gigabytes), merge keys, duplicate keys (the
second `valid_from:` would silently win) and values that cannot be built (`2023-02-30`,
`!!timestamp x`). Each becomes a RuleFileError with the file and the line.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from engine.errors import Problem

Path_ = tuple[str | int, ...]

# The largest rule file (geografie.yaml) is 75 KB. Bytes are cost as well: PyYAML took 3.3 s to
# read 2 MB of long conditions on the shared 2-core machine (8.5 s to validate them).
MAX_BYTES = 1024 * 1024
MAX_DEPTH = 40  # mappings and lists inside each other; rule files need fewer than 10
# Bytes alone do not bound the cost: 600 KB of `[x, x, …` are 200,000 values, 13 s and 246 MB
# to read. geografie.yaml, the largest file, has 4,845 values; the largest rule set 689
# (docs/reliability.md).
MAX_NODES = 25_000
MAX_ITEMS = 2_000  # items of one list; the longest, geografie.yaml's gemeenten, has 412


class RuleFileError(yaml.MarkedYAMLError):
    """A file that is not plain YAML data; `line` is 1-based, None when not about one line."""

    def __init__(self, file: Path | str, line: int | None, message: str):
        mark = yaml.Mark(str(file), 0, line - 1, 0, None, 0) if line else None
        super().__init__(problem=message, problem_mark=mark)
        self.file = str(file)
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


class LocatedYaml:
    """A YAML document's data plus the line of every mapping key and list item."""

    def __init__(self, file: Path, data: Any, lines: dict[Path_, int], raw: bytes = b""):
        self.file = file
        self.data = data
        self.lines = lines
        self.raw = raw  # the bytes that were read, for content hashes

    def line(self, path: Path_) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


class _Refused(Exception):
    """Raised inside the loader; load() adds the file name."""

    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message


class _Loader(yaml.SafeLoader):
    """SafeLoader without anchors, aliases, merge keys or deep nesting."""

    depth = 0
    nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(line, f"YAML-aliassen (*{event.anchor}) zijn niet toegestaan")
        if getattr(event, "anchor", None):
            raise _Refused(line, f"YAML-ankers (&{event.anchor}) zijn niet toegestaan")
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Refused(
                line, f"meer dan {MAX_NODES:,} waarden (de grens per bestand)".replace(",", ".")
            )
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Refused(line, f"meer dan {MAX_DEPTH} niveaus diep genest")
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (yaml.YAMLError, _Refused):
            raise
        except Exception as exc:  # noqa: BLE001 - `!!timestamp x` is an AttributeError
            line = node.start_mark.line + 1
            why = (
                str(exc)
                if isinstance(exc, ValueError | OverflowError | TypeError)
                else "onleesbaar"
            )
            if node.tag == "tag:yaml.org,2002:timestamp":
                raise _Refused(line, f"geen geldige datum: {node.value!r} ({why})") from None
            value = node.value if isinstance(node.value, str) else node.tag
            raise _Refused(line, f"waarde {value[:40]!r} is niet te lezen: {why}") from None


class _TextDates(_Loader):
    """Dates stay text, so the placement model can name a bad one (1980-02-30) by its field."""


def _date_as_text(loader: _TextDates, node: yaml.Node) -> str:
    return loader.construct_yaml_str(node)


_TextDates.add_constructor("tag:yaml.org,2002:timestamp", _date_as_text)


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused(line, "een sleutel is een enkele waarde, geen lijst of mapping")
            key = key_node.value
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused(line, "merge-sleutels (<<) zijn niet toegestaan")
            if key in seen:
                raise _Refused(
                    line, f"sleutel {key!r} staat er twee keer (eerst op regel {seen[key]})"
                )
            seen[key] = line
            lines[(*path, key)] = line
            _walk(value_node, (*path, key), lines)
            lines[(*path, key)] = line
    elif isinstance(node, yaml.SequenceNode):
        if len(node.value) > MAX_ITEMS:
            line = node.value[MAX_ITEMS].start_mark.line + 1
            raise _Refused(
                line, f"een lijst met meer dan {MAX_ITEMS:,} elementen".replace(",", ".")
            )
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), lines)


def _plain(value: Any) -> Any:
    """Keys become text and dates ISO strings, so the JSON Schema sees what the author wrote."""
    if isinstance(value, dict):
        return {_key(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _key(key: Any) -> str:
    if isinstance(key, date):
        return key.isoformat()
    if isinstance(key, bool) or key is None:
        return str(key).lower() if key is not None else "null"
    return str(key)


def _decode(file: Path, raw: bytes) -> str:
    if len(raw) > MAX_BYTES:
        raise RuleFileError(file, None, f"bestand is groter dan {MAX_BYTES // 1024} KB")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = raw[exc.start]
        raise RuleFileError(
            file, line, f"geen UTF-8: byte 0x{byte:02x} in kolom {column}"
        ) from None


def _compose(kind: type[_Loader], text: str, name: str) -> tuple[Any, dict[Path_, int]]:
    lines: dict[Path_, int] = {}
    try:
        loader = kind(text)  # reading starts here: a NUL byte is refused at once
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        line = text[: exc.position].count("\n") + 1
        raise RuleFileError(
            name, line, f"YAML: teken {exc.character!r} is niet toegestaan"
        ) from None
    try:
        node = loader.get_single_node()
        if node is not None:
            _walk(node, (), lines)
        data = loader.construct_document(node) if node is not None else None
    except _Refused as exc:
        raise RuleFileError(name, exc.line, exc.message) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = f"YAML: {exc.problem or exc.context}"
        raise RuleFileError(name, mark.line + 1 if mark else None, message) from None
    finally:
        loader.dispose()
    return data, lines


def load_data(text: str, name: str) -> Any:
    """Plain data from YAML text written by a user (a placement), with the same limits as rule
    files; dates stay text. Raises RuleFileError naming `name` and the line."""
    if len(text) > MAX_BYTES:
        raise RuleFileError(name, None, f"groter dan {MAX_BYTES // 1024} KB")
    return _compose(_TextDates, text, name)[0]


def load_value(text: str, name: str) -> Any:
    """Plain data from a short YAML text (a spreadsheet cell) with the limits of rule files:
    no aliases, however small the text; dates as ISO text, as `load` gives them."""
    if len(text) > MAX_BYTES:
        raise RuleFileError(name, None, f"groter dan {MAX_BYTES // 1024} KB")
    return _plain(_compose(_Loader, text, name)[0])


PLACEMENT_SHAPE = "verwacht een plaatsing met candidate, employer en job"


def load_placement(content: str | bytes, name: str) -> dict[str, Any]:
    """A placement file as a user sends it (YAML, or JSON when `name` ends in .json), read
    with the limits of rule files: no aliases (a 494-byte alias bomb expanded to 4.8 GB), at
    most MAX_BYTES, MAX_DEPTH levels and MAX_NODES values; dates stay text, so the placement
    model names a bad one by its field. The one reader for every face that takes a placement
    file; raises RuleFileError naming `name` and, where known, the line."""
    if isinstance(content, bytes):
        content = _decode(Path(name), content)
    if len(content) > MAX_BYTES:
        raise RuleFileError(name, None, f"groter dan {MAX_BYTES // 1024} KB")
    if name.endswith(".json"):
        data = _json(content, name)
    else:
        try:
            data = _compose(_TextDates, content, name)[0]
        except RuleFileError as exc:
            if not exc.message.startswith("YAML: "):  # a syntax error; the rest is Dutch already
                raise
            raise RuleFileError(name, exc.line, f"geen geldige YAML: {exc.message[6:]}") from None
    if not isinstance(data, dict):
        raise RuleFileError(name, None, PLACEMENT_SHAPE)
    return data


def _json(text: str, name: str) -> Any:
    """JSON with the YAML reader's depth bound (json.loads recurses: 5,000 brackets crash it)."""
    depth = deepest = 0
    quoted = escaped = False
    for char in text:  # a cheap scan; brackets inside strings do not count
        if quoted:
            escaped, quoted = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            quoted = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    if deepest > MAX_DEPTH:
        raise RuleFileError(name, None, f"meer dan {MAX_DEPTH} niveaus diep genest")
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise RuleFileError(name, exc.lineno, f"geen geldige JSON: {exc.msg}") from None
    except (ValueError, RecursionError) as exc:
        raise RuleFileError(name, None, f"geen geldige JSON: {exc}") from None


def _no_constant(word: str) -> Any:
    raise ValueError(f"{word} is geen getal")


def load(file: Path) -> LocatedYaml:
    """Load one YAML document safely; raises RuleFileError (a yaml.YAMLError) naming the line.

    A missing file raises FileNotFoundError, so callers can say what was expected there.
    """
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise RuleFileError(file, None, f"niet te lezen: {exc.strerror or exc}") from None
    text = _decode(file, raw)
    data, lines = _compose(_Loader, text, str(file))
    return LocatedYaml(file, _plain(data), lines, raw)


def problem(file: Path, exc: yaml.YAMLError) -> Problem:
    """A loading error as a Problem naming the file and, where known, the line."""
    if isinstance(exc, RuleFileError):
        return Problem(str(file), exc.line, None, exc.message)
    mark = getattr(exc, "problem_mark", None)
    return Problem(str(file), mark.line + 1 if mark else None, None, f"YAML: {exc}")


def load_or_report(file: Path, problems: list[Problem]) -> LocatedYaml | None:
    """`load(file)`, or None with the problem (unreadable file, bad YAML) appended: for the
    loaders that report every problem instead of stopping at the first."""
    try:
        return load(file)
    except (OSError, yaml.YAMLError) as exc:
        if isinstance(exc, OSError):
            exc = RuleFileError(file, None, f"niet te lezen: {exc.strerror or exc}")
        problems.append(problem(file, exc))
        return None
