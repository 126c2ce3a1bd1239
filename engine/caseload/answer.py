"""What the caseload keeps of a check: the answer's fields a user relies on, in JSON form.

Kept: per instrument its status, provider, parameters, amounts, the rules that decided and
the text they cite; the regie and missing facts; the rule-set versions with their content
hashes. Not kept: the explanation prose, which the engine writes again on every check.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from typing import Any

from engine.model import Arrangement, Source

Answer = dict[str, Any]
Rulesets = dict[str, dict[str, str]]


def summarize(arrangement: Arrangement) -> tuple[Answer, Rulesets]:
    """The fields kept, as JSON values (a fresh answer equals one read back from the database);
    read from the model directly: dumping the whole arrangement costs more than the check."""
    instruments = {}
    for e in arrangement.instruments:
        reasons = e.reasons
        instruments[e.instrument] = {
            "name": e.name,
            "status": e.status,
            "authority": e.authority,
            "params": {k: _json(v) for k, v in e.params.items()},
            "amounts": [[a.period, _json(a.eur)] for a in e.amounts],
            "rules": [r.rule for r in reasons],
            "rulesets": sorted({r.ruleset.split("@")[0] for r in reasons}),
            "source": _source(reasons[0].source) if reasons else None,
        }
        deadline = e.aanvraag.deadline if e.aanvraag is not None else None
        if deadline is not None and deadline.date is not None:  # how to apply: its deadline
            instruments[e.instrument]["aanvraag"] = {
                "date": deadline.date,
                "text": deadline.text,
                "where": e.aanvraag.where.text if e.aanvraag is not None else "",
                "source": _source(deadline.source) if deadline.source else None,
            }
    answer = {
        "peildatum": arrangement.peildatum.isoformat(),
        "regie": arrangement.regie,
        "instruments": instruments,
        "missing_facts": list(arrangement.missing_facts),
    }
    rulesets = {
        rs.id: {"version": rs.version, "content_hash": rs.content_hash}
        for rs in arrangement.rulesets
    }
    return answer, rulesets


def answer_hash(answer: Answer, rulesets: Rulesets, deadlines: list[dict[str, Any]]) -> str:
    """A fingerprint of what the caseload stores for one check: equal fingerprints, equal
    answer, rule-set versions and deadlines (a re-check then compares nothing further).

    Canonical JSON: keys sorted, deadlines in a fixed order (they are stored without one), so a
    fresh answer and the same one read back from the database give the same hash."""
    text = json.dumps(
        [answer, rulesets, sorted(json.dumps(d, sort_keys=True) for d in deadlines)],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _json(value: Any) -> Any:
    """A parameter's value as JSON reads it back: dates as text, decimals as floats."""
    if isinstance(value, bool | str | int | float) or value is None:
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json(v) for v in value]
    return str(value)


def _source(src: Source) -> dict[str, Any]:
    return {
        "title": src.title,
        "article": src.article,
        "url": src.href,  # the deep link where there is one: what a deadline links to
        "citation": src.citation,
    }


def source_text(src: dict[str, Any] | None) -> str:
    if not src:
        return ""
    if src.get("citation"):  # answers stored before citations were structured have none
        return str(src["citation"])
    return f"{src['title']}, {src['article']}" if src.get("article") else src["title"]
