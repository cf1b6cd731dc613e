"""The local Korean review analyzer: clause-level sentiment, aspects, topics and emotions.

`LocalAnalyzer.load()` reads the shipped model (models/model.npz + manifest.json, numpy only);
Kiwi is created lazily on the first review. Per review:

1. clean the text (HTML, entities, blank runs) and detect its language;
2. tokenise with Kiwi and cut clauses at contrast/concession endings and sentence ends;
3. score every clause and the whole review with the linear model (+ emoji and English rules),
   calibrated to probabilities; a probability within `NEUTRAL_BAND` of 0.5 is neutral;
4. fold in the star rating as a prior for the review label only; a clearly polar text
   (p >= `CLEAR_P` on the other side) is never overruled by the rating;
5. aspects and open topics per clause; an aspect's polarity comes from its own cue words in the
   clause (aspect_polarity.py), else from the clause's label; emotions from cues and the KOTE model.
Clause offsets refer to the cleaned text. One analyzer is not meant to be used by several
threads at once (one Kiwi each); build one per worker thread or process.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from highpipe.analysis.aspect_polarity import mention_polarity
from highpipe.analysis.aspects import aspect_terms
from highpipe.analysis.emotions import combine, cue_emotions
from highpipe.analysis.features import unit_keys
from highpipe.analysis.lexicon import polarity_hits
from highpipe.analysis.model import ModelBundle, load_bundle
from highpipe.analysis.morph import CONTRAST_EC, Morphology, Tok, split_clauses
from highpipe.analysis.rules import emoji_margin, english_margin
from highpipe.analysis.text import Compact, clean_text, detect_language
from highpipe.analysis.topics import topic_phrases, topic_slug
from highpipe.domain.models import AspectMention, ClauseAnalysis, Review, ReviewAnalysis, SentimentResult
from highpipe.domain.vocab import Sentiment, aspect_label
from highpipe.ports.analyzer import Analyzer

NEUTRAL_BAND: Final = 0.15
CLEAR_P: Final = 0.9
CLEAR_LOGIT: Final = math.log(CLEAR_P / (1 - CLEAR_P))
PRIOR_PER_STAR: Final = 1.0  # rating 5 -> +2 logits, 1 -> -2: always less than a clear text signal
MAX_TOPICS_PER_CLAUSE: Final = 3
# Clause scores add the local lexicon evidence: the review-level model has learnt pragmatics
# ("배송은 빨라요" often opens a complaint) that are wrong for the clause's own polarity.
LEX_WEIGHT: Final = 1.0
LEX_CAP: Final = 3.0
# KOTE's thresholds suit its union-of-raters labels (every emotion is common there); on reviews the
# model emotion must also be the likelier reading.
MODEL_EMOTION_MIN: Final = 0.8
# Confidence given to an aspect polarity read from the aspect's own cue words against the clause's label.
OWN_CUE_SCORE: Final = 0.7
_LATIN: Final = re.compile(r"[A-Za-z]")
_TRAILING_TAGS: Final = frozenset({"SF", "SP", "SE", "SS", "SSO", "SSC", "SO", "SW", "W_EMOJI"})


def clause_core(text: str, toks: list[Tok]) -> tuple[str, list[Tok]]:
    """The clause without a leading conjunction and the trailing connective it was cut at.

    "배송은 빠른데" is scored as "배송은 빠른": the model learnt that a review which goes on
    after "~는데" tends to complain, which is true of the review but not of this clause.
    Trailing emoticons (ㅠㅠ, 👍) are kept.
    """
    lo, hi = 0, len(toks)
    while lo < hi and toks[lo][1] == "MAJ":
        lo += 1
    end = hi
    while end > lo and toks[end - 1][1] in _TRAILING_TAGS:
        end -= 1
    tail = toks[end:hi]
    cut = end
    if cut > lo and toks[cut - 1][1] == "EC" and toks[cut - 1][0] in CONTRAST_EC:
        cut -= 1
    elif cut > lo + 1 and toks[cut - 1][:2] == ("데", "NNB") and toks[cut - 2][1] == "ETM":
        cut -= 2
    if cut <= lo:
        lo, cut = 0, end
    core = [t for t in toks[lo:cut] if not _contrastive_topic(text, t)]
    if not core:
        return text[toks[0][2] : toks[-1][3]] if toks else "", toks
    # Rebuild the text from the kept tokens, keeping the original spacing between them.
    parts = [text[core[0][2] : core[0][3]]]
    for prev, tok in itertools.pairwise(core):
        parts.append((" " if tok[2] > prev[3] else "") + text[max(tok[2], prev[3]) : tok[3]])
    core_text = "".join(parts)
    if tail:
        core_text += " " + text[tail[0][2] : tail[-1][3]]
    return core_text, core + tail


def _contrastive_topic(text: str, tok: Tok) -> bool:
    """The topic particle 은/는 ("배송은 빨라요"): in reviews it announces a contrast ("...but"),
    which the model has learnt as negative; the clause's own polarity lies in its predicate."""
    return tok[1] == "JX" and text[tok[2] : tok[3]] in ("은", "는")


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, x))))


def _label(p: float) -> tuple[Sentiment, float]:
    """Label and its score: the probability for polar labels, the closeness to 0.5 for neutral."""
    if p >= 0.5 + NEUTRAL_BAND:
        return "positive", p
    if p <= 0.5 - NEUTRAL_BAND:
        return "negative", 1.0 - p
    return "neutral", 1.0 - 2.0 * abs(p - 0.5)


@dataclass(frozen=True, slots=True)
class _ClauseScore:
    text: str
    start: int
    end: int
    logit: float
    toks: list[Tok]
    compact: Compact


@dataclass(frozen=True, slots=True)
class _Scored:
    language: str
    clauses: list[_ClauseScore]
    logit: float  # review text logit (calibrated, with the emoji / English rules)
    emotions: npt.NDArray[np.float32]


class LocalAnalyzer(Analyzer):
    """Analyzer port implementation backed by the shipped numpy model and Kiwi."""

    def __init__(self, bundle: ModelBundle) -> None:
        self._bundle = bundle
        self._morph = Morphology()
        self.model_version = bundle.version

    @classmethod
    def load(cls, model_dir: Path | None = None) -> LocalAnalyzer:
        return cls(load_bundle(model_dir))

    @property
    def manifest(self) -> dict[str, object]:
        return dict(self._bundle.manifest)

    # -- public API -----------------------------------------------------------------------------

    def analyze(self, reviews: Sequence[Review]) -> list[ReviewAnalysis]:
        return [self.analyze_text(r.text, r.rating, r.review_uid) for r in reviews]

    def analyze_text(self, raw: str, rating: float | None = None, review_uid: str = "") -> ReviewAnalysis:
        text = clean_text(raw)
        scored = self._score(text)
        clauses = scored.clauses
        if not clauses:
            return ReviewAnalysis(
                review_uid=review_uid,
                sentiment=SentimentResult(label="neutral", score=1.0),
                language=scored.language if text else "und",
                model_version=self.model_version,
            )
        label, score = _label(_sigmoid(self._with_prior(scored.logit, clauses, rating)))
        clause_out: list[ClauseAnalysis] = []
        aspects: list[AspectMention] = []
        # Emotions follow what the text says, not the stars: only clause polarities gate them.
        has_pos = False
        has_neg = False
        context = ""
        for c in clauses:
            c_label, c_score = _label(_sigmoid(c.logit))
            has_pos = has_pos or c_label == "positive"
            has_neg = has_neg or c_label == "negative"
            sent = SentimentResult(label=c_label, score=round(c_score, 4))
            clause_out.append(ClauseAnalysis(text=c.text, start=c.start, end=c.end, sentiment=sent))
            aspects.extend(self._mentions(c, c_label, c_score, context))
            context = c.compact.text
        emotions = combine(cue_emotions(text), self._model_emotions(scored.emotions), has_pos, has_neg)
        return ReviewAnalysis(
            review_uid=review_uid,
            sentiment=SentimentResult(label=label, score=round(score, 4)),
            aspects=aspects,
            emotions=emotions,
            clauses=clause_out,
            language=scored.language,
            model_version=self.model_version,
        )

    def positive_probability(self, raw: str) -> float:
        """P(positive) of a review's text alone (no rating prior): what the benchmarks measure."""
        scored = self._score(clean_text(raw))
        return _sigmoid(scored.logit) if scored.clauses else 0.5

    def emotion_scores(self, raw: str) -> dict[str, float]:
        """The KOTE model's per-emotion probabilities for a text (before thresholds and cues)."""
        scored = self._score(clean_text(raw))
        return dict(zip(self._bundle.scorer.emotions, scored.emotions.tolist(), strict=True))

    def emotion_thresholds(self) -> dict[str, float]:
        scorer = self._bundle.scorer
        return dict(zip(scorer.emotions, scorer.emo_thr.tolist(), strict=True))

    # -- internals ------------------------------------------------------------------------------

    def _calibrated(self, z: float) -> float:
        cal = self._bundle.calibration
        return cal.a * z + cal.b

    def _rules(self, text: str, language: str, logit: float) -> float:
        emo_adj, _ = emoji_margin(text)
        if language == "en":
            en_adj, hits = english_margin(text)
            # The Korean model knows little English: trust the English lexicon, damp the model.
            return (0.2 * logit if hits == 0 else en_adj) + emo_adj
        if language == "und":
            return emo_adj
        en_adj, _ = english_margin(text) if _LATIN.search(text) else (0.0, 0)
        return logit + emo_adj + 0.5 * en_adj

    def _score(self, text: str) -> _Scored:
        """Tokenise, split and score every clause and the whole review (text only, no rating)."""
        language = detect_language(text)
        toks = self._morph.tokens(text) if text else []
        cfg = self._bundle.features
        scorer = self._bundle.scorer
        out: list[_ClauseScore] = []
        union: set[str] = set()
        row_parts: list[npt.NDArray[np.int64]] = []
        mixed = language == "ko" and _LATIN.search(text) is not None
        for c in split_clauses(text, toks):
            ctext = text[c.start : c.end]
            ctoks = toks[c.lo : c.hi]
            compact = Compact(ctext)
            hits = polarity_hits(compact)
            keys = set(unit_keys(ctext, ctoks, cfg, hits))
            rows = scorer.rows(keys)
            union |= keys
            row_parts.append(rows)
            margin = scorer.sentiment(rows, len(keys))
            core_text, core_toks = clause_core(text, ctoks)
            if core_text != ctext:
                # The core differs by a connective or a particle (the clause's lexicon hits stand);
                # only the keys that differ are looked up.
                core = set(unit_keys(core_text, core_toks, cfg, hits))
                margin = scorer.sentiment_delta(
                    rows, scorer.rows(core - keys), scorer.rows(keys - core), len(core)
                )
            lex = sum(1 if sign == "+" else -1 for _, sign in hits)
            base = self._calibrated(margin)
            base += max(-LEX_CAP, min(LEX_CAP, LEX_WEIGHT * lex))
            # A Korean review may hold an English sentence; only then is a clause's language asked.
            c_lang = detect_language(ctext) if mixed else language
            out.append(_ClauseScore(ctext, c.start, c.end, self._rules(ctext, c_lang, base), ctoks, compact))
        all_rows = np.unique(np.concatenate(row_parts)) if row_parts else np.zeros(0, dtype=np.int64)
        margin, emotions = scorer.review(all_rows, len(union))
        return _Scored(language, out, self._rules(text, language, self._calibrated(margin)), emotions)

    def _with_prior(self, text_logit: float, clauses: list[_ClauseScore], rating: float | None) -> float:
        if rating is None:
            return text_logit
        prior = PRIOR_PER_STAR * (max(1.0, min(5.0, float(rating))) - 3.0)
        if prior == 0.0:
            return text_logit
        against = [c.logit for c in clauses if (c.logit > 0) != (prior > 0)]
        clear_against = any(abs(x) >= CLEAR_LOGIT for x in against)
        all_against = len(against) == len(clauses)
        if (text_logit > 0) != (prior > 0) and (
            abs(text_logit) >= CLEAR_LOGIT or (clear_against and all_against)
        ):
            return text_logit  # a clear text signal beats the stars
        return text_logit + prior

    def _model_emotions(self, scores: npt.NDArray[np.float32]) -> list[tuple[str, float]]:
        scorer = self._bundle.scorer
        return [
            (e, float(p))
            for e, p, t in zip(scorer.emotions, scores.tolist(), scorer.emo_thr.tolist(), strict=True)
            if p >= max(t, MODEL_EMOTION_MIN)
        ]

    def _mentions(self, c: _ClauseScore, label: Sentiment, score: float, context: str) -> list[AspectMention]:
        out: list[AspectMention] = []
        s = round(score, 4)
        spans: dict[str, list[tuple[int, int]]] = {}
        for aid, start, end in aspect_terms(c.text, c.toks, c.compact, context):
            spans.setdefault(aid, []).append((start, end))
        for aid, where in spans.items():
            # The aspect's own words decide its polarity when they can ("배송 빨라요" in a clause the
            # model finds neutral); the clause's label otherwise. Any negated repurchase term wins
            # ("재구매 ... 다시는 재구매 안 할 듯").
            votes = [
                mention_polarity(aid, start, end, c.compact)
                for start, end in where[: 1 if aid != "repurchase" else None]
            ]
            own = "negative" if "negative" in votes else votes[0]
            polarity, m_score = (label, s) if own is None or own == label else (own, OWN_CUE_SCORE)
            out.append(
                AspectMention(
                    aspect_id=aid, aspect=aspect_label(aid), polarity=polarity, clause=c.text, score=m_score
                )
            )
        for phrase in topic_phrases(c.text, c.toks)[:MAX_TOPICS_PER_CLAUSE]:
            aid = "topic:" + topic_slug(phrase)
            out.append(AspectMention(aspect_id=aid, aspect=phrase, polarity=label, clause=c.text, score=s))
        return out
