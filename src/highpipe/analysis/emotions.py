"""Emotions of a review: review-language cues first, the KOTE-trained model second.

KOTE is about online comments, not purchases, so the model alone over-fires on shopping text
(KOTE's labels are the union of five raters, which makes every emotion common). The engine
therefore keeps a model emotion only when its score clears the per-emotion threshold fitted
on KOTE *and* it agrees with the review's polarity (no `joy` in a wholly negative review), and
adds emotions named by plain review cues such as "괜히 샀" (regret) or "믿고 사는" (trust).
At most `MAX_EMOTIONS` are returned, cue hits first.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from highpipe.analysis.text import Compact, literal_pattern

MAX_EMOTIONS: Final = 3
POSITIVE_EMOTIONS: Final = frozenset({"satisfaction", "joy", "trust", "anticipation"})
NEGATIVE_EMOTIONS: Final = frozenset({"disappointment", "anger", "worry", "regret"})

# Matched on the lower-cased text with spaces removed.
CUES: Final[dict[str, tuple[str, ...]]] = {
    "satisfaction": ("만족", "맘에들", "마음에들", "맘에쏙", "마음에쏙", "흡족", "잘쓰고", "잘샀", "잘산", "편해요",
                     "딱좋", "괜찮", "satisfied", "happywith"),
    "joy": ("행복", "기뻐", "기쁘", "기쁨", "신나", "신난", "감동", "최고", "대박", "사랑", "좋아하", "😍", "🥰",
            "❤", "♥", "love", "amazing"),
    "trust": ("믿고", "믿을만", "믿음", "신뢰", "안심", "믿고쓰", "역시", "정품", "trust", "reliable"),
    "anticipation": ("기대돼", "기대됩", "기대되", "기대중", "기대할", "써볼게", "써보겠", "먹어볼게", "지켜볼",
                     "앞으로", "cantwait"),
    "disappointment": ("실망", "아쉽", "아쉬워", "아쉬운", "기대이하", "기대했는데", "기대와달", "그저그",
                       "별로", "disappoint"),
    "anger": ("화나", "화가", "짜증", "어이없", "어이가없", "황당", "열받", "최악", "장난하", "사기", "불친절",
              "ㅡㅡ", "-_-", "😡", "😠", "🤬", "angry", "worst"),
    "worry": ("걱정", "불안", "찝찝", "의심", "될지모르", "괜찮을지", "무섭", "무서워", "위험", "worried"),
    "surprise": ("놀랐", "놀라", "깜짝", "헐", "신기", "와우", "😮", "😲", "surpris", "wow"),
    "regret": ("괜히샀", "괜히산", "괜히구매", "괜히시켰", "돈아깝", "돈이아깝", "돈아까", "돈이아까", "돈버렸",
               "돈날렸", "후회", "사지마", "사지마세요", "살걸", "반품할걸", "안살걸", "비추", "regret",
               "wasteofmoney"),
}  # fmt: skip

# "후회 없어요", "걱정 안 해도": a cue followed by these is not that emotion.
_DENIED: Final = re.compile(r"(?:없|안해|안하|안되|않|말|no)")


@lru_cache(maxsize=1)
def _matcher() -> tuple[re.Pattern[str], dict[str, str]]:
    table: dict[str, str] = {}
    for emo, cues in CUES.items():
        for cue in cues:
            table.setdefault(cue.lower(), emo)
    return literal_pattern(table), table


def cue_emotions(text: str) -> list[str]:
    """Emotions named by cues in `text`, in order of first appearance."""
    pattern, table = _matcher()
    compact = Compact(text)
    out: list[str] = []
    for m in pattern.finditer(compact.text):
        if not compact.accepts(m.start(), m.end()):
            continue
        emo = table[m.group(0)]
        if emo in ("regret", "worry", "disappointment") and _DENIED.match(compact.text, m.end(), m.end() + 3):
            continue
        if emo not in out:
            out.append(emo)
    return out


def combine(
    cues: list[str],
    model: list[tuple[str, float]],
    has_positive: bool,
    has_negative: bool,
) -> list[str]:
    """Cue emotions, then model emotions by score, keeping only those the polarity allows."""

    def allowed(emo: str) -> bool:
        if emo in POSITIVE_EMOTIONS:
            return has_positive
        if emo in NEGATIVE_EMOTIONS:
            return has_negative
        return True

    out = [e for e in cues if allowed(e)]
    for emo, _score in sorted(model, key=lambda x: -x[1]):
        if len(out) >= MAX_EMOTIONS:
            break
        if emo not in out and allowed(emo):
            out.append(emo)
    return out[:MAX_EMOTIONS]
