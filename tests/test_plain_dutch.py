"""Issue 25 point 5: no internal names in the Dutch pages and the Dutch text of the CLI.

Over the samples and a placement in every shipped region: no identifier with an underscore,
no Python `True`/`False` and no `==` in what a user reads (the pages' visible text; the text
output of `check`, `trajectory`, `diff` and `harmonisation`).
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import main
from api.pages import placement_form as pf
from tests.security_helpers import signed_in

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "samples").glob("*.yaml"))
PLACEMENTS = [p for p in SAMPLES if not p.name.startswith("traject")]
INTERNAL = re.compile(r"\b\w+_\w+\b|\bTrue\b|\bFalse\b|==")


def visible(html: str) -> str:
    """The text a reader sees: no tags, scripts, styles or attribute values. Text marked as
    code (<code>, <pre>: a rule as written, a file name) is technical on purpose."""
    html = re.sub(r"<(script|style|code|pre)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def internal_names(text: str) -> list[str]:
    # a URL is not prose (links to /regels/... may carry ids)
    text = re.sub(r"https?://\S+", " ", text)
    return sorted(set(INTERNAL.findall(text)))


def test_the_scanner_finds_what_it_must():
    assert internal_names("regie == 'gemeente' en duur_maanden: True") == [
        "==",
        "True",
        "duur_maanden",
    ]
    assert internal_names(visible('<a href="/x_y">Jobcoaching</a> zie https://a.nl/b_c')) == []


@pytest.fixture(scope="module")
def client() -> TestClient:
    return signed_in(create_app())


def _query(data: dict) -> str:
    return pf.query(pf.flatten(data))


def _pages(client: TestClient) -> list[str]:
    urls = ["/", "/instrumenten", "/coverage", "/regels"]
    for sample in PLACEMENTS:
        q = _query(yaml.safe_load(sample.read_text()))
        urls += [f"/arrangement?{q}"]
    traject = yaml.safe_load((ROOT / "samples" / "traject-delft-bijstand.yaml").read_text())
    traject.pop("traject", None)
    urls.append(f"/traject?{_query(traject)}&traject.maanden=12")
    rb = client.app.state.rules.now().engine.rulebase
    seen = set()
    for rs in rb.rulesets:
        urls.append(f"/regels/{rs.id}?versie={rs.version}")
        if rs.id not in seen and len(rb.versions(rs.id)) > 1:
            urls.append(f"/regels/{rs.id}/verschil")
        seen.add(rs.id)
    for r in rb.geography.regios:
        urls.append(f"/instrumenten?regio={r.id}")
    return urls


def test_no_internal_names_in_any_page(client):
    found = {}
    for url in _pages(client):
        r = client.get(url)
        assert r.status_code < 500, url
        names = internal_names(visible(r.text))
        if names:
            found[url] = names
    assert not found, "\n".join(f"{u}: {n}" for u, n in found.items())


def _every_region_placement(client: TestClient) -> list[dict]:
    """The Delft sample with candidate and employer in the first gemeente of each region."""
    rb = client.app.state.rules.now().engine.rulebase
    base = yaml.safe_load((ROOT / "samples" / "delft-bijstand.yaml").read_text())
    out = []
    for r in rb.geography.regios:
        g = next(g for g in rb.geography.gemeenten if g.regio == r.id and g.valid_to is None)
        data = yaml.safe_load(yaml.safe_dump(base))
        data["candidate"]["woongemeente"] = g.naam
        data["employer"]["vestigingsgemeente"] = g.naam
        out.append(data)
    return out


def test_arrangement_pages_of_every_region_have_no_internal_names(client):
    found = {}
    for data in _every_region_placement(client):
        r = client.get("/arrangement?" + _query(data))
        names = internal_names(visible(r.text))
        if names:
            found[data["candidate"]["woongemeente"]] = names
    assert not found


def _cli(capsys, *argv: str) -> str:
    main(list(argv))
    return capsys.readouterr().out


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_cli_check_and_trajectory_text_have_no_internal_names(capsys, sample):
    command = "trajectory" if sample.name.startswith("traject") else "check"
    assert internal_names(_cli(capsys, command, str(sample))) == []


def test_cli_diff_text_has_no_internal_names(capsys):
    text = _cli(capsys, "diff", "den-haag@2017.1", "den-haag@2023.1")
    assert "wordt" in text and internal_names(text) == []


def test_cli_harmonisation_text_has_no_internal_names(capsys):
    text = _cli(
        capsys, "harmonisation", "haaglanden", "--profiles", "30", "--executor", "serial",
        "--compare-date", "2024-06-01", "--compare-region", "drechtsteden",
    )  # fmt: skip
    assert "Veranderd tussen" in text and "Vergelijking van regio's" in text
    assert internal_names(text) == []


def test_harmonisation_report_page_has_no_internal_names(capsys, tmp_path):
    out = tmp_path / "rapport.html"
    _cli(capsys, "harmonisation", "haaglanden", "--profiles", "30", "--executor", "serial",
         "--format", "html", "--output", str(out))  # fmt: skip
    html = out.read_text(encoding="utf-8")
    assert "Heatmap" in html and internal_names(visible(html)) == []
