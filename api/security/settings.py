"""The security settings, from the environment (docs/security.md lists them)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from engine.caseload.database import default_path


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "ja")


def _minutes(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else default


def secret_key_file() -> Path:
    return default_path().parent / "secret_key"


def _secret_key() -> str:
    """ARRANGEUR_SECRET_KEY, else a random key kept in the data folder (mode 0600), made once
    so every worker of one server signs and reads the same cookies."""
    key = os.environ.get("ARRANGEUR_SECRET_KEY", "").strip()
    if key:
        return key
    path = secret_key_file()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:  # exclusive create: two workers starting at once agree
        f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


@dataclass(frozen=True)
class OidcSettings:
    """An organisation's identity provider (OpenID Connect, authorization code with PKCE)."""

    issuer: str
    client_id: str
    client_secret: str = field(default="", repr=False)
    organisation_claim: str = "organisation"  # must name the user's organisation (its slug)
    username_claim: str = "preferred_username"  # must name an Arrangeur user
    label: str = "Inloggen via uw organisatie"


@dataclass(frozen=True)
class SecuritySettings:
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost")
    public_checks: bool = False
    secret_key: str = field(default="", repr=False)
    secure_cookies: bool = False
    idle_minutes: int = 30
    absolute_minutes: int = 600
    oidc: OidcSettings | None = None

    @classmethod
    def from_environment(cls) -> SecuritySettings:
        hosts = os.environ.get("ARRANGEUR_ALLOWED_HOSTS", "127.0.0.1,localhost")
        issuer = os.environ.get("ARRANGEUR_OIDC_ISSUER", "").strip().rstrip("/")
        oidc = None
        if issuer:
            oidc = OidcSettings(
                issuer,
                os.environ.get("ARRANGEUR_OIDC_CLIENT_ID", ""),
                os.environ.get("ARRANGEUR_OIDC_CLIENT_SECRET", ""),
                os.environ.get("ARRANGEUR_OIDC_ORGANISATION_CLAIM", "organisation"),
                os.environ.get("ARRANGEUR_OIDC_USERNAME_CLAIM", "preferred_username"),
                os.environ.get("ARRANGEUR_OIDC_LABEL", "Inloggen via uw organisatie"),
            )
        return cls(
            allowed_hosts=tuple(h.strip() for h in hosts.split(",") if h.strip()),
            public_checks=_flag("ARRANGEUR_PUBLIC_CHECKS"),
            secret_key=_secret_key(),
            secure_cookies=_flag("ARRANGEUR_SECURE_COOKIES"),
            idle_minutes=_minutes("ARRANGEUR_SESSION_IDLE_MINUTES", 30),
            absolute_minutes=_minutes("ARRANGEUR_SESSION_MAX_MINUTES", 600),
            oidc=oidc,
        )
