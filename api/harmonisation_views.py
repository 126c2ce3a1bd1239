"""The harmonisation report as text, CSV and a self-contained HTML page (Dutch, no network)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path

import yaml

from engine.analysis import HarmonisationReport
from engine.analysis.model import MatrixCell, OutcomeDifference, Summary
from engine.analysis.wording import param_label, shopping_text
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


def _index_text(s: Summary) -> str:
    return f"onbekend ({s.index_reason})" if s.index is None and s.index_reason else _pct(s.index)


def _instruments(report: HarmonisationReport, ids: Iterable[str]) -> str:
    """Instruments by their names, not their keys."""
    return ", ".join(report.instrument_names.get(i, i) for i in ids)


def _shopping(report: HarmonisationReport) -> str:
    differing = [
        report.instrument_names.get(d.instrument, d.instrument)
        for d in report.outcome_differences
        if d.type != "statutory_non_harmonisable"
    ]
    return shopping_text(
        report.summary.shopping, report.profiles.count, list(dict.fromkeys(differing))
    )


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
    out = [*_summary_text(report), "", "Verschillen in de regels"]
    for d in report.rule_differences:
        out.append(f"  [{TYPE_NL[d.type]}] {d.explanation}")
    if not report.rule_differences:
        out.append("  geen")
    out += ["", "Verschillen in uitkomsten (zelfde profiel, andere woongemeente)"]
    for d in report.outcome_differences:
        out += _difference_text(report, d, examples)
    if not report.outcome_differences:
        out.append("  geen: voor elk profiel geven alle gemeenten dezelfde uitkomst")
    out += _comparisons_text(report)
    out += ["", *report.notices]
    return "\n".join(out) + "\n"


def _summary_text(report: HarmonisationReport) -> list[str]:
    s = report.summary
    return [
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
        f"    geharmoniseerd: {_instruments(report, s.q40.harmonised_instruments) or 'geen'}; "
        f"niet: {_instruments(report, s.q40.not_harmonised_instruments) or 'geen'}; "
        f"gelijk door de wet: {_instruments(report, s.q40.uniform_by_law) or 'geen'}",
        f"  Vraag 42 (gemeenten en UWV): {_q42_text(report)}",
        f"  Harmonisatie-index regio: {_index_text(s)}",
        f"  Kan de werkgever 'shoppen' tussen gemeenten? {_shopping(report)}",
    ]


def _q42_text(report: HarmonisationReport) -> str:
    s = report.summary
    return s.q42.answer + "".join(
        f"; {_instruments(report, [a['instrument']])}: {_names(report, a['gemeenten'])} volgen "
        f"UWV in {', '.join(param_label(t) for t in a['terms'])}"
        for a in s.q42.aligned
    )


def _comparisons_text(report: HarmonisationReport) -> list[str]:
    """The comparison with another peildatum and with other regions, when asked for."""
    out: list[str] = []
    if report.compare_date:
        c = report.compare_date
        out += [
            "",
            f"Veranderd tussen {c.peildatum.strftime('%d-%m-%Y')} en "
            f"{c.compare_date.strftime('%d-%m-%Y')} (index {_pct(c.index_before)} → "
            f"{_pct(c.index_after)})",
        ]
        for m in c.matrix_changes:
            out.append(
                f"  regels {_instruments(report, [m['instrument']])} bij "
                f"{report.authorities.get(m['authority'], m['authority'])}: {m['voor']} → {m['na']}"
            )
        for o in c.outcome_changes:
            out.append(
                f"  uitkomst {_instruments(report, [o['instrument']])} in "
                f"{_names(report, [o['gemeente']])}: "
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
    return out


def _difference_text(
    report: HarmonisationReport, d: OutcomeDifference, examples: dict | None
) -> list[str]:
    lines = [
        f"  {_instruments(report, [d.instrument])} [{TYPE_NL[d.type]}] "
        f"{d.profiles_affected} profielen ({_pct(d.share)}); afwijkend: "
        f"{_names(report, d.gemeenten)}",
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
    buf.write("\ufeff")  # Dutch Excel: a byte-order mark to read UTF-8, ";" between fields
    w = csv.writer(buf, delimiter=";")
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
                "" if share is None else f"{share * 100:.1f}".replace(".", ","),
                c.provenance or "",
                " | ".join(f"{s.citation} {s.href}" for s in c.sources),
            ]
        )
    return buf.getvalue()


# ------------------------------------------------------------------------------------ HTML


def _heat(share: float | None, offered: bool) -> str:
    """White (same as most gemeenten) to red (deviates for many profiles); grey: not offered."""
    if share is None:
        return "#eeeeee"
    if not offered and share == 0:
        return "#f4f4f4"
    strength = min(1.0, share * 4)  # 25 % of profiles deviating is already full red
    g = int(255 - 160 * strength)
    return f"rgb(255,{g},{g})"


def to_html(report: HarmonisationReport, form_url: str | None = None) -> str:
    """The report as one self-contained page (templates/harmonisation.html). With `form_url`
    (the web pages), each example placement links to the placement form, prefilled."""
    from api.pages.templating import render

    return render(
        "harmonisation.html",
        r=report,
        summary=_summary_rows(report),
        rows=_heat_rows(report),
        rule_differences=[(TYPE_NL[d.type], d.explanation) for d in report.rule_differences],
        differences=[_difference_html(report, d, form_url) for d in report.outcome_differences],
        compare=_compare(report),
        web=form_url is not None,
    )


def _heat_rows(report: HarmonisationReport) -> list[dict]:
    """The heatmap: one row per instrument a gemeente or region provides, one cell per
    gemeente. National-only ones (LKV, no-riskpolis) are the same for every resident and are
    listed below the table."""
    s = report.summary
    codes = [g.code for g in report.gemeenten]
    cells = {(c.instrument, c.authority): c for c in report.matrix}
    instruments = [i for i in report.heatmap if any(cells[(i, a)].offered for a in codes)]
    rows = []
    for i in instruments:
        row = []
        for code in codes:
            c: MatrixCell | None = cells.get((i, code))
            share = report.heatmap.get(i, {}).get(code)
            row.append(
                {
                    "colour": _heat(share, bool(c and c.offered)),
                    "label": _cell_label(c),
                    "share": _pct(share),
                }
            )
        uwv = _cell_label(cells[(i, "uwv")]) if (i, "uwv") in cells else "—"
        rows.append(
            {"instrument": report.instrument_names.get(i, i), "cells": row, "uwv": uwv,
             "index": _pct(s.index_per_instrument.get(i))}
        )  # fmt: skip
    return rows


def _difference_html(
    report: HarmonisationReport, d: OutcomeDifference, form_url: str | None
) -> dict:
    from api.pages.placement_form import flatten, query

    examples = []
    for ex in d.examples[:2]:
        for code, placement in ex.placements.items():
            examples.append(
                {
                    "profile": ex.profile,
                    "gemeente": _names(report, [code]),
                    "outcome": ex.outcomes.get(code, ""),
                    "yaml": yaml.safe_dump(placement, sort_keys=False, allow_unicode=True),
                    "href": f"{form_url}?{query(flatten(placement))}" if form_url else "",
                }
            )
    return {
        "d": d,
        "name": report.instrument_names.get(d.instrument, d.instrument),
        "type_nl": TYPE_NL[d.type],
        "gemeenten": _names(report, d.gemeenten),
        "share": _pct(d.share),
        "groups": [(_names(report, g["gemeenten"]), g["uitkomst"]) for g in d.groups],
        "examples": examples,
    }


def _summary_rows(report: HarmonisationReport) -> tuple[tuple[str, str], ...]:
    s = report.summary
    return (
        ("Vraag 40: hebben de gemeenten hun instrumenten onderling geharmoniseerd?",
         f"{s.q40.answer} ({_q40_scope(report)})"),
        ("Vraag 42: hebben gemeenten en UWV hun instrumenten op enigerlei wijze "
         "geharmoniseerd?", _q42_text(report)),
        ("Harmonisatie-index van de regio", _index_text(s)),
        ("Kan de werkgever 'shoppen' tussen gemeenten?", _shopping(report)),
    )  # fmt: skip


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
        f"{param_label(k)} {format_number(v)}"
        for k, v in c.params.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    )
    return f"{word}{' (' + terms + ')' if terms else ''}"


def _compare(report: HarmonisationReport) -> dict:
    """The comparisons with another date and other regions, as lines and rows for the page."""
    out: dict = {}
    if report.compare_date:
        c = report.compare_date
        out["date"] = {
            "title": f"Veranderd tussen {c.peildatum.strftime('%d-%m-%Y')} en "
            f"{c.compare_date.strftime('%d-%m-%Y')}",
            "index": f"Index {_pct(c.index_before)} → {_pct(c.index_after)}",
            "items": [
                f"regels {_instruments(report, [m['instrument']])} bij "
                f"{report.authorities.get(m['authority'], m['authority'])}: "
                f"{m['voor']} → {m['na']}"
                for m in c.matrix_changes
            ]
            + [
                f"uitkomst {_instruments(report, [o['instrument']])} in "
                f"{_names(report, [o['gemeente']])}: {o['profiles_affected']} profielen "
                f"(bv. {o['example']['voor']} → {o['example']['na']})"
                for o in c.outcome_changes
            ],
        }
    if report.compare_region:
        c = report.compare_region
        out["regions"] = [
            (r, _pct(c.index[r]), c.differences[r], c.q40[r], c.q42[r]) for r in c.regions
        ]
    return out
