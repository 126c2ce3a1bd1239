from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

# the guarded app answers the TestClient's host, and the tests' accounts, sessions' key and
# default caseload live in a folder of their own, not in the user's data folder
os.environ["ARRANGEUR_ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="arrangeur-tests-")

import pytest

from engine.arrangement import Engine
from engine.errors import RulesError
from engine.rulesets.registry import load_rulebase
from engine.runtime import PythonBackend

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini"

# No test writes to the user's data folder (the default caseload and jobs database): servers
# started for a whole session use this one, and each test gets one of its own (below).
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="arrangeur-test-data-")
os.environ.pop("ARRANGEUR_DATABASE_URL", None)


@pytest.fixture(autouse=True)
def _own_data_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    """A data folder per test: jobs recorded by one test are not another's cache."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data")))


@pytest.fixture(scope="session")
def mini_engine() -> Engine:
    return Engine(load_rulebase(MINI))


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine(load_rulebase(ROOT / "rules"))


@pytest.fixture(scope="session")
def python_engine() -> Engine:
    """The same rules evaluated without durable_rules: the reference for the network."""
    return Engine(load_rulebase(ROOT / "rules"), backend=PythonBackend)


def placement(**over):
    """A bijstand candidate in Aadorp, employer in Beestad; override with dotted keys."""
    data = {
        "candidate": {
            "woongemeente": "Aadorp",
            "geboortedatum": "1965-01-01",
            "uitkering": "bijstand",
            "doelgroepregister": True,
            "loonwaarde_pct": 50,
            "eerder_in_dienst_bij_werkgever": False,
        },
        "employer": {"vestigingsgemeente": "Beestad"},
        "job": {"startdatum": "2025-03-01", "uren_per_week": 32, "contract_maanden": 12},
    }
    for key, value in over.items():
        part, _, field = key.partition("__")
        if value is None:
            data[part].pop(field, None)
        else:
            data[part][field] = value
    return data


@pytest.fixture(scope="session")
def clips_engine(engine: Engine) -> Engine:
    """The same compiled rules on CLIPS (clipspy): the benchmark's classic-Rete peer."""
    from benchmarks.clips_backend import ClipsBackend

    return Engine(engine.rulebase, backend=ClipsBackend)


@pytest.fixture(autouse=True, scope="session")
def _advice_made_before_the_samples_start() -> Iterator[None]:
    """Trajectories plan nothing before the day the advice is made (issue 25); the samples and
    scenarios start from 2017 on, so their advice is made on a fixed day before them. A test
    about the real today passes `today=` explicitly."""
    from datetime import date

    from engine.trajectory import phases

    with pytest.MonkeyPatch.context() as patch:  # session-wide: module fixtures build them too
        patch.setattr(phases, "advice_day", lambda: date(2010, 1, 1))
        yield


@pytest.fixture()
def rules(tmp_path: Path) -> Path:
    """A copy of the mini rule base to edit (a test module may define its own `rules`)."""
    target = tmp_path / "rules"
    shutil.copytree(MINI, target)
    return target


def problems(root: Path) -> list[str]:
    """The problems `load_rulebase` refuses `root` with, as `arrangeur validate` prints them."""
    with pytest.raises(RulesError) as err:
        load_rulebase(root)
    return [str(p) for p in err.value.problems]
