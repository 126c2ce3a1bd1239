"""Issue 23 in a real headless Chromium: a regelbeheerder of Twente drafts a rule set on
/regels/beheer (validation as you type, CSP-safe), previews it and submits it; a second
regelbeheerder logs in, approves it with the sources checked and publishes it; the arrangement
page of a placement in Enschede then shows the new rule and its source.

The Twente rule is made up for the tests (its source says so); it is never shipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from selenium.webdriver.common.by import By

from api.pages import placement_form as pf
from api.pages.live import chromium, chromium_paths, serve
from tests.browser.test_pages_in_chromium import _heading, _navigate, _until
from tests.security_helpers import PASSWORD
from tests.test_rule_management_faces import DRAFT, ENSCHEDE

TEXT = DRAFT.replace('"2026.2"', '"2026.8"')


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if chromium_paths() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI: chromium/chromedriver ontbreken (scripts/deps/chromium.sh)")
        pytest.skip("chromium and chromium-driver are not installed (scripts/deps/chromium.sh)")
    from api.app import create_app

    db = tmp_path_factory.mktemp("regelbeheer") / "arrangeur.db"
    app = create_app(database_url=f"sqlite:///{db}")
    accounts = app.state.accounts()
    accounts.add_organisation("regio-twente", "Regio Twente", "wsp", ["regio:twente"])
    for name in ("anna", "bert"):
        accounts.add_user(name, "regio-twente", ["regelbeheerder"], PASSWORD)
    with serve(app) as url:
        yield url


@pytest.fixture
def driver(tmp_path) -> Iterator[object]:  # noqa: ANN001
    d = chromium(downloads=str(tmp_path))
    d.implicitly_wait(5)
    yield d
    d.quit()


def _log_in(driver, url: str, name: str) -> None:  # noqa: ANN001
    driver.get(f"{url}/login")
    driver.find_element(By.ID, "username").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    _navigate(driver, lambda: driver.find_element(By.CSS_SELECTOR, "form.login button").click())


def _click(driver, selector: str) -> str:  # noqa: ANN001
    return _navigate(driver, lambda: driver.find_element(By.CSS_SELECTOR, selector).click(), 120)


def test_draft_preview_review_publish_check(site, driver):
    _log_in(driver, site, "anna")
    driver.get(f"{site}/regels/beheer")
    assert _heading(driver) == "Regelbeheer"
    area = driver.find_element(By.ID, "rb-yaml")
    assert "authority: regio:twente" in area.get_attribute("value")  # prefilled
    area.clear()
    area.send_keys(TEXT.replace("contract_maanden", "contract_jaren"))
    status = driver.find_element(By.ID, "rb-yaml-status")
    shown = _until(driver, lambda d: status.text if "fout" in status.text else "", 60)
    assert "[regio-twente/plaatsingspremie]" in shown and "contract_jaren" in shown
    area.clear()
    area.send_keys(TEXT)
    _until(driver, lambda d: status.text == "Geen fouten gevonden.", 60)
    assert _click(driver, "form[action='/regels/beheer'] button[type=submit]").startswith("Versie")
    version_url = driver.current_url

    assert _click(driver, "a[href$='/voorvertoning']").startswith("Wat verandert er")
    main = driver.find_element(By.TAG_NAME, "main").text
    assert "plaatsingspremie" in main and "toegevoegd" in main
    driver.get(version_url)
    _click(driver, "form[action$='/indienen'] button")
    assert "ter beoordeling" in driver.find_element(By.TAG_NAME, "h1").text
    _click(driver, "form[action='/logout'] button")

    _log_in(driver, site, "bert")
    driver.get(version_url)
    driver.find_element(By.ID, "rv-goed").click()
    driver.find_element(By.ID, "rv-bronnen").click()
    driver.find_element(By.ID, "rv-toelichting").send_keys("art. 2 gelezen")
    _click(driver, "form[action$='/beoordeling'] button")
    assert "goedgekeurd" in driver.find_element(By.TAG_NAME, "h1").text
    _click(driver, "form[action$='/publiceren'] button")
    assert "gepubliceerd" in driver.find_element(By.TAG_NAME, "h1").text
    assert "Bronnen gecontroleerd door" in driver.find_element(By.TAG_NAME, "main").text

    driver.get(f"{site}/arrangement?" + urlencode(pf.flatten(ENSCHEDE)))
    main = driver.find_element(By.TAG_NAME, "main").text
    assert "Testregeling plaatsingspremie Twente (fictief, alleen voor tests)" in main
