"""Input that no database row can hold (found by fuzzing on PostgreSQL): a 404 or a 422, never a 500."""

from __future__ import annotations

from typing import Any

HUGE = 2**40


def test_ids_beyond_the_integer_columns_are_simply_not_found(client: Any) -> None:
    for response in (
        client.get(f"/documents/{HUGE}"),
        client.delete(f"/documents/{HUGE}"),
        client.post("/check", json={"claim": "NATO met in Vilnius", "document_ids": [1, HUGE, -HUGE]}),
    ):
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "document_not_found"


def test_an_offset_past_every_row_gives_an_empty_page(client: Any) -> None:
    page = client.get("/documents", params={"offset": 2**70}).json()
    assert page["items"] == []
    assert page["total"] == 1


def test_text_no_database_can_store_is_refused_with_422(client: Any) -> None:
    bodies = [
        ("/check", b'{"claim": "NATO met \\u0000 in Vilnius"}'),
        ("/check", b'{"claim": "NATO met \\ud800 in Vilnius"}'),
        ("/check/batch", b'{"claims": ["fine", "lone \\udfff surrogate"]}'),
        ("/documents", b'{"title": "T", "text": "Body with \\u0000 inside."}'),
        ("/documents", b'{"title": "T\\ud800", "text": "Body."}'),
        ("/documents", b'{"title": "T", "text": "Body.", "source_url": "https://x.example/\\u0000"}'),
    ]
    for path, body in bodies:
        response = client.post(path, content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 422, (path, body, response.text)
        assert response.json()["error"]["code"] == "invalid_request"
    # A valid pair of surrogates is just an emoji.
    emoji = b'{"claim": "NATO met \\ud83d\\ude00"}'
    assert client.post("/check", content=emoji, headers={"Content-Type": "application/json"}).status_code == 200


def test_publication_times_are_stored_in_utc_and_extremes_refused(client: Any) -> None:
    def post(published_at: str, n: int) -> Any:
        return client.post("/documents", json={"title": "T", "text": f"Body {n}.", "published_at": published_at})

    naive = post("2023-07-12T09:00:00", 1)
    assert naive.status_code == 201, naive.text
    assert naive.json()["published_at"].startswith("2023-07-12T09:00:00")
    shifted = post("2023-07-12T09:00:00+02:00", 2)
    assert shifted.status_code == 201, shifted.text
    assert shifted.json()["published_at"].startswith("2023-07-12T07:00:00")
    for extreme in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"):
        response = post(extreme, 3)
        assert response.status_code == 422, (extreme, response.text)
        assert response.json()["error"]["code"] == "invalid_request"
