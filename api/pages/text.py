"""A trajectory as Dutch text for the terminal: phases, months, years, deadlines, choices, gaps."""

from __future__ import annotations

from api.pages.summary import eur, nl_date
from engine.trajectory.model import Trajectory


def render_trajectory_text(t: Trajectory) -> str:
    label = t.authorities.get
    lines = [
        f"Traject {t.woongemeente} → {t.vestigingsgemeente}, {t.horizon_months} maanden vanaf "
        f"{nl_date(t.start)} (regie: {label(t.regie or '', t.regie or '—')})",
        "",
        "Fasen",
    ]
    lines += [
        f"  {p.phase:15} {nl_date(p.start)} t/m {nl_date(p.end)}  {p.explanation}" for p in t.phases
    ]
    lines += ["", "Per maand (loonkosten − subsidies = netto; instrumenten)"]
    for m in t.months:
        parts = ", ".join(
            f"{x.name} {eur(x.eur)}" if x.eur else f"{x.name} ({x.kind})" for x in m.instruments
        )
        lines.append(
            f"  {m.month} {m.phase:14} {eur(m.employer_wage_cost_eur):>12} − "
            f"{eur(m.employer_subsidies_eur):>11} = {eur(m.employer_net_cost_eur):>12}  {parts}"
        )
    lines += ["", "Per jaar"]
    for y in [*t.years, t.total]:
        funders = ", ".join(f"{label(f, f)} {eur(v)}" for f, v in y.funders.items())
        lines.append(
            f"  {y.period:7} ({y.months:2} mnd) loonkosten {eur(y.employer_wage_cost_eur)}, "
            f"subsidies {eur(y.employer_subsidies_eur)}, netto {eur(y.employer_net_cost_eur)}"
            + (f"; per financier: {funders}" if funders else "")
        )
    lines += ["", "Termijnen en verplichtingen"]
    lines += [f"  {nl_date(o.date)}  {o.what}" for o in t.obligations if not o.expired] or ["  —"]
    past = [o for o in t.obligations if o.expired]
    if past:
        lines += ["", f"Al voorbij op {nl_date(t.made_on)} (de dag van dit advies)"]
        lines += [f"  {nl_date(o.date)}  {o.what}" for o in past]
    lines += ["", "Alternatieven"]
    for a in t.alternatives:
        cost = (
            f" netto {eur(a.employer_net_cost_eur)}" if a.employer_net_cost_eur is not None else ""
        )
        lines.append(f"  [{a.choice}] {a.option}{cost}{' ← goedkoopst' if a.best else ''}")
        lines.append(f"      {a.explanation}")
    if not t.alternatives:
        lines.append("  — (de regels laten hier geen keuze)")
    lines += ["", "Tekorten"]
    for g in t.gaps:
        lines.append(f"  [{g.kind.replace('_', ' ')}] {g.months[0]} t/m {g.months[-1]}: {g.what}")
        lines += [f"      mogelijk: {label(s.authority, s.authority)} — {s.why}" for s in g.streams]
    if not t.gaps:
        lines.append("  —")
    lines += ["", "Aannames"] + [f"  - {a}" for a in t.assumptions]
    if t.notices:
        lines += ["", "Mededelingen"] + [f"  - {n}" for n in t.notices]
    return "\n".join(lines) + "\n"
