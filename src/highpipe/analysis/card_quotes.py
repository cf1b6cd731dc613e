"""Representative quotes for emotion cards: where they come from, how they are scored and picked.

A quote is always real text: the clause the analyzer attributed to the aspect, located in the
review's own text (whitespace-insensitively, so an analyzer that re-spaces Korean still maps back to
the original characters), or, when the clause cannot be found, the whole review if it is short and its
overall sentiment agrees. Long pieces are cut at a word boundary and marked with "…"; whitespace runs
are collapsed for display. Nothing is paraphrased.

Each card keeps a small bounded pool per polarity (the best candidates seen so far), so that adding a
review costs O(1) amortised and picking quotes costs O(pool²), independent of the card's size.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from highpipe.domain.models import Quote, Review, ReviewAnalysis
from highpipe.domain.vocab import Sentiment

MAX_QUOTE_CHARS = 90
SHORT_REVIEW_CHARS = 60
POOL_CAPACITY = 24
NEAR_DUPLICATE_JACCARD = 0.5

_NOT_CONTENT = re.compile(r"[^0-9A-Za-z가-힣]+")


@dataclass(slots=True, frozen=True)
class QuoteCandidate:
    review_uid: str
    text: str
    polarity: Sentiment
    quality: float
    seq: int
    key: str  # letters and digits only, lower-cased: the identity used to drop exact duplicates

    def to_quote(self) -> Quote:
        return Quote(review_uid=self.review_uid, text=self.text, polarity=self.polarity)

    def near_duplicate(self, other: QuoteCandidate) -> bool:
        if self.key in other.key or other.key in self.key:
            return True
        # Character bigrams, computed only here: most candidates never reach a selection.
        mine, theirs = _bigrams(self.key), _bigrams(other.key)
        union = len(mine | theirs)
        return union > 0 and len(mine & theirs) / union >= NEAR_DUPLICATE_JACCARD


def _bigrams(key: str) -> set[str]:
    return {key[i : i + 2] for i in range(max(1, len(key) - 1))}


def shorten(text: str, limit: int = MAX_QUOTE_CHARS) -> str:
    """Collapse whitespace and cut at a word boundary, marking the cut with "…"."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


def locate_excerpt(clause: str, text: str) -> str | None:
    """The part of `text` that `clause` stands for, shortened for display; None if it is not there."""
    clause = clause.strip()
    if not clause:
        return None
    start = text.find(clause)
    if start >= 0:
        return shorten(text[start : start + len(clause)])
    positions = [i for i, ch in enumerate(text) if not ch.isspace()]
    compact_text = "".join(text[i] for i in positions)
    compact_clause = "".join(clause.split())
    found = compact_text.find(compact_clause)
    if found < 0:
        return None
    return shorten(text[positions[found] : positions[found + len(compact_clause) - 1] + 1])


def quality(text: str, key: str, confidence: float) -> float:
    """Clarity of a quote: confident polarity, moderate length, mostly words (not "ㅋㅋㅋ!!!")."""
    length = len(text.rstrip("…"))
    if length < 6:
        size = 0.3
    elif length < 10:
        size = 0.7
    elif length <= 60:
        size = 1.0
    else:
        size = 0.85
    compact = len("".join(text.split())) or 1
    wordy = 1.0 if len(key) / compact >= 0.6 else 0.6
    return confidence * size * wordy


def make_candidate(
    review: Review,
    analysis: ReviewAnalysis,
    polarity: Sentiment,
    confidence: float,
    excerpt: str | None,
    seq: int,
) -> QuoteCandidate | None:
    """A scored quote candidate for one polar mention, or None when no honest quote exists."""
    if excerpt is None:
        whole = " ".join(review.text.split())
        if not whole or len(whole) > SHORT_REVIEW_CHARS or analysis.sentiment.label != polarity:
            return None
        excerpt = whole
        confidence *= 0.8  # the whole review is less focused on the aspect than its clause
    key = _NOT_CONTENT.sub("", excerpt).lower()
    if not key:
        return None
    return QuoteCandidate(
        review_uid=review.review_uid,
        text=excerpt,
        polarity=polarity,
        quality=quality(excerpt, key, confidence),
        seq=seq,
        key=key,
    )


class QuotePool:
    """The best quote candidates of one card and polarity, bounded to `capacity`."""

    def __init__(self, capacity: int = POOL_CAPACITY) -> None:
        self.capacity = capacity
        self.items: dict[str, QuoteCandidate] = {}
        self.stale = False
        self._turned_away = False  # some candidate was dropped, so a removal may leave a hole
        self._floor = -1.0  # quality of the worst item while full: O(1) rejection of most offers

    def offer(self, candidate: QuoteCandidate) -> None:
        existing = self.items.get(candidate.key)
        if existing is not None:
            self._turned_away = True
            if candidate.quality > existing.quality:
                self.items[candidate.key] = candidate
                self._refresh_floor()
            return
        if len(self.items) < self.capacity:
            self.items[candidate.key] = candidate
            self._refresh_floor()
            return
        self._turned_away = True
        if candidate.quality <= self._floor:
            return
        worst = min(self.items.values(), key=lambda c: (c.quality, -c.seq))
        del self.items[worst.key]
        self.items[candidate.key] = candidate
        self._refresh_floor()

    def discard_review(self, review_uid: str) -> None:
        gone = [key for key, c in self.items.items() if c.review_uid == review_uid]
        for key in gone:
            del self.items[key]
        if gone:
            self._refresh_floor()
            if self._turned_away:
                self.stale = True

    def rebuild(self, candidates: Iterable[QuoteCandidate]) -> None:
        self.items.clear()
        self.stale = self._turned_away = False
        self._floor = -1.0
        for candidate in sorted(candidates, key=lambda c: c.seq):
            self.offer(candidate)

    def select(self, limit: int) -> list[QuoteCandidate]:
        """Up to `limit` clear quotes from different reviews, none a near-duplicate of another."""
        chosen: list[QuoteCandidate] = []
        for candidate in sorted(self.items.values(), key=lambda c: (-c.quality, c.seq)):
            if any(c.review_uid == candidate.review_uid or c.near_duplicate(candidate) for c in chosen):
                continue
            chosen.append(candidate)
            if len(chosen) == limit:
                break
        return chosen

    def _refresh_floor(self) -> None:
        if len(self.items) < self.capacity:
            self._floor = -1.0
        else:
            self._floor = min(c.quality for c in self.items.values())
