"""The class-prior fit (scripts/fit_nli_prior.py): its choice of shift, how it lands in the weights, and
that the pairs it is fitted on are kept out of training."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from sentence_transformers import CrossEncoder

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import fit_nli_prior  # noqa: E402
import nli_data  # noqa: E402
from fit_nli_prior import Scored  # noqa: E402

MODEL_DIR = ROOT / "models" / "nli-minilm-l6"
E, N, C = 0, 1, 2


def scored(rows: list[tuple[list[float], int]]) -> Scored:
    return Scored(np.array([logits for logits, _ in rows], dtype=np.float32), np.array([gold for _, gold in rows]))


def test_the_smallest_shift_that_recovers_under_called_neutrals_is_chosen() -> None:
    # Neutral pairs lose to entailment by 0.4: a neutral shift above 0.4 gets them right.
    target = scored([([1.0, 0.6, 0.0], N)] * 3 + [([2.0, 0.0, 0.0], E)] * 3 + [([0.0, 0.0, 1.5], C)] * 3)
    shift = fit_nli_prior.choose_shift(target, guards={})
    assert shift.tolist() == pytest.approx([0.0, 0.45, 0.0])
    assert target.accuracy(shift) == 1.0


def test_a_guard_set_caps_the_shift() -> None:
    target = scored([([1.0, 0.6, 0.0], N)] * 3 + [([2.0, 0.0, 0.0], E)] * 3)
    # Any neutral shift of 0.3 or more turns this guard's entailments into neutrals.
    guard = scored([([0.3, 0.0, 0.0], E)] * 10)
    shift = fit_nli_prior.choose_shift(target, guards={"guard": guard})
    assert shift[N] < 0.3
    assert guard.accuracy(shift) == 1.0
    # The target cannot gain below 0.3, so no shift is made at all.
    assert shift.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.slow
def test_the_shift_is_added_to_the_logits_and_recorded_in_the_config(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    shutil.copytree(MODEL_DIR, folder)
    pairs = [("Unemployment fell to 4.1% in March.", "Unemployment rose in March."), ("It rained.", "It was dry.")]
    before = CrossEncoder(str(MODEL_DIR), device="cpu").predict(pairs)
    config_before = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    shift = np.array([0.0, 0.5, -0.25], dtype=np.float32)

    fit_nli_prior.fold_into_bias(folder, shift)
    fit_nli_prior.fold_into_bias(folder, shift)

    after = CrossEncoder(str(folder), device="cpu").predict(pairs)
    assert after - before == pytest.approx(np.tile(2 * shift, (len(pairs), 1)), abs=1e-4)
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    assert config.pop("prior_shift") == pytest.approx([0.0, 1.0, -0.5])
    assert config == {key: value for key, value in config_before.items() if key != "prior_shift"}


def test_the_calibration_pairs_are_kept_out_of_training() -> None:
    shared = nli_data.shared_dir()
    calibration = nli_data.calibration_sets(shared)
    assert {name: len(pairs) > 900 for name, pairs in calibration.items()} == dict.fromkeys(calibration, True)
    training = nli_data.training_sets(shared, seed=13)

    held_claims = {nli_data.normalise_claim(p.hypothesis) for p in calibration["fever_nli_calibration"]}
    for source in ("fever_nli", "fever_gold", "fever_symmetric"):
        assert not held_claims & {nli_data.normalise_claim(p.hypothesis) for p in training[source]}, source
    mnli_held = {(p.premise, p.hypothesis) for p in calibration["mnli_mismatched_calibration"]}
    assert not mnli_held & {(p.premise, p.hypothesis) for p in training["mnli_mismatched"]}
    assert "snli" in training and all(p.source == "snli/train" for p in training["snli"])
