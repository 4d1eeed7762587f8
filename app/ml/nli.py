"""Natural-language inference: P(entailment, neutral, contradiction) for (premise, hypothesis) pairs.

One small wrapper around the in-house cross-encoder in ``models/`` (float32, or bfloat16 autocast on
CPUs built for it); another backend (ONNX Runtime) can replace it without touching callers.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

os.environ.setdefault("HF_HUB_OFFLINE", "1")

LABELS = ("entailment", "neutral", "contradiction")
Probabilities = npt.NDArray[np.float32]
# What one model call costs beyond its tokens, in tokens' worth of work: about 2.5 ms against
# 0.12 ms per padded token for the ONNX cross-encoder on 2 cores (measured on batches of 1 to 8).
CALL_COST_TOKENS = 20


def weights_digest(folder: Path) -> str:
    """First 12 hex digits of the sha256 of a model folder's weights file: which weights these are."""
    for name in ("model.safetensors", "pytorch_model.bin"):
        if (folder / name).is_file():
            return hashlib.sha256((folder / name).read_bytes()).hexdigest()[:12]
    raise FileNotFoundError(f"{folder} holds no model.safetensors or pytorch_model.bin")


def length_groups(lengths: Sequence[int], batch_size: int, call_cost: float = CALL_COST_TOKENS) -> list[range]:
    """Split ascending token ``lengths`` into consecutive batches of the least padded work.

    A batch is padded to its longest member, so one long premise among short pairs multiplies the
    cost of all of them, while a batch per pair pays the fixed cost of a call each time. The split
    minimises (padded tokens + ``call_cost`` per batch) exactly, by dynamic programming over the cut points.
    """
    best = [0.0] + [math.inf] * len(lengths)
    first_of = [0] * (len(lengths) + 1)
    for end in range(1, len(lengths) + 1):
        for first in range(max(0, end - batch_size), end):
            cost = best[first] + (end - first) * lengths[end - 1] + call_cost
            if cost < best[end]:
                best[end], first_of[end] = cost, first
    groups = []
    end = len(lengths)
    while end:
        groups.append(range(first_of[end], end))
        end = first_of[end]
    return groups[::-1]


def label_columns(id2label: dict[int, str] | dict[str, str], folder: Path) -> list[int]:
    """The model's output column of each of ``LABELS``, from its config's ``id2label``."""
    names = {int(i): name.lower() for i, name in id2label.items()}
    if sorted(names.values()) != sorted(LABELS):
        raise ValueError(f"{folder} has labels {sorted(names.values())}, expected {list(LABELS)}")
    by_name = {name: i for i, name in names.items()}
    return [by_name[label] for label in LABELS]


class NLIModel:
    """Three-way probabilities, columns always in ``LABELS`` order whatever the model's own order."""

    def __init__(self, model_path: str | Path, batch_size: int = 32, max_length: int = 256, bf16: bool = False) -> None:
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
        self._columns = label_columns(self._model.config.id2label, path)
        self._batch_size = batch_size
        self._bf16 = bf16
        if bf16:
            # The matrix weights in bfloat16 once, rather than cast again by autocast on every call;
            # embeddings and LayerNorm stay float32.
            for module in self._model.model.modules():
                if isinstance(module, torch.nn.Linear):
                    module.to(torch.bfloat16)
        self.version = f"{path.name}@{weights_digest(path)}" + ("-bf16" if bf16 else "")

    def predict(self, pairs: Sequence[tuple[str, str]]) -> Probabilities:
        """Softmax probabilities, one row per ``(premise, hypothesis)`` pair."""
        if not pairs:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        # Similar lengths in one batch: padding is most of the cost on a CPU.
        inputs, lengths = self._tokenized(pairs)
        order = sorted(range(len(pairs)), key=lengths.__getitem__)
        groups = length_groups([lengths[i] for i in order], self._batch_size)
        logits = np.concatenate([self._logits([inputs[order[i]] for i in group]) for group in groups])
        logits = logits[:, self._columns]
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
        probabilities = shifted / shifted.sum(axis=1, keepdims=True)
        result: Probabilities = np.empty_like(probabilities)
        result[order] = probabilities
        return result

    def _tokenized(self, pairs: Sequence[tuple[str, str]]) -> tuple[Sequence[Any], list[int]]:
        """What ``_logits`` takes for each pair (here the pair itself), and its tokens as the model reads it
        (truncated to its maximum length). Another backend overrides both, e.g. to tokenise only once."""
        premises, hypotheses = zip(*pairs, strict=True)
        encoded = self._model.tokenizer(
            list(premises), list(hypotheses), truncation="longest_first", max_length=self._model.max_seq_length
        )
        return pairs, [len(ids) for ids in encoded["input_ids"]]

    def _logits(self, inputs: Sequence[Any]) -> npt.NDArray[np.float32]:
        """Raw scores in the model's own column order, for a batch of what ``_tokenized`` returned."""
        import torch

        # bfloat16 matrix products (LayerNorm and softmax in float32): fast only on CPUs with AMX or AVX512-BF16.
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self._bf16):
            logits = self._model.predict(
                list(inputs), batch_size=self._batch_size, convert_to_numpy=True, show_progress_bar=False
            )
        return np.asarray(logits, dtype=np.float32)
