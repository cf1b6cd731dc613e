"""Contrast-tail keys (features.py) and the clause stacker (stacking.py)."""

from __future__ import annotations

import numpy as np
import pytest

from highpipe.analysis.features import (
    CONTRAST_PREFIX,
    FeatureConfig,
    review_key_set,
    sentiment_key_set,
)
from highpipe.analysis.morph import Morphology
from highpipe.analysis.stacking import STACK_INPUTS, STACK_RATIOS, fit_stacker, stack_inputs, stacked_logit


def test_contrast_tail_keys_copy_the_word_keys_after_the_last_contrast(morph: Morphology) -> None:
    text = "배송은 빠른데 품질은 별로예요"
    toks = morph.tokens(text)
    cfg = FeatureConfig(contrast_keys=True)
    extra = sentiment_key_set(text, toks, cfg) - review_key_set(text, toks, cfg)
    assert extra, "a review with a contrast gets tail keys"
    assert all(k.startswith(CONTRAST_PREFIX + "\t") for k in extra)  # word-level keys only, no n-grams
    assert CONTRAST_PREFIX + "\tL-" in extra  # 별로 sits in the tail
    assert not any("빠르" in k for k in extra)  # the clause before the contrast is not copied


def test_no_contrast_or_option_off_gives_the_plain_key_set(morph: Morphology) -> None:
    plain = "배송도 빠르고 품질도 좋아요"
    toks = morph.tokens(plain)
    on = FeatureConfig(contrast_keys=True)
    assert sentiment_key_set(plain, toks, on) == review_key_set(plain, toks, on)
    mixed = "예쁜데 너무 작아요"
    toks = morph.tokens(mixed)
    off = FeatureConfig()
    assert sentiment_key_set(mixed, toks, off) == review_key_set(mixed, toks, off)


def test_feature_config_round_trips_the_option_and_old_manifests_keep_it_off() -> None:
    cfg = FeatureConfig(contrast_keys=True)
    assert FeatureConfig.from_json(cfg.to_json()).contrast_keys
    old = FeatureConfig().to_json()
    del old["contrast_keys"]
    assert not FeatureConfig.from_json(old).contrast_keys


def test_stack_inputs_follow_the_last_contrast_clause() -> None:
    got = stack_inputs(1.5, [2.0, -1.0, 0.5], [False, True, False])
    assert len(got) == len(STACK_INPUTS)
    assert got == (1.5, -1.0, -1.0, 2.0, pytest.approx(1 / 3), 1.0)
    assert stack_inputs(0.7, [0.7], [False]) == (0.7, 0.0, 0.7, 0.7, 0.0, 0.0)
    assert stack_inputs(-0.2, [], []) == (-0.2, 0.0, 0.0, 0.0, 0.0, 0.0)


def test_stacked_logit_is_the_weighted_sum() -> None:
    w = (0.75, 0.12, 0.1, 0.13, 0.26, -0.19)
    x = stack_inputs(1.0, [2.0, -1.0], [False, True])
    assert x == (1.0, -1.0, -1.0, 2.0, 0.5, 1.0)
    assert stacked_logit(w, x) == pytest.approx(0.75 - 0.12 - 0.1 + 0.26 + 0.13 - 0.19)


def _stack_rows(
    rng: np.random.Generator, n: int, review_knows: bool, other_knows: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose label input 0 (the review logit) and/or input 1 predict; the other inputs are 0."""
    y = rng.integers(0, 2, n)
    sign = 2 * y - 1
    x = np.zeros((n, len(STACK_INPUTS)))
    x[:, 0] = sign * rng.uniform(0.2, 2, n) + rng.normal(0, 0.6, n) if review_knows else rng.normal(0, 1, n)
    x[:, 1] = sign * rng.uniform(0.5, 2, n) if other_knows else rng.normal(0, 2, n)
    return x, y


def test_fit_stacker_uses_an_input_that_helps_both_domains() -> None:
    rng = np.random.default_rng(7)
    x_shop, y_shop = _stack_rows(rng, 400, review_knows=False, other_knows=True)
    x_dev, y_dev = _stack_rows(rng, 2000, review_knows=True, other_knows=True)
    w, ratio = fit_stacker(x_shop, y_shop, x_dev, y_dev)
    assert w.shape == (len(STACK_INPUTS),) and ratio == max(STACK_RATIOS)
    assert w[1] > 0
    shop_acc = ((x_shop @ w > 0) == (y_shop == 1)).mean()
    assert shop_acc > ((x_shop[:, 0] > 0) == (y_shop == 1)).mean() + 0.2


def test_fit_stacker_never_buys_shopping_accuracy_with_movie_accuracy() -> None:
    """Shopping rows are decided by input 1 only, movie rows by the review logit only (input 1 is
    noise there): every fitted stacker leans on input 1 and costs movie accuracy, so the review
    logit itself is kept."""
    rng = np.random.default_rng(7)
    x_shop, y_shop = _stack_rows(rng, 400, review_knows=False, other_knows=True)
    x_dev, y_dev = _stack_rows(rng, 2000, review_knows=True, other_knows=False)
    w, ratio = fit_stacker(x_shop, y_shop, x_dev, y_dev)
    assert ratio == 0.0
    assert w.tolist() == [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]
