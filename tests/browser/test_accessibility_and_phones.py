"""Issue 25 points 3, 4 and 7: every page in a real Chromium, checked by axe-core (WCAG 2.1 A
and AA rules: no serious or critical violation), at 390 px nothing wider than the viewport, and
the site navigation on every page.

axe-core comes from PyPI (`axe-core-python`, test extra), which ships axe.min.js; the test
injects that file into each page itself, so the package's own Selenium wrapper is not used.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from api.pages import placement_form as pf
from api.pages.live import chromium
from tests.browser.conftest import _log_in

ROOT = Path(__file__).resolve().parents[2]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _axe_source() -> str:
    axe = pytest.importorskip("axe_core_python", reason="axe-core-python (test extra) ontbreekt")
    return (Path(axe.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def _query(sample: str, **extra: str) -> str:
    data = yaml.safe_load((ROOT / "samples" / sample).read_text())
    data.pop("traject", None)
    return pf.query(pf.flatten(data)) + "".join(f"&{k}={v}" for k, v in extra.items())


def _regio_report(driver, base_url: str) -> str:  # noqa: ANN001
    """A harmonisation report through the real job (a few profiles), as a user starts it: the
    report's path."""
    driver.get(f"{base_url}/regio")
    Select(driver.find_element(By.NAME, "region")).select_by_value("haaglanden")
    for name, value in (("date", "01-06-2025"), ("profiles", "20")):
        field = driver.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)
    driver.find_element(By.CSS_SELECTOR, 'form[action="/regio"] button[type="submit"]').click()
    WebDriverWait(driver, 180).until(lambda d: d.current_url.endswith("/rapport"))
    return urlsplit(driver.current_url).path


def _signed_in(driver, base_url: str) -> None:  # noqa: ANN001
    """Wait until the login (a click that returns before the next page) has taken effect."""

    def done(d) -> bool:  # noqa: ANN001
        d.get(f"{base_url}/")
        return bool(d.find_elements(By.CSS_SELECTOR, "form.account button"))

    WebDriverWait(driver, 30, poll_frequency=0.5).until(done)


def _save_in_caseload(driver, base_url: str, query: str) -> None:  # noqa: ANN001
    """The caseload page with a row in it (its table is the widest on a phone)."""
    _signed_in(driver, base_url)
    driver.get(f"{base_url}/arrangement?{query}")
    WebDriverWait(driver, 15).until(lambda d: d.find_elements(By.ID, "c-ref"))
    driver.find_element(By.ID, "c-ref").send_keys(f"telefoon-{time.time_ns()}")
    driver.find_element(By.CSS_SELECTOR, "#bewaar button[type=submit]").click()
    WebDriverWait(driver, 30).until(lambda d: urlsplit(d.current_url).path == "/caseload")


@pytest.fixture(scope="module")
def pages(browser, base_url: str) -> list[str]:  # noqa: ANN001
    delft = _query("delft-bijstand.yaml")
    _save_in_caseload(browser, base_url, delft)
    return [
        "/",
        "/?candidate.geboortedatum=01-01-2090&candidate.woongemeente=Delfft",  # form + errors
        f"/arrangement?{delft}",
        f"/arrangement?{_query('oudere-ww.yaml')}",
        f"/traject?{_query('traject-delft-bijstand.yaml')}&traject.maanden=12",
        "/regio",
        _regio_report(browser, base_url),
        "/regels",
        "/regels/den-haag",
        "/regels/den-haag/verschil",
        "/caseload",
        "/coverage",
        f"/landelijk?{delft}",
        "/instrumenten?regio=haaglanden&q=jobcoach",
        "/instrumenten/jobcoaching?regio=haaglanden",
        "/instrumenten/overzicht?regio=haaglanden",
    ]


def _serious(driver, source: str) -> list[str]:  # noqa: ANN001
    driver.execute_script(source)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))"
        ".catch(e => done([{id: 'axe-error', impact: 'critical', nodes: [String(e)]}]));",
        WCAG,
    )
    return [
        f"{v['id']} ({v['impact']}): {', '.join(v['nodes'])}"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


def test_axe_finds_no_serious_or_critical_violation_and_every_page_has_the_menu(
    browser, base_url, pages
):
    source = _axe_source()
    browser.set_script_timeout(60)
    found = {}
    for path in pages:
        browser.get(base_url + path)
        assert browser.find_elements("css selector", 'nav[aria-label="hoofdmenu"] a'), path
        problems = _serious(browser, source)
        if problems:
            found[path.split("?")[0]] = problems
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)


@pytest.fixture(scope="module")
def phone(browser, base_url: str) -> Iterator[object]:  # noqa: ARG001 (skips without chromium)
    driver = chromium(width=500, height=844)
    _log_in(driver, base_url)
    _signed_in(driver, base_url)
    # a headless window is at least 500 px wide: emulate the phone's viewport instead
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True},
    )
    yield driver
    driver.quit()


def test_nothing_is_wider_than_a_phone_and_the_result_starts_above_the_fold(phone, base_url, pages):
    too_wide = {}
    for path in pages:
        phone.get(base_url + path)
        assert phone.execute_script("return window.innerWidth") == 390, path  # viewport meta
        width = phone.execute_script("return document.documentElement.scrollWidth")
        if width > 390:
            too_wide[path.split("?")[0]] = width
    assert not too_wide, too_wide
    phone.get(base_url + pages[2])  # the arrangement
    top = phone.execute_script(
        "return document.querySelector('.result-summary').getBoundingClientRect().top"
    )
    assert top < phone.execute_script("return window.innerHeight")
