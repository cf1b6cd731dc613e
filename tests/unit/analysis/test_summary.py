"""extractive_summary: every sentence rests on cards, quotes come from them, and nothing is padded."""

from __future__ import annotations

from highpipe.analysis.stats import share, wilson_interval
from highpipe.analysis.summary import extractive_summary
from highpipe.domain.models import EmotionCard, Quote, SummarySentence
from highpipe.domain.vocab import ASPECT_BY_ID


def card(aspect_id: str, positive: int, negative: int, neutral: int = 0, quotes: int = 2) -> EmotionCard:
    mentions = positive + negative + neutral
    uids = [f"{aspect_id}-{i}" for i in range(mentions)]
    label = ASPECT_BY_ID[aspect_id].ko
    made = [
        Quote(review_uid=uids[i], text=f"{label} 좋아요 {i}", polarity="positive")
        for i in range(min(quotes, positive))
    ]
    made += [
        Quote(review_uid=uids[positive + i], text=f"{label} 별로예요 {i}", polarity="negative")
        for i in range(min(quotes, negative))
    ]
    return EmotionCard(
        card_id=f"aspect:{aspect_id}",
        kind="aspect",
        aspect_id=aspect_id,
        label=label,
        label_en=ASPECT_BY_ID[aspect_id].en,
        mentions=mentions,
        positive=positive,
        negative=negative,
        neutral=neutral,
        positive_share=share(positive, mentions),
        negative_share=share(negative, mentions),
        positive_ci=wilson_interval(positive, mentions),
        top_phrases=[],
        quotes=made,
        review_uids=uids,
    )


def assert_grounded(sentences: list[SummarySentence], cards: list[EmotionCard]) -> None:
    by_id = {c.card_id: c for c in cards}
    for sentence in sentences:
        assert sentence.text and sentence.card_ids and sentence.review_uids
        cited = [by_id[card_id] for card_id in sentence.card_ids]  # KeyError: cites a card that is not there
        evidence = {uid for c in cited for uid in c.review_uids}
        assert set(sentence.review_uids) <= evidence
        for piece in sentence.text.split('"')[1::2]:  # every quoted piece is (a prefix of) a card quote
            assert any(q.text.startswith(piece.removesuffix("…")) for c in cited for q in c.quotes)


def test_sentences_cite_cards_and_their_reviews() -> None:
    cards = [
        card("delivery", 120, 20),
        card("size", 30, 50),
        card("price", 40, 10),
        card("quality", 20, 5, 2),
    ]
    sentences = extractive_summary(cards, 72.4, 300)
    assert 3 <= len(sentences) <= 6
    assert_grounded(sentences, cards)
    opening = sentences[0]
    assert "300" in opening.text and "72" in opening.text
    assert opening.card_ids == ["aspect:delivery", "aspect:size", "aspect:price"]  # the top cards by mentions
    assert sentences[1].text.startswith("배송: 언급 140건 중 긍정 86%")


def test_the_main_concern_is_named_with_a_negative_quote() -> None:
    cards = [card("delivery", 90, 10), card("price", 60, 5), card("size", 10, 30)]
    sentences = extractive_summary(cards, 80.0, 200)
    size = next(s for s in sentences if s.card_ids == ["aspect:size"])
    assert "부정 75%" in size.text and "별로예요" in size.text
    concern = [s for s in sentences if s.text.startswith("아쉬운 점")]
    assert len(concern) == 1 and concern[0].card_ids == ["aspect:delivery"]  # size was already described
    assert_grounded(sentences, cards)


def test_no_cards_no_summary() -> None:
    assert extractive_summary([], 90.0, 10) == []
    assert extractive_summary([], None, 0) == []


def test_a_single_card_is_still_summarised_from_evidence_only() -> None:
    cards = [card("delivery", 3, 0, quotes=3)]
    sentences = extractive_summary(cards, None, 3)
    assert len(sentences) == 3
    assert "점수" not in sentences[0].text  # no score to report
    assert_grounded(sentences, cards)
    assert len({s.text for s in sentences}) == len(sentences)


def test_a_card_without_quotes_cites_its_reviews() -> None:
    cards = [card("smell", 0, 0, neutral=4, quotes=0)]
    sentences = extractive_summary(cards, None, 4)
    assert [s.text for s in sentences][1] == "냄새/향: 언급 4건 중 중립 100%"
    assert len(sentences) == 2  # nothing more to say without inventing it
    assert_grounded(sentences, cards)


def test_at_most_six_sentences() -> None:
    cards = [card(a.id, 10 + i, 3 + i) for i, a in enumerate(ASPECT_BY_ID.values())]
    sentences = extractive_summary(cards, 70.0, 1000)
    assert len(sentences) == 6
    assert_grounded(sentences, cards)
