"""API keys and rate limits: who is calling, and whether they may call again now.

Keys are configured in ``FACTCHECK_API_KEYS`` / ``FACTCHECK_ADMIN_API_KEYS`` and held only as sha256
hashes. A presented key is hashed and compared with every stored hash in constant time.
"""

from __future__ import annotations

import hmac
import logging
import math
import time
from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Request, Security
from fastapi.security import APIKeyHeader
from limits import RateLimitItem
from limits import parse as parse_rate_limit
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from app.core.config import Settings, hash_api_key
from app.core.errors import AdminKeyRequired, RateLimited

logger = logging.getLogger(__name__)

API_KEY_HEADER = "X-API-Key"

# Declares the key in OpenAPI, so Swagger UI's "Authorize" sends it; the middleware enforces it.
api_key_scheme = APIKeyHeader(
    name=API_KEY_HEADER,
    scheme_name="ApiKey",
    description="One of the keys in FACTCHECK_API_KEYS or FACTCHECK_ADMIN_API_KEYS.",
    auto_error=False,
)


@dataclass(frozen=True, slots=True)
class Client:
    """Who sent a request: ``id`` is safe to log (a short hash of the key, or the client address)."""

    id: str
    admin: bool


class ApiKeys:
    """The configured keys, as hashes; ``enabled`` is False when none are set (the service is open)."""

    def __init__(self, settings: Settings) -> None:
        self._keys = sorted(settings.api_keys | settings.admin_api_keys)
        self._admin_keys = settings.admin_api_keys
        self.enabled = bool(self._keys)
        # With admin keys set, corpus writes and audit reads are theirs alone (see require_admin).
        self.admin_required = bool(self._admin_keys)

    def identify(self, presented: str | None) -> Client | None:
        """The client owning ``presented``, or None; every stored hash is compared, whichever matches."""
        if not presented:
            return None
        digest = hash_api_key(presented)
        match: str | None = None
        for key in self._keys:
            if hmac.compare_digest(digest, key):
                match = key
        if match is None:
            return None
        return Client(id=f"key-{match[:12]}", admin=match in self._admin_keys)


class RateLimiter:
    """``FACTCHECK_RATE_LIMIT`` per client, counted in memory or, with ``FACTCHECK_REDIS_URL``, in Redis."""

    def __init__(self, limit: str, redis_url: str | None) -> None:
        self.limit = limit
        self._item: RateLimitItem = parse_rate_limit(limit)
        if redis_url:
            storage = storage_from_string(f"async+{redis_url}", implementation="redispy")
        else:
            storage = storage_from_string("async+memory://")
        self._limiter = MovingWindowRateLimiter(storage)

    async def check(self, client_id: str) -> None:
        """Count one request of ``client_id``; raise RateLimited when over the limit."""
        try:
            allowed = await self._limiter.hit(self._item, "factcheck", client_id)
            if allowed:
                return
            stats = await self._limiter.get_window_stats(self._item, "factcheck", client_id)
        except Exception as exc:  # noqa: BLE001 - an unreachable Redis must not take the service down
            logger.warning("rate limiter unavailable (%s); request let through", type(exc).__name__)
            return
        raise RateLimited(self.limit, max(1, math.ceil(stats.reset_time - time.time())))


def _client(request: Request) -> Client:
    return cast(Client, request.scope["state"]["client"])


def current_client(request: Request, _key: Annotated[str | None, Security(api_key_scheme)] = None) -> Client:
    """The caller identified by the access middleware; the key parameter declares the header in OpenAPI."""
    return _client(request)


def require_admin(request: Request) -> None:
    """Corpus writes and audit-log reads need an admin key when admin keys are configured."""
    keys = cast(ApiKeys, request.app.state.api_keys)
    if keys.admin_required and not _client(request).admin:
        raise AdminKeyRequired()
