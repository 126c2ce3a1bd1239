"""The rule base: every rule set with its versions, the catalogue, parameters and geography.

Loading is all or nothing: any problem in any file raises RulesError listing all problems, so a
broken rule set never replaces a good one (callers keep the rule base they had).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from engine.catalogue import Catalogue, load_catalogue
from engine.errors import Problem, RulesError
from engine.expressions import Node, Not, names
from engine.expressions.normal_form import condition_problem, is_param
from engine.facts import INPUT_FACTS
from engine.geography import Geography, load_geography
from engine.parameters import Parameters, load_parameters
from engine.rulesets.dekking import FILE_NAME as DEKKING_FILE
from engine.rulesets.dekking import CoverageNote, load_dekking
from engine.rulesets.loader import Rule, RuleSet, load_ruleset
from engine.rulesets.typecheck import check_rulebase_types

# Rules and derived facts in the whole rule base; the shipped rules have 220 (163 rules, 57
# derived facts). Each costs a few milliseconds to validate and a place in every network.
MAX_RULES_TOTAL = 5_000
# All YAML files under rules/ together (shipped: 78 files, 353 KB): each file is bounded on its
# own (engine.yamlio), this bounds their number; checked before any file is read.
MAX_RULEBASE_BYTES = 10 * 1024 * 1024

AUTHORITY_FOLDERS = {"uwv": "uwv", "rijk": "rijk", "gemeenten": "gemeente", "regio": "regio"}


def _shipped_rules() -> Path:
    """The rules that ship with Arrangeur: `engine/rules/` in an installed wheel (setup.py maps
    the repository's top-level `rules/` there), else the checkout's `rules/` (editable install)."""
    installed = resources.files("engine").joinpath("rules")
    if isinstance(installed, Path) and (installed / "catalogus.yaml").is_file():
        return installed.resolve()
    return Path(__file__).resolve().parents[2] / "rules"


DEFAULT_RULES = _shipped_rules()


@dataclass(frozen=True)
class RuleBase:
    root: Path
    rulesets: tuple[RuleSet, ...]
    catalogue: Catalogue
    parameters: Parameters
    geography: Geography
    # rules/dekking.yaml: where local rules were looked for and not found (no rule set)
    coverage_notes: tuple[CoverageNote, ...] = ()

    def versions(self, ruleset_id: str) -> list[RuleSet]:
        return sorted(
            (rs for rs in self.rulesets if rs.id == ruleset_id), key=lambda rs: rs.valid_from
        )

    def in_force(self, authority: str, when: date) -> list[RuleSet]:
        return [rs for rs in self.rulesets if rs.authority == authority and rs.in_force(when)]

    def by_id(self, ruleset_id: str, when: date) -> RuleSet | None:
        return next((rs for rs in self.versions(ruleset_id) if rs.in_force(when)), None)


def load_rulebase(root: Path | None = None) -> RuleBase:
    """Load and validate everything under `root`; raises RulesError naming every problem."""
    root = (root or DEFAULT_RULES).resolve()
    problems: list[Problem] = []
    if not root.is_dir():
        raise RulesError([Problem(str(root), None, None, "map met regels niet gevonden")])
    problems.extend(stray_files(root))
    size = sum(f.stat().st_size for f in root.rglob("*.yaml") if f.is_file())
    if size > MAX_RULEBASE_BYTES:
        problems.append(
            Problem(
                str(root),
                None,
                None,
                f"de regelbestanden zijn samen {size / 2**20:.1f} MB; de grens is "
                f"{MAX_RULEBASE_BYTES // 2**20} MB".replace(".", ","),
            )
        )
        raise RulesError(problems)
    catalogue = load_catalogue(root / "catalogus.yaml", problems)
    before = len(problems)
    parameters = load_parameters(root / PARAMETER_FOLDER, problems)
    params_broken = len(problems) > before  # then "unknown parameter" would be noise
    geography = load_geography(root / "geografie.yaml", problems)
    rulesets: list[RuleSet] = []
    broken: list[dict] = []  # what a broken file would have defined, to avoid follow-up noise
    total = 0
    for folder, kind in sorted(AUTHORITY_FOLDERS.items()):
        for file in sorted((root / folder).glob("*.yaml")):
            raw: list = []
            rs = load_ruleset(file, problems, raw)
            if rs is None:
                broken.append(raw[0] if raw and isinstance(raw[0], dict) else {})
                continue
            total += len(rs.rules) + len(rs.derived)
            if total > MAX_RULES_TOTAL:  # the rest would only take time: stop here
                problems.append(
                    Problem(
                        rs.file,
                        rs.line(("rules",)),
                        rs.id,
                        f"de regelbasis heeft met dit bestand meer dan {MAX_RULES_TOTAL:,} regels "
                        "en afgeleide feiten (de grens)".replace(",", "."),
                    )
                )
                raise RulesError(problems)
            if rs.authority.split(":")[0] != kind:
                problems.append(
                    Problem(
                        rs.file,
                        rs.line(("authority",)),
                        rs.id,
                        f"authority {rs.authority!r} hoort niet in rules/{folder}/",
                    )
                )
            rulesets.append(rs)
    rulesets.sort(key=lambda rs: (rs.authority, rs.id, rs.valid_from))
    _check_semantics(rulesets, catalogue, parameters, geography, problems, broken, params_broken)
    notes = load_dekking(root / DEKKING_FILE, problems)
    _check_notes(root / DEKKING_FILE, notes, geography, problems)
    if problems:
        raise RulesError(problems)
    return RuleBase(root, tuple(rulesets), catalogue, parameters, geography, notes)


def _check_notes(
    file: Path, notes: tuple[CoverageNote, ...], geography: Geography, problems: list[Problem]
) -> None:
    """Every entry of dekking.yaml names a region or gemeente that exists."""
    for note in notes:
        kind, _, key = note.authority.partition(":")
        known = geography.regio(key) if kind == "regio" else geography.by_code(key)
        if known is None:
            what = "arbeidsmarktregio" if kind == "regio" else "gemeente"
            problems.append(
                Problem(str(file), note.line, note.authority, f"onbekende {what} {key!r}")
            )


PARAMETER_FOLDER = "rijk/parameters"
TOP_FILES = ("catalogus.yaml", "geografie.yaml", DEKKING_FILE)
DOCUMENTATION = ".md"  # README.md and other notes: the only files under rules/ not loaded


def stray_files(root: Path) -> list[Problem]:
    """Every file under `root` that would not be loaded: nothing is skipped in silence."""
    folders = {*AUTHORITY_FOLDERS, PARAMETER_FOLDER}
    allowed = ", ".join(f"{f}/" for f in sorted(folders))
    problems: list[Problem] = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_dir():
            parent = rel.rsplit("/", 1)[0] if "/" in rel else ""
            if rel not in folders and (not parent or parent in folders):
                problems.append(
                    Problem(
                        f"{path}/", None, None, f"onbekende map: regelbestanden staan in {allowed}"
                    )
                )
            continue
        folder = rel.rsplit("/", 1)[0] if "/" in rel else ""
        if folder and folder not in folders:
            continue  # inside an unknown folder: reported once, above
        if path.name.endswith(DOCUMENTATION):
            continue
        if path.suffix == ".yaml" and (folder or path.name in TOP_FILES):
            continue
        if path.suffix.lower() in (".yaml", ".yml") and path.suffix != ".yaml":
            message = f"regelbestanden eindigen op .yaml: hernoem naar {path.stem}.yaml"
        elif not folder and path.suffix == ".yaml":
            message = f"onbekend bestand: regelbestanden staan in {allowed}"
        else:
            message = (
                "geen regelbestand: onder rules/ horen alleen .yaml-regelbestanden en .md-notities"
            )
        problems.append(Problem(str(path), None, None, message))
    return problems


def coverage_gaps(rb: RuleBase, when: date) -> list[str]:
    """Gemeenten that lie in a region with regional rules but get none of them on `when`: no
    rule set of their own (which would adopt the regional one) and no region-wide set
    (`applies_to: regio`). Their candidates get only the national instruments; a deleted
    gemeente file shows up here rather than only as a notice on each check."""
    in_force = [rs for rs in rb.rulesets if rs.in_force(when)]
    own = {rs.authority.removeprefix("gemeente:") for rs in in_force}
    region_wide = {
        rs.authority.removeprefix("regio:") for rs in in_force if rs.applies_to == "regio"
    }
    regional = {
        rs.authority.removeprefix("regio:")
        for rs in rb.rulesets
        if rs.authority.startswith("regio:") and rs.rules
    }
    out: list[str] = []
    for regio in rb.geography.regios:
        if regio.id not in regional or regio.id in region_wide:
            continue
        missing = sorted(
            g.naam
            for g in rb.geography.gemeenten
            if g.regio == regio.id and g.exists_on(when) and g.code not in own
        )
        if missing:
            out.append(
                f"regio {regio.naam}: geen gemeentelijke regelset op {when} voor "
                f"{', '.join(missing)}"
            )
    return out


def _check_semantics(
    rulesets: list[RuleSet],
    catalogue: Catalogue,
    parameters: Parameters,
    geography: Geography,
    problems: list[Problem],
    broken: list[dict],
    params_broken: bool = False,
) -> None:
    derived_owner, derived_inputs = _derived_facts(rulesets, problems)
    known_facts = set(INPUT_FACTS) | set(derived_owner) | _derived_ids(broken)
    # A file that is not even YAML may define anything: leave "unknown" checks until it is fixed.
    unreadable = any(not b for b in broken)
    param_names = None if params_broken else set(parameters.params)
    fact_names = None if unreadable else known_facts
    absent_ok = frozenset(INPUT_FACTS)  # the network is told which inputs a placement left out
    sample_params = {f"param.{n}": p.values[-1] or 0 for n, p in parameters.params.items()}

    def check_names(rs: RuleSet, node: Node, line: int | None, rid: str) -> None:
        unknown = _unknown_names(node, param_names, fact_names)
        problems.extend(Problem(rs.file, line, rid, message) for message in unknown)

    for rs in rulesets:
        _check_header(rs, geography, problems)
        for d in rs.derived:
            rid = f"{rs.id}/{d.id}"
            check_names(rs, d.value, d.line, rid)
            if d.when is not None:
                check_names(rs, d.when, d.line, rid)
                why = condition_problem(d.when, sample_params, absent_ok)
                if why:
                    problems.append(Problem(rs.file, d.line, rid, why))
        for r in rs.rules:
            if r.instrument not in catalogue.instruments:
                problems.append(
                    Problem(
                        rs.file, r.line, r.qualified_id, f"onbekend instrument {r.instrument!r}"
                    )
                )
            check_names(rs, r.when, r.line, r.qualified_id)
            why = _rule_condition_problem(r, sample_params, absent_ok)
            if why:
                problems.append(Problem(rs.file, r.line, r.qualified_id, why))
            for node in _computed(r):
                check_names(rs, node, r.line, r.qualified_id)
            for part in (r.aanvraag or {}).values():
                if part.date is not None:
                    check_names(rs, part.date, r.line, r.qualified_id)
        _check_aanvraag(rs, catalogue, problems, check_names)
    if not unreadable:
        check_rulebase_types(rulesets, parameters, problems)
    _check_versions(rulesets, problems)
    if not unreadable:
        _check_adopts(rulesets, problems, {b["id"] for b in broken if isinstance(b.get("id"), str)})
    _check_cycles(derived_inputs, derived_owner, rulesets, problems)


def _check_aanvraag(
    rs: RuleSet, catalogue: Catalogue, problems: list[Problem], check_names: Callable
) -> None:
    """A rule set's `aanvraag` per instrument: only for instruments of the catalogue, and a
    deadline's date may read only known facts and parameters."""
    for instrument, spec in rs.aanvraag.items():
        line = rs.line(("aanvraag", instrument))
        rid = f"{rs.id}/aanvraag/{instrument}"
        if instrument not in catalogue.instruments:
            problems.append(Problem(rs.file, line, rid, f"onbekend instrument {instrument!r}"))
        for part in spec.values():
            if part.date is not None:
                check_names(rs, part.date, line, rid)


def _unknown_names(
    node: Node, param_names: set[str] | None, fact_names: set[str] | None
) -> list[str]:
    """The parameters and facts `node` reads that are not known; None: do not check those."""
    out = []
    for n in sorted(names(node)):
        if is_param(n):
            if param_names is not None and n[len("param.") :] not in param_names:
                out.append(f"onbekende parameter {n!r}")
        elif fact_names is not None and n not in fact_names:
            out.append(f"onbekend feit {n!r}")
    return out


def _derived_ids(broken: list[dict]) -> set[str]:
    """The derived facts files that failed validation would define: known, to avoid noise."""
    return {
        d["id"]
        for b in broken
        for d in _list(b.get("derived"))
        if isinstance(d, dict) and isinstance(d.get("id"), str)
    }


def _computed(rule: Rule) -> list[Node]:
    """The expressions of a rule's amounts and computed parameters."""
    params = [v for v in rule.params.values() if not isinstance(v, str | int | float | bool)]
    return [*(a.eur for a in rule.amounts), *params]


def _rule_condition_problem(
    rule: Rule, sample_params: dict[str, Any], absent_ok: frozenset[str]
) -> str | None:
    """Why the network cannot match a rule's condition or, unless it excludes, its negation."""
    why = condition_problem(rule.when, sample_params, absent_ok)
    if not why and rule.then != "excluded":  # the network also matches its refutation
        why = condition_problem(Not(rule.when), sample_params, absent_ok)
        why = why and f"de ontkenning (om een afwijzing uit te leggen): {why}"
    return why


def _derived_facts(
    rulesets: list[RuleSet], problems: list[Problem]
) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Which rule set defines each derived fact, and the names each one reads; a fact defined
    twice, or shadowing an input fact, is a problem."""
    derived_owner: dict[str, str] = {}
    derived_inputs: dict[str, set[str]] = defaultdict(set)
    for rs in rulesets:
        for d in rs.derived:
            owner = derived_owner.setdefault(d.id, rs.id)
            if owner != rs.id:
                problems.append(
                    Problem(
                        rs.file,
                        d.line,
                        f"{rs.id}/{d.id}",
                        f"afgeleid feit al gedefinieerd door {owner}",
                    )
                )
            if d.id in INPUT_FACTS:
                problems.append(
                    Problem(rs.file, d.line, f"{rs.id}/{d.id}", "heeft de naam van een invoerfeit")
                )
            derived_inputs[d.id] |= names(d.value) | (names(d.when) if d.when else set())
    return derived_owner, derived_inputs


def _check_header(rs: RuleSet, geography: Geography, problems: list[Problem]) -> None:
    """The rule set's own fields: sources, who it applies to, who carries it out."""
    if not rs.sources:
        problems.append(
            Problem(rs.file, rs.line(("sources",)), rs.id, "regelset zonder bron (sources)")
        )
    if rs.applies_to and not rs.authority.startswith("regio:"):
        problems.append(
            Problem(
                rs.file,
                rs.line(("applies_to",)),
                rs.id,
                "alleen een regionale regelset geldt voor de hele regio (applies_to: regio)",
            )
        )
    if rs.carried_out_by and rs.authority not in ("rijk", "uwv"):
        problems.append(
            Problem(
                rs.file,
                rs.line(("carried_out_by",)),
                rs.id,
                "alleen landelijke wetgeving voert de woongemeente uit (carried_out_by)",
            )
        )
    if rs.authority.startswith("gemeente:") and not geography.by_code(rs.authority[9:]):
        problems.append(
            Problem(rs.file, rs.line(("authority",)), rs.id, f"onbekende gemeente {rs.authority}")
        )


def _check_versions(rulesets: list[RuleSet], problems: list[Problem]) -> None:
    by_id: dict[str, list[RuleSet]] = defaultdict(list)
    for rs in rulesets:
        by_id[rs.id].append(rs)
    for rs_id, versions in by_id.items():
        authorities = {v.authority for v in versions}
        if len(authorities) > 1:
            v = versions[0]
            problems.append(
                Problem(
                    v.file,
                    v.line(("authority",)),
                    rs_id,
                    "de versies noemen verschillende instanties (authority)",
                )
            )
        versions.sort(key=lambda v: v.valid_from)
        seen_versions: set[str] = set()
        for v in versions:
            if v.version in seen_versions:
                problems.append(
                    Problem(
                        v.file,
                        v.line(("version",)),
                        rs_id,
                        f"versie {v.version} komt twee keer voor",
                    )
                )
            seen_versions.add(v.version)
        for a, b in zip(versions, versions[1:], strict=False):
            if a.valid_to is None or a.valid_to >= b.valid_from:
                problems.append(
                    Problem(
                        b.file,
                        b.line(("valid_from",)),
                        rs_id,
                        f"geldigheid overlapt met versie {a.version} ({a.file}: "
                        f"{a.valid_from} t/m {a.valid_to or 'heden'})",
                    )
                )


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _check_adopts(rulesets: list[RuleSet], problems: list[Problem], broken: set) -> None:
    regional = {rs.id for rs in rulesets if rs.authority.startswith("regio:")} | broken
    for rs in rulesets:
        for adopted in rs.adopts:
            if not rs.authority.startswith("gemeente:"):
                problems.append(
                    Problem(
                        rs.file,
                        rs.line(("adopts",)),
                        rs.id,
                        "alleen een gemeente neemt regionale regels over (adopts)",
                    )
                )
            elif adopted not in regional:
                problems.append(
                    Problem(
                        rs.file,
                        rs.line(("adopts",)),
                        rs.id,
                        f"onbekende regionale regelset {adopted!r}",
                    )
                )


def _check_cycles(
    inputs: dict[str, set[str]],
    owner: dict[str, str],
    rulesets: list[RuleSet],
    problems: list[Problem],
) -> None:
    files = {rs.id: rs.file for rs in rulesets}
    state: dict[str, int] = {}

    def visit(fact: str, trail: list[str]) -> None:
        if state.get(fact) == 2:
            return
        if state.get(fact) == 1:
            cycle = " → ".join([*trail[trail.index(fact) :], fact])
            problems.append(
                Problem(
                    files[owner[fact]], None, fact, f"afgeleide feiten vormen een kring: {cycle}"
                )
            )
            return
        state[fact] = 1
        for dep in sorted(inputs.get(fact, ())):
            if dep in inputs:
                visit(dep, [*trail, fact])
        state[fact] = 2

    for fact in sorted(inputs):
        visit(fact, [])
