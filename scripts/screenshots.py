"""Screenshots of the main pages for docs/screenshots/ (headless Chromium, loopback server).

Run: .venv/bin/python scripts/screenshots.py   (needs scripts/deps/chromium.sh)
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.app import create_app  # noqa: E402
from api.pages import placement_form as pf  # noqa: E402
from api.pages.live import chromium, serve  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def _save(driver, name: str, full: bool = True) -> None:  # noqa: ANN001
    """A PNG of the page (up to 2400 px high), reduced to a palette to keep the file small."""
    from PIL import Image

    if full:
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1280, min(max(height, 700), 2400))
    png = driver.get_screenshot_as_png()
    img = Image.open(io.BytesIO(png)).convert("RGB")
    img = img.resize((img.width * 2 // 3, img.height * 2 // 3))
    img.quantize(colors=48).save(OUT / f"{name}.png", optimize=True)
    driver.set_window_size(1280, 900)
    print(f"docs/screenshots/{name}.png")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    sample = yaml.safe_load((ROOT / "samples" / "delft-bijstand.yaml").read_text())
    query = pf.query(pf.flatten(sample))
    with serve(create_app()) as base:
        driver = chromium()
        try:
            driver.get(base + "/")
            _save(driver, "1-plaatsing-invoeren")
            driver.get(base + "/arrangement?candidate.woongemeente=Delf&job.uren_per_week=70")
            _save(driver, "2-fouten-in-de-invoer", full=False)
            driver.get(base + "/arrangement?" + query)
            _save(driver, "3-arrangement")
            driver.get(base + "/traject?" + query + "&traject.contact=A.+de+Vries")
            _save(driver, "4-traject")
            driver.get(base + "/regels/rijk-wtl/verschil")
            _save(driver, "5-regels-verschil", full=False)
            driver.get(base + "/regio")
            driver.find_element("id", "r-region").send_keys("Haaglanden")
            driver.find_element("id", "r-profiles").clear()
            driver.find_element("id", "r-profiles").send_keys("100")
            driver.find_element("css selector", "form button[type=submit]").click()
            driver.find_element("link text", "Open het rapport").click()
            _save(driver, "6-regio-rapport", full=False)
        finally:
            driver.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
