"""An arrangement as readable Dutch for an accountmanager, with the derivation and sources."""

from __future__ import annotations

from datetime import date

from engine.arrange.wording import fact_label
from engine.format import format_number
from engine.labels import parameter_label, value_label
from engine.model import Arrangement, Entry, Source

_STATUS = {
    "eligible": "JA",
    "needs_assessment": "NOG TE BEOORDELEN",
    "not_eligible": "nee",
}
_STATUS_NL = {
    "eligible": "komt in aanmerking",
    "needs_assessment": "nog te beoordelen",
    "not_eligible": "komt niet in aanmerking",
}
_CONFLICT = {
    "parameter_mismatch": "verschil in duur/bedrag",
    "eligibility_mismatch": "verschil in toelating",
    "statutory_non_harmonisable": "wettelijk niet te harmoniseren",
    "local_exception": "lokale afwijking van regionale afspraak",
    "stacking": "niet te combineren",
    "cross_region": "twee regio's",
}


def _authority(a: Arrangement, authority: str | None) -> str:
    if authority is None:
        return "—"
    return a.authorities.get(authority, authority)


def _value(v: object) -> str:
    if isinstance(v, str):
        try:
            return format_number(date.fromisoformat(v))
        except ValueError:
            return v
    return format_number(v)


def _params(entry: Entry) -> str:
    return ", ".join(f"{parameter_label(k)}: {_value(v)}" for k, v in sorted(entry.params.items()))


def _source_lines(sources: list[Source]) -> list[str]:
    return [f"      Bron: {s.citation} — {s.href}" for s in sources]


def _entry_lines(a: Arrangement, e: Entry) -> list[str]:
    """One instrument: who, the figures, why, the sources and what was set aside."""
    lines = [f"  • {e.name} — {_authority(a, e.authority)} [{_STATUS[e.status]}]"]
    if e.params:
        lines.append(f"      {_params(e)}")
    for amount in e.amounts:
        lines.append(f"      € {format_number(amount.eur)} ({amount.period}); {amount.basis}")
    if e.status != "eligible" or e.missing_facts:
        lines.append(f"      {e.explanation}")
    else:
        lines.extend(f"      Waarom: {r.explanation}" for r in e.reasons)
    lines.extend(_source_lines(e.sources))
    for sa in e.set_aside:
        lines.append(
            f"      Terzijde: {_authority(a, sa.authority)} ({_STATUS_NL[sa.status]}): {sa.reason}"
        )
    return lines


def render_text(a: Arrangement) -> str:
    lines: list[str] = []
    w, v = a.woongemeente, a.vestigingsgemeente
    lines.append(f"Arrangement op peildatum {a.peildatum:%d-%m-%Y}")
    lines.append(
        f"  Kandidaat woont in {w.naam} ({w.code}); werkgever gevestigd in {v.naam} ({v.code})."
    )
    if a.regie:
        lines.append(f"  Regie: {_authority(a, a.regie)}.")
    if a.illustrative:
        lines.append(
            "  LET OP: (een deel van) de gebruikte regels is illustratief, niet geverifieerd."
        )
    groups = (
        ("Komt in aanmerking", "eligible"),
        ("Nog te beoordelen", "needs_assessment"),
        ("Komt niet in aanmerking", "not_eligible"),
    )
    for title, status in groups:
        entries = [e for e in a.instruments if e.status == status]
        if not entries:
            continue
        lines.append("")
        lines.append(f"{title}:")
        for e in entries:
            lines.extend(_entry_lines(a, e))
    if a.derivation:
        lines.append("")
        lines.append("Zo rekenden de regels:")
        for d in a.derivation:
            value = format_number(d.value) if not isinstance(d.value, str) else value_label(d.value)
            lines.append(f"  {fact_label(d.fact)}: {value}. {d.explanation} ({d.source.citation})")
    if a.conflicts:
        lines.append("")
        lines.append("Verschillen tussen regelsets:")
        for c in a.conflicts:
            what = f" — {c.instrument}" if c.instrument else ""
            lines.append(f"  ! {_CONFLICT[c.type]} ({c.type}){what}: {c.explanation}")
            lines.append(f"      Toegepast: {c.resolution}")
            lines.extend(_source_lines(c.sources))
    if a.missing_facts:
        lines.append("")
        shown = (f"{fact_label(m)} ({m})" for m in a.missing_facts)
        lines.append("Ontbrekende gegevens: " + ", ".join(shown))
    if a.notices:
        lines.append("")
        lines.extend(f"Mededeling: {n}" for n in a.notices)
    lines.append("")
    lines.append("Gebruikte regelsets:")
    for rs in a.rulesets:
        until = rs.valid_to.isoformat() if rs.valid_to else "heden"
        lines.append(
            f"  {rs.id} v{rs.version} ({rs.authority}, {rs.valid_from} t/m {until}, "
            f"{'geverifieerd' if rs.provenance == 'verified' else 'illustratief'}, "
            f"#{rs.content_hash})"
        )
    return "\n".join(lines) + "\n"
