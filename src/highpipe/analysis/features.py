"""Sentiment features of one text unit (a clause), shared by training and inference.

A unit yields a list of string keys; the model maps them to weights through its vocabulary
(no hashing, so there are no collisions and no hash-seed pitfalls). Keys:

- character n-grams of the squashed text with spaces removed, so that spacing errors
  ("배송빠르고좋아요" vs "배송 빠르고 좋아요") give the same grams;
- `\\tM<form><tag>`: morphemes with a coarse tag; `\\tB<a>|<b>`: morpheme bigrams
  (particles skipped);
- `\\tN<form>`: a predicate under negation ("안 좋아요", "좋지 않아요", "못 쓰겠어요"), so that the
  model can learn that negation flips it;
- `\\tL+` / `\\tL-` / `\\tL0`: hits in the hand-written shopping polarity lexicon (lexicon.py), the
  bridge between the movie-heavy training data and shopping reviews;
- sentiment only (`FeatureConfig.contrast_keys`): `\\tC` + each word-level key (`\\tM`, `\\tB`, `\\tN`,
  `\\tL`) of the clauses from the last one that follows a contrast connector to the end of the review
  ("배송은 빠른데 | 품질은 별로예요"): the verdict of a mixed review usually sits there.
The tab never survives `squash` + space removal, so morpheme keys cannot collide with n-grams.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from highpipe.analysis.lexicon import polarity_cues
from highpipe.analysis.morph import Clause, Tok, split_clauses
from highpipe.analysis.text import squash

_SKIP_TAGS = frozenset(
    {"JKS", "JKC", "JKG", "JKO", "JKB", "JKV", "JKQ", "JX", "JC", "SP", "SS", "SSO", "SSC"}
)
_PRED_TAGS = frozenset({"VV", "VA", "XR", "VV-I", "VA-I", "VV-R", "VA-R"})
_NEG_ADVERBS = frozenset({"안", "못", "아니", "전혀"})
_NEG_AUX = frozenset({"않", "못하", "말", "못"})


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    char_min: int = 1
    char_max: int = 4
    morphemes: bool = True
    bigrams: bool = True
    negation: bool = True
    lexicon: bool = True
    # Sentiment review keys also get prefixed copies of the contrast tail's word-level keys.
    # Off by default so that a manifest written before this option loads as it was trained.
    contrast_keys: bool = False
    extra: dict[str, object] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "char_min": self.char_min,
            "char_max": self.char_max,
            "morphemes": self.morphemes,
            "bigrams": self.bigrams,
            "negation": self.negation,
            "lexicon": self.lexicon,
            "contrast_keys": self.contrast_keys,
        }

    @classmethod
    def from_json(cls, d: dict[str, object]) -> FeatureConfig:
        def _int(key: str, default: int) -> int:
            v = d.get(key, default)
            return v if isinstance(v, int) else default

        return cls(
            char_min=_int("char_min", 1),
            char_max=_int("char_max", 4),
            morphemes=bool(d.get("morphemes", True)),
            bigrams=bool(d.get("bigrams", True)),
            negation=bool(d.get("negation", True)),
            lexicon=bool(d.get("lexicon", True)),
            contrast_keys=bool(d.get("contrast_keys", False)),
        )


def _coarse(tag: str) -> str:
    if tag.startswith("NN"):
        return "N"
    if tag.startswith("VV") or tag == "XSV":
        return "V"
    if tag.startswith("VA") or tag == "XSA":
        return "A"
    return tag[:2]


# Kiwi has a few dozen tags: their coarse forms are remembered rather than recomputed per token.
_COARSE: dict[str, str] = {}


def gram_source(text: str) -> str:
    """What the character n-grams are cut from: the squashed text without spaces or line breaks."""
    return squash(text).replace(" ", "").replace("\n", "")


def char_grams(text: str, lo: int, hi: int, source: str | None = None) -> list[str]:
    """Character n-grams, all n = lo first, then lo + 1, ... (the order training saw).

    `source` may pass in `gram_source(text)` when the caller already has it.
    """
    s = gram_source(text) if source is None else source
    out: list[str] = []
    # Each n-gram is the (n-1)-gram at the same place plus one letter: `map(add, ...)` builds them
    # in C, ~40% faster than slicing every gram in a Python loop.
    grams: Sequence[str] = s  # the 1-grams: the letters themselves
    for n in range(min(lo, 1), hi + 1):
        if n < 1:  # no shipped configuration asks for these; they are what plain slicing gives
            out += [s[i : i + n] for i in range(len(s) - n + 1)]
            continue
        if n > 1:
            grams = list(map(operator.add, grams, s[n - 1 :]))
        if n >= lo:
            out += grams
    return out


def morph_keys(toks: Iterable[Tok], cfg: FeatureConfig) -> list[str]:
    out: list[str] = []
    append = out.append
    coarse_of = _COARSE
    morphemes, bigrams, negation = cfg.morphemes, cfg.bigrams, cfg.negation
    prev = ""
    neg_pending = False
    last_pred = ""
    last_was_ji = False
    for form, tag, _, _ in toks:
        if tag in _SKIP_TAGS:
            continue
        f = form.lower() if tag == "SL" else form
        if morphemes:
            coarse = coarse_of.get(tag)
            if coarse is None:
                coarse = coarse_of[tag] = _coarse(tag)
            append("\tM" + f + coarse)
        if bigrams and prev:
            append("\tB" + prev + "|" + f)
        if negation:
            if tag == "MAG" and f in _NEG_ADVERBS:
                neg_pending = True
            elif tag in _PRED_TAGS or (tag == "NNG" and neg_pending):
                if neg_pending:
                    append("\tN" + f)
                    neg_pending = False
                last_pred = f
            elif tag == "VX" and f in _NEG_AUX and last_was_ji and last_pred:
                append("\tN" + last_pred)
            elif tag in ("EF", "SF"):
                neg_pending = False
            last_was_ji = tag == "EC" and f == "지"
        prev = f
    return out


def unit_keys(
    text: str,
    toks: Iterable[Tok],
    cfg: FeatureConfig,
    hits: list[tuple[str, str]] | None = None,
    morph: list[str] | None = None,
    source: str | None = None,
) -> list[str]:
    """All feature keys of one clause (`text` is the clause's own text, `toks` its tokens).

    `hits` (`lexicon.polarity_hits(text)`), `morph` (`morph_keys(toks, cfg)`) and `source`
    (`gram_source(text)`) may be passed in when the caller already has them.
    """
    keys = char_grams(text, cfg.char_min, cfg.char_max, source)
    keys.extend(morph_keys(toks, cfg) if morph is None else morph)
    if cfg.lexicon:
        keys.extend(polarity_cues(text) if hits is None else ["\tL" + sign for _, sign in hits])
    return keys


def clause_key_lists(
    text: str, toks: list[Tok], clauses: Iterable[Clause], cfg: FeatureConfig
) -> list[list[str]]:
    """Feature keys of every clause of a review (the review's keys are their union)."""
    return [unit_keys(text[c.start : c.end], toks[c.lo : c.hi], cfg) for c in clauses]


def review_key_set(text: str, toks: list[Tok], cfg: FeatureConfig) -> set[str]:
    """The review-level key set used both in training and at inference."""
    out: set[str] = set()
    for keys in clause_key_lists(text, toks, split_clauses(text, toks), cfg):
        out.update(keys)
    return out


CONTRAST_PREFIX = "\tC"


def contrast_tail_keys(clauses: Sequence[Clause], key_lists: Sequence[Iterable[str]]) -> set[str]:
    """`\\tC` copies of the word-level keys (morphemes, bigrams, negations, lexicon hits; no character
    n-grams) of the clauses from the last contrast clause (`Clause.contrast`) to the end; empty when
    the review has no contrast. Sentiment only: the emotion model never sees these keys."""
    last = next((i for i in range(len(clauses) - 1, -1, -1) if clauses[i].contrast), -1)
    if last < 0:
        return set()
    return {CONTRAST_PREFIX + k for keys in key_lists[last:] for k in keys if k[:1] == "\t"}


def sentiment_key_set(text: str, toks: list[Tok], cfg: FeatureConfig) -> set[str]:
    """The review-level key set of the sentiment model: `review_key_set` plus, when
    `cfg.contrast_keys`, the contrast-tail keys (training and inference alike)."""
    clauses = split_clauses(text, toks)
    lists = clause_key_lists(text, toks, clauses, cfg)
    out: set[str] = set().union(*lists) if lists else set()
    if cfg.contrast_keys:
        out |= contrast_tail_keys(clauses, lists)
    return out
