"""Will every network a check can need fit in durable_rules? Used by `arrangeur validate`.

A check compiles one network per scope: national law, the woongemeente's and the
vestigingsgemeente's rule sets and the regional sets they adopt (Engine.scope). The compiler
refuses a network beyond durable_rules' limits (engine/compiler.py); this finds such scopes
before a user meets them, without compiling every pair of gemeenten: per rule set it counts what
the limits count, bounds each pair by the national counts plus the two largest local ones, and
compiles only the pairs whose bound is beyond a limit.
"""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date, timedelta

from engine.compiler import (
    MAX_ACTIONS,
    MAX_RULES_PER_CONDITION,
    MAX_TESTS_AFTER_ONE_TEST,
    compile_network,
    limit_counts,
)
from engine.errors import ExpressionError, Problem
from engine.rulesets.loader import RuleSet
from engine.rulesets.registry import RuleBase

_CANDIDATES = 8  # gemeenten with the largest counts whose pairs are compiled when a bound fails


def _with_adopted(rb: RuleBase, sets: list[RuleSet], when: date) -> dict[str, RuleSet]:
    chosen = {rs.id: rs for rs in sets}
    for rs in sets:
        for adopted in rs.adopts:
            regional = rb.by_id(adopted, when)
            if regional is not None:
                chosen[regional.id] = regional
    return chosen


def _dates(rb: RuleBase) -> list[date]:
    """Each day the rule sets in force change: every other day has the networks of one of them."""
    days = {rs.valid_from for rs in rb.rulesets}
    days |= {rs.valid_to + timedelta(days=1) for rs in rb.rulesets if rs.valid_to}
    return sorted(days)


_Path = tuple[str, ...]
_Counts = tuple[int, dict[_Path, int], dict[_Path, set[str]]]  # one rule set (limit_counts)
_Totals = tuple[int, Counter[_Path], dict[_Path, set[str]]]  # a Counter: 0 for a path it lacks


def _total(sets: dict[str, RuleSet], counts: dict[str, _Counts]) -> _Totals:
    actions = 0
    ending: Counter[_Path] = Counter()
    after: dict[_Path, set[str]] = {}
    for rs in sets.values():
        a, e, f = counts[rs.key]
        actions += a
        ending.update(e)
        for node, tests in f.items():
            after.setdefault(node, set()).update(tests)
    return actions, ending, after


def _suspects(sizes: dict[str, int], base: int, limit: int) -> set[tuple[str, str]]:
    """Pairs among the largest to compile when national + the two largest could pass `limit`."""
    top = sorted(sizes, key=sizes.__getitem__, reverse=True)[:_CANDIDATES]
    if top and base + sum(sizes[c] for c in top[:2]) > limit:
        return set(itertools.combinations_with_replacement(top, 2))
    return set()


def network_limit_problems(rb: RuleBase) -> list[Problem]:
    problems: dict[str, Problem] = {}
    for when in _dates(rb):
        params = rb.parameters.at(when)
        national = _with_adopted(rb, rb.in_force("uwv", when) + rb.in_force("rijk", when), when)
        local: dict[str, dict[str, RuleSet]] = {}
        for g in rb.geography.gemeenten:
            own = rb.in_force(f"gemeente:{g.code}", when)
            if own and g.exists_on(when):
                adopted = _with_adopted(rb, own, when)
                local[g.code] = {k: v for k, v in adopted.items() if k not in national}
        every = {rs.key: rs for sets in [national, *local.values()] for rs in sets.values()}
        counts = {key: limit_counts([rs], params) for key, rs in every.items()}
        base = _total(national, counts)
        per = {code: _total(sets, counts) for code, sets in local.items()}
        suspects = _suspects({c: p[0] for c, p in per.items()}, base[0], MAX_ACTIONS)
        for path in set(base[1]).union(*(p[1] for p in per.values())):
            sizes = {c: p[1][path] for c, p in per.items() if p[1][path]}
            suspects |= _suspects(sizes, base[1][path], MAX_RULES_PER_CONDITION)
        for node in set(base[2]).union(*(p[2] for p in per.values())):
            sizes = {c: len(p[2][node]) for c, p in per.items() if node in p[2]}
            suspects |= _suspects(sizes, len(base[2].get(node, ())), MAX_TESTS_AFTER_ONE_TEST)
        for woon, vest in sorted(suspects):
            sets = {**national, **local[woon], **local[vest]}
            try:
                compile_network(list(sets.values()), params)
            except ExpressionError as exc:
                problems.setdefault(
                    f"{woon}/{vest}: {exc}",
                    Problem(  # the file of the largest local rule set: likely the cause
                        max(
                            {**local[woon], **local[vest]}.values(), key=lambda rs: len(rs.rules)
                        ).file,
                        None,
                        None,
                        f"een plaatsing met woongemeente {woon} en vestigingsgemeente {vest} op "
                        f"{when.isoformat()}: {exc}",
                    ),
                )
    return list(problems.values())
