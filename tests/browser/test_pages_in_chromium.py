"""End to end in a real headless Chromium: fill the form for each sample placement, read the
arrangement, open the trajectory, download the employer's PDF; an error path; keyboard only."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
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


# What chromedriver says while a document is being replaced, whatever the exception class of
# the selenium version: an element of the old document, or a script run as it goes away.
_REPLACED = (
    "does not belong to the document",
    "stale element",
    "cannot find context with specified id",
    "execution context was destroyed",
    "inspected target navigated or closed",
)


def _page_in_flux(error: WebDriverException) -> bool:
    if isinstance(error, StaleElementReferenceException | NoSuchElementException):
        return True
    return any(text in (error.msg or "").lower() for text in _REPLACED)


def _until(driver, read, seconds: float = 15):  # noqa: ANN001, ANN202
    """`read(driver)` once it returns something true; a read that fails because the page is
    being replaced is tried again, any other failure is raised."""

    def attempt(d):  # noqa: ANN001, ANN202
        try:
            return read(d)
        except WebDriverException as error:
            if _page_in_flux(error):
                return False
            raise

    return WebDriverWait(driver, seconds, poll_frequency=0.1).until(attempt)


def _navigate(driver, action, seconds: float = 15) -> str:  # noqa: ANN001
    """Do `action` (a click, Enter) that loads a new page and wait for that page, not for
    elements that the old one may still show: the old document is marked first, and the wait
    ends when a document without the mark has loaded completely. Returns its h1."""
    driver.execute_script("window.__arrangeurOldPage = true;")
    action()
    _until(
        driver,
        lambda d: d.execute_script(
            "return document.readyState === 'complete' && !window.__arrangeurOldPage;"
        ),
        seconds,
    )
    return _heading(driver, seconds)


def _heading(driver, seconds: float = 15) -> str:  # noqa: ANN001
    """The page's h1 (retried while the page is being replaced)."""
    return _until(driver, lambda d: d.find_element(By.TAG_NAME, "h1").text, seconds)


def _submit(driver, form_action: str) -> str:  # noqa: ANN001
    """Submit the form posting to `form_action`; the h1 of the page it leads to."""
    button = f"form[action='{form_action}'] button[type=submit]"
    return _navigate(driver, lambda: driver.find_element(By.CSS_SELECTOR, button).click())


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
    assert _submit(browser, "/arrangement") == "Het arrangement"
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
    assert "Uw aanbod op één pagina" in _submit(browser, "/traject")
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
    _submit(browser, "/arrangement")
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
    title = _navigate(browser, lambda: browser.switch_to.active_element.send_keys(Keys.ENTER))
    assert title == "Het arrangement"
    assert "Zoetermeer" in browser.find_element(By.TAG_NAME, "main").text
