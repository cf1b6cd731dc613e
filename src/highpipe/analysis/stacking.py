"""Clause-aware review logit: a 6-weight linear stacker over the review and clause logits.

The review model scores the union of a review's keys; mixed reviews ("배송은 빠른데 품질은 별로")
often get the polarity of their majority of words, not of their verdict. The stacker re-weighs the
review logit with what the engine already computes per clause (calibrated clause-core margin plus
the clipped lexicon sum, before the emoji / English rules): the clause after the last contrast
connector, the lowest and highest clause logits and the share of negative clauses.

Weights are fitted at training time (train.py) on held-out shopping rows and NSMC dev movies in
equal total weight, without an intercept, and shipped as `stack_w` in model.npz; a model without
them scores reviews as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt

STACK_INPUTS: Final = (
    "review",
    "last_contrast_clause",
    "min_clause",
    "max_clause",
    "negative_share",
    "has_contrast",
)
STACK_C: Final = 1.0
# Total weight of the shopping rows relative to the NSMC rows in the stacker fit: the largest of
# these that keeps the stacked accuracy on the NSMC rows at least at the review logit's.
STACK_RATIOS: Final = (1.0, 1.25, 1.5, 2.0, 2.5, 3.0)


def stack_inputs(
    review_logit: float, clause_logits: Sequence[float], contrast: Sequence[bool]
) -> tuple[float, ...]:
    """The stacker's inputs, in STACK_INPUTS order (clause-less text: only the review logit)."""
    if not clause_logits:
        return (review_logit, 0.0, 0.0, 0.0, 0.0, 0.0)
    last = next((i for i in range(len(contrast) - 1, -1, -1) if contrast[i]), -1)
    negative = sum(1 for x in clause_logits if x < 0) / len(clause_logits)
    return (
        review_logit,
        clause_logits[last] if last >= 0 else 0.0,
        min(clause_logits),
        max(clause_logits),
        negative,
        1.0 if last >= 0 else 0.0,
    )


def stacked_logit(weights: Sequence[float], inputs: Sequence[float]) -> float:
    return sum(w * x for w, x in zip(weights, inputs, strict=True))


def fit_stacker(
    X_shop: npt.NDArray[Any], y_shop: npt.NDArray[Any], X_dev: npt.NDArray[Any], y_dev: npt.NDArray[Any]
) -> tuple[npt.NDArray[np.float32], float]:
    """Stacker weights (no intercept) on shopping + NSMC dev inputs, and the shopping:NSMC ratio used.

    Movie reviews must not pay for shopping accuracy, so the ratio is the largest of STACK_RATIOS
    whose stacker keeps the NSMC rows' accuracy at least at the plain review logit's; when none
    does, the stacker is the review logit itself (weights 1, 0, ..., ratio 0). Training only
    (scikit-learn); inference needs `stacked_logit` alone."""
    from sklearn.linear_model import LogisticRegression

    X = np.vstack([X_shop, X_dev])
    y = np.concatenate([y_shop, y_dev]).astype(np.int64)
    y_dev1 = np.asarray(y_dev) == 1
    identity = np.zeros(X.shape[1], dtype=np.float32)
    identity[0] = 1.0  # the plain review logit

    def movie_accuracy(weights: npt.NDArray[np.float32]) -> float:
        return float(((X_dev @ weights > 0) == y_dev1).mean()) if len(X_dev) else 1.0

    floor = movie_accuracy(identity)
    best: tuple[npt.NDArray[np.float32], float] = (identity, 0.0)
    for ratio in STACK_RATIOS:
        shop_w = ratio * len(X_dev) / len(X_shop) if len(X_dev) else 1.0
        w = np.concatenate([np.full(len(X_shop), shop_w), np.ones(len(X_dev))])
        m = LogisticRegression(C=STACK_C, fit_intercept=False).fit(X, y, sample_weight=w)
        coef = np.asarray(m.coef_[0], dtype=np.float32)
        if movie_accuracy(coef) >= floor:
            best = (coef, ratio)
    return best
