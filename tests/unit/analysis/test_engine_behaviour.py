"""LocalAnalyzer on hand-written reviews: contrast, negation, rating prior, aspects, emotions."""

from __future__ import annotations

import pytest

from highpipe.analysis.engine import LocalAnalyzer
from highpipe.domain.models import Review, ReviewAnalysis
from highpipe.domain.vocab import ASPECT_BY_ID, EMOTION_BY_ID
from highpipe.ports.analyzer import Analyzer


@pytest.fixture(scope="module")
def analyzer() -> LocalAnalyzer:
    return LocalAnalyzer.load()


def run(analyzer: LocalAnalyzer, text: str, rating: float | None = None) -> ReviewAnalysis:
    review = Review(review_uid="t:1", product_id="t:p", site="t", text=text, rating=rating)
    return analyzer.analyze([review])[0]


def mention(result: ReviewAnalysis, aspect_id: str) -> str:
    found = [m.polarity for m in result.aspects if m.aspect_id == aspect_id]
    assert found, f"{aspect_id} not found in {[m.aspect_id for m in result.aspects]}"
    return found[0]


def test_is_the_analyzer_port_and_keeps_order(analyzer: LocalAnalyzer) -> None:
    assert isinstance(analyzer, Analyzer)
    assert analyzer.model_version.startswith("hp-ko-lr-")
    reviews = [
        Review(review_uid=f"t:{i}", product_id="t:p", site="t", text=t)
        for i, t in enumerate(["최고예요", "최악이에요", "배송 빨라요"])
    ]
    out = analyzer.analyze(reviews)
    assert [a.review_uid for a in out] == ["t:0", "t:1", "t:2"]
    assert all(a.model_version == analyzer.model_version for a in out)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("정말 만족스러워요 강력 추천합니다", "positive"),
        ("불량품이 왔어요 환불해 주세요", "negative"),
        ("안 좋아요", "negative"),
        ("별로예요", "negative"),
        ("생각보다 나쁘지 않아요", "positive"),
        ("배송빠르고좋아요강추", "positive"),
        ("완전 최악 ㅡㅡ 다시는 안 사요", "negative"),
        ("너무너무 예뻐요 ㅋㅋㅋ", "positive"),
        ("사자마자 고장났어요 ㅠㅠ", "negative"),
    ],
)
def test_review_polarity(analyzer: LocalAnalyzer, text: str, label: str) -> None:
    assert run(analyzer, text).sentiment.label == label


def test_contrast_gives_opposite_clauses_and_aspects(analyzer: LocalAnalyzer) -> None:
    result = run(analyzer, "배송은 빠른데 사이즈가 너무 작아요", rating=4)
    assert [c.text for c in result.clauses] == ["배송은 빠른데", "사이즈가 너무 작아요"]
    assert [c.sentiment.label for c in result.clauses] == ["positive", "negative"]
    assert mention(result, "delivery") == "positive"
    assert mention(result, "size") == "negative"
    size = next(m for m in result.aspects if m.aspect_id == "size")
    assert size.aspect == ASPECT_BY_ID["size"].ko and size.clause == "사이즈가 너무 작아요"


def test_concession_jiman(analyzer: LocalAnalyzer) -> None:
    result = run(analyzer, "가격은 비싸지만 품질은 정말 좋아요")
    assert mention(result, "price") == "negative"
    assert mention(result, "quality") == "positive"


def test_negation_flips_a_clause(analyzer: LocalAnalyzer) -> None:
    pos = run(analyzer, "포장이 꼼꼼해요")
    neg = run(analyzer, "포장이 꼼꼼하지 않아요")
    assert mention(pos, "packaging") == "positive"
    assert mention(neg, "packaging") == "negative"


def test_intensifier_raises_confidence(analyzer: LocalAnalyzer) -> None:
    plain = analyzer.positive_probability("좋아요")
    strong = analyzer.positive_probability("진짜 너무너무 좋아요 최고")
    assert strong > plain > 0.5


def test_rating_is_a_prior_not_an_override(analyzer: LocalAnalyzer) -> None:
    # A plain factual text follows the stars, while its clause stays neutral...
    five = run(analyzer, "주문했습니다", rating=5)
    one = run(analyzer, "주문했습니다", rating=1)
    assert (five.sentiment.label, one.sentiment.label) == ("positive", "negative")
    assert five.clauses[0].sentiment.label == one.clauses[0].sentiment.label == "neutral"
    assert five.emotions == []  # emotions follow the text, not the stars
    # ...but a clearly opposite text wins, and clause labels never follow the stars.
    angry = run(analyzer, "최악이에요 불량이라 환불 요청했어요 다시는 안 삽니다", rating=5)
    assert angry.sentiment.label == "negative"
    happy = run(analyzer, "정말 최고예요 너무 만족합니다 강추", rating=1)
    assert happy.sentiment.label == "positive"
    assert all(c.sentiment.label == "positive" for c in happy.clauses)
    # A short text whose model score is not confident but whose words are explicitly polar, with
    # no word on the stars' side, is clearly opposite too.
    curt = run(analyzer, "안 좋아요", rating=5)
    assert curt.sentiment.label == "negative"
    assert run(analyzer, "안 좋아요").sentiment.score < 0.9  # not clear by its score alone


def test_sentiment_scores_are_probabilities(analyzer: LocalAnalyzer) -> None:
    result = run(analyzer, "배송은 빠른데 사이즈가 작아요")
    for s in [result.sentiment, *(c.sentiment for c in result.clauses)]:
        assert 0.0 <= s.score <= 1.0
    assert run(analyzer, "최고예요 강추").sentiment.score > 0.8


def test_open_topics(analyzer: LocalAnalyzer) -> None:
    result = run(analyzer, "배터리가 금방 닳아요 그리고 소음이 심해요")
    topics = {m.aspect_id: m for m in result.aspects if m.aspect_id.startswith("topic:")}
    assert {"topic:배터리", "topic:소음"} <= set(topics)
    assert topics["topic:배터리"].aspect == "배터리"
    assert topics["topic:소음"].polarity == "negative"


def test_emotions(analyzer: LocalAnalyzer) -> None:
    regret = run(analyzer, "괜히 샀어요 돈 아까워요")
    assert "regret" in regret.emotions
    trust = run(analyzer, "믿고 사는 브랜드라 이번에도 만족해요")
    assert "trust" in trust.emotions and "satisfaction" in trust.emotions
    angry = run(analyzer, "연락도 없고 환불도 안 해줘서 너무 화가 나요")
    assert "anger" in angry.emotions
    assert not {"joy", "satisfaction"} & set(angry.emotions)
    for result in (regret, trust, angry):
        assert all(e in EMOTION_BY_ID for e in result.emotions)
        assert len(result.emotions) <= 3


def test_a_neutral_score_leans_to_the_side_its_aspect_cues_confirm(analyzer: LocalAnalyzer) -> None:
    # The model is unsure (p inside the neutral band) but the durability cue says positive, on
    # the side the model leans to: the review is positive, with the model's own probability.
    text = "몇 달째 쓰는데 아직 멀쩡해요"
    p = analyzer.positive_probability(text)
    assert 0.5 <= p < 0.65
    result = run(analyzer, text)
    assert (result.sentiment.label, result.sentiment.score) == ("positive", round(p, 4))
    assert mention(result, "durability") == "positive"
    # No polar aspect cue: still neutral. A cue against the side the model leans to: still neutral.
    assert run(analyzer, "사이즈는 평소대로 주문했어요").sentiment.label == "neutral"
    against = "설치가 쉬워서 혼자 했어요"
    assert analyzer.positive_probability(against) < 0.5
    assert mention(run(analyzer, against), "usability") == "positive"
    assert run(analyzer, against).sentiment.label == "neutral"
