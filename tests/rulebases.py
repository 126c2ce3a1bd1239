"""The hand-made rule bases that share files, assembled from tests/fixtures where each file is
kept once.

- mini: a folder of its own (tests/fixtures/mini), the base of the others.
- harmonie: mini's catalogue and parameters with tests/fixtures/harmonie.
- regions: harmonie with tests/fixtures/regions laid over it (a later layer replaces a file of
  the same name: regions' geografie.yaml and regio/oost.yaml).

Each is built once per process in a temporary folder named after it (so rule set files read
`harmonie/gemeenten/...` as they would in tests/fixtures) and removed when the process ends.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FROM_MINI = ("catalogus.yaml", "rijk/parameters/test.yaml")
LAYERS = {"harmonie": ("harmonie",), "regions": ("harmonie", "regions")}


@cache
def rule_base(name: str) -> Path:
    """The folder of the rule base `name` ("harmonie" or "regions"), built on first use."""
    work = Path(tempfile.mkdtemp(prefix="arrangeur-fixture-"))
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    root = work / name
    for rel in FROM_MINI:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FIXTURES / "mini" / rel, root / rel)
    for layer in LAYERS[name]:
        shutil.copytree(FIXTURES / layer, root, dirs_exist_ok=True)
    return root
