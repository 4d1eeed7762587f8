"""Kill test: SIGKILL the service while it ingests documents, restart it, and check the corpus is consistent.

Each round starts the service on the same scratch database, posts long articles from two clients, and
kills the process (SIGKILL, so no shutdown code runs) at a random moment while posts are in flight.
After every restart: each document acknowledged with 201 is stored; every stored document has all
of its sentences (none half-ingested, and as many as splitting its text gives); the index holds
exactly the stored sentences; no text is stored twice. A last round sends SIGTERM mid-ingestion
instead: the requests in flight must be answered and the process must exit cleanly (uvicorn's graceful
shutdown, which ends with SIGTERM's own status). Exits non-zero on any inconsistency.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine
from sqlmodel import Session, col, func, select

from service_process import ROOT, Service, scratch_database

sys.path.insert(0, str(ROOT))
from app.db.tables import Document, Sentence  # noqa: E402
from app.pipeline.sentences import split_sentences  # noqa: E402


def long_article(tag: str, sentences: int) -> dict[str, str]:
    body = " ".join(
        f"Report {tag} notes that district {n} recorded {random.randint(1, 999)} new households in {2000 + n % 25}."
        for n in range(sentences)
    )
    return {"title": f"kill-{tag}", "text": body}


class Poster:
    """Posts articles in a loop until told to stop; remembers what was acknowledged and what was in flight."""

    def __init__(self, url: str, name: str, sentences: int) -> None:
        self.acknowledged: dict[str, int] = {}
        self.in_flight = 0
        self.cut_off = 0  # posts whose connection broke before an answer
        self._url, self._name, self._sentences = url, name, sentences
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.finish()
        self._thread.join(timeout=120)

    def finish(self) -> None:
        """Post nothing new; a post in flight still completes."""
        self._stop.set()

    def _run(self) -> None:
        number = 0
        with httpx.Client(base_url=self._url, timeout=120) as http:
            while not self._stop.is_set():
                number += 1
                body = long_article(f"{self._name}-{number}", self._sentences)
                self.in_flight += 1
                try:
                    response = http.post("/documents", json=body)
                except httpx.TransportError:
                    self.cut_off += 1  # the service was killed under us
                    return
                finally:
                    self.in_flight -= 1
                if response.status_code == 201:
                    self.acknowledged[body["title"]] = response.json()["id"]


def verify(database_url: str, service: Service, acknowledged: dict[str, int]) -> dict[str, object]:
    """Compare the database, the API and the index after a restart; returns counts and any problems."""
    engine = create_engine(database_url)
    with Session(engine) as session:
        documents = session.exec(select(Document.id, Document.title, Document.sentence_count)).all()
        texts = dict(session.exec(select(Document.id, Document.text)).all())
        stored_sentences: dict[int | None, int] = dict(
            session.exec(select(Sentence.document_id, func.count()).group_by(col(Sentence.document_id))).all()
        )
    engine.dispose()
    problems = []
    half = [title for document_id, title, count in documents if stored_sentences.get(document_id, 0) != count]
    if half:
        problems.append(f"half-ingested documents: {half}")
    expected = {document_id: len(split_sentences(text)) for document_id, text in texts.items()}
    wrong = [f"{title} ({count} of {expected[i]})" for i, title, count in documents if count != expected[i]]
    if wrong:
        problems.append(f"documents stored with the wrong number of sentences: {wrong}")
    titles = [title for _, title, _ in documents]
    if len(titles) != len(set(titles)):
        problems.append("a text is stored twice")
    missing = sorted(set(acknowledged) - set(titles))
    if missing:
        problems.append(f"acknowledged documents missing after restart: {missing}")
    ready = httpx.get(f"{service.url}/ready", timeout=30).json()
    total_sentences = sum(count for _, _, count in documents)
    if ready["documents"] != len(documents) or ready["sentences"] != total_sentences:
        problems.append(
            f"index {ready['documents']}/{ready['sentences']} != database {len(documents)}/{total_sentences}"
        )
    with httpx.Client(base_url=service.url, timeout=60) as http:
        for document_id, title, count in documents:
            detail = http.get(f"/documents/{document_id}").json()
            if len(detail["sentences"]) != count:
                problems.append(f"GET /documents/{document_id} ({title}) shows {len(detail['sentences'])} of {count}")
    return {"documents": len(documents), "sentences": total_sentences, "problems": problems}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="SIGKILL rounds")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--sentences", type=int, default=120, help="sentences per posted article")
    parser.add_argument("--clients", type=int, default=2, help="clients posting at the same time")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "kill.json")
    args = parser.parse_args()
    random.seed(7)

    rounds: list[dict[str, object]] = []
    acknowledged: dict[str, int] = {}
    problems: list[str] = []
    log = args.out.with_suffix(".log")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    log.unlink(missing_ok=True)
    with scratch_database(args.database) as database_url:
        for number in range(args.rounds + 1):
            graceful = number == args.rounds
            service = Service(database_url, log=log, seeds_dir="")
            service.wait_ready()
            before = verify(database_url, service, acknowledged)
            problems += [f"round {number}, after restart: {p}" for p in before["problems"]]  # type: ignore[attr-defined]
            posters = [Poster(service.url, f"r{number}c{c}", args.sentences) for c in range(args.clients)]
            for poster in posters:
                poster.start()
            time.sleep(random.uniform(1.0, 3.0))
            while not any(poster.in_flight for poster in posters):
                time.sleep(0.01)
            in_flight = sum(poster.in_flight for poster in posters)
            if graceful:
                for poster in posters:
                    poster.finish()
                exit_code = service.terminate()
            else:
                service.kill()
                exit_code = service.process.returncode
            cut_off = 0
            for poster in posters:
                poster.stop()
                acknowledged.update(poster.acknowledged)
                cut_off += poster.cut_off
            rounds.append({
                "round": number,
                "signal": "SIGTERM" if graceful else "SIGKILL",
                "posts_in_flight_at_signal": in_flight,
                "posts_cut_off": cut_off,
                "acknowledged_so_far": len(acknowledged),
                "exit_code": exit_code,
                "corpus_at_restart": {k: before[k] for k in ("documents", "sentences")},
            })  # fmt: skip
            # uvicorn re-raises SIGTERM after its graceful shutdown, so -15 is a clean exit too.
            if graceful and (exit_code not in (0, -15) or cut_off):
                problems.append(f"graceful shutdown: exit {exit_code}, {cut_off} requests in flight cut off")
        service = Service(database_url, log=log, seeds_dir="")
        service.wait_ready()
        final = verify(database_url, service, acknowledged)
        service.terminate()
        problems += [f"final: {p}" for p in final["problems"]]  # type: ignore[attr-defined]

    results = {"database": args.database, "rounds": rounds, "final": final, "problems": problems}
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
