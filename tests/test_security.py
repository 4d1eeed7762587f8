"""API keys, admin-only writes, rate limits, body and time limits, request ids, JSON logs and metrics."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.core.config import Settings, hash_api_key
from app.core.logging import configure_logging
from app.ml.embedder import Embedder, Vectors

ARTICLE = {"title": "Budget vote", "text": "Parliament approved the 2027 budget on Thursday. The vote was 301 to 212."}
CLAIM = {"claim": "NATO gave Ukraine a membership timetable"}
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def test_keys_are_kept_only_as_hashes() -> None:
    settings = Settings(api_keys="reader-secret, other-secret", admin_api_keys="admin-secret")
    assert settings.api_keys == {hash_api_key("reader-secret"), hash_api_key("other-secret")}
    assert settings.admin_api_keys == {hash_api_key("admin-secret")}
    dumped = repr(settings) + settings.model_dump_json()
    assert "secret" not in dumped.replace(hash_api_key("reader-secret"), "")


def test_with_keys_everything_but_probes_and_docs_needs_a_valid_key(make_client: Callable[..., Any]) -> None:
    with make_client(api_keys="reader-key") as client:
        for method, path, body in [
            ("POST", "/check", CLAIM),
            ("POST", "/check/batch", {"claims": ["a claim"]}),
            ("GET", "/documents", None),
            ("GET", "/documents/1", None),
            ("DELETE", "/documents/1", None),
            ("GET", "/metrics", None),
            ("GET", "/no-such-route", None),
        ]:
            for headers in ({}, {"X-API-Key": "wrong-key"}, {"X-API-Key": ""}):
                response = client.request(method, path, json=body, headers=headers)
                assert response.status_code == 401, (method, path, headers, response.text)
                assert response.json()["error"]["code"] == "invalid_api_key"
                assert response.headers["WWW-Authenticate"].startswith("ApiKey")
        # A malformed body without a key is refused for the key, before its body is read.
        assert (
            client.post("/check", content=b"{not json", headers={"Content-Type": "application/json"}).status_code == 401
        )

        for path in ("/health", "/ready", "/docs", "/openapi.json", "/docs-assets/swagger-ui.css"):
            assert client.get(path).status_code == 200, path

        response = client.post("/check", json=CLAIM, headers={"X-API-Key": "reader-key"})
        assert response.status_code == 200
        assert response.json()["verdict"] in ("supported", "contradicted", "unknown")
        # Without admin keys, any valid key may write.
        assert client.post("/documents", json=ARTICLE, headers={"X-API-Key": "reader-key"}).status_code == 201


def test_openapi_declares_the_key_so_swagger_authorize_works(make_client: Callable[..., Any]) -> None:
    with make_client(api_keys="reader-key") as client:
        schema = client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["ApiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "One of the keys in FACTCHECK_API_KEYS or FACTCHECK_ADMIN_API_KEYS.",
    }
    assert schema["paths"]["/check"]["post"]["security"] == [{"ApiKey": []}]
    assert "401" in schema["paths"]["/check"]["post"]["responses"]
    assert "security" not in schema["paths"]["/health"]["get"]
    assert "security" not in schema["paths"]["/ready"]["get"]


def test_without_keys_the_service_is_open(client: Any) -> None:
    assert client.post("/check", json=CLAIM).status_code == 200
    assert client.post("/documents", json=ARTICLE).status_code == 201
    assert "securitySchemes" not in client.get("/openapi.json").json().get("components", {})


def test_writes_can_be_limited_to_admin_keys(make_client: Callable[..., Any]) -> None:
    with make_client(api_keys="reader-key", admin_api_keys="admin-key") as client:
        reader, admin = {"X-API-Key": "reader-key"}, {"X-API-Key": "admin-key"}
        refused = client.post("/documents", json=ARTICLE, headers=reader)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "admin_key_required"
        created = client.post("/documents", json=ARTICLE, headers=admin)
        assert created.status_code == 201
        document_id = created.json()["id"]
        assert client.delete(f"/documents/{document_id}", headers=reader).status_code == 403
        assert client.get(f"/documents/{document_id}", headers=reader).status_code == 200
        assert client.post("/check", json=CLAIM, headers=reader).status_code == 200
        assert client.post("/check", json=CLAIM, headers=admin).status_code == 200
        assert client.delete(f"/documents/{document_id}", headers=admin).status_code == 204
        # The audit log says what every client asked: only admin keys read it.
        for path in ("/checks", "/checks/1"):
            assert client.get(path, headers=reader).json()["error"]["code"] == "admin_key_required", path
            assert client.get(path, headers=admin).status_code == 200, path


def test_rate_limit_per_client_address_when_open(make_client: Callable[..., Any]) -> None:
    with make_client(rate_limit="3/minute") as client:
        assert [client.get("/documents").status_code for _ in range(3)] == [200, 200, 200]
        limited = client.get("/documents")
        assert limited.status_code == 429
        assert limited.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        assert client.post("/check", json=CLAIM).status_code == 429
        # Probes are never limited.
        assert client.get("/health").status_code == 200
        assert client.get("/ready").status_code == 200


def test_rate_limit_is_per_key(make_client: Callable[..., Any]) -> None:
    with make_client(api_keys="key-a,key-b", rate_limit="2/minute") as client:
        a, b = {"X-API-Key": "key-a"}, {"X-API-Key": "key-b"}
        assert [client.get("/documents", headers=a).status_code for _ in range(3)] == [200, 200, 429]
        assert client.get("/documents", headers=b).status_code == 200


def test_rate_limit_in_redis_is_shared_by_instances(make_client: Callable[..., Any]) -> None:
    key = f"shared-{uuid.uuid4().hex}"  # a fresh key: nothing counted for it in Redis yet
    settings = {"api_keys": key, "rate_limit": "4/minute", "redis_url": "redis://127.0.0.1:6379/0"}
    headers = {"X-API-Key": key}
    with make_client(**settings) as first, make_client(**settings) as second:
        assert first.get("/documents", headers=headers).status_code == 200
        assert second.get("/documents", headers=headers).status_code == 200
        assert first.get("/documents", headers=headers).status_code == 200
        assert second.get("/documents", headers=headers).status_code == 200
        assert first.get("/documents", headers=headers).status_code == 429
        assert second.get("/documents", headers=headers).status_code == 429


def test_request_body_size_is_limited(make_client: Callable[..., Any]) -> None:
    with make_client(max_body_bytes=1_000) as client:
        declared = client.post("/documents", json={"title": "Long", "text": "Word. " * 400})
        assert declared.status_code == 413
        assert declared.json()["error"]["code"] == "payload_too_large"

        def chunks() -> Iterator[bytes]:
            yield b'{"claim": "'
            for _ in range(20):
                yield b"x" * 100
            yield b'"}'

        streamed = client.post("/check", content=chunks(), headers={"Content-Type": "application/json"})
        assert streamed.status_code == 413
        assert streamed.json()["error"]["code"] == "payload_too_large"
        assert client.post("/check", json=CLAIM).status_code == 200


class SlowEmbedder:
    """The real embedder, stalling on texts that ask for it (to trip the inference timeout)."""

    def __init__(self, inner: Embedder) -> None:
        self._inner = inner
        self.version = inner.version
        self.dimension = inner.dimension

    def encode(self, texts: Sequence[str]) -> Vectors:
        if any("stall" in text for text in texts):
            time.sleep(3)
        return self._inner.encode(texts)


def test_slow_inference_answers_504(make_client: Callable[..., Any], embedder: Embedder) -> None:
    with make_client(embedder_override=SlowEmbedder(embedder), inference_timeout_seconds=0.5) as client:
        started = time.perf_counter()
        response = client.post("/check", json={"claim": "Please stall the model"})
        assert time.perf_counter() - started < 2.5
        assert response.status_code == 504
        assert response.json()["error"]["code"] == "inference_timeout"
        # The abandoned call holds the one model slot until it ends (checks queued behind it may time
        # out too); then checks are answered again.
        deadline = time.monotonic() + 15
        while (status := client.post("/check", json=CLAIM).status_code) == 504 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert status == 200


class GatedEmbedder:
    """The real embedder, recording what it embeds; texts asking to stall wait until the gate opens."""

    def __init__(self, inner: Embedder) -> None:
        self._inner = inner
        self.version = inner.version
        self.dimension = inner.dimension
        self.gate = threading.Event()
        self.seen: list[str] = []

    def encode(self, texts: Sequence[str]) -> Vectors:
        self.seen.extend(texts)
        if any("stall" in text for text in texts):
            self.gate.wait(30)
        return self._inner.encode(texts)


def test_requests_answered_with_a_timeout_skip_their_model_work(
    make_client: Callable[..., Any], embedder: Embedder
) -> None:
    gated = GatedEmbedder(embedder)
    settings = {"inference_timeout_seconds": 0.5, "model_slots": 1}
    with make_client(embedder_override=gated, **settings) as client, ThreadPoolExecutor(2) as pool:
        documents_before = client.get("/documents").json()["total"]
        holding = pool.submit(client.post, "/check", json={"claim": "Please stall the model"})
        deadline = time.monotonic() + 10
        while "Please stall the model" not in gated.seen and time.monotonic() < deadline:
            time.sleep(0.01)
        # The one model slot is taken: these two wait for it and are answered 504 meanwhile.
        queued_check = pool.submit(client.post, "/check", json={"claim": "A queued claim about budgets"})
        queued_document = client.post("/documents", json={"title": "Queued", "text": "A queued article. Two lines."})
        assert queued_document.status_code == 504
        assert queued_check.result().status_code == 504
        assert holding.result().status_code == 504
        gated.gate.set()
        while (status := client.post("/check", json=CLAIM).status_code) == 504 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert status == 200
        time.sleep(0.5)  # time enough for a queued call to have run, were it still going to
        # The waiting requests gave their turn up: nothing of theirs reached the model or the database.
        assert not [text for text in gated.seen if "queued" in text.lower()]
        assert client.get("/documents").json()["total"] == documents_before


def test_request_id_is_accepted_echoed_or_made(client: Any) -> None:
    assert client.get("/health", headers={"X-Request-ID": "desk-42.a"}).headers["X-Request-ID"] == "desk-42.a"
    made = client.get("/health").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    # Anything that is not a plain token is replaced, so it cannot smuggle text into logs.
    replaced = client.get("/health", headers={"X-Request-ID": "<script>alert(1)</script>"}).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", replaced)


@pytest.fixture
def log_lines() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The JSON log lines written while the test runs, parsed (each line must be one JSON object)."""
    buffer = io.StringIO()
    configure_logging("INFO", stream=buffer)
    try:
        yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    finally:
        configure_logging("INFO")


HOSTILE_CLAIM = 'NATO met "in Vilnius"\n{"level": "ERROR", "message": "forged"} <script>alert(1)</script>'


def test_access_log_is_json_with_request_id_and_no_claim_text(
    client: Any, log_lines: Callable[[], list[dict[str, Any]]]
) -> None:
    response = client.post("/check", json={"claim": HOSTILE_CLAIM}, headers={"X-Request-ID": "req-7"})
    assert response.status_code == 200
    lines = log_lines()
    [access] = [line for line in lines if line["logger"] == "app.access" and line["request_id"] == "req-7"]
    assert access["method"] == "POST"
    assert access["route"] == "/check"
    assert access["status"] == 200
    assert access["latency_ms"] > 0
    assert access["client"].startswith("addr-")
    assert not any("Vilnius" in json.dumps(line) for line in lines)
    assert not any(line.get("message") == "forged" for line in lines)


def test_claims_are_logged_only_when_configured(
    make_client: Callable[..., Any], log_lines: Callable[[], list[dict[str, Any]]]
) -> None:
    with make_client(log_claims=True, api_keys="reader-key") as client:
        client.post("/check", json={"claim": HOSTILE_CLAIM}, headers={"X-API-Key": "reader-key"})
    [access] = [line for line in log_lines() if line["logger"] == "app.access" and line["route"] == "/check"]
    assert access["claims"] == HOSTILE_CLAIM
    assert access["client"] == f"key-{hash_api_key('reader-key')[:12]}"
    assert "reader-key" not in json.dumps(log_lines())


def test_metrics(client: Any) -> None:
    assert client.post("/check", json=CLAIM).status_code == 200
    assert client.post("/check", json={"claim": ""}).status_code == 422
    assert client.get("/documents/999").status_code == 404
    text = client.get("/metrics").text

    def value(sample: str) -> float:
        match = re.search(rf"^{re.escape(sample)} ([0-9.e+-]+)$", text, re.MULTILINE)
        assert match, sample
        return float(match.group(1))

    assert value('factcheck_http_requests_total{method="POST",route="/check",status="200"}') == 1
    assert value('factcheck_http_requests_total{method="POST",route="/check",status="422"}') == 1
    assert value('factcheck_http_requests_total{method="GET",route="/documents/{document_id}",status="404"}') == 1
    assert value('factcheck_http_request_duration_seconds_count{method="POST",route="/check",status="200"}') == 1
    verdicts = sum(float(v) for v in re.findall(r"^factcheck_verdicts_total\{verdict=\"\w+\"\} (\S+)$", text, re.M))
    assert verdicts == 1
    assert value('factcheck_inference_seconds_count{stage="verify"}') >= 1
    assert value('factcheck_inference_seconds_count{stage="embed"}') >= 1
    assert value("factcheck_corpus_documents") == 1
    assert value("factcheck_corpus_sentences") == 15


# One worker process of a multi-process server: records a number of requests, then may print /metrics.
_WORKER = """
import sys
from prometheus_client import generate_latest
from app.metrics import ServiceMetrics
metrics = ServiceMetrics(lambda: (1, 5))
for _ in range(int(sys.argv[1])):
    metrics.observe_request("GET", "/health", 200, 0.01)
if sys.argv[2] == "print":
    sys.stdout.write(generate_latest(metrics.exposition()).decode())
"""


def test_metrics_of_worker_processes_are_summed_through_a_multiprocess_folder(tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for count in (3, 4):
        subprocess.run([sys.executable, "-c", _WORKER, str(count), "-"], env=env, check=True, cwd=PROJECT_ROOT)
    printer = [sys.executable, "-c", _WORKER, "0", "print"]
    printed = subprocess.run(printer, env=env, check=True, cwd=PROJECT_ROOT, capture_output=True, text=True).stdout
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(printed)
        for sample in family.samples
    }
    labels = (("method", "GET"), ("route", "/health"), ("status", "200"))
    assert samples[("factcheck_http_requests_total", labels)] == 7
    assert samples[("factcheck_http_request_duration_seconds_count", labels)] == 7
    assert samples[("factcheck_corpus_sentences", ())] == 5
