"""durable_rules' C engine as built by scripts/setup.sh (scripts/deps/patch_durable.py): its heap
stays whole where the released source's did not, and an action's message names only the rule.
A case that could crash runs in a child process, so that a crash in C is a failed test with
durable's message, not a dead test run."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import durable_rules_engine as durable

ROOT = Path(__file__).resolve().parents[1]


def _run_child(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_state_in_which_nothing_fired_is_deleted_cleanly():
    # Patch 4: a new state's action context was left as malloc left it and deleteState freed
    # it, so dropping the state of a check whose facts fired no rule freed garbage. Freed
    # memory full of 0xa5 before each ruleset makes that garbage near certain: the build
    # without the patch segfaulted here in each of 6 runs, the patched build in none.
    child = _run_child(
        """
        import json
        import durable_rules_engine as durable

        rules = json.dumps({"r": {"all": [{"m": {"$and": [{"t": "x"}]}}]}})
        for i in range(200):
            junk = [b"\\xa5" * (1024 * k) for k in range(1, 130)]
            del junk
            handle = durable.create_ruleset(f"r{i}", rules)
            durable.assert_facts(handle, json.dumps([{"sid": "0", "t": "y"}]))  # fires nothing
            durable.delete_state(handle, "0")
            durable.delete_ruleset(handle)
        print("klaar")
        """
    )
    assert child.returncode == 0, f"exit {child.returncode}: {child.stderr[-2000:]}"
    assert child.stdout.strip() == "klaar"


def test_an_action_message_names_the_rule_without_its_facts():
    # Patch 5: the runtime reads only the name; durable no longer copies the matched facts in
    rules = json.dumps({"regel": {"all": [{"m": {"$and": [{"t": "x"}]}}]}})
    handle = durable.create_ruleset("bericht", rules)
    try:
        state = durable.assert_facts(
            handle, json.dumps([{"sid": "0", "t": "x", "veld": "a" * 500}])
        )
        started = durable.start_action_for_state(handle, state[1])
        assert started is not None and started[1] == '{"regel":{}}'
        assert durable.complete_and_start_action(handle, state[1]) is None  # nothing else fires
        durable.delete_state(handle, "0")
    finally:
        durable.delete_ruleset(handle)
