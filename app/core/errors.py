"""Domain errors: each maps to one HTTP status and is rendered in the service's single error shape."""

from __future__ import annotations


class FactCheckError(Exception):
    """Base class of errors a client can act on."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DocumentNotFound(FactCheckError):
    status_code = 404
    code = "document_not_found"

    def __init__(self, missing_ids: list[int]) -> None:
        ids = ", ".join(str(i) for i in sorted(missing_ids))
        noun = "document" if len(missing_ids) == 1 else "documents"
        super().__init__(f"No {noun} with id {ids}; list the corpus with GET /documents.")
        self.missing_ids = missing_ids


class ServiceNotReady(FactCheckError):
    status_code = 503
    code = "not_ready"

    def __init__(self, reason: str = "The service is still loading its models and corpus.") -> None:
        super().__init__(f"{reason} Retry shortly; GET /ready reports when it is ready.")


class InputTooLong(FactCheckError):
    status_code = 422
    code = "input_too_long"

    def __init__(self, field: str, length: int, limit: int) -> None:
        super().__init__(f"{field} is {length:,} characters long; the limit is {limit:,}. Shorten it or split it.")


class TooManyClaims(FactCheckError):
    status_code = 422
    code = "too_many_claims"

    def __init__(self, count: int, limit: int) -> None:
        super().__init__(f"{count} claims in one batch; the limit is {limit}. Send them in several batches.")


class TopKTooLarge(FactCheckError):
    status_code = 422
    code = "top_k_too_large"

    def __init__(self, top_k: int, limit: int) -> None:
        super().__init__(f"top_k is {top_k}; the limit is {limit}.")


class InvalidApiKey(FactCheckError):
    status_code = 401
    code = "invalid_api_key"

    def __init__(self, missing: bool) -> None:
        what = "No API key was sent" if missing else "The API key is not valid"
        super().__init__(f"{what}; send a valid key in the X-API-Key header.")


class CheckNotFound(FactCheckError):
    status_code = 404
    code = "check_not_found"

    def __init__(self, check_id: int) -> None:
        super().__init__(f"No check with id {check_id}; list past checks with GET /checks.")


class AdminKeyRequired(FactCheckError):
    status_code = 403
    code = "admin_key_required"

    def __init__(self) -> None:
        super().__init__("Adding and deleting documents, and reading past checks, need an admin API key.")


class RateLimited(FactCheckError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, limit: str, retry_after: int) -> None:
        super().__init__(f"Too many requests: the limit is {limit}. Retry in {retry_after} s.")
        self.retry_after = retry_after


class DatabaseUnavailable(FactCheckError):
    status_code = 503
    code = "database_unavailable"

    def __init__(self) -> None:
        super().__init__("The database is unreachable; the service reconnects by itself. Retry shortly.")


class InferenceTimeout(FactCheckError):
    status_code = 504
    code = "inference_timeout"

    def __init__(self, seconds: float) -> None:
        super().__init__(f"The models did not finish within {seconds:g} s. Retry, or send less text per request.")


class WorkAbandoned(FactCheckError):
    """Raised inside a request that has already been answered with a 504; its response is never sent."""

    status_code = 504
    code = "inference_timeout"

    def __init__(self) -> None:
        super().__init__("The request was answered with a timeout; its remaining model work was skipped.")
