"""Evaluate the NLI cross-encoder on held-out and test sets; print a table and write build/nli-eval.json.

Usage: python scripts/eval_nli.py [--model models/nli-minilm-l6] [--limit N] [--sets snli_test,...]
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
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from sentence_transformers import CrossEncoder  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nli_data  # noqa: E402
from nli_data import LABELS, Pair  # noqa: E402

log = logging.getLogger("eval_nli")
CONTRADICTION_KINDS = ("number", "date", "entity", "negation", "antonym", "quantifier")
CLIMATE_LABELS = {"SUPPORTS": "entailment", "REFUTES": "contradiction", "NOT_ENOUGH_INFO": "neutral"}


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="models/nli-minilm-l6")
    parser.add_argument(
        "--shared-dir", default=None, help="shared data folder (default $FACTCHECK_SHARED_DIR or ../shared)"
    )
    parser.add_argument("--limit", type=int, default=0, help="evaluate a seeded random subset of N pairs per set")
    parser.add_argument("--seed", type=int, default=0, help="seed of the --limit subsets")
    parser.add_argument("--out", default="build/nli-eval.json")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--sets", default="", help="comma-separated set names to run (default: all)")
    return parser.parse_args()


def climate_fever_pairs(shared: Path) -> list[Pair]:
    """Pair-level CLIMATE-FEVER: every (evidence sentence, claim) with its evidence label."""
    pairs = []
    for row in nli_data.read_jsonl(shared / "eval" / "climate-fever" / "climate-fever.jsonl"):
        for evidence in row["evidences"]:
            label = CLIMATE_LABELS[evidence["evidence_label"]]
            pairs.append(Pair(evidence["evidence"], row["claim"], label, "climate-fever", row["claim_label"]))
    return pairs


def eval_sets(shared: Path) -> dict[str, tuple[list[Pair], str]]:
    """Each evaluation set with its kind: '3way', 'ec' (no neutral gold) or '2way' (neutral = not entailed)."""
    _, mnli_heldout = nli_data.mnli_matched_split(shared)
    load = nli_data.load_set
    return {
        "snli_test": (load(shared, "snli", "test"), "3way"),
        "mnli_matched_heldout": (mnli_heldout, "3way"),
        "fever_nli_test": (load(shared, "fever_nli", "test"), "3way"),
        "fever_symmetric_test": (load(shared, "fever_symmetric", "test"), "ec"),
        "anli_r1": (load(shared, "anli", "test_r1"), "3way"),
        "anli_r2": (load(shared, "anli", "test_r2"), "3way"),
        "anli_r3": (load(shared, "anli", "test_r3"), "3way"),
        "covid_fact_test": (load(shared, "covid_fact", "test"), "ec"),
        "healthver_test": (load(shared, "healthver", "test"), "3way"),
        "scitail_test": (load(shared, "scitail", "test"), "2way"),
        "rte_dev": (load(shared, "rte", "dev"), "2way"),
        "synthetic_news_heldout": (nli_data.heldout_synthetic(shared), "3way"),
        "climate_fever_pairs": (climate_fever_pairs(shared), "3way"),
    }


def predict(model: CrossEncoder, pairs: list[Pair], batch_size: int = 32) -> list[str]:
    """Predicted labels; pairs are sorted by length so each batch pads little."""
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i].premise) + len(pairs[i].hypothesis))
    logits = model.predict(
        [(pairs[i].premise, pairs[i].hypothesis) for i in order], batch_size=batch_size, show_progress_bar=False
    )
    labels = [""] * len(pairs)
    for i, row in zip(order, np.asarray(logits), strict=True):
        labels[i] = LABELS[int(row.argmax())]
    return labels


def macro_f1(gold: list[str], pred: list[str], labels: tuple[str, ...] = LABELS) -> float:
    """Unweighted mean of per-label F1."""
    scores = []
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, pred, strict=True))
        predicted, actual = pred.count(label), gold.count(label)
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores)


def score(pairs: list[Pair], pred: list[str], kind: str) -> dict[str, Any]:
    """Accuracy (2-way sets: entailed vs not), recall per gold label, confusion counts."""
    gold = [p.label for p in pairs]
    if kind == "2way":
        # Gold "neutral" means "not entailed" here, so a contradiction prediction counts as neutral.
        pred = ["neutral" if p == "contradiction" else p for p in pred]
    correct = sum(g == p for g, p in zip(gold, pred, strict=True))
    result: dict[str, Any] = {"n": len(pairs), "kind": kind, "accuracy": round(correct / len(pairs), 4)}
    if kind == "3way":
        result["macro_f1"] = round(macro_f1(gold, pred), 4)
    result["recall"] = {
        label: round(sum(g == p == label for g, p in zip(gold, pred, strict=True)) / gold.count(label), 4)
        for label in LABELS
        if gold.count(label)
    }
    result["confusion"] = {
        g: dict(Counter(p for gg, p in zip(gold, pred, strict=True) if gg == g)) for g in LABELS if g in gold
    }
    return result


def per_kind(pairs: list[Pair], pred: list[str]) -> dict[str, dict[str, float]]:
    """Accuracy per synthetic edit kind (for contradiction kinds this is contradiction recall)."""
    out = {}
    for kind in sorted({p.kind for p in pairs}):
        hits = [p.label == y for p, y in zip(pairs, pred, strict=True) if p.kind == kind]
        out[kind] = {"n": len(hits), "accuracy": round(sum(hits) / len(hits), 4)}
    return out


def speed(model: CrossEncoder, pairs: list[Pair]) -> dict[str, float]:
    """Pairs per second at batch size 1 and 32 on news-like pairs (after a warm-up)."""
    texts = [(p.premise, p.hypothesis) for p in pairs]
    model.predict(texts[:64], batch_size=32, show_progress_bar=False)
    result = {}
    for batch_size, count in ((1, 200), (32, 1024)):
        start = time.perf_counter()
        model.predict(texts[:count], batch_size=batch_size, show_progress_bar=False)
        result[f"pairs_per_s_batch{batch_size}"] = round(count / (time.perf_counter() - start), 1)
    return result


def main() -> None:
    """Run every evaluation and write the report."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    args = parse_args()
    torch.set_num_threads(args.threads)
    shared = nli_data.shared_dir(args.shared_dir)
    model = CrossEncoder(args.model, device="cpu")
    report: dict[str, Any] = {
        "model": args.model,
        "limit": args.limit or None,
        "seed": args.seed,
        "threads": args.threads,
        "sets": {},
    }
    sets = eval_sets(shared)
    wanted = [name for name in args.sets.split(",") if name] or list(sets)
    if unknown := sorted(set(wanted) - set(sets)):
        raise SystemExit(f"--sets: unknown {unknown}; choose from {sorted(sets)}")
    for name in wanted:
        pairs, kind = sets[name]
        if args.limit and len(pairs) > args.limit:
            pairs = random.Random(args.seed).sample(pairs, args.limit)
        start = time.perf_counter()
        pred = predict(model, pairs)
        result = score(pairs, pred, kind)
        if name == "synthetic_news_heldout":
            result["per_kind"] = per_kind(pairs, pred)
        if name == "climate_fever_pairs":
            majority = Counter(p.label for p in pairs).most_common(1)[0][0]
            result["majority_baseline"] = {
                "label": majority,
                "accuracy": round(sum(p.label == majority for p in pairs) / len(pairs), 4),
                "macro_f1": round(macro_f1([p.label for p in pairs], [majority] * len(pairs)), 4),
            }
        result["seconds"] = round(time.perf_counter() - start, 1)
        report["sets"][name] = result
        log.info("%s: %s", name, {k: result[k] for k in ("n", "accuracy")})
    if not args.skip_speed:
        report["speed"] = speed(model, nli_data.heldout_synthetic(shared))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print_table(report)


def print_table(report: dict[str, Any]) -> None:
    """Human-readable summary of the report."""
    print(f"model: {report['model']}  subset: {report['limit'] or 'full'}")
    print(f"{'set':26} {'n':>6} {'acc':>7} {'macroF1':>8}  recall E/N/C")
    for name, r in report["sets"].items():
        recall = "/".join(f"{r['recall'].get(label, float('nan')):.2f}" for label in LABELS)
        print(f"{name:26} {r['n']:>6} {r['accuracy']:>7.4f} {r.get('macro_f1', float('nan')):>8.4f}  {recall}")
    synthetic = report["sets"].get("synthetic_news_heldout", {}).get("per_kind", {})
    if synthetic:
        print("synthetic held-out, accuracy per edit kind (contradiction kinds = contradiction recall):")
        for kind, r in synthetic.items():
            marker = " *" if kind in CONTRADICTION_KINDS else ""
            print(f"  {kind:22} {r['n']:>5} {r['accuracy']:.4f}{marker}")
    climate = report["sets"].get("climate_fever_pairs")
    if climate:
        base = climate["majority_baseline"]
        print(
            f"climate-fever majority baseline ({base['label']}): "
            f"acc {base['accuracy']:.4f} macroF1 {base['macro_f1']:.4f}"
        )
    if "speed" in report:
        print(f"speed: {report['speed']}")


if __name__ == "__main__":
    main()
