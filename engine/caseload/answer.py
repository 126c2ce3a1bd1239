"""What the caseload keeps of a check: the answer's fields a user relies on, in JSON form.

Kept: per instrument its status, provider, parameters, amounts, the rules that decided and
the text they cite; the regie and missing facts; the rule-set versions with their content
hashes. Not kept: the explanation prose, which the engine writes again on every check.
"""

from __future__ import annotations

import json
from typing import Any

from engine.model import Arrangement

Answer = dict[str, Any]
Rulesets = dict[str, dict[str, str]]


def summarize(arrangement: Arrangement) -> tuple[Answer, Rulesets]:
    data = arrangement.model_dump(
        mode="json",
        include={"peildatum", "regie", "instruments", "missing_facts", "rulesets"},
    )
    instruments = {}
    for e in data["instruments"]:
        reasons = e["reasons"]
        instruments[e["instrument"]] = {
            "name": e["name"],
            "status": e["status"],
            "authority": e["authority"],
            "params": e["params"],
            "amounts": [[a["period"], a["eur"]] for a in e["amounts"]],
            "rules": [r["rule"] for r in reasons],
            "rulesets": sorted({r["ruleset"].split("@")[0] for r in reasons}),
            "source": _source(reasons[0]["source"]) if reasons else None,
        }
    answer = {
        "peildatum": data["peildatum"],
        "regie": data["regie"],
        "instruments": instruments,
        "missing_facts": data["missing_facts"],
    }
    rulesets = {
        rs["id"]: {"version": rs["version"], "content_hash": rs["content_hash"]}
        for rs in data["rulesets"]
    }
    # through JSON once, so a fresh answer compares equal to one read back from the database
    return json.loads(json.dumps(answer)), json.loads(json.dumps(rulesets))


def _source(src: dict[str, Any]) -> dict[str, Any]:
    return {"title": src["title"], "article": src.get("article"), "url": src["url"]}


def source_text(src: dict[str, Any] | None) -> str:
    if not src:
        return ""
    return f"{src['title']}, {src['article']}" if src.get("article") else src["title"]
