"""Prometheus metrics of this process (or of all worker processes, with PROMETHEUS_MULTIPROC_DIR set)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app.api.deps import RuntimeDep

router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "Metrics."}},
)
def prometheus_metrics(runtime: RuntimeDep) -> Response:
    """Request counts and latencies by route and status, verdicts, model time and corpus size."""
    return Response(generate_latest(runtime.metrics.exposition()), media_type=CONTENT_TYPE_LATEST)
