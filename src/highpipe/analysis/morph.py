"""Kiwi morphological analysis and clause splitting.

`Morphology` owns one Kiwi instance, created on first use (Kiwi takes ~1 s to load, so it is
never built at import time). Tokens are plain tuples `(form, tag, start, end)` with character
offsets into the analysed text: tuples keep the hot path cheap.

Clauses are cut where Korean reviews change topic or polarity:
- sentence ends (EF / SF) and line breaks;
- contrast and concession endings: ~지만, ~는데 / ~ㄴ데 (also Kiwi's ETM + NNB '데' reading),
  ~(으)나, ~아도/어도, ~더라도;
- the listing ending ~고 when a new phrase follows (배송도 빠르고 | 가격도 싸요), but not before an
  auxiliary verb (사고 싶어요);
- before conjunctive adverbs (그런데, 근데, 하지만, 그래도, ...) and English "but", "however", ...
Trailing punctuation, emoticons and ㅋㅋ/ㅠㅠ stay with the clause they follow, and so does the polite
particle 요 after an ending ("해주더라고 + 요."). `clause_core` is what
the engine scores of a clause: without the connective it was cut at and without 은/는.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from kiwipiepy import Kiwi

Tok = tuple[str, str, int, int]

CONTRAST_EC: Final = frozenset(
    {"지만", "는데", "은데", "ᆫ데", "ㄴ데", "던데", "는데도", "은데도", "ᆫ데도", "나", "으나",
     "어도", "아도", "여도", "더라도", "지마는", "건만", "던데요", "다만"}
)  # fmt: skip
CONTRAST_MAJ: Final = frozenset(
    {"그런데", "근데", "하지만", "그러나", "그래도", "그렇지만", "그치만", "다만", "반면", "반면에", "근데도",
     "그러니까", "그리고", "또한", "게다가", "대신", "그런데도", "그럼에도"}
)  # fmt: skip
# English contrast words (Kiwi tags English words SL): "The color is nice but it runs small".
EN_CONTRAST: Final = frozenset({"but", "however", "though", "although", "yet"})
# Shopping nouns Kiwi's dictionary lacks or reads as proper nouns / verb + noun (보풀 -> 보/VV 풀/NNG);
# registered as common nouns so that they become tokens, features and topics.
SHOPPING_NOUNS: Final = (
    "보풀", "뽁뽁이", "털빠짐", "물빠짐", "발림성", "쿠션감", "그립감", "착화감", "흡수력", "가성비", "재구매",
    "실밥", "마감처리", "박음질", "통기성", "신축성", "밀착력", "지속력", "커버력", "세정력", "보습력",
)  # fmt: skip
_TRAILING: Final = frozenset({"SF", "SP", "SS", "SSC", "SE", "SW", "W_EMOJI", "SO"})
_PREDICATE: Final = frozenset({"VV", "VA", "VX", "VCP", "VCN", "XSV", "XSA", "VV-I", "VA-I", "VV-R", "VA-R"})
# Kept at the end of a clause core: the clause's trailing tags plus an opening bracket (SSO).
_CORE_TRAILING: Final = frozenset({"SF", "SP", "SE", "SS", "SSO", "SSC", "SO", "SW", "W_EMOJI"})
# The only tags `_break_after` can cut after: other tokens skip the call (it runs per token).
_BREAK_TAGS: Final = frozenset({"EF", "EC", "NNB"})


@dataclass(frozen=True, slots=True)
class Clause:
    start: int
    end: int
    lo: int  # first token index
    hi: int  # one past the last token index
    contrast: bool  # follows a contrast connector (the clause that usually carries the verdict)


class Morphology:
    """Lazy Kiwi wrapper; one per analyzer (and so per thread that owns the analyzer)."""

    def __init__(self) -> None:
        self._kiwi: Kiwi | None = None

    @property
    def kiwi(self) -> Kiwi:
        if self._kiwi is None:
            from kiwipiepy import Kiwi

            # num_workers=1: one analysis thread; the engine's throughput is quoted per core.
            kiwi = Kiwi(num_workers=1)
            for noun in SHOPPING_NOUNS:
                kiwi.add_user_word(noun, "NNG", 0.0)
            self._kiwi = kiwi
        return self._kiwi

    def tokens(self, text: str) -> list[Tok]:
        if not text.strip():
            return []
        raw: Any = self.kiwi.tokenize(text)
        return [(t.form, t.tag, t.start, t.start + t.len) for t in raw]


def _break_after(toks: list[Tok], i: int) -> bool:
    form, tag, _, _ = toks[i]
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if tag == "EF":
        return True
    if tag == "EC":
        if form in CONTRAST_EC:
            return True
        if form == "고" and nxt is not None and nxt[1] not in _PREDICATE and nxt[1] not in _TRAILING:
            return True
        return False
    if tag == "NNB" and form == "데" and i > 0 and toks[i - 1][1] == "ETM":
        # "좋은데 비싸요": Kiwi reads the contrast ending as ETM + bound noun; "쓰는 데에" keeps a particle.
        return nxt is None or not nxt[1].startswith("J")
    return False


def _is_contrast(toks: list[Tok], i: int) -> bool:
    form, tag, _, _ = toks[i]
    return (tag == "EC" and form in CONTRAST_EC) or (tag == "NNB" and form == "데")


def split_clauses(text: str, toks: list[Tok]) -> list[Clause]:
    """Cut `toks` (of `text`) into clauses; every token belongs to exactly one clause."""
    if not toks:
        return []
    clauses: list[Clause] = []
    lo = 0
    contrast_cur = False
    n = len(toks)
    i = 0
    # Most texts hold no line break: then no gap between tokens needs slicing to look for one.
    has_nl = "\n" in text
    while i < n:
        form, tag, start, _ = toks[i]
        # A conjunctive adverb (English: "but", "however"), or a line break opens a new clause
        # before the token.
        english_contrast = tag == "SL" and form.lower() in EN_CONTRAST
        if i > lo and (
            (tag == "MAJ" and form in CONTRAST_MAJ)
            or english_contrast
            or (has_nl and "\n" in text[toks[i - 1][3] : start])
        ):
            clauses.append(Clause(toks[lo][2], toks[i - 1][3], lo, i, contrast_cur))
            lo = i
            contrast_cur = False
        if (
            tag == "MAJ" and form in CONTRAST_MAJ and form not in ("그리고", "또한", "게다가")
        ) or english_contrast:
            contrast_cur = True
        if tag in _BREAK_TAGS and _break_after(toks, i):
            is_c = _is_contrast(toks, i)
            j = i + 1
            while (
                j < n
                and (toks[j][1] in _TRAILING or toks[j][:2] == ("요", "JX"))
                and not (has_nl and "\n" in text[toks[j - 1][3] : toks[j][2]])
            ):
                j += 1
            clauses.append(Clause(toks[lo][2], toks[j - 1][3], lo, j, contrast_cur))
            lo = j
            contrast_cur = is_c
            i = j
            continue
        i += 1
    if lo < n:
        if clauses and all(t[1] in _TRAILING for t in toks[lo:n]):
            last = clauses[-1]
            clauses[-1] = Clause(last.start, toks[n - 1][3], last.lo, n, last.contrast)
        else:
            clauses.append(Clause(toks[lo][2], toks[n - 1][3], lo, n, contrast_cur))
    return clauses


def clause_core_parts(text: str, toks: list[Tok]) -> tuple[str, list[Tok], bool]:
    """The clause without a leading conjunction and the trailing connective it was cut at.

    "배송은 빠른데" is scored as "배송은 빠른": the model learnt that a review which goes on
    after "~는데" tends to complain, which is true of the review but not of this clause.
    Trailing emoticons (ㅠㅠ, 👍) are kept. The flag is true when nothing but 은/는 particles was
    dropped: the morpheme features, which skip particles, are then those of the whole clause.
    """
    lo, hi = 0, len(toks)
    while lo < hi and toks[lo][1] == "MAJ":
        lo += 1
    end = hi
    while end > lo and toks[end - 1][1] in _CORE_TRAILING:
        end -= 1
    tail = toks[end:hi]
    cut = end
    if cut > lo and toks[cut - 1][1] == "EC" and toks[cut - 1][0] in CONTRAST_EC:
        cut -= 1
    elif cut > lo + 1 and toks[cut - 1][:2] == ("데", "NNB") and toks[cut - 2][1] == "ETM":
        cut -= 2
    if cut <= lo:
        lo, cut = 0, end
    # Without the topic particle 은/는 ("배송은 빨라요"): in reviews it announces a contrast
    # ("...but"), which the model has learnt as negative; the clause's polarity lies in its predicate.
    core = [t for t in toks[lo:cut] if t[1] != "JX" or text[t[2] : t[3]] not in ("은", "는")]
    if not core:
        return text[toks[0][2] : toks[-1][3]] if toks else "", toks, True
    # Rebuild the text from the kept tokens, keeping the original spacing between them (a space
    # where the next token starts after the previous one ended; Kiwi's spans may overlap).
    prev_end = core[0][3]
    parts = [text[core[0][2] : prev_end]]
    for _, _, start, end_ in core[1:]:
        parts.append(" " + text[start:end_] if start > prev_end else text[prev_end:end_])
        prev_end = end_
    core_text = "".join(parts)
    if tail:
        core_text += " " + text[tail[0][2] : tail[-1][3]]
    return core_text, core + tail, lo == 0 and cut == end


def clause_core(text: str, toks: list[Tok]) -> tuple[str, list[Tok]]:
    """The clause without a leading conjunction and the trailing connective it was cut at (see
    `clause_core_parts`)."""
    core_text, core_toks, _ = clause_core_parts(text, toks)
    return core_text, core_toks
