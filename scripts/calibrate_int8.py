"""Record the activation ranges that the int8 export of the NLI cross-encoder smooths with.

Runs the float32 model over training pairs only (300 seeded pairs each of FEVER-NLI dev without the test
claims, SNLI train and MNLI dev_mismatched, all three among the model's training data) and writes, for every
Linear of its encoder, the largest absolute value each input channel took, to
models/<model>/activation_ranges.safetensors. ``make train-nli`` runs it after training; run it again
whenever the weights change (the int8 export is cached under the hash of this file too).
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from pathlib import Path

import torch
from safetensors.torch import save_file
from tqdm import tqdm
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from app.core.config import Settings
from app.ml.onnx import MAX_LENGTH, RANGES_FILE

import nli_data

PAIRS_PER_SOURCE = 300
SEED = 7


def calibration_pairs(shared: Path) -> list[nli_data.Pair]:
    fever = nli_data.without_claims(nli_data.load_set(shared, "fever_nli", "dev"), nli_data.fever_test_claims(shared))
    sources = (
        fever,
        nli_data.load_set(shared, "snli", "train"),
        nli_data.load_set(shared, "mnli", "dev_mismatched.nc_noisy"),
    )
    chosen = []
    for pairs in sources:
        chosen += random.Random(SEED).sample(pairs, PAIRS_PER_SOURCE)
    return chosen


def activation_ranges(model: torch.nn.Module, tokenizer: object, pairs: list[nli_data.Pair]) -> dict[str, torch.Tensor]:
    """The largest absolute input of each encoder Linear, per input channel."""
    ranges: dict[str, torch.Tensor] = {}

    def recorder(name: str) -> Callable[..., None]:
        def record(_module: torch.nn.Module, inputs: tuple[torch.Tensor, ...], _output: torch.Tensor) -> None:
            largest = inputs[0].detach().abs().reshape(-1, inputs[0].shape[-1]).amax(dim=0)
            ranges[name] = torch.maximum(ranges[name], largest) if name in ranges else largest

        return record

    hooks = [
        module.register_forward_hook(recorder(name))
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear) and ".encoder." in name
    ]
    with torch.no_grad():
        for first in tqdm(range(0, len(pairs), 32), desc="calibration batches"):
            batch = pairs[first : first + 32]
            encoded = tokenizer(  # type: ignore[operator]
                [p.premise for p in batch], [p.hypothesis for p in batch],
                truncation=True, max_length=MAX_LENGTH, padding=True, return_tensors="pt",
            )  # fmt: skip
            model(**encoded)
    for hook in hooks:
        hook.remove()
    return ranges


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=Settings().nli_model, help="the NLI model folder")
    parser.add_argument("--shared", default=None, help="the shared data folder (default ../shared)")
    args = parser.parse_args()
    model = AutoModelForSequenceClassification.from_pretrained(str(args.model), local_files_only=True).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(args.model), local_files_only=True)
    ranges = activation_ranges(model, tokenizer, calibration_pairs(nli_data.shared_dir(args.shared)))
    target = args.model / RANGES_FILE
    metadata = {"pairs": str(3 * PAIRS_PER_SOURCE), "command": "python scripts/calibrate_int8.py"}
    save_file({name: tensor.contiguous() for name, tensor in sorted(ranges.items())}, str(target), metadata)
    print(f"wrote {len(ranges)} activation ranges to {target}")


if __name__ == "__main__":
    main()
