"""One renderer per format (api.render), the CLI's Dutch help that lists every command, and
the regio page starting jobs on the app's JobManager (no HTTP call to itself)."""

from __future__ import annotations

import argparse
from datetime import date

import pytest
import yaml

from api.app import create_app
from api.cli import build_parser, main
from api.cli.trajectory import trajectory_request
from api.limits import Limits
from api.render import UnknownFormat, formats, render
from engine import Engine
from engine.trajectory import TrajectoryRequest, build_trajectory
from engine.trajectory.model import Trajectory
from tests.conftest import ROOT
from tests.security_helpers import signed_in


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_help_is_dutch_and_lists_every_command(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    commands = _commands(build_parser())
    assert len(commands) == 15  # the 13 of issue 25 and users, organisations (issue 22)
    for name, parser in commands.items():
        assert f"\n    {name}" in out, name
        assert parser.format_help().startswith("gebruik: arrangeur ")
    for english in ("usage:", "options:", "positional arguments", "show this help"):
        assert english not in out


def test_argument_errors_are_dutch(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["check", "x.yaml", "--date", "2025-13-01"])
    assert exit_.value.code == 2
    assert "fout: argument --date: geen datum JJJJ-MM-DD: '2025-13-01'" in capsys.readouterr().err


def _trajectory(engine: Engine) -> Trajectory:
    data = yaml.safe_load((ROOT / "samples" / "traject-delft-bijstand.yaml").read_text())
    request = trajectory_request(data, 6)
    return build_trajectory(TrajectoryRequest.model_validate(request), engine)


def test_one_renderer_serves_every_format_of_a_trajectory(engine: Engine) -> None:
    t = _trajectory(engine)
    assert formats(Trajectory) == ["text", "json", "html", "pdf", "yaml"]
    pdf, media = render(t, "pdf")
    assert media == "application/pdf" and isinstance(pdf, bytes) and pdf.startswith(b"%PDF")
    html, media = render(t, "html")
    assert media.startswith("text/html") and "<html" in html
    text, _ = render(t, "text")
    assert "Per maand" in text
    body, _ = render(t, "json")
    assert body.endswith("}\n") and '"horizon_months": 6' in body
    with pytest.raises(UnknownFormat, match="geen uitvoer als 'csv' voor Trajectory"):
        render(t, "csv")


def test_the_regio_page_refuses_more_profiles_than_the_job_limit(engine: Engine) -> None:
    client = signed_in(create_app(engine.rulebase, Limits(max_job_profiles=50)))
    data = {"region": "haaglanden", "date": "01-06-2025", "profiles": "51"}
    r = client.post("/regio", data=data, follow_redirects=False)
    assert r.status_code == 422 and "profielen: ten hoogste 50 profielen" in r.text
    r = client.get("/regio/taken/bestaat-niet")
    assert r.status_code == 404 and "onbekende taak" in r.text
    assert client.get("/regio/taken/bestaat-niet/rapport").status_code == 404


def test_the_regio_page_puts_its_job_in_the_apps_job_manager(engine: Engine) -> None:
    app = create_app(engine.rulebase)
    client = signed_in(app)
    data = {"region": "haaglanden", "date": date(2025, 6, 1).isoformat(), "profiles": "5"}
    r = client.post("/regio", data=data, follow_redirects=False)
    assert r.status_code == 303
    job_id = r.headers["location"].rsplit("/", 1)[1]
    job = app.state.jobs.get(job_id)
    assert job is not None and job.request.region == "haaglanden"
    assert job.request.options.profiles == 5
    report = client.get(f"/regio/taken/{job_id}/rapport")
    assert report.status_code in (200, 409)  # done already, or "de taak loopt nog"
    app.state.jobs.shutdown()
