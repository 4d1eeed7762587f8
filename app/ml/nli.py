"""Natural-language inference: P(entailment, neutral, contradiction) for (premise, hypothesis) pairs.

One small wrapper around the in-house cross-encoder in ``models/``; another backend (ONNX Runtime)
can replace it without touching callers.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

os.environ.setdefault("HF_HUB_OFFLINE", "1")

LABELS = ("entailment", "neutral", "contradiction")
Probabilities = npt.NDArray[np.float32]


class NLIModel:
    """Three-way probabilities, columns always in ``LABELS`` order whatever the model's own order."""

    def __init__(self, model_path: str | Path, batch_size: int = 32, max_length: int = 256) -> None:
        import torch
        from sentence_transformers import CrossEncoder

        path = Path(model_path)
        self._model = CrossEncoder(
            str(path),
            device="cpu",
            local_files_only=True,
            max_length=max_length,
            activation_fn=torch.nn.Identity(),
        )
        id2label = {int(i): name.lower() for i, name in self._model.config.id2label.items()}
        if sorted(id2label.values()) != sorted(LABELS):
            raise ValueError(f"{path} has labels {sorted(id2label.values())}, expected {list(LABELS)}")
        label_to_column = {name: i for i, name in id2label.items()}
        self._columns = [label_to_column[label] for label in LABELS]
        self._batch_size = batch_size
        weights = path / "model.safetensors"
        digest = hashlib.sha256(weights.read_bytes()).hexdigest()[:12] if weights.exists() else "unknown"
        self.version = f"{path.name}@{digest}"

    def predict(self, pairs: Sequence[tuple[str, str]]) -> Probabilities:
        """Softmax probabilities, one row per ``(premise, hypothesis)`` pair."""
        if not pairs:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        # Similar lengths in one batch: padding is most of the cost on a CPU.
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
        logits = self._model.predict(
            [pairs[i] for i in order], batch_size=self._batch_size, convert_to_numpy=True, show_progress_bar=False
        )
        logits = np.asarray(logits, dtype=np.float32)[:, self._columns]
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
        probabilities = shifted / shifted.sum(axis=1, keepdims=True)
        result: Probabilities = np.empty_like(probabilities)
        result[order] = probabilities
        return result
