"""Build the app (config, Dagster instance, launcher and champion loaded once) and run it."""

from __future__ import annotations

import logging
import os
import time

from fastapi import FastAPI

from adversarial_mlops.config import ConfigError, PipelineConfig, load_config

from .context import ApiContext
from .errors import install_error_handlers
from .middleware import BodySizeLimitMiddleware
from .openapi import install_openapi
from .routes import models, pipeline, serving
from .settings import TOKEN_ENV_VAR, ApiSettings

log = logging.getLogger("adversarial_mlops.api")


def create_app(config_path: str | os.PathLike | None = None, settings: ApiSettings | None = None, *,
               holder=None, launcher=None, warm_up: bool = True) -> FastAPI:
    """Build the app: config, Dagster instance, model registry and champion loaded here, once."""
    started = time.perf_counter()
    settings = settings or ApiSettings.from_env()
    context = build_context(load_config(config_path), settings, holder=holder, launcher=launcher)
    if warm_up:
        context.holder.refresh()
        if not settings.dagster_url:
            context.launcher.job_def()  # Dagster code loading happens here, not in the first trigger
    _log_ready(context, time.perf_counter() - started)
    app = FastAPI(title="adversarial-mlops", version="0.1.0",
                  description="Harden a prompt-injection classifier: trigger the loop, follow runs, manage "
                              "models, classify texts.")
    app.state.context = context
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes, timeout_s=settings.body_timeout_s)
    install_error_handlers(app)
    install_openapi(app, settings)
    for router in (pipeline.router, models.router, serving.router):
        app.include_router(router)
    return app


def build_context(config: PipelineConfig, settings: ApiSettings, *, holder=None, launcher=None) -> ApiContext:
    # Heavy imports once, at startup: never inside a request.
    import torch  # noqa: F401
    import transformers  # noqa: F401

    from adversarial_mlops.dagster_defs.launcher import LoopLauncher
    from adversarial_mlops.dagster_defs.instance import prepare_instance
    from adversarial_mlops.loop.lifecycle import open_registry
    from adversarial_mlops.models.serving import (ChampionHolder, configure_torch_threads, default_inference_workers,
                                                  torch_thread_plan)

    workers = settings.workers or default_inference_workers()
    configure_torch_threads(workers=workers)
    instance = prepare_instance(config)
    if holder is None:
        holder = ChampionHolder(open_registry(config), batch_size=config.model.inference_batch_size,
                                precision=settings.precision or config.model.inference_precision,
                                backend=settings.backend or config.model.inference_backend, workers=workers,
                                threads=torch_thread_plan(workers),
                                compile=settings.compile or config.model.serving_compile)
    if launcher is None:
        launcher = LoopLauncher(config, instance, dagster_url=settings.dagster_url)
    return ApiContext(settings=settings, config=config, instance=instance, launcher=launcher, holder=holder)


def _log_ready(context: ApiContext, seconds: float) -> None:
    import torch

    loaded = context.holder.loaded
    log.info("API ready in %.1f s (state dir %s, %d inference workers x %d torch threads, champion %s, "
             "precision %s, backend %s, compiled %s)", seconds, context.config.resolved_state_dir(),
             context.holder.workers, torch.get_num_threads(), loaded.version if loaded else "none yet",
             getattr(loaded.predictor, "precision", "n/a") if loaded else context.holder.precision,
             getattr(loaded.predictor, "backend", "n/a") if loaded else context.holder.backend,
             ("yes" if getattr(loaded.predictor, "compiled", False) else "no") if loaded else context.holder.compile)


def is_loopback(host: str) -> bool:
    import ipaddress

    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a hostname: could resolve anywhere


MIN_TOKEN_CHARS = 16  # beyond loopback a token is the only guard; a short one is guessed


def check_bind_host(host: str, settings: ApiSettings) -> None:
    """Refuse to expose the API beyond this machine without a long enough token (ConfigError → exit 2)."""
    if is_loopback(host):
        return
    if not settings.token:
        raise ConfigError(f"refusing to listen on {host!r} without an API token: anyone who can reach it could "
                          f"trigger runs and roll back models. Set {TOKEN_ENV_VAR}=<a long random secret>, or bind "
                          f"127.0.0.1 (the default)")
    if len(settings.token) < MIN_TOKEN_CHARS:
        raise ConfigError(f"refusing to listen on {host!r} with a {len(settings.token)}-character API token: beyond "
                          f"this machine it is the only guard. Fix: set {TOKEN_ENV_VAR} to at least "
                          f"{MIN_TOKEN_CHARS} random characters, e.g. `python -c \"import secrets; "
                          f"print(secrets.token_urlsafe(32))\"`")


def serve(host: str = "127.0.0.1", port: int = 8000, config_path: str | None = None,
          settings: ApiSettings | None = None, log_level: str = "info") -> None:
    """Run the API with uvicorn (blocking)."""
    settings = settings or ApiSettings.from_env()
    check_bind_host(host, settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    import uvicorn

    app = create_app(config_path, settings)
    # SIGTERM / SIGINT: stop accepting, finish what is in flight for at most 5 s, exit.
    uvicorn.run(app, host=host, port=port, log_level=log_level, timeout_graceful_shutdown=5)
