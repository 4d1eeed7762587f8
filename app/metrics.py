"""Prometheus metrics of one service process: HTTP traffic, verdicts, model time and corpus size.

Each app gets its own registry (tests build many apps in one process). With several worker processes
(uvicorn --workers) set PROMETHEUS_MULTIPROC_DIR to an empty folder: every worker then records into
files there, and /metrics, whichever worker answers, reports their sum.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence

from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from app.ml.embedder import Embedder, Vectors
from app.ml.slots import ModelSlots
from app.pipeline.verdicts import Passage, Verification, Verifier

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

CorpusSize = Callable[[], tuple[int, int] | None]


class _CorpusCollector(Collector):
    """Documents and sentences in this process's index, read when Prometheus scrapes."""

    def __init__(self, corpus_size: CorpusSize) -> None:
        self._corpus_size = corpus_size

    def collect(self) -> Iterator[Metric]:
        size = self._corpus_size()
        if size is None:
            return
        documents, sentences = size
        yield GaugeMetricFamily("factcheck_corpus_documents", "Documents in the in-memory index.", value=documents)
        yield GaugeMetricFamily("factcheck_corpus_sentences", "Sentences in the in-memory index.", value=sentences)


class ServiceMetrics:
    """The instruments of one app, in a registry of its own."""

    def __init__(self, corpus_size: CorpusSize) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "factcheck_http_requests",
            "HTTP requests answered, by route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "factcheck_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template and status.",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.verdicts = Counter(
            "factcheck_verdicts", "Verdicts given, by verdict.", ["verdict"], registry=self.registry
        )
        self.inference_seconds = Histogram(
            "factcheck_inference_seconds",
            "Model time per call, once it has a model slot: 'embed' (sentence embeddings) or 'verify' (the verifier).",
            ["stage"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._corpus = _CorpusCollector(corpus_size)
        self.registry.register(self._corpus)

    def exposition(self) -> CollectorRegistry:
        """What /metrics serves: this process's registry, or every worker's counts summed from
        PROMETHEUS_MULTIPROC_DIR (the corpus gauges are this worker's: every worker indexes the same corpus)."""
        folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        if not folder:
            return self.registry
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=folder)  # type: ignore[no-untyped-call]
        registry.register(self._corpus)
        return registry

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.request_seconds.labels(method, route, str(status)).observe(seconds)


class MeteredEmbedder(Embedder):
    """An already loaded embedder whose forward passes take a model slot and are timed."""

    def __init__(self, inner: Embedder, metrics: ServiceMetrics, slots: ModelSlots) -> None:
        # Deliberately no super().__init__(): it would load a second copy of the model.
        self._inner = inner
        self._seconds = metrics.inference_seconds.labels("embed")
        self._slots = slots
        self.version = inner.version
        self.dimension = inner.dimension

    def encode(self, texts: Sequence[str]) -> Vectors:
        with self._slots:
            started = time.perf_counter()
            try:
                return self._inner.encode(texts)
            finally:
                self._seconds.observe(time.perf_counter() - started)


class MeteredVerifier:
    """A verifier whose calls take a model slot and are timed, and whose verdicts are counted."""

    def __init__(self, inner: Verifier, metrics: ServiceMetrics, slots: ModelSlots) -> None:
        self._inner = inner
        self._metrics = metrics
        self._slots = slots
        self.version = inner.version

    def verify(
        self, items: Sequence[tuple[str, Sequence[Passage]]], wholes: Sequence[str] | None = None
    ) -> list[Verification]:
        with self._slots:
            started = time.perf_counter()
            try:
                verifications = self._inner.verify(items, wholes)
            finally:
                self._metrics.inference_seconds.labels("verify").observe(time.perf_counter() - started)
        for verification in verifications:
            self._metrics.verdicts.labels(verification.verdict.value).inc()
        return verifications
