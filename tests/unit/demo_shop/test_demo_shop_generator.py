"""The demo shop's review generator: deterministic, fast, varied, and consistent with its ratings."""

from __future__ import annotations

import re
import statistics
import time
from datetime import timedelta

import pytest

from highpipe.demo_shop import phrases_common as pc
from highpipe.demo_shop.catalog import PRODUCT_BY_ID, PRODUCTS, ProductSpec
from highpipe.demo_shop.generator import (
    WINDOW_END,
    WINDOW_START,
    _bank,
    average_rating,
    generate_reviews,
    rating_skeleton,
)


def _phrases(kind: str, aspect: str, pol: str) -> list[str]:
    return [final for final, _ in _bank(kind)[aspect][pol]] + [c for _, c in _bank(kind)[aspect][pol] if c]


def test_same_product_same_reviews() -> None:
    spec = PRODUCT_BY_ID["tee"]
    first = [r.to_json() for r in generate_reviews(spec)]
    again = [r.to_json() for r in generate_reviews(spec)]
    assert first == again
    other = [r.to_json() for r in generate_reviews(PRODUCT_BY_ID["sneakers"])]
    assert {r["content"] for r in first[:50]} != {r["content"] for r in other[:50]}


@pytest.mark.parametrize("spec", [p for p in PRODUCTS if p.review_count <= 5_000], ids=lambda p: p.pid)
def test_counts_ids_order_and_fields(spec: ProductSpec) -> None:
    reviews = generate_reviews(spec)
    assert len(reviews) == spec.review_count
    assert len({r.id for r in reviews}) == len(reviews)
    assert all(r.id.startswith(f"{spec.pid}-") for r in reviews)
    dates = [r.date for r in reviews]
    assert dates == sorted(dates, reverse=True), "newest first"
    for r in reviews:
        assert 1 <= r.rating <= 5
        assert r.date.tzinfo is not None and r.date.utcoffset() == timedelta(hours=9)
        assert WINDOW_START <= r.date <= WINDOW_END
        assert r.content.strip()
        assert r.helpful >= 0
        parts = r.option.split(" / ")
        assert [p.split(": ")[0] for p in parts] == [name for name, _ in spec.options], r.option
        assert all(p.split(": ")[1] in dict(spec.options)[p.split(": ")[0]] for p in parts), r.option


def test_dates_span_more_than_a_year_and_end_in_november_2026() -> None:
    reviews = generate_reviews(PRODUCT_BY_ID["earbuds"])
    newest, oldest = reviews[0].date, reviews[-1].date
    assert newest - oldest > timedelta(days=365)
    assert (newest.year, newest.month) == (2026, 11)
    months = {(r.date.year, r.date.month) for r in reviews}
    assert len(months) >= 12


def test_authors_are_korean_names_or_nicknames() -> None:
    reviews = generate_reviews(PRODUCT_BY_ID["almonds"])
    hangul_names = [r.author for r in reviews if re.fullmatch(r"[가-힣]{3}", r.author)]
    assert len(hangul_names) > 0.7 * len(reviews)
    assert all(r.author for r in reviews)


def test_catalogue_average_matches_the_generated_reviews() -> None:
    for pid in ("tee", "perfume", "bench-2k"):
        spec = PRODUCT_BY_ID[pid]
        mean = statistics.fmean(r.rating for r in generate_reviews(spec))
        assert average_rating(rating_skeleton(spec)) == round(mean, 2)
    assert average_rating(rating_skeleton(PRODUCT_BY_ID["empty"])) is None


def test_ratings_agree_with_the_text() -> None:
    spec = PRODUCT_BY_ID["bench-5k"]
    pos = [p for a in spec.aspect_bias for p in _phrases(spec.kind, a, "pos")]
    neg = [p for a in spec.aspect_bias for p in _phrases(spec.kind, a, "neg")]
    only_pos, only_neg = [], []
    for r in generate_reviews(spec):
        has_pos = any(p in r.content for p in pos)
        has_neg = any(p in r.content for p in neg)
        if has_pos and not has_neg:
            only_pos.append(r.rating)
        elif has_neg and not has_pos:
            only_neg.append(r.rating)
    assert len(only_pos) > 300 and len(only_neg) > 300
    assert statistics.fmean(only_pos) - statistics.fmean(only_neg) > 1.2


def test_aspect_biases_show_in_the_text() -> None:
    """The tee runs small: its size complaints outnumber size praise, while design is mostly praised."""
    spec = PRODUCT_BY_ID["bench-5k"]
    texts = [r.content for r in generate_reviews(spec)]

    def count(aspect: str, pol: str) -> int:
        finals = [final for final, _ in _bank(spec.kind)[aspect][pol]]
        contrasts = [c for _, c in _bank(spec.kind)[aspect][pol] if c]
        return sum(any(p in t for p in finals + contrasts) for t in texts)

    assert count("size", "neg") > count("size", "pos")
    assert count("design", "pos") > 2 * count("design", "neg")
    for aspect in spec.aspect_bias:
        assert count(aspect, "pos") + count(aspect, "neg") > 0, aspect


def test_texture_contrast_negation_emoticons_and_typos() -> None:
    texts = [r.content for r in generate_reviews(PRODUCT_BY_ID["bench-5k"])]
    joined = "\n".join(texts)
    contrast = [t for t in texts if re.search(r"(는데|지만|은데) \S", t)]
    assert len(contrast) > 0.05 * len(texts)
    assert "ㅋㅋ" in joined and "ㅠㅠ" in joined
    assert re.search(r"안 [가-힣]|지 않", joined), "negations"
    typo_targets = [wrong for _, wrong in pc.TYPOS]
    assert sum(any(w in t for w in typo_targets) for t in texts) > 20
    assert sum(1 for t in texts if len(t) < 15) > 50, "some short reviews"
    assert sum(1 for t in texts if len(t) > 60) > 200, "and some long ones"


def test_twenty_thousand_reviews_in_under_a_second() -> None:
    spec = PRODUCT_BY_ID["bench-20k"]
    start = time.process_time()  # CPU time: robust to other processes on a busy machine
    reviews = generate_reviews(spec)
    elapsed = time.process_time() - start
    assert len(reviews) == 20_000
    assert elapsed < 1.0, f"generating 20k reviews took {elapsed:.2f}s"
