"""The server's own settings: token, request limits, inference precision, backend, compilation and threads (environment or CLI)."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from adversarial_mlops.config import INFERENCE_BACKENDS, INFERENCE_PRECISIONS, SERVING_COMPILE_CHOICES, ConfigError

TOKEN_ENV_VAR = "ADVERSARIAL_MLOPS_API_TOKEN"
MAX_TEXTS_ENV_VAR = "ADVERSARIAL_MLOPS_MAX_TEXTS"
MAX_TEXT_CHARS_ENV_VAR = "ADVERSARIAL_MLOPS_MAX_TEXT_CHARS"
MAX_BODY_BYTES_ENV_VAR = "ADVERSARIAL_MLOPS_MAX_BODY_BYTES"
PRECISION_ENV_VAR = "ADVERSARIAL_MLOPS_SERVE_PRECISION"
BACKEND_ENV_VAR = "ADVERSARIAL_MLOPS_SERVE_BACKEND"
COMPILE_ENV_VAR = "ADVERSARIAL_MLOPS_SERVE_COMPILE"
WORKERS_ENV_VAR = "ADVERSARIAL_MLOPS_SERVE_WORKERS"
BODY_TIMEOUT_ENV_VAR = "ADVERSARIAL_MLOPS_BODY_TIMEOUT_S"


def _env_int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not an integer") from None
    if value < minimum:
        raise ConfigError(f"{name}={value} must be at least {minimum}")
    return value


@dataclass(frozen=True)
class ApiSettings:
    token: str | None = None
    max_texts: int = 64
    max_text_chars: int = 4000
    max_body_bytes: int = 1_000_000
    precision: str | None = None  # None = the config's model.inference_precision
    backend: str | None = None  # None = the config's model.inference_backend
    compile: str | None = None  # None = the config's model.serving_compile
    dagster_url: str | None = None
    workers: int | None = None  # inference threads; None = one per usable core (at most 4)
    body_timeout_s: int = 30  # a client that has not sent its whole body by then gets 408

    @classmethod
    def from_env(cls, **overrides) -> "ApiSettings":
        from adversarial_mlops.dagster_defs.launcher import DAGSTER_URL_ENV_VAR

        token = (os.environ.get(TOKEN_ENV_VAR) or "").strip() or None
        settings = cls(token=token, max_texts=_env_int(MAX_TEXTS_ENV_VAR, 64),
                       max_text_chars=_env_int(MAX_TEXT_CHARS_ENV_VAR, 4000),
                       max_body_bytes=_env_int(MAX_BODY_BYTES_ENV_VAR, 1_000_000, minimum=1024),
                       precision=(os.environ.get(PRECISION_ENV_VAR) or "").strip() or None,
                       backend=(os.environ.get(BACKEND_ENV_VAR) or "").strip() or None,
                       compile=(os.environ.get(COMPILE_ENV_VAR) or "").strip() or None,
                       workers=_env_int(WORKERS_ENV_VAR, 0, minimum=1) or None,
                       body_timeout_s=_env_int(BODY_TIMEOUT_ENV_VAR, 30),
                       dagster_url=(os.environ.get(DAGSTER_URL_ENV_VAR) or "").strip() or None)
        settings = replace(settings, **{k: v for k, v in overrides.items() if v is not None})
        if settings.precision not in (None, *INFERENCE_PRECISIONS):
            raise ConfigError(f"{PRECISION_ENV_VAR}={settings.precision!r}: use one of {', '.join(INFERENCE_PRECISIONS)} "
                              f"(or leave it unset to use the config's model.inference_precision)")
        if settings.backend not in (None, *INFERENCE_BACKENDS):
            raise ConfigError(f"{BACKEND_ENV_VAR}={settings.backend!r}: use one of {', '.join(INFERENCE_BACKENDS)} "
                              f"(or leave it unset to use the config's model.inference_backend)")
        if settings.compile not in (None, *SERVING_COMPILE_CHOICES):
            raise ConfigError(f"{COMPILE_ENV_VAR}={settings.compile!r}: use one of {', '.join(SERVING_COMPILE_CHOICES)} "
                              f"(or leave it unset to use the config's model.serving_compile)")
        return settings
