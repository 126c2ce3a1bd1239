"""Every ARRANGEUR_* setting in one model (docs/cli-and-api.md, "Settings").

One behaviour for a bad value: `load_settings` refuses it with a Dutch SettingError naming the
variable (the CLI prints it and exits with 2; a server does not start). Engine modules take their
values as arguments; the faces read them here and pass them in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Request
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from engine.errors import SettingError
from engine.model import dutch

PREFIX = "ARRANGEUR_"


class Settings(BaseSettings):
    """What one server (or command) runs with; each field is ARRANGEUR_<FIELD NAME>."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, extra="ignore", env_ignore_empty=True, frozen=True
    )

    rules: Path | None = Field(None, description="map met regels (standaard: rules/)")
    database_url: str | None = Field(
        None, description="SQLAlchemy-URL van caseload en taken (standaard: een SQLite-bestand)"
    )
    admin_token: str | None = Field(None, description="token voor POST /v1/admin/reload")
    # limits on what a request may cost (api/limits.py)
    max_body_bytes: int = Field(1024 * 1024, ge=1, description="grootste verzoek in bytes")
    max_sync_profiles: int = Field(2_000, ge=1, description="profielen per directe vergelijking")
    max_job_profiles: int = Field(20_000, ge=1, description="profielen per taak")
    max_running_jobs: int = Field(1, ge=1, description="taken die tegelijk rekenen")
    max_queued_jobs: int = Field(3, ge=0, description="taken in de wachtrij")
    job_abandon_s: float = Field(
        60.0, gt=0, description="seconden zonder vraag naar een taak voor die stopt"
    )
    job_workers: int = Field(1, ge=1, description="processen per lopende taak")
    # the engine's caches (engine/network_cache.py, engine/runtime.py)
    network_cache: int = Field(512, ge=1, description="gecompileerde netwerken in het geheugen")
    warm_states: int = Field(512, ge=0, description="netwerken die hun sessie warm houden")
    outcome_cache: bool = Field(False, description="antwoorden per uitkomst bewaren (issue 26)")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="logniveau van de server"
    )
    # for the security face (engine/accounts, login, trusted hosts)
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.1", "localhost"],
        description="hostnamen die de server beantwoordt (komma-gescheiden)",
    )
    public_checks: bool = Field(False, description="checks zonder inloggen toestaan")
    secret_key: str | None = Field(None, description="sleutel voor sessies en CSRF")
    secure_cookies: bool = Field(False, description="cookies alleen over HTTPS")
    session_idle_minutes: int = Field(
        30, ge=1, description="minuten stilte voor de sessie verloopt"
    )
    session_max_minutes: int = Field(600, ge=1, description="sessie verloopt hoe dan ook na")
    # an organisation's identity provider (OpenID Connect; docs/security.md)
    oidc_issuer: str | None = Field(None, description="issuer-URL van de identity provider")
    oidc_client_id: str = Field("", description="client-id bij de identity provider")
    oidc_client_secret: str = Field("", description="client-secret bij de identity provider")
    oidc_organisation_claim: str = Field("organisation", description="claim met de organisatie")
    oidc_username_claim: str = Field("preferred_username", description="claim met de gebruiker")
    oidc_label: str = Field("Inloggen via uw organisatie", description="tekst op de inlogknop")

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [h.strip() for h in value.split(",") if h.strip()]
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


def env_name(field: str) -> str:
    return f"{PREFIX}{field.upper()}"


def load_settings(**overrides: Any) -> Settings:
    """The environment's settings (with `overrides`), or SettingError naming the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = env_name(str(first["loc"][0])) if first["loc"] else PREFIX + "*"
        shown = repr(first.get("input"))[:80]
        text = dutch(dict(first))
        raise SettingError(f"{name}={shown}: {text}") from None


def get_settings(request: Request) -> Settings:
    """FastAPI dependency: the settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings
