"""Aspect and open-topic mentions of one analysed clause, as `AspectMention` fields.

An aspect's polarity comes from its own cue words in the clause when they decide it
(aspect_polarity.py: "배송 빨라요" in a clause the model finds neutral), from the clause's label
otherwise; open topics (topics.py) always take the clause's label. Plain dicts: the engine validates
a whole `ReviewAnalysis` once (one pydantic call per review instead of one per mention).
"""

from __future__ import annotations

from typing import Final

from highpipe.analysis.aspect_polarity import mention_polarity
from highpipe.analysis.aspects import aspect_terms
from highpipe.analysis.morph import Tok
from highpipe.analysis.text import Compact
from highpipe.analysis.topics import topic_phrases, topic_slug
from highpipe.domain.vocab import Sentiment, aspect_label

MAX_TOPICS_PER_CLAUSE: Final = 3
# Confidence given to an aspect polarity read from the aspect's own cue words against the clause's label.
OWN_CUE_SCORE: Final = 0.7


def clause_mentions(
    text: str, toks: list[Tok], compact: Compact, label: Sentiment, score: float, context: str
) -> list[dict[str, object]]:
    """The mentions of one clause (`text`, its tokens and `Compact`), whose sentiment is `label`
    with `score`; `context` is the previous clause's compact text (aspects_context.py reads it)."""
    out: list[dict[str, object]] = []
    s = round(score, 4)
    spans: dict[str, list[tuple[int, int]]] = {}
    for aid, start, end in aspect_terms(text, toks, compact, context):
        spans.setdefault(aid, []).append((start, end))
    for aid, where in spans.items():
        # Any negated repurchase term wins ("재구매 ... 다시는 재구매 안 할 듯"); other aspects are
        # judged at their first mention.
        votes = [
            mention_polarity(aid, start, end, compact)
            for start, end in where[: 1 if aid != "repurchase" else None]
        ]
        own = "negative" if "negative" in votes else votes[0]
        polarity, m_score = (label, s) if own is None or own == label else (own, OWN_CUE_SCORE)
        out.append(
            {
                "aspect_id": aid,
                "aspect": aspect_label(aid),
                "polarity": polarity,
                "clause": text,
                "score": m_score,
            }
        )
    for phrase in topic_phrases(text, toks)[:MAX_TOPICS_PER_CLAUSE]:
        aid = "topic:" + topic_slug(phrase)
        out.append({"aspect_id": aid, "aspect": phrase, "polarity": label, "clause": text, "score": s})
    return out
