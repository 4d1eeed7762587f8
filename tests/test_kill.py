"""SIGKILL mid-ingestion, then restart: the corpus is consistent (scripts/kill_test.py, a short run)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.config import PROJECT_ROOT
from tests.conftest import TEST_DATABASE

pytestmark = pytest.mark.slow


def test_killed_mid_ingestion_the_service_restarts_with_a_consistent_corpus(tmp_path: Path) -> None:
    out = tmp_path / "kill.json"
    command = [sys.executable, "scripts/kill_test.py", "--rounds", "2", "--sentences", "60"]
    command += ["--database", TEST_DATABASE, "--out", str(out)]
    finished = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    results = json.loads(out.read_text())
    kills = [r for r in results["rounds"] if r["signal"] == "SIGKILL"]
    assert len(kills) == 2
    assert all(r["posts_in_flight_at_signal"] > 0 for r in kills), "the kill did not land mid-ingestion"
    assert results["final"]["documents"] > 0
    assert results["problems"] == []
