"""One renderer per format (api.render), the CLI's Dutch help that lists every command, and
the regio page starting jobs on the app's JobManager (no HTTP call to itself)."""

from __future__ import annotations

import argparse
from datetime import date

import pytest
import yaml

from api.app import create_app
from api.cli import build_parser, main
from api.cli.caseload import Deadlines
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


@pytest.mark.parametrize(
    "argv",
    [
        ["harmonisation", "haaglanden", "--profiles", "0"],
        ["national-sweep", "--profiles", "-3"],
        ["harmonisation", "haaglanden", "--workers", "0"],
        ["caseload", "deadlines", "--within", "-1"],
    ],
)
def test_counts_below_their_minimum_are_refused_before_anything_runs(
    argv: list[str], capsys: pytest.CaptureFixture
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"fout: argument {argv[-2]}: " in err and "Traceback" not in err


def test_files_that_cannot_be_read_or_written_are_named_in_dutch(
    tmp_path, capsys: pytest.CaptureFixture
) -> None:
    missing = tmp_path / "geen-map" / "t.html"
    sample = str(ROOT / "samples" / "traject-delft-bijstand.yaml")
    assert main(["trajectory", sample, "--format", "html", "--output", str(missing)]) == 2
    assert f"--output {missing}: bestand of map bestaat niet" in capsys.readouterr().err
    assert main(["check", str(tmp_path / "weg.yaml")]) == 2
    assert f"{tmp_path / 'weg.yaml'}: bestand of map bestaat niet" in capsys.readouterr().err
    assert main(["check", str(tmp_path)]) == 2
    assert f"{tmp_path}: is een map, geen bestand" in capsys.readouterr().err


def test_deadlines_are_overdue_against_the_today_asked_for() -> None:
    row = {"ref": "K1", "due": "2025-05-31", "label": "Laatste dag", "source": "regel"}
    before, _ = render(Deadlines([row], date(2025, 5, 1)), "text")
    after, _ = render(Deadlines([row], date(2025, 6, 1)), "text")
    assert "2025-05-31  Laatste dag" in before and "(verlopen)" not in before
    assert "2025-05-31 (verlopen)  Laatste dag" in after


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
    assert r.status_code == 422 and "profielen: een geheel getal van 1 tot en met 50" in r.text
    default = signed_in(create_app(engine.rulebase))  # 20,000 unless the server says otherwise
    r = default.post("/regio", data=data | {"profiles": "0"}, follow_redirects=False)
    assert r.status_code == 422 and "een geheel getal van 1 tot en met 20.000" in r.text
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


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("foo://bar", "onbekend databasetype 'foo' in de database-URL"),
        ("mysql://u:geheim@x/db", "het stuurprogramma voor 'mysql' is niet geïnstalleerd"),
        ("postgresql://u:geheim@127.0.0.1:1/db", "de database is niet bereikbaar: "),
    ],
)
def test_a_database_that_cannot_be_used_is_a_dutch_message_without_the_password(
    url: str, said: str, capsys: pytest.CaptureFixture
) -> None:
    for argv in (["caseload", "--db", url, "list"], ["users", "--db", url, "list"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert said in err and "geheim" not in err and "Traceback" not in err


def test_serve_says_why_it_cannot_listen_before_it_says_it_runs(
    monkeypatch, capsys: pytest.CaptureFixture
) -> None:
    import socket

    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("should not start"))
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--port", "99999"])
    assert exit_.value.code == 2
    assert "moet 1 tot en met 65535 zijn, niet 99999" in capsys.readouterr().err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    out, err = capsys.readouterr()
    assert f"poort {port} op 127.0.0.1: al in gebruik" in err and "draait op" not in out


def test_the_rule_set_list_and_the_national_sweep_speak_dutch(capsys) -> None:
    assert main(["rulesets"]) == 0
    table = capsys.readouterr().out
    assert " illustratief " in table and " illustrative " not in table
    assert main(["national-sweep", "--profiles", "2", "--executor", "serial"]) == 0
    text = capsys.readouterr().out
    assert "  Proefplaatsing " in text and "no_riskpolis" not in text
