"""Harmonisation analysis of a region: a user of the public `check`, never of the compiler."""

from engine.analysis.model import HarmonisationReport
from engine.analysis.report import DEFAULT_PROFILES, Options, harmonisation, resolve_region

__all__ = ["DEFAULT_PROFILES", "HarmonisationReport", "Options", "harmonisation", "resolve_region"]
