"""The harmonisation report as text, CSV and a self-contained HTML page (Dutch, no network)."""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Iterable
from pathlib import Path

import yaml

from engine.analysis import HarmonisationReport
from engine.analysis.model import MatrixCell, OutcomeDifference
from engine.format import format_number

TYPE_NL = {
    "parameter_mismatch": "andere duur of bedrag",
    "eligibility_mismatch": "wel of niet in aanmerking",
    "statutory_non_harmonisable": "wettelijk niet te harmoniseren",
    "local_exception": "lokale uitzondering op de regionale afspraak",
    "stacking": "niet te combineren",
    "cross_region": "andere regio",
}


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f} %".replace(".", ",")


def _names(report: HarmonisationReport, codes: Iterable[str]) -> str:
    naam = {g.code: g.naam for g in report.gemeenten}
    return ", ".join(naam.get(c, c) for c in codes)


ExampleKey = tuple[str, str, int, str]  # instrument, type, profile, gemeente


def example_files(report: HarmonisationReport, folder: Path) -> dict[ExampleKey, Path]:
    """Write each example placement as YAML, ready for `arrangeur check`."""
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[ExampleKey, Path] = {}
    for d in report.outcome_differences:
        for ex in d.examples:
            for code, placement in ex.placements.items():
                path = folder / f"{d.instrument}-{d.type}-profiel{ex.profile}-{code}.yaml"
                path.write_text(yaml.safe_dump(placement, sort_keys=False), encoding="utf-8")
                written[(d.instrument, d.type, ex.profile, code)] = path
    return written


# ------------------------------------------------------------------------------------ text


def to_text(
    report: HarmonisationReport, examples: dict[tuple[int, str], Path] | None = None
) -> str:
    s = report.summary
    out = [
        f"Harmonisatie in de arbeidsmarktregio {report.region_naam} op "
        f"{report.peildatum.strftime('%d-%m-%Y')}",
        f"Gemeenten: {_names(report, (g.code for g in report.gemeenten))}",
        f"Vergeleken: {report.profiles.count} profielen × {len(report.gemeenten)} gemeenten = "
        f"{report.profiles.checks} checks; werkgever in "
        f"{report.profiles.vestigingsgemeente.naam}.",
        "",
        "Samenvatting",
        f"  Vraag 40 (gemeenten onderling): {s.q40.answer} ({_q40_scope(report)})",
        *(f"    ook waar: {a}" for a in s.q40.also_true),
        f"    geharmoniseerd: {', '.join(s.q40.harmonised_instruments) or 'geen'}; "
        f"niet: {', '.join(s.q40.not_harmonised_instruments) or 'geen'}; "
        f"gelijk door de wet: {', '.join(s.q40.uniform_by_law) or 'geen'}",
        f"  Vraag 42 (gemeenten en UWV): {s.q42.answer}"
        + "".join(
            f"; {a['instrument']}: {_names(report, a['gemeenten'])} volgen UWV in "
            f"{', '.join(a['terms'])}"
            for a in s.q42.aligned
        ),
        f"  Harmonisatie-index regio: {_pct(s.index)}",
        f"  Werkgever kan 'shoppen' bij {s.shopping.profiles_exposed} profielen "
        f"({_pct(s.shopping.share)}); grootste verschil indicatief € {s.shopping.max_gap_eur:.2f} "
        "per jaar".replace(".", ","),
        "",
        "Verschillen in de regels",
    ]
    for d in report.rule_differences:
        out.append(f"  [{d.type}: {TYPE_NL[d.type]}] {d.explanation}")
    if not report.rule_differences:
        out.append("  geen")
    out += ["", "Verschillen in uitkomsten (zelfde profiel, andere woongemeente)"]
    for d in report.outcome_differences:
        out += _difference_text(report, d, examples)
    if not report.outcome_differences:
        out.append("  geen: voor elk profiel geven alle gemeenten dezelfde uitkomst")
    if report.compare_date:
        c = report.compare_date
        out += [
            "",
            f"Veranderd tussen {c.peildatum.strftime('%d-%m-%Y')} en "
            f"{c.compare_date.strftime('%d-%m-%Y')} (index {_pct(c.index_before)} → "
            f"{_pct(c.index_after)})",
        ]
        for m in c.matrix_changes:
            out.append(f"  regels {m['instrument']} bij {m['authority']}: {m['voor']} → {m['na']}")
        for o in c.outcome_changes:
            out.append(
                f"  uitkomst {o['instrument']} in {_names(report, [o['gemeente']])}: "
                f"{o['profiles_affected']} profielen, bv. {o['example']['voor']} → "
                f"{o['example']['na']}"
            )
    if report.compare_region:
        c = report.compare_region
        out += ["", "Vergelijking van regio's"]
        for r in c.regions:
            out.append(
                f"  {r}: index {_pct(c.index[r])}, {c.differences[r]} uitkomstverschillen, "
                f"vraag 40: {c.q40[r]}"
            )
    out += ["", *report.notices]
    return "\n".join(out) + "\n"


def _difference_text(
    report: HarmonisationReport, d: OutcomeDifference, examples: dict | None
) -> list[str]:
    lines = [
        f"  {d.instrument} [{d.type}: {TYPE_NL[d.type]}] {d.profiles_affected} profielen "
        f"({_pct(d.share)}); afwijkend: {_names(report, d.gemeenten)}",
        f"    {d.explanation}",
    ]
    for g in d.groups:
        lines.append(f"    {_names(report, g['gemeenten'])}: {g['uitkomst']}")
    for ex in d.examples[:1]:
        for code in ex.placements:
            where = examples.get((d.instrument, d.type, ex.profile, code)) if examples else None
            cmd = f"arrangeur check {where}" if where else "(bewaar met --examples MAP)"
            lines.append(f"    voorbeeld profiel {ex.profile}, {_names(report, [code])}: {cmd}")
    return lines


# ------------------------------------------------------------------------------------- CSV


def to_csv(report: HarmonisationReport) -> str:
    """One row per instrument and authority: the menukaart, with the outcome deviation added."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(
        ["regio", "peildatum", "instrument", "instantie", "naam", "aangeboden", "via", "status",
         "doelgroep", "voorwaarden", "parameters", "bedragen", "afwijkende_uitkomsten_pct",
         "herkomst", "bronnen"]
    )  # fmt: skip
    for c in report.matrix:
        share = report.heatmap.get(c.instrument, {}).get(c.authority)
        w.writerow(
            [
                report.region,
                report.peildatum.isoformat(),
                c.instrument,
                c.authority,
                c.authority_naam,
                "ja" if c.offered else "nee",
                c.via or "",
                " ".join(c.statuses),
                " ".join(c.doelgroep),
                " | ".join(c.conditions),
                json.dumps(c.params, ensure_ascii=False, default=str) if c.params else "",
                " | ".join(c.amounts),
                "" if share is None else f"{share * 100:.1f}",
                c.provenance or "",
                " | ".join(f"{s.title} {s.article or ''} {s.url}".strip() for s in c.sources),
            ]
        )
    return buf.getvalue()


# ------------------------------------------------------------------------------------ HTML

_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:1200px}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.3rem .5rem;
font-size:.85rem;vertical-align:top}th{background:#f3f3f3;text-align:left}
.heat td.cell{min-width:5.5rem;text-align:center}.muted{color:#777}.note{font-size:.85rem}
.tag{display:inline-block;padding:0 .4rem;border-radius:.3rem;background:#eee;font-size:.8rem}
pre{background:#f7f7f7;padding:.5rem;font-size:.8rem;overflow:auto}
.legend span{display:inline-block;width:1rem;height:1rem;vertical-align:middle;margin:0 .2rem}
"""


def _heat(share: float | None, offered: bool) -> str:
    """White (same as most gemeenten) to red (deviates for many profiles); grey: not offered."""
    if share is None:
        return "#eeeeee"
    if not offered and share == 0:
        return "#f4f4f4"
    strength = min(1.0, share * 4)  # 25 % of profiles deviating is already full red
    g = int(255 - 160 * strength)
    return f"rgb(255,{g},{g})"


def to_html(report: HarmonisationReport) -> str:
    e = html.escape
    s = report.summary
    codes = [g.code for g in report.gemeenten]
    cells = {(c.instrument, c.authority): c for c in report.matrix}
    # instruments a gemeente or region provides; national-only ones (LKV, no-riskpolis) are
    # the same for every resident and are listed below the table
    instruments = [i for i in report.heatmap if any(cells[(i, a)].offered for a in codes)]
    national = [i for i in report.heatmap if i not in instruments and (i, "uwv") in cells]
    national += [
        i for i in report.heatmap if i not in instruments + national and (i, "rijk") in cells
    ]
    rows = []
    for i in instruments:
        tds = []
        for code in codes:
            c: MatrixCell | None = cells.get((i, code))
            share = report.heatmap.get(i, {}).get(code)
            label = _cell_label(c)
            tds.append(
                f'<td class="cell" style="background:{_heat(share, bool(c and c.offered))}" '
                f'title="{e(_pct(share))} van de profielen wijkt af">{e(label)}<br>'
                f'<span class="muted">{e(_pct(share))}</span></td>'
            )
        others = [cells.get((i, a)) for a in ("uwv",) if (i, a) in cells]
        uwv = _cell_label(others[0]) if others else "—"
        rows.append(
            f"<tr><th>{e(i)}</th>{''.join(tds)}<td>{e(uwv)}</td>"
            f"<td>{e(_pct(s.index_per_instrument.get(i)))}</td></tr>"
        )
    head = "".join(
        f"<th>{e(g.naam)}<br><span class='muted'>{g.code}</span></th>" for g in report.gemeenten
    )
    diffs = "".join(_difference_html(report, d) for d in report.outcome_differences) or (
        "<p>Geen verschillen: voor elk profiel geven alle gemeenten dezelfde uitkomst.</p>"
    )
    rules = (
        "".join(
            f"<li><span class='tag'>{e(TYPE_NL[d.type])}</span> {e(d.explanation)}</li>"
            for d in report.rule_differences
        )
        or "<li>geen</li>"
    )
    compare = _compare_html(report)
    summary = "".join(
        f"<tr><th>{e(q)}</th><td>{e(a)}</td></tr>"
        for q, a in (
            ("Vraag 40: hebben de gemeenten hun instrumenten onderling geharmoniseerd?",
             f"{s.q40.answer} ({_q40_scope(report)})"),
            ("Vraag 42: hebben gemeenten en UWV hun instrumenten op enigerlei wijze "
             "geharmoniseerd?", s.q42.answer),
            ("Harmonisatie-index van de regio", _pct(s.index)),
            ("Werkgever kan 'shoppen' tussen gemeenten",
             f"{s.shopping.profiles_exposed} profielen ({_pct(s.shopping.share)}), grootste "
             f"verschil indicatief € {s.shopping.max_gap_eur:.2f} per jaar".replace(".", ",")),
        )
    )  # fmt: skip
    notices = "".join(f"<li>{e(n)}</li>" for n in report.notices)
    return f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8">
<title>Harmonisatie {e(report.region_naam)} {report.peildatum.isoformat()}</title>
<style>{_CSS}</style></head><body>
<h1>Harmonisatie van instrumenten in de arbeidsmarktregio {e(report.region_naam)}</h1>
<p>Peildatum {report.peildatum.strftime("%d-%m-%Y")}.
{report.profiles.count} profielen per gemeente, werkgever in
{e(report.profiles.vestigingsgemeente.naam)}: alleen de woongemeente van de kandidaat
verschilt ({report.profiles.checks} checks).</p>
<h2>Samenvatting</h2>
<table>
{summary}
</table>
<h2>Heatmap: instrument × gemeente</h2>
<p class="legend note">Elke cel: wat inwoners van die gemeente krijgen en het aandeel
profielen waarvoor de uitkomst afwijkt van de meeste gemeenten:
<span style="background:#fff;border:1px solid #ccc"></span> gelijk
<span style="background:rgb(255,175,175)"></span> wijkt af
<span style="background:rgb(255,95,95)"></span> wijkt sterk af.</p>
<table class="heat"><tr><th>instrument</th>{head}<th>UWV</th><th>index</th></tr>
{"".join(rows)}</table>
<h2>Verschillen in de regels</h2><ul>{rules}</ul>
<h2>Verschillen in uitkomsten</h2>{diffs}
{compare}
<h2>Mededelingen</h2><ul class="note">{notices}</ul>
</body></html>
"""


def _q40_scope(report: HarmonisationReport) -> str:
    n, total = len(report.summary.q40.gemeenten), len(report.gemeenten)
    return f"berekend over {n} van {total} gemeenten met een eigen regelset"


def _cell_label(c: MatrixCell | None) -> str:
    """Short: the status and the numeric terms; the full conditions are in JSON and CSV."""
    if c is None or not c.rules:
        return "niet aangeboden"
    if not c.offered:
        return "uitgesloten"
    word = "op beoordeling" if c.statuses == ["needs_assessment"] else "ja"
    if c.via and c.via.startswith("landelijk kader"):
        return f"{word}, landelijk kader"
    terms = ", ".join(
        f"{k.replace('_', ' ')} {format_number(v)}"
        for k, v in c.params.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    )
    return f"{word}{' (' + terms + ')' if terms else ''}"


def _difference_html(report: HarmonisationReport, d: OutcomeDifference) -> str:
    e = html.escape
    groups = "".join(
        f"<tr><td>{e(_names(report, g['gemeenten']))}</td><td>{e(g['uitkomst'])}</td></tr>"
        for g in d.groups
    )
    examples = ""
    for ex in d.examples[:2]:
        for code, placement in ex.placements.items():
            text = yaml.safe_dump(placement, sort_keys=False, allow_unicode=True)
            examples += (
                f"<details><summary>Voorbeeld profiel {ex.profile}, {e(_names(report, [code]))}: "
                f"{e(ex.outcomes.get(code, ''))}</summary><pre>{e(text)}</pre>"
                "<p class='note'>Bewaar als plaatsing.yaml en draai <code>arrangeur check "
                "plaatsing.yaml</code>.</p></details>"
            )
    return (
        f"<h3>{e(d.instrument)} <span class='tag'>{e(TYPE_NL[d.type])}</span></h3>"
        f"<p>{e(d.explanation)} Afwijkend: {e(_names(report, d.gemeenten))}; "
        f"{d.profiles_affected} profielen ({e(_pct(d.share))}).</p>"
        f"<table><tr><th>gemeenten</th><th>uitkomst (voorbeeld)</th></tr>{groups}</table>{examples}"
    )


def _compare_html(report: HarmonisationReport) -> str:
    e = html.escape
    out = ""
    if report.compare_date:
        c = report.compare_date
        items = "".join(
            f"<li>regels {e(m['instrument'])} bij {e(m['authority'])}: {e(m['voor'])} → "
            f"{e(m['na'])}</li>"
            for m in c.matrix_changes
        ) + "".join(
            f"<li>uitkomst {e(o['instrument'])} in {e(_names(report, [o['gemeente']]))}: "
            f"{o['profiles_affected']} profielen (bv. {e(o['example']['voor'])} → "
            f"{e(o['example']['na'])})</li>"
            for o in c.outcome_changes
        )
        out += (
            f"<h2>Veranderd tussen {c.peildatum.strftime('%d-%m-%Y')} en "
            f"{c.compare_date.strftime('%d-%m-%Y')}</h2><p>Index {e(_pct(c.index_before))} → "
            f"{e(_pct(c.index_after))}</p><ul>{items or '<li>niets</li>'}</ul>"
        )
    if report.compare_region:
        c = report.compare_region
        rows = "".join(
            f"<tr><td>{e(r)}</td><td>{e(_pct(c.index[r]))}</td><td>{c.differences[r]}</td>"
            f"<td>{e(c.q40[r])}</td><td>{e(c.q42[r])}</td></tr>"
            for r in c.regions
        )
        out += (
            "<h2>Vergelijking van regio's</h2><table><tr><th>regio</th><th>index</th>"
            f"<th>uitkomstverschillen</th><th>vraag 40</th><th>vraag 42</th></tr>{rows}</table>"
        )
    return out
