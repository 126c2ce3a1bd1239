"""What changed between a stored answer and a new one, and why, in Dutch.

Why is read from the two answers alone: a rule set whose version or content hash differs
(named with the rules of that rule set that decided the instrument), a moved peildatum, or -
when neither - the parameters or facts.

Values are compared, not their rendering: an amount is the same to the cent whatever month or
year labels it, and a date that keeps its place relative to the peildatum (it moved with it) is
the same date. Only what a user would act on is a change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine.caseload.answer import Answer, Rulesets
from engine.dates import add_months
from engine.format import eur, format_number

STATUS_NL = {
    "eligible": "komt in aanmerking",
    "needs_assessment": "te beoordelen",
    "not_eligible": "komt niet in aanmerking",
}


@dataclass(frozen=True)
class Snapshot:
    answer: Answer
    rulesets: Rulesets
    deadlines: list[dict[str, Any]]


@dataclass(frozen=True)
class RulesetDelta:
    """One rule set as it was and as it is now (None: not in force for this placement)."""

    id: str
    old: dict[str, str] | None
    new: dict[str, str] | None

    def text(self) -> str:
        old, new = self.old, self.new
        if old and new and old["version"] != new["version"]:
            return f"regelset {self.id} {old['version']} → {new['version']}"
        if old and new:
            return (
                f"regelset {self.id} {old['version']}: inhoud gewijzigd "
                f"(hash {old['content_hash'][:8]} → {new['content_hash'][:8]})"
            )
        if old:
            return f"regelset {self.id} {old['version']} geldt niet meer op de peildatum"
        assert new is not None
        return f"regelset {self.id} {new['version']} geldt nu ook"

    def key(self) -> tuple[str, str, str]:
        def tag(v: dict[str, str] | None) -> str:
            return f"{v['version']}#{v['content_hash']}" if v else "-"

        return (self.id, tag(self.old), tag(self.new))


@dataclass
class PlacementChange:
    ref: str
    peildatum_old: date
    peildatum_new: date
    lines: list[str] = field(default_factory=list)
    causes: set[tuple[str, str, str]] = field(default_factory=set)  # RulesetDelta keys
    rulesets_moved: list[RulesetDelta] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.lines)


def compare(ref: str, old: Snapshot, new: Snapshot) -> PlacementChange:
    p_old = date.fromisoformat(old.answer["peildatum"])
    p_new = date.fromisoformat(new.answer["peildatum"])
    change = PlacementChange(ref, p_old, p_new)
    deltas = {
        rid: RulesetDelta(rid, old.rulesets.get(rid), new.rulesets.get(rid))
        for rid in sorted(set(old.rulesets) | set(new.rulesets))
        if old.rulesets.get(rid) != new.rulesets.get(rid)
    }
    change.rulesets_moved = list(deltas.values())
    o_inst, n_inst = old.answer["instruments"], new.answer["instruments"]
    for instrument in [*o_inst, *(i for i in n_inst if i not in o_inst)]:
        o, n = o_inst.get(instrument), n_inst.get(instrument)
        lines = _instrument_lines(o, n, p_old, p_new)
        if not lines:
            continue
        change.lines.extend(lines)
        why = []
        for rid in sorted(set((o or {}).get("rulesets", [])) | set((n or {}).get("rulesets", []))):
            if rid in deltas:
                change.causes.add(deltas[rid].key())
                why.append(deltas[rid].text() + _rules_text(rid, o, n))
        if p_old != p_new:
            why.append(f"peildatum {p_old.isoformat()} → {p_new.isoformat()}")
        if not why:
            why.append("zelfde regelsets en peildatum: parameters of feiten gewijzigd")
        change.lines.append("    oorzaak: " + "; ".join(why))
    change.lines.extend(_deadline_lines(old.deadlines, new.deadlines, p_old, p_new))
    if old.answer.get("regie") != new.answer.get("regie"):
        change.lines.append(f"~ regie: {old.answer.get('regie')} → {new.answer.get('regie')}")
    return change


def _instrument_lines(
    o: dict[str, Any] | None, n: dict[str, Any] | None, p_old: date, p_new: date
) -> list[str]:
    # a rule that no longer exists and one that refuses say the same to the user: no change
    if (o is None or o["status"] == "not_eligible") and (
        n is None or n["status"] == "not_eligible"
    ):
        return []
    if o is None and n is not None:
        return [f"+ {n['name']}: nieuw in de regels, {STATUS_NL[n['status']]}{_amounts(n)}"]
    if n is None and o is not None:
        return [f"- {o['name']}: geen regel meer (was: {STATUS_NL[o['status']]}{_amounts(o)})"]
    assert o is not None and n is not None
    name = n["name"]
    if o["status"] != n["status"]:
        was = f"was: {STATUS_NL[o['status']]}{_amounts(o)}"
        if n["status"] == "eligible":
            return [f"+ {name}: komt nu in aanmerking{_amounts(n)} ({was})"]
        if o["status"] == "eligible":
            return [f"- {name}: vervalt, nu {STATUS_NL[n['status']]} ({was})"]
        return [f"~ {name}: {STATUS_NL[o['status']]} → {STATUS_NL[n['status']]}"]
    lines = []
    if _money(o["amounts"], p_old != p_new) != _money(n["amounts"], p_old != p_new):
        lines.append(f"~ {name}: bedrag{_amounts(o, ' ')} →{_amounts(n, ' ')}")
    if o["authority"] != n["authority"]:
        lines.append(f"~ {name}: aanbieder {o['authority']} → {n['authority']}")
    for key in sorted(set(o["params"]) | set(n["params"])):
        if key.endswith("_uiterlijk"):
            continue  # a date: reported with the deadlines
        a, b = o["params"].get(key), n["params"].get(key)
        if not _same(a, b, p_old, p_new):
            lines.append(f"~ {name}: {key} {_value(a)} → {_value(b)}")
    return lines


def _rules_text(rid: str, o: dict[str, Any] | None, n: dict[str, Any] | None) -> str:
    before = [r for r in (o or {}).get("rules", []) if r.split("/")[0] == rid]
    after = [r for r in (n or {}).get("rules", []) if r.split("/")[0] == rid]
    gone = [r for r in before if r not in after]
    if n is None or (gone and not after):
        return f" (regel {', '.join(before)} komt daarin niet meer voor)" if before else ""
    rules = after or before
    return f" (regel {', '.join(rules)})" if rules else ""


def _amounts(e: dict[str, Any], lead: str = ", ") -> str:
    if not e["amounts"]:
        return "" if lead == ", " else " geen"
    shown = [f"{eur(value)} ({period})" for period, value in e["amounts"][:2]]
    more = " …" if len(e["amounts"]) > 2 else ""
    return lead + ", ".join(shown) + more


def _value(v: Any) -> str:
    return "(geen)" if v is None else format_number(v)


def _money(amounts: list[list[Any]], moved: bool) -> list[Any]:
    """Amounts to the cent; their period labels only when the peildatum did not move (the
    month or year an amount is shown for follows the peildatum)."""
    cents = [_cents(value) for _, value in amounts]
    return cents if moved else list(zip([p for p, _ in amounts], cents, strict=True))


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _cents(value: Any) -> Any:
    return round(value * 100) if _number(value) else value


def _same(a: Any, b: Any, p_old: date, p_new: date) -> bool:
    """The same value: equal, equal to the cent (a number) or in the same place relative to
    the peildatum (a date derived from it)."""
    if a == b:
        return True
    if _number(a) and _number(b):
        return _cents(a) == _cents(b)
    da, db = _day(a), _day(b)
    return da is not None and db is not None and _relative(da, p_old) == _relative(db, p_new)


def _day(value: Any) -> date | None:
    if not (isinstance(value, str) and len(value) == 10 and value[4] == value[7] == "-"):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _relative(day: date, peildatum: date) -> tuple[int, int]:
    """A date as (whole months, days) after the peildatum."""
    months = (day.year - peildatum.year) * 12 + day.month - peildatum.month
    months -= day.day < peildatum.day
    return months, (day - add_months(peildatum, months)).days


def _deadline_lines(
    old: list[dict[str, Any]], new: list[dict[str, Any]], p_old: date, p_new: date
) -> list[str]:
    def index(items: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
        return {(d["kind"], d["instrument"] or ""): d for d in items}

    a, b = index(old), index(new)
    lines = []
    for key in [*a, *(k for k in b if k not in a)]:
        x, y = a.get(key), b.get(key)
        if x and not y:
            lines.append(f"- termijn vervalt: {x['label']} ({x['due']})")
        elif y and not x:
            lines.append(f"+ nieuwe termijn: {y['label']} ({y['due']})")
        elif x and y and not _same(x["due"], y["due"], p_old, p_new):
            lines.append(f"~ termijn {y['label']}: {x['due']} → {y['due']}")
    return lines
