"""The same placements checked by an earlier version of Arrangeur, in the same benchmark run.

Issue 26 (as issue 11 before it) asks `engine.check` to be twice as fast as main was when the
issue was filed. That version (BASELINE_COMMIT, or ARRANGEUR_BENCH_BASELINE) is taken from git
into a temporary folder; it and the product are timed by the same code in child processes on the
same interpreter and placements, one child per pass, the passes interleaved (product, baseline,
product, ...) so that a change in the machine's load touches both; the fastest pass of each
counts. Ratios are product / baseline: `speedup` with each on its own rules,
`speedup_same_rules` with both on the baseline's; `lean` is the product's check without
explanations (`explain=False`, what sweeps use), which the baseline did not have.
Without git or the commit (a shallow clone) the stage is skipped.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

# main on the day issue 26 was filed (issue 11's was 6bddf2729f9874da6efadbb21165da3b8105b614)
BASELINE_COMMIT = "32f809b3acedd645fbe099f2368ed4dfb3ed4b6a"
ROOT = Path(__file__).resolve().parents[1]

PASSES = 3  # timed passes per engine, interleaved, one child process each; the fastest counts

_TIMER = """
import json, statistics, sys, time
from pathlib import Path
root, rules, placements = sys.argv[1], Path(sys.argv[2]), json.loads(Path(sys.argv[3]).read_text())
lean = sys.argv[4] == "lean"
sys.path.insert(0, root)
from engine.arrangement import Engine
from engine.rulesets.registry import load_rulebase
try:
    engine, used = Engine(load_rulebase(rules)), "given"
except Exception:  # an older loader may not read today's rules: then its own
    engine, used = Engine(load_rulebase(Path(root) / "rules")), "its own"
check = (lambda p: engine.check(p, explain=False)) if lean else engine.check
for p in placements:  # warm-up: every network compiled, every session state built
    check(p)
run = []
cpu = time.thread_time()
for p in placements:
    t = time.perf_counter()
    check(p)
    run.append((time.perf_counter() - t) * 1000)
cpu = time.thread_time() - cpu
run.sort()
print(json.dumps({
    "rules": used,
    "cpu_s": cpu,
    "checks_per_cpu_second": round(len(placements) / cpu, 1),
    "check_p50_ms": round(statistics.median(run), 3),
    "check_p99_ms": round(run[int(len(run) * 0.99) - 1], 3),
}))
"""


def _commit() -> str | None:
    commit = os.environ.get("ARRANGEUR_BENCH_BASELINE", BASELINE_COMMIT)
    known = subprocess.run(
        ["git", "-C", str(ROOT), "cat-file", "-e", f"{commit}^{{commit}}"], capture_output=True
    )
    return commit if known.returncode == 0 else None


def _time(root: Path, rules: Path, data: Path, lean: bool = False) -> dict[str, Any]:
    """One timed pass of the Arrangeur at `root` on `rules`."""
    args = [str(root), str(rules.resolve()), str(data), "lean" if lean else "full"]
    return run_timer(_TIMER, root, args)


def checkout(commit: str, folder: Path) -> Path:
    """The tree of `commit` from git into a new `folder` (no repository, nothing built)."""
    folder.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def run_timer(script: str, root: Path, args: list[str]) -> dict[str, Any]:
    """A timing script run in a child process on this interpreter with the Arrangeur at `root`
    importable (the product and a baseline are timed by the same code); its JSON line."""
    out = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    if out.returncode != 0:
        raise RuntimeError(f"timing {root} failed: {out.stderr.strip().splitlines()[-1:]}")
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def _interleaved(runs: dict[str, tuple[Path, Path, bool]], data: Path) -> dict[str, Any]:
    """PASSES rounds, each timing every run once in turn; per run its fastest pass."""
    best: dict[str, dict[str, Any]] = {}
    for _ in range(PASSES):
        for name, (root, rules, lean) in runs.items():
            found = _time(root, rules, data, lean)
            if name not in best or found["cpu_s"] < best[name]["cpu_s"]:
                best[name] = found
    return {name: {k: v for k, v in f.items() if k != "cpu_s"} for name, f in best.items()}


def measure_baseline(rules: Path, placements: list[dict[str, Any]]) -> dict[str, Any]:
    """The product on `rules` and the baseline commit on its own rules, on the same
    placements; and both on the baseline's rules. Where the rule base changed since the
    baseline the first ratio compares different work, the second the engines alone: for it the
    product reads a copy of the old rules, adapted where today's loader requires more
    (`typed_rules`)."""
    commit = _commit()
    if commit is None:
        return {"skipped": "the baseline commit is not in this clone"}
    with tempfile.TemporaryDirectory() as tmp:
        folder = checkout(commit, Path(tmp) / "baseline")
        data = Path(tmp) / "placements.json"
        data.write_text(json.dumps(placements))
        typed = typed_rules(folder / "rules", Path(tmp) / "typed")
        found = _interleaved(
            {
                "product": (ROOT, rules, False),
                "baseline": (folder, folder / "rules", False),
                "product_lean": (ROOT, rules, True),
                "product_old": (ROOT, typed, False),
            },
            data,
        )
    product, baseline, product_old = found["product"], found["baseline"], found["product_old"]
    rate = "checks_per_cpu_second"
    return {
        "commit": commit[:12],
        "checks": len(placements),
        "passes": PASSES,
        "product_today_rules": product,
        "baseline_its_rules": baseline,
        "speedup": round(product[rate] / baseline[rate], 2),  # product / baseline
        "product_lean_today_rules": found["product_lean"],
        "speedup_lean": round(found["product_lean"][rate] / baseline[rate], 2),
        "product_baseline_rules": product_old,
        "speedup_same_rules": round(product_old[rate] / baseline[rate], 2),
    }


def typed_rules(rules: Path, dest: Path) -> Path:
    """A copy of an older rule base that today's loader reads: derived facts then had no
    `type:`, which is now required. Each gets the type its value has (inferred as the type
    checker does); nothing else changes. Raises RulesError if the copy still does not load."""
    from engine.errors import Problem
    from engine.expressions.types import Type, infer
    from engine.parameters import load_parameters
    from engine.rulesets.loader import load_ruleset
    from engine.rulesets.registry import AUTHORITY_FOLDERS, PARAMETER_FOLDER, load_rulebase
    from engine.rulesets.typecheck import type_env

    shutil.copytree(rules, dest)
    for file in (f for folder in AUTHORITY_FOLDERS for f in (dest / folder).glob("*.yaml")):
        _date_citations(file)
    problems: list[Problem] = []
    files = [f for folder in AUTHORITY_FOLDERS for f in sorted((dest / folder).glob("*.yaml"))]
    loaded = [(f, load_ruleset(f, problems)) for f in files]
    rulesets = [rs for _, rs in loaded if rs is not None]
    env = type_env(rulesets, load_parameters(dest / PARAMETER_FOLDER, problems))
    untyped = [(f, d) for f, rs in loaded if rs is not None for d in rs.derived if d.type is None]
    # a text constant per definition (regie: 'uwv' or 'gemeente') is an enumeration of them
    literals: dict[str, list[str]] = {}
    for _, d in untyped:
        t, _found = infer(d.value, env)
        if t.kind == "text" and isinstance(t.literal, str):
            literals.setdefault(d.id, []).append(t.literal)
    env |= {n: Type("enum", values=tuple(dict.fromkeys(v))) for n, v in literals.items()}
    while True:  # a value may read another derived fact: infer until nothing more is learnt
        learnt = False
        for _, d in untyped:
            if d.id not in env:
                t, found = infer(d.value, env)
                if not found and t.kind not in ("any", "text"):
                    env[d.id], learnt = t, True
        if not learnt:
            break
    for file in {f for f, _ in untyped}:
        lines = file.read_text(encoding="utf-8").splitlines(keepends=True)
        for _, d in sorted(
            ((f, d) for f, d in untyped if f == file and d.id in env),
            key=lambda fd: -(fd[1].line or 0),
        ):
            t = env[d.id]
            at = (d.line or 1) - 1  # the `- id:` line of the derived fact
            indent = " " * (len(lines[at]) - len(lines[at].lstrip(" -")))
            extra = f"{indent}values: [{', '.join(t.values)}]\n" if t.kind == "enum" else ""
            lines.insert(at + 1, f"{indent}type: {t.kind}\n{extra}")
        file.write_text("".join(lines), encoding="utf-8")
    load_rulebase(dest)
    return dest


def _date_citations(file: Path) -> None:
    """Citations then had no `text_date`, which is now required (issue 24): the rule set's
    valid_from stands in for the text read, as it did for the shipped rules without one."""
    text = file.read_text(encoding="utf-8")
    found = re.search(r"^valid_from: (\d{4}-\d{2}-\d{2})", text, re.MULTILINE)
    if found is None:
        return
    dated = re.sub(
        r"^([ \t]*source: \{(?:(?!text_date)[^}])*)\}[ \t]*$",
        rf"\1, text_date: {found.group(1)}}}",
        text,
        flags=re.MULTILINE,
    )
    file.write_text(dated, encoding="utf-8")
