"""Settings: every ARRANGEUR_* variable in one model, one behaviour for a bad value (a Dutch
SettingError naming the variable; the CLI exits 2 without a traceback)."""

from __future__ import annotations

import pytest

from api.app import create_app
from api.cli import main
from api.settings import Settings, load_settings
from engine.errors import SettingError
from engine.rulesets.registry import load_rulebase
from tests.security_helpers import signed_in
from tests.test_api_robustness import PLACEMENT
from tests.test_harmonisation import FIXTURE


def test_defaults_and_the_security_fields(monkeypatch):
    monkeypatch.delenv("ARRANGEUR_ALLOWED_HOSTS", raising=False)  # conftest adds testserver
    s = load_settings()
    assert s.max_body_bytes == 1024 * 1024 and s.max_running_jobs == 1
    assert s.allowed_hosts == ["127.0.0.1", "localhost"]
    assert (s.public_checks, s.secret_key, s.secure_cookies) == (False, None, False)


def test_values_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("ARRANGEUR_ALLOWED_HOSTS", "werk.example.nl, localhost")
    monkeypatch.setenv("ARRANGEUR_PUBLIC_CHECKS", "true")
    monkeypatch.setenv("ARRANGEUR_MAX_QUEUED_JOBS", "0")
    monkeypatch.setenv("ARRANGEUR_LOG_LEVEL", "warning")
    s = load_settings()
    assert s.allowed_hosts == ["werk.example.nl", "localhost"]
    assert s.public_checks is True and s.max_queued_jobs == 0 and s.log_level == "WARNING"


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("ARRANGEUR_MAX_BODY_BYTES", "veel", "geheel getal"),
        ("ARRANGEUR_MAX_RUNNING_JOBS", "0", "niet kleiner zijn dan 1"),
        ("ARRANGEUR_JOB_ABANDON_S", "-5", "groter zijn dan 0"),
        ("ARRANGEUR_PUBLIC_CHECKS", "misschien", "true of false"),
        ("ARRANGEUR_NETWORK_CACHE", "0", "niet kleiner zijn dan 1"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(monkeypatch, name, value, said):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingError) as caught:
        load_settings()
    assert str(caught.value).startswith(f"{name}={value!r}: ") and said in str(caught.value)


def test_serve_refuses_to_start_on_a_bad_setting(monkeypatch, capsys):
    monkeypatch.setenv("ARRANGEUR_MAX_BODY_BYTES", "een megabyte")
    assert main(["--rules", str(FIXTURE), "serve", "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert "ARRANGEUR_MAX_BODY_BYTES='een megabyte'" in err and "Traceback" not in err


def test_the_app_runs_with_its_settings(monkeypatch):
    monkeypatch.setenv("ARRANGEUR_MAX_BODY_BYTES", "200")  # read when the app is built
    monkeypatch.setenv("ARRANGEUR_ADMIN_TOKEN", "geheim")
    app = create_app(load_rulebase(FIXTURE), rules_dir=FIXTURE)
    client = signed_in(app)  # a beheerder: the admin token is checked on top of the role
    assert client.post("/v1/checks", json=PLACEMENT).status_code == 413
    assert client.post("/v1/admin/reload").status_code == 403
    ok = client.post("/v1/admin/reload", headers={"x-arrangeur-token": "geheim"})
    assert ok.status_code == 200 and ok.json()["changed"] is False


def test_explicit_settings_win_over_the_environment(monkeypatch):
    monkeypatch.setenv("ARRANGEUR_MAX_BODY_BYTES", "200")
    settings = Settings(max_body_bytes=10_000_000)
    client = signed_in(create_app(load_rulebase(FIXTURE), settings=settings))
    assert client.post("/v1/checks", json=PLACEMENT).status_code == 200
    assert client.app.state.settings is settings
