"""One rule-set file → a validated RuleSet, or problems that name file, line and rule id."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from engine.citations import deep_link, resolves
from engine.errors import ExpressionError, Problem
from engine.expressions import Node, from_structure, parse
from engine.expressions.types import Type
from engine.model import Provenance, Publication, Source, parse_day
from engine.rulesets import schema_messages
from engine.yamlio import LocatedYaml, load_or_report

SCHEMA_FILE = Path(__file__).with_name("ruleset.schema.json")

# What one rule-set file may hold, checked before the schema and the expressions are: the cost
# of validating grows with it (5,900 rules in 2 MB took 40 s). The shipped rules have at most 21
# rules and 14 derived facts in a file (docs/reliability.md).
MAX_RULES_PER_FILE = 500
MAX_DERIVED_PER_FILE = 500


@cache
def schema_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@dataclass(frozen=True)
class AmountSpec:
    period: str  # month | year
    eur: Node
    eur_text: str
    basis: str


@dataclass(frozen=True)
class DerivedFact:
    id: str
    value: Node
    when: Node | None
    explanation: str
    source: Source
    line: int | None
    type: Type | None = None  # declared in the file; the type checker requires it


AANVRAAG_PARTS = ("where", "what", "deadline", "payment")


@dataclass(frozen=True)
class AanvraagPartSpec:
    """One part of an `aanvraag` as written: Dutch text, its citation, and for a deadline the
    date as an expression evaluated per check."""

    text: str
    source: Source | None
    provenance: str  # verified | illustrative | niet_vastgesteld
    date: Node | None = None


# part name -> spec; a rule set's, per instrument, or a rule's own
AanvraagSpec = dict[str, AanvraagPartSpec]


@dataclass(frozen=True)
class Rule:
    id: str
    qualified_id: str
    instrument: str
    when: Node
    then: str  # eligible | excluded | needs_assessment
    params: dict[str, Any]  # literal values, or parsed expressions (Node) to evaluate per check
    amounts: tuple[AmountSpec, ...]
    explanation: str
    source: Source
    line: int | None
    when_text: str = ""  # the condition as written, for comparisons and reports
    aanvraag: AanvraagSpec | None = None  # how to apply when this rule decides


@dataclass(frozen=True)
class RuleSet:
    id: str
    authority: str
    version: str
    title: str
    valid_from: date
    valid_to: date | None
    provenance: Provenance
    provenance_note: str
    sources: dict[str, Source]
    adopts: tuple[str, ...]
    carried_out_by: str | None  # "woongemeente": national law executed by the candidate's gemeente
    derived: tuple[DerivedFact, ...]
    rules: tuple[Rule, ...]
    file: str
    content_hash: str
    lines: dict = field(default_factory=dict, compare=False, repr=False)
    applies_to: str | None = None  # "regio": in every gemeente of its region, adopted or not
    publication: Publication | None = None  # a version published from the rule store
    # how to apply, per instrument: this rule set's default for its rules (and, for a national
    # rule set, the national default)
    aanvraag: dict[str, AanvraagSpec] = field(default_factory=dict, compare=False)

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    def in_force(self, when: date) -> bool:
        return self.valid_from <= when and (self.valid_to is None or when <= self.valid_to)

    def line(self, path: tuple) -> int | None:
        return LocatedYaml(Path(self.file), None, self.lines).line(path)


@dataclass
class _Reader:
    """Reads the parts of one schema-valid file, reporting problems by file, line and rule."""

    name: str
    doc: LocatedYaml
    sources: dict[str, Source]
    problems: list[Problem]
    provenance: str = "illustrative"  # the rule set's, for aanvraag parts that give none

    def cite(self, spec: dict, path: tuple, rule_id: str) -> Source:
        """A rule's structured citation, with its Dutch text and deep link; a law or local
        regulation cited by something that is not an article (or aanhef, bijlage, ...) is
        refused, as is a text date that does not exist."""
        ref = self.sources.get(spec["ref"])
        if ref is None:
            self.problems.append(
                Problem(
                    self.name,
                    self.doc.line((*path, "ref")),
                    rule_id,
                    f"onbekende bron {spec['ref']!r} (niet in sources)",
                )
            )
            return Source(title="?", article=spec["article"], url="https://invalid")
        article = spec["article"].strip()
        if (ref.bwb or ref.cvdr) and not resolves(article):
            self.problems.append(
                Problem(
                    self.name,
                    self.doc.line((*path, "article")),
                    rule_id,
                    f"bron: artikel {article!r} verwijst niet naar een artikel van "
                    f"{ref.title} (schrijf het artikelnummer, bijvoorbeeld 10d of 2.16, en lid "
                    "en onderdeel apart; of aanhef, toelichting, bijlage, hoofdstuk N)",
                )
            )
        try:
            text_date = parse_day(spec["text_date"])
        except ValueError as exc:
            self.problems.append(
                Problem(self.name, self.doc.line((*path, "text_date")), rule_id, f"bron: {exc}")
            )
            text_date = None
        link = spec.get("url") or deep_link(
            bwb=ref.bwb, cvdr=ref.cvdr, url=ref.url, article=article, text_date=text_date
        )
        return ref.model_copy(
            update={
                "article": article,
                "lid": spec.get("lid"),
                "onderdeel": spec.get("onderdeel"),
                "note": spec.get("note"),
                "text_date": text_date,
                "link": link,
            }
        )

    def expr(self, text: Any, path: tuple, rule_id: str, condition: bool) -> Node | None:
        try:
            if condition:
                return from_structure(text)
            if isinstance(text, bool | int | float):
                return parse(str(text).lower())
            return parse(text)
        except ExpressionError as exc:
            self.problems.append(
                Problem(self.name, self.doc.line(path), rule_id, f"uitdrukking: {exc}")
            )
            return None

    def derived_facts(self, rs_id: str, specs: list[dict]) -> list[DerivedFact]:
        derived: list[DerivedFact] = []
        for i, d in enumerate(specs):
            path = ("derived", i)
            rid = f"{rs_id}/{d['id']}"
            value = self.expr(d["value"], (*path, "value"), rid, condition=False)
            when = (
                self.expr(d["when"], (*path, "when"), rid, condition=True) if "when" in d else None
            )
            src = self.cite(d["source"], (*path, "source"), rid)
            if value is not None and ("when" not in d or when is not None):
                declared = (
                    Type(d["type"], d.get("unit"), tuple(d.get("values", ())))
                    if "type" in d
                    else None
                )
                derived.append(
                    DerivedFact(
                        d["id"], value, when, d["explanation"], src, self.doc.line(path), declared
                    )
                )
        return derived

    def rules(self, rs_id: str, specs: list[dict]) -> list[Rule]:
        rules: list[Rule] = []
        seen: set[str] = set()
        for i, r in enumerate(specs):
            path = ("rules", i)
            rid = f"{rs_id}/{r['id']}"
            if r["id"] in seen:
                self.problems.append(
                    Problem(
                        self.name, self.doc.line((*path, "id")), rid, "regel-id komt twee keer voor"
                    )
                )
            seen.add(r["id"])
            when = self.expr(r["when"], (*path, "when"), rid, condition=True)
            amounts = self._amounts(r.get("amounts", []), path, rid)
            params = self._params(r.get("params", {}), path, rid)
            src = self.cite(r["source"], (*path, "source"), rid)
            aanvraag = (
                self.aanvraag(r["aanvraag"], (*path, "aanvraag"), rid, self.provenance)
                if "aanvraag" in r
                else None
            )
            if when is not None:
                rules.append(
                    Rule(
                        r["id"],
                        rid,
                        r["instrument"],
                        when,
                        r["then"],
                        params,
                        tuple(amounts),
                        r["explanation"],
                        src,
                        self.doc.line(path),
                        _condition_text(r["when"]),
                        aanvraag,
                    )
                )
        return rules

    def aanvraag(
        self, spec: dict[str, Any], path: tuple, rid: str, provenance: str
    ) -> AanvraagSpec:
        """An `aanvraag` part as written; a part without its own provenance has the rule set's."""
        out: AanvraagSpec = {}
        for part in AANVRAAG_PARTS:
            p = spec.get(part)
            if p is None:
                continue
            where = (*path, part)
            src = self.cite(p["source"], (*where, "source"), rid) if "source" in p else None
            date_node = None
            if "date" in p:
                date_node = self.expr(p["date"]["expr"], (*where, "date"), rid, condition=False)
            out[part] = AanvraagPartSpec(
                " ".join(p["text"].split()), src, p.get("provenance", provenance), date_node
            )
        return out

    def _amounts(self, specs: list[dict], path: tuple, rid: str) -> list[AmountSpec]:
        amounts: list[AmountSpec] = []
        for j, a in enumerate(specs):
            node = self.expr(a["eur"], (*path, "amounts", j, "eur"), rid, condition=False)
            if node is not None:
                amounts.append(AmountSpec(a["period"], node, a["eur"], a["basis"]))
        return amounts

    def _params(self, specs: dict[str, Any], path: tuple, rid: str) -> dict[str, Any]:
        """Literal parameters as written, computed ones (`{expr: ...}`) parsed."""
        params: dict[str, Any] = {}
        for key, value in specs.items():
            if isinstance(value, dict):
                params[key] = self.expr(value["expr"], (*path, "params", key), rid, condition=False)
            else:
                params[key] = value
        return params


def load_ruleset(
    file: Path, problems: list[Problem], raw: list[Any] | None = None
) -> RuleSet | None:
    """Parse and check one file on its own; cross-file checks are the registry's. `raw` gets
    the file's plain data (None when it is not readable YAML), so a caller need not read a
    broken file a second time to see what it defines."""
    name = str(file)
    doc = load_or_report(file, problems)
    if doc is None:
        if raw is not None:
            raw.append(None)
        return None
    data = doc.data
    if raw is not None:
        raw.append(data)
    before = len(problems)
    if too_big(doc, problems):
        return None
    for err in sorted(schema_validator().iter_errors(data), key=lambda e: list(e.absolute_path)):
        path = tuple(err.absolute_path)
        problems.append(Problem(name, doc.line(path), _rule_id(data, path), _schema_message(err)))
    if len(problems) > before:
        return None

    sources = {key: _source(s) for key, s in data["sources"].items()}
    rs_id = data["id"]
    reader = _Reader(name, doc, sources, problems, data["provenance"])
    derived = reader.derived_facts(rs_id, data.get("derived", []))
    rules = reader.rules(rs_id, data["rules"])
    aanvraag = {
        instrument: reader.aanvraag(spec, ("aanvraag", instrument), rs_id, data["provenance"])
        for instrument, spec in data.get("aanvraag", {}).items()
    }
    valid_from = _date(data["valid_from"], doc, ("valid_from",), rs_id, problems)
    valid_to = _date(data.get("valid_to"), doc, ("valid_to",), rs_id, problems)
    if valid_from and valid_to and valid_to < valid_from:
        problems.append(
            Problem(name, doc.line(("valid_to",)), rs_id, "valid_to ligt vóór valid_from")
        )
    if len(problems) > before or valid_from is None:
        return None
    return RuleSet(
        id=rs_id,
        authority=data["authority"],
        version=str(data["version"]),
        title=data["title"],
        valid_from=valid_from,
        valid_to=valid_to,
        provenance=data["provenance"],
        provenance_note=data.get("provenance_note", ""),
        sources=sources,
        adopts=tuple(data.get("adopts", [])),
        carried_out_by=data.get("carried_out_by"),
        derived=tuple(derived),
        rules=tuple(rules),
        file=name,
        content_hash=hashlib.sha256(doc.raw).hexdigest()[:16],
        lines=doc.lines,
        applies_to=data.get("applies_to"),
        publication=Publication(**data["publication"]) if "publication" in data else None,
        aanvraag=aanvraag,
    )


def _source(spec: dict) -> Source:
    """A rule set's source by its identifier; its url is where it is read, derived for
    national law and local regulations when the file gives none."""
    url = spec.get("url") or deep_link(
        bwb=spec.get("bwb"), cvdr=spec.get("cvdr"), url=None, article=None, text_date=None
    )
    return Source(title=spec["title"], url=url, bwb=spec.get("bwb"), cvdr=spec.get("cvdr"))


def too_big(doc: LocatedYaml, problems: list[Problem]) -> bool:
    """More rules or derived facts than a file may hold: one problem, and nothing else is
    checked (the schema alone would take seconds over thousands of rules)."""
    data = doc.data
    if not isinstance(data, dict):
        return False
    rs_id = data.get("id") if isinstance(data.get("id"), str) else None
    found = False
    for key, limit, what in (
        ("rules", MAX_RULES_PER_FILE, "regels"),
        ("derived", MAX_DERIVED_PER_FILE, "afgeleide feiten"),
    ):
        items = data.get(key)
        if isinstance(items, list) and len(items) > limit:
            problems.append(
                Problem(
                    str(doc.file),
                    doc.line((key,)),
                    rs_id,
                    f"{key}: {_dutch(len(items))} {what}; de grens is {_dutch(limit)} per bestand "
                    "(verdeel ze over meer regelsets)",
                )
            )
            found = True
    return found


def _dutch(count: int) -> str:
    return f"{count:,}".replace(",", ".")


def _date(
    text: str | None, doc: LocatedYaml, path: tuple, rs_id: str, problems: list[Problem]
) -> date | None:
    """A date the schema let through as text ("2023-02-30" in quotes still has to exist), in
    the range of dates a placement can have: a rule set in force only outside it (9999-12-31)
    is a typo, not a rule set."""
    if text is None:
        return None
    try:
        when = parse_day(text)
    except ValueError as exc:
        problems.append(Problem(str(doc.file), doc.line(path), rs_id, f"{path[-1]}: {exc}"))
        return None
    return when


def _condition_text(value: Any) -> str:
    """A condition as written, on one line; structured all/any lists spelled out."""
    if isinstance(value, dict) and len(value) == 1:
        ((op, inner),) = value.items()
        if op == "not":
            return f"not ({_condition_text(inner)})"
        joiner = " and " if op == "all" else " or "
        return "(" + joiner.join(_condition_text(i) for i in inner) + ")"
    if isinstance(value, bool):
        return str(value).lower()
    return " ".join(str(value).split())


def _rule_id(data: Any, path: tuple) -> str | None:
    """The id of the rule (or derived fact) that a schema error is inside, if any."""
    if isinstance(data, dict) and len(path) >= 2 and path[0] in ("rules", "derived"):
        items = data.get(path[0])
        if isinstance(items, list) and isinstance(path[1], int) and path[1] < len(items):
            item = items[path[1]]
            if isinstance(item, dict) and "id" in item:
                return f"{data.get('id', '?')}/{item['id']}"
    return data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else None


# Said in Dutch: a citation that does not say which article, or which version of the text.
_MISSING_CITE_FIELD = {
    "article": "bron zonder artikel (article): noem het artikel dat deze regel codeert",
    "text_date": "bron zonder tekstdatum (text_date, JJJJ-MM-DD): de datum van de gelezen tekst",
}


def _schema_message(err: jsonschema.ValidationError) -> str:
    place = schema_messages.where(err)
    if err.validator == "required" and list(err.absolute_path)[-1:] == ["source"]:
        field = err.message.split("'")[1] if err.message.startswith("'") else ""
        if field in _MISSING_CITE_FIELD:
            return f"{place}: {_MISSING_CITE_FIELD[field]}"
    return f"{place}: {schema_messages.dutch(err)}"
