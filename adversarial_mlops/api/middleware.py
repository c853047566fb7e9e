"""ASGI middleware: the request body's size and time limits."""

from __future__ import annotations

import asyncio
import time

from fastapi.responses import JSONResponse

from .settings import BODY_TIMEOUT_ENV_VAR, MAX_BODY_BYTES_ENV_VAR


class BodySizeLimitMiddleware:
    """413 for bodies over ``max_bytes``, checked on Content-Length and on the bytes actually streamed;
    408 when the whole body has not arrived ``timeout_s`` after the request started (uvicorn
    itself would hold a connection open forever for a client that announces more than it sends)."""

    def __init__(self, app, max_bytes: int, timeout_s: float = 30.0):
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s

    def _too_slow(self) -> JSONResponse:
        return JSONResponse({"detail": f"the request body did not arrive within {self.timeout_s:g} s; send it at "
                                       f"once (limit: {BODY_TIMEOUT_ENV_VAR})"}, status_code=408,
                            headers={"Connection": "close"})

    def _too_large(self) -> JSONResponse:
        return JSONResponse({"detail": f"request body is larger than {self.max_bytes} bytes; send fewer or "
                                       f"shorter texts (limit: {MAX_BODY_BYTES_ENV_VAR})"}, status_code=413)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                await JSONResponse({"detail": "Content-Length header is not a number"}, status_code=400)(scope, receive, send)
                return
            if length > self.max_bytes:
                await self._too_large()(scope, receive, send)
                return
        chunks, total = [], 0
        deadline = time.monotonic() + self.timeout_s
        while True:
            try:
                message = await asyncio.wait_for(receive(), timeout=max(0.0, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                await self._too_slow()(scope, receive, send)
                return
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            total += len(body)
            if total > self.max_bytes:
                await self._too_large()(scope, receive, send)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        buffered = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return buffered
            return await receive()

        await self.app(scope, replay, send)
