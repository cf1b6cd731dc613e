"""Open topics of a clause: things no aspect lexicon anticipated (배터리, 소음, 보풀).

A topic is one of the clause's common nouns, or noun-noun compounds written together
("무선청소기"), minus a stoplist of generic review nouns, so that a card such as `topic:배터리` is
about a thing, not about "제품" or "생각". Nouns that are aspect words or judgements belong to the
aspect cards and the sentiment, not to a topic.
"""

from __future__ import annotations

import re
from functools import lru_cache

from highpipe.analysis.aspect_lexicon import TOPIC_STOP, TOPIC_TOO
from highpipe.analysis.aspects import ko_matcher
from highpipe.analysis.emotions import cue_emotions
from highpipe.analysis.lexicon import polarity_hits
from highpipe.analysis.morph import Tok

__all__ = ["topic_phrases", "topic_slug"]


def topic_phrases(text: str, toks: list[Tok]) -> list[str]:
    """Candidate open topics of one clause: common nouns and adjacent noun compounds (배터리, 무선청소기)."""
    out: list[str] = []
    i = 0
    n = len(toks)
    while i < n:
        form, tag, _, _ = toks[i]
        if tag != "NNG":
            i += 1
            continue
        phrase = form
        j = i + 1
        # Glue nouns written together ("무선청소기" -> 무선 + 청소기); spaced nouns stay apart.
        while j < n and toks[j][1] == "NNG" and toks[j][2] == toks[j - 1][3]:
            phrase += toks[j][0]
            j += 1
        if _good_topic(phrase) and phrase not in out:
            out.append(phrase)
        i = j
    return out


@lru_cache(maxsize=65536)
def _good_topic(phrase: str) -> bool:
    if len(phrase) < 2 or len(phrase) > 12 or phrase in TOPIC_STOP:
        return False
    if not all("\uac00" <= ch <= "\ud7a3" for ch in phrase):
        return False
    if phrase in TOPIC_TOO:
        return True
    # A noun that is itself an aspect word belongs to that aspect's card, not to a topic card;
    # an evaluative noun (엉망, 불량, 감동) is a judgement, not a thing.
    if ko_matcher()[0].search(phrase) is not None:
        return False
    return not polarity_hits(phrase) and not cue_emotions(phrase)


_BLANKS = re.compile(r"\s+")


def topic_slug(phrase: str) -> str:
    return _BLANKS.sub("-", phrase.strip().lower())
