"""Rule comparison: instrument × authority on a peildatum, and the typed differences between them.

A gemeente's column shows what its residents get by the rules in force: its own rules, else the
regional rules it adopted, else national law that it carries out (loonkostensubsidie). The scope
of each gemeente comes from `Engine.scope`, the same function `check` uses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from engine.analysis.groups import deviating, partition
from engine.analysis.model import MatrixCell, RuleDifference
from engine.analysis.wording import condition_in_words, param_label
from engine.arrangement import Engine, authority_label, parse_placement
from engine.expressions import Compare, In, Lit, Name, Node, format_number, names
from engine.geography import Gemeente
from engine.rulesets.loader import Rule, RuleSet

_OFFERING = ("eligible", "needs_assessment")
_BOOLEAN_GROUPS = ("candidate.doelgroepregister", "candidate.arbeidsbeperking", "lks_doelgroep")


def _scope_rulesets(engine: Engine, gemeente: Gemeente, when: date) -> dict[str, list[RuleSet]]:
    placement = parse_placement(
        {
            "peildatum": when,
            "candidate": {"woongemeente": gemeente.code,  # 39 or 40: any plausible age
                          "geboortedatum": f"{when.year - 40}-01-01", "uitkering": "geen"},
            "employer": {"vestigingsgemeente": gemeente.code},
            "job": {"startdatum": when, "uren_per_week": 32},
        }
    )  # fmt: skip
    scope = engine.scope(placement)
    by_role: dict[str, list[RuleSet]] = {"own": [], "regio": [], "carried": [], "national": []}
    for rs in scope.rulesets:
        role = scope.roles.get(rs.authority)
        if role == "woon":
            by_role["own"].append(rs)
        elif role == "regio_woon":
            by_role["regio"].append(rs)
        elif rs.carried_out_by == "woongemeente":
            by_role["carried"].append(rs)
        elif role == "national":
            by_role["national"].append(rs)
    return by_role


def _rules(rulesets: Sequence[RuleSet], instrument: str) -> list[tuple[RuleSet, Rule]]:
    return [(rs, r) for rs in rulesets for r in rs.rules if r.instrument == instrument]


def _param_text(value: Any) -> Any:
    """A computed term in words ("startdatum + 3 maanden"), the same for every gemeente."""
    return condition_in_words(value) if isinstance(value, Node) else value


def _doelgroep(node: Node) -> set[str]:
    """Uitkeringen and group facts a condition names (a reading aid, not a second evaluator)."""
    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        match n:
            case Compare("==", Name("candidate.uitkering"), Lit(v)):
                out.add(str(v))
            case In(Name("candidate.uitkering"), items, False):
                out.update(str(i.value) for i in items if isinstance(i, Lit))
            case Compare("==", Name("regie"), Lit(v)):
                out.add(f"regie {v}")
            case _:
                attrs = ("items", "operand", "left", "right", "args")
                children = [getattr(n, a, None) for a in attrs]
                for c in children:
                    if isinstance(c, tuple):
                        stack.extend(c)
                    elif c is not None and not isinstance(c, str):
                        stack.append(c)
    out.update(name for name in names(node) if name in _BOOLEAN_GROUPS)
    return out


def _cell(
    engine: Engine, instrument: str, column: str, via: str | None, hits: list[tuple[RuleSet, Rule]]
) -> MatrixCell:
    offering = [(rs, r) for rs, r in hits if r.then in _OFFERING]
    params: dict[str, Any] = {}
    for _, r in offering:
        for k, v in r.params.items():
            params.setdefault(k, _param_text(v))
    return MatrixCell(
        instrument=instrument,
        authority=column,
        authority_naam=authority_label(
            column if column in ("uwv", "rijk") or ":" in column else f"gemeente:{column}",
            engine.rulebase,
        ),
        offered=bool(offering),
        via=via if hits else None,
        statuses=sorted({r.then for _, r in hits}),
        doelgroep=sorted(set().union(*(_doelgroep(r.when) for _, r in hits))) if hits else [],
        conditions=[f"{r.then}: {r.when_text}" for _, r in hits],
        params=params,
        amounts=[a.eur_text for _, r in offering for a in r.amounts],
        rules=[r.qualified_id for _, r in hits],
        sources=list({(r.source.title, r.source.article): r.source for _, r in hits}.values()),
        provenance=None
        if not hits
        else "illustrative"
        if any(rs.provenance == "illustrative" for rs, _ in hits)
        else "verified",
    )


def signature(cell: MatrixCell) -> tuple:
    """What makes two cells the same offer: content, not who wrote it."""
    return (
        cell.offered,
        tuple(cell.statuses),
        tuple(c for c in cell.conditions),
        tuple(sorted((k, str(v)) for k, v in cell.params.items())),
        tuple(cell.amounts),
    )


def build_matrix(
    engine: Engine, gemeenten: Sequence[Gemeente], when: date
) -> tuple[list[MatrixCell], list[RuleDifference]]:
    rb = engine.rulebase
    instruments = list(rb.catalogue.instruments)
    scopes = {g.code: _scope_rulesets(engine, g, when) for g in gemeenten}
    order = [g.code for g in gemeenten]
    regio_sets = {rs.id: rs for s in scopes.values() for rs in s["regio"]}
    national = scopes[order[0]]["national"] if order else []

    cells: list[MatrixCell] = []
    by_gemeente: dict[str, dict[str, MatrixCell]] = {code: {} for code in order}
    exceptions: dict[str, list[tuple[str, str]]] = {}  # instrument -> [(gemeente, regio)]
    for instrument in instruments:
        for code in order:
            s = scopes[code]
            own, adopted = _rules(s["own"], instrument), _rules(s["regio"], instrument)
            if own:
                hits, via = own, "eigen regels"
                exceptions.setdefault(instrument, []).extend(
                    (code, authority) for authority in sorted({rs.authority for rs, _ in adopted})
                )
            elif adopted:
                regio_naam = authority_label(adopted[0][0].authority, rb)
                hits, via = adopted, f"regionale regels ({regio_naam})"
            else:
                hits = _rules(s["carried"], instrument)
                via = "landelijk kader, uitgevoerd door de gemeente"
            cell = _cell(engine, instrument, code, via, hits)
            by_gemeente[code][instrument] = cell
            cells.append(cell)
        for rs in regio_sets.values():
            hits = _rules([rs], instrument)
            cells.append(_cell(engine, instrument, rs.authority, "regionale regels", hits))
        for authority in ("uwv", "rijk"):
            sets = [rs for rs in national if rs.authority == authority]
            cells.append(
                _cell(engine, instrument, authority, "landelijke regels", _rules(sets, instrument))
            )
    cells = [c for c in cells if c.rules or c.authority in order]
    differences = _differences(engine, instruments, order, by_gemeente, cells, exceptions)
    return cells, differences


def _differences(
    engine: Engine,
    instruments: list[str],
    order: list[str],
    by_gemeente: dict[str, dict[str, MatrixCell]],
    cells: list[MatrixCell],
    exceptions: dict[str, list[tuple[str, str]]],
) -> list[RuleDifference]:
    rb = engine.rulebase
    out: list[RuleDifference] = []
    naam = lambda i: rb.catalogue.instruments[i].naam  # noqa: E731
    label = lambda a: authority_label(a, rb)  # noqa: E731
    gem_label = lambda c: label(f"gemeente:{c}")  # noqa: E731
    conditions = {r.qualified_id: r.when for rs in rb.rulesets for r in rs.rules}
    when_of = conditions.get
    for instrument in instruments:
        row = {code: by_gemeente[code][instrument] for code in order}
        for code, regio in exceptions.get(instrument, []):
            out.append(
                RuleDifference(
                    instrument=instrument,
                    type="local_exception",
                    authorities=[f"gemeente:{code}", regio],
                    gemeenten=[code],
                    explanation=(
                        f"{gem_label(code)} heeft voor {naam(instrument)} eigen regels naast de "
                        f"regionale afspraak van {label(regio)} die zij overneemt; de eigen regel "
                        "gaat voor (beleidsvrijheid)."
                    ),
                )
            )
        groups = partition({c: signature(row[c]) for c in order}, order)
        odd = deviating(groups)
        if odd:
            first = [row[g[0]] for g in groups]
            same_access = len({(c.offered, tuple(c.conditions)) for c in first}) == 1
            kind = "parameter_mismatch" if same_access else "eligibility_mismatch"
            described = "; ".join(
                f"{', '.join(gem_label(c) for c in g)}: {text}"
                for g, text in zip(
                    groups, _distinct([row[g[0]] for g in groups], when_of), strict=True
                )
            )
            out.append(
                RuleDifference(
                    instrument=instrument,
                    type=kind,
                    authorities=[f"gemeente:{c}" for c in order],
                    gemeenten=odd,
                    explanation=f"{naam(instrument)} verschilt tussen gemeenten. {described}.",
                )
            )
        uwv = next((c for c in cells if c.authority == "uwv" and c.instrument == instrument), None)
        if uwv is not None and uwv.offered:
            other = [c for c in order if row[c].offered and row[c].params != uwv.params]
            if other and any(row[c].params for c in other):
                out.append(
                    RuleDifference(
                        instrument=instrument,
                        type="parameter_mismatch",
                        authorities=["uwv", *(f"gemeente:{c}" for c in other)],
                        gemeenten=other,
                        explanation=(
                            f"{naam(instrument)}: UWV ({describe(uwv)}) en gemeenten "
                            f"({'; '.join(f'{gem_label(c)}: {describe(row[c])}' for c in other)}) "
                            "hanteren andere voorwaarden; wie het geeft, hangt af van de regie."
                        ),
                    )
                )
    for rel in rb.catalogue.relations:
        if rel.conflict != "statutory_non_harmonisable":
            continue
        holders = sorted(
            {
                c.authority if c.authority in ("uwv", "rijk") or ":" in c.authority else
                f"gemeente:{c.authority}"
                for c in cells
                if c.instrument in rel.instruments and c.offered
            }
        )  # fmt: skip
        out.append(
            RuleDifference(
                instrument=rel.instruments[0],
                type="statutory_non_harmonisable",
                authorities=holders,
                gemeenten=list(order),
                explanation=(
                    f"{' en '.join(naam(i) for i in rel.instruments)}: {rel.explanation} "
                    f"({rel.source.title}{', ' + (rel.source.article or '')})."
                    " Dit verschil kan de regio niet harmoniseren."
                ),
            )
        )
    return out


def _term(value: object) -> str:
    """A term as written in a rule: a number or text, or an expression in words."""
    if isinstance(value, Node):
        return condition_in_words(value)
    return format_number(value)


def _distinct(cells: list[MatrixCell], when_of: Callable[[str], Node | None]) -> list[str]:
    """Each group's offer in words; where two read the same, what else tells them apart (the
    rules they come from and their conditions), so a difference never reads as none."""
    texts = [describe(c) for c in cells]
    if len(set(texts)) == len(texts):
        return texts
    out = []
    for cell, text in zip(cells, texts, strict=True):
        if texts.count(text) > 1:
            conditions = [n for n in map(when_of, cell.rules) if n is not None]
            said = " of ".join(dict.fromkeys(condition_in_words(n) for n in conditions))
            extra = [x for x in (cell.via, f"als {said}" if said else "") if x]
            text += f" ({'; '.join(extra) or 'andere voorwaarden'})"
        out.append(text)
    return out


def describe(cell: MatrixCell) -> str:
    if not cell.offered:
        return "niet aangeboden" if not cell.rules else "alleen uitsluitingen"
    terms = ", ".join(f"{param_label(k)} {_term(v)}" for k, v in cell.params.items())
    status = "op beoordeling" if cell.statuses == ["needs_assessment"] else "aangeboden"
    return f"{status}{' (' + terms + ')' if terms else ''}"
