"""A loopback server with the web pages and one headless Chromium for all browser tests.

Without chromium the tests skip with the reason, except in CI (CI=true), where they must run:
scripts/test.sh installs it with scripts/deps/chromium.sh.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from api.pages.live import chromium, chromium_paths, serve


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    from api.app import create_app
    from tests.security_helpers import user

    app = create_app()
    user(app, "beheerder", "browser", "browser")  # the browser logs in as this user
    with serve(app) as url:
        yield url


@pytest.fixture(scope="session")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("downloads"))


@pytest.fixture(scope="session")
def browser(downloads: str, base_url: str) -> Iterator[object]:
    if chromium_paths() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI: chromium/chromedriver ontbreken (scripts/deps/chromium.sh)")
        pytest.skip(
            "chromium and chromium-driver are not installed (bash scripts/deps/chromium.sh)"
        )
    driver = chromium(downloads=downloads)
    driver.implicitly_wait(5)  # page loads after a click are not awaited otherwise
    _log_in(driver, base_url)
    yield driver
    driver.quit()


def _log_in(driver: object, base_url: str) -> None:
    """Through the login page, as a person would (the session cookie stays for every test)."""
    from selenium.webdriver.common.by import By

    from tests.security_helpers import PASSWORD

    driver.get(f"{base_url}/login")  # type: ignore[attr-defined]
    driver.find_element(By.ID, "username").send_keys("browser")  # type: ignore[attr-defined]
    driver.find_element(By.ID, "password").send_keys(PASSWORD)  # type: ignore[attr-defined]
    driver.find_element(By.CSS_SELECTOR, "form.login button").click()  # type: ignore[attr-defined]
    # wait for the login's answer: a page loaded before it would abort the POST (argon2 is slow
    # on purpose, and slower on a loaded machine), and every test after it would find /login
    from selenium.webdriver.support.wait import WebDriverWait

    WebDriverWait(driver, 60, poll_frequency=0.2).until(  # type: ignore[arg-type]
        lambda d: (
            "/login" not in d.current_url
            and d.find_elements(By.CSS_SELECTOR, "form.account button")
        )
    )
