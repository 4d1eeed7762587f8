"""Helpers for scripts that run the real service as separate processes: scratch databases, start, stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_ADMIN_URL = os.environ.get(
    "FACTCHECK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def scratch_database(backend: str) -> Iterator[str]:
    """URL of an empty database (a temporary SQLite file, or a PostgreSQL database) removed afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'factcheck.db'}"
        return
    if backend != "postgres":
        raise ValueError(f"unknown backend {backend!r}; use sqlite or postgres")
    name = f"factcheck_scratch_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Service:
    """One `uvicorn app.main:app` process on loopback."""

    def __init__(self, database_url: str, port: int | None = None, log: Path | None = None, **settings: str) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "FACTCHECK_DATABASE_URL": database_url, "HF_HUB_OFFLINE": "1"}
        env.update({f"FACTCHECK_{name.upper()}": value for name, value in settings.items()})
        output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(self.port),
             "--timeout-graceful-shutdown", "30"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=output,
        )  # fmt: skip

    def wait_ready(self, timeout: float = 180) -> float:
        """Seconds until /ready answered 200."""
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"the service exited with code {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/ready", timeout=5).status_code == 200:
                    return time.perf_counter() - started
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"the service did not become ready within {timeout:.0f} s")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash or an OOM kill."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def terminate(self, timeout: float = 60) -> int:
        """SIGTERM: uvicorn's graceful shutdown; returns the exit code."""
        if self.process.poll() is None:
            self.process.terminate()
        return self.process.wait(timeout=timeout)
