"""`make eval`: accuracy of the real pipeline on data we did not tune on.

Reports, for the NLI verdict engine, the similarity verifier (embedding similarity plus the explicit
checks) and the similarity-only baseline (embedding similarity alone): the seed-article claims
(tests/data/seed_claims.jsonl), hand-written claims about five held-out BBC articles that tuning never
sees (tests/data/news_claims.jsonl), the CLIMATE-FEVER reporting half (claim level), synthetic news
pairs from held-out BBC articles (reporting half), and 600 pairs of the MNLI part held out from
training. Saves JSON, confusion matrices and reliability
diagrams under build/eval/.
"""

from __future__ import annotations

import argparse
import json
import logging
import warnings
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from app.core.config import PROJECT_ROOT, Settings
from app.pipeline.nli_verifier import EngineParams
from app.pipeline.similarity_verifier import SimilarityVerifier
from app.pipeline.verdicts import Verdict, Verifier

import evaluation
import nli_data

COLUMNS = [
    "n", "accuracy", "macro_f1", "recall_supported", "recall_contradicted", "recall_unknown",
    "balanced_accuracy_supported_vs_not", "citation_accuracy", "ece", "latency_p50_ms", "latency_p95_ms",
]  # fmt: skip


def print_table(rows: dict[str, dict[str, float]]) -> None:
    width = max(len(name) for name in rows) + 2
    header = "".join(f"{c.replace('_supported_vs_not', '_sup').replace('recall_', 'r_')[:12]:>13}" for c in COLUMNS)
    print(f"{'':<{width}}{header}")
    for name, values in rows.items():
        print(f"{name:<{width}}" + "".join(f"{values.get(c, float('nan')):>13.4g}" for c in COLUMNS))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="seed,news,climate-fever,synthetic,mnli", help="comma-separated sets to run")
    parser.add_argument("--limit", type=int, default=None, help="first N examples of each set (quick runs)")
    parser.add_argument("--shared", default=None, help="the shared data folder (default ../shared)")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "build" / "eval")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    # sklearn warns when a small run lacks a class; the table shows that plainly.
    warnings.filterwarnings("ignore", category=UserWarning, module="sklearn")

    shared = nli_data.shared_dir(args.shared)
    wanted = args.sets.split(",")
    loaders: dict[str, Callable[[], list[evaluation.Example]]] = {
        "seed": evaluation.seed_claims,
        "news": lambda: evaluation.news_claims(shared),
        "climate-fever": lambda: evaluation.climate_fever(shared, "report"),
        "synthetic": lambda: evaluation.synthetic_news(shared, "report"),
        "mnli": lambda: evaluation.mnli_heldout(shared),
    }
    sets = {name: loaders[name]()[: args.limit] for name in wanted}
    params_path = PROJECT_ROOT / "models" / "verdict-engine.json"
    verifiers: dict[str, tuple[dict[str, object], Verifier | None]] = {
        "engine": ({"verifier": "nli"}, None),
        "similarity": ({"verifier": "similarity"}, SimilarityVerifier.load(params_path)),
        "similarity-only": ({"verifier": "similarity"}, SimilarityVerifier.load(params_path, explicit_checks=False)),
    }

    report: dict[str, dict[str, dict[str, float]]] = defaultdict(dict)
    misses: dict[str, list[dict[str, str | None]]] = {}
    by_basis: dict[str, dict[str, dict[str, float]]] = {}
    for verifier_name, (overrides, verifier) in verifiers.items():
        harness = evaluation.Harness(overrides, verifier)
        try:
            for set_name, examples in sets.items():
                print(f"running {verifier_name} on {set_name} ({len(examples)} claims)", flush=True)
                outcomes = harness.run(examples)
                report[set_name][verifier_name] = evaluation.outcome_metrics(outcomes)
                if verifier_name == "engine":
                    evaluation.save_plots(outcomes, f"{set_name} ({verifier_name})", args.out, set_name)
                    misses[set_name] = [
                        {"claim": o.example.claim, "kind": o.example.kind, "gold": o.example.label.value,
                         "verdict": o.verification.verdict.value, "basis": o.verification.basis,
                         "explanation": o.verification.explanation}
                        for o in outcomes if o.verification.verdict != o.example.label
                    ]  # fmt: skip
                    by_basis[set_name] = evaluation.basis_breakdown(outcomes)
                    if set_name == "seed":
                        caught = [o for o in outcomes if o.example.label is Verdict.CONTRADICTED
                                  and o.example.kind in ("number", "date", "negation")]  # fmt: skip
                        report[set_name]["contradicted number/date/negation caught"] = {
                            "n": len(caught),
                            "accuracy": sum(o.verification.verdict is Verdict.CONTRADICTED for o in caught)
                            / max(1, len(caught)),
                        }
        finally:
            harness.close()

    args.out.mkdir(parents=True, exist_ok=True)
    # The engine's parameters and backend as the harness's settings read them (FACTCHECK_VERDICT_PARAMS, ...).
    settings = Settings()
    params = EngineParams.load(settings.verdict_params) if settings.verdict_params.is_file() else None
    result = {
        "inference_backend": settings.inference_backend,
        "report": report,
        "engine_by_basis": by_basis,
        "misses": misses,
        "engine_params": params.__dict__ if params else None,
    }
    (args.out / "eval.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    for set_name, rows in report.items():
        print(f"\n== {set_name} ==")
        print_table(rows)
        if set_name in by_basis:
            print("engine verdicts by rule (n, accuracy): " + ", ".join(
                f"{basis} {v['n']:.0f} {v['accuracy']:.2f}" for basis, v in by_basis[set_name].items()))  # fmt: skip
    for baseline in ("similarity-only", "similarity"):
        if "climate-fever" in report and {"engine", baseline} <= set(report["climate-fever"]):
            gap = report["climate-fever"]["engine"]["macro_f1"] - report["climate-fever"][baseline]["macro_f1"]
            print(f"\nCLIMATE-FEVER reporting half: engine macro-F1 minus {baseline} = {gap:+.4f}")
    print(f"\nsaved {args.out / 'eval.json'} and PNG plots in {args.out}")


if __name__ == "__main__":
    main()
