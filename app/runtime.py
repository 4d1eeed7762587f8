"""Everything the service holds while it runs: database engine, models, index and pipeline services.

Built once per app in the lifespan; models load in a background thread so /health answers at once.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import torch
from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlmodel import Session

from app.core.config import Settings
from app.core.errors import ServiceNotReady
from app.db import repository
from app.db.engine import make_engine
from app.db.migrate import upgrade_to_head
from app.metrics import MeteredEmbedder, MeteredVerifier, ServiceMetrics
from app.ml.embedder import Embedder
from app.ml.nli import NLIModel
from app.ml.onnx import OnnxEmbedder, OnnxNLIModel
from app.ml.slots import ModelSlots
from app.pipeline.checker import Checker
from app.pipeline.corpus import Corpus
from app.pipeline.index import VectorIndex
from app.pipeline.index_sync import IndexSync
from app.pipeline.nli_verifier import EngineParams, NLIVerifier
from app.pipeline.retrieval import Retriever
from app.pipeline.similarity_verifier import SimilarityVerifier
from app.pipeline.verdicts import Verifier

logger = logging.getLogger(__name__)


def build_verifier(settings: Settings) -> Verifier:
    """The configured verifier: the similarity verifier, or the NLI verdict engine."""
    if settings.verifier not in ("nli", "similarity"):
        raise ValueError(f"unknown verifier {settings.verifier!r}; use 'nli' or 'similarity'")
    if settings.verifier == "similarity":
        return SimilarityVerifier.load(settings.verdict_params)
    params = EngineParams.load(settings.verdict_params) if settings.verdict_params.is_file() else EngineParams()
    if not settings.verdict_params.is_file():
        logger.warning("no tuned parameters at %s; using uncalibrated defaults", settings.verdict_params)
    return NLIVerifier(build_nli_model(settings), params)


def build_nli_model(settings: Settings) -> NLIModel:
    if settings.inference_backend.startswith("onnx"):
        int8, cache = settings.inference_backend == "onnx-int8", settings.onnx_cache_dir
        return OnnxNLIModel(settings.nli_model, cache, settings.nli_batch_size, settings.torch_threads, int8)
    bf16 = settings.inference_backend == "bf16"
    return NLIModel(settings.nli_model, batch_size=settings.nli_batch_size, bf16=bf16)


def build_embedder(settings: Settings) -> Embedder:
    # "bf16" and "onnx-int8" speed up the NLI model only: claims must be embedded as the corpus was.
    if settings.inference_backend != "torch":
        model = Path(settings.embedding_model) if settings.embedding_model else None
        return OnnxEmbedder(settings.onnx_cache_dir, model, settings.embed_batch_size, settings.torch_threads)
    return Embedder(settings.embedding_model, settings.embed_batch_size)


class Runtime:
    """Holds the loaded resources; ``corpus`` and ``checker`` raise ServiceNotReady until loaded."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None, verifier: Verifier | None = None) -> None:
        self.settings = settings
        self.engine: Engine = make_engine(settings.database_url)
        self._embedder = embedder
        self._verifier = verifier
        self._corpus: Corpus | None = None
        self._checker: Checker | None = None
        self.error: str | None = None
        self.startup_seconds: float | None = None
        self._thread: threading.Thread | None = None
        self._closing = threading.Event()
        self._sync: IndexSync | None = None
        self.metrics = ServiceMetrics(self._corpus_size)

    @property
    def ready(self) -> bool:
        return self._checker is not None

    @property
    def corpus(self) -> Corpus:
        if self._corpus is None or self._checker is None:
            raise ServiceNotReady(self.error or "The service is still loading its models and corpus.")
        return self._corpus

    @property
    def checker(self) -> Checker:
        if self._checker is None:
            raise ServiceNotReady(self.error or "The service is still loading its models and corpus.")
        return self._checker

    def start_in_background(self) -> None:
        self._thread = threading.Thread(target=self.load, name="factcheck-load", daemon=True)
        self._thread.start()

    def wait_until_loaded(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.ready

    def load(self) -> None:
        """Migrate the schema, load models, fill the index from the database, then ingest the seeds.

        While the database is unreachable, start-up waits and retries instead of failing for good.
        """
        started = time.perf_counter()
        while not self._closing.is_set():
            try:
                self._load_once()
                break
            except (OperationalError, InterfaceError) as exc:
                logger.warning("database unreachable during start-up (%s); retrying", type(exc).__name__)
                self._closing.wait(self.settings.database_wait_seconds)
            except Exception as exc:
                logger.exception("start-up failed")
                self.error = f"Start-up failed: {exc}."
                return
        else:
            return
        self.startup_seconds = time.perf_counter() - started
        logger.info("ready in %.1f s (%d sentences indexed)", self.startup_seconds, len(self.corpus.index))

    def _load_once(self) -> None:
        if self.settings.torch_threads:
            torch.set_num_threads(self.settings.torch_threads)
        upgrade_to_head(self.engine)
        # Kept, so a retry after a database outage reuses the loaded model.
        self._embedder = self._embedder or build_embedder(self.settings)
        slots = ModelSlots(self.settings.model_slots)
        embedder = MeteredEmbedder(self._embedder, self.metrics, slots)
        index = VectorIndex(embedder.dimension, self.settings.ann_threshold, self.settings.ann_probes)
        corpus = Corpus(self.engine, embedder, index)
        loaded = corpus.load_index()
        logger.info("index loaded: %d stored sentences", loaded)
        if self.settings.seeds_dir is not None and self.settings.seeds_dir.is_dir():
            corpus.ingest_folder(self.settings.seeds_dir)
        verifier = MeteredVerifier(self._verifier or build_verifier(self.settings), self.metrics, slots)
        checker = Checker(self.engine, embedder, Retriever(embedder, index), verifier)
        if self.settings.index_sync_seconds > 0:
            self._sync = IndexSync(self.engine, index, self.settings.index_sync_seconds)
            self._sync.start()
        self._corpus = corpus
        self._checker = checker

    def database_problem(self) -> str | None:
        """None when a trivial query succeeds, else why the database cannot be used."""
        try:
            with Session(self.engine) as session:
                repository.ping(session)
        except SQLAlchemyError as exc:
            return f"The database is unreachable ({type(exc).__name__}); the service reconnects by itself."
        return None

    def _corpus_size(self) -> tuple[int, int] | None:
        if self._corpus is None:
            return None
        index = self._corpus.index
        return len(index.document_ids()), len(index)

    def close(self) -> None:
        """Stop background work and release database connections (at shutdown)."""
        self._closing.set()
        if self._thread is not None:
            self._thread.join()
        if self._sync is not None:
            self._sync.stop()
        self.engine.dispose()
