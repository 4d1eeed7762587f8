"""ASGI entry point: ``app.main:app``, built by the ``create_app`` factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.api.docs import install_offline_docs
from app.api.errors import install_error_handlers
from app.api.routes import checks, documents, health
from app.core.config import Settings
from app.ml.embedder import Embedder
from app.runtime import Runtime

DESCRIPTION = """
Checks claims against a reference corpus of news articles and answers **supported**,
**contradicted** or **unknown**, with a confidence and the exact passage cited
(document, sentence, character offsets).

Start with `POST /check` and the claim *"NATO gave Ukraine a membership timetable"*.
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
    install_error_handlers(app)
    install_offline_docs(app)
    app.include_router(health.router)
    app.include_router(checks.router)
    app.include_router(documents.router)
    return app


def _configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


_configure_logging()
app = create_app()
