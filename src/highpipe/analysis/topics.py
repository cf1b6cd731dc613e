"""Open topics of a clause: things no aspect lexicon anticipated (배터리, 소음, 보풀).

A topic is one of the clause's common nouns, or noun-noun compounds written together
("무선청소기"), that names a thing, a part or a property of the product or of its use, so that a
card such as `topic:배터리` is about a thing, not about "제품", "전체" or "이득". What is left out:

- nouns of the vocabulary in topic_lexicon.py: generic review nouns, quantities and times,
  dealings with the seller ("요청", "조회"), people, attitudes, and nouns that only judge with
  없다/있다 ("손색없는", "성의 없어요");
- a noun used as the stem of a judgement in this very clause: "직관적이에요" (-적), "정확하게",
  "고급스러워요" (adjective suffix);
- aspect words (they have their own cards) unless also worth a topic (topic_lexicon.TOPIC_TOO),
  and judgement words: polarity and emotion cues, and the aspect polarity cue words ("이득",
  "지연", "고급": a price, delivery or design judgement, not a thing);
- a glued compound whose head is relational ("커텐덕분", "세탁후", "가슴부분") stands for its
  first part (커텐, 세탁, 가슴); one made only of generic parts ("엄마선물") is nothing;
- Kiwi's unknown words that end like a polite predicate ("오래가요" read as 오래 + 가요).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from highpipe.analysis.aspect_polarity import ASPECT_CUES, GENERIC_CUES
from highpipe.analysis.aspects import ko_matcher
from highpipe.analysis.emotions import cue_emotions
from highpipe.analysis.lexicon import polarity_hits
from highpipe.analysis.morph import Tok
from highpipe.analysis.topic_lexicon import (
    GENERIC_HEADS,
    NOT_TOPIC,
    POLITE_TAIL_NOUNS,
    TOPIC_TOO,
)

__all__ = ["topic_phrases", "topic_slug"]

# Suffixes that make the noun before them a judgement in this clause: adjective-forming 하/스럽/롭
# ("정확하게", "고급스러워요") and the attributive 적 ("직관적", "전체적으로").
_JUDGING_XSN: Final = frozenset({"적"})
# Kiwi tags the 하 of every "N하니" as adjectival, "세탁하니" and "충전하니" included: not a judgement.
_ACTION_AFTER_HA: Final = frozenset({"니", "니까"})


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
        parts = [form]
        j = i + 1
        # Glue nouns written together ("무선청소기" -> 무선 + 청소기); spaced nouns stay apart.
        while j < n and toks[j][1] == "NNG" and toks[j][2] == toks[j - 1][3]:
            parts.append(toks[j][0])
            j += 1
        if j < n and toks[j][2] == toks[j - 1][3] and _judging_suffix(toks, j):
            i = j
            continue
        phrase = _topic_of(tuple(parts))
        if phrase is not None and phrase not in out:
            out.append(phrase)
        i = j
    return out


def _judging_suffix(toks: list[Tok], j: int) -> bool:
    """Whether toks[j], glued to the noun before it, makes that noun a judgement."""
    form, tag, _, _ = toks[j]
    if tag == "XSN":
        return form in _JUDGING_XSN
    if not tag.startswith("XSA"):
        return False
    nxt = toks[j + 1] if j + 1 < len(toks) else None
    return not (form == "하" and nxt is not None and nxt[1] == "EC" and nxt[0] in _ACTION_AFTER_HA)


@lru_cache(maxsize=65536)
def _topic_of(parts: tuple[str, ...]) -> str | None:
    """The topic a run of glued nouns stands for, or None."""
    hi = len(parts)
    # Head-final compounds: a relational head ("덕분", "후", "부분") leaves the topic to the part before it.
    while hi > 1 and parts[hi - 1] in GENERIC_HEADS:
        hi -= 1
    core = "".join(parts[:hi])
    if hi < len(parts):
        if core in NOT_TOPIC or core in GENERIC_HEADS:
            return None
        if len(core) < 2:  # "끝부분": the part alone is too short to name anything
            core = "".join(parts)
    return core if _good_topic(core) else None


@lru_cache(maxsize=65536)
def _good_topic(phrase: str) -> bool:
    if len(phrase) < 2 or len(phrase) > 12 or phrase in NOT_TOPIC:
        return False
    if not all("\uac00" <= ch <= "\ud7a3" for ch in phrase):
        return False
    if phrase in TOPIC_TOO:
        return True
    # Kiwi reads some misspelt predicates as one unknown noun ("젛아요", "오래가요" -> 가요).
    if phrase.endswith(("요", "셈")) and phrase not in POLITE_TAIL_NOUNS:
        return False
    # A noun that is itself an aspect word belongs to that aspect's card, not to a topic card;
    # an evaluative noun (엉망, 불량, 감동, 이득, 지연) is a judgement, not a thing.
    if ko_matcher()[0].search(phrase) is not None or phrase in _cue_words():
        return False
    return not polarity_hits(phrase) and not cue_emotions(phrase)


@lru_cache(maxsize=1)
def _cue_words() -> frozenset[str]:
    """Every aspect polarity cue word and generic cue, without its sign ("이득", "지연", "호불호")."""
    specs = [*ASPECT_CUES.values(), GENERIC_CUES]
    return frozenset(entry[:-1] for spec in specs for entry in spec.split())


_BLANKS: Final = re.compile(r"\s+")


def topic_slug(phrase: str) -> str:
    return _BLANKS.sub("-", phrase.strip().lower())
