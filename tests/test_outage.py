"""Database outages: 503s with a clear code while PostgreSQL is unreachable, recovery without a restart.

The service reaches PostgreSQL through a TCP relay the test can cut and restore, as a network or
server outage would, without touching the server other tests use.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import make_url

from app.core.config import Settings
from app.main import create_app
from app.ml.embedder import Embedder
from tests.conftest import SEEDS_DIR, empty_postgres_database

pytestmark = pytest.mark.postgres


class Relay:
    """Forwards a local port to the PostgreSQL server; ``cut()`` drops every connection and refuses new ones."""

    def __init__(self, target: tuple[str, int]) -> None:
        self._target = target
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            if self._listener is not None:
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread; close() alone would not
                self._listener.close()
                self._listener = None
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self._target)
            with self._lock:
                self._sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass


@pytest.fixture
def relay(postgres_database: str) -> Iterator[tuple[Relay, str]]:
    """A relay to an empty test database, and the database URL that goes through it."""
    url = make_url(empty_postgres_database(postgres_database))
    relay = Relay((url.host or "127.0.0.1", url.port or 5432))
    relay.restore()
    try:
        yield relay, url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    finally:
        relay.cut()


def _wait_for(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "no recovery in time"
        time.sleep(0.2)


CLAIM = {"claim": "NATO gave Ukraine a membership timetable"}


def test_outage_answers_503_and_the_service_recovers_alone(
    relay: tuple[Relay, str], make_client: Callable[..., Any]
) -> None:
    link, url = relay
    with make_client(database_url=url) as client:
        assert client.post("/check", json=CLAIM).status_code == 200

        link.cut()
        ready = client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["status"] == "unavailable"
        for response in (
            client.post("/check", json=CLAIM),
            client.get("/documents"),
            client.post("/documents", json={"title": "T", "text": "Written during the outage."}),
        ):
            assert response.status_code == 503, response.text
            assert response.json()["error"]["code"] == "database_unavailable"
            assert response.headers["Retry-After"]
        assert client.get("/health").status_code == 200

        link.restore()
        _wait_for(lambda: client.get("/ready").status_code == 200, timeout=30)
        assert client.post("/check", json=CLAIM).status_code == 200
        assert client.get("/documents").json()["total"] == 1


def test_start_up_waits_for_the_database(relay: tuple[Relay, str], embedder: Embedder) -> None:
    link, url = relay
    link.cut()
    settings = Settings(database_url=url, seeds_dir=SEEDS_DIR, database_wait_seconds=0.5)
    app = create_app(settings, embedder)
    with TestClient(app) as client:
        time.sleep(1.5)
        ready = client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["status"] == "unavailable"
        assert client.post("/check", json=CLAIM).status_code == 503
        link.restore()
        assert app.state.runtime.wait_until_loaded(timeout=60)
        assert client.get("/ready").status_code == 200
        assert client.post("/check", json=CLAIM).json()["verdict"] == "contradicted"
