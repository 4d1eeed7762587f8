"""The verdict engine with the committed NLI model, over HTTP, on the hand-written seed-article claims."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.slow

CLAIMS = [json.loads(line) for line in (Path(__file__).parent / "data" / "seed_claims.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def answers(embedder: Any, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    from app.core.config import Settings
    from app.main import create_app
    from tests.conftest import SEEDS_DIR

    database = tmp_path_factory.mktemp("seed-claims") / "db.sqlite"
    # These tests judge verdicts, not speed (that is `make bench`): a busy CI machine must not time out.
    settings = Settings(
        database_url=f"sqlite:///{database}", seeds_dir=SEEDS_DIR, verifier="nli", inference_timeout_seconds=600
    )
    app = create_app(settings, embedder)
    with TestClient(app) as client:
        assert app.state.runtime.wait_until_loaded(timeout=300), app.state.runtime.error
        results: list[dict[str, Any]] = []
        for start in range(0, len(CLAIMS), 32):
            batch = [row["claim"] for row in CLAIMS[start : start + 32]]
            response = client.post("/check/batch", json={"claims": batch})
            assert response.status_code == 200, response.text
            results.extend(response.json()["results"])
    return results


def test_engine_is_the_nli_model(answers: list[dict[str, Any]]) -> None:
    assert answers[0]["model_versions"]["verifier"].startswith("nli-engine:nli-minilm-l6@")


def _select(answers: list[dict[str, Any]], keep: Callable[[dict[str, Any]], bool]) -> list[tuple[dict, dict]]:
    return [(row, answer) for row, answer in zip(CLAIMS, answers, strict=True) if keep(row)]


@pytest.mark.parametrize("kind", ["number", "date", "negation"])
def test_changed_numbers_dates_and_negations_are_contradicted(answers: list[dict[str, Any]], kind: str) -> None:
    cases = _select(answers, lambda row: row["label"] == "contradicted" and row["kind"] == kind)
    assert len(cases) >= 6
    missed = [row["claim"] for row, answer in cases if answer["verdict"] != "contradicted"]
    assert missed == []


def test_changed_number_cites_the_stated_number(answers: list[dict[str, Any]]) -> None:
    [(_, answer)] = _select(
        answers, lambda row: row["claim"] == "Germany has committed 20 billion euros in military assistance to Ukraine."
    )
    assert answer["verdict"] == "contradicted"
    assert "12 billion euros" in answer["evidence"][0]["text"]


def test_off_topic_claims_are_unknown(answers: list[dict[str, Any]]) -> None:
    cases = _select(answers, lambda row: row["kind"] == "off-topic")
    assert [answer["verdict"] for _, answer in cases] == ["unknown"] * len(cases)


def test_compound_claims_list_their_parts(answers: list[dict[str, Any]]) -> None:
    [(_, answer)] = _select(
        answers, lambda row: row["claim"].startswith("Germany committed 12 billion euros and Japan said on Tuesday")
    )
    assert [part["claim"] for part in answer["parts"]] == [
        "Germany committed 12 billion euros.",
        "Japan said on Tuesday it will deliver long-range cruise missiles to Kyiv.",
    ]
    assert answer["verdict"] == "contradicted"
