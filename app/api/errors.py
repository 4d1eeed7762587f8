"""One JSON error shape for every failure: domain errors, invalid requests, HTTP errors, bugs."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.schemas import ErrorResponse
from app.core.errors import FactCheckError

logger = logging.getLogger(__name__)


def error_response(
    status_code: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details}}
    return JSONResponse(status_code=status_code, content=body, headers=headers)


def _field(location: tuple[Any, ...]) -> str:
    parts = [str(part) for part in location if part != "body"]
    return ".".join(parts) or "body"


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FactCheckError)
    headers = {"Retry-After": "5"} if exc.status_code == 503 else None
    return error_response(exc.status_code, exc.code, exc.message, headers=headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(error.get("type") == "json_invalid" for error in errors):
        context = errors[0].get("ctx", {}).get("error", "")
        return error_response(400, "malformed_json", f"The request body is not valid JSON ({context}).")
    details = [
        {"field": _field(tuple(error.get("loc", ()))), "problem": str(error.get("msg", "invalid"))} for error in errors
    ]
    summary = "; ".join(f"{d['field']}: {d['problem']}" for d in details)
    return error_response(422, "invalid_request", f"The request is invalid: {summary}.", details)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail), headers=exc.headers)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "Something went wrong on our side; the error was logged.")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(FactCheckError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)


def error_responses(*status_codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries documenting the error shape for ``status_codes``."""
    descriptions = {
        400: "Malformed JSON.",
        404: "Unknown document id.",
        413: "Request body too large.",
        422: "Invalid field: empty or too long claim or text, wrong types.",
        503: "Models or corpus still loading.",
    }
    return {code: {"model": ErrorResponse, "description": descriptions[code]} for code in status_codes}
