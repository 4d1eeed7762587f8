from __future__ import annotations

from fastapi.testclient import TestClient

ARTICLE = {
    "title": "Baltic ministers meet in Riga",
    "text": "Baltic defence ministers met in Riga on Monday. They agreed to buy 18 air-defence systems.\n"
    "The systems will cost 1.2 billion euros, officials said.",
    "source_url": "https://example.org/riga",
    "published_at": "2026-11-02T08:00:00Z",
}


def test_seed_article_is_loaded_with_its_headline(client: TestClient) -> None:
    page = client.get("/documents").json()
    assert page["total"] == 1
    [seed] = page["items"]
    assert seed["title"] == "G7 to announce long-term security guarantees for Ukraine in message to Russia"
    assert seed["sentence_count"] == 15


def test_create_read_and_delete_a_document(client: TestClient) -> None:
    created = client.post("/documents", json=ARTICLE)
    assert created.status_code == 201
    summary = created.json()
    assert summary["title"] == ARTICLE["title"]
    assert summary["sentence_count"] == 3
    assert summary["source_url"] == ARTICLE["source_url"]

    detail = client.get(f"/documents/{summary['id']}").json()
    assert detail["text"] == ARTICLE["text"]
    assert [s["text"] for s in detail["sentences"]] == [
        "Baltic defence ministers met in Riga on Monday.",
        "They agreed to buy 18 air-defence systems.",
        "The systems will cost 1.2 billion euros, officials said.",
    ]
    for sentence in detail["sentences"]:
        assert detail["text"][sentence["start"] : sentence["end"]] == sentence["text"]

    assert client.delete(f"/documents/{summary['id']}").status_code == 204
    gone = client.get(f"/documents/{summary['id']}")
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "document_not_found"
    assert client.delete(f"/documents/{summary['id']}").status_code == 404


def test_posting_identical_text_returns_the_stored_document(client: TestClient) -> None:
    first = client.post("/documents", json=ARTICLE)
    again = client.post("/documents", json={**ARTICLE, "title": "Same text, other headline"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert client.get("/documents").json()["total"] == 2


def test_documents_are_paginated(client: TestClient) -> None:
    for n in range(3):
        client.post("/documents", json={"title": f"Note {n}", "text": f"Council meeting number {n} took place."})
    first = client.get("/documents", params={"limit": 2}).json()
    second = client.get("/documents", params={"limit": 2, "offset": 2}).json()
    assert first["total"] == second["total"] == 4
    assert len(first["items"]) == 2 and len(second["items"]) == 2
    ids = [d["id"] for d in first["items"] + second["items"]]
    assert ids == sorted(ids) and len(set(ids)) == 4


def test_invalid_documents_are_rejected_with_a_message(client: TestClient) -> None:
    too_long = client.post("/documents", json={"title": "Long", "text": "a" * 500_001})
    assert too_long.status_code == 422
    assert "500,000" in too_long.json()["error"]["message"]

    blank = client.post("/documents", json={"title": "   ", "text": "Some text."})
    assert blank.status_code == 422
    assert "title" in blank.json()["error"]["message"]

    missing = client.post("/documents", json={"title": "No text"})
    assert missing.status_code == 422
    assert missing.json()["error"]["details"][0]["field"] == "text"

    wrong_type = client.post("/documents", json={"title": "T", "text": ["a", "list"]})
    assert wrong_type.status_code == 422

    bad_date = client.post("/documents", json={"title": "T", "text": "x.", "published_at": "yesterday"})
    assert bad_date.status_code == 422
    assert bad_date.json()["error"]["details"][0]["field"] == "published_at"

    assert client.get("/documents/not-a-number").status_code == 422
    assert client.get("/documents", params={"limit": 0}).status_code == 422
    assert client.get("/documents").json()["total"] == 1


def test_offsets_count_code_points_of_the_text_as_posted(client: TestClient) -> None:
    # Line endings are kept and an emoji is one character, so text[start:end] holds in any Python client.
    text = (
        "Ministers 🇪🇺 met in Łódź.\r\nThey agreed to buy 18 systems 🚀.\r\n\r\nThe systems will cost 1.2 billion euros."
    )
    created = client.post("/documents", json={"title": "Offsets", "text": text}).json()
    detail = client.get(f"/documents/{created['id']}").json()
    assert detail["text"] == text
    assert [(s["start"], s["end"]) for s in detail["sentences"]] == [(0, 25), (27, 59), (63, 103)]
    for sentence in detail["sentences"]:
        assert text[sentence["start"] : sentence["end"]] == sentence["text"]
    check = client.post(
        "/check", json={"claim": "The systems will cost 2 billion euros.", "document_ids": [created["id"]]}
    )
    span = check.json()["decisive_span"]
    assert text[span["start"] : span["end"]] == span["text"] == "1.2 billion euros"
