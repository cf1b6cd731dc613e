"""Train the emotion model from the KOTE training rows (id % 5 != 0).

KOTE gives, per comment, the union of the labels its five raters chose among 44. They are
mapped to HighPipe's compact emotions with `vocab.KOTE_TO_EMOTION` (an emotion is present when
any of its KOTE labels is). One logistic regression per emotion over the same feature keys as
the sentiment model; each emotion's decision threshold maximises its F1 on 5-fold
out-of-fold predictions. 'regret' has no KOTE label: it comes from review cues only
(emotions.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from highpipe.analysis import data
from highpipe.analysis.features import FeatureConfig
from highpipe.analysis.trainset import build_vocab, featurise, to_matrix
from highpipe.domain.vocab import EMOTIONS, KOTE_TO_EMOTION

KOTE_EMOTIONS: tuple[str, ...] = tuple(e.id for e in EMOTIONS if e.kote)
C_EMOTION = 2.0


@dataclass(frozen=True, slots=True)
class EmotionTrained:
    vocab: list[str]
    weights: npt.NDArray[np.float32]  # keys x emotions
    bias: npt.NDArray[np.float32]
    thresholds: npt.NDArray[np.float32]
    emotions: tuple[str, ...]
    rows: int
    cv_macro_f1: float


def emotion_targets(rows: list[data.KoteRow]) -> npt.NDArray[np.int64]:
    y = np.zeros((len(rows), len(KOTE_EMOTIONS)), dtype=np.int64)
    col = {e: j for j, e in enumerate(KOTE_EMOTIONS)}
    for i, r in enumerate(rows):
        for label in r.labels:
            emo = KOTE_TO_EMOTION.get(label)
            if emo in col:
                y[i, col[emo]] = 1
    return y


def f1(pred: npt.NDArray[Any], gold: npt.NDArray[Any]) -> float:
    tp = float(np.sum(pred & gold))
    denom = float(np.sum(pred) + np.sum(gold))
    return 0.0 if denom == 0 else 2 * tp / denom


def _fit_all(X: Any, Y: npt.NDArray[np.int64], seed: int) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    from sklearn.linear_model import LogisticRegression

    W = np.zeros((X.shape[1], Y.shape[1]), dtype=np.float32)
    b = np.zeros(Y.shape[1], dtype=np.float32)
    for j in range(Y.shape[1]):
        share = float(Y[:, j].mean())
        if share in (0.0, 1.0):
            # One class only (tiny corpora): a constant model, no weights.
            b[j] = 10.0 if share == 1.0 else -10.0
            continue
        clf = LogisticRegression(C=C_EMOTION, max_iter=500, random_state=seed, class_weight="balanced")
        clf.fit(X, Y[:, j])
        W[:, j] = clf.coef_[0]
        b[j] = clf.intercept_[0]
    return W, b


def _sigmoid(z: npt.NDArray[Any]) -> npt.NDArray[Any]:
    return np.asarray(1.0 / (1.0 + np.exp(-z)))


def train_emotions(shared_dir: Path, cfg: FeatureConfig, seed: int) -> EmotionTrained:
    rows = data.read_kote(shared_dir, "train")
    keysets = featurise([r.text for r in rows], cfg)
    vocab = build_vocab(keysets, 2)
    index = {k: i for i, k in enumerate(vocab)}
    X = to_matrix(keysets, index)
    Y = emotion_targets(rows)
    fold = np.asarray([(r.id // 5) % 5 for r in rows])
    oof = np.zeros(Y.shape, dtype=np.float64)
    for f in range(5):
        tr = fold != f
        W, b = _fit_all(X[tr], Y[tr], seed)
        oof[~tr] = _sigmoid(np.asarray(X[~tr] @ W) + b)
    grid = np.linspace(0.2, 0.8, 25)
    thresholds = np.zeros(Y.shape[1], dtype=np.float32)
    f1s: list[float] = []
    for j in range(Y.shape[1]):
        scores = [f1(oof[:, j] >= t, Y[:, j] == 1) for t in grid]
        best = int(np.argmax(scores))
        thresholds[j] = grid[best]
        f1s.append(scores[best])
    W, b = _fit_all(X, Y, seed)
    return EmotionTrained(
        vocab=vocab,
        weights=W,
        bias=b,
        thresholds=thresholds,
        emotions=KOTE_EMOTIONS,
        rows=len(rows),
        cv_macro_f1=float(np.mean(f1s)),
    )
