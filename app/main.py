"""ASGI entry point: ``app.main:app``, built by the ``create_app`` factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI

from app.api.docs import install_offline_docs
from app.api.errors import error_responses, install_error_handlers
from app.api.middleware import (
    AccessControlMiddleware,
    BodySizeLimitMiddleware,
    InferenceTimeoutMiddleware,
    RequestContextMiddleware,
)
from app.api.routes import audit, checks, documents, health, metrics
from app.api.security import ApiKeys, RateLimiter, current_client
from app.core.config import Settings
from app.core.logging import configure_logging
from app.ml.embedder import Embedder
from app.runtime import Runtime

DESCRIPTION = """
Checks claims against a reference corpus of news articles and answers **supported**,
**contradicted** or **unknown**, with a confidence and the exact passage cited
(document, sentence, character offsets).

Start with `POST /check` and the claim *"NATO gave Ukraine a membership timetable"*. Every answer is
kept: `GET /checks/{id}` reads it back.
"""


def create_app(settings: Settings | None = None, embedder: Embedder | None = None) -> FastAPI:
    """Build the service; tests pass their own settings (database) and may share a loaded embedder."""
    settings = settings or Settings()
    runtime = Runtime(settings, embedder)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        runtime.start_in_background()
        yield
        runtime.close()

    app = FastAPI(
        title="Fact-check service",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.api_keys = api_keys = ApiKeys(settings)
    install_error_handlers(app)
    install_offline_docs(app)
    app.include_router(health.router)
    # Everything but the probes and the docs: behind the API key (when configured) and the rate limit.
    guarded: dict[str, Any] = {
        "dependencies": [Depends(current_client)] if api_keys.enabled else [],
        "responses": error_responses(
            *(code for code, applies in ((401, api_keys.enabled), (429, settings.rate_limit)) if applies), 503
        ),
    }
    app.include_router(checks.router, **guarded)
    app.include_router(documents.router, **guarded)
    app.include_router(audit.router, **guarded)
    app.include_router(metrics.router, **guarded)
    limiter = RateLimiter(settings.rate_limit, settings.redis_url) if settings.rate_limit else None
    model_routes = frozenset({("POST", "/check"), ("POST", "/check/batch"), ("POST", "/documents")})
    # Added innermost first: a request meets the request id and access log, then the key and limit checks.
    app.add_middleware(InferenceTimeoutMiddleware, seconds=settings.inference_timeout_seconds, routes=model_routes)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(AccessControlMiddleware, api_keys=api_keys, rate_limiter=limiter)
    app.add_middleware(
        RequestContextMiddleware,
        metrics=runtime.metrics,
        log_claims=settings.log_claims,
        api_paths=lambda: app.openapi()["paths"],
    )
    return app


_settings = Settings()
configure_logging(_settings.log_level)
app = create_app(_settings)
