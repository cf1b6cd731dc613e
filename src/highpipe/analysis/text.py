"""Text clean-up before analysis: HTML remnants, entities, control characters, language.

Everything here is pure string work (no Kiwi): the engine calls `clean_text` first and
then tokenises the cleaned text, so clause offsets refer to the cleaned text.
"""

from __future__ import annotations

import bisect
import html
import itertools
import re
import unicodedata
from collections.abc import Iterable
from typing import Any, Final

_BLOCK_TAG: Final = re.compile(r"<\s*(?:br|/p|p|/div|div|li|/li|tr|/tr)\b[^>]*>", re.IGNORECASE)
_SCRIPT: Final = re.compile(r"<\s*(script|style)\b[^>]*>.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)
# A tag is '<' + a name or '/' or '!' ... '>'; a bare '<' as in "<3" or "가격 < 품질" survives.
_TAG: Final = re.compile(r"<\s*[/!]?[A-Za-z][^<>]{0,300}>")
_ENTITY_LEFTOVER: Final = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z]{2,8});")
_SPACES: Final = re.compile(r"[ \t\u00a0\u3000\u200b\u200c\u200d\ufeff]+")
_NEWLINES: Final = re.compile(r"\s*\n\s*")
# What _SPACES changes: a blank other than the plain space, or a run of two spaces or more.
_ODD_BLANK: Final = re.compile(r"[\t\u00a0\u3000\u200b\u200c\u200d\ufeff]|  ")
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Strip HTML tags and entities, control characters and runs of blank space.

    Block tags (``<br>``, ``<p>``) become line breaks because reviewers use them as sentence
    breaks; entities are decoded twice at most so that ``&amp;amp;`` from double-escaping shops
    ends up as ``&``.
    """
    if not text:
        return ""
    t = unicodedata.normalize("NFC", text)
    if "<" in t:
        t = _SCRIPT.sub(" ", t)
        t = _BLOCK_TAG.sub("\n", t)
        t = _TAG.sub(" ", t)
    if "&" in t:
        t = html.unescape(html.unescape(t))
        t = _ENTITY_LEFTOVER.sub(" ", t)
    t = _CONTROL.sub(" ", t).replace("\r\n", "\n").replace("\r", "\n")
    # Most reviews hold single plain spaces only (which _SPACES would replace by themselves) and
    # no line break: the two substitutions, each building a new string, are skipped for them.
    if _ODD_BLANK.search(t):
        t = _SPACES.sub(" ", t)
    if "\n" in t:
        t = _NEWLINES.sub("\n", t)
    return t.strip()


# Hangul syllables, compatibility jamo (ㅋ, ㅠ) and conjoining jamo; Latin is ASCII letters only.
_HANGUL: Final = re.compile("[\uac00-\ud7a3\u3131-\u318e\u1100-\u11ff]")
_ASCII_LETTER: Final = re.compile("[A-Za-z]")


def detect_language(text: str) -> str:
    """`ko`, `en`, or `und` (no letters at all: emoji, digits, punctuation only).

    Korean chat letters (ㅋㅋ, ㅠㅠ) count as Korean: a review of "ㅋㅋㅋ 👍" is Korean.
    """
    # Counted by `re` in C, ~3x faster than a Python loop over the characters. The Latin letters
    # need no counting when hangul * 3 >= len(text) >= latin: the text is Korean either way.
    hangul = len(_HANGUL.findall(text))
    latin = len(_ASCII_LETTER.findall(text)) if hangul * 3 < len(text) else 0
    if hangul == 0 and latin == 0:
        return "und"
    # Korean reviews often carry brand names in Latin letters; a few Hangul letters decide.
    if hangul * 3 >= latin:
        return "ko"
    return "en"


_REPEAT: Final = re.compile(r"(.)\1{2,}")
_DIGITS: Final = re.compile(r"\d")


def squash(text: str) -> str:
    """Lower-case, map digits to 0 and cap character runs at two (ㅋㅋㅋㅋ -> ㅋㅋ, !!!! -> !!).

    Used for model features only, never for text shown to users.
    """
    t = _DIGITS.sub("0", text.lower())
    # A search first, and a function rather than the template r"\1\1": `re` runs a string
    # template through Python code on every call, even when nothing matches (most texts).
    return _REPEAT.sub(_twice, t) if _REPEAT.search(t) else t


def _twice(m: re.Match[str]) -> str:
    return m.group(1) * 2


class Compact:
    """Lower-cased text with spaces removed, remembering where the words began.

    Reviewers space erratically ("배송빨라요"), so lexicons match the compact form; but a match
    that starts in the middle of one word and runs into the next ("그리고 소음" -> "고소") is
    a false hit. `accepts` keeps a match that stays inside one word, or that starts at a word
    start (multi-word entries such as "또 살" -> "또살").
    """

    __slots__ = ("_starts", "text")

    def __init__(self, text: str) -> None:
        words = text.lower().split()
        self.text = "".join(words)
        # Offsets of the words in the compact text: the running sum of the lengths before each.
        self._starts = list(itertools.accumulate(map(len, words[:-1]), initial=0)) if words else []

    def accepts(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self._starts, start)  # first word start after `start`
        if self._starts[i - 1] == start:
            return True
        return i >= len(self._starts) or self._starts[i] >= end

    def next_start(self, pos: int) -> int:
        """The first word start after `pos` (the text's length when there is none)."""
        i = bisect.bisect_right(self._starts, pos)
        return self._starts[i] if i < len(self._starts) else len(self.text)

    def starts_word(self, pos: int) -> bool:
        i = bisect.bisect_left(self._starts, pos)
        return i < len(self._starts) and self._starts[i] == pos


def literal_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """One regex that finds any of `words`, the longest at each position (like an alternation
    sorted longest first), built as a trie so that a position costs one branch per letter rather
    than one try per word: the lexicons hold hundreds of entries and run on every clause."""
    trie: dict[str, Any] = {}
    for word in words:
        if not word:
            continue
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return re.compile(_trie_regex(trie))


def _trie_regex(node: dict[str, Any]) -> str:
    end = "" in node
    branches = [re.escape(ch) + _trie_regex(child) for ch, child in node.items() if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if end:
        # Greedy optional: the longer word is tried first, the word ending here is the fallback.
        return (body if len(branches) == 1 and len(body) == 1 else "(?:" + body + ")") + "?"
    return body
