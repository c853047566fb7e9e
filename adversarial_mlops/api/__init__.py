"""REST API: trigger the loop, follow its runs, manage models, classify texts.

``create_app()`` builds the FastAPI app (OpenAPI at /docs); ``adversarial-mlops serve`` runs it
with uvicorn. Endpoints, one router per resource (``routes/``):

    POST /pipeline/trigger        start a loop run (Bearer token)            202 / 409 / 422
    GET  /pipeline/runs           recent loop runs, most recent first
    GET  /pipeline/runs/{run_id}  status, per-asset outcome, gate, promotion  200 / 404
    GET  /models                  versions with metrics, champion flag, history
    GET  /models/champion         the champion version                        200 / 404
    GET  /models/{version}        one version                                 200 / 404 / 422
    POST /models/rollback         back to the previous or a named version (Bearer token)
    POST /predict                 {"texts": [...]} → label + malicious score per text
    GET  /healthz                 process up (always 200)
    GET  /readyz                  200 once a champion is loaded, else 503

Every error is a JSON object whose ``detail`` says what to fix; a project error's status comes
from its type (``errors.AdversarialMlopsError.http_status``). Limits (texts per request,
characters per text, body bytes) come from ``ApiSettings`` (environment or CLI flags).
"""

from .app import check_bind_host, create_app, is_loopback, serve
from .settings import ApiSettings

__all__ = ("ApiSettings", "check_bind_host", "create_app", "is_loopback", "serve")
