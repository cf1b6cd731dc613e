"""Training helpers shared by train.py and train_emotion.py: features to a sparse matrix, fits.

scikit-learn and scipy (the `train` extra) are imported inside the functions that need them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from highpipe.analysis.features import FeatureConfig, review_key_set, sentiment_key_set
from highpipe.analysis.morph import Morphology
from highpipe.analysis.text import clean_text


def featurise(
    texts: Sequence[str],
    cfg: FeatureConfig,
    progress: Callable[[int], None] | None = None,
    sentiment: bool = False,
) -> list[set[str]]:
    """Review key sets; `sentiment=True` gives the sentiment model's (with the contrast-tail keys
    when `cfg.contrast_keys`), the default the plain union of clause keys (emotions)."""
    morph = Morphology()
    keys_of = sentiment_key_set if sentiment else review_key_set
    out: list[set[str]] = []
    for i, raw in enumerate(texts):
        t = clean_text(raw)
        out.append(keys_of(t, morph.tokens(t), cfg))
        if progress is not None and i % 20_000 == 0:
            progress(i)
    return out


def build_vocab(keysets: Sequence[set[str]], min_df: int) -> list[str]:
    df: Counter[str] = Counter()
    for ks in keysets:
        df.update(ks)
    return sorted(k for k, c in df.items() if c >= min_df)


def to_matrix(keysets: Sequence[set[str]], index: dict[str, int]) -> Any:
    """CSR matrix of binary rows scaled by 1/sqrt(distinct keys), known or not (as `LinearSentiment.margin`)."""
    import scipy.sparse as sp

    indptr = [0]
    cols: list[int] = []
    vals: list[float] = []
    for ks in keysets:
        ids = sorted({index[k] for k in ks if k in index})
        cols.extend(ids)
        vals.extend([1.0 / max(1.0, len(ks)) ** 0.5] * len(ids))
        indptr.append(len(cols))
    return sp.csr_matrix(
        (np.asarray(vals, dtype=np.float32), np.asarray(cols, dtype=np.int32), np.asarray(indptr)),
        shape=(len(keysets), len(index)),
    )


def fit_logreg(
    X: Any, y: npt.NDArray[Any], w: npt.NDArray[Any] | None, C: float, seed: int
) -> tuple[Any, float]:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=C, max_iter=400, random_state=seed)
    clf.fit(X, y, sample_weight=w)
    return clf.coef_[0].astype(np.float32), float(clf.intercept_[0])
