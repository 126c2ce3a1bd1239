"""What every command shares: the Dutch argument parser, the rules folder and its loader, a
placement file, the progress bar and writing an answer (through api.render) to stdout or a
file. Exit codes: 0 ok, 1 broken rules, 2 bad input."""

from __future__ import annotations

import argparse
import errno
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from api.render import render
from engine.errors import RulesError
from engine.rulesets.registry import DEFAULT_RULES, RuleBase, load_rulebase
from engine.yamlio import RuleFileError, load_data

# argparse's own messages (Python 3.11-3.13), in Dutch
_MESSAGES = (
    (r"the following arguments are required: (.*)", r"deze argumenten ontbreken: \1"),
    (r"invalid choice: (.*) \(choose from (.*)\)", r"ongeldige keuze: \1 (kies uit \2)"),
    (r"unrecognized arguments: (.*)", r"onbekende argumenten: \1"),
    (r"invalid (?:fromisoformat|parse_day) value: (.*)", r"geen datum JJJJ-MM-DD: \1"),
    (r"invalid int value: (.*)", r"geen geheel getal: \1"),
    (r"invalid (\w+) value: (.*)", r"ongeldige waarde: \2"),
    (r"expected one argument", "verwacht één waarde"),
    (r"ignored explicit argument (.*)", r"argument \1 niet verwacht"),
    (r"not allowed with argument (.*)", r"niet samen met \1"),
)


def dutch_error(message: str) -> str:
    for pattern, replacement in _MESSAGES:
        message = re.sub(pattern, replacement, message)
    return message


class DutchHelp(argparse.RawDescriptionHelpFormatter):
    """Descriptions as written; the usage line in Dutch; room for the longest command name."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=28)

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, prefix if prefix is not None else "gebruik: ")


class DutchParser(argparse.ArgumentParser):
    """argparse with its headings, help option and errors in Dutch (sub-parsers inherit it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", DutchHelp)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "argumenten"
        self._optionals.title = "opties"
        self.add_argument("-h", "--help", action="help", help="toon deze hulp en stop")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: fout: {dutch_error(message)}\n")


def int_between(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` (to `high`), refused in Dutch otherwise."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"geen geheel getal: {text!r}") from None
        if value < low or (high is not None and value > high):
            span = f"{low} of meer" if high is None else f"{low} tot en met {high}"
            raise argparse.ArgumentTypeError(f"moet {span} zijn, niet {value}")
        return value

    return parse


positive_int = int_between(1)  # profiles, workers
non_negative_int = int_between(0)  # a number of days


def rules_dir(args: argparse.Namespace) -> Path:
    """--rules, else ARRANGEUR_RULES, else the shipped rules; a rule file means its rule base."""
    path = Path(args.rules or os.environ.get("ARRANGEUR_RULES") or DEFAULT_RULES)
    if path.is_file():  # one rule file: validate it within the rule base it belongs to
        root = next((p for p in path.resolve().parents if (p / "catalogus.yaml").exists()), None)
        return root or path
    return path


def load(args: argparse.Namespace) -> RuleBase:
    """The validated rule base; broken rules: every problem on stderr and exit 1."""
    try:
        return load_rulebase(rules_dir(args))
    except RulesError as exc:
        print(f"De regels bevatten {len(exc.problems)} fout(en):", file=sys.stderr)
        for p in exc.problems:
            print(f"  {p}", file=sys.stderr)
        raise SystemExit(1) from None


def fail(message: str, code: int = 2) -> int:
    """A Dutch message on stderr; the exit code to return."""
    print(message, file=sys.stderr)
    return code


_OS_REASONS = {
    errno.ENOENT: "bestand of map bestaat niet",
    errno.EACCES: "geen toegang",
    errno.EPERM: "geen toegang",
    errno.EISDIR: "is een map, geen bestand",
    errno.ENOTDIR: "een deel van het pad is geen map",
    errno.ENOSPC: "de schijf is vol",
    errno.EROFS: "alleen-lezen bestandssysteem",
}


def os_reason(exc: OSError) -> str:
    """Why a file could not be read or written, in Dutch (the system's text as a fallback)."""
    return _OS_REASONS.get(exc.errno or 0) or f"niet gelukt ({exc.strerror or exc})"


def read_placement(path: str) -> dict[str, Any]:
    """A placement file (YAML or JSON; - for stdin) as a mapping; bad input: exit 2."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SystemExit(fail(f"{path}: {os_reason(exc)}")) from None
    except UnicodeDecodeError as exc:
        raise SystemExit(fail(f"{path}: geen UTF-8 (byte {exc.start + 1})")) from None
    try:
        data = load_data(text, path)
    except RuleFileError as exc:
        where = f"{path}:{exc.line}" if exc.line else path
        raise SystemExit(fail(f"{where}: ongeldige YAML: {exc.message}")) from None
    if not isinstance(data, dict):
        raise SystemExit(
            fail(f"{path}: een plaatsing is een mapping met candidate, employer en job")
        )
    return data


def emit(obj: Any, fmt: str, output: str | None = None, note: str = "geschreven naar",
         **options: Any) -> None:  # fmt: skip
    """`obj` rendered as `fmt` (api.render) to stdout, or to `output` with a note on stderr."""
    body, _ = render(obj, fmt, **options)
    if output:
        path = Path(output)
        try:
            if isinstance(body, bytes):
                path.write_bytes(body)
            else:
                path.write_text(body, encoding="utf-8")
        except OSError as exc:  # bad input (exit 2): a folder that is not there, no rights
            raise SystemExit(fail(f"--output {output}: {os_reason(exc)}")) from None
        if note:
            print(f"{note} {output}", file=sys.stderr)
    elif isinstance(body, bytes):
        sys.stdout.buffer.write(body)
    else:
        sys.stdout.write(body)


class ProgressBar:
    """A progress bar on the terminal (stderr); silent when stderr is not a terminal."""

    def __init__(self, label: str):
        self.label, self.last = label, -1
        self.enabled = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        pct = done * 100 // total
        if pct == self.last:
            return
        self.last = pct
        bar = "#" * (pct * 30 // 100)
        end = "\n" if done >= total else ""
        print(f"\r{self.label} [{bar:<30}] {pct:3d}% ({done}/{total} checks)", end=end,
              file=sys.stderr, flush=True)  # fmt: skip
