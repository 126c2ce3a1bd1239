"""A re-check's report: per placement what changed and why, and the rule sets that moved."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine.caseload.changes import PlacementChange, RulesetDelta


@dataclass
class RulesetUse:
    delta: RulesetDelta
    used_by: list[str] = field(default_factory=list)  # placements whose answer used it
    affected: list[str] = field(default_factory=list)  # ... and whose answer changed by it


@dataclass
class RecheckReport:
    when: date | None
    saved: bool
    changes: list[PlacementChange]
    rulesets: list[RulesetUse]

    @property
    def changed(self) -> list[PlacementChange]:
        return [c for c in self.changes if c.changed]

    def text(self) -> str:
        when = f"peildatum {self.when.isoformat()}" if self.when else "de eigen peildatum"
        out = [f"Herbeoordeling van {len(self.changes)} plaatsing(en) op {when}:"]
        for c in self.changes:
            moved, old, new = "", c.peildatum_old.isoformat(), c.peildatum_new.isoformat()
            if old != new and c.changed:
                moved = f" (peildatum {old} → {new})"
            elif old != new:  # kept: the re-check's date is not stored
                moved = f" (beoordeeld op {new}; peildatum {old} blijft)"
            out.append(f"{c.ref}: {'gewijzigd' if c.changed else 'ongewijzigd'}{moved}")
            out.extend(f"  {line}" for line in c.lines)
        if self.rulesets:
            out.append("")
            out.append("Regelsets anders dan bij de vorige beoordeling:")
            for use in self.rulesets:
                affected = ", ".join(use.affected) if use.affected else "geen"
                out.append(
                    f"  {use.delta.text()}: gebruikt door {len(use.used_by)} plaatsing(en); "
                    f"uitkomst daardoor gewijzigd bij {len(use.affected)}: {affected}"
                )
        out.append("")
        n = len(self.changed)
        tail = "opgeslagen" if self.saved else "niet opgeslagen (proefrun)"
        out.append(
            f"{len(self.changes)} plaatsing(en): {n} gewijzigd, {len(self.changes) - n} "
            f"ongewijzigd; {tail}."
        )
        return "\n".join(out) + "\n"

    def as_dict(self) -> dict[str, Any]:
        return {
            "peildatum": self.when.isoformat() if self.when else None,
            "saved": self.saved,
            "placements": [
                {
                    "ref": c.ref,
                    "changed": c.changed,
                    "peildatum_old": c.peildatum_old.isoformat(),
                    "peildatum_new": c.peildatum_new.isoformat(),
                    "lines": c.lines,
                }
                for c in self.changes
            ],
            "rulesets": [
                {
                    "id": u.delta.id,
                    "old": u.delta.old,
                    "new": u.delta.new,
                    "text": u.delta.text(),
                    "used_by": u.used_by,
                    "affected": u.affected,
                }
                for u in self.rulesets
            ],
        }
