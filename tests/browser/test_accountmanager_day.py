"""Issue 25 in a real headless Chromium (desktop and 390 px): a future start date is judged on
its own year, three wrong fields give three messages in one submit, and the trajectory's first
action is on or after the day it is made."""

from __future__ import annotations

import re
from datetime import date

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from api.pages import placement_form as pf
from engine.dates import month_start
from tests.browser.test_pages_in_chromium import _fill, _heading

FUTURE_WAJONG = {
    "candidate.woongemeente": "Zoetermeer",
    "candidate.geboortedatum": "2001-09-12",
    "candidate.uitkering": "wajong",
    "candidate.doelgroepregister": "ja",
    "candidate.loonwaarde_pct": "45",
    "employer.vestigingsgemeente": "Zoetermeer",
    "job.startdatum": "2027-02-01",
    "job.uren_per_week": "24",
    "job.contract_maanden": "12",
}
WIDTHS = [1280, 390]


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def sized(browser, request):  # noqa: ANN001, ANN201
    browser.set_window_size(request.param, 900)
    yield browser
    browser.set_window_size(1280, 900)


def _submit(driver) -> None:  # noqa: ANN001
    driver.find_element(By.CSS_SELECTOR, "form[action='/arrangement'] button[type=submit]").click()


def test_a_future_start_shows_the_lkv_for_its_first_year(sized, base_url):
    sized.get(base_url + "/")
    assert sized.find_element(By.NAME, "peildatum").get_attribute("value") == ""
    _fill(sized, FUTURE_WAJONG)
    _submit(sized)
    WebDriverWait(sized, 15).until(lambda d: _heading(d) == "Het arrangement")
    text = sized.find_element(By.TAG_NAME, "main").text
    yearly = re.findall(r"per jaar \((\d{4})\)\s*€ ([\d.,]+)", text)
    assert yearly and all(year == "2027" for year, _ in yearly), yearly
    assert all(amount != "0" for _, amount in yearly)
    assert "startdatum van de baan: er is geen peildatum ingevuld" in text


def test_three_wrong_fields_give_three_messages_in_one_submit(sized, base_url):
    sized.get(base_url + "/")
    wrong = FUTURE_WAJONG | {
        "candidate.woongemeente": "Zoetermeerr",
        "candidate.geboortedatum": "2030-01-01",
        "employer.vestigingsgemeente": "Delfd",
    }
    _fill(sized, wrong)
    _submit(sized)
    WebDriverWait(sized, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".msg"))
    fields = {
        el.get_attribute("id").removesuffix("-fout")
        for el in sized.find_elements(By.CSS_SELECTOR, ".field .msg")
    }
    wrong_fields = ("candidate.woongemeente", "candidate.geboortedatum")
    wrong_fields += ("employer.vestigingsgemeente",)
    assert fields == {pf.FIELDS[n].id for n in wrong_fields}
    assert "01-01-2030" in sized.page_source and "2030-01-01" not in sized.page_source


def test_the_trajectorys_first_action_is_not_before_the_day_it_is_made(
    browser, base_url, monkeypatch
):
    from engine.trajectory import phases

    today = date.today()
    monkeypatch.setattr(phases, "advice_day", lambda: today)  # the real today, as in use
    start = month_start(today, 2)  # a proefplaatsing of 2 months would start before today
    values = {
        "candidate.woongemeente": "Delft",
        "candidate.geboortedatum": "1990-05-01",
        "candidate.uitkering": "bijstand",
        "candidate.doelgroepregister": "ja",
        "candidate.loonwaarde_pct": "50",
        "employer.vestigingsgemeente": "Den Haag",
        "job.startdatum": start.isoformat(),
        "job.uren_per_week": "32",
        "job.contract_maanden": "12",
    }
    browser.get(base_url + "/")
    _fill(browser, values)
    _submit(browser)
    WebDriverWait(browser, 15).until(lambda d: _heading(d) == "Het arrangement")
    browser.find_element(By.CSS_SELECTOR, "form[action='/traject'] button[type=submit]").click()
    WebDriverWait(browser, 30).until(lambda d: "Uw aanbod op één pagina" in _heading(d))
    items = browser.find_elements(By.CSS_SELECTOR, "#termijnen li")
    dated = [re.match(r"(\d\d)-(\d\d)-(\d{4}):", li.text) for li in items]
    days = [date(int(m[3]), int(m[2]), int(m[1])) for m in dated if m]
    assert days and min(days) >= today, days
