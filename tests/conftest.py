from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from app.core.config import PROJECT_ROOT, Settings  # noqa: E402
from app.main import create_app  # noqa: E402
from app.ml.embedder import Embedder, Vectors  # noqa: E402

SEEDS_DIR = PROJECT_ROOT / "seeds"
SEED_FILE = SEEDS_DIR / "g7-ukraine-security-guarantees.txt"


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
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'factcheck.db'}"


@pytest.fixture
def make_client(embedder: Embedder, database_url: str) -> Callable[..., object]:
    """Build a ready service on the test's own database; keyword arguments override settings."""

    @contextmanager
    def factory(*, embedder_override: object | None = None, **overrides: object) -> Iterator[TestClient]:
        settings = Settings(**{"database_url": database_url, "seeds_dir": SEEDS_DIR, **overrides})
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
