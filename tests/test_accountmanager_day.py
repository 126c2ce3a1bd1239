"""Issue 25, the accountmanager's day: a future start date, advice never dated in the past,
every input error in one submit, re-checks that report only real changes, an honest region
report, and the export/PDF/CLI details."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from api.app import create_app

FUTURE_WAJONG = {
    "candidate.woongemeente": "Zoetermeer",
    "candidate.geboortedatum": "12-09-2001",
    "candidate.uitkering": "wajong",
    "candidate.doelgroepregister": "ja",
    "candidate.loonwaarde_pct": "45",
    "employer.vestigingsgemeente": "Zoetermeer",
    "job.startdatum": "01-02-2027",
    "job.uren_per_week": "24",
    "job.contract_maanden": "12",
}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


def _yearly(html: str) -> dict[str, str]:
    found = re.findall(r"per jaar \((\d{4})\)</dt><dd><strong>([^<]*)<", html)
    return {year: unescape(eur) for year, eur in found}


# ------------------------------------------------------------ 1. the peildatum default


def test_the_form_leaves_the_peildatum_empty(client):
    page = client.get("/").text
    assert 'name="peildatum" value=""' in page


def test_a_future_placement_without_peildatum_is_judged_on_its_startdatum(client):
    r = client.get("/arrangement", params=FUTURE_WAJONG)
    assert r.status_code == 200
    yearly = _yearly(r.text)
    assert "2026" not in yearly and yearly.get("2027", "€ 0") != "€ 0"  # the LKV's first year
    assert "01-02-2027" in r.text
    assert "de startdatum van de baan: er is geen peildatum ingevuld" in unescape(r.text)


def test_a_chosen_peildatum_is_used_and_said_to_be_chosen(client):
    r = client.get("/arrangement", params=FUTURE_WAJONG | {"peildatum": "01-03-2027"})
    assert r.status_code == 200
    assert "01-03-2027" in r.text and "door u gekozen" in r.text


# ------------------------------------------------------------ 3. every error in one submit

THREE_WRONG = FUTURE_WAJONG | {
    "candidate.woongemeente": "Zoetermeerr",
    "candidate.geboortedatum": "01-01-2030",
    "employer.vestigingsgemeente": "Delfd",
}


def _errors_by_field(html: str) -> dict[str, str]:
    found = re.findall(r'class="msg" id="f-([a-z_-]+)-fout"[^>]*>([^<]*)<', html)
    return {field: unescape(text) for field, text in found}


@pytest.mark.parametrize("path", ["/arrangement", "/traject"])
def test_three_wrong_fields_give_three_messages_in_one_submit(client, path):
    r = client.get(path, params=THREE_WRONG)
    assert r.status_code == 422
    errors = _errors_by_field(r.text)
    assert set(errors) == {
        "candidate-woongemeente",
        "candidate-geboortedatum",
        "employer-vestigingsgemeente",
    }
    assert "bedoelt u Zoetermeer" in errors["candidate-woongemeente"]
    assert "bedoelt u Delft" in errors["employer-vestigingsgemeente"]
    # the form's notation, not ISO
    assert "01-01-2030" in errors["candidate-geboortedatum"]
    assert "2030-01-01" not in r.text


def test_the_model_returns_every_field_error_at_once():
    from engine.arrangement import parse_placement
    from engine.model import PlacementErrors

    data = {
        "candidate": {"woongemeente": "Delft", "geboortedatum": "1990-01-01", "uitkering": "x"},
        "employer": {"vestigingsgemeente": ""},
        "job": {"startdatum": "2026-01-01", "uren_per_week": 99},
    }
    with pytest.raises(PlacementErrors) as caught:
        parse_placement(data)
    fields = [f for f, _ in caught.value.problems]
    assert fields == ["candidate.uitkering", "employer.vestigingsgemeente", "job.uren_per_week"]
    assert caught.value.field == "candidate.uitkering"  # the first, for faces that show one
