"""From scores to labels: the neutral band, the lean of an unsure score, and the star-rating prior.

A probability within `NEUTRAL_BAND` of 0.5 is neutral, unless the text's polar aspect mentions all
confirm the side it leans to (`lean`). The stars are a prior for the review label only: they add
`PRIOR_PER_STAR` logits per star away from 3, but never overrule a text that is clearly on the other
side (`with_prior`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final, Protocol

from highpipe.domain.vocab import Sentiment

NEUTRAL_BAND: Final = 0.15
CLEAR_P: Final = 0.9
CLEAR_LOGIT: Final = math.log(CLEAR_P / (1 - CLEAR_P))
PRIOR_PER_STAR: Final = 1.0  # rating 5 -> +2 logits, 1 -> -2: always less than a clear text signal


class ClauseEvidence(Protocol):
    """What the rating prior needs of a scored clause."""

    @property
    def logit(self) -> float: ...

    @property
    def lex_pos(self) -> int: ...  # the clause's positive / negative lexicon hits

    @property
    def lex_neg(self) -> int: ...


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, x))))


def label_of(p: float) -> tuple[Sentiment, float]:
    """Label and its score: the probability for polar labels, the closeness to 0.5 for neutral."""
    if p >= 0.5 + NEUTRAL_BAND:
        return "positive", p
    if p <= 0.5 - NEUTRAL_BAND:
        return "negative", 1.0 - p
    return "neutral", 1.0 - 2.0 * abs(p - 0.5)


def lean(p: float, mentions: Sequence[dict[str, object]]) -> tuple[Sentiment, float]:
    """`label_of(p)`, except that a p in the neutral band takes the side it leans to when the aspect
    mentions found in the text are polar and all on that side: the aspects' own cue words
    ("아직도 멀쩡해요", "쉽게 쓰세요") are evidence the model's score lacks. The score stays p's."""
    label, score = label_of(p)
    if label != "neutral":
        return label, score
    side: Sentiment = "positive" if p >= 0.5 else "negative"
    polar = {
        m["polarity"]
        for m in mentions
        if m["polarity"] != "neutral" and not str(m["aspect_id"]).startswith("topic:")
    }
    return (side, max(p, 1.0 - p)) if polar == {side} else (label, score)


def with_prior(text_logit: float, clauses: Sequence[ClauseEvidence], rating: float | None) -> float:
    """The review logit with the stars folded in, unless the text clearly disagrees with them: on
    its own (p >= `CLEAR_P` on the other side), or with every clause on the other side and one of
    them clearly so."""
    if rating is None:
        return text_logit
    prior = PRIOR_PER_STAR * (max(1.0, min(5.0, float(rating))) - 3.0)
    if prior == 0.0 or (text_logit > 0) == (prior > 0):
        return text_logit + prior
    against = [c for c in clauses if (c.logit > 0) != (prior > 0)]
    if abs(text_logit) >= CLEAR_LOGIT or (
        len(against) == len(clauses) and any(_clearly_against(c, prior) for c in against)
    ):
        return text_logit
    return text_logit + prior


def _clearly_against(clause: ClauseEvidence, prior: float) -> bool:
    """A clause that disagrees with the stars clearly: a confident score, or explicit polar words
    of its own side only ("안 좋아요" under five stars: a negative hit, no positive one)."""
    if abs(clause.logit) >= CLEAR_LOGIT:
        return True
    own, other = (clause.lex_neg, clause.lex_pos) if prior > 0 else (clause.lex_pos, clause.lex_neg)
    return own > 0 and other == 0
