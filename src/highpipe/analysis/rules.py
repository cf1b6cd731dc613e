"""Rule-based polarity for what the Korean training data cannot teach: English, emoji, bare jamo.

Each returns a logit-scale adjustment for the engine. English reviews are rare on Korean shops,
and emoji hardly occur in the 2015-era movie reviews the model learnt from, so a small
hand-written lexicon is more reliable than the learnt weights. A negator ("not", "never",
"don't"...) flips the next three words; a few shopping phrases ("runs small", "took three weeks")
count as one polar word. A review of nothing but crying or laughing jamo ("ㅠㅠㅠ", "ㅋㅋㅋ") is
read by the jamo alone: the movie reviews taught the model that ㅠㅠ is being moved (mostly
positive there), while on a shop it is mostly a complaint.
"""

from __future__ import annotations

import re
from typing import Final

EN_POSITIVE: Final = frozenset(
    "good great excellent awesome amazing love loved lovely perfect nice happy satisfied recommend recommended "
    "fast quick best fantastic wonderful sturdy comfortable beautiful pretty cute delicious tasty fresh worth "
    "easy convenient helpful friendly glad pleased superb solid fine durable affordable cheap soft".split()
)
EN_NEGATIVE: Final = frozenset(
    "bad poor terrible awful horrible worst hate hated broken broke defective disappointed disappointing "
    "slow late damaged cheaply flimsy useless waste refund returned return fake wrong smells stinks "
    "uncomfortable expensive overpriced ugly missing leaked leaking ripped torn problem problems "
    "annoying rude scam regret dies died dead stopped faulty".split()
)
# Shopping phrases that no single word carries: (pattern on the lower-cased text, sign).
_EN_PHRASES: Final = (
    (
        re.compile(
            r"\b(?:runs?|ran|fits?|fitted) (?:very |a bit |a little |way |too )?(?:small|large|big|tight|narrow)\b"
        ),
        -1,
    ),
    (re.compile(r"\btoo (?:small|big|large|tight|loose|short|long|thin|heavy|expensive|pricey)\b"), -1),
    (re.compile(r"\btook (?:\w+ ){0,2}(?:weeks|months|forever|ages)\b"), -1),
    (re.compile(r"\b(?:fits? (?:perfectly|great|well)|true to size)\b"), 1),
)
_NEGATORS: Final = frozenset(
    "not no never don't doesn't didn't isn't wasn't aren't won't can't cannot".split()
)
_WORD: Final = re.compile(r"[a-z]+(?:'[a-z]+)?|[.,!?;]")
EN_WEIGHT: Final = 1.4

EMOJI_POSITIVE: Final = frozenset("👍😍🥰😊😀😄😁👌💕💯❤♥😘🙂😆🤩✨🎉💖💗😃☺🙏")
EMOJI_NEGATIVE: Final = frozenset("👎😡😠😤😞😢😭💩🤬😒🙁☹😩😫😣😖💢😑😕")
_POLAR: Final = sorted(EMOJI_POSITIVE | EMOJI_NEGATIVE)
_POLAR_EMOJI: Final = re.compile("[" + "".join(map(re.escape, _POLAR)) + "]")
# `re` tests a class of two ranges (the polar emoji's blocks, BMP and astral) ~5x faster than one of
# forty letters: most texts hold no emoji and are answered by this test alone.
_EMOJI_BLOCKS: Final = re.compile(
    "[{}-{}{}-{}]".format(
        min(_POLAR),
        max(c for c in _POLAR if c <= "\uffff"),
        min(c for c in _POLAR if c > "\uffff"),
        max(_POLAR),
    )
)
EMOJI_WEIGHT: Final = 1.2
EMOJI_CAP: Final = 3.0


def english_margin(text: str) -> tuple[float, int]:
    """(logit adjustment, number of polar words and phrases) for the English words of `text`."""
    score = 0
    hits = 0
    flip_left = 0
    lower = text.lower().replace("\u2019", "'")
    for pattern, sign in _EN_PHRASES:
        found = len(pattern.findall(lower))
        score += sign * found
        hits += found
    for word in _WORD.findall(lower):
        if word in ".,!?;":
            flip_left = 0  # negation does not cross punctuation
            continue
        if word in _NEGATORS:
            flip_left = 3
            continue
        sign = 1 if word in EN_POSITIVE else -1 if word in EN_NEGATIVE else 0
        if sign:
            hits += 1
            score += -sign if flip_left > 0 else sign
            flip_left = 0
        elif flip_left > 0:
            flip_left -= 1
    return EN_WEIGHT * score, hits


def emoji_margin(text: str) -> tuple[float, int]:
    """(logit adjustment capped at ±EMOJI_CAP, number of polar emoji) for `text`."""
    score = 0
    hits = 0
    # `re` finds the polar emoji in C; a Python loop over every character was the slow part.
    if _EMOJI_BLOCKS.search(text):
        for ch in _POLAR_EMOJI.findall(text):
            score += 1 if ch in EMOJI_POSITIVE else -1
            hits += 1
    return max(-EMOJI_CAP, min(EMOJI_CAP, EMOJI_WEIGHT * score)), hits


# Compatibility jamo only: a review written in these, punctuation and emoji has no words to read.
_SYLLABLE_OR_LATIN: Final = re.compile("[\uac00-\ud7a3A-Za-z]")
_CRY: Final = re.compile("[ㅠㅜ]+")
_LAUGH: Final = re.compile("[ㅋㅎ]{2,}")
JAMO_WEIGHT: Final = 1.0


def jamo_margin(text: str) -> float | None:
    """Logit for a text of crying / laughing jamo without any word ("ㅠㅠㅠ" -> -1, "ㅋㅋㅋ" -> +1);
    None when the text has words (the model reads it) or no crying or laughing jamo ("ㅡㅡ")."""
    if _SYLLABLE_OR_LATIN.search(text):
        return None
    cry = _CRY.search(text) is not None
    laugh = _LAUGH.search(text) is not None
    if not (cry or laugh):
        return None
    return JAMO_WEIGHT * (laugh - cry)
