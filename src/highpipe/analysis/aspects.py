"""Aspect detection per clause (the 13 aspect ids of vocab.ASPECTS); open topics are in topics.py.

The vocabulary lives in `aspect_lexicon.py`. Korean entries are matched as substrings of the clause with spaces removed and lower-cased
(so "배송 빨라요" and "배송빨라요" both hit 배송); one-syllable nouns (맛, 향, 색, 핏, 값, 양, 질) would
hit inside unrelated words (방향, 검색), so they match only as whole Kiwi noun tokens, and a few
short entries that end other words ("통이" in "고통이") must start a word. English entries match
whole words. Some entries need more than a table look-up:

- damage ("깨져서", "부러졌", "찢어진") is `quality` when it came that way and `durability` when it
  happened with time or use ("한 달 만에", "쓸수록", "빨았더니");
- a missing thing ("안 왔어요") is `delivery` when the order itself has not come and `service` when
  one item of it is missing ("모자가 안 와서");
- feel words follow the subject: "부드러워요" is quality for a fabric, taste for food and performance
  for skin or hair; "하루만에" is delivery only when something came; "3번째 구매" is repurchase;
- bare speed opening a review ("빠르고 좋아요") is delivery; melted goods are delivery, or packaging
  when the coolant is named; 딱딱/묽 are taste for food; 밝 is design next to a colour, else
  performance; "사진보다 …" is design unless another aspect is named;
- "배송 받아서 …" / "도착하니 …" only dates what follows: no delivery unless a delivery word judges it;
  a colour that names the variant bought ("커피색 하나 더 구입") is no design;
- phrases that contain an aspect word without being about the aspect ("잘 받았어요", "맛있게 잘
  먹겠습니다", "박스 개봉") are swallowed (longest match wins, so they hide the shorter entry); an
  aspect entry rejected for running across words from inside one hides nothing (the search goes on
  one letter later).

- food condition ("채소 상태가 별로") is taste; looks right after the packing ("박스가 이쁘네요") are
  the packing's; "설치했어요" is no usability unless a usability word judges the installing;
  shipping fees named with a refund are service; runny next to skin words is usability.

These context rules live in `aspects_context.py`. What a mention's polarity is comes from
`aspect_polarity.py`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from highpipe.analysis.aspect_lexicon import (
    EN_PHRASES,
    EN_TERMS,
    KO_NOUNS,
    KO_TERMS,
    SPECIAL_TERMS,
    WORD_START,
)
from highpipe.analysis.aspects_context import drop_colour_variant, resolve_term
from highpipe.analysis.morph import Tok
from highpipe.analysis.text import Compact, literal_pattern

__all__ = ["EN_TERMS", "KO_TERMS", "aspect_ids", "aspect_terms", "ko_matcher"]


_NOMINAL_END: Final = re.compile(r"(?:기(?:도|가|는|에)?|는게|는건|는거)$")


def _parse(entries: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {term.replace(" ", "").lower(): aid for aid, terms in entries.items() for term in terms}


@lru_cache(maxsize=1)
def ko_matcher() -> tuple[re.Pattern[str], dict[str, str]]:
    table = _parse(KO_TERMS)
    table.update(_parse(SPECIAL_TERMS))
    return literal_pattern(table), table


@lru_cache(maxsize=1)
def _en_table() -> dict[str, str]:
    return {term: aid for aid, terms in EN_TERMS.items() for term in terms}


_NOUN_LETTERS: Final = re.compile("[" + "".join(KO_NOUNS) + "]")
_EN_WORD: Final = re.compile(r"[a-z]+(?:/[a-z]+)?")
_LATIN: Final = re.compile(r"[A-Za-z]")


def _nominal(term: str, start: int, compact: Compact) -> bool:
    """A term may run across a space after the nominaliser 기 ("입기 편해요") or 는 게 ("꺼내는 게
    어려워요"), or after the particle 만 ("화이트만 왔네요")."""
    cut = compact.next_start(start) - start
    if not 0 < cut < len(term):
        return False
    return _NOMINAL_END.search(term[:cut]) is not None or (cut == 1 and term[0] == "만")


def aspect_terms(
    clause_text: str, toks: list[Tok], compact: Compact | None = None, context: str = ""
) -> list[tuple[str, int, int]]:
    """(aspect id, start, end) of each aspect term in the clause's compact text, in order.

    Nouns matched as Kiwi tokens and English words report (-1, -1): they have no compact span.
    `context` is the compact text of the clause before, within the same sentence: "한 달도 안 돼서 |
    끊어졌어요" is wear although the second clause does not say when.
    """
    found: list[tuple[str, int, int]] = []
    pattern, table = ko_matcher()
    compact = compact or Compact(clause_text)
    hits: list[tuple[str, str, int, int]] = []
    covered: list[str] = []
    text = compact.text
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        term = m.group(0)
        if (not compact.accepts(m.start(), m.end()) and not _nominal(term, m.start(), compact)) or (
            term in WORD_START and not compact.starts_word(m.start())
        ):
            # A rejected aspect entry ("창문바람 막아줘서" holds 바람막아 across a word) must not hide the
            # entries inside it (막아줘): look again one letter on. A rejected swallow entry still hides.
            pos = m.start() + 1 if table[term] else m.end()
            continue
        covered.append(term)
        if table[term]:
            hits.append((table[term], term, m.start(), m.end()))
        pos = m.end()
    others = {aid for aid, _, _, _ in hits}
    last_packing = -100
    for aid, term, start, end in hits:
        resolved = resolve_term(aid, term, start, compact, others, context, start - last_packing <= 6)
        if aid == "packaging":
            last_packing = end
        if resolved:
            found.append((resolved, start, end))
    # The one-syllable nouns are looked for among the tokens only when one of their letters occurs at
    # all (a C-level scan), which spares most clauses a Python loop over every token.
    if _NOUN_LETTERS.search(text) is not None:
        for form, tag, _, _ in toks:
            noun_aid = KO_NOUNS.get(form)
            # A noun inside a longer entry already read ("싼맛에" is price, not taste) adds nothing.
            if noun_aid and tag.startswith("NN") and not any(form in term for term in covered):
                found.append((noun_aid, -1, -1))
    # A plain substring test first: most clauses name no colour, and they skip the scan.
    if ("색" in text or "컬러" in text or "칼라" in text) and any(aid == "design" for aid, _, _ in found):
        found = drop_colour_variant(found, compact, text)
    if _LATIN.search(clause_text):
        low = clause_text.lower()
        en = _en_table()
        for word in _EN_WORD.findall(low):
            word_aid = en.get(word)
            if word_aid:
                found.append((word_aid, -1, -1))
        for phrase, aid in EN_PHRASES.items():
            if phrase in low:
                found.append((aid, -1, -1))
        # "AS" (after-service) is written in capitals in Korean reviews; "as" in English is a word.
        if re.search(r"\bA/?S\b", clause_text):
            found.append(("service", -1, -1))
    return found


def aspect_ids(
    clause_text: str, toks: list[Tok], compact: Compact | None = None, context: str = ""
) -> list[str]:
    """Aspect ids mentioned in one clause, in order of first mention, each once."""
    out: list[str] = []
    for aid, _, _ in aspect_terms(clause_text, toks, compact, context):
        if aid not in out:
            out.append(aid)
    return out
