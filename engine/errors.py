"""Errors that name where the problem is: file, line, rule id or field path."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in the rules: where it is and what is wrong."""

    file: str
    line: int | None
    rule: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        rule = f" [{self.rule}]" if self.rule else ""
        return f"{where}{rule}: {self.message}"


class RulesError(Exception):
    """The rule base cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.rule or ""))
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):  # picklable: a worker process's error reaches the parent whole
        return (type(self), (self.problems,))


class ExpressionError(ValueError):
    """A rule expression that cannot be parsed or is not allowed; `position` is 0-based."""

    def __init__(self, message: str, text: str = "", position: int | None = None):
        self.text = text
        self.position = position
        shown = text if len(text) <= 200 else f"{text[:200]}…"  # a 160 KB text is not a message
        detail = f" in {shown!r}" if text else ""
        at = f" op kolom {position + 1}" if position is not None else ""
        self.message = message
        super().__init__(f"{message}{at}{detail}")

    def __reduce__(self):
        return (type(self), (self.message, self.text, self.position))


class PlacementError(ValueError):
    """The placement cannot be checked; `field` is the dotted path of the offending field."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")

    def __reduce__(self):
        return (type(self), (self.field, self.message))


class EvaluationError(RuntimeError):
    """A rule produced an impossible result at check time (e.g. two values for one fact)."""


class EvaluationFailure(ExpressionError, EvaluationError):
    """An expression that parsed but cannot be evaluated on these values (a date past 9999,
    arithmetic on text): an ExpressionError where rules are checked, an EvaluationError (the
    rules fail for this placement, named by the faces) at check time."""


class SettingError(ValueError):
    """A setting (an ARRANGEUR_* variable or an argument standing for one) has a bad value; the
    Dutch message names the variable. The CLI exits with 2 on it; a server does not start."""


class NotFound(PlacementError):
    """The thing asked for does not exist (an unknown region, rule set, job): 404, not 422.
    `field` names where it was asked for (`region`, `ruleset_id`, `job_id`)."""
