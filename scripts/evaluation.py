"""Evaluation data sets, a harness that runs the service's own pipeline, and the metrics we report.

Used by scripts/eval.py (reporting) and scripts/tune_verdicts.py (tuning); the two read disjoint
splits: CLIMATE-FEVER and the held-out synthetic news pairs are each cut in two by a stable hash.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from app.core.config import PROJECT_ROOT, Settings
from app.pipeline.sentences import split_sentences
from app.pipeline.verdicts import Passage, Verdict, Verification, Verifier
from app.runtime import Runtime, build_verifier

import nli_data

SEED_CLAIMS = PROJECT_ROOT / "tests" / "data" / "seed_claims.jsonl"
# Hand-written claims about held-out BBC articles: nine for tuning only, five others for reporting only.
DEV_CLAIMS = PROJECT_ROOT / "tests" / "data" / "dev_claims.jsonl"
NEWS_CLAIMS = PROJECT_ROOT / "tests" / "data" / "news_claims.jsonl"
SEEDS_DIR = PROJECT_ROOT / "seeds"
NLI_LABELS = {"entailment": Verdict.SUPPORTED, "contradiction": Verdict.CONTRADICTED, "neutral": Verdict.UNKNOWN}
CLIMATE_LABELS = {"SUPPORTS": Verdict.SUPPORTED, "REFUTES": Verdict.CONTRADICTED, "NOT_ENOUGH_INFO": Verdict.UNKNOWN}
VERDICTS = list(Verdict)


@dataclass(frozen=True)
class Example:
    """A claim with its gold verdict; ``document`` None means the seed corpus."""

    claim: str
    label: Verdict
    document: tuple[str, str] | None
    # Character ranges (in the document text) of the sentences that decide; empty for unknown.
    gold_spans: tuple[tuple[int, int], ...]
    kind: str = ""


def half(key: str) -> str:
    """'tune' or 'report', fixed by a hash of ``key``."""
    return "tune" if int(hashlib.sha256(key.encode()).hexdigest(), 16) % 2 == 0 else "report"


def seed_article() -> tuple[str, str]:
    """Headline and body of the seed article (the service stores them as title and text)."""
    [seed] = sorted(SEEDS_DIR.glob("*.txt"))
    title, _, body = seed.read_text(encoding="utf-8").strip().partition("\n")
    return title.strip(), body.strip()


def seed_claims() -> list[Example]:
    """The hand-written claims about the seed article (tests/data/seed_claims.jsonl)."""
    _, body = seed_article()
    sentences = split_sentences(body)
    examples = []
    for line in SEED_CLAIMS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        spans = tuple((sentences[i].start, sentences[i].end) for i in row["evidence"])
        examples.append(Example(row["claim"], Verdict(row["label"]), None, spans, row["kind"]))
    return examples


def dev_claims(shared: Path) -> list[Example]:
    """Hand-written claims about held-out BBC articles (tests/data/dev_claims.jsonl); tuning only."""
    return article_claims(shared, DEV_CLAIMS)


def news_claims(shared: Path) -> list[Example]:
    """Hand-written claims about five other held-out BBC articles (tests/data/news_claims.jsonl); reporting only."""
    return article_claims(shared, NEWS_CLAIMS)


def article_claims(shared: Path, path: Path) -> list[Example]:
    """Hand-written claims about BBC articles, each checked against its article as the only document.

    The articles are read from ../shared/nli-data/bbc_news at run time; only the claims live here.
    """
    articles = {row["id"]: row for row in nli_data.read_jsonl(shared / "nli-data" / "bbc_news" / "articles.jsonl")}
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        article = articles[row["article"]]
        sentences = split_sentences(article["text"])
        spans = tuple((sentences[i].start, sentences[i].end) for i in row["evidence"])
        document = (f"bbc {row['article']}: {article['title']}", article["text"])
        examples.append(Example(row["claim"], Verdict(row["label"]), document, spans, row["kind"]))
    return examples


def climate_fever(shared: Path, split: str) -> list[Example]:
    """CLIMATE-FEVER claims (DISPUTED left out), each against a document of its 5 sentences."""
    examples = []
    path = shared / "eval" / "climate-fever" / "climate-fever.jsonl"
    for row in nli_data.read_jsonl(path):
        if row["claim_label"] == "DISPUTED" or half(f"climate-fever:{row['claim_id']}") != split:
            continue
        lines = [" ".join(e["evidence"].split()) for e in row["evidences"]]
        text = "\n".join(lines)
        spans, position = [], 0
        for line, evidence in zip(lines, row["evidences"], strict=True):
            if evidence["evidence_label"] == row["claim_label"] != "NOT_ENOUGH_INFO":
                spans.append((position, position + len(line)))
            position += len(line) + 1
        label = CLIMATE_LABELS[row["claim_label"]]
        examples.append(Example(row["claim"], label, (f"climate-fever {row['claim_id']}", text), tuple(spans)))
    return examples


def nli_pairs(pairs: Sequence[nli_data.Pair]) -> list[Example]:
    """NLI pairs as claims, each checked against a document made of its premise."""
    examples = []
    for n, pair in enumerate(pairs):
        label = NLI_LABELS[pair.label]
        spans = ((0, len(pair.premise)),) if label is not Verdict.UNKNOWN else ()
        examples.append(Example(pair.hypothesis, label, (f"{pair.source} {n}", pair.premise), spans, pair.kind))
    return examples


def synthetic_news(shared: Path, split: str, per_doc: int = 6) -> list[Example]:
    """Synthetic news pairs from held-out BBC articles (never trained on), one half by article."""
    docs = [d for d in nli_data.bbc_docs(shared, heldout=True) if half(d.doc_id) == split]
    return nli_pairs(nli_data.synthetic_pairs(docs, per_doc=per_doc, seed=4321, source=f"synthetic/{split}"))


def mnli_heldout(shared: Path, size: int = 600) -> list[Example]:
    """The first ``size`` pairs of the MNLI part held out from training (report only)."""
    return nli_pairs(nli_data.mnli_matched_split(shared)[1][:size])


def mnli_tuning(shared: Path, size: int = 600) -> list[Example]:
    """The next ``size`` pairs of the held-out MNLI part, disjoint from mnli_heldout (tuning only)."""
    return nli_pairs(nli_data.mnli_matched_split(shared)[1][600 : 600 + size])


class RecordingVerifier:
    """Passes through to a verifier and keeps what it was asked, so tuning can replay decisions."""

    def __init__(self, inner: Verifier) -> None:
        self.inner = inner
        self.version = inner.version
        self.calls: list[list[tuple[str, Sequence[Passage]]]] = []

    def verify(
        self, items: Sequence[tuple[str, Sequence[Passage]]], wholes: Sequence[str] | None = None
    ) -> list[Verification]:
        self.calls.append(list(items))
        return self.inner.verify(items, wholes)


@dataclass
class Outcome:
    example: Example
    verification: Verification
    latency_ms: float
    cited: tuple[int, int] | None = None
    calls: list[list[tuple[str, Sequence[Passage]]]] = field(default_factory=list)


class Harness:
    """The service's runtime on a scratch SQLite database; checks go through the real Checker."""

    def __init__(self, settings_overrides: dict[str, object], verifier: Verifier | None = None) -> None:
        self._scratch = tempfile.TemporaryDirectory()
        settings = Settings(
            database_url=f"sqlite:///{Path(self._scratch.name) / 'eval.db'}",
            seeds_dir=SEEDS_DIR,
            **settings_overrides,  # type: ignore[arg-type]
        )
        self.recorder = RecordingVerifier(verifier or build_verifier(settings))
        self.runtime = Runtime(settings, verifier=self.recorder)
        self.runtime.load()
        if not self.runtime.ready:
            raise RuntimeError(self.runtime.error)
        self.seed_document_id = self.runtime.corpus.index.document_ids().pop()

    def run(self, examples: Iterable[Example], progress: bool = True) -> list[Outcome]:
        from tqdm import tqdm

        outcomes = []
        examples = list(examples)
        for example in tqdm(examples, disable=not progress, unit="claim", leave=False):
            if example.document is None:
                document_id = self.seed_document_id
            else:
                title, text = example.document
                document = self.runtime.corpus.ingest(title, text).document
                assert document.id is not None
                document_id = document.id
            before = len(self.recorder.calls)
            started = time.perf_counter()
            [result] = self.runtime.checker.check([example.claim], self.runtime.settings.default_top_k, [document_id])
            latency = (time.perf_counter() - started) * 1000
            evidence = result.verification.evidence
            cited = (evidence[0].start, evidence[0].end) if evidence else None
            calls = self.recorder.calls[before:]
            outcomes.append(Outcome(example, result.verification, latency, cited, calls))
        return outcomes

    def close(self) -> None:
        self.runtime.close()
        self._scratch.cleanup()


def cites_gold(cited: tuple[int, int] | None, gold: Sequence[tuple[int, int]]) -> bool:
    """The cited passage contains a deciding sentence (overlap of character ranges)."""
    return cited is not None and any(cited[0] < end and start < cited[1] for start, end in gold)


def expected_calibration_error(confidences: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    conf, hit = np.asarray(confidences, dtype=float), np.asarray(correct, dtype=float)
    edges = np.linspace(0, 1, bins + 1)
    error = 0.0
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (conf > low) & (conf <= high) if low > 0 else (conf >= low) & (conf <= high)
        if inside.any():
            error += inside.mean() * abs(conf[inside].mean() - hit[inside].mean())
    return float(error)


def metrics(gold: Sequence[Verdict], predicted: Sequence[Verdict], confidences: Sequence[float],
            citations: Sequence[bool | None], latencies: Sequence[float]) -> dict[str, float]:  # fmt: skip
    """Accuracy, macro-F1, per-class recall, supported-vs-not balanced accuracy, citation, ECE, latency."""
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score, recall_score

    labels = [v.value for v in VERDICTS]
    y, p = [g.value for g in gold], [v.value for v in predicted]
    recalls = recall_score(y, p, labels=labels, average=None, zero_division=0)
    checked = [c for c in citations if c is not None]
    result = {
        "n": len(y),
        "accuracy": accuracy_score(y, p),
        "macro_f1": f1_score(y, p, labels=labels, average="macro", zero_division=0),
        **{f"recall_{label}": float(r) for label, r in zip(labels, recalls, strict=True)},
        "balanced_accuracy_supported_vs_not": balanced_accuracy_score(
            [v == "supported" for v in y], [v == "supported" for v in p]
        ),
        "citation_accuracy": float(np.mean(checked)) if checked else float("nan"),
        "citation_n": len(checked),
        "ece": expected_calibration_error(confidences, [a == b for a, b in zip(y, p, strict=True)]),
    }
    if latencies:
        result["latency_p50_ms"] = statistics.median(latencies)
        result["latency_p95_ms"] = float(np.percentile(latencies, 95))
    return {k: round(float(v), 4) for k, v in result.items()}


def basis_breakdown(outcomes: Sequence[Outcome]) -> dict[str, dict[str, float]]:
    """How many verdicts each decision rule ("slot", "support", ...) gave, and how many were right."""
    groups: dict[str, list[bool]] = {}
    for o in outcomes:
        key = f"{o.verification.verdict.value}/{o.verification.basis}"
        groups.setdefault(key, []).append(o.verification.verdict == o.example.label)
    return {key: {"n": len(hits), "accuracy": round(sum(hits) / len(hits), 4)} for key, hits in sorted(groups.items())}


def outcome_metrics(outcomes: Sequence[Outcome]) -> dict[str, float]:
    """Metrics of a run; citation accuracy counts claims decided right as supported or contradicted."""
    citations: list[bool | None] = [
        cites_gold(o.cited, o.example.gold_spans)
        if o.verification.verdict == o.example.label and o.example.label is not Verdict.UNKNOWN
        else None
        for o in outcomes
    ]
    return metrics(
        [o.example.label for o in outcomes],
        [o.verification.verdict for o in outcomes],
        [o.verification.confidence for o in outcomes],
        citations,
        [o.latency_ms for o in outcomes],
    )


def save_plots(outcomes: Sequence[Outcome], title: str, folder: Path, stem: str) -> list[Path]:
    """A confusion matrix and a reliability diagram as PNG files."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    folder.mkdir(parents=True, exist_ok=True)
    labels = [v.value for v in VERDICTS]
    figure, axis = plt.subplots(figsize=(5, 4.5))
    ConfusionMatrixDisplay.from_predictions(
        [o.example.label.value for o in outcomes],
        [o.verification.verdict.value for o in outcomes],
        labels=labels,
        ax=axis,
        colorbar=False,
    )
    axis.set_title(f"{title}: confusion matrix")
    figure.tight_layout()
    confusion = folder / f"{stem}-confusion.png"
    figure.savefig(confusion, dpi=110)
    plt.close(figure)

    confidences = np.array([o.verification.confidence for o in outcomes])
    correct = np.array([o.verification.verdict == o.example.label for o in outcomes], dtype=float)
    edges = np.linspace(0, 1, 11)
    centres, accuracy, counts = [], [], []
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidences > low) & (confidences <= high)
        if inside.any():
            centres.append(confidences[inside].mean())
            accuracy.append(correct[inside].mean())
            counts.append(int(inside.sum()))
    figure, axis = plt.subplots(figsize=(5, 4.5))
    axis.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    axis.plot(centres, accuracy, marker="o", label="service")
    for x, y_value, count in zip(centres, accuracy, counts, strict=True):
        axis.annotate(str(count), (x, y_value), textcoords="offset points", xytext=(4, -10), fontsize=7)
    axis.set_xlabel("confidence")
    axis.set_ylabel("fraction correct")
    axis.set_xlim(0, 1)
    axis.set_ylim(0, 1)
    axis.set_title(f"{title}: reliability")
    axis.legend(loc="upper left")
    figure.tight_layout()
    reliability = folder / f"{stem}-reliability.png"
    figure.savefig(reliability, dpi=110)
    plt.close(figure)
    return [confusion, reliability]
