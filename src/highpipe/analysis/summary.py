"""Extractive summary of a report: a few short Korean sentences, each built from emotion cards.

Nothing is generated freely: every sentence states counts taken from a card and, where the card has
one, quotes a real clause (a card quote, itself an excerpt of a review). Each sentence carries the
card ids and a few review uids it rests on, so the UI can link every claim to its evidence. The only
sentence not about one card is the opening overview, which cites the top cards it names. Without cards
there is no evidence to summarise, and the summary is empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from highpipe.analysis.card_quotes import shorten
from highpipe.domain.models import EmotionCard, Quote, SummarySentence

MAX_SENTENCES: Final = 6
MIN_SENTENCES: Final = 3
CARD_SENTENCES: Final = 4
SUMMARY_QUOTE_CHARS: Final = 40
UIDS_PER_SENTENCE: Final = 3

_SIDE_KO: Final = {"positive": "긍정", "negative": "부정", "neutral": "중립"}


def extractive_summary(
    report_cards: Sequence[EmotionCard], score: float | None, total: int
) -> list[SummarySentence]:
    """3-6 sentences (fewer only when the cards hold too little evidence); `total` = reviews analysed."""
    cards = sorted(report_cards, key=lambda c: (-c.mentions, c.card_id))
    if not cards:
        return []
    sentences = [_opening(cards[:3], score, total)]
    described: set[tuple[str, str]] = set()
    for card in cards[:CARD_SENTENCES]:
        side = _dominant_side(card)
        sentences.append(_card_sentence(card, side))
        described.add((card.card_id, side))

    concern = _main_concern(cards, described)
    if concern is not None:
        sentences.append(_card_sentence(concern, "negative", prefix="아쉬운 점 — "))
        described.add((concern.card_id, "negative"))

    # Too little to say: add the minority side of the described cards, then further quotes.
    for card in cards:
        if len(sentences) >= MIN_SENTENCES:
            break
        for side in ("positive", "negative"):
            if (
                len(sentences) < MIN_SENTENCES
                and (card.card_id, side) not in described
                and _count(card, side)
            ):
                sentences.append(_card_sentence(card, side))
                described.add((card.card_id, side))
    used_quotes = {(s.card_ids[0], uid) for s in sentences[1:] for uid in s.review_uids[:1]}
    for card in cards:
        for quote in card.quotes:
            if len(sentences) >= MIN_SENTENCES:
                break
            if (card.card_id, quote.review_uid) not in used_quotes:
                sentences.append(_quote_sentence(card, quote))
                used_quotes.add((card.card_id, quote.review_uid))
    return sentences[:MAX_SENTENCES]


def _opening(top: Sequence[EmotionCard], score: float | None, total: int) -> SummarySentence:
    labels = ", ".join(c.label for c in top)
    if score is None:
        text = f"리뷰 {total:,}건 분석 — 많이 언급된 주제: {labels}."
    else:
        text = f"리뷰 {total:,}건의 종합 점수는 {score:.0f}점 — 많이 언급된 주제: {labels}."
    uids = [c.quotes[0].review_uid if c.quotes else c.review_uids[0] for c in top if c.review_uids]
    return SummarySentence(text=text, card_ids=[c.card_id for c in top], review_uids=_unique(uids))


def _card_sentence(card: EmotionCard, side: str, prefix: str = "") -> SummarySentence:
    percent = round(100 * _count(card, side) / card.mentions) if card.mentions else 0
    text = f"{prefix}{card.label}: 언급 {card.mentions:,}건 중 {_SIDE_KO[side]} {percent}%"
    quotes = [q for q in card.quotes if q.polarity == side]
    if quotes:
        text += f' — "{shorten(quotes[0].text, SUMMARY_QUOTE_CHARS)}"'
        uids = [q.review_uid for q in quotes]
    else:
        uids = card.review_uids[:UIDS_PER_SENTENCE]
    return SummarySentence(text=text, card_ids=[card.card_id], review_uids=_unique(uids))


def _quote_sentence(card: EmotionCard, quote: Quote) -> SummarySentence:
    text = f'{card.label} {_SIDE_KO[quote.polarity]} 의견: "{shorten(quote.text, SUMMARY_QUOTE_CHARS)}"'
    return SummarySentence(text=text, card_ids=[card.card_id], review_uids=[quote.review_uid])


def _main_concern(cards: Sequence[EmotionCard], described: set[tuple[str, str]]) -> EmotionCard | None:
    """The card with the largest negative share that has negative evidence not yet described."""
    candidates = [
        c
        for c in cards
        if c.negative > 0
        and (c.card_id, "negative") not in described
        and any(q.polarity == "negative" for q in c.quotes)
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda c: (c.negative_share, c.mentions))


def _dominant_side(card: EmotionCard) -> str:
    if card.neutral > max(card.positive, card.negative):
        return "neutral"
    return "positive" if card.positive >= card.negative else "negative"


def _count(card: EmotionCard, side: str) -> int:
    return {"positive": card.positive, "negative": card.negative, "neutral": card.neutral}[side]


def _unique(uids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(uids))[:UIDS_PER_SENTENCE]
