"""Rebuild the shipped model from ../shared/data (`highpipe model train`).

Sentiment: logistic regression over the keys of features.py, trained on a balanced sample of
polar NSMC rows outside the test movies plus the naver_shopping training rows, the latter
weighted up (they are the target domain). A first fit that leaves out one fifth of the shopping
rows yields the Platt calibration and a validation accuracy; the final fit uses every training
row. Emotions: see train_emotion.py. scikit-learn and scipy are needed here only; inference
is numpy.

Only the `train` split of each corpus is ever read here (data.py enforces it).
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from highpipe.analysis import data
from highpipe.analysis.features import FeatureConfig
from highpipe.analysis.model import pack_vocab, save_bundle
from highpipe.analysis.train_emotion import train_emotions
from highpipe.analysis.trainset import build_vocab, featurise, fit_logreg, to_matrix

log = logging.getLogger(__name__)

NSMC_ROWS = 200_000
NSMC_DEV_MOVIE_MOD = 1  # movie_id % 10 == 1: NSMC rows kept out of training as a clean dev set
NSMC_DEV_ROWS = 20_000
SHOP_WEIGHT = 20.0
C_SENTIMENT = 4.0
MIN_DF = 2
# Keys with |weight| below the chosen threshold are dropped from the artefact (size, load time and
# cache misses at inference): the largest candidate that costs at most PRUNE_TOLERANCE accuracy on
# both the shopping validation fold and the NSMC dev movies, judged with the validation model.
PRUNE_CANDIDATES = (0.3, 0.2, 0.1, 0.0)
PRUNE_TOLERANCE = 0.003
MODEL_FAMILY = "hp-ko-lr"


@dataclass(frozen=True, slots=True)
class _Corpus:
    texts: list[str]
    labels: list[int]
    domains: list[str]
    folds: list[int]
    dev_texts: list[str]
    dev_labels: list[int]


def _sentiment_corpus(shared_dir: Path, seed: int) -> _Corpus:
    """NSMC (as balanced as the negatives allow, NSMC_ROWS in all) + shopping training rows."""
    rng = random.Random(seed)
    pos: list[str] = []
    neg: list[str] = []
    dev: list[tuple[str, int]] = []
    for movie, rating, text in data.iter_nsmc(shared_dir, "train"):
        b = data.nsmc_binary(rating)
        if b is None:
            continue
        if movie % 10 == NSMC_DEV_MOVIE_MOD:
            dev.append((text, b))
        else:
            (pos if b else neg).append(text)
    n_neg = min(len(neg), NSMC_ROWS // 2)
    n_pos = min(len(pos), NSMC_ROWS - n_neg)
    nsmc = [(t, 1) for t in rng.sample(pos, n_pos)] + [(t, 0) for t in rng.sample(neg, n_neg)]
    rng.shuffle(nsmc)
    dev = rng.sample(dev, min(len(dev), NSMC_DEV_ROWS))
    shop = data.read_shopping(shared_dir, "train")
    texts = [t for t, _ in nsmc] + [r.text for r in shop]
    labels = [y for _, y in nsmc] + [r.label for r in shop]
    domains = ["movie"] * len(nsmc) + ["shopping"] * len(shop)
    # Validation fold of the shopping rows: a fifth of them, chosen by line number.
    folds = [-1] * len(nsmc) + [(r.key // 5) % 5 for r in shop]
    return _Corpus(texts, labels, domains, folds, [t for t, _ in dev], [y for _, y in dev])


def _platt(z: npt.NDArray[Any], y: npt.NDArray[Any]) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    # Slope only: on out-of-fold shopping margins the best threshold is the model's own (z = 0);
    # a fitted intercept would only carry the noise of one small fold into every prediction.
    m = LogisticRegression(C=100.0, fit_intercept=False).fit(z.reshape(-1, 1), y)
    return float(m.coef_[0, 0]), 0.0


def train_model(shared_dir: Path, out_dir: Path, seed: int = 13, evaluate: bool = True) -> dict[str, object]:
    """Train sentiment + emotion models from `shared_dir`, write them to `out_dir`, return the manifest.

    `evaluate=False` skips the test-split metrics at the end: candidates built while tuning are judged
    on validation figures only, so nobody sees a test figure for a model that is not shipped.
    """
    t0 = time.monotonic()
    np.random.seed(seed)
    cfg = FeatureConfig()
    corpus = _sentiment_corpus(shared_dir, seed)
    texts, labels, domains, folds = corpus.texts, corpus.labels, corpus.domains, corpus.folds
    log.info("sentiment corpus: %d rows", len(texts))
    keysets = featurise(texts, cfg, lambda i: log.info("featurised %d rows", i))
    vocab = build_vocab(keysets, MIN_DF)
    index = {k: i for i, k in enumerate(vocab)}
    X = to_matrix(keysets, index)
    y = np.asarray(labels, dtype=np.int64)
    is_shop = np.asarray([d == "shopping" for d in domains])
    w = np.where(is_shop, SHOP_WEIGHT, 1.0)
    fold = np.asarray(folds)
    held = fold == 0
    log.info("features: %d keys; fitting the validation model", len(vocab))
    coef_v, b_v = fit_logreg(X[~held], y[~held], w[~held], C_SENTIMENT, seed)
    z_held = np.asarray(X[held] @ coef_v + b_v)
    val_acc = float(((z_held > 0) == (y[held] == 1)).mean())
    calib_a, calib_b = _platt(z_held, y[held])
    log.info("shopping validation accuracy %.4f; fitting the final model", val_acc)
    X_dev = to_matrix(featurise(corpus.dev_texts, cfg), index)
    y_dev = np.asarray(corpus.dev_labels) == 1
    prune_table = []
    for thr in PRUNE_CANDIDATES:
        cv = np.where(np.abs(coef_v) >= thr, coef_v, 0.0)
        acc_shop = float(((np.asarray(X[held] @ cv) + b_v > 0) == (y[held] == 1)).mean())
        acc_dev = float(((np.asarray(X_dev @ cv) + b_v > 0) == y_dev).mean())
        prune_table.append(
            {"threshold": thr, "shopping_val": round(acc_shop, 4), "nsmc_dev": round(acc_dev, 4)}
        )
    base_row = prune_table[-1]
    prune_abs = next(
        float(r["threshold"])
        for r in prune_table
        if r["shopping_val"] >= base_row["shopping_val"] - PRUNE_TOLERANCE
        and r["nsmc_dev"] >= base_row["nsmc_dev"] - PRUNE_TOLERANCE
    )
    log.info("pruning below |w| < %s: %s", prune_abs, prune_table)
    coef, b = fit_logreg(X, y, w, C_SENTIMENT, seed)
    keep = np.abs(coef) >= prune_abs
    coef = np.where(keep, coef, 0.0).astype(np.float32)
    dev_acc = float(((np.asarray(X_dev @ coef) + b > 0) == y_dev).mean())
    log.info("NSMC dev accuracy %.4f (pruned model)", dev_acc)
    kept_keys = [k for k, flag in zip(vocab, keep.tolist(), strict=True) if flag]
    emo = train_emotions(shared_dir, cfg, seed)
    arrays: dict[str, npt.NDArray[Any]] = {
        "sent_vocab": pack_vocab(kept_keys),
        "sent_w": coef[keep].astype(np.float32),
        "sent_b": np.asarray([b], dtype=np.float32),
        "calib": np.asarray([calib_a, calib_b], dtype=np.float32),
        "emo_vocab": pack_vocab(emo.vocab),
        "emo_w": emo.weights.astype(np.float32),
        "emo_b": emo.bias.astype(np.float32),
        "emo_thr": emo.thresholds.astype(np.float32),
    }
    digest = hashlib.sha256()
    for name in sorted(arrays):
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(arrays[name]).tobytes())
    manifest: dict[str, Any] = {
        "version": f"{MODEL_FAMILY}-{digest.hexdigest()[:12]}",
        "format": "npz+json, no pickle",
        "seed": seed,
        "features": cfg.to_json(),
        "emotions": list(emo.emotions),
        "training_data": {
            name: {"sha256": data.file_sha256(shared_dir / name), "split": "train"}
            for name in (data.NSMC_FILE, data.SHOPPING_FILE, data.KOTE_FILE)
        },
        "training": {
            "nsmc_rows": int((~is_shop).sum()),
            "shopping_rows": int(is_shop.sum()),
            "shopping_weight": SHOP_WEIGHT,
            "C": C_SENTIMENT,
            "min_df": MIN_DF,
            "vocab_size": len(vocab),
            "prune_abs": prune_abs,
            "shipped_keys": len(kept_keys),
            "kote_rows": emo.rows,
            "seconds": round(time.monotonic() - t0, 1),
        },
        "validation": {
            "shopping_heldout_fold_accuracy": round(val_acc, 4),
            "pruning": prune_table,
            "shopping_heldout_rows": int(held.sum()),
            "nsmc_dev_accuracy": round(dev_acc, 4),
            "nsmc_dev_rows": len(corpus.dev_texts),
            "nsmc_dev_split": f"movie_id % 10 == {NSMC_DEV_MOVIE_MOD} (not trained on)",
            "calibration": [round(calib_a, 4), round(calib_b, 4)],
            "kote_cv_macro_f1": round(emo.cv_macro_f1, 4),
        },
        "credits": {
            "nsmc": "NSMC by e9t (CC0 1.0)",
            "naver_shopping": "naver_shopping by bab2min (public domain)",
            "kote": "KOTE (MIT licence)",
        },
    }
    save_bundle(out_dir, arrays, manifest)
    if not evaluate:
        return manifest
    from highpipe.analysis.evaluate import evaluate_model

    # The test metrics are recorded for the record only; nothing above depends on them.
    manifest["metrics"] = evaluate_model(shared_dir, out_dir)
    manifest["training"]["seconds_with_evaluation"] = round(time.monotonic() - t0, 1)
    save_bundle(out_dir, arrays, manifest)
    return manifest
