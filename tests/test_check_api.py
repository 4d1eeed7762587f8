from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.config import Settings
from app.db import repository
from app.db.tables import CheckRecord
from app.ml.embedder import Embedder
from app.pipeline.similarity_verifier import SimilarityVerifier
from app.pipeline.verdicts import Passage, Verification
from app.runtime import Runtime
from tests.conftest import SEEDS_DIR

OTHER_ARTICLE = {
    "title": "Germany expands rail network",
    "text": "Germany will spend 20 billion euros on new rail lines by 2030. "
    "The transport ministry announced the plan on Friday.",
}


def check(client: TestClient, claim: str, **extra: Any) -> dict[str, Any]:
    response = client.post("/check", json={"claim": claim, **extra})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_check_answers_with_verdict_scores_and_cited_passage(client: TestClient, seed_document: dict[str, Any]) -> None:
    body = check(client, "Poland and Romania are expected to join the framework")
    assert body["claim"] == "Poland and Romania are expected to join the framework"
    assert body["verdict"] == "supported"
    assert 0 <= body["confidence"] <= 1
    assert set(body["scores"]) == {"supported", "contradicted", "unknown"}
    assert abs(sum(body["scores"].values()) - 1) < 1e-6
    assert body["explanation"]
    assert set(body["model_versions"]) == {"embedder", "verifier"}
    cited = body["evidence"][0]
    assert cited["document_id"] == seed_document["id"]
    assert cited["sentence_index"] == 7
    assert cited["text"].startswith("Poland and Romania are expected to join the framework on Wednesday")
    for evidence in body["evidence"]:
        assert seed_document["text"][evidence["start"] : evidence["end"]] == evidence["text"]


@pytest.mark.parametrize(
    "claim",
    [
        "Germany has already committed military assistance totaling 20 billion euros through 2032",
        "Germany committed to military assistance of 12 billion euros, including 3.2 billion euros for 2024",
        "France said on Wednesday that it will deliver long-range cruise missiles to Kyiv",
    ],
)
def test_a_changed_number_or_date_is_never_supported(client: TestClient, claim: str) -> None:
    body = check(client, claim)
    assert body["verdict"] == "contradicted"
    assert body["evidence"][0]["sentence_index"] in (12, 13)
    assert body["decisive_span"]


def test_negated_claim_is_not_supported(client: TestClient) -> None:
    body = check(client, "NATO gave Ukraine a timetable for membership")
    assert body["verdict"] == "contradicted"
    assert body["evidence"][0]["sentence_index"] == 1
    assert "rejected" in body["explanation"]


def test_unrelated_claim_is_unknown_not_an_error(client: TestClient) -> None:
    body = check(client, "The European Central Bank raised interest rates by half a point")
    assert body["verdict"] == "unknown"


def test_document_ids_limit_the_corpus(client: TestClient, seed_document: dict[str, Any]) -> None:
    other = client.post("/documents", json=OTHER_ARTICLE).json()
    claim = "Germany committed 20 billion euros"
    scoped_to_seed = check(client, claim, document_ids=[seed_document["id"]])
    assert {e["document_id"] for e in scoped_to_seed["evidence"]} == {seed_document["id"]}
    scoped_to_other = check(client, claim, document_ids=[other["id"]])
    assert {e["document_id"] for e in scoped_to_other["evidence"]} == {other["id"]}
    everything = check(client, claim)
    assert {e["document_id"] for e in everything["evidence"]} == {seed_document["id"], other["id"]}


def test_deleted_documents_are_no_longer_cited(client: TestClient) -> None:
    other = client.post("/documents", json=OTHER_ARTICLE).json()
    assert client.delete(f"/documents/{other['id']}").status_code == 204
    body = check(client, "Germany will spend 20 billion euros on rail lines")
    assert other["id"] not in {e["document_id"] for e in body["evidence"]}


def test_batch_keeps_input_order(client: TestClient) -> None:
    claims = [
        "The European Central Bank raised interest rates by half a point",
        "Poland and Romania are expected to join the framework",
        "Germany has already committed military assistance totaling 20 billion euros through 2032",
    ]
    response = client.post("/check/batch", json={"claims": claims})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["claim"] for r in results] == claims
    assert [r["verdict"] for r in results] == ["unknown", "supported", "contradicted"]
    single = check(client, claims[1])
    assert single["evidence"][0]["text"] == results[1]["evidence"][0]["text"]


def test_every_check_is_recorded_for_audit(client: TestClient) -> None:
    body = check(client, "Poland and Romania are expected to join the framework")
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    with Session(runtime.engine) as session:
        [record], _ = repository.list_checks(session, 0, 1)
    assert record.id == body["id"]
    assert record.claim == body["claim"]
    assert record.verdict == body["verdict"]
    assert record.scores == body["scores"]
    assert record.model_versions == body["model_versions"]
    assert record.evidence[0]["document_id"] == body["evidence"][0]["document_id"]
    assert record.evidence[0]["sentence_indices"] == body["evidence"][0]["sentence_indices"]
    # The response's time is the stored one (the record is not read back after its commit).
    assert record.created_at == datetime.fromisoformat(body["checked_at"])


def test_a_past_check_reads_back_as_it_was_answered(client: TestClient, seed_document: dict[str, Any]) -> None:
    body = check(client, "Germany committed 20 billion euros and Poland is expected to join the framework")
    response = client.get(f"/checks/{body['id']}")
    assert response.status_code == 200, response.text
    record = response.json()
    answered = ("id", "claim", "verdict", "confidence", "scores", "explanation", "decisive_span", "model_versions")
    for field in (*answered, "latency_ms"):
        assert record[field] == body[field], field
    assert datetime.fromisoformat(record["checked_at"]) == datetime.fromisoformat(body["checked_at"])
    assert record["document_scope"] is None
    assert [p["claim"] for p in record["parts"]] == [p["claim"] for p in body["parts"]]
    assert [p["verdict"] for p in record["parts"]] == [p["verdict"] for p in body["parts"]]
    assert len(record["parts"]) == 2
    assert len(record["evidence"]) == len(body["evidence"])
    for stored, answered in zip(record["evidence"], body["evidence"], strict=True):
        assert {k: stored[k] for k in ("document_id", "sentence_index", "sentence_indices", "start", "end")} == {
            k: answered[k] for k in ("document_id", "sentence_index", "sentence_indices", "start", "end")
        }
        # Where the passage lies is enough to find it again in the document.
        assert seed_document["text"][stored["start"] : stored["end"]] == answered["text"]


def test_past_checks_are_listed_newest_first_and_by_verdict(client: TestClient, seed_document: dict[str, Any]) -> None:
    claims = [
        "Poland and Romania are expected to join the framework",
        "NATO gave Ukraine a membership timetable",
        "The European Central Bank raised interest rates",
    ]
    ids = [check(client, claim, document_ids=[seed_document["id"]])["id"] for claim in claims]
    page = client.get("/checks", params={"limit": 2}).json()
    assert page["total"] == 3
    assert [r["id"] for r in page["items"]] == ids[::-1][:2]
    assert all(r["document_scope"] == [seed_document["id"]] for r in page["items"])
    rest = client.get("/checks", params={"limit": 2, "offset": 2}).json()
    assert [r["id"] for r in rest["items"]] == [ids[0]]
    contradicted = client.get("/checks", params={"verdict": "contradicted"}).json()
    assert [r["claim"] for r in contradicted["items"]] == [claims[1]]
    assert contradicted["total"] == 1
    refused = client.get("/checks", params={"verdict": "maybe"})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize("check_id", [999, 0, -1, 2**40])
def test_an_unknown_check_id_is_a_404(client: TestClient, check_id: int) -> None:
    response = client.get(f"/checks/{check_id}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "check_not_found"
    assert "GET /checks" in response.json()["error"]["message"]


def test_a_record_from_before_revision_0004_reads_back_with_nulls(client: TestClient) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    with Session(runtime.engine) as session:
        old = CheckRecord(
            claim="An old claim",
            verdict="unknown",
            confidence=0.5,
            scores={"supported": 0.25, "contradicted": 0.25, "unknown": 0.5},
            evidence=[{"document_id": 1, "sentence_indices": [3]}],
            model_versions={"embedder": "e", "verifier": "v"},
            latency_ms=12.0,
        )
        repository.add_check_records(session, [old])
        old_id = old.id
    record = client.get(f"/checks/{old_id}").json()
    assert record["explanation"] is None and record["parts"] is None and record["decisive_span"] is None
    assert record["evidence"] == [
        {"document_id": 1, "sentence_indices": [3], "sentence_index": None, "start": None, "end": None,
         "similarity": None}
    ]  # fmt: skip
    assert datetime.fromisoformat(record["checked_at"]).tzinfo is not None


@pytest.mark.parametrize(
    ("payload", "status", "code", "message_part"),
    [
        ({"claim": ""}, 422, "invalid_request", "claim"),
        ({"claim": "   \n\t"}, 422, "invalid_request", "whitespace"),
        ({"claim": "?!? …"}, 422, "invalid_request", "no letters or digits"),
        ({"claim": "x" * 2001}, 422, "input_too_long", "2,000"),
        ({"claim": "NATO met", "document_ids": [424242]}, 404, "document_not_found", "424242"),
        ({"claim": 42}, 422, "invalid_request", "claim"),
        ({"claim": "NATO met", "document_ids": "all"}, 422, "invalid_request", "document_ids"),
        # An empty scope would search nothing and answer "unknown" for every claim.
        ({"claim": "NATO met", "document_ids": []}, 422, "invalid_request", "document_ids must name at least one"),
        ({"claim": "NATO met", "top_k": 0}, 422, "invalid_request", "top_k"),
        ({"claim": "NATO met", "top_k": 500}, 422, "top_k_too_large", "500"),
        ({}, 422, "invalid_request", "claim"),
        ([], 422, "invalid_request", "body"),
    ],
)
def test_bad_check_requests_get_a_clear_4xx(
    client: TestClient, payload: Any, status: int, code: str, message_part: str
) -> None:
    response = client.post("/check", json=payload)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert message_part in error["message"]
    assert "Traceback" not in response.text
    assert "Value error" not in response.text  # our validators' words, not pydantic's wrapper


def test_malformed_json_is_a_400(client: TestClient) -> None:
    response = client.post("/check", content=b'{"claim": "NATO', headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"


def test_bad_batch_requests(client: TestClient) -> None:
    assert client.post("/check/batch", json={"claims": []}).status_code == 422
    no_scope = client.post("/check/batch", json={"claims": ["a claim"], "document_ids": []})
    assert no_scope.status_code == 422
    assert "document_ids" in no_scope.json()["error"]["message"]
    too_many = client.post("/check/batch", json={"claims": ["a claim"] * 65})
    assert too_many.status_code == 422
    assert too_many.json()["error"]["code"] == "too_many_claims"
    blank = client.post("/check/batch", json={"claims": ["fine", " "]})
    assert blank.status_code == 422
    assert "claim 1" in blank.json()["error"]["message"]
    marks = client.post("/check/batch", json={"claims": ["fine", "fine too", "---"]})
    assert "claim 2 must contain words" in marks.json()["error"]["message"]
    long_one = client.post("/check/batch", json={"claims": ["fine", "y" * 2001]})
    assert long_one.json()["error"]["message"].startswith("claim 1 is 2,001 characters")


def test_unknown_route_uses_the_error_shape(client: TestClient) -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


class WholesRecorder(SimilarityVerifier):
    """The similarity verifier, keeping the compound claim it was given with each part."""

    def __init__(self) -> None:
        super().__init__()
        self.wholes: list[str] = []

    def verify(
        self, items: Sequence[tuple[str, Sequence[Passage]]], wholes: Sequence[str] | None = None
    ) -> list[Verification]:
        self.wholes += list(wholes or [])
        return super().verify(items, wholes)


def test_each_part_of_a_compound_claim_is_verified_with_the_claim_it_comes_from(
    embedder: Embedder, database_url: str
) -> None:
    verifier = WholesRecorder()
    runtime = Runtime(Settings(database_url=database_url, seeds_dir=SEEDS_DIR), embedder, verifier)
    try:
        runtime.load()
        compound = "Germany committed 12 billion euros and Japan will send tanks"
        runtime.checker.check([compound, "Poland and Romania are expected to join the framework"], 5)
    finally:
        runtime.close()
    assert verifier.wholes == [compound, compound, ""]  # a claim of one part has no other part
