"""Benchmarks (`make bench`): the service over HTTP, ingestion, bare model work, retrieval at scale.

- service: `uvicorn app.main:app` on a scratch SQLite database, once per verifier. Start-up time
  (fresh database, then a restart that reads stored embeddings), `POST /check` p50/p95 at
  concurrency 1 and throughput at concurrency 8, the same for `POST /check/batch` with 32 claims.
  The claims are the seed-article claims of tests/data/seed_claims.jsonl.
- ingest: 50 BBC articles (../shared/nli-data/bbc_news) posted one by one to `POST /documents`.
- model: the model work one claim needs (its embedding, and every NLI pass the verdict engine runs),
  recorded in the real pipeline and then replayed alone, so the service overhead can be stated as a
  ratio of the HTTP p50 to this (for the similarity verifier, to the claim embedding alone).
- scale: retrieval over synthetic corpora of 10k to 1M sentences (see scripts/bench_scale.py), and
  service start-up with that corpus in the database.

Every figure is printed beside the previous run's (build/bench-history.jsonl), so a regression shows.
On a noisy machine, ``--repeat N`` runs the chosen sections N times and reports each figure's median
with its range; the median is what the history keeps.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

import bench_scale
import nli_data
from service_process import Service

ROOT = Path(__file__).resolve().parents[1]
HISTORY = ROOT / "build" / "bench-history.jsonl"
SECTIONS = ("service", "ingest", "model", "scale")
BATCH = 32
CONCURRENCY = 8


def seed_claims() -> list[str]:
    with (ROOT / "tests" / "data" / "seed_claims.jsonl").open(encoding="utf-8") as lines:
        return [json.loads(line)["claim"] for line in lines if line.strip()]


def percentile(values: Sequence[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def timed_requests(
    client: httpx.Client, bodies: Sequence[tuple[str, dict[str, Any]]], concurrency: int
) -> tuple[list[float], float]:
    """POST each (path, body) with ``concurrency`` in flight; per-request ms and total seconds."""

    def send(item: tuple[str, dict[str, Any]]) -> float:
        began = time.perf_counter()
        client.post(item[0], json=item[1]).raise_for_status()
        return (time.perf_counter() - began) * 1000

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = list(pool.map(send, bodies))
    return latencies, time.perf_counter() - started


def bench_service(verifier: str, claims: list[str], rounds: int) -> dict[str, float]:
    """Start-up and check latency/throughput of one verifier's service on the seed corpus."""
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'bench.db'}"
        start = functools.partial(Service, url, verifier=verifier, inference_timeout_seconds="600")
        service = start()
        results["startup_fresh_db_s"] = service.wait_ready(600)
        service.terminate()
        service = start()
        results["startup_existing_db_s"] = service.wait_ready(600)
        try:
            limits = httpx.Limits(max_connections=CONCURRENCY * 2)
            with httpx.Client(base_url=service.url, timeout=600, limits=limits) as client:
                singles = [("/check", {"claim": claims[n % len(claims)]}) for n in range(rounds)]
                batches = [
                    ("/check/batch", {"claims": [claims[(n * BATCH + i) % len(claims)] for i in range(BATCH)]})
                    for n in range(max(4, rounds // 10))
                ]
                timed_requests(client, singles[:10], 1)  # warm-up
                latencies, _ = timed_requests(client, singles, 1)
                results["check_c1_p50_ms"] = statistics.median(latencies)
                results["check_c1_p95_ms"] = percentile(latencies, 95)
                _, seconds = timed_requests(client, singles, CONCURRENCY)
                results["check_c8_claims_per_s"] = len(singles) / seconds
                latencies, _ = timed_requests(client, batches, 1)
                results["batch32_c1_p50_ms"] = statistics.median(latencies)
                results["batch32_c1_p95_ms"] = percentile(latencies, 95)
                results["batch32_c1_claims_per_s"] = len(batches) * BATCH / (sum(latencies) / 1000)
                _, seconds = timed_requests(client, batches, CONCURRENCY)
                results["batch32_c8_claims_per_s"] = len(batches) * BATCH / seconds
        finally:
            service.terminate()
    return results


def bench_ingest(shared: Path, articles: int) -> dict[str, float]:
    """Sentences per second for ``articles`` BBC articles posted one after another."""
    rows = nli_data.read_jsonl(shared / "nli-data" / "bbc_news" / "articles.jsonl")[:articles]
    bodies = [{"title": row["title"], "text": row["text"]} for row in rows]
    with tempfile.TemporaryDirectory() as scratch:
        service = Service(f"sqlite:///{Path(scratch) / 'ingest.db'}", seeds_dir="")
        service.wait_ready(600)
        try:
            with httpx.Client(base_url=service.url, timeout=600) as client:
                started = time.perf_counter()
                sentences = sum(client.post("/documents", json=body).json()["sentence_count"] for body in bodies)
                seconds = time.perf_counter() - started
        finally:
            service.terminate()
    return {"articles": len(bodies), "sentences": sentences, "sentences_per_s": sentences / seconds}


class Recorder:
    """Wraps a model object and records the arguments of every call to ``method``."""

    def __init__(self, inner: Any, method: str) -> None:
        self._inner, self._method = inner, method
        self.calls: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name != self._method:
            return attribute

        def recorded(*args: Any) -> Any:
            self.calls.append((attribute, args))
            return attribute(*args)

        return recorded


def bench_model(claims: list[str], repeats: int) -> dict[str, float]:
    """Per-claim model time in the verdict engine's pipeline, replayed alone, and the in-process total."""
    from app.core.config import Settings
    from app.pipeline.nli_verifier import EngineParams, NLIVerifier
    from app.runtime import Runtime, build_embedder, build_nli_model

    # The models as the service builds them (FACTCHECK_INFERENCE_BACKEND applies).
    settings = Settings(database_url="sqlite://", verifier="nli", index_sync_seconds=0)
    embedder = Recorder(build_embedder(settings), "encode")
    nli = Recorder(build_nli_model(settings), "predict")
    verifier = NLIVerifier(nli, EngineParams.load(settings.verdict_params))  # type: ignore[arg-type]
    runtime = Runtime(settings, embedder=embedder, verifier=verifier)  # type: ignore[arg-type]
    runtime.load()
    checker = runtime.checker
    checker.check(claims[:3], settings.default_top_k)  # warm-up
    embed_ms: list[float] = []
    nli_ms: list[float] = []
    pipeline_ms: list[float] = []
    for claim in claims:
        embedder.calls.clear()
        nli.calls.clear()
        began = time.perf_counter()
        checker.check([claim], settings.default_top_k)
        pipeline_ms.append((time.perf_counter() - began) * 1000)
        for calls, out in ((embedder.calls, embed_ms), (nli.calls, nli_ms)):
            runs = []
            for _ in range(repeats):
                began = time.perf_counter()
                for function, args in calls:
                    function(*args)
                runs.append((time.perf_counter() - began) * 1000)
            out.append(min(runs))
    runtime.close()
    model_ms = [e + n for e, n in zip(embed_ms, nli_ms, strict=True)]
    return {
        "embed_p50_ms": statistics.median(embed_ms),
        "nli_p50_ms": statistics.median(nli_ms),
        "model_p50_ms": statistics.median(model_ms),
        "model_p95_ms": percentile(model_ms, 95),
        "in_process_p50_ms": statistics.median(pipeline_ms),
    }


def flatten(results: dict[str, Any], prefix: str = "") -> dict[str, float]:
    flat: dict[str, float] = {}
    for key, value in results.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = float(value)
    return flat


def previous_run(backend: str) -> dict[str, float]:
    """The figures of the last recorded run with the same inference backend (each metric from the newest
    such run that measured it): an int8 run is no baseline for a float32 one."""
    if not HISTORY.is_file():
        return {}
    merged: dict[str, float] = {}
    for line in HISTORY.read_text(encoding="utf-8").splitlines():
        if line.strip() and (entry := json.loads(line)).get("inference_backend", "onnx") == backend:
            merged.update(entry["results"])
    return merged


def median_of(runs: Sequence[dict[str, float]]) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
    """Each figure's median over repeated runs, and its lowest and highest value."""
    names = list(dict.fromkeys(name for run in runs for name in run))
    values = {name: [run[name] for run in runs if name in run] for name in names}
    return (
        {name: statistics.median(v) for name, v in values.items()},
        {name: (min(v), max(v)) for name, v in values.items()},
    )


def report(
    current: dict[str, float], previous: dict[str, float], spread: dict[str, tuple[float, float]] | None = None
) -> None:
    width = max(map(len, current))
    label = "median" if spread else "this run"
    extra = f"  {'range of the runs':>21}" if spread else ""
    print(f"\n{'metric':<{width}}  {label:>12}  {'previous':>12}  {'change':>7}{extra}")
    for name, value in current.items():
        before = previous.get(name)
        change = f"{(value - before) / before:+.1%}" if before else ""
        shown = f"{before:12.2f}" if before is not None else f"{'-':>12}"
        low, high = (spread or {}).get(name, (value, value))
        ranged = f"  {low:10.2f} – {high:<10.2f}" if spread else ""
        print(f"{name:<{width}}  {value:12.2f}  {shown}  {change:>7}{ranged}")


def git_commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated, from {SECTIONS}")
    parser.add_argument("--verifiers", default="similarity,nli", help="verifiers the service section runs")
    parser.add_argument("--rounds", type=int, default=200, help="/check requests per measurement")
    parser.add_argument("--sizes", default="10000,100000,1000000", help="corpus sizes of the scale section")
    parser.add_argument("--claims", type=int, default=0, help="use only the first N seed claims (smoke runs)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run the chosen sections this many times and report each figure's median and range (for noisy machines)",
    )
    parser.add_argument("--shared", default=None)
    args = parser.parse_args()
    if args.repeat < 1:
        raise SystemExit("--repeat must be at least 1")
    sections = [s for s in args.sections.split(",") if s]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise SystemExit(f"unknown sections {sorted(unknown)}; choose from {SECTIONS}")
    shared = nli_data.shared_dir(args.shared)
    claims = seed_claims()[: args.claims or None]

    runs = []
    for run in range(args.repeat):
        if args.repeat > 1:
            print(f"run {run + 1} of {args.repeat}", flush=True)
        runs.append(measure(args, sections, shared, claims))
    current, spread = median_of([flatten(results) for results in runs])
    from app.core.config import Settings

    backend = Settings().inference_backend
    report(current, previous_run(backend), spread if args.repeat > 1 else None)
    HISTORY.parent.mkdir(parents=True, exist_ok=True)
    print(f"inference backend: {backend} (compared with the last run on the same backend)")
    entry = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "inference_backend": backend,
        "runs": args.repeat,
        "results": current,
    }
    with HISTORY.open("a", encoding="utf-8") as history:
        history.write(json.dumps(entry) + "\n")
    (ROOT / "build" / "bench.json").write_text(json.dumps(runs[0] if args.repeat == 1 else runs, indent=2) + "\n")
    print(f"\nsaved to {HISTORY.relative_to(ROOT)} and build/bench.json")


def measure(args: argparse.Namespace, sections: list[str], shared: Path, claims: list[str]) -> dict[str, Any]:
    """One run of the chosen sections."""
    results: dict[str, Any] = {}
    if "service" in sections:
        for verifier in args.verifiers.split(","):
            print(f"service, {verifier} verifier ...", flush=True)
            results[f"service_{verifier}"] = bench_service(verifier, claims, args.rounds)
    if "ingest" in sections:
        print("ingestion ...", flush=True)
        results["ingest"] = bench_ingest(shared, 50)
    if "model" in sections:
        print("bare model work ...", flush=True)
        results["model"] = bench_model(claims, repeats=3)
        service = results.get("service_nli", {})
        if "check_c1_p50_ms" in service:
            results["model"]["service_overhead_ratio"] = service["check_c1_p50_ms"] / results["model"]["model_p50_ms"]
        # The similarity verifier's only model work is the claim embedding.
        service = results.get("service_similarity", {})
        if "check_c1_p50_ms" in service:
            ratio = service["check_c1_p50_ms"] / results["model"]["embed_p50_ms"]
            results["model"]["similarity_service_overhead_ratio"] = ratio
    if "scale" in sections:
        sizes = [int(s) for s in args.sizes.split(",")]
        print("retrieval at scale ...", flush=True)
        results["scale"] = bench_scale.measure(sizes, claims[:20], 50, shared)
    return results


if __name__ == "__main__":
    main()
