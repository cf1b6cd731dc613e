"""The analyzer's fast paths against the plain definitions they replace.

The hot path skips work whose result is known (a core whose keys are the clause's, blank runs
that are already single spaces, texts without emoji) and does in C what used to be Python loops.
Each test here computes the same thing the plain way and demands the identical result, bit for bit
where floats are involved: the shipped model's outputs must not move by a rounding step.
"""

from __future__ import annotations

import html
import itertools
import json
import math
import os
import random
import re
import subprocess
import sys
import unicodedata
from typing import cast

import numpy as np
import numpy.typing as npt
import pytest

from highpipe.analysis.engine import LEX_CAP, LEX_WEIGHT, LocalAnalyzer
from highpipe.analysis.features import FeatureConfig, char_grams, contrast_tail_keys, morph_keys, unit_keys
from highpipe.analysis.lexicon import polarity_hits
from highpipe.analysis.model import KeyScorer
from highpipe.analysis.morph import Morphology, Tok, clause_core, clause_core_parts, split_clauses
from highpipe.analysis.rules import EMOJI_CAP, EMOJI_NEGATIVE, EMOJI_POSITIVE, EMOJI_WEIGHT, emoji_margin
from highpipe.analysis.stacking import stack_inputs, stacked_logit
from highpipe.analysis.text import Compact, clean_text, detect_language, squash
from highpipe.ports.analyzer import Analyzer

# Written for these tests: particles, contrast endings, leading conjunctions, trailing emoticons,
# odd spacing, line breaks, English, digits and letter runs, negation.
SENTENCES = (
    "배송은 빠른데 포장이 좀 아쉬워요",
    "가격은 저렴하지만 품질은 별로네요.",
    "그런데 사이즈가 생각보다 작아요ㅠㅠ",
    "하지만 색상은 정말 예뻐요!!",
    "좋은데 비싸요",
    "냄새는 안 나요 👍",
    "좋지 않아요. 다시는 안 살 거예요",
    "배송  빠르고   친절해요\n재구매 의사 있습니다",
    "ㅋㅋㅋㅋㅋ 진짜 최고예요 😍😍",
    "Samsung 케이스인데 quality is great, 배송은 느렸어요",
    "2024년 7월에 3개 샀는데 2개가 불량이네요",
    "음식은 맛있는데 양은 적어요",
    "그래도 이 가격에 이 정도면 괜찮은 편이에요~",
    "사이즈는 딱 맞고 착용감도 편해요",
    "포장은 꼼꼼했는데 제품에 흠집이 있어요;;",
    "아이가 너무 좋아해요 ^^",
    "별로예요... 환불하고 싶어요",
    "그냥 그래요",
    "처음엔 좋았는데 한 달 만에 고장났어요",
    "色 좀 다르네요 but ok",
    "   ",
    "!!!",
)


@pytest.fixture(scope="module")
def local(analyzer: Analyzer) -> LocalAnalyzer:
    return cast(LocalAnalyzer, analyzer)


# -- plain definitions ------------------------------------------------------------------------


def plain_char_grams(text: str, lo: int, hi: int) -> list[str]:
    s = plain_squash(text).replace(" ", "").replace("\n", "")
    return [s[i : i + n] for n in range(lo, hi + 1) for i in range(len(s) - n + 1)]


def plain_squash(text: str) -> str:
    return re.sub(r"(.)\1{2,}", r"\1\1", re.sub(r"\d", "0", text.lower()))


def plain_detect_language(text: str) -> str:
    hangul = sum(
        1
        for ch in text
        if 0xAC00 <= ord(ch) <= 0xD7A3 or 0x3131 <= ord(ch) <= 0x318E or 0x1100 <= ord(ch) <= 0x11FF
    )
    latin = sum(1 for ch in text if "a" <= ch <= "z" or "A" <= ch <= "Z")
    if hangul == 0 and latin == 0:
        return "und"
    return "ko" if hangul * 3 >= latin else "en"


def plain_clean_text(text: str) -> str:
    """clean_text with every substitution made whether or not it can change anything."""
    t = unicodedata.normalize("NFC", text)
    t = re.sub(r"<\s*(script|style)\b[^>]*>.*?<\s*/\s*\1\s*>", " ", t, flags=re.IGNORECASE | re.DOTALL)
    t = re.sub(r"<\s*(?:br|/p|p|/div|div|li|/li|tr|/tr)\b[^>]*>", "\n", t, flags=re.IGNORECASE)
    t = re.sub(r"<\s*[/!]?[A-Za-z][^<>]{0,300}>", " ", t)
    t = html.unescape(html.unescape(t))
    t = re.sub(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z]{2,8});", " ", t)
    t = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", " ", t).replace("\r\n", "\n").replace("\r", "\n")
    t = re.sub(r"[ \t\u00a0\u3000\u200b\u200c\u200d\ufeff]+", " ", t)
    return re.sub(r"\s*\n\s*", "\n", t).strip()


def plain_emoji_margin(text: str) -> tuple[float, int]:
    score = sum(1 for ch in text if ch in EMOJI_POSITIVE) - sum(1 for ch in text if ch in EMOJI_NEGATIVE)
    hits = sum(1 for ch in text if ch in EMOJI_POSITIVE or ch in EMOJI_NEGATIVE)
    return max(-EMOJI_CAP, min(EMOJI_CAP, EMOJI_WEIGHT * score)), hits


def plain_rows(scorer: KeyScorer, keys: set[str]) -> npt.NDArray[np.int64]:
    return np.sort(np.fromiter(filter(None, map(scorer._row1.get, keys)), dtype=np.int64))


def plain_clause_margin(local: LocalAnalyzer, text: str, ctext: str, ctoks: list[Tok]) -> float:
    """The clause (core) margin as first written: every core's keys built and diffed, three sums."""
    scorer = local._bundle.scorer
    cfg = local._bundle.features
    hits = polarity_hits(ctext)
    keys = set(unit_keys(ctext, ctoks, cfg, hits))
    rows = plain_rows(scorer, keys)
    core_text, core_toks = clause_core(text, ctoks)
    if core_text == ctext:
        n, total = len(keys), scorer._sent[rows].sum()
    else:
        core = set(unit_keys(core_text, core_toks, cfg, hits))
        added, removed = plain_rows(scorer, core - keys), plain_rows(scorer, keys - core)
        n = len(core)
        total = scorer._sent[rows].sum() + scorer._sent[added].sum() - scorer._sent[removed].sum()
    return scorer.sent_b if n == 0 else float(total) / math.sqrt(n) + scorer.sent_b


# -- tests ------------------------------------------------------------------------------------


def _random_texts(alphabet: str, n: int, seed: int, longest: int = 14) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, longest))) for _ in range(n)]


def test_char_grams_are_the_plain_slices_in_the_same_order() -> None:
    for text in [*SENTENCES, *_random_texts("가나다ab 1ㅋ!!\n", 500, seed=1)]:
        for lo, hi in ((1, 4), (1, 1), (2, 3), (3, 5), (1, 0)):
            assert char_grams(text, lo, hi) == plain_char_grams(text, lo, hi)


def test_squash_language_blanks_and_emoji_match_the_plain_loops() -> None:
    alphabet = "가ㅋa B1٣ \t\u00a0\u3000\u200b\n\r&;<>/👍😡❤☀é"
    for text in [*SENTENCES, *_random_texts(alphabet, 2000, seed=2)]:
        assert squash(text) == plain_squash(text)
        assert detect_language(text) == plain_detect_language(text)
        assert clean_text(text) == plain_clean_text(text)
        assert emoji_margin(text) == plain_emoji_margin(text)


def test_compact_word_starts_are_the_running_lengths() -> None:
    for text in [*SENTENCES, *_random_texts("가a  b\n", 500, seed=3)]:
        words = text.lower().split()
        assert Compact(text)._starts == [sum(len(w) for w in words[:i]) for i in range(len(words))]


def test_distinct_rows_are_numpy_unique() -> None:
    rng = np.random.default_rng(4)
    for _ in range(500):
        parts = [
            rng.integers(0, 40, size=rng.integers(0, 12)).astype(np.int64) for _ in range(rng.integers(0, 4))
        ]
        expected = np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
        got = KeyScorer.distinct(parts)
        assert got.dtype == expected.dtype and np.array_equal(got, expected)


def test_core_flag_means_the_same_morpheme_keys(morph: Morphology) -> None:
    cfg = FeatureConfig()
    flagged = 0
    for sentence in SENTENCES:
        text = clean_text(sentence)
        toks = morph.tokens(text)
        for c in split_clauses(text, toks):
            ctoks = toks[c.lo : c.hi]
            core_text, core_toks, same = clause_core_parts(text, ctoks)
            assert (core_text, core_toks) == clause_core(text, ctoks)
            if same:
                flagged += 1
                assert morph_keys(core_toks, cfg) == morph_keys(ctoks, cfg)
    assert flagged > 0


def test_clause_and_review_scores_are_bit_identical_to_the_plain_path(local: LocalAnalyzer) -> None:
    scorer = local._bundle.scorer
    for sentence in SENTENCES:
        text = clean_text(sentence)
        scored = local._score(text)
        toks = local._morph.tokens(text)
        clauses = split_clauses(text, toks)
        assert [(c.start, c.end) for c in scored.clauses] == [(c.start, c.end) for c in clauses]
        keysets = []
        bases = []
        for got, c in zip(scored.clauses, clauses, strict=True):
            ctext, ctoks = text[c.start : c.end], toks[c.lo : c.hi]
            margin = plain_clause_margin(local, text, ctext, ctoks)
            hits = polarity_hits(ctext)
            lex = sum(1 if sign == "+" else -1 for _, sign in hits)
            base = local._calibrated(margin) + max(-LEX_CAP, min(LEX_CAP, LEX_WEIGHT * lex))
            mixed = scored.language == "ko" and re.search("[A-Za-z]", text) is not None
            language = detect_language(ctext) if mixed else scored.language
            assert got.logit == local._rules(ctext, language, base), ctext
            bases.append(base)
            keysets.append(set(unit_keys(ctext, ctoks, local._bundle.features, hits)))
        union = set().union(*keysets)
        rows = [plain_rows(scorer, k) for k in keysets]
        all_rows = np.unique(np.concatenate(rows)) if rows else np.zeros(0, dtype=np.int64)
        margin, emotions = scorer.review(all_rows, len(union))
        if local._bundle.features.contrast_keys:
            # The sentiment margin also counts the contrast tail's keys (emotions do not).
            tail = contrast_tail_keys(clauses, keysets)
            if tail:
                both = np.unique(np.concatenate([all_rows, plain_rows(scorer, tail)]))
                margin = float(scorer._sent[both].sum()) / math.sqrt(len(union) + len(tail)) + scorer.sent_b
        z = local._calibrated(margin)
        if local._bundle.stack is not None:
            z = stacked_logit(local._bundle.stack, stack_inputs(z, bases, [c.contrast for c in clauses]))
        assert scored.logit == local._rules(text, scored.language, z)
        assert scored.emotions.tobytes() == emotions.tobytes()


_SEED_PROBE = """
import json, sys
from highpipe.analysis.engine import LocalAnalyzer
from highpipe.analysis.text import clean_text
a = LocalAnalyzer.load()
out = []
for t in json.loads(sys.stdin.read()):
    s = a._score(clean_text(t))
    out.append([s.logit.hex()] + [c.logit.hex() for c in s.clauses])
print(json.dumps(out))
"""


def test_scores_do_not_depend_on_the_hash_seed() -> None:
    """Two worker processes must score a review identically, to the last bit. A set's iteration
    order follows the string hash seed; summed in that order, float32 weights gave clause logits
    that differed in their last bits between processes (and, rarely, in the 4th decimal)."""
    texts = [s for s in SENTENCES if s.strip()] + [a + " " + b for a, b in itertools.pairwise(SENTENCES)]
    runs = []
    for seed in ("1", "2", "12345"):
        done = subprocess.run(
            [sys.executable, "-c", _SEED_PROBE],
            input=json.dumps(texts),
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
        )
        runs.append(json.loads(done.stdout))
    assert len(runs[0]) == len(texts)
    assert runs[0] == runs[1] == runs[2]
