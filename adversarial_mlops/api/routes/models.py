"""Model versions: list, show, the champion, rollback."""

from __future__ import annotations

import logging
from typing import Optional

from fastapi import APIRouter, Body, Depends, Path

from adversarial_mlops.models.serving import NO_CHAMPION_MESSAGE

from ..context import ApiContext, get_context, require_token
from ..errors import ApiError, clean_json
from ..openapi import AUTH_ERRORS, REGISTRY_CONFLICT, REQUEST_BODY_ERRORS, SERVER_ERROR, VALIDATION_ERROR, responses
from ..schemas import (VERSION_ID_SCHEMA_PATTERN, ChampionInfo, ModelList, ModelVersionInfo, RollbackRequest,
                       RollbackResponse)

log = logging.getLogger("adversarial_mlops.api")
router = APIRouter(prefix="/models", tags=["models"])


def version_dict(version, champion: str | None) -> dict:
    return clean_json({"version": version.version, "is_champion": version.version == champion,
                       "created_at": version.created_at, "metrics": version.metrics, "info": version.info})


@router.get("", response_model=ModelList, responses=responses(REGISTRY_CONFLICT, SERVER_ERROR))
def list_models(context: ApiContext = Depends(get_context)) -> dict:
    """All versions (oldest first) with metrics and the champion flag, plus the history log."""
    champion = context.registry.champion()
    name = champion.version if champion else None
    return {"champion": name, "serving": context.serving_version(),
            "versions": [version_dict(v, name) for v in context.registry.list_versions()],
            "history": clean_json(context.registry.history())}


@router.get("/champion", response_model=ChampionInfo,
            responses=responses(REGISTRY_CONFLICT, SERVER_ERROR, {404: "no champion yet: run the loop"}))
def get_champion(context: ApiContext = Depends(get_context)) -> dict:
    """The champion version with its metrics."""
    champion = context.registry.champion()
    if champion is None:
        raise ApiError(404, NO_CHAMPION_MESSAGE)
    return {**version_dict(champion, champion.version), "serving": context.serving_version()}


@router.get("/{version}", response_model=ModelVersionInfo,
            responses=responses(REGISTRY_CONFLICT, SERVER_ERROR, VALIDATION_ERROR, {404: "unknown version"}))
def get_model(version: str = Path(description="a version id such as v0001 (malformed: 422)",
                                  json_schema_extra={"pattern": VERSION_ID_SCHEMA_PATTERN}),
              context: ApiContext = Depends(get_context)) -> dict:
    """One version: metrics and training info."""
    champion = context.registry.champion()
    return version_dict(context.registry.get(version), champion.version if champion else None)


@router.post("/rollback", response_model=RollbackResponse, dependencies=[Depends(require_token)],
             responses=responses(REQUEST_BODY_ERRORS, AUTH_ERRORS, VALIDATION_ERROR, SERVER_ERROR, {
                 404: "unknown to_version",
                 409: "nothing to roll back to (no champion, no earlier one), to_version is already the champion, "
                      "or it fails its integrity check"}))
def rollback(request: Optional[RollbackRequest] = Body(None), context: ApiContext = Depends(get_context)) -> dict:
    """Make the previous champion (or ``to_version``) the champion again; /predict follows at once."""
    request = request or RollbackRequest()
    reason = request.reason or "rollback via the REST API"
    before = context.registry.champion()
    target = context.registry.rollback(request.to_version, reason=reason)
    # Load it before answering: once this returns, /predict answers with the new champion
    # (if the load fails, the old model keeps answering and "serving" says so).
    try:
        context.holder.refresh()
    except Exception as error:  # noqa: BLE001 - the rollback itself succeeded
        log.error("champion %s not loaded after rollback: %s", target.version, error)
    return {"champion": target.version, "previous": before.version if before else None,
            "reason": reason, "serving": context.serving_version()}
