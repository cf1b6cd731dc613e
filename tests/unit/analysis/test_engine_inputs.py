"""LocalAnalyzer on awkward input: empty, English, very long, HTML remnants, emoji only."""

from __future__ import annotations

import pytest

from highpipe.analysis.engine import LocalAnalyzer
from highpipe.domain.models import Review, ReviewAnalysis


@pytest.fixture(scope="module")
def analyzer() -> LocalAnalyzer:
    return LocalAnalyzer.load()


def run(analyzer: LocalAnalyzer, text: str, rating: float | None = None) -> ReviewAnalysis:
    return analyzer.analyze([Review(review_uid="t:1", product_id="t:p", site="t", text=text, rating=rating)])[
        0
    ]


@pytest.mark.parametrize("text", ["", "   ", "\n\t\u3000"])
def test_empty_text_is_neutral_without_aspects(analyzer: LocalAnalyzer, text: str) -> None:
    result = run(analyzer, text, rating=5)
    assert result.sentiment.label == "neutral"
    assert result.aspects == [] and result.clauses == [] and result.emotions == []
    assert result.language == "und"
    assert result.model_version == analyzer.model_version


def test_english_review_gets_sentiment_and_aspects(analyzer: LocalAnalyzer) -> None:
    good = run(analyzer, "Great quality and fast shipping. I love it, highly recommend!")
    assert good.language == "en"
    assert good.sentiment.label == "positive"
    assert {"quality", "delivery"} <= {m.aspect_id for m in good.aspects}
    bad = run(analyzer, "Terrible. It arrived broken and the seller never answered about my refund.")
    assert bad.sentiment.label == "negative"
    assert {"delivery", "service"} <= {m.aspect_id for m in bad.aspects}
    assert run(analyzer, "The price is not good.").sentiment.label == "negative"


def test_very_long_review_is_analysed_to_the_end(analyzer: LocalAnalyzer) -> None:
    middle = "그냥 평범하게 쓰고 있습니다. " * 400
    text = "배송이 정말 빨라서 좋았어요. " + middle + "그런데 냄새가 너무 심해서 실망했어요."
    assert len(text) > 5000
    result = run(analyzer, text)
    assert result.clauses[-1].end == len(text)
    assert result.clauses[-1].text.endswith("실망했어요.")
    assert mention_polarity(result, "delivery") == "positive"
    assert mention_polarity(result, "smell") == "negative"


def mention_polarity(result: ReviewAnalysis, aspect_id: str) -> str:
    return next(m.polarity for m in result.aspects if m.aspect_id == aspect_id)


def test_html_remnants_are_stripped(analyzer: LocalAnalyzer) -> None:
    result = run(analyzer, "<div>포장이&nbsp;꼼꼼하고 <b>배송</b>도 빨라요&amp;&#128077;</div><br/>")
    assert all("<" not in c.text and "&" not in c.text.replace("&", "", 1) for c in result.clauses)
    assert "nbsp" not in " ".join(c.text for c in result.clauses)
    assert result.sentiment.label == "positive"
    assert {"packaging", "delivery"} <= {m.aspect_id for m in result.aspects}
    assert result.clauses[0].text.startswith("포장이 꼼꼼하고")


@pytest.mark.parametrize(
    ("text", "label"), [("👍👍👍", "positive"), ("😡😡", "negative"), ("🙂❤️", "positive")]
)
def test_emoji_only_reviews(analyzer: LocalAnalyzer, text: str, label: str) -> None:
    result = run(analyzer, text)
    assert result.language == "und"
    assert result.sentiment.label == label
    assert result.aspects == []


def test_unknown_emoji_only_is_neutral(analyzer: LocalAnalyzer) -> None:
    assert run(analyzer, "📦📦").sentiment.label == "neutral"


def test_laughter_and_crying_tokens(analyzer: LocalAnalyzer) -> None:
    assert run(analyzer, "ㅋㅋㅋㅋㅋ 완전 마음에 들어요").sentiment.label == "positive"
    assert run(analyzer, "한 번 쓰고 망가졌어요 ㅠㅠ").sentiment.label == "negative"
    # In movie reviews ㅠㅠ is often "moved to tears"; the clause still reads the breakage.
    assert run(analyzer, "ㅠㅠㅠ 한 번 쓰고 망가졌어요").clauses[0].sentiment.label == "negative"


def test_clause_offsets_index_the_cleaned_text(analyzer: LocalAnalyzer) -> None:
    text = "  배송은   빠른데   사이즈가 작아요  "
    result = run(analyzer, text)
    cleaned = "배송은 빠른데 사이즈가 작아요"
    for c in result.clauses:
        assert cleaned[c.start : c.end] == c.text
