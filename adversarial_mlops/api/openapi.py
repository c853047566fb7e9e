"""What the OpenAPI schema (/docs, /openapi.json) says about errors and limits, defined once.

Every status an operation can answer is listed in its ``responses`` with the body the handlers
really send (``ErrorBody``); the /predict limits are the running server's settings.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Mapping

from fastapi import FastAPI

from .schemas import ErrorBody
from .settings import (
    BODY_TIMEOUT_ENV_VAR,
    MAX_BODY_BYTES_ENV_VAR,
    MAX_TEXT_CHARS_ENV_VAR,
    MAX_TEXTS_ENV_VAR,
    TOKEN_ENV_VAR,
    ApiSettings,
)

Responses = dict[int | str, dict[str, Any]]


def error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


# The body middleware answers these before any route runs, on every request that sends a body.
REQUEST_BODY_ERRORS: Mapping[int, dict[str, Any]] = MappingProxyType({
    400: error("the Content-Length header is not a number"),
    408: error(f"the whole request body did not arrive in time (limit: {BODY_TIMEOUT_ENV_VAR})"),
    413: error(f"the request body is too large (limit: {MAX_BODY_BYTES_ENV_VAR})"),
})
AUTH_ERRORS: Mapping[int, dict[str, Any]] = MappingProxyType({
    401: error("no 'Authorization: Bearer <token>' header, or the wrong token"),
    403: error(f"disabled: the server was started without {TOKEN_ENV_VAR}"),
})
VALIDATION_ERROR: Mapping[int, dict[str, Any]] = MappingProxyType({
    422: error("the request is invalid; `detail` says what to change, `errors` lists each problem when the "
               "request did not match this schema"),
})
SERVER_ERROR: Mapping[int, dict[str, Any]] = MappingProxyType({500: error("an unexpected error (a bug); the server log has the details")})
REGISTRY_CONFLICT: Mapping[int, dict[str, Any]] = MappingProxyType({
    409: error("the model registry failed a consistency check (an unreadable champion pointer or version record)"),
})


def responses(*groups: Mapping) -> Responses:
    """Merge response groups; a plain string value is an ErrorBody answer with that description."""
    merged: Responses = {}
    for group in groups:
        merged.update({status: error(value) if isinstance(value, str) else value for status, value in group.items()})
    return merged


def document_predict_limits(schema: dict, settings: ApiSettings) -> None:
    """State the server's /predict limits (enforced by routes.serving.check_texts) on ``texts``."""
    texts = schema["components"]["schemas"]["PredictRequest"]["properties"]["texts"]
    texts.update(minItems=1, maxItems=settings.max_texts)
    texts["items"].update(minLength=1, maxLength=settings.max_text_chars, pattern=r"\S")
    texts["description"] += (f" (1 to {settings.max_texts} texts, {MAX_TEXTS_ENV_VAR}; at most "
                             f"{settings.max_text_chars} characters each, {MAX_TEXT_CHARS_ENV_VAR})")


def describe_limits(settings: ApiSettings) -> str:
    return (f"\n\nErrors are JSON (`ErrorBody`: `detail` says what to change). This server's limits: a request "
            f"body of at most {settings.max_body_bytes} bytes ({MAX_BODY_BYTES_ENV_VAR}; more: 413), sent whole "
            f"within {settings.body_timeout_s:g} s ({BODY_TIMEOUT_ENV_VAR}; later: 408); /predict takes 1 to "
            f"{settings.max_texts} texts of at most {settings.max_text_chars} characters (422 beyond).")


def install_openapi(app: FastAPI, settings: ApiSettings) -> None:
    """FastAPI's schema, built once on first use, with this server's limits and our error bodies."""
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = generate()
            schema["info"]["description"] = schema["info"].get("description", "") + describe_limits(settings)
            document_predict_limits(schema, settings)
            _drop_default_validation_error(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi


def _drop_default_validation_error(schema: dict) -> None:
    """FastAPI documents a 422 with its own HTTPValidationError body on every operation with
    parameters; our handler answers ErrorBody, and routes declare their 422 where it can happen
    (VALIDATION_ERROR). The default entry is dropped: where it stood, no 422 is answered (a run
    id in the path is a plain string; any other form is 404). test_openapi's fuzzing fails on an
    undeclared 422, so a route that can answer one but forgot to declare it is caught."""
    default = "#/components/schemas/HTTPValidationError"
    for path_item in schema["paths"].values():
        for operation in path_item.values():
            answers = operation.get("responses", {})
            if default in str(answers.get("422", "")):
                del answers["422"]
    for name in ("HTTPValidationError", "ValidationError"):
        schema["components"]["schemas"].pop(name, None)
