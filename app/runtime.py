"""Everything the service holds while it runs: database engine, models, index and pipeline services.

Built once per app in the lifespan; models load in a background thread so /health answers at once.
"""

from __future__ import annotations

import logging
import threading
import time

import torch
from sqlalchemy import Engine

from app.core.config import Settings
from app.core.errors import ServiceNotReady
from app.db.engine import create_schema, make_engine
from app.ml.embedder import Embedder
from app.pipeline.checker import Checker
from app.pipeline.corpus import Corpus
from app.pipeline.index import VectorIndex
from app.pipeline.retrieval import Retriever
from app.pipeline.similarity_verifier import SimilarityVerifier
from app.pipeline.verdicts import Verifier

logger = logging.getLogger(__name__)


def build_verifier(settings: Settings) -> Verifier:
    """The configured verifier; ``auto`` is the similarity verifier until an NLI verifier is shipped."""
    if settings.verifier not in ("auto", "similarity"):
        raise ValueError(f"unknown verifier {settings.verifier!r}; use 'auto' or 'similarity'")
    return SimilarityVerifier()


class Runtime:
    """Holds the loaded resources; ``corpus`` and ``checker`` raise ServiceNotReady until loaded."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.engine: Engine = make_engine(settings.database_url)
        self._embedder = embedder
        self._corpus: Corpus | None = None
        self._checker: Checker | None = None
        self.error: str | None = None
        self.startup_seconds: float | None = None
        self._thread: threading.Thread | None = None

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
        """Create the schema, load models, fill the index from the database, then ingest the seeds."""
        started = time.perf_counter()
        try:
            if self.settings.torch_threads:
                torch.set_num_threads(self.settings.torch_threads)
            create_schema(self.engine)
            embedder = self._embedder or Embedder(self.settings.embedding_model, self.settings.embed_batch_size)
            index = VectorIndex(embedder.dimension)
            corpus = Corpus(self.engine, embedder, index)
            loaded = corpus.load_index()
            logger.info("index loaded: %d stored sentences", loaded)
            if self.settings.seeds_dir is not None and self.settings.seeds_dir.is_dir():
                corpus.ingest_folder(self.settings.seeds_dir)
            checker = Checker(self.engine, embedder, Retriever(embedder, index), build_verifier(self.settings))
        except Exception as exc:
            logger.exception("start-up failed")
            self.error = f"Start-up failed: {exc}."
            return
        self._corpus = corpus
        self._checker = checker
        self.startup_seconds = time.perf_counter() - started
        logger.info("ready in %.1f s (%d sentences indexed)", self.startup_seconds, len(index))

    def close(self) -> None:
        if self._thread is not None:
            self._thread.join()
        self.engine.dispose()
