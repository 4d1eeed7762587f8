from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from app.core.config import PROJECT_ROOT, Settings  # noqa: E402
from app.main import create_app  # noqa: E402
from app.ml.embedder import Embedder, Vectors  # noqa: E402

# A server and a role allowed to create databases (FACTCHECK_TEST_POSTGRES_URL); one scratch database per session.
from scripts.service_process import scratch_database  # noqa: E402

SEEDS_DIR = PROJECT_ROOT / "seeds"
SEED_FILE = SEEDS_DIR / "g7-ukraine-security-guarantees.txt"

# Which database the tests run on: `sqlite` (default) or `postgres` (`make test-postgres`, and CI).
TEST_DATABASE = os.environ.get("FACTCHECK_TEST_DATABASE", "sqlite")
if TEST_DATABASE not in ("sqlite", "postgres"):
    raise pytest.UsageError(f"FACTCHECK_TEST_DATABASE={TEST_DATABASE!r}: use 'sqlite' or 'postgres'")


def pytest_report_header() -> str:
    return f"database backend: {TEST_DATABASE} (FACTCHECK_TEST_DATABASE)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `postgres` need the server; in the SQLite pass they are skipped, with the reason shown."""
    if TEST_DATABASE == "postgres":
        return
    reason = "PostgreSQL only: runs in the FACTCHECK_TEST_DATABASE=postgres pass (make test-postgres, CI)"
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """URL of a database created for this test session on the local PostgreSQL, dropped afterwards."""
    with scratch_database("postgres") as url:
        yield url


def empty_postgres_database(url: str) -> str:
    """Drop every table (and the migration history) so a test starts from an empty database."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


class CountingEmbedder:
    """The real embedder, counting the texts it embeds (to prove nothing is embedded twice)."""

    def __init__(self, inner: Embedder) -> None:
        self._inner = inner
        self.version = inner.version
        self.dimension = inner.dimension
        self.texts: list[str] = []

    def encode(self, texts: Sequence[str]) -> Vectors:
        self.texts.extend(texts)
        return self._inner.encode(texts)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder()


@pytest.fixture
def counting_embedder(embedder: Embedder) -> CountingEmbedder:
    return CountingEmbedder(embedder)


@pytest.fixture
def database_url(tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """An empty database of the backend under test, for this test alone."""
    if TEST_DATABASE == "postgres":
        return empty_postgres_database(request.getfixturevalue("postgres_database"))
    return f"sqlite:///{tmp_path / 'factcheck.db'}"


@pytest.fixture
def make_client(embedder: Embedder, database_url: str) -> Callable[..., object]:
    """Build a ready service on the test's own database; keyword arguments override settings."""

    @contextmanager
    def factory(*, embedder_override: object | None = None, **overrides: object) -> Iterator[TestClient]:
        defaults = {"database_url": database_url, "seeds_dir": SEEDS_DIR}
        settings = Settings(**{**defaults, **overrides})
        app = create_app(settings, embedder_override or embedder)  # type: ignore[arg-type]
        with TestClient(app) as client:
            assert app.state.runtime.wait_until_loaded(timeout=120), app.state.runtime.error
            yield client

    return factory


@pytest.fixture
def client(make_client: Callable[..., object]) -> Iterator[TestClient]:
    with make_client() as ready_client:  # type: ignore[attr-defined]
        yield ready_client


@pytest.fixture
def seed_document(client: TestClient) -> dict[str, object]:
    [summary] = client.get("/documents").json()["items"]
    detail: dict[str, object] = client.get(f"/documents/{summary['id']}").json()
    return detail


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port in a thread; yields its URL once it is ready."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    assert app.state.runtime.wait_until_loaded(timeout=120), app.state.runtime.error
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
