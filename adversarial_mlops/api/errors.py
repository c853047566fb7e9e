"""Errors as JSON: every answer's ``detail`` says what to fix; a project error's status is its type's."""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from adversarial_mlops.dagster_defs.launcher import LoopAlreadyRunning
from adversarial_mlops.errors import AdversarialMlopsError

log = logging.getLogger("adversarial_mlops.api")


class ApiError(Exception):
    """An answer decided by the API itself (auth, request limits), with its status."""

    def __init__(self, status: int, detail: str, **extra):
        super().__init__(detail)
        self.status, self.detail, self.extra = status, detail, extra


def clean_json(value: Any) -> Any:
    """NaN/inf → None, unknown objects → str: a response can always be serialised."""
    if isinstance(value, dict):
        return {str(k): clean_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [clean_json(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (str, int, bool)):
        return value
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        try:
            return clean_json(item())
        except (TypeError, ValueError):
            pass
    return str(value)


def describe_validation_error(error: RequestValidationError) -> tuple[str, list[dict]]:
    problems = []
    for item in error.errors():
        location = ".".join(str(part) for part in item.get("loc", ()) if part != "body") or "body"
        if item.get("type") == "json_invalid":
            problems.append({"loc": "body", "msg": f"request body is not valid JSON ({item.get('ctx', {}).get('error', 'parse error')})"})
        elif item.get("type") == "missing" and location == "body":
            problems.append({"loc": "body", "msg": "a JSON request body is required"})
        else:
            problems.append({"loc": location, "msg": str(item.get("msg", "invalid value"))})
    summary = "; ".join(f"{p['loc']}: {p['msg']}" if p["loc"] != "body" else p["msg"] for p in problems[:5])
    return f"invalid request: {summary}", problems[:20]


async def _api_error(request: Request, error: ApiError) -> JSONResponse:
    return JSONResponse({"detail": error.detail, **error.extra}, status_code=error.status,
                        headers={"WWW-Authenticate": "Bearer"} if error.status == 401 else None)


async def _project_error(request: Request, error: AdversarialMlopsError) -> JSONResponse:
    extra = {"run_id": error.holder.run_id} if isinstance(error, LoopAlreadyRunning) else {}
    return JSONResponse({"detail": str(error), **extra}, status_code=error.http_status)


async def _validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    detail, problems = describe_validation_error(error)
    return JSONResponse({"detail": detail, "errors": problems}, status_code=422)


async def _http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
    detail = error.detail
    if error.status_code == 404 and detail == "Not Found":
        detail = f"no endpoint {request.url.path}; see /docs for the API"
    elif error.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}; see /docs"
    return JSONResponse({"detail": detail}, status_code=error.status_code, headers=error.headers)


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse({"detail": f"internal error ({type(error).__name__}); the server log has the details"},
                        status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(AdversarialMlopsError, _project_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
