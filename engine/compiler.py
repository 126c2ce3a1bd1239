"""Rule sets → durable_rules ruleset definitions (JSON), never Python.

Every fact is one durable fact `{"t": "f", "n": <name>, "v": <value>}`. A rule's condition is
brought to negation normal form; comparisons of a fact with a constant become constraints on
that fact's pattern, `and` becomes a join of patterns (`all`), `or` becomes `any`. A fact that
is not known has no durable fact, so a comparison on it never matches: the network follows
Kleene logic, like `engine.expressions.evaluate`. Parameters are constants of the network:
they are folded in at compile time, so a network is compiled per rule-set versions and
parameter values (see `network_key`).

Derived facts are rules too: when their condition holds and the facts their value reads are
known, the one generic action evaluates the value and asserts the new fact, which chains.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.errors import ExpressionError
from engine.expressions import UNKNOWN, BoolOp, Call, Compare, In, Lit, Name, Node, Not, names
from engine.expressions.normal_form import (
    SHAPE_HINT,
    Conjunction,
    alternatives,
    is_absence,
    is_param,
    negation_normal_form,
)
from engine.facts import INPUT_FACTS, to_network
from engine.rulesets.loader import DerivedFact, Rule, RuleSet

# durable_rules 2.0.28's limits per ruleset (its C source, src/rules/), measured in
# docs/performance.md. compile_network refuses a network beyond them with a clear error.
MAX_ACTIONS = 4096  # rete.c MAX_ACTIONS: one action per compiled rule; beyond: error code 106
# rules.h BETA_LIST_LENGTH: rules whose pattern ends in the same test (identical patterns, such
# as `regie == 'gemeente'` in every gemeente's rules). Beyond: error code 108, or a write past
# the list when the memory behind it happens to be zero.
MAX_RULES_PER_CONDITION = 256
# rules.h NEXT_BUCKET_LENGTH: distinct tests directly after one test (distinct fact names in a
# network; distinct first constraints on one fact). The 513th makes create_ruleset loop forever.
MAX_TESTS_AFTER_ONE_TEST = 511  # 512 slots; a full table makes the next lookup loop
FACT, ABSENT = "f", "a"  # a known fact with its value; an input fact the placement left out
INPUT = "i"  # the one durable fact holding a check's input facts, a property per known input
ABSENCE_KNOWN = frozenset(INPUT_FACTS)  # inputs: absent from the start, so `not known` is safe
ALWAYS = "peildatum"  # an input every check has: the anchor of a rule without conditions
ALWAYS_BODY: dict[str, Any] = {"all": [{"a0": {"$and": [{"t": INPUT}, {"$ex": {ALWAYS: 1}}]}}]}
_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_OPS = {"!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}


@dataclass(frozen=True)
class Action:
    """What a durable rule stands for: an instrument rule that holds, one that is refuted
    (its condition is false: `refuted_by` are the tests that made it so), or a derived fact."""

    ruleset: RuleSet
    rule: Rule | None = None
    derived: DerivedFact | None = None
    refuted_by: tuple[Node, ...] | None = None
    order: int = 0  # position in the network: refutations of one rule are explained in order
    reads: tuple[str, ...] = ()  # a derived fact: the facts and parameters its value reads
    # a refutation: what the rule required where it found it false (each test negated), with
    # the facts each reads; worked out once per rule set, not per network that shares it
    required: tuple[tuple[Node, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Network:
    name: str
    definition: dict[str, Any]
    actions: dict[str, tuple[Action, ...]]  # network rule -> what it concludes (identical
    # conditions and refutations of several rules are one network rule)
    rulesets: tuple[RuleSet, ...]
    fact_names: frozenset[str]  # facts some pattern reads; others need not enter the network
    # inputs whose absence some pattern reads (durable tests `$nex` on the input fact; the CLIPS
    # peer in benchmarks/ asserts an absence fact for each one not given)
    absent_names: frozenset[str] = frozenset()
    patterns_json: str = ""  # the definition as durable_rules' C engine reads it (no "run")


def network_key(rulesets: list[RuleSet], params: Mapping[str, Any]) -> str:
    """Identifies a compiled network: the rule-set versions (by content) and parameter values."""
    parts = sorted(f"{rs.id}@{rs.version}#{rs.content_hash}" for rs in rulesets)
    used = sorted((n, str(params.get(n))) for rs in rulesets for n in _condition_params(rs))
    blob = json.dumps([parts, used])
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _condition_params(rs: RuleSet) -> frozenset[str]:
    """Parameters the conditions of a rule set read (cached per rule-set version)."""
    key = (rs.id, rs.version, rs.content_hash)
    if key not in _CONDITION_PARAMS:
        _CONDITION_PARAMS[key] = frozenset(_scan_condition_params(rs))
    return _CONDITION_PARAMS[key]


_CONDITION_PARAMS: dict[tuple[str, str, str], frozenset[str]] = {}


def _scan_condition_params(rs: RuleSet) -> set[str]:
    out: set[str] = set()
    for r in rs.rules:
        out |= {n for n in names(r.when) if is_param(n)}
    for d in rs.derived:
        if d.when is not None:
            out |= {n for n in names(d.when) if is_param(n)}
    return out


# ----------------------------------------------------------------- conditions


def _constraint(leaf: Node) -> dict[str, Any] | None:
    """A leaf of a condition in NNF → the constraint on its fact's value (None: it exists)."""
    match leaf:
        case Name():
            return {"v": True}
        case Not(Name()):
            return {"v": False}
        case Call("known", (Name(),)):
            return None
        case Compare(op, Name(), Lit(value)):
            return _compare(op, value)
        case Compare(op, Lit(value), Name()):
            return _compare(_FLIP[op], value)
        case In(Name(), items, negated):
            values = [to_network(i.value) for i in items]  # type: ignore[union-attr]
            if negated:
                return {"$and": [{"$neq": {"v": v}} for v in values]} if values else None
            return {"$or": [{"v": v} for v in values]} if values else {"v": "\x00never"}
    raise ExpressionError(f"{SHAPE_HINT}: {leaf!r}")


def _compare(op: str, value: Any) -> dict[str, Any]:
    if value is UNKNOWN:
        raise ExpressionError("comparison with an unknown constant")
    v = to_network(value)
    return {"v": v} if op == "==" else {_OPS[op]: {"v": v}}


def _single_fact_constraint(node: Node) -> dict[str, Any] | None:
    """A subtree about one fact as one constraint on that fact's value (None: it exists)."""
    if not isinstance(node, BoolOp):
        return _constraint(node)
    parts = [_single_fact_constraint(i) for i in node.items]
    if node.op == "and":
        real = [p for p in parts if p is not None]
        return None if not real else real[0] if len(real) == 1 else {"$and": real}
    if any(p is None for p in parts):
        return None  # "known(x) or x < 3" is just "known(x)"
    return {"$or": parts}


def _conjunction(tests: Conjunction) -> dict[str, Any]:
    """One durable `all` body. The tests of input facts are alpha tests on the one input fact
    (`t: i`, a property per input given): durable joins nothing for them. Per input read, an
    existence test comes first (`$ex`; `$nex` for an input not given), then its constraints:
    durable's tree of tests then branches per input as it did with a fact per input, so its
    limits count the same (a missing property matches no comparison either way: Kleene logic).
    Each derived fact is a pattern of its own (`t: f`, `n: <name>`). Measured on the shipped
    networks: a session ×1.42 against a pattern per input (docs/performance.md)."""
    by_fact: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for fact, leaf in tests:
        if is_absence(leaf):
            by_fact.setdefault((ABSENT, fact), [])
            continue
        constraint = _single_fact_constraint(leaf)
        by_fact.setdefault((FACT, fact), [])
        if constraint is not None:
            by_fact[(FACT, fact)].append(constraint)
    inputs: list[dict[str, Any]] = []
    patterns: list[dict[str, Any]] = []
    for (kind, fact), constraints in sorted(by_fact.items(), key=lambda kv: kv[0][1]):
        if fact in INPUT_FACTS:
            inputs.append({"$nex" if kind == ABSENT else "$ex": {fact: 1}})
            inputs += [_on_property(c, fact) for c in constraints]
            continue
        terms: list[dict[str, Any]] = [{"t": kind}, {"n": fact}, *constraints]
        patterns.append({f"a{len(patterns) + 1}": {"$and": terms}})
    if inputs:
        patterns.insert(0, {"a0": {"$and": [{"t": INPUT}, *inputs]}})
    return {"all": patterns}


def _on_property(constraint: Any, fact: str) -> Any:
    """A constraint on a fact's value (`v`) as the same constraint on the property `fact`."""
    if isinstance(constraint, list):
        return [_on_property(c, fact) for c in constraint]
    if isinstance(constraint, dict):
        return {fact if k == "v" else k: _on_property(v, fact) for k, v in constraint.items()}
    return constraint


def per_fact(terms: list[dict[str, Any]]) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """A pattern's tests per fact, as (kind FACT or ABSENT, fact, constraints on `v`): the input
    fact's tests split by property. For readers of a network that want one fact per name
    (the limits' messages, the CLIPS peer)."""
    kind = next((t["t"] for t in terms if set(t) == {"t"}), None)
    if kind != INPUT:
        fact = next((t["n"] for t in terms if set(t) == {"n"}), "?")
        return [(kind or FACT, fact, [t for t in terms if set(t) not in ({"t"}, {"n"})])]
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for test in terms[1:]:
        op = next(iter(test))
        if op in ("$ex", "$nex"):
            fact = next(iter(test[op]))
            out.setdefault((ABSENT if op == "$nex" else FACT, fact), [])
            continue
        fact = _property_of(test)
        out.setdefault((FACT, fact), []).append(_on_property_back(test, fact))
    return [(kind, fact, constraints) for (kind, fact), constraints in out.items()]


def _property_of(test: Any) -> str:
    """The property a test on the input fact reads (each test reads one)."""
    if isinstance(test, list):
        return _property_of(test[0])
    for k, v in test.items():
        if not k.startswith("$"):
            return str(k)
        return _property_of(v)
    raise ExpressionError(f"a test without a property: {test!r}")


def _on_property_back(constraint: Any, fact: str) -> Any:
    if isinstance(constraint, list):
        return [_on_property_back(c, fact) for c in constraint]
    if isinstance(constraint, dict):
        return {"v" if k == fact else k: _on_property_back(v, fact) for k, v in constraint.items()}
    return constraint


def compile_condition(condition: Node, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The durable rule bodies for a condition, one per disjunct; [] when it can never hold.

    durable_rules' nested `$all` inside `any` fires on partial matches (2.0.28), so an `or`
    over several facts becomes several rules that share one action.
    """
    shape = alternatives(condition, params, ABSENCE_KNOWN)
    if shape is True:
        return [ALWAYS_BODY]
    if shape is False:
        return []
    return [_conjunction(tests) for tests in shape]


def _with_known(condition: Node | None, value: Node) -> Node:
    """A derived fact fires only when the facts its value reads are known."""
    needs = [Call("known", (Name(n),)) for n in sorted(names(value)) if not is_param(n)]
    parts = ([condition] if condition is not None else []) + needs
    if not parts:
        return Lit(True)
    return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts))


# ------------------------------------------------------------------- network


# One rule set's share of a network, in order: (name prefix, durable rule body, action).
_Part = tuple[str, dict[str, Any], Action]
_Parts = tuple[_Part, ...]
_Path = tuple[str, ...]


@dataclass(frozen=True)
class _Share:
    """One rule set's share of a network, with what durable's limits and the driver need to
    know of it: networks are built by adding shares up, not by walking every rule again."""

    parts: _Parts
    bodies_json: tuple[str, ...]  # each part's durable rule body as JSON
    read: frozenset[str]  # facts its patterns read
    absent: frozenset[str]  # inputs whose absence they test
    paths: tuple[tuple[_Path, ...], ...]  # each part's patterns as paths of tests
    after: dict[_Path, set[str]]  # distinct tests after each path
    tests_of: dict[_Path, list[dict[str, Any]]]


PartsCache = dict[tuple[str, str, str, str], _Share]
_PARTS_CACHED = 4096  # rule-set versions × parameter values kept; refilled when full


def _ruleset_parts(rs: RuleSet, params: Mapping[str, Any]) -> _Parts:
    """The network rules of one rule set: each derived fact, each rule, each refutation."""
    parts: list[_Part] = []
    for d in rs.derived:
        reads = tuple(sorted(names(d.value)))
        for body in compile_condition(_with_known(d.when, d.value), params):
            parts.append(("d", body, Action(rs, derived=d, reads=reads)))
    for r in rs.rules:
        for body in compile_condition(r.when, params):
            parts.append(("r", body, Action(rs, rule=r)))
        if r.then == "excluded":
            continue  # an exception that does not hold needs no explanation
        for tests, body in _refutations(r, params):
            required = tuple(
                (leaf, tuple(sorted(names(leaf))))
                for leaf in (negation_normal_form(Not(t)) for t in tests)
            )
            action = Action(rs, rule=r, refuted_by=tests, order=len(parts), required=required)
            parts.append(("n", body, action))
    return tuple(parts)


def _share(rs: RuleSet, params: Mapping[str, Any]) -> _Share:
    parts = _ruleset_parts(rs, params)
    bodies = {str(i): body for i, (_, body, _) in enumerate(parts)}
    read, absent = _facts_read(bodies)
    _, after, tests_of = _pattern_tree(bodies)
    texts = tuple(json.dumps(body, ensure_ascii=False) for _, body, _ in parts)
    paths = tuple(
        tuple(tuple(map(repr, b["$and"])) for pattern in body["all"] for b in pattern.values())
        for _, body, _ in parts
    )
    return _Share(parts, texts, read, absent, paths, after, tests_of)


def _parts(rs: RuleSet, params: Mapping[str, Any], cache: PartsCache | None) -> _Share:
    """A rule set's share, compiled once per version and values of the parameters its
    conditions read: every network of a scope with this rule set shares it."""
    if cache is None:
        return _share(rs, params)
    used = json.dumps(sorted((n, str(params.get(n))) for n in _condition_params(rs)))
    key = (rs.id, rs.version, rs.content_hash, used)
    found = cache.get(key)
    if found is None:
        if len(cache) >= _PARTS_CACHED:
            cache.clear()
        found = cache[key] = _share(rs, params)
    return found


def _definitions(
    ordered: list[RuleSet], params: Mapping[str, Any], cache: PartsCache | None = None
) -> tuple[dict[str, Any], dict[str, tuple[Action, ...]]]:
    return _assemble([_parts(rs, params, cache) for rs in ordered]).definition


@dataclass(frozen=True)
class _Assembled:
    definition: tuple[dict[str, Any], dict[str, tuple[Action, ...]]]
    ending: dict[_Path, int]  # network rules' patterns ending on each path of tests
    patterns_json: str


def _assemble(shares: list[_Share]) -> _Assembled:
    """The rule sets' shares as one durable ruleset definition. Rules and refutations with the
    same pattern (`regie == 'gemeente'` in many rules, or refuted by `regie != 'gemeente'`) are
    one network rule that concludes for all of them: a smaller network, fewer actions. Derived
    facts keep a rule each (each asserts its own fact)."""
    definition: dict[str, Any] = {}
    actions: dict[str, list[Action]] = {}
    by_body: dict[tuple[str, str], str] = {}
    ending: dict[_Path, int] = {}
    texts: list[str] = []
    counter = itertools.count()
    for share in shares:
        for (prefix, body, action), text, paths in zip(
            share.parts, share.bodies_json, share.paths, strict=True
        ):
            same = by_body.get((prefix, text)) if prefix != "d" else None
            if same is not None:
                actions[same].append(action)
                continue
            rule_name = f"{prefix}{next(counter)}"
            definition[rule_name] = {**body, "run": rule_name}
            actions[rule_name] = [action]
            by_body[(prefix, text)] = rule_name
            texts.append(f'"{rule_name}":{text}')
            for path in paths:
                ending[path] = ending.get(path, 0) + 1
    concluded = {name: tuple(found) for name, found in actions.items()}
    return _Assembled((definition, concluded), ending, "{" + ",".join(texts) + "}")


def _refutations(rule: Rule, params: Mapping[str, Any]) -> list[tuple[tuple[Node, ...], dict]]:
    """Rules that fire when a rule's condition is false (Kleene: its negation is true), each
    with the tests that refute it: the refusal is explained from the one evaluation."""
    shape = alternatives(Not(rule.when), params, ABSENCE_KNOWN)
    if shape is False:
        return []
    if shape is True:
        return [((), ALWAYS_BODY)]
    return [(tuple(leaf for _, leaf in tests), _conjunction(tests)) for tests in shape]


def count_actions(rulesets: list[RuleSet], params: Mapping[str, Any]) -> int:
    """How many durable actions these rule sets need in one network (limit: MAX_ACTIONS)."""
    return len(_definitions(rulesets, params)[1])


def limit_counts(
    rulesets: list[RuleSet], params: Mapping[str, Any]
) -> tuple[int, dict[tuple[str, ...], int], dict[tuple[str, ...], set[str]]]:
    """What durable_rules' limits count, for these rule sets alone: actions, rules per condition
    (path of tests), distinct tests after each test. Actions and rules add up over rule sets,
    tests after a test unite: an upper bound for a network of several (engine/network_limits)."""
    definition = _definitions(rulesets, params)[0]
    ending, after, _ = _pattern_tree(definition)
    return len(definition), ending, after


def most_rules_per_condition(rulesets: list[RuleSet], params: Mapping[str, Any]) -> int:
    """The most rules of one network sharing a condition (limit: MAX_RULES_PER_CONDITION)."""
    ending = _pattern_tree(_definitions(rulesets, params)[0])[0]
    return max(ending.values(), default=0)


def compile_network(
    rulesets: list[RuleSet], params: Mapping[str, Any], cache: PartsCache | None = None
) -> Network:
    """One durable ruleset for a scope: every derived fact and rule of `rulesets`. `cache`
    keeps each rule set's compiled part for the next network (an engine's own)."""
    ordered = sorted(rulesets, key=lambda rs: (rs.authority, rs.id, rs.version))
    shares = [_parts(rs, params, cache) for rs in ordered]
    assembled = _assemble(shares)
    definition, actions = assembled.definition
    if len(actions) > MAX_ACTIONS:
        raise ExpressionError(
            f"the network for {', '.join(rs.key for rs in ordered)} has {len(actions)} rules; "
            f"durable_rules allows at most {MAX_ACTIONS} per ruleset: split the scope"
        )
    after: dict[_Path, set[str]] = {}
    tests_of: dict[_Path, list[dict[str, Any]]] = {}
    for share in shares:
        for path, following in share.after.items():
            after.setdefault(path, set()).update(following)
        for path, tests in share.tests_of.items():
            tests_of.setdefault(path, tests)
    problem = _limit_problem(len(definition), assembled.ending, after, tests_of)
    if problem:
        raise ExpressionError(
            f"het netwerk voor {', '.join(rs.key for rs in ordered)} past niet in durable_rules: "
            f"{problem}; splits de regels of de scope"
        )
    name = f"arrangeur_{network_key(ordered, params)}"
    read = frozenset().union(*(share.read for share in shares))
    absent = frozenset().union(*(share.absent for share in shares))
    patterns = assembled.patterns_json
    return Network(name, definition, actions, tuple(ordered), read, absent, patterns)


def _facts_read(definition: Mapping[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
    """The facts the patterns read: known facts (FACT) and inputs whose absence they test."""
    read: set[str] = set()
    absent: set[str] = set()
    for rule in definition.values():
        for pattern in rule.get("all", ()):
            for body in pattern.values():
                for kind, fact, _ in per_fact(body["$and"]):
                    if fact != "?":
                        (absent if kind == ABSENT else read).add(fact)
    return frozenset(read), frozenset(absent)


def _condition_text(tests: list[dict[str, Any]]) -> str:
    """A pattern's tests as the rule author wrote them: `regie == "gemeente"`."""
    shown = []
    for kind, fact, constraints in per_fact(tests):
        if kind == ABSENT:
            shown.append(f"not known({fact})")
            continue
        shown += [
            f"{fact} == {json.dumps(t['v'], ensure_ascii=False)}"
            if set(t) == {"v"}
            else json.dumps(t, ensure_ascii=False)
            for t in constraints
        ] or [f"known({fact})"]
    return " and ".join(shown) or "altijd"


def _pattern_tree(
    definition: Mapping[str, Any],
) -> tuple[dict[_Path, int], dict[_Path, set[str]], dict[_Path, list[dict[str, Any]]]]:
    """durable's alpha-node tree: patterns starting with the same tests share those nodes, and
    a pattern's rule hangs on the node of its last test. Returns, per path of tests, how many
    patterns end there; per node, the distinct tests after it; per path, its tests. The
    compiler writes equal tests identically, so their repr identifies them."""
    ending: dict[_Path, int] = {}
    after: dict[_Path, set[str]] = {}
    tests_of: dict[_Path, list[dict[str, Any]]] = {}
    for rule in definition.values():
        for pattern in rule.get("all", ()):
            for body in pattern.values():
                tests = body["$and"]
                path = tuple(map(repr, tests))
                if path not in ending:
                    ending[path] = 0
                    tests_of[path] = tests
                    for i in range(len(path)):
                        after.setdefault(path[:i], set()).add(path[i])
                ending[path] += 1
    return ending, after, tests_of


def network_limit_problem(definition: Mapping[str, Any]) -> str | None:
    """Why durable_rules could not build this ruleset definition, or None."""
    return _limit_problem(len(definition), *_pattern_tree(definition))


def _limit_problem(
    rules: int,
    ending: Mapping[_Path, int],
    after: Mapping[_Path, set[str]],
    tests_of: Mapping[_Path, list[dict[str, Any]]],
) -> str | None:
    if rules > MAX_ACTIONS:
        return f"{rules} regels, durable_rules staat er hoogstens {MAX_ACTIONS} toe"
    path, most = max(ending.items(), key=lambda kv: kv[1], default=((), 0))
    if most > MAX_RULES_PER_CONDITION:
        return (
            f"{most} regels delen de voorwaarde {_condition_text(tests_of[path])}, durable_rules "
            f"staat er hoogstens {MAX_RULES_PER_CONDITION} toe (BETA_LIST_LENGTH)"
        )
    prefix, following = max(after.items(), key=lambda kv: len(kv[1]), default=((), set()))
    if len(following) > MAX_TESTS_AFTER_ONE_TEST:
        some = next(tests for p, tests in tests_of.items() if p[: len(prefix)] == prefix)
        where = _condition_text(some[: len(prefix)]) if len(prefix) > 1 else "de feiten"
        return (
            f"{len(following)} verschillende tests na {where}, durable_rules staat er hoogstens "
            f"{MAX_TESTS_AFTER_ONE_TEST} toe (NEXT_BUCKET_LENGTH)"
        )
    return None
