"""Citations a machine can follow: refused without article or text date, Dutch text, deep links,
and every shipped rule cites an identified text on a date."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from pypdf import PdfReader

from api.cli import main
from engine.citations import citation_text, deep_link, resolves
from tests.conftest import ROOT, problems

CITE = 'source: {ref: t, article: "4", text_date: 2020-01-01}'


def edit(file: Path, old: str, new: str) -> int:
    """Replace the first `old`; the 1-based line it is on."""
    text = file.read_text()
    assert old in text, old
    file.write_text(text.replace(old, new, 1))
    return text[: text.index(old)].count("\n") + 1


def test_a_source_without_text_date_is_refused_with_file_line_and_rule(rules):
    file = rules / "uwv" / "uwv.yaml"
    line = edit(file, CITE, 'source: {ref: t, article: "4"}')
    (msg,) = problems(rules)
    assert msg.startswith(f"{file}:{line} [uwv-test/")
    assert "bron zonder tekstdatum (text_date, JJJJ-MM-DD)" in msg


def test_a_source_without_article_is_refused_in_dutch(rules):
    file = rules / "uwv" / "uwv.yaml"
    line = edit(file, CITE, "source: {ref: t, text_date: 2020-01-01}")
    (msg,) = problems(rules)
    assert msg.startswith(f"{file}:{line} [uwv-test/")
    assert "bron zonder artikel (article)" in msg


def test_a_law_cited_by_free_text_instead_of_an_article_is_refused(rules):
    file = rules / "uwv" / "uwv.yaml"
    edit(
        file,
        "t: {title: Testwet, url: https://example.org/testwet}",
        "t: {title: Testwet, bwb: BWBR0015703}",
    )
    line = edit(file, CITE, 'source: {ref: t, article: "art. 4 lid 1", text_date: 2020-01-01}')
    found = problems(rules)
    assert any(
        m.startswith(f"{file}:{line} [uwv-test/")
        and "artikel 'art. 4 lid 1' verwijst niet naar een artikel van Testwet" in m
        for m in found
    ), found


def test_a_text_date_that_does_not_exist_is_refused(rules):
    file = rules / "uwv" / "uwv.yaml"
    line = edit(file, CITE, 'source: {ref: t, article: "4", text_date: "2020-02-30"}')
    (msg,) = problems(rules)
    assert msg.startswith(f"{file}:{line} [uwv-test/") and "2020-02-30" in msg


def test_citation_in_dutch():
    assert (
        citation_text(title="Participatiewet", article="10d", lid="4", text_date=date(2025, 1, 1))
        == "Participatiewet, art. 10d lid 4 (tekst 1-1-2025)"
    )
    assert (
        citation_text(
            title="Wet tegemoetkomingen loondomein",
            article="2.6",
            lid="1",
            onderdeel="a 1°",
            note="art. 2.8 en art. 2.9",
            text_date=date(2024, 1, 1),
        )
        == "Wet tegemoetkomingen loondomein, art. 2.6 lid 1 onder a 1°, art. 2.8 en art. 2.9"
        " (tekst 1-1-2024)"
    )
    # a page: its section as written, and the day it was read
    assert (
        citation_text(
            title="WSP Rijnmond", article="Proefplaatsing", text_date=date(2026, 11, 29), page=True
        )
        == "WSP Rijnmond, Proefplaatsing (gelezen 29-11-2026)"
    )


def test_deep_links():
    day = date(2025, 1, 1)
    assert (
        deep_link(bwb="BWBR0015703", cvdr=None, url=None, article="10d", text_date=day)
        == "https://wetten.overheid.nl/BWBR0015703/2025-01-01#Artikel10d"
    )
    assert (
        deep_link(bwb="BWBR0037522", cvdr=None, url=None, article="2.16", text_date=day)
        == "https://wetten.overheid.nl/BWBR0037522/2025-01-01#Artikel2.16"
    )
    # the aanhef has no article anchor: the version's page
    assert (
        deep_link(bwb="BWBR0015703", cvdr=None, url=None, article="aanhef", text_date=day)
        == "https://wetten.overheid.nl/BWBR0015703/2025-01-01"
    )
    assert (
        deep_link(
            bwb=None, cvdr="CVDR714103/1", url="https://x.example", article="2", text_date=day
        )
        == "https://lokaleregelgeving.overheid.nl/CVDR714103/1"
    )
    assert (
        deep_link(
            bwb=None, cvdr=None, url="https://www.hwwerkt.nl/", article="Jobcoach", text_date=day
        )
        == "https://www.hwwerkt.nl/"
    )


def test_every_shipped_rule_has_a_structured_citation(engine):
    cited = 0
    for rs in engine.rulebase.rulesets:
        for item in (*rs.rules, *rs.derived):
            s = item.source
            where = f"{rs.key}/{item.id}"
            assert s.text_date is not None and s.article, where
            assert s.link and s.citation.startswith(s.title), where
            if s.bwb:
                assert resolves(s.article), where
                assert s.link.startswith(f"https://wetten.overheid.nl/{s.bwb}/{s.text_date}"), where
            elif s.cvdr:
                assert resolves(s.article), where
                assert s.link == f"https://lokaleregelgeving.overheid.nl/{s.cvdr}", where
            cited += 1
    assert cited > 200


def test_national_law_is_cited_by_bwb_id():
    """The texts on wetten.overheid.nl are cited by identifier, not by a url alone."""
    for file in (ROOT / "rules").glob("*/*.yaml"):
        text = file.read_text(encoding="utf-8")
        assert 'url: "https://wetten.overheid.nl/BWBR' not in text, file
        assert "url: https://wetten.overheid.nl/BWBR" not in text, file


def test_rulesets_json_shows_each_rules_citation(capsys):
    assert main(["rulesets", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    pwet = next(
        r for r in rows if r["id"] == "rijk-participatiewet" and r["version"].startswith("2024")
    )
    lks = next(c for c in pwet["citations"] if c["kind"] == "rule" and c["article"] == "10d")
    assert lks["bwb"] == "BWBR0015703" and lks["text_date"]
    assert lks["link"].startswith("https://wetten.overheid.nl/BWBR0015703/")
    assert lks["link"].endswith("#Artikel10d")
    assert lks["citation"].startswith("Participatiewet, art. 10d")
    assert all(c["text_date"] and c["article"] for r in rows for c in r["citations"])


def test_the_employer_pdf_lists_each_text_with_its_link(tmp_path):
    out = tmp_path / "t.pdf"
    file = ROOT / "samples" / "oudere-ww.yaml"
    assert main(["trajectory", str(file), "--format", "pdf", "--output", str(out)]) == 0
    reader = PdfReader(out)
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Bronnen" in text
    assert "Wet tegemoetkomingen loondomein, art. 2.2" in text  # the LKV oudere werknemer
    links = [
        a.get_object()["/A"]["/URI"]
        for p in reader.pages
        for a in p.get("/Annots", [])
        if "/A" in a.get_object()
    ]
    assert any(u.startswith("https://wetten.overheid.nl/BWBR0037522/") for u in links), links


def test_a_sources_citation_is_kept_but_a_copy_words_its_own() -> None:
    from engine.model import Source

    source = Source(title="Participatiewet", article="10d", url="https://wetten.overheid.nl/x")
    first = source.citation
    assert source.model_dump()["citation"] == first  # serialised as computed, then kept
    copy = source.model_copy(update={"article": "10da"})
    assert "10da" in copy.citation and "10da" not in first
    assert copy.model_dump()["citation"] == copy.citation
