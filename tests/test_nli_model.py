"""Behaviour of the committed NLI cross-encoder on hand-written news-style pairs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sentence_transformers import CrossEncoder

pytestmark = pytest.mark.slow

MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "nli-minilm-l6"

BUDGET = (
    "The city council approved a budget of 12 billion euros for new tram lines on Tuesday, "
    "according to the mayor's office."
)
JOBS = "Unemployment in Portugal fell to 6.4% in March, its lowest level in two decades, the statistics office said."
FACTORY = "The carmaker said it would not close its engine plant in Leeds, where about 900 people work."

CASES = [
    # Paraphrase / restatement -> entailment.
    pytest.param(
        BUDGET,
        "A 12 billion euro budget for new tram lines was approved by the city council.",
        "entailment",
        id="budget-paraphrase",
    ),
    pytest.param(JOBS, "Portugal's unemployment rate dropped to 6.4% in March.", "entailment", id="jobs-paraphrase"),
    pytest.param(FACTORY, "The engine plant in Leeds will not be closed.", "entailment", id="factory-paraphrase"),
    # Changed number -> contradiction.
    pytest.param(
        BUDGET,
        "The city council approved a budget of 20 billion euros for new tram lines.",
        "contradiction",
        id="budget-number",
    ),
    pytest.param(JOBS, "Unemployment in Portugal fell to 9.1% in March.", "contradiction", id="jobs-number"),
    # A changed number inside a reworded claim (the previous model called this entailment, P = 0.70;
    # the synthetic number edits only change a number in an otherwise copied sentence).
    pytest.param(
        FACTORY,
        "About 300 people work at the carmaker's engine plant in Leeds.",
        "contradiction",
        id="factory-number-reworded",
    ),
    # Inserted negation -> contradiction.
    pytest.param(
        BUDGET,
        "The city council did not approve a budget for new tram lines.",
        "contradiction",
        id="budget-negation-inserted",
    ),
    pytest.param(JOBS, "Unemployment in Portugal did not fall in March.", "contradiction", id="jobs-negation-inserted"),
    # Removed negation -> contradiction.
    pytest.param(
        FACTORY,
        "The carmaker said it would close its engine plant in Leeds.",
        "contradiction",
        id="factory-negation-removed",
    ),
    # Unrelated statement -> neutral.
    pytest.param(
        BUDGET, "The national football team has appointed a new head coach.", "neutral", id="budget-unrelated"
    ),
    pytest.param(JOBS, "A new museum of modern art opened in Lisbon last weekend.", "neutral", id="jobs-unrelated"),
    pytest.param(
        FACTORY, "The carmaker's chief executive studied engineering in Munich.", "neutral", id="factory-unrelated"
    ),
]


@pytest.fixture(scope="module")
def model() -> CrossEncoder:
    """The committed model, loaded once for the module."""
    loaded: CrossEncoder = CrossEncoder(str(MODEL_DIR), device="cpu")
    return loaded


def predicted_label(model: CrossEncoder, premise: str, hypothesis: str) -> str:
    """The label with the highest score, named through the model's own id2label."""
    scores = model.predict([(premise, hypothesis)])[0]
    config = json.loads((MODEL_DIR / "config.json").read_text(encoding="utf-8"))
    return str(config["id2label"][str(int(scores.argmax()))])


@pytest.mark.parametrize(("premise", "hypothesis", "expected"), CASES)
def test_news_pair_label(model: CrossEncoder, premise: str, hypothesis: str, expected: str) -> None:
    """Each hand-written claim gets the verdict a fact-checker would give."""
    assert predicted_label(model, premise, hypothesis) == expected


def test_config_label_mapping() -> None:
    """The shipped config maps class ids to the three NLI labels in the order the service expects."""
    config = json.loads((MODEL_DIR / "config.json").read_text(encoding="utf-8"))
    assert config["id2label"] == {"0": "entailment", "1": "neutral", "2": "contradiction"}
    assert config["label2id"] == {"entailment": 0, "neutral": 1, "contradiction": 2}
