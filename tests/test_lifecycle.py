from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from app.ml.embedder import Embedder, Vectors
from tests.conftest import SEEDS_DIR, CountingEmbedder

ARTICLE = {"title": "Budget vote", "text": "Parliament approved the 2027 budget on Thursday. The vote was 301 to 212."}


def test_documents_survive_a_restart_without_re_embedding(
    make_client: Callable[..., Any], counting_embedder: CountingEmbedder
) -> None:
    with make_client() as client:
        created = client.post("/documents", json=ARTICLE).json()
        before = client.post("/check", json={"claim": "The vote was 301 to 212"}).json()

    with make_client(embedder_override=counting_embedder) as client:
        assert counting_embedder.texts == [], "start-up embedded stored text again"
        page = client.get("/documents").json()
        assert [d["title"] for d in page["items"]] == [
            "G7 to announce long-term security guarantees for Ukraine in message to Russia",
            "Budget vote",
        ]
        assert client.get(f"/documents/{created['id']}").json()["text"] == ARTICLE["text"]
        after = client.post("/check", json={"claim": "The vote was 301 to 212"}).json()
        assert after["evidence"][0]["text"] == before["evidence"][0]["text"]
        assert after["verdict"] == before["verdict"]
        assert client.get("/ready").json()["sentences"] == 15 + 2


def test_seeds_are_loaded_once_across_restarts(make_client: Callable[..., Any]) -> None:
    for _ in range(2):
        with make_client() as client:
            assert client.get("/documents").json()["total"] == 1


class BlockingEmbedder:
    """Holds start-up until released, to observe the service while it loads."""

    def __init__(self, inner: Embedder) -> None:
        self._inner = inner
        self.version = inner.version
        self.dimension = inner.dimension
        self.release = threading.Event()

    def encode(self, texts: Sequence[str]) -> Vectors:
        assert self.release.wait(timeout=60)
        return self._inner.encode(texts)


def test_health_answers_at_once_and_ready_waits_for_the_models(embedder: Embedder, tmp_path: Path) -> None:
    blocking = BlockingEmbedder(embedder)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", seeds_dir=SEEDS_DIR)
    app = create_app(settings, blocking)  # type: ignore[arg-type]
    with TestClient(app) as client:
        assert client.get("/health").json() == {"status": "ok"}
        starting = client.get("/ready")
        assert starting.status_code == 503
        assert starting.json()["status"] == "starting"
        early = client.post("/check", json={"claim": "NATO met in Vilnius"})
        assert early.status_code == 503
        assert early.json()["error"]["code"] == "not_ready"
        assert early.headers["Retry-After"]
        blocking.release.set()
        assert app.state.runtime.wait_until_loaded(timeout=60)
        assert client.get("/ready").json()["status"] == "ready"


def test_failed_start_up_is_reported_by_ready(embedder: Embedder, tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", verifier="oracle")
    app = create_app(settings, embedder)
    with TestClient(app) as client:
        app.state.runtime.wait_until_loaded(timeout=60)
        response = client.get("/ready")
        assert response.status_code == 503
        assert response.json()["status"] == "failed"
        assert "oracle" in response.json()["detail"]
