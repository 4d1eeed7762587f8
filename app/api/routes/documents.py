"""The reference corpus: add, list, read and delete articles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from sqlmodel import Session

from app.api.deps import CorpusDep, RuntimeDep, SettingsDep
from app.api.errors import error_responses
from app.api.schemas import DocumentCreate, DocumentDetail, DocumentPage, DocumentSummary, SentenceOut
from app.api.security import require_admin
from app.core.errors import DocumentNotFound, InputTooLong
from app.db import repository

router = APIRouter(prefix="/documents", tags=["documents"])


@router.post(
    "",
    response_model=DocumentSummary,
    status_code=status.HTTP_201_CREATED,
    summary="Add an article to the corpus",
    responses={
        200: {"model": DocumentSummary, "description": "Identical text was already stored: that document."},
        **error_responses(400, 403, 413, 422, 503, 504),
    },
    dependencies=[Depends(require_admin)],
)
def create_document(
    payload: DocumentCreate, corpus: CorpusDep, settings: SettingsDep, response: Response
) -> DocumentSummary:
    """Split, embed and store an article; identical text returns the stored document with 200."""
    if len(payload.text) > settings.max_document_chars:
        raise InputTooLong("text", len(payload.text), settings.max_document_chars)
    result = corpus.ingest(payload.title, payload.text, payload.source_url, payload.published_at)
    if not result.created:
        response.status_code = status.HTTP_200_OK
    return DocumentSummary.model_validate(result.document)


@router.get("", response_model=DocumentPage, summary="List the corpus", responses=error_responses(422))
def list_documents(
    runtime: RuntimeDep,
    offset: Annotated[int, Query(ge=0, description="Documents to skip.")] = 0,
    limit: Annotated[int, Query(ge=1, le=200, description="Page size.")] = 50,
) -> DocumentPage:
    """List documents in the order they were added, a page at a time."""
    with Session(runtime.engine) as session:
        documents, total = repository.list_documents(session, offset, limit)
    items = [DocumentSummary.model_validate(d) for d in documents]
    return DocumentPage(items=items, total=total, offset=offset, limit=limit)


@router.get(
    "/{document_id}",
    response_model=DocumentDetail,
    summary="Read one article with its sentences",
    responses=error_responses(404, 422),
)
def get_document(document_id: int, runtime: RuntimeDep) -> DocumentDetail:
    """Return the full text and every sentence with its character offsets."""
    with Session(runtime.engine) as session:
        document = repository.get_document(session, document_id)
        if document is None:
            raise DocumentNotFound([document_id])
        sentences = repository.document_sentences(session, document_id)
        summary = DocumentSummary.model_validate(document)
        return DocumentDetail(
            **summary.model_dump(),
            text=document.text,
            sentences=[SentenceOut.model_validate(s) for s in sentences],
        )


@router.delete(
    "/{document_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove an article from the corpus",
    responses=error_responses(403, 404, 422, 503),
    dependencies=[Depends(require_admin)],
)
def delete_document(document_id: int, corpus: CorpusDep) -> Response:
    """Delete the document and its sentences; past check records keep their references."""
    if not corpus.delete(document_id):
        raise DocumentNotFound([document_id])
    return Response(status_code=status.HTTP_204_NO_CONTENT)
