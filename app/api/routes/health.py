"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.api.deps import RuntimeDep
from app.api.schemas import HealthResponse, ReadyResponse

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthResponse, summary="Liveness probe")
def health() -> HealthResponse:
    """Answer 200 as soon as the process serves requests."""
    return HealthResponse()


@router.get(
    "/ready",
    response_model=ReadyResponse,
    summary="Readiness probe",
    responses={503: {"model": ReadyResponse, "description": "Models or corpus not loaded (yet)."}},
)
def ready(runtime: RuntimeDep) -> ReadyResponse | JSONResponse:
    """Answer 200 once models, database and index are loaded, 503 before (or if loading failed)."""
    if not runtime.ready:
        body = ReadyResponse(
            status="failed" if runtime.error else "starting", detail=runtime.error or "Loading models and corpus."
        )
        return JSONResponse(status_code=503, content=body.model_dump(), headers={"Retry-After": "5"})
    return ReadyResponse(
        status="ready",
        documents=len(runtime.corpus.index.document_ids()),
        sentences=len(runtime.corpus.index),
        startup_seconds=round(runtime.startup_seconds or 0.0, 3),
    )
