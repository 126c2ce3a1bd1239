"""Arrangeur's engine: `check(placement)` returns the harmonised arrangement.

The faces (CLI, HTTP API) live in `api/`; analysis and trajectories use `check`, never the
compiler's insides.

The names below are loaded on first use (PEP 562), not when the package is imported: importing
a leaf such as `engine.dates` or `engine.expressions` must not load the whole pipeline, and the
package itself then sits above every module in it instead of in a cycle with them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.arrangement import Engine, check, parse_placement
    from engine.rulesets.registry import load_rulebase

__all__ = ["Engine", "check", "load_rulebase", "parse_placement"]

_HOMES = {
    "Engine": "engine.arrangement",
    "check": "engine.arrangement",
    "parse_placement": "engine.arrangement",
    "load_rulebase": "engine.rulesets.registry",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
