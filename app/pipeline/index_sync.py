"""Keeps one instance's in-memory index in step with documents other instances add or delete.

Several service processes share one database; each holds its own index. Every few seconds
(``FACTCHECK_INDEX_SYNC_SECONDS``) an instance compares the document ids in the database with those in
its index, adds the stored embeddings of new documents (nothing is re-embedded) and drops deleted ones.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app.db import repository
from app.pipeline.corpus import stored_vectors
from app.pipeline.index import VectorIndex

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SyncResult:
    added: int
    removed: int


class IndexSync:
    """Brings the index up to date with the database, once or periodically in a background thread."""

    def __init__(self, engine: Engine, index: VectorIndex, interval_seconds: float) -> None:
        self._engine = engine
        self._index = index
        self._interval = interval_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> SyncResult:
        """Add documents stored since the last sync and drop deleted ones."""
        # Only what the index held before the database was read can be missing from the database because
        # it was deleted: a document ingested here meanwhile is indexed but not yet in that read.
        indexed_before = self._index.document_ids()
        with Session(self._engine) as session:
            stored = repository.all_document_ids(session)
            removed = indexed_before - stored
            for document_id in removed:
                self._index.remove_document(document_id)
            missing = stored - self._index.document_ids()
            rows = repository.sentence_embeddings_of(session, missing) if missing else []
        if rows:
            vectors = stored_vectors([row[2] for row in rows], self._index.dimension)
            self._index.add([row[0] for row in rows], [row[1] for row in rows], vectors)
        added = len({row[0] for row in rows})
        if added or removed:
            logger.info("index sync: %d documents added, %d removed", added, len(removed))
        return SyncResult(added=added, removed=len(removed))

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="factcheck-index-sync", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.run_once()
            except SQLAlchemyError as exc:
                # The database may be briefly unreachable; the next round catches up.
                logger.warning("index sync failed: %s", type(exc).__name__)
