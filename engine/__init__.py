"""Arrangeur's engine: `check(placement)` returns the harmonised arrangement.

The faces (CLI, HTTP API) live in `api/`; analysis and trajectories use `check`, never the
compiler's insides.
"""

from engine.arrangement import Engine, check, parse_placement
from engine.rulesets.registry import load_rulebase

__all__ = ["Engine", "check", "load_rulebase", "parse_placement"]
