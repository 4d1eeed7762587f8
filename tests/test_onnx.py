"""The fast backends (ONNX Runtime float32, the default, and the smoothed int8 cross-encoder; torch bfloat16)
against the torch float32 models (the reference)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.core.config import Settings
from app.ml import cpu
from app.ml.embedder import Embedder
from app.ml.nli import LABELS, NLIModel, length_groups
from app.ml.onnx import RANGES_FILE, OnnxEmbedder, OnnxNLIModel, export, int8_variant, int8_weight_bits, smooth

SETTINGS = Settings()
SENTENCES = [
    "Germany committed 12 billion euros in military aid to Ukraine.",
    "NATO leaders declined to give Ukraine a timetable for membership.",
    "The central bank raised interest rates by half a percentage point on Thursday.",
    "Poland and Romania are expected to join the framework next year.",
    "Shares in the carmaker fell sharply after the profit warning.",
]
PAIRS = [
    (SENTENCES[0], "Germany pledged 12 billion euros of military aid to Ukraine."),  # paraphrase
    (SENTENCES[0], "Germany committed 20 billion euros in military aid to Ukraine."),  # number
    (SENTENCES[1], "NATO leaders gave Ukraine a timetable for membership."),  # negation
    (SENTENCES[2], "Poland and Romania are expected to join the framework."),  # unrelated
]


@pytest.fixture(scope="module")
def onnx_embedder() -> OnnxEmbedder:
    return OnnxEmbedder(SETTINGS.onnx_cache_dir)


@pytest.fixture(scope="module")
def reference_nli() -> NLIModel:
    return NLIModel(SETTINGS.nli_model)


@pytest.fixture
def fake_cpuinfo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str | None], None]]:
    """Point the CPU-flag reader at a /proc/cpuinfo of the given text (None: no such file), uncached."""

    def fake(text: str | None) -> None:
        info = tmp_path / "cpuinfo"
        if text is not None:
            info.write_text(text)
        monkeypatch.setattr(cpu, "CPUINFO", info if text is not None else tmp_path / "missing")
        cpu.cpu_flags.cache_clear()

    yield fake
    cpu.cpu_flags.cache_clear()  # the next test reads the real CPU again


@pytest.fixture(scope="module", params=[False, True], ids=["fp32", "int8"])
def onnx_nli(request: pytest.FixtureRequest) -> OnnxNLIModel:
    return OnnxNLIModel(SETTINGS.nli_model, SETTINGS.onnx_cache_dir, int8=request.param)


def test_onnx_embeddings_point_where_the_torch_ones_do(embedder: Embedder, onnx_embedder: OnnxEmbedder) -> None:
    reference, fast = embedder.encode(SENTENCES), onnx_embedder.encode(SENTENCES)
    assert fast.shape == reference.shape and fast.dtype == np.float32
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-4)
    assert (np.sum(fast * reference, axis=1) > 0.99999).all()
    queries = ["Berlin pledged 12bn euros for Kyiv's army", "Rates went up at the central bank"]
    nearest = [np.argmax(q @ v.T, axis=1) for q, v in ((embedder.encode(queries), reference),
                                                        (onnx_embedder.encode(queries), fast))]  # fmt: skip
    assert list(nearest[0]) == list(nearest[1]) == [0, 2]
    assert onnx_embedder.encode([]).shape == (0, onnx_embedder.dimension)


def test_a_batch_is_padded_to_its_longest_text_only(onnx_embedder: OnnxEmbedder) -> None:
    # The embedder's tokenizer file pads every text to 128 tokens; a one-claim batch must not pay for that.
    session = onnx_embedder._session
    short, longer = session.encode(["Rates rose.", "The central bank raised its main rate by half a point."])
    assert len(short.ids) < len(longer.ids) < 20
    _, mask = session.run([short, longer])
    assert mask.shape == (2, len(longer.ids)) and mask[0].sum() == len(short.ids)


def test_onnx_nli_gives_the_torch_labels_in_the_same_column_order(
    reference_nli: NLIModel, onnx_nli: OnnxNLIModel
) -> None:
    int8 = "+onnx-int8" in onnx_nli.version
    reference, fast = reference_nli.predict(PAIRS), onnx_nli.predict(PAIRS)
    assert fast.shape == (len(PAIRS), len(LABELS))
    assert np.allclose(fast.sum(axis=1), 1.0, atol=1e-5)
    assert list(fast.argmax(axis=1)) == list(reference.argmax(axis=1))
    assert np.abs(fast - reference).max() < (0.15 if int8 else 1e-4)
    # Pairs in any order come back in input order.
    assert np.allclose(onnx_nli.predict(PAIRS[::-1]), fast[::-1], atol=1e-5)


def test_smoothing_moves_the_activation_spread_into_the_weights_without_changing_the_outputs() -> None:
    import torch
    from safetensors.torch import load_file
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    folder = SETTINGS.nli_model
    model = AutoModelForSequenceClassification.from_pretrained(str(folder), local_files_only=True).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    premises, claims = zip(*PAIRS, strict=True)
    encoded = tokenizer(list(premises), list(claims), padding=True, return_tensors="pt")
    ranges = load_file(str(folder / RANGES_FILE))
    assert len(ranges) == 6 * 6  # query, key, value, attention output, intermediate, output of each layer
    query = model.bert.encoder.layer[0].attention.self.query
    weight = query.weight.detach().clone()
    with torch.no_grad():
        before = model(**encoded).logits
        smooth(model, ranges)
        after = model(**encoded).logits
    assert not torch.equal(query.weight, weight)  # the same module, its columns rescaled
    assert torch.allclose(after, before, atol=1e-4)


def test_an_int8_export_without_activation_ranges_says_how_to_make_them(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    for path in SETTINGS.nli_model.iterdir():
        if path.name != RANGES_FILE:
            (folder / path.name).symlink_to(path)
    with pytest.raises(FileNotFoundError, match="calibrate_int8"):
        export("nli", folder, tmp_path / "onnx", int8=True)
    with pytest.raises(ValueError, match="only the NLI"):
        export("embedder", folder, tmp_path / "onnx", int8=True)


def test_int8_weights_lose_a_bit_only_on_cpus_without_an_int8_dot_product() -> None:
    assert int8_weight_bits(frozenset({"avx2", "avx512f", "avx512_vnni"})) == 8
    assert int8_weight_bits(frozenset({"avx2", "avx_vnni"})) == 8
    assert int8_weight_bits(frozenset({"avx2", "amx_int8", "amx_tile"})) == 8
    assert int8_weight_bits(frozenset({"avx2", "fma", "avx512_bf16"})) == 7  # bf16 is no int8 dot product
    assert int8_weight_bits(frozenset()) == 7  # unknown CPU: the choice that cannot overflow


@pytest.mark.parametrize("flags, bits", [("avx2 avx512_vnni", 8), ("avx2", 7)], ids=["vnni", "avx2-only"])
def test_the_int8_export_quantises_weights_to_the_bits_of_the_cpu_it_runs_on(
    tmp_path: Path, fake_cpuinfo: Callable[[str | None], None], flags: str, bits: int
) -> None:
    """Both variants, whichever CPU runs the suite: the file is named for its variant and its weights use that range."""
    import onnx
    from onnx import numpy_helper

    fake_cpuinfo(f"flags\t\t: fpu sse2 {flags}\n")
    path = export("nli", SETTINGS.nli_model, tmp_path / "onnx", int8=True)
    assert ("-int8-w7-" in path.name) == (bits == 7)
    initializers = onnx.load(str(path)).graph.initializer
    weights = [
        numpy_helper.to_array(t) for t in initializers if t.data_type == onnx.TensorProto.INT8 and len(t.dims) == 2
    ]
    # Query, key, value, attention output and two feed-forward matrices in each of 6 layers; pooler; classifier.
    assert len(weights) == 6 * 6 + 2
    largest = max(int(np.abs(w.astype(np.int32)).max()) for w in weights)
    # ONNX Runtime's reduced range is -64..64: two products with activations up to 255 still sum below 2**15.
    assert largest == (127 if bits == 8 else 64)


def test_cpu_flags_come_from_the_flags_line_and_are_empty_when_unknown(
    fake_cpuinfo: Callable[[str | None], None],
) -> None:
    fake_cpuinfo("processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: fpu sse2 avx2 avx512_vnni\n\n")
    assert cpu.cpu_flags() == frozenset({"fpu", "sse2", "avx2", "avx512_vnni"})
    assert int8_variant() == "int8"
    fake_cpuinfo(None)
    assert cpu.cpu_flags() == frozenset()
    assert int8_variant() == "int8-w7"


def test_length_groups_keep_one_long_premise_from_padding_the_short_pairs() -> None:
    # Five sentence pairs and one three-sentence premise: two batches, not six short pairs padded to 150.
    assert length_groups([30, 32, 35, 40, 41, 150], batch_size=32) == [range(0, 5), range(5, 6)]
    # Equal lengths cost nothing to pad together: as few batches as the batch size allows, covering every pair.
    groups = length_groups([20] * 70, batch_size=32)
    assert len(groups) == 3 and max(len(g) for g in groups) <= 32
    assert [i for group in groups for i in group] == list(range(70))
    assert length_groups([], batch_size=32) == []


@pytest.mark.parametrize("backend", ["torch", "onnx"])
def test_float32_predictions_do_not_depend_on_how_pairs_are_batched(reference_nli: NLIModel, backend: str) -> None:
    # (int8 quantises each batch's activations with the batch's own range, so its numbers do depend on it.)
    model = reference_nli if backend == "torch" else OnnxNLIModel(SETTINGS.nli_model, SETTINGS.onnx_cache_dir)
    long_premise = " ".join(SENTENCES)
    pairs = [*PAIRS, (long_premise, "Germany committed 12 billion euros in military aid to Ukraine.")]
    together = model.predict(pairs)
    alone = np.vstack([model.predict([pair]) for pair in pairs])
    assert np.allclose(together, alone, atol=1e-5)


def test_bf16_nli_gives_the_float32_labels(reference_nli: NLIModel) -> None:
    bf16 = NLIModel(SETTINGS.nli_model, bf16=True)
    reference, fast = reference_nli.predict(PAIRS), bf16.predict(PAIRS)
    assert bf16.version == reference_nli.version + "-bf16"
    assert fast.dtype == np.float32 and np.allclose(fast.sum(axis=1), 1.0, atol=1e-5)
    assert list(fast.argmax(axis=1)) == list(reference.argmax(axis=1))
    # bfloat16 keeps about three significant digits in the products (measured 0.0003 at worst here),
    # so the numbers move a little: they are not the float32 ones.
    assert 0 < np.abs(fast - reference).max() < 0.02


def test_the_default_onnx_backend_reaches_the_torch_verdicts(make_client: Callable[..., Any]) -> None:
    claims = [
        "Germany committed 20 billion euros in military aid to Ukraine",
        "Poland and Romania are expected to join the framework",
        "The European Central Bank raised interest rates",
    ]
    with make_client(verifier="nli", inference_backend="torch") as client:
        reference = [client.post("/check", json={"claim": claim}).json() for claim in claims]
    with make_client(verifier="nli") as client:  # the tests' embedder is torch; the NLI model is ONNX here
        fast = [client.post("/check", json={"claim": claim}).json() for claim in claims]
        assert fast[0]["model_versions"]["verifier"].endswith("+onnx-fp32")
    for before, after in zip(reference, fast, strict=True):
        assert after["verdict"] == before["verdict"]
        assert after["confidence"] == pytest.approx(before["confidence"], abs=1e-3)
        assert after["evidence"][0]["sentence_indices"] == before["evidence"][0]["sentence_indices"]
