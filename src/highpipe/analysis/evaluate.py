"""Measure a model on the fixed test splits (`highpipe model eval`): the only reader of test rows.

- naver_shopping test rows (data line % 5 == 0): binary accuracy from the text alone, ratings
  4-5 positive and 1-2 negative; also how many reviews the engine calls neutral;
- NSMC test movies (movie_id % 10 == 0): binary accuracy on ratings 1-4 vs 9-10;
- the hand-labelled aspect gold set (tests/data/aspect_gold.jsonl, drawn from the naver_shopping test
  rows): aspect detection P/R/F1 and polarity accuracy (see evaluate_aspects);
- KOTE test rows (id % 5 == 0): macro-F1 of the emotion model over the KOTE-backed emotions, with
  the majority-class baseline (each emotion predicted as its majority value in the training
  rows) and the always-present baseline next to it.
Nothing here feeds back into training.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from highpipe.analysis import data
from highpipe.analysis.engine import LocalAnalyzer
from highpipe.analysis.evaluate_aspects import DEFAULT_GOLD, evaluate_aspects
from highpipe.analysis.labels import NEUTRAL_BAND
from highpipe.analysis.train_emotion import emotion_targets, f1


def _binary(analyzer: LocalAnalyzer, texts: list[str], labels: list[int]) -> dict[str, Any]:
    probs = np.asarray([analyzer.positive_probability(t) for t in texts])
    y = np.asarray(labels)
    pred = probs >= 0.5
    neutral = np.abs(probs - 0.5) < NEUTRAL_BAND
    polar = ~neutral
    return {
        "rows": len(texts),
        "accuracy": round(float((pred == (y == 1)).mean()), 4),
        "positive_share": round(float(y.mean()), 4),
        "neutral_share": round(float(neutral.mean()), 4),
        "accuracy_on_polar": round(float((pred[polar] == (y[polar] == 1)).mean()), 4)
        if polar.any()
        else None,
    }


def evaluate_model(
    shared_dir: Path, model_dir: Path | None = None, nsmc_limit: int | None = None
) -> dict[str, object]:
    """Metrics of the model in `model_dir` (default: the shipped one) on the test splits."""
    analyzer = LocalAnalyzer.load(model_dir)
    t0 = time.monotonic()
    shop = data.read_shopping(shared_dir, "test")
    shopping = _binary(analyzer, [r.text for r in shop], [r.label for r in shop])
    texts: list[str] = []
    labels: list[int] = []
    for _movie, rating, text in data.iter_nsmc(shared_dir, "test"):
        b = data.nsmc_binary(rating)
        if b is not None:
            texts.append(text)
            labels.append(b)
            if nsmc_limit is not None and len(texts) >= nsmc_limit:
                break
    nsmc = _binary(analyzer, texts, labels)
    emotions = _kote(analyzer, shared_dir)
    aspects = evaluate_aspects(analyzer) if DEFAULT_GOLD.exists() else None
    return {
        "model_version": analyzer.model_version,
        "naver_shopping_test": shopping,
        "nsmc_test": nsmc,
        "kote_test": emotions,
        "aspects_gold": aspects,
        "seconds": round(time.monotonic() - t0, 1),
        "targets": {
            "naver_shopping_accuracy": 0.92,
            "nsmc_accuracy": 0.88,
            "aspect_f1": 0.80,
            "aspect_polarity_accuracy": 0.85,
        },
    }


def _kote(analyzer: LocalAnalyzer, shared_dir: Path) -> dict[str, Any]:
    test = data.read_kote(shared_dir, "test")
    train = data.read_kote(shared_dir, "train")
    thresholds = analyzer.emotion_thresholds()
    emotions = list(thresholds)
    gold = emotion_targets(test) == 1
    prevalence = (emotion_targets(train) == 1).mean(axis=0)
    pred = np.zeros_like(gold)
    for i, row in enumerate(test):
        scores = analyzer.emotion_scores(row.text)
        pred[i] = [scores[e] >= thresholds[e] for e in emotions]
    per = {e: round(f1(pred[:, j], gold[:, j]), 4) for j, e in enumerate(emotions)}
    majority = np.broadcast_to(prevalence >= 0.5, gold.shape)
    always = np.ones_like(gold)
    return {
        "rows": len(test),
        "macro_f1": round(float(np.mean(list(per.values()))), 4),
        "per_emotion_f1": per,
        "majority_baseline_macro_f1": round(
            float(np.mean([f1(majority[:, j], gold[:, j]) for j in range(len(emotions))])), 4
        ),
        "always_present_baseline_macro_f1": round(
            float(np.mean([f1(always[:, j], gold[:, j]) for j in range(len(emotions))])), 4
        ),
    }
