"""End to end in a real headless Chromium: fill the form for each sample placement, read the
arrangement, open the trajectory, download the employer's PDF; an error path; keyboard only."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from api.pages import placement_form as pf
from engine.arrangement import parse_placement

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted(p for p in (ROOT / "samples").glob("*.yaml") if not p.name.startswith("traject"))


def _typed(name: str, value: str) -> str:
    """What a user types: dates as dd-mm-jjjj, numbers with a decimal comma."""
    f = pf.FIELDS[name]
    if f.type == "date":
        y, m, d = value.split("-")
        return f"{d}-{m}-{y}"
    return value.replace(".", ",") if f.type == "number" else value


def _fill(driver, values: dict[str, str]) -> None:  # noqa: ANN001
    for name, f in pf.FIELDS.items():
        el = driver.find_element(By.NAME, name)
        if el.tag_name == "select":
            Select(el).select_by_value(values.get(name, "nee" if f.default_false else ""))
        else:
            el.clear()
            if name in values:
                el.send_keys(_typed(name, values[name]))


def _heading(driver, seconds: float = 15) -> str:  # noqa: ANN001
    """The page's h1 once a navigation has settled (a click returns before the new page is
    there: the old h1 may go stale while it is read)."""

    def read(d):  # noqa: ANN001, ANN202
        try:
            return d.find_element(By.TAG_NAME, "h1").text or False
        except StaleElementReferenceException:
            return False

    return WebDriverWait(driver, seconds).until(read)


def _wait_for_title(driver, title: str, seconds: float = 15) -> str:  # noqa: ANN001
    WebDriverWait(driver, seconds).until(lambda d: _heading(d) == title)
    return title


def _wait_for_file(folder: Path, suffix: str, seconds: float = 15) -> Path:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done = [p for p in folder.glob(f"*{suffix}") if p.stat().st_size > 0]
        if done:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"geen {suffix} gedownload in {folder}")


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_form_to_arrangement_to_trajectory_to_pdf(browser, base_url, downloads, engine, sample):
    data = yaml.safe_load(sample.read_text())
    expected = engine.check(parse_placement(data))
    browser.get(base_url + "/")
    assert browser.title.startswith("Plaatsing invoeren")
    _fill(browser, pf.flatten(data))
    browser.find_element(By.CSS_SELECTOR, "form[action='/arrangement'] button[type=submit]").click()

    assert _wait_for_title(browser, "Het arrangement") == "Het arrangement"
    cards = browser.find_elements(By.CSS_SELECTOR, "article.card")
    assert [c.find_element(By.TAG_NAME, "h3").text for c in cards] == [
        e.name
        for status in ("eligible", "needs_assessment", "not_eligible")
        for e in expected.instruments
        if e.status == status
    ]
    # the URL is shareable: opening it again gives the same page
    url = browser.current_url
    assert "/arrangement?" in url and "candidate.woongemeente=" in url
    browser.get(url)
    assert len(browser.find_elements(By.CSS_SELECTOR, "article.card")) == len(cards)

    months = browser.find_element(By.ID, "t-maanden")
    months.clear()
    months.send_keys("12")  # a year is enough to see the pages work; keeps the test quick
    browser.find_element(By.ID, "t-contact").send_keys("A. de Vries")
    browser.find_element(By.CSS_SELECTOR, "form[action='/traject'] button[type=submit]").click()
    WebDriverWait(browser, 15).until(lambda d: "Uw aanbod op één pagina" in _heading(d))
    assert browser.find_elements(By.CSS_SELECTOR, "svg[aria-label=tijdlijn]")
    assert "A. de Vries" in browser.page_source

    folder = Path(downloads) / sample.stem
    folder.mkdir(exist_ok=True)
    browser.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)}
    )
    browser.find_element(By.ID, "pdf-link").click()
    pdf = _wait_for_file(folder, ".pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    text = PdfReader(pdf).pages[0].extract_text()
    assert "Wat krijgt u" in text and "€ " in text and "A. de Vries" in text


def test_an_error_names_the_field_and_gets_the_focus(browser, base_url):
    browser.get(base_url + "/")
    values = pf.flatten(yaml.safe_load((ROOT / "samples" / "oudere-ww.yaml").read_text()))
    values["job.uren_per_week"] = "70"
    values["candidate.woongemeente"] = "Delft"
    _fill(browser, values)
    browser.find_element(By.CSS_SELECTOR, "form[action='/arrangement'] button[type=submit]").click()
    summary = browser.find_element(By.CSS_SELECTOR, ".errorsummary")
    assert "uren per week: mag hoogstens 60 zijn" in summary.text
    focused = browser.switch_to.active_element
    assert focused.get_attribute("name") == "job.uren_per_week"
    assert focused.get_attribute("aria-invalid") == "true"
    # the form is kept: the other fields still hold what was typed
    assert browser.find_element(By.NAME, "employer.vestigingsgemeente").get_attribute("value") == (
        "Den Haag"
    )


def test_keyboard_only_submission(browser, base_url):
    """Tab from the top of the page through the form, type every value, press Enter."""
    values = pf.flatten(yaml.safe_load((ROOT / "samples" / "wajong.yaml").read_text()))
    browser.get(base_url + "/")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    seen = set()
    for _ in range(60):
        el = browser.switch_to.active_element
        name = el.get_attribute("name")
        in_main = browser.execute_script("return arguments[0].closest('main') !== null", el)
        if el.tag_name == "button" and in_main:  # the header's log-out button is passed over
            break
        if name in pf.FIELDS and name not in seen:
            seen.add(name)
            if el.tag_name == "select":
                option = values.get(name)
                if option is not None:
                    label = dict(pf.FIELDS[name].choices).get(option, option)
                    el.send_keys(label)  # typing selects the option that starts with it
            else:
                el.send_keys(Keys.CONTROL, "a")
                el.send_keys(Keys.DELETE)
                if name in values:
                    el.send_keys(_typed(name, values[name]))
        el.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.text == "Toon het arrangement"
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    assert _wait_for_title(browser, "Het arrangement") == "Het arrangement"
    assert "Zoetermeer" in browser.find_element(By.TAG_NAME, "main").text
