"""Classification with the current champion, and the health probes."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from adversarial_mlops.errors import UnavailableError

from ..context import ApiContext, get_context
from ..errors import ApiError
from ..openapi import REQUEST_BODY_ERRORS, SERVER_ERROR, VALIDATION_ERROR, responses
from ..schemas import Health, PredictRequest, PredictResponse, Readiness
from ..settings import MAX_TEXT_CHARS_ENV_VAR, MAX_TEXTS_ENV_VAR, ApiSettings

router = APIRouter()


def check_texts(texts: list[str], settings: ApiSettings) -> None:
    """The /predict limits: 422 with a message that says what to change."""
    if not texts:
        raise ApiError(422, f"texts is empty; send 1 to {settings.max_texts} non-empty strings")
    if len(texts) > settings.max_texts:
        raise ApiError(422, f"{len(texts)} texts in one request; the limit is {settings.max_texts} "
                            f"({MAX_TEXTS_ENV_VAR}); split the request")
    for i, text in enumerate(texts):
        if not text.strip():
            raise ApiError(422, f"texts[{i}] is empty or whitespace; send non-empty text")
        if len(text) > settings.max_text_chars:
            raise ApiError(422, f"texts[{i}] has {len(text)} characters; the limit is {settings.max_text_chars} "
                                f"({MAX_TEXT_CHARS_ENV_VAR}); shorten or split it")
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise ApiError(422, f"texts[{i}] is not valid Unicode (an unpaired surrogate escape); "
                                    "send UTF-8 text") from None


@router.post("/predict", response_model=PredictResponse, tags=["serving"],
             responses=responses(REQUEST_BODY_ERRORS, VALIDATION_ERROR, SERVER_ERROR, {
                 503: "no champion model yet (run the loop: POST /pipeline/trigger), or it cannot be loaded"}))
async def predict(request: PredictRequest, context: ApiContext = Depends(get_context)) -> dict:
    """Label each text malicious/benign with the current champion, in input order."""
    # A coroutine: checks run on the event loop, the texts go straight to the inference thread
    # (MicroBatcher) and the loop serves other requests meanwhile; only a champion (re)load
    # runs in a worker thread. No champion yet → UnavailableError → 503.
    check_texts(request.texts, context.settings)
    model = context.holder.current()  # taken once: the whole request is answered by this version
    if model is None:
        model = await run_in_threadpool(context.holder.get)
    prediction = await model.predict_async(request.texts)
    return {"model_version": prediction.model_version, "threshold": prediction.threshold,
            "results": prediction.results()}


@router.get("/healthz", tags=["ops"], response_model=Health)
def healthz() -> dict:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", tags=["ops"], response_model=Readiness,
            responses={503: {"model": Readiness, "description": "not ready: no champion model loaded (detail says why)"}})
def readyz(context: ApiContext = Depends(get_context)) -> JSONResponse:
    """Ready once a champion model is loaded."""
    try:
        model = context.holder.get()
    except UnavailableError as error:
        return JSONResponse({"status": "not ready", "detail": str(error)}, status_code=503)
    return JSONResponse({"status": "ready", "model_version": model.version})
