"""The security settings, from the environment (docs/security.md lists them)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from api.settings import Settings, load_settings
from engine.storage.database import default_path


def secret_key_file() -> Path:
    return default_path().parent / "secret_key"


def _secret_key(configured: str | None) -> str:
    """ARRANGEUR_SECRET_KEY, else a random key kept in the data folder (mode 0600), made once
    so every worker of one server signs and reads the same cookies."""
    key = (configured or "").strip()
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
    def from_settings(cls, settings: Settings) -> SecuritySettings:
        """The security part of the one settings model (api/settings.py)."""
        oidc = None
        issuer = (settings.oidc_issuer or "").strip().rstrip("/")
        if issuer:
            oidc = OidcSettings(
                issuer,
                settings.oidc_client_id,
                settings.oidc_client_secret,
                settings.oidc_organisation_claim,
                settings.oidc_username_claim,
                settings.oidc_label,
            )
        return cls(
            allowed_hosts=tuple(settings.allowed_hosts),
            public_checks=settings.public_checks,
            secret_key=_secret_key(settings.secret_key),
            secure_cookies=settings.secure_cookies,
            idle_minutes=settings.session_idle_minutes,
            absolute_minutes=settings.session_max_minutes,
            oidc=oidc,
        )

    @classmethod
    def from_environment(cls) -> SecuritySettings:
        return cls.from_settings(load_settings())
