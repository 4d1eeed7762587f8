"""ONNX Runtime versions of both models: the fast CPU backend.

The torch models stay the reference. ``export`` converts one of them (the sentence embedder, or the
NLI cross-encoder under models/) to ONNX and caches the file under a name derived from the source
weights' hash, so a changed model is exported afresh. In float32 the ONNX graph computes what torch
computes (differences of about 1e-6) with less overhead per call. The cross-encoder also comes in
``int8``: its matrix products take int8 weights (per output channel) and int8 activations (one
range per batch, measured as it runs), which halved its time on CPUs with AMX or AVX512-VNNI. Before it is
quantised, each encoder layer's input channels are evened out by moving their spread into the
weights (SmoothQuant, Xiao et al. 2023), from activation ranges recorded on training pairs
(``scripts/calibrate_int8.py``); that halves how far int8 moves the probabilities (see README).
On CPUs without an int8 dot-product instruction (AVX2 only: no AVX512-VNNI, AVX-VNNI or AMX) the
weights get 7 bits instead of 8: there ONNX Runtime adds pairs of int8 products in 16 bits, which
full-range weights can overflow (ONNX Runtime's documented remedy; measured, see README). The
service exports on first use (seconds); ``python -m app.ml.onnx`` does it ahead of time (the
Dockerfile does, at build time). The int8 file's name says its weight bits, so a CPU of the other
kind exports its own rather than using it.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from app.ml.cpu import cpu_flags
from app.ml.embedder import Embedder, Vectors, bundled_model_path
from app.ml.nli import LABELS, NLIModel, label_columns, weights_digest

if TYPE_CHECKING:
    import torch
    from tokenizers import Encoding

logger = logging.getLogger(__name__)

Kind = Literal["embedder", "nli"]
MAX_LENGTH = 256
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# Activation ranges of the cross-encoder's encoder layers, next to its weights (scripts/calibrate_int8.py).
RANGES_FILE = "activation_ranges.safetensors"
# How much of each input channel's spread moves into the weights (0: none, 1: all of it). Chosen on the
# dev claims' NLI pairs, by how far int8 moved their probabilities from float32 (0.5 to 1.0 tried).
SMOOTHING = 0.9
# CPU flags of an instruction that multiplies int8 and adds into 32 bits in one step.
INT8_DOT_PRODUCT = frozenset({"avx512_vnni", "avx_vnni", "amx_int8"})


def int8_weight_bits(flags: frozenset[str]) -> int:
    """8 where the CPU has an int8 dot product; else 7, so that two products summed in 16 bits cannot overflow."""
    return 8 if flags & INT8_DOT_PRODUCT else 7


def int8_variant(bits: int | None = None) -> str:
    """The name of the int8 variant for ``bits``-bit weights (default: this CPU's): "int8" or "int8-w7"."""
    bits = int8_weight_bits(cpu_flags()) if bits is None else bits
    return "int8" if bits == 8 else f"int8-w{bits}"


def _partial(target: Path) -> Path:
    """A scratch name of this process's own: instances starting together export side by side."""
    return target.with_name(f"{target.stem}.{os.getpid()}.partial.onnx")


def export(kind: Kind, model_dir: Path, cache_dir: Path, int8: bool = False) -> Path:
    """The ONNX file of ``model_dir`` (float32, or smoothed int8 for ``nli``) in ``cache_dir``; made if missing."""
    if not int8:
        target = cache_dir / f"{kind}-{weights_digest(model_dir)}-fp32.onnx"
        if not target.is_file():
            _export_fp32(kind, model_dir, target)
        return target
    if kind != "nli":
        raise ValueError("only the NLI cross-encoder has an int8 export")
    ranges = model_dir / RANGES_FILE
    if not ranges.is_file():
        raise FileNotFoundError(f"{ranges} is missing: run scripts/calibrate_int8.py (make calibrate-int8)")
    digest = hashlib.sha256(ranges.read_bytes()).hexdigest()[:8]
    bits = int8_weight_bits(cpu_flags())
    variant = int8_variant(bits)
    target = cache_dir / f"{kind}-{weights_digest(model_dir)}-{variant}-smooth{round(SMOOTHING * 100)}-{digest}.onnx"
    if not target.is_file():
        from onnxruntime.quantization import QuantType, quantize_dynamic

        smoothed = _partial(target.with_name(target.stem + "-fp32"))
        _export_fp32(kind, model_dir, smoothed, ranges)
        logger.info("quantising %s to int8 (%d-bit weights)", smoothed.name, bits)
        partial = _partial(target)
        try:
            quantize_dynamic(
                str(smoothed),
                str(partial),
                weight_type=QuantType.QInt8,
                per_channel=True,
                reduce_range=bits == 7,
                op_types_to_quantize=["MatMul"],
            )
        finally:
            smoothed.unlink()
        partial.rename(target)  # complete files only: an interrupted export starts again
    return target


def smooth(model: torch.nn.Module, ranges: dict[str, torch.Tensor], alpha: float = SMOOTHING) -> None:
    """Even out the input channels of every Linear named in ``ranges`` (in place; the float32 outputs stay the same).

    Input channel j is divided by s_j = max|x_j|^alpha / max|w_j|^(1 - alpha) and its weight column
    multiplied by it, so that one int8 range per activation tensor fits all channels better. BERT's
    layer norms also feed the residual connections, so the division is a separate step in front of
    the Linear rather than folded into the norm before it.
    """
    import torch

    class Smoothed(torch.nn.Module):
        inverse: torch.Tensor

        def __init__(self, linear: torch.nn.Linear, scale: torch.Tensor) -> None:
            super().__init__()
            self.linear = linear
            self.register_buffer("inverse", 1.0 / scale)
            with torch.no_grad():
                linear.weight.mul_(scale[None, :])

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            result: torch.Tensor = self.linear(x * self.inverse)
            return result

    for name, activation_max in ranges.items():
        linear = model.get_submodule(name)
        assert isinstance(linear, torch.nn.Linear), name
        weight_max = linear.weight.detach().abs().amax(dim=0).clamp(min=1e-5)
        scale = (activation_max.clamp(min=1e-5) ** alpha / weight_max ** (1 - alpha)).clamp(min=1e-2)
        parent, _, child = name.rpartition(".")
        setattr(model.get_submodule(parent), child, Smoothed(linear, scale))


def _export_fp32(kind: Kind, model_dir: Path, target: Path, ranges: Path | None = None) -> None:
    """Export to ``target`` in float32; with ``ranges`` (an activation-range file), smoothed first."""
    import torch
    from safetensors.torch import load_file
    from transformers import AutoModel, AutoModelForSequenceClassification

    loader = AutoModelForSequenceClassification if kind == "nli" else AutoModel
    model = loader.from_pretrained(str(model_dir), local_files_only=True, attn_implementation="eager").eval()
    if ranges is not None:
        smooth(model, load_file(str(ranges)))

    class Graph(torch.nn.Module):
        """Plain tensors in, one tensor out: logits (nli) or token states (embedder)."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(
            self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
        ) -> torch.Tensor:
            out = self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            result: torch.Tensor = out.logits if kind == "nli" else out.last_hidden_state
            return result

    logger.info("exporting %s (%s) to ONNX", kind, model_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = _partial(target)
    example = tuple(torch.ones((2, 8), dtype=torch.long) for _ in _INPUTS)
    axes = {name: {0: "batch", 1: "sequence"} for name in _INPUTS}
    with torch.no_grad():
        torch.onnx.export(
            Graph(), example, str(partial), input_names=list(_INPUTS), output_names=["output"],
            dynamic_axes={**axes, "output": {0: "batch"} if kind == "nli" else {0: "batch", 1: "sequence"}},
            opset_version=17, dynamo=False,
        )  # fmt: skip
    partial.rename(target)  # complete files only: an interrupted export starts again


class _Session:
    """A tokenizer and an ONNX Runtime session over the same model."""

    def __init__(self, onnx_path: Path, model_dir: Path, threads: int | None, spin: bool = False) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_LENGTH)
        self.tokenizer.no_padding()  # a tokenizer file may pad to a fixed length; ``run`` pads each batch instead
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle threads spin (wait busily for the next step) only in the NLI session: with both sessions
        # spinning the verdict engine was about 15 % slower on 2 cores, with neither 6-8 % slower than
        # with the NLI session alone (it makes several calls per claim, the embedder one; measured).
        options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
        self.session = onnxruntime.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        self.version = onnx_path.stem

    def encode(self, inputs: Sequence[str] | Sequence[tuple[str, str]]) -> list[Encoding]:
        """Token ids of each text or pair, truncated but not padded (a batch is padded when it runs)."""
        return self.tokenizer.encode_batch(list(inputs))

    def run(self, encodings: Sequence[Encoding]) -> tuple[np.ndarray, np.ndarray]:
        """Model output and attention mask for one batch, padded to its longest member (padding id 0)."""
        width = max(len(e.ids) for e in encodings)
        feed = {name: np.zeros((len(encodings), width), dtype=np.int64) for name in _INPUTS}
        for row, encoding in enumerate(encodings):
            length = len(encoding.ids)
            feed["input_ids"][row, :length] = encoding.ids
            feed["attention_mask"][row, :length] = 1
            feed["token_type_ids"][row, :length] = encoding.type_ids
        [output] = self.session.run(["output"], feed)
        return output, feed["attention_mask"]


class OnnxEmbedder(Embedder):
    """Drop-in for the torch :class:`Embedder` of a mean-pooling, L2-normalising model (all-MiniLM-L6-v2)."""

    def __init__(
        self,
        cache_dir: Path,
        model_dir: Path | None = None,
        batch_size: int = 64,
        threads: int | None = None,
    ) -> None:
        # Deliberately no super().__init__(): that loads the torch model.
        import json

        folder = model_dir or bundled_model_path()
        self._session = _Session(export("embedder", folder, cache_dir), folder, threads)
        self._batch_size = batch_size
        self.version = f"onnx-fp32:{folder.name if model_dir else 'all-MiniLM-L6-v2'}"
        self.dimension = int(json.loads((folder / "config.json").read_text(encoding="utf-8"))["hidden_size"])

    def encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # Similar lengths in one batch: padding is most of the cost on a CPU.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        result = np.empty((len(texts), self.dimension), dtype=np.float32)
        for first in range(0, len(order), self._batch_size):
            rows = order[first : first + self._batch_size]
            states, mask = self._session.run(self._session.encode([texts[i] for i in rows]))
            weights = mask[:, :, None].astype(np.float32)
            pooled = (states * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            result[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return result


class OnnxNLIModel(NLIModel):
    """Drop-in for the torch :class:`NLIModel`: probabilities in ``LABELS`` order."""

    def __init__(
        self, model_dir: Path, cache_dir: Path, batch_size: int = 32, threads: int | None = None, int8: bool = False
    ) -> None:
        # Deliberately no super().__init__(): that loads the torch model.
        import json

        self._session = _Session(export("nli", model_dir, cache_dir, int8), model_dir, threads, spin=True)
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        self._columns = label_columns(config["id2label"], model_dir)
        self._batch_size = batch_size
        self.version = f"{model_dir.name}@{weights_digest(model_dir)}+onnx-{int8_variant() if int8 else 'fp32'}"

    def _tokenized(self, pairs: Sequence[tuple[str, str]]) -> tuple[list[Encoding], list[int]]:
        # Tokenised once: the encodings give the lengths for batching and are then what the batches run on.
        encodings = self._session.encode(pairs)
        return encodings, [len(e.ids) for e in encodings]

    def _logits(self, inputs: Sequence[Any]) -> npt.NDArray[np.float32]:
        logits = np.empty((len(inputs), len(LABELS)), dtype=np.float32)
        for first in range(0, len(inputs), self._batch_size):
            output, _ = self._session.run(inputs[first : first + self._batch_size])
            logits[first : first + self._batch_size] = output
        return logits


def main() -> None:
    """Export both models ahead of time (``python -m app.ml.onnx``)."""
    from app.core.config import Settings

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    settings = Settings()
    embedder = Path(settings.embedding_model) if settings.embedding_model else bundled_model_path()
    exports: tuple[tuple[Kind, Path], ...] = (("embedder", embedder), ("nli", settings.nli_model))
    for kind, folder in exports:
        int8 = kind == "nli" and settings.inference_backend == "onnx-int8"
        logger.info("%s: %s", kind, export(kind, folder, settings.onnx_cache_dir, int8))


if __name__ == "__main__":
    main()
