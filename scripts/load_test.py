"""Load test on loopback: concurrent clients mixing checks and document writes against the real service.

Starts the service (one or more uvicorn processes sharing one scratch database), runs `--clients`
clients for `--duration` seconds (at most `--max-requests` requests in all), then counts the corpus:
every document acknowledged with 201 and not deleted must be there exactly once, nothing else may be,
and each with every one of its sentences.
With several instances it also measures how long a document added on one takes to be used by another.
Exits non-zero on any 5xx, transport error or miscount. It stops by itself.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from service_process import ROOT, Service, scratch_database

CLAIMS = [
    "NATO gave Ukraine a membership timetable",
    "Germany committed 20 billion euros in military aid to Ukraine",
    "Poland and Romania are expected to join the framework",
    "The European Central Bank raised interest rates",
    "Zelenskiy met the leaders of the alliance's 31 nations",
    "France will deliver long-range cruise missiles to Kyiv",
]
SEED_DOCUMENTS = 1
SENTENCES_PER_ARTICLE = 3


def article(client_id: int, number: int) -> dict[str, str]:
    """A unique article (the title names it) of a few sentences."""
    town = random.choice(["Leeds", "Ghent", "Porto", "Lyon", "Turku", "Graz"])
    return {
        "title": f"load-{client_id}-{number}",
        "text": (
            f"The council of {town} approved budget {client_id}-{number} on Monday. "
            f"It allocates {random.randint(2, 90)} million euros to schools. "
            f"The vote passed {random.randint(20, 40)} to {random.randint(1, 19)}."
        ),
    }


@dataclass
class Tally:
    """What the clients saw, merged under a lock."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {})
    statuses: Counter[str] = field(default_factory=Counter)
    transport_errors: list[str] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)  # title -> id, acknowledged with 201
    duplicates_answered: int = 0
    # By title: SQLite may give a deleted document's id to the next new one.
    deleted: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, status: int) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds * 1000)
            self.statuses[f"{kind} {status}"] += 1


def run_client(client_id: int, urls: list[str], deadline: float, budget: threading.Semaphore, tally: Tally) -> None:
    rng = random.Random(client_id)
    mine: list[tuple[str, int, dict[str, str]]] = []
    number = 0
    clients = [httpx.Client(base_url=url, timeout=60) for url in urls]
    try:
        while time.monotonic() < deadline and budget.acquire(blocking=False):
            http = rng.choice(clients)
            roll = rng.random()
            started = time.perf_counter()
            try:
                if roll < 0.60:
                    kind = "check"
                    response = http.post("/check", json={"claim": rng.choice(CLAIMS)})
                elif roll < 0.70:
                    kind = "batch"
                    response = http.post("/check/batch", json={"claims": rng.sample(CLAIMS, 3)})
                elif roll < 0.85 or not mine:
                    kind = "add"
                    number += 1
                    body = article(client_id, number)
                    response = http.post("/documents", json=body)
                    if response.status_code == 201:
                        mine.append((body["title"], response.json()["id"], body))
                        with tally.lock:
                            tally.created[body["title"]] = response.json()["id"]
                elif roll < 0.95:
                    kind = "re-add"  # the same text again: must answer 200 with the stored document
                    title, document_id, body = rng.choice(mine)
                    response = http.post("/documents", json=body)
                    if response.status_code == 200 and response.json()["id"] == document_id:
                        with tally.lock:
                            tally.duplicates_answered += 1
                else:
                    kind = "delete"
                    title, document_id, _ = mine.pop(rng.randrange(len(mine)))
                    response = http.delete(f"/documents/{document_id}")
                    if response.status_code == 204:
                        with tally.lock:
                            tally.deleted.add(title)
            except httpx.TransportError as exc:
                with tally.lock:
                    tally.transport_errors.append(f"{type(exc).__name__}: {exc}")
                continue
            tally.record(kind, time.perf_counter() - started, response.status_code)
    finally:
        for http in clients:
            http.close()


def all_documents(url: str) -> list[dict[str, object]]:
    documents: list[dict[str, object]] = []
    with httpx.Client(base_url=url, timeout=60) as http:
        while True:
            page = http.get("/documents", params={"offset": len(documents), "limit": 200}).json()
            documents += page["items"]
            if len(documents) >= page["total"] or not page["items"]:
                return documents


def sync_delays(urls: list[str], rounds: int = 5) -> list[float]:
    """Seconds from a 201 on the first instance until a check scoped to that document on the last cites it."""
    delays = []
    with httpx.Client(base_url=urls[0], timeout=60) as first, httpx.Client(base_url=urls[-1], timeout=60) as last:
        for number in range(rounds):
            body = article(999, number)
            document_id = first.post("/documents", json=body).json()["id"]
            started = time.perf_counter()
            while True:
                response = last.post("/check", json={"claim": body["text"], "document_ids": [document_id]})
                if response.status_code == 200 and response.json()["evidence"]:
                    break
                if time.perf_counter() - started > 60:
                    raise RuntimeError("a document was not picked up by the other instance within 60 s")
                time.sleep(0.05)
            delays.append(time.perf_counter() - started)
    return delays


def percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--max-requests", type=int, default=50_000, help="stop after this many requests")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--instances", type=int, default=1, help="service processes sharing the database")
    parser.add_argument("--sync-seconds", default="1", help="FACTCHECK_INDEX_SYNC_SECONDS of the instances")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "load.json")
    args = parser.parse_args()

    tally = Tally()
    log = args.out.with_suffix(".log")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    log.unlink(missing_ok=True)
    with scratch_database(args.database) as database_url:
        services = [Service(database_url, log=log, index_sync_seconds=args.sync_seconds) for _ in range(args.instances)]
        try:
            # One at a time, so the seeds are ingested once and the others find them stored.
            for service in services:
                service.wait_ready()
            urls = [service.url for service in services]
            budget = threading.Semaphore(args.max_requests)
            deadline = time.monotonic() + args.duration
            threads = [
                threading.Thread(target=run_client, args=(n, urls, deadline, budget, tally))
                for n in range(args.clients)
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            delays = sync_delays(urls) if len(urls) > 1 else []
            documents = all_documents(urls[0])
            ready = [httpx.get(f"{url}/ready", timeout=30).json() for url in urls]
        finally:
            for service in services:
                service.terminate()

    kept = {title: document_id for title, document_id in tally.created.items() if title not in tally.deleted}
    stored = Counter(str(document["title"]) for document in documents)
    load_titles = {title for title in stored if title.startswith("load-") and not title.startswith("load-999-")}
    lost = sorted(set(kept) - load_titles)
    unexpected = sorted(load_titles - set(kept))
    duplicated = sorted(title for title, count in stored.items() if count > 1)
    wrongly_split = sorted(
        str(d["title"])
        for d in documents
        if str(d["title"]).startswith("load-") and d["sentence_count"] != SENTENCES_PER_ARTICLE
    )
    expected_total = SEED_DOCUMENTS + len(kept) + len(delays)
    all_latencies = [ms for values in tally.latencies.values() for ms in values]
    server_errors = sum(count for key, count in tally.statuses.items() if key.split()[-1].startswith("5"))
    results = {
        "database": args.database,
        "instances": args.instances,
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "requests": len(all_latencies),
        "requests_per_second": round(len(all_latencies) / elapsed, 1),
        "p50_ms": round(percentile(all_latencies, 50), 1),
        "p95_ms": round(percentile(all_latencies, 95), 1),
        "p99_ms": round(percentile(all_latencies, 99), 1),
        "by_kind": {
            kind: {"requests": len(v), "p50_ms": round(percentile(v, 50), 1), "p95_ms": round(percentile(v, 95), 1)}
            for kind, v in sorted(tally.latencies.items())
        },
        "statuses": dict(sorted(tally.statuses.items())),
        "server_errors_5xx": server_errors,
        "transport_errors": len(tally.transport_errors),
        "documents_created": len(tally.created),
        "documents_deleted": len(tally.deleted),
        "duplicate_posts_answered_with_stored_document": tally.duplicates_answered,
        "documents_expected": expected_total,
        "documents_stored": len(documents),
        "lost": lost,
        "unexpected": unexpected,
        "duplicated": duplicated,
        "documents_with_wrong_sentence_count": wrongly_split,
        "index_documents_per_instance": [r["documents"] for r in ready],
        "sync_delay_s": {"max": round(max(delays), 2), "median": round(statistics.median(delays), 2)}
        if delays
        else None,
    }
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    problems = []
    if server_errors:
        problems.append(f"{server_errors} responses were 5xx")
    if tally.transport_errors:
        problems.append(f"{len(tally.transport_errors)} transport errors, first: {tally.transport_errors[0]}")
    if lost or unexpected or duplicated or len(documents) != expected_total:
        problems.append("the corpus does not match what the clients were told")
    if wrongly_split:
        problems.append(f"{len(wrongly_split)} documents stored without all of their {SENTENCES_PER_ARTICLE} sentences")
    if any(r["documents"] != len(documents) for r in ready):
        problems.append("an instance's index does not hold every stored document")
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
