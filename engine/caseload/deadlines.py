"""The dates that follow from a check's answer, each with the rule and text it comes from.

Nothing here knows a legal term of its own: every date is read from the answer's fields (a
parameter the rule gives, such as `doelgroepverklaring_uiterlijk` = start + 3 months, Wtl
art. 2.3 lid 1; or a term in years or months the rule gives) or from the placement's own facts
(the contract's end). An instrument that is not eligible gives no dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypedDict

from engine.caseload.answer import Answer, source_text
from engine.dates import add_months, iso_date
from engine.proefplaatsing import INSTRUMENT as PROEFPLAATSING
from engine.proefplaatsing import proefplaatsing_period

# parameters whose value is a date (`..._uiterlijk`) and how they read; others get their name
DATE_LABELS = {
    "doelgroepverklaring_uiterlijk": "Doelgroepverklaring aanvragen (uiterlijk)",
    "loonwaarde_vaststellen_uiterlijk": "Loonwaarde vaststellen (uiterlijk)",
}


class _Cite(TypedDict):
    """Where a deadline comes from: the rule and its source."""

    rule: str | None
    source: str
    source_url: str | None


@dataclass(frozen=True)
class Deadline:
    kind: str
    instrument: str | None
    due: date
    label: str
    rule: str | None
    source: str
    source_url: str | None

    def key(self) -> tuple[str, str]:
        return (self.kind, self.instrument or "")

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "instrument": self.instrument,
            "due": self.due.isoformat(),
            "label": self.label,
            "rule": self.rule,
            "source": self.source,
            "source_url": self.source_url,
        }


def _application(e: dict[str, Any], instrument: str, cite: _Cite) -> Deadline | None:
    """The deadline of the answer's `aanvraag` (where to apply, the text that sets it); kept under
    the key of the rules' `doelgroepverklaring_uiterlijk` when that is the same date, so a stored
    deadline and its calendar entry keep their identity."""
    found = e.get("aanvraag")
    day = iso_date(found["date"]) if found else None
    if found is None or day is None:
        return None
    same = e["params"].get("doelgroepverklaring_uiterlijk") == found["date"]
    src = found.get("source")
    label = (
        f"{DATE_LABELS['doelgroepverklaring_uiterlijk']}: {e['name']}. {found['where']}"
        if same
        else f"{e['name']} aanvragen (uiterlijk): {found['text']} {found['where']}"
    ).strip()
    return Deadline(
        "doelgroepverklaring_uiterlijk" if same else "aanvraag_uiterlijk",
        instrument,
        day,
        label,
        cite["rule"],
        source_text(src) if src else cite["source"],
        src["url"] if src else cite["source_url"],
    )


def derive(answer: Answer, facts: dict[str, Any]) -> list[Deadline]:
    start = date.fromisoformat(facts["job"]["startdatum"])
    out: list[Deadline] = []
    for instrument, e in answer["instruments"].items():
        if e["status"] != "eligible":
            continue
        src = e.get("source")
        cite: _Cite = {
            "rule": e["rules"][0] if e["rules"] else None,
            "source": source_text(src),
            "source_url": src["url"] if src else None,
        }
        params, name = e["params"], e["name"]
        applied = _application(e, instrument, cite)
        if applied is not None:
            out.append(applied)
        for key, value in params.items():
            if applied is not None and key == applied.kind:
                continue  # the same date, said with how to apply and its own source
            day = iso_date(value) if isinstance(value, str) else None
            if key.endswith("_uiterlijk") and day is not None:
                label = DATE_LABELS.get(key, key.replace("_", " ").capitalize())
                out.append(Deadline(key, instrument, day, f"{label}: {name}", **cite))
        years = _number(params.get("max_duur_jaren"))
        if years is not None:
            # the last day of a term of N years from the start (the rules count it the same way:
            # `peildatum >= add_months(job.startdatum, 36)` is the first day it has run out)
            due = add_months(start, round(years * 12)) - timedelta(days=1)
            more = ", verlenging mogelijk" if params.get("verlenging_mogelijk") is True else ""
            text = f"Laatste dag {name} (ten hoogste {_n(years)} jaar vanaf de startdatum{more})"
            end = params.get("einddatum")  # the rule's own end: the law's end date, AOW age
            end_day = iso_date(end) if isinstance(end, str) else None
            if end_day is not None and end_day < due:
                due = end_day
                text = (
                    f"Laatste dag {name} (volgens de regel; de termijn van {_n(years)} jaar "
                    "zou later aflopen)"
                )
            out.append(Deadline("einde_termijn", instrument, due, text, **cite))
        months = _number(params.get("duur_maanden"))
        if months is not None and instrument == PROEFPLAATSING:
            # it precedes the dienstbetrekking: the N months before the start
            first, last = proefplaatsing_period(start, round(months))
            before = f"{_n(months)} maanden vóór de startdatum van de dienstbetrekking"
            out.append(
                Deadline("begin_duur", instrument, first, f"Begin {name} ({before})", **cite)
            )
            text = f"Laatste dag {name} (de dag vóór de startdatum van de dienstbetrekking)"
            out.append(Deadline("einde_duur", instrument, last, text, **cite))
        elif months is not None:
            due = add_months(start, round(months)) - timedelta(days=1)
            text = f"Laatste dag {name} ({_n(months)} maanden, gerekend vanaf de startdatum)"
            out.append(Deadline("einde_duur", instrument, due, text, **cite))
        longest = _number(params.get("max_duur_maanden"))
        if longest is not None and instrument != PROEFPLAATSING:  # an extension starts it earlier
            due = add_months(start, round(longest)) - timedelta(days=1)
            text = f"Laatste dag {name} bij verlenging (ten hoogste {_n(longest)} maanden)"
            out.append(Deadline("einde_verlenging", instrument, due, text, **cite))
        if params.get("herbeoordeling_loonwaarde") == "jaarlijks":
            text = f"Loonwaarde opnieuw vaststellen (jaarlijks): {name}"
            out.append(Deadline("herbeoordeling_loonwaarde", instrument, add_months(start, 12),
                                text, **cite))  # fmt: skip
    contract = _number(facts["job"].get("contract_maanden"))
    if contract and contract == int(contract):
        out.append(
            Deadline(
                "einde_contract",
                None,
                add_months(start, int(contract)) - timedelta(days=1),
                f"Laatste dag contract ({_n(contract)} maanden)",
                None,
                "plaatsing: job.startdatum en job.contract_maanden",
                None,
            )
        )
    return sorted(out, key=lambda d: (d.due, d.kind, d.instrument or ""))


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _n(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value).replace(".", ",")


def mark_expired(rows: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """Stored deadlines (`due` as JJJJ-MM-DD) with `verlopen`: the date lies before `today`, so
    it can no longer be met and must not read as a task still open."""
    return [{**d, "verlopen": date.fromisoformat(d["due"]) < today} for d in rows]
