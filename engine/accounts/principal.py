"""Who is asking: a user of an organisation with roles, and the role hierarchy."""

from __future__ import annotations

from dataclasses import dataclass, field

# Each role includes the ones before it: beheerder ⊇ regelbeheerder ⊇ accountmanager ⊇ raadpleger
ROLES = ("raadpleger", "accountmanager", "regelbeheerder", "beheerder")
RANK = {role: i for i, role in enumerate(ROLES)}


@dataclass(frozen=True)
class Principal:
    username: str
    organisation: str  # the organisation's slug
    roles: frozenset[str]
    user_id: int | None = None
    authorities: tuple[str, ...] = ()
    via: str = "session"  # session | token | oidc | cli
    token_prefix: str | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def rank(self) -> int:
        return max((RANK[r] for r in self.roles if r in RANK), default=-1)

    def has(self, role: str) -> bool:
        """True when one of the roles is `role` or one above it."""
        return self.rank >= RANK[role]


CLI = Principal("cli", "lokaal", frozenset({"beheerder"}), via="cli")
