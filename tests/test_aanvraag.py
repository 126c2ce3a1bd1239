"""How to apply (aanvraag) per eligible entry, and the region's werkgeversservicepunt."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from engine.arrangement import Engine
from engine.errors import RulesError
from engine.rulesets.registry import load_rulebase

ROOT = Path(__file__).resolve().parents[1]
PARTS = ("where", "what", "deadline", "payment")


def test_every_eligible_entry_of_the_oudere_ww_sample_says_how_to_apply_with_sources(engine):
    placement = yaml.safe_load((ROOT / "samples" / "oudere-ww.yaml").read_text())
    a = engine.check(placement)
    eligible = [e for e in a.instruments if e.status == "eligible"]
    assert {e.instrument for e in eligible} == {"proefplaatsing", "lkv_oudere_werknemer"}
    for e in eligible:
        assert e.aanvraag is not None
        for name in PARTS:
            part = getattr(e.aanvraag, name)
            assert part.source is not None and part.source.article, (e.instrument, name)
            assert part.provenance in ("verified", "illustrative")
    lkv = next(e for e in eligible if e.instrument == "lkv_oudere_werknemer").aanvraag
    assert lkv is not None
    # Wtl art. 2.3 lid 1: within three months of the start (2025-04-01)
    assert lkv.deadline.date == "2025-07-01" and "art. 2.3 lid 1" in lkv.deadline.source.citation
    assert "loonaangifte" in lkv.where.text and "art. 4.4" in lkv.payment.source.citation
    assert all(e.aanvraag is None for e in a.instruments if e.status != "eligible")


def _copy_rules(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    return rules


LOCAL_LKS = """
aanvraag:
  loonkostensubsidie:
    where:
      text: Via het werkgeversservicepunt met het formulier van de gemeente.
      source: {ref: verordening, article: "3", text_date: 2025-01-01}
rules:"""


def test_a_local_aanvraag_overrides_the_national_default_part_by_part(tmp_path):
    rules = _copy_rules(tmp_path)
    delft = rules / "gemeenten" / "delft-2023.yaml"
    text = delft.read_text()
    key = yaml.safe_load(text)["sources"]
    ref = next(iter(key))
    delft.write_text(text.replace("\nrules:", LOCAL_LKS.replace("verordening", ref), 1))
    engine = Engine(load_rulebase(rules))
    a = engine.check(
        {
            "peildatum": "2025-03-01",
            "candidate": {
                "woongemeente": "Delft",
                "geboortedatum": "1990-05-01",
                "uitkering": "bijstand",
                "loonwaarde_pct": 60,
            },
            "employer": {"vestigingsgemeente": "Delft"},
            "job": {"startdatum": "2025-04-01", "uren_per_week": 32, "contract_maanden": 12},
        }
    )
    lks = next(e for e in a.instruments if e.instrument == "loonkostensubsidie")
    assert lks.status == "eligible" and lks.aanvraag is not None
    assert lks.aanvraag.where.text.startswith("Via het werkgeversservicepunt")
    assert lks.aanvraag.where.ruleset is not None and lks.aanvraag.where.ruleset.startswith("delft")
    # the parts Delft does not give come from the national default (Participatiewet art. 10d)
    assert lks.aanvraag.deadline.ruleset is not None
    assert lks.aanvraag.deadline.ruleset.startswith("rijk-participatiewet")
    assert lks.aanvraag.payment.provenance == "niet_vastgesteld"


def test_the_schema_refuses_a_malformed_aanvraag_with_file_and_line(tmp_path):
    rules = _copy_rules(tmp_path)
    wtl = rules / "rijk" / "rijk-wtl-2025.yaml"
    lines = wtl.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("aanvraag:"))  # 0-based
    lines.insert(at + 1, "  proefplaatsing:\n    when: {text: zonder bron}\n")
    wtl.write_text("".join(lines))
    with pytest.raises(RulesError) as exc:
        load_rulebase(rules)
    found = [p for p in exc.value.problems if p.file.endswith("rijk-wtl-2025.yaml")]
    assert found and found[0].line == at + 2 and "when" in found[0].message


def test_a_part_without_source_is_refused_unless_niet_vastgesteld(tmp_path):
    rules = _copy_rules(tmp_path)
    wtl = rules / "rijk" / "rijk-wtl-2025.yaml"
    wtl.write_text(
        wtl.read_text().replace("aanvraag:\n", "aanvraag:\n  liv:\n    where: {text: Ergens}\n", 1)
    )
    with pytest.raises(RulesError) as exc:
        load_rulebase(rules)
    assert any("source" in p.message for p in exc.value.problems)


def test_texel_without_rules_names_its_regions_werkgeversservicepunt(engine):
    a = engine.check(
        {
            "peildatum": "2026-03-01",
            "candidate": {
                "woongemeente": "Texel",
                "geboortedatum": "1968-05-01",
                "uitkering": "ww",
                "uitkering_sinds": "2025-01-15",
            },
            "employer": {"vestigingsgemeente": "Texel"},
            "job": {"startdatum": "2026-04-01", "uren_per_week": 32, "contract_maanden": 12},
        }
    )
    assert a.zonder_eigen_regels == ["Texel"]
    wsp = a.werkgeversservicepunt
    assert wsp is not None and "Noord-Holland Noord" in wsp.naam and wsp.source.url
    assert wsp.telefoon is None  # no page gave one: none is shown
    assert any(wsp.naam in n for n in a.notices if "Texel" in n)


def test_every_region_has_a_werkgeversservicepunt_or_says_it_was_not_found(engine):
    for regio in engine.rulebase.geography.regios:
        assert regio.werkgeversservicepunt is not None or regio.werkgeversservicepunt_gezocht


def test_the_pages_and_the_pdf_show_how_to_apply_and_the_wsp(tmp_path):
    import io
    import re
    from html import unescape

    from pypdf import PdfReader

    from api.app import create_app
    from api.pages import placement_form as pf
    from tests.security_helpers import signed_in

    client = signed_in(create_app())
    q = pf.query(pf.flatten(yaml.safe_load((ROOT / "samples" / "oudere-ww.yaml").read_text())))
    page = unescape(client.get("/arrangement?" + q).text)
    assert page.count("Zo vraagt u het aan") == 2  # proefplaatsing and the LKV
    assert "01-07-2025" in page and "art. 2.3 lid 1" in page and "Via de loonaangifte" in page
    t = unescape(client.get("/traject?" + q + "&traject.maanden=12").text)
    assert "Via de loonaangifte" in t and "art. 2.3 lid 1" in t
    texel = dict(pf.flatten(yaml.safe_load((ROOT / "samples" / "oudere-ww.yaml").read_text())))
    texel |= {"candidate.woongemeente": "Texel", "employer.vestigingsgemeente": "Texel"}
    page = unescape(client.get("/arrangement?" + pf.query(texel)).text)
    top = page.index('id="geen-eigen-regels"')
    assert top < page.index("<h2") and "WerkgeversServicepunt Noord-Holland Noord" in page[top:]
    traject = unescape(client.get("/traject?" + pf.query(texel) + "&traject.maanden=12").text)
    pdf_href = unescape(re.search(r'href="([^"]+)" id="pdf-link"', traject)[1])
    text = PdfReader(io.BytesIO(client.get(pdf_href).content)).pages[0].extract_text()
    text += "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(client.get(pdf_href).content)).pages[1:]
    )
    text = " ".join(text.split())
    assert "Noord-Holland Noord" in text and "westfriesezaken.nl" in text


def test_the_lkv_banenafspraak_asks_no_doelgroepverklaring_from_2026(engine):
    # Wtl text 2026-01-01: art. 2.11 is gone, art. 2.10 lid 1 asks only for an arbeidsbeperkte
    # in the aangiftetijdvak; the 2025 texts (a doelgroepverklaring within three months) stayed
    sample = yaml.safe_load((ROOT / "samples" / "wajong.yaml").read_text(encoding="utf-8"))
    sample["peildatum"] = sample["job"]["startdatum"] = "2026-02-01"
    entry = next(e for e in engine.check(sample).instruments if e.instrument == "lkv_banenafspraak")
    assert entry.status == "eligible" and entry.aanvraag is not None
    what, deadline = entry.aanvraag.what, entry.aanvraag.deadline
    assert what.text.startswith("Geen doelgroepverklaring") and what.provenance == "verified"
    assert what.source is not None and what.source.citation == (
        "Wet tegemoetkomingen loondomein, art. 2.10 lid 1 (tekst 1-1-2026)"
    )
    assert deadline.date is None and "Geen aanvraagtermijn" in deadline.text
    assert "art. 6.2 lid 2" in (deadline.source.note if deadline.source else "")
    # 2025: the doelgroepverklaring and its three months, as the text then said
    sample["peildatum"] = sample["job"]["startdatum"] = "2025-06-01"
    entry = next(e for e in engine.check(sample).instruments if e.instrument == "lkv_banenafspraak")
    assert entry.aanvraag is not None and str(entry.aanvraag.deadline.date) == "2025-09-01"
