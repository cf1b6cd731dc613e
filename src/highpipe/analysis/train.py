"""Rebuild the shipped model from ../shared/data (`highpipe model train`).

Sentiment: logistic regression over the keys of features.py, trained on a balanced sample of
polar NSMC rows outside the test movies plus the naver_shopping training rows, the latter
weighted up (they are the target domain). A first fit that leaves out one fifth of the shopping
rows yields the Platt calibration and a validation accuracy; the final fit uses every training
row. The clause stacker (stacking.py) is fitted on out-of-fold engine scores of the shopping rows
(five folds: the validation model and four more fits) and on the validation model's scores of half
of the NSMC dev movies, the two in equal total weight. Emotions: see train_emotion.py.
scikit-learn and scipy are needed here only; inference is numpy.

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
from highpipe.analysis.model import Calibration, KeyScorer, ModelBundle, pack_vocab, save_bundle
from highpipe.analysis.stacking import STACK_INPUTS, fit_stacker
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
# NSMC dev movies with (movie_id // 10) % 2 == STACK_DEV_HALF fit the clause stacker; the others
# stay a clean dev set (nsmc_dev_stacked_accuracy).
STACK_DEV_HALF = 0


@dataclass(frozen=True, slots=True)
class _Corpus:
    texts: list[str]
    labels: list[int]
    domains: list[str]
    folds: list[int]
    dev_texts: list[str]
    dev_labels: list[int]
    dev_movies: list[int]


def _sentiment_corpus(shared_dir: Path, seed: int) -> _Corpus:
    """NSMC (as balanced as the negatives allow, NSMC_ROWS in all) + shopping training rows."""
    rng = random.Random(seed)
    pos: list[str] = []
    neg: list[str] = []
    dev: list[tuple[str, int, int]] = []
    for movie, rating, text in data.iter_nsmc(shared_dir, "train"):
        b = data.nsmc_binary(rating)
        if b is None:
            continue
        if movie % 10 == NSMC_DEV_MOVIE_MOD:
            dev.append((text, b, movie))
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
    return _Corpus(
        texts, labels, domains, folds, [t for t, _, _ in dev], [y for _, y, _ in dev], [m for _, _, m in dev]
    )


def _platt(z: npt.NDArray[Any], y: npt.NDArray[Any]) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    # Slope only: on out-of-fold shopping margins the best threshold is the model's own (z = 0);
    # a fitted intercept would only carry the noise of one small fold into every prediction.
    m = LogisticRegression(C=100.0, fit_intercept=False).fit(z.reshape(-1, 1), y)
    return float(m.coef_[0, 0]), 0.0


def _analyzer(
    cfg: FeatureConfig,
    keys: list[str],
    coef: npt.NDArray[Any],
    b: float,
    calib_a: float,
    stack: npt.NDArray[Any] | None = None,
) -> Any:
    """A sentiment-only engine over given weights (no emotions), scoring as inference does."""
    from highpipe.analysis.engine import LocalAnalyzer

    f32 = np.float32
    scorer = KeyScorer(
        keys, coef.astype(f32), b, [], np.zeros((0, 0), f32), np.zeros(0, f32), np.zeros(0, f32), ()
    )
    stack_t = None if stack is None else tuple(float(x) for x in stack)
    return LocalAnalyzer(ModelBundle(scorer, Calibration(calib_a, 0.0), cfg, {}, stack_t))


def train_model(shared_dir: Path, out_dir: Path, seed: int = 13, evaluate: bool = True) -> dict[str, object]:
    """Train sentiment + emotion models from `shared_dir`, write them to `out_dir`, return the manifest.

    `evaluate=False` skips the test-split metrics at the end: candidates built while tuning are judged
    on validation figures only, so nobody sees a test figure for a model that is not shipped.
    """
    t0 = time.monotonic()
    np.random.seed(seed)
    cfg = FeatureConfig(contrast_keys=True)
    corpus = _sentiment_corpus(shared_dir, seed)
    texts, labels, domains, folds = corpus.texts, corpus.labels, corpus.domains, corpus.folds
    log.info("sentiment corpus: %d rows", len(texts))
    keysets = featurise(texts, cfg, lambda i: log.info("featurised %d rows", i), sentiment=True)
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
    X_dev = to_matrix(featurise(corpus.dev_texts, cfg, sentiment=True), index)
    y_dev = np.asarray(corpus.dev_labels) == 1
    stack_half = np.asarray([(m // 10) % 2 == STACK_DEV_HALF for m in corpus.dev_movies])
    # Out-of-fold engine inputs of every shopping row: fold 0 from the validation model, folds 1-4
    # from one more fit each (the stacker's weights were unstable when fitted on one fold alone).
    X_stack_shop = np.zeros((len(texts), len(STACK_INPUTS)))
    for k in range(5):
        coef_k, b_k = (
            (coef_v, b_v)
            if k == 0
            else fit_logreg(X[fold != k], y[fold != k], w[fold != k], C_SENTIMENT, seed)
        )
        analyzer_k = _analyzer(cfg, vocab, coef_k, b_k, calib_a)
        for i in np.flatnonzero(fold == k):
            X_stack_shop[i] = analyzer_k.stack_inputs(texts[i])
        if k == 0:
            X_stack_dev = np.asarray(
                [
                    analyzer_k.stack_inputs(t)
                    for t, s in zip(corpus.dev_texts, stack_half.tolist(), strict=True)
                    if s
                ],
                dtype=np.float64,
            ).reshape(-1, len(STACK_INPUTS))
    stack_w, stack_ratio = fit_stacker(X_stack_shop[is_shop], y[is_shop], X_stack_dev, y_dev[stack_half])
    y_shop = y[is_shop] == 1
    oof_acc = float(((X_stack_shop[is_shop, 0] > 0) == y_shop).mean())
    # In-sample for the stacker's 6 weights (out-of-fold for the model): a mild overestimate.
    oof_stacked_acc = float(((X_stack_shop[is_shop] @ stack_w > 0) == y_shop).mean())
    log.info(
        "clause stacker weights %s (shopping:NSMC %s); shopping out-of-fold accuracy %.4f, stacked %.4f",
        np.round(stack_w, 3).tolist(),
        stack_ratio,
        oof_acc,
        oof_stacked_acc,
    )
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
    # The engine's figure: stacked review logits on the dev movies the stacker did not see.
    final = _analyzer(cfg, vocab, coef, b, calib_a, stack_w)
    clean_dev = [
        (t, yv)
        for t, yv, s in zip(corpus.dev_texts, y_dev.tolist(), stack_half.tolist(), strict=True)
        if not s
    ]
    hits = [(final.positive_probability(t) > 0.5) == yv for t, yv in clean_dev]
    dev_stacked_acc = float(np.mean(hits)) if hits else float("nan")
    log.info("NSMC dev accuracy, stacked engine, clean half: %.4f", dev_stacked_acc)
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
        "stack_w": stack_w,
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
            "nsmc_dev_stacked_accuracy": round(dev_stacked_acc, 4) if hits else None,
            "shopping_oof_accuracy": round(oof_acc, 4),
            "shopping_oof_stacked_accuracy": round(oof_stacked_acc, 4),
            "nsmc_dev_stacked_rows": len(clean_dev),
            "stack_weights": dict(zip(STACK_INPUTS, np.round(stack_w, 4).tolist(), strict=True)),
            "stack_shopping_to_nsmc": stack_ratio,
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
