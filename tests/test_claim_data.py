"""The hand-written claim sets are well formed, and tuning and reporting never share an article.

Seed claims (reporting) are about the seed article; dev claims (tuning) and news claims (reporting) are
about held-out BBC articles in ../shared, which must lie in the tuning and the reporting half respectively.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from app.pipeline.sentences import split_sentences

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import evaluation  # noqa: E402
import nli_data  # noqa: E402

DATA = Path(__file__).parent / "data"
FILES = {"seed": DATA / "seed_claims.jsonl", "dev": DATA / "dev_claims.jsonl", "news": DATA / "news_claims.jsonl"}
LABELS = {"supported", "contradicted", "unknown"}


def rows(name: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in FILES[name].read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("name", FILES)
def test_claims_have_a_label_evidence_for_a_decision_and_none_for_unknown(name: str) -> None:
    claims = rows(name)
    assert len(claims) >= 80
    for row in claims:
        assert row["label"] in LABELS and isinstance(row["kind"], str) and str(row["claim"]).strip()
        assert isinstance(row["evidence"], list)
        assert (row["label"] == "unknown") == (row["evidence"] == []), row
    assert len({str(row["claim"]) for row in claims}) == len(claims)
    counts = {label: sum(row["label"] == label for row in claims) for label in LABELS}
    assert min(counts.values()) >= len(claims) / 5, counts


def test_seed_evidence_points_at_sentences_of_the_seed_article() -> None:
    _, body = evaluation.seed_article()
    count = len(split_sentences(body))
    assert all(0 <= i < count for row in rows("seed") for i in row["evidence"])  # type: ignore[attr-defined]


def test_article_claims_point_at_sentences_of_held_out_articles_in_their_own_half() -> None:
    shared = nli_data.shared_dir()
    if not (shared / "nli-data" / "bbc_news").is_dir():
        pytest.skip("../shared/nli-data/bbc_news is not here")
    held_out = {doc.doc_id for doc in nli_data.bbc_docs(shared, heldout=True)}
    articles = {row["id"]: row for row in nli_data.read_jsonl(shared / "nli-data" / "bbc_news" / "articles.jsonl")}
    used: dict[str, set[str]] = {}
    for name, half in (("dev", "tune"), ("news", "report")):
        used[name] = {str(row["article"]) for row in rows(name)}
        for article in used[name]:
            # Never trained on; and the synthetic pairs of an article are reported in the same half as its claims.
            assert f"bbc/{article}" in held_out and evaluation.half(f"bbc/{article}") == half, article
        for row in rows(name):
            count = len(split_sentences(articles[str(row["article"])]["text"]))
            assert all(0 <= i < count for i in row["evidence"]), row  # type: ignore[attr-defined]
    assert not used["dev"] & used["news"]
