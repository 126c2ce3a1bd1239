"""Gemeenten grouped by what they give: the largest group is the norm, the rest deviate."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence


def partition(values: Mapping[str, Hashable], order: Sequence[str]) -> list[list[str]]:
    """Gemeenten with equal values together; largest group first, ties by region order."""
    groups: dict[Hashable, list[str]] = {}
    for code in order:
        groups.setdefault(values[code], []).append(code)
    return sorted(groups.values(), key=lambda g: (-len(g), order.index(g[0])))


def deviating(groups: list[list[str]]) -> list[str]:
    """The codes outside the largest group (all of them if no group is larger than one)."""
    if len(groups) <= 1:
        return []
    if len(groups[0]) == 1:
        return sorted(code for g in groups for code in g)
    return sorted(code for g in groups[1:] for code in g)
