"""A rule base as one value: every file under the rules folder, with a content hash.

A process that must use the same rules as another (a sweep worker, a Dask worker, a job) gets
the bundle, checks its hash, unpacks it into a private folder of its own and loads from there.
No folder shared between processes or users is ever trusted.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from engine.errors import Problem, RulesError
from engine.rulesets.registry import RuleBase, load_rulebase

_LOADED: dict[Path, RulesBundle] = {}  # private root of a loaded rule base -> its bundle
MAX_BUNDLE_BYTES = 64 * 1024 * 1024  # far above the real rules (~0.3 MB), far below harm


@dataclass(frozen=True)
class RulesBundle:
    name: str  # the rules folder's own name, so reported files still read rules/gemeenten/...
    files: tuple[tuple[str, bytes], ...] = field(repr=False)  # (relative path, content), sorted
    digest: str

    def __hash__(self) -> int:
        return hash(self.digest)


def bundle_digest(files: tuple[tuple[str, bytes], ...]) -> str:
    h = hashlib.sha256()
    for rel, content in files:
        h.update(rel.encode("utf-8") + b"\0" + str(len(content)).encode() + b"\0" + content)
    return h.hexdigest()[:16]


def read_bundle(root: Path) -> RulesBundle:
    """Every regular file under `root` (all of them: the loader decides which are rules)."""
    root = root.resolve()
    if not root.is_dir():
        raise RulesError([Problem(str(root), None, None, "map met regels niet gevonden")])
    files = []
    size = 0
    for path in sorted(root.rglob("*")):
        if path.is_file():
            content = path.read_bytes()
            size += len(content)
            if size > MAX_BUNDLE_BYTES:
                raise RulesError(
                    [Problem(str(root), None, None, "map met regels is groter dan 64 MB")]
                )
            files.append((path.relative_to(root).as_posix(), content))
    frozen = tuple(files)
    return RulesBundle(root.name, frozen, bundle_digest(frozen))


def _mismatch(where: str, expected: str, found: str) -> RulesError:
    return RulesError(
        [
            Problem(
                where,
                None,
                None,
                f"inhoud van de regels klopt niet met de hash: verwacht {expected}, "
                f"gevonden {found}",
            )
        ]
    )


def unpack_bundle(bundle: RulesBundle, expected: str | None = None) -> Path:
    """Write the bundle into a fresh private folder (mode 0700) and check what was written.

    Raises RulesError when the bundle does not match `expected` or its own digest, before and
    after unpacking; the caller owns the folder (remove it with `discard`)."""
    want = expected or bundle.digest
    got = bundle_digest(bundle.files)
    if got != want or got != bundle.digest:
        raise _mismatch("(bundel)", want, got)
    private = Path(tempfile.mkdtemp(prefix="arrangeur-rules-"))
    root = private / (bundle.name or "rules")
    try:
        for rel, content in bundle.files:
            target = (root / rel).resolve()
            if not target.is_relative_to(root.resolve()):  # no ../ out of the private folder
                raise RulesError([Problem(rel, None, None, "bestandsnaam buiten de regelmap")])
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        written = read_bundle(root)
        if written.digest != want:
            raise _mismatch(str(root), want, written.digest)
    except BaseException:
        shutil.rmtree(private, ignore_errors=True)
        raise
    return root


def discard(root: Path) -> None:
    """Remove a folder made by unpack_bundle."""
    shutil.rmtree(root.parent, ignore_errors=True)


def load_bundle(
    bundle: RulesBundle, expected: str | None = None, origin: Path | None = None
) -> RuleBase:
    """Unpack into a private folder, verify, load and validate (RulesError on any problem).

    Everything is read while loading, so the folder is removed again at once; the rule base's
    file names keep pointing into it, which is why they read <folder>/rules/... ."""
    root = unpack_bundle(bundle, expected)
    try:
        rulebase = load_rulebase(root)
        _LOADED[rulebase.root] = bundle
        while len(_LOADED) > 8:  # the newest few: older rule bases are no longer served
            _LOADED.pop(next(iter(_LOADED)))
        return rulebase
    except RulesError as exc:  # name the files where they came from, not the private copy
        where = origin or Path(bundle.name)
        raise RulesError([_moved(p, root, where) for p in exc.problems]) from None
    finally:
        discard(root)


def bundle_of(rulebase: RuleBase) -> RulesBundle:
    """The bundle a rule base was loaded from: the one load_bundle used or, for a rule base
    loaded from a folder, that folder read again, checked against every rule set's hash."""
    known = _LOADED.get(rulebase.root)
    if known is not None:
        return known
    bundle = read_bundle(rulebase.root)
    files = dict(bundle.files)
    for rs in rulebase.rulesets:
        rel = Path(rs.file).resolve().relative_to(rulebase.root).as_posix()
        content = files.get(rel)
        if content is None or hashlib.sha256(content).hexdigest()[:16] != rs.content_hash:
            raise RulesError(
                [Problem(rs.file, None, rs.id, "gewijzigd sinds de regels zijn geladen")]
            )
    return bundle


def _moved(problem: Problem, root: Path, origin: Path) -> Problem:
    path = Path(problem.file)
    for base in (root, root.resolve()):
        if path.is_relative_to(base):
            return replace(problem, file=str(origin / path.relative_to(base)))
    return problem
