"""What the routes share, built once at startup, and the dependencies that hand it out."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from adversarial_mlops.config import PipelineConfig

from .errors import ApiError
from .settings import TOKEN_ENV_VAR, ApiSettings

NO_TOKEN_MESSAGE = (f"this endpoint is disabled because the server has no API token: restart it with "
                    f"{TOKEN_ENV_VAR}=<a long random secret> in its environment, then send "
                    f"'Authorization: Bearer <that secret>'")
bearer = HTTPBearer(auto_error=False, description=f"token from ${TOKEN_ENV_VAR}")


@dataclass(frozen=True)
class ApiContext:
    """The server's config (loaded once), Dagster instance, loop launcher and champion holder."""

    settings: ApiSettings
    config: PipelineConfig
    instance: Any  # dagster.DagsterInstance
    launcher: Any  # dagster_defs.launcher.LoopLauncher
    holder: Any  # models.serving.ChampionHolder

    @property
    def assets_dir(self) -> Path:
        return self.config.resolved_state_dir() / "assets"

    @property
    def registry(self):
        return self.holder.registry

    def serving_version(self) -> str | None:
        loaded = self.holder.loaded
        return loaded.version if loaded else None

    def in_flight_run(self) -> str | None:
        holder = self.launcher.running()
        return holder.run_id if holder else None


def get_context(request: Request) -> ApiContext:
    return request.app.state.context


def require_token(request: Request, credentials: Optional[HTTPAuthorizationCredentials] = Depends(bearer)) -> None:
    """Bearer-token auth for the endpoints that change state (trigger, rollback)."""
    token = get_context(request).settings.token
    if not token:
        raise ApiError(403, NO_TOKEN_MESSAGE)
    if credentials is None:
        sent = request.headers.get("authorization")
        raise ApiError(401, "missing 'Authorization: Bearer <token>' header" if not sent
                       else "the Authorization header must be 'Bearer <token>'")
    if not hmac.compare_digest(credentials.credentials.encode("utf-8", "surrogateescape"),
                               token.encode("utf-8", "surrogateescape")):
        raise ApiError(401, f"invalid API token; send the value of {TOKEN_ENV_VAR} as 'Bearer <token>'")
