"""The audit log: what the service answered for past claims, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlmodel import Session

from app.api.deps import RuntimeDep
from app.api.errors import error_responses
from app.api.schemas import CheckRecordOut, CheckRecordPage, VerdictName
from app.api.security import require_admin
from app.core.errors import CheckNotFound
from app.db import repository

router = APIRouter(prefix="/checks", tags=["audit"], dependencies=[Depends(require_admin)])


@router.get("", response_model=CheckRecordPage, summary="List past checks", responses=error_responses(403, 422))
def list_checks(
    runtime: RuntimeDep,
    verdict: Annotated[VerdictName | None, Query(description="Only checks with this verdict.")] = None,
    offset: Annotated[int, Query(ge=0, description="Records to skip.")] = 0,
    limit: Annotated[int, Query(ge=1, le=200, description="Page size.")] = 50,
) -> CheckRecordPage:
    """List the audit records of past checks, newest first, a page at a time."""
    with Session(runtime.engine) as session:
        records, total = repository.list_checks(session, offset, limit, verdict)
    items = [CheckRecordOut.model_validate(record) for record in records]
    return CheckRecordPage(items=items, total=total, offset=offset, limit=limit)


@router.get(
    "/{check_id}",
    response_model=CheckRecordOut,
    summary="Read one past check",
    responses=error_responses(403, 404, 422),
)
def get_check(check_id: int, runtime: RuntimeDep) -> CheckRecordOut:
    """Return what the service answered for a claim: the `id` of a `POST /check` response."""
    with Session(runtime.engine) as session:
        record = repository.get_check(session, check_id)
        if record is None:
            raise CheckNotFound(check_id)
        return CheckRecordOut.model_validate(record)
