"""One JSON error shape for every failure: domain errors, invalid requests, HTTP errors, bugs."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.schemas import ErrorResponse
from app.core.errors import DatabaseUnavailable, FactCheckError, InvalidApiKey, RateLimited

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


def domain_error_response(exc: FactCheckError) -> JSONResponse:
    """The error shape for a domain error, with the headers its status calls for."""
    headers: dict[str, str] | None = None
    if isinstance(exc, RateLimited):
        headers = {"Retry-After": str(exc.retry_after)}
    elif isinstance(exc, InvalidApiKey):
        headers = {"WWW-Authenticate": 'ApiKey header="X-API-Key"'}
    elif exc.status_code == 503:
        headers = {"Retry-After": "5"}
    return error_response(exc.status_code, exc.code, exc.message, headers=headers)


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FactCheckError)
    return domain_error_response(exc)


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    # No stack trace: an unreachable database is an outage to report, not a bug.
    logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return domain_error_response(DatabaseUnavailable())


def _problem(error: Mapping[str, Any]) -> str:
    """What is wrong with one field; a validator of ours speaks without pydantic's "Value error, " in front."""
    context = error.get("ctx") or {}
    if error.get("type") == "value_error" and "error" in context:
        return str(context["error"])
    return str(error.get("msg", "invalid"))


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(error.get("type") == "json_invalid" for error in errors):
        context = errors[0].get("ctx", {}).get("error", "")
        return error_response(400, "malformed_json", f"The request body is not valid JSON ({context}).")
    details = [{"field": _field(tuple(error.get("loc", ()))), "problem": _problem(error)} for error in errors]
    summary = "; ".join(f"{d['field']}: {d['problem']}" for d in details)
    return error_response(422, "invalid_request", f"The request is invalid: {summary}.", details)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail), headers=exc.headers)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "Something went wrong on our side; the error was logged.")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(FactCheckError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for database_error in (OperationalError, InterfaceError, PoolTimeoutError):
        app.add_exception_handler(database_error, _database_error)
    app.add_exception_handler(Exception, _unexpected_error)


def error_responses(*status_codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries documenting the error shape for ``status_codes``."""
    descriptions = {
        400: "Malformed JSON.",
        401: "No API key, or a wrong one (only when API keys are configured).",
        403: "An admin API key is needed (only when admin keys are configured).",
        404: "Unknown document or check id.",
        413: "Request body too large.",
        422: "Invalid field: empty or too long claim or text, wrong types.",
        429: "Rate limit reached; Retry-After says when to retry.",
        503: "Models or corpus still loading, or the database is unreachable.",
        504: "The models did not finish in time.",
    }
    return {code: {"model": ErrorResponse, "description": descriptions[code]} for code in status_codes}
