"""Emotion cards (감정 카드): one card per aspect or open topic, built incrementally from analyses.

`CardBuilder.add()` takes one analysed review at a time (O(mentions) work, no re-sorting), and
`changed()` returns only the cards whose content moved since its previous call, so the analysis
worker can emit `card` events batch by batch while collection goes on.

Counting rule (one review = one mention per card): a review that mentions an aspect several times
counts once for that aspect's card, with its *dominant polarity* for that aspect:
  1. polar mentions outweigh neutral ones (a neutral "배송은 보통" next to "배송 빨라요" is noise);
  2. among polar mentions, the polarity with the larger sum of confidences wins;
  3. an exact tie between positive and negative takes the review's overall sentiment if it is polar,
     else the review counts as neutral for that card.
Adding the same `review_uid` again replaces its earlier contribution (at-least-once delivery).
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from highpipe.analysis.card_phrases import normalise_phrase
from highpipe.analysis.card_quotes import QuoteCandidate, QuotePool, locate_excerpt, make_candidate
from highpipe.analysis.stats import share, wilson_interval
from highpipe.domain.models import AspectMention, AspectSummary, EmotionCard, Review, ReviewAnalysis
from highpipe.domain.vocab import ASPECT_BY_ID, Sentiment

PhraseFn = Callable[[str, str], str | None]
"""(clause, aspect_id) -> normalised phrase such as "배송 빠름", or None for no phrase."""

TOP_PHRASES = 5
QUOTES_PER_SIDE = 3


def card_id_for(aspect_id: str) -> str:
    """`topic:<slug>` mentions already carry their card id; vocabulary aspects get `aspect:<id>`."""
    return aspect_id if aspect_id.startswith("topic:") else f"aspect:{aspect_id}"


@dataclass(slots=True, frozen=True)
class _Member:
    """What one review contributes to one card."""

    polarity: Sentiment
    phrases: tuple[str, ...]
    emotions: tuple[str, ...]
    candidates: tuple[QuoteCandidate, ...]


@dataclass(slots=True)
class _CardState:
    card_id: str
    aspect_id: str
    label: str
    label_en: str | None
    # Insertion-ordered: the card lists its reviews in the order they arrived; a replaced review
    # keeps its place, so re-delivery does not reorder (and re-emit) a card.
    members: dict[str, _Member] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    phrases: Counter[str] = field(default_factory=Counter)
    emotions: Counter[str] = field(default_factory=Counter)
    pools: dict[str, QuotePool] = field(default_factory=dict)

    def put(self, uid: str, member: _Member) -> None:
        old = self.members.get(uid)
        if old is not None:
            self._unapply(uid, old)
        self.members[uid] = member
        self._apply(member)

    def remove(self, uid: str) -> None:
        old = self.members.pop(uid, None)
        if old is not None:
            self._unapply(uid, old)

    def _apply(self, member: _Member) -> None:
        self.counts[member.polarity] += 1
        self.phrases.update(member.phrases)
        self.emotions.update(member.emotions)
        for candidate in member.candidates:
            self._pool(candidate.polarity).offer(candidate)

    def _unapply(self, uid: str, member: _Member) -> None:
        _decrement(self.counts, (member.polarity,))
        _decrement(self.phrases, member.phrases)
        _decrement(self.emotions, member.emotions)
        for pool in self.pools.values():
            pool.discard_review(uid)

    def _pool(self, polarity: str) -> QuotePool:
        pool = self.pools.get(polarity)
        if pool is None:
            pool = self.pools[polarity] = QuotePool()
        return pool

    def quotes(self, polarity: str) -> list[QuoteCandidate]:
        pool = self.pools.get(polarity)
        if pool is None:
            return []
        if pool.stale:
            # A removal emptied a slot of a pool that had turned candidates away: refill it from the
            # members (rare: only re-delivered reviews whose analysis changed).
            pool.rebuild(c for m in self.members.values() for c in m.candidates if c.polarity == polarity)
        return pool.select(QUOTES_PER_SIDE)

    def to_card(self) -> EmotionCard:
        mentions = len(self.members)
        positive, negative = self.counts["positive"], self.counts["negative"]
        top = heapq.nsmallest(TOP_PHRASES, self.phrases.items(), key=lambda kv: (-kv[1], kv[0]))
        emotions = sorted(self.emotions.items(), key=lambda kv: (-kv[1], kv[0]))
        quotes = [c.to_quote() for side in ("positive", "negative") for c in self.quotes(side)]
        return EmotionCard(
            card_id=self.card_id,
            kind="topic" if self.card_id.startswith("topic:") else "aspect",
            aspect_id=self.aspect_id,
            label=self.label,
            label_en=self.label_en,
            mentions=mentions,
            positive=positive,
            negative=negative,
            neutral=self.counts["neutral"],
            positive_share=share(positive, mentions),
            negative_share=share(negative, mentions),
            positive_ci=wilson_interval(positive, mentions),
            top_phrases=[phrase for phrase, _ in top],
            emotions=dict(emotions),
            quotes=quotes,
            review_uids=list(self.members),
        )

    def to_summary(self) -> AspectSummary:
        return AspectSummary(
            aspect_id=self.aspect_id,
            aspect=self.label,
            mentions=len(self.members),
            positive=self.counts["positive"],
            negative=self.counts["negative"],
            neutral=self.counts["neutral"],
        )


def _decrement(counter: Counter[str], keys: Iterable[str]) -> None:
    for key in keys:
        left = counter[key] - 1
        if left > 0:
            counter[key] = left
        else:
            del counter[key]


def dominant_polarity(mentions: Iterable[AspectMention], overall: Sentiment) -> Sentiment:
    """The polarity one review counts with on one card (rules in the module docstring)."""
    weight = {"positive": 0.0, "negative": 0.0}
    polar = False
    for mention in mentions:
        if mention.polarity != "neutral":
            polar = True
            weight[mention.polarity] += mention.score
    if not polar:
        return "neutral"
    if weight["positive"] > weight["negative"]:
        return "positive"
    if weight["negative"] > weight["positive"]:
        return "negative"
    return overall if overall != "neutral" else "neutral"


class CardBuilder:
    """Aggregates analysed reviews into emotion cards; see the module docstring for the rules."""

    def __init__(self, min_mentions: int = 3, *, phrase_fn: PhraseFn | None = None) -> None:
        if min_mentions < 1:
            raise ValueError("min_mentions must be at least 1")
        self.min_mentions = min_mentions
        # Injectable so that a morphology-based normaliser (e.g. the analyzer's Kiwi) can replace the
        # dependency-free default without this module importing it.
        self._phrase_fn: PhraseFn = phrase_fn or normalise_phrase
        self._cards: dict[str, _CardState] = {}
        self._by_review: dict[str, tuple[str, ...]] = {}
        self._dirty: set[str] = set()
        self._cache: dict[str, EmotionCard] = {}
        self._emitted: dict[str, EmotionCard] = {}
        self._seq = 0

    def __len__(self) -> int:
        """Number of reviews that contributed at least one mention."""
        return sum(1 for keys in self._by_review.values() if keys)

    def add(self, review: Review, analysis: ReviewAnalysis) -> None:
        """Add (or replace) one review's contribution to the cards."""
        uid = review.review_uid
        if analysis.review_uid != uid:
            raise ValueError(f"analysis {analysis.review_uid!r} does not belong to review {uid!r}")
        grouped: dict[str, list[AspectMention]] = {}
        for mention in analysis.aspects:
            grouped.setdefault(mention.aspect_id, []).append(mention)
        emotions = tuple(dict.fromkeys(analysis.emotions))
        new_keys: list[str] = []
        for aspect_id, mentions in grouped.items():
            state = self._state(aspect_id, mentions[0].aspect)
            state.put(uid, self._member(review, analysis, aspect_id, mentions, emotions))
            new_keys.append(state.card_id)
        for stale_key in set(self._by_review.get(uid, ())) - set(new_keys):
            self._cards[stale_key].remove(uid)
            self._touch(stale_key)
        for key in new_keys:
            self._touch(key)
        self._by_review[uid] = tuple(new_keys)

    def changed(self) -> list[EmotionCard]:
        """Cards whose content changed since the previous call and that reach `min_mentions`.

        A card that falls below the threshold (a re-delivered review lost its mention) is forgotten,
        so that it is emitted again in full when it comes back; the event contract has no removal.
        """
        out: list[EmotionCard] = []
        for key in self._dirty:
            state = self._cards[key]
            if len(state.members) < self.min_mentions:
                self._emitted.pop(key, None)
                continue
            card = self._card(key)
            if self._emitted.get(key) != card:
                self._emitted[key] = card
                out.append(card)
        self._dirty.clear()
        return sorted(out, key=lambda c: (-c.mentions, c.card_id))

    def cards(self) -> list[EmotionCard]:
        """Every card with at least `min_mentions`, by mentions (desc) then card_id."""
        keys = [k for k, s in self._cards.items() if len(s.members) >= self.min_mentions]
        return sorted((self._card(k) for k in keys), key=lambda c: (-c.mentions, c.card_id))

    def aspect_summaries(self) -> list[AspectSummary]:
        """Counts of every aspect and topic, without the threshold, by mentions (desc) then id."""
        states = [s for s in self._cards.values() if s.members]
        return [s.to_summary() for s in sorted(states, key=lambda s: (-len(s.members), s.aspect_id))]

    def _touch(self, key: str) -> None:
        self._dirty.add(key)
        self._cache.pop(key, None)

    def _card(self, key: str) -> EmotionCard:
        card = self._cache.get(key)
        if card is None:
            card = self._cache[key] = self._cards[key].to_card()
        return card

    def _state(self, aspect_id: str, fallback_label: str) -> _CardState:
        key = card_id_for(aspect_id)
        state = self._cards.get(key)
        if state is None:
            known = ASPECT_BY_ID.get(aspect_id)
            if aspect_id.startswith("topic:"):
                label, label_en = aspect_id.split(":", 1)[1], None
            elif known is not None:
                label, label_en = known.ko, known.en
            else:  # an id outside the vocabulary: trust the analyzer's own label rather than fail
                label, label_en = fallback_label or aspect_id, None
            state = self._cards[key] = _CardState(key, aspect_id, label, label_en)
        return state

    def _member(
        self,
        review: Review,
        analysis: ReviewAnalysis,
        aspect_id: str,
        mentions: list[AspectMention],
        emotions: tuple[str, ...],
    ) -> _Member:
        phrases: dict[str, None] = {}
        candidates: dict[str, QuoteCandidate] = {}
        for mention in mentions:
            phrase = self._phrase_fn(mention.clause, aspect_id)
            if phrase:
                phrases[phrase] = None
            if mention.polarity == "neutral":
                continue
            excerpt = locate_excerpt(mention.clause, review.text)
            self._seq += 1
            candidate = make_candidate(review, analysis, mention.polarity, mention.score, excerpt, self._seq)
            if candidate is not None and candidate.key not in candidates:
                candidates[candidate.key] = candidate
        return _Member(
            polarity=dominant_polarity(mentions, analysis.sentiment.label),
            phrases=tuple(phrases),
            emotions=emotions,
            candidates=tuple(candidates.values()),
        )
