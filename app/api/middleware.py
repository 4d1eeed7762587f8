"""Pure ASGI middlewares: request ids, access logs, metrics; API keys, rate limits; body size; timeouts."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable
from re import Pattern
from typing import Any

from starlette.exceptions import HTTPException
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.errors import domain_error_response, error_response
from app.api.security import API_KEY_HEADER, ApiKeys, Client, RateLimiter
from app.core.errors import FactCheckError, InferenceTimeout, InvalidApiKey
from app.core.logging import request_id_var
from app.metrics import ServiceMetrics
from app.ml.slots import abandonable

access_logger = logging.getLogger("app.access")
logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Open without a key: probes and the API docs (the page, its assets and the schema).
OPEN_PATHS = frozenset({"/health", "/ready", "/docs", "/docs/oauth2-redirect", "/openapi.json"})
OPEN_PREFIXES = ("/docs-assets/",)
CLAIM_PATHS = frozenset({"/check", "/check/batch"})
# Metric labels stay bounded whatever a client sends as its method.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _header(scope: Scope, name: str) -> str | None:
    wanted = name.lower().encode("latin-1")
    for key, value in scope["headers"]:
        if key == wanted:
            return bytes(value).decode("latin-1")
    return None


async def _send_error(exc: FactCheckError, scope: Scope, receive: Receive, send: Send) -> None:
    await domain_error_response(exc)(scope, receive, send)


def _claims_in(body: bytes) -> object:
    try:
        payload = json.loads(body)
    except ValueError:
        return None
    if isinstance(payload, dict):
        return payload.get("claim", payload.get("claims"))
    return None


class RequestContextMiddleware:
    """Gives each request an id (from ``X-Request-ID`` or new), echoes it, logs and measures the request."""

    def __init__(
        self, app: ASGIApp, metrics: ServiceMetrics, log_claims: bool, api_paths: Callable[[], Iterable[str]]
    ) -> None:
        self.app = app
        self._metrics = metrics
        self._log_claims = log_claims
        self._api_paths = api_paths
        self._templates: list[tuple[Pattern[str], str]] | None = None

    def _route_template(self, scope: Scope) -> str:
        """The route's path template, a bounded metrics label, also for requests refused before routing."""
        path = getattr(scope.get("route"), "path", None)
        if isinstance(path, str):
            return path
        if scope["path"] in OPEN_PATHS:
            return str(scope["path"])
        if scope["path"].startswith(OPEN_PREFIXES):
            return OPEN_PREFIXES[0].rstrip("/")
        if self._templates is None:
            self._templates = [(compile_path(template)[0], template) for template in self._api_paths()]
        return next((template for regex, template in self._templates if regex.match(scope["path"])), "unmatched")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        presented = _header(scope, REQUEST_ID_HEADER)
        request_id = presented if presented and _VALID_REQUEST_ID.fullmatch(presented) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        body = bytearray()
        capture = self._log_claims and scope["method"] == "POST" and scope["path"] in CLAIM_PATHS

        async def receive_and_capture() -> Message:
            message = await receive()
            if capture and message["type"] == "http.request":
                body.extend(message.get("body", b""))
            return message

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.lower().encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive_and_capture, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = self._route_template(scope)
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            self._metrics.observe_request(method, route, status, seconds)
            client = scope.get("state", {}).get("client")
            record: dict[str, Any] = {
                "method": scope["method"],
                "path": scope["path"],
                "route": route,
                "status": status,
                "latency_ms": round(seconds * 1000, 2),
                "client": client.id if isinstance(client, Client) else None,
            }
            if capture:
                record["claims"] = _claims_in(bytes(body))
            access_logger.info("%s %s %d", scope["method"], route, status, extra=record)
            request_id_var.reset(token)


class AccessControlMiddleware:
    """401 without a valid key (when keys are configured), 429 over the rate limit; probes and docs stay open."""

    def __init__(self, app: ASGIApp, api_keys: ApiKeys, rate_limiter: RateLimiter | None) -> None:
        self.app = app
        self._keys = api_keys
        self._limiter = rate_limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS or scope["path"].startswith(OPEN_PREFIXES):
            await self.app(scope, receive, send)
            return
        try:
            client = await self._identify(scope)
        except FactCheckError as exc:
            await _send_error(exc, scope, receive, send)
            return
        scope.setdefault("state", {})["client"] = client
        await self.app(scope, receive, send)

    async def _identify(self, scope: Scope) -> Client:
        if self._keys.enabled:
            presented = _header(scope, API_KEY_HEADER)
            found = self._keys.identify(presented)
            if found is None:
                raise InvalidApiKey(missing=not presented)
            client = found
        else:
            address = scope["client"][0] if scope.get("client") else "unknown"
            client = Client(id=f"addr-{address}", admin=True)
        if self._limiter is not None:
            await self._limiter.check(client.id)
        return client


class BodySizeLimitMiddleware:
    """413 in the service's error shape for a body over the limit, declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self._max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, "content-length")
        if declared is not None and declared.isdigit() and int(declared) > self._max_bytes:
            await error_response(413, "payload_too_large", self._message())(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self._max_bytes:
                    # Raised while the route reads its body: the error handler renders it as a 413.
                    raise HTTPException(413, self._message())
            return message

        await self.app(scope, counting_receive, send)

    def _message(self) -> str:
        return f"The request body is larger than {self._max_bytes:,} bytes; send less text per request."


class InferenceTimeoutMiddleware:
    """Answers 504 when a model-bound request (check, ingestion) runs past the configured time.

    A model call that has started cannot be interrupted (it runs in a thread): it finishes in the
    background and the late response is dropped. The request's later model calls, and one still
    waiting for a model slot, are skipped, so that abandoned work does not delay the requests queued
    behind it. An ingestion whose embedding had started is stored (posting it again answers 200); one
    still waiting stores nothing.
    """

    def __init__(self, app: ASGIApp, seconds: float, routes: frozenset[tuple[str, str]]) -> None:
        self.app = app
        self._seconds = seconds
        self._routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["method"], scope["path"]) not in self._routes:
            await self.app(scope, receive, send)
            return
        started = False
        abandoned = False

        async def send_unless_abandoned(message: Message) -> None:
            nonlocal started
            if abandoned:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        with abandonable() as abandon:
            # The task (and the worker threads it uses) copies the context, so it sees the event.
            task = asyncio.ensure_future(self.app(scope, receive, send_unless_abandoned))
        done, _ = await asyncio.wait({task}, timeout=self._seconds)
        if task in done or started:
            await task
            return
        abandoned = True
        abandon.set()
        task.add_done_callback(_log_abandoned)
        logger.warning("%s %s timed out after %g s", scope["method"], scope["path"], self._seconds)
        await _send_error(InferenceTimeout(self._seconds), scope, receive, send)


def _log_abandoned(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.warning("a timed-out request failed later: %s", type(task.exception()).__name__)
