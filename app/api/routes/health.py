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
    responses={503: {"model": ReadyResponse, "description": "Not loaded (yet), or the database is unreachable."}},
)
def ready(runtime: RuntimeDep) -> ReadyResponse | JSONResponse:
    """Answer 200 once models, database and index are loaded and the database answers, 503 otherwise."""
    database_problem = runtime.database_problem() if runtime.error is None else None
    if not runtime.ready or database_problem:
        if runtime.error:
            body = ReadyResponse(status="failed", detail=runtime.error)
        elif database_problem:
            body = ReadyResponse(status="unavailable", detail=database_problem)
        else:
            body = ReadyResponse(status="starting", detail="Loading models and corpus.")
        return JSONResponse(status_code=503, content=body.model_dump(), headers={"Retry-After": "5"})
    return ReadyResponse(
        status="ready",
        documents=len(runtime.corpus.index.document_ids()),
        sentences=len(runtime.corpus.index),
        startup_seconds=round(runtime.startup_seconds or 0.0, 3),
    )
