"""The local Korean review analyzer: clause-level sentiment, aspects, topics and emotions.

`LocalAnalyzer.load()` reads the shipped model (models/model.npz + manifest.json, numpy only);
Kiwi is created lazily on the first review. Per review:

1. clean the text (HTML, entities, blank runs) and detect its language;
2. tokenise with Kiwi and cut clauses at contrast/concession endings and sentence ends;
3. score every clause and the whole review with the linear model (+ emoji and English rules),
   calibrated to probabilities; a probability within `NEUTRAL_BAND` of 0.5 is neutral, unless
   the polar aspect mentions of that clause or review all confirm the side it leans to (labels.py);
4. fold in the star rating as a prior for the review label only; a clearly polar text is never
   overruled by the rating (labels.py: p >= `CLEAR_P` on the other side, or every clause on the
   other side and one of them clearly so, by its score or by polar words of that side only);
5. aspects and open topics per clause; an aspect's polarity comes from its own cue words in the
   clause (aspect_polarity.py), else from the clause's label; emotions from cues and the KOTE model.
Clause offsets refer to the cleaned text. One analyzer is not meant to be used by several
threads at once (one Kiwi each); build one per worker thread or process.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from highpipe.analysis.emotions import combine, cue_emotions
from highpipe.analysis.features import contrast_tail_keys, gram_source, morph_keys, unit_keys
from highpipe.analysis.labels import label_of, lean, sigmoid, with_prior
from highpipe.analysis.lexicon import polarity_hits
from highpipe.analysis.mentions import clause_mentions
from highpipe.analysis.model import ModelBundle, load_bundle
from highpipe.analysis.morph import Morphology, Tok, clause_core_parts, split_clauses
from highpipe.analysis.rules import emoji_margin, english_margin, jamo_margin
from highpipe.analysis.stacking import stack_inputs, stacked_logit
from highpipe.analysis.text import Compact, clean_text, detect_language
from highpipe.domain.models import Review, ReviewAnalysis, SentimentResult
from highpipe.ports.analyzer import Analyzer

# Clause scores add the local lexicon evidence: the review-level model has learnt pragmatics
# ("배송은 빨라요" often opens a complaint) that are wrong for the clause's own polarity.
LEX_WEIGHT: Final = 1.0
LEX_CAP: Final = 3.0
# KOTE's thresholds suit its union-of-raters labels (every emotion is common there); on reviews the
# model emotion must also be the likelier reading.
MODEL_EMOTION_MIN: Final = 0.8
_LATIN: Final = re.compile(r"[A-Za-z]")


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ is several times slower
class _ClauseScore:
    text: str
    start: int
    end: int
    logit: float
    toks: list[Tok]
    compact: Compact
    lex_pos: int  # the clause's positive / negative lexicon hits (lexicon.polarity_hits)
    lex_neg: int


@dataclass(slots=True)
class _Scored:
    language: str
    clauses: list[_ClauseScore]
    logit: float  # review text logit (calibrated, stacked, with the emoji / English rules)
    emotions: npt.NDArray[np.float32]
    stack_in: tuple[float, ...]  # the stacker's inputs (stacking.STACK_INPUTS), kept for training


class LocalAnalyzer(Analyzer):
    """Analyzer port implementation backed by the shipped numpy model and Kiwi."""

    def __init__(self, bundle: ModelBundle) -> None:
        self._bundle = bundle
        self._morph = Morphology()
        self.model_version = bundle.version
        scorer = bundle.scorer
        # Per emotion, the score a model emotion must reach (see _model_emotions).
        self._emotion_min = [
            (e, max(t, MODEL_EMOTION_MIN))
            for e, t in zip(scorer.emotions, scorer.emo_thr.tolist(), strict=True)
        ]

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
        p_review = sigmoid(with_prior(scored.logit, clauses, rating))
        # Plain dicts validated once as a whole ReviewAnalysis below: one pydantic call per review
        # instead of one per clause and mention (same models, same validation, ~1/3 less time).
        clause_out: list[dict[str, object]] = []
        aspects: list[dict[str, object]] = []
        # Emotions follow what the text says, not the stars: only clause polarities gate them.
        has_pos = False
        has_neg = False
        context = ""
        for c in clauses:
            p = sigmoid(c.logit)
            c_label, c_score = label_of(p)
            mentions = clause_mentions(c.text, c.toks, c.compact, c_label, c_score, context)
            if c_label == "neutral":
                c_label, c_score = lean(p, mentions)
                if c_label != "neutral":  # open topics take their clause's label
                    for m in mentions:
                        if str(m["aspect_id"]).startswith("topic:"):
                            m["polarity"], m["score"] = c_label, round(c_score, 4)
            has_pos = has_pos or c_label == "positive"
            has_neg = has_neg or c_label == "negative"
            sent = {"label": c_label, "score": round(c_score, 4)}
            clause_out.append({"text": c.text, "start": c.start, "end": c.end, "sentiment": sent})
            aspects.extend(mentions)
            context = c.compact.text
        label, score = lean(p_review, aspects)
        emotions = combine(cue_emotions(text), self._model_emotions(scored.emotions), has_pos, has_neg)
        return ReviewAnalysis.model_validate(
            {
                "review_uid": review_uid,
                "sentiment": {"label": label, "score": round(score, 4)},
                "aspects": aspects,
                "emotions": emotions,
                "clauses": clause_out,
                "language": scored.language,
                "model_version": self.model_version,
            }
        )

    def positive_probability(self, raw: str) -> float:
        """P(positive) of a review's text alone (no rating prior): what the benchmarks measure."""
        scored = self._score(clean_text(raw))
        return sigmoid(scored.logit) if scored.clauses else 0.5

    def emotion_scores(self, raw: str) -> dict[str, float]:
        """The KOTE model's per-emotion probabilities for a text (before thresholds and cues)."""
        scored = self._score(clean_text(raw))
        return dict(zip(self._bundle.scorer.emotions, scored.emotions.tolist(), strict=True))

    def stack_inputs(self, raw: str) -> tuple[float, ...]:
        """The clause stacker's inputs for a text (train.py fits the stacker weights on them)."""
        return self._score(clean_text(raw)).stack_in

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
        if (jamo := jamo_margin(text)) is not None:
            return jamo + emo_adj
        en_adj, _ = english_margin(text) if _LATIN.search(text) else (0.0, 0)
        return logit + emo_adj + 0.5 * en_adj

    def _score(self, text: str) -> _Scored:
        """Tokenise, split and score every clause and the whole review (text only, no rating)."""
        language = detect_language(text)
        toks = self._morph.tokens(text) if text else []
        cfg = self._bundle.features
        scorer = self._bundle.scorer
        out: list[_ClauseScore] = []
        keysets: list[set[str]] = []
        row_parts: list[npt.NDArray[np.int64]] = []
        bases: list[float] = []  # clause logits before the emoji / English rules: the stacker's inputs
        clauses = split_clauses(text, toks)
        mixed = language == "ko" and _LATIN.search(text) is not None
        for c in clauses:
            ctext = text[c.start : c.end]
            ctoks = toks[c.lo : c.hi]
            compact = Compact(ctext)
            hits = polarity_hits(compact)
            source = gram_source(ctext)
            morph = morph_keys(ctoks, cfg)
            keys = set(unit_keys(ctext, ctoks, cfg, hits, morph, source))
            rows = scorer.rows(keys)
            keysets.append(keys)
            row_parts.append(rows)
            margin = self._core_margin(text, ctext, ctoks, hits, keys, rows, source, morph)
            lex_pos = sum(1 for _, sign in hits if sign == "+")
            lex_neg = len(hits) - lex_pos
            base = self._calibrated(margin)
            base += max(-LEX_CAP, min(LEX_CAP, LEX_WEIGHT * (lex_pos - lex_neg)))
            bases.append(base)
            # A Korean review may hold an English sentence; only then is a clause's language asked.
            c_lang = detect_language(ctext) if mixed else language
            logit = self._rules(ctext, c_lang, base)
            out.append(_ClauseScore(ctext, c.start, c.end, logit, ctoks, compact, lex_pos, lex_neg))
        # Only the count of the review's distinct keys is needed: a one-clause review (the most
        # common kind) has its clause's, and otherwise the union starts from a copy of the first
        # set, cheaper than adding its keys one by one.
        n_distinct = len(keysets[0]) if len(keysets) == 1 else len(set().union(*keysets))
        distinct = scorer.distinct(row_parts)
        margin, emotions = scorer.review(distinct, n_distinct)
        if cfg.contrast_keys:
            # The sentiment model also saw the contrast tail's prefixed keys (emotions did not): rescore.
            tail = contrast_tail_keys(clauses, keysets)
            if tail:
                both = scorer.distinct([distinct, scorer.rows(tail)])
                margin = scorer.sentiment(both, n_distinct + len(tail))
        z = self._calibrated(margin)
        stack_in = stack_inputs(z, bases, [c.contrast for c in clauses])
        if self._bundle.stack is not None:
            z = stacked_logit(self._bundle.stack, stack_in)
        return _Scored(language, out, self._rules(text, language, z), emotions, stack_in)

    def _core_margin(
        self,
        text: str,
        ctext: str,
        ctoks: list[Tok],
        hits: list[tuple[str, str]],
        keys: set[str],
        rows: npt.NDArray[np.int64],
        source: str,
        morph: list[str],
    ) -> float:
        """Raw margin of the clause's core (`morph.clause_core_parts`), from the clause's keys and rows."""
        scorer = self._bundle.scorer
        cfg = self._bundle.features
        core_text, core_toks, same_morph = clause_core_parts(text, ctoks)
        if core_text == ctext:
            return scorer.sentiment(rows, len(keys))
        # The core differs by a connective or a particle (the clause's lexicon hits stand). Without
        # 은/는 alone the morpheme keys are the clause's (particles make none); when the letters
        # are the same too (the core differs by spacing only), so are all the keys.
        core_source = gram_source(core_text)
        if same_morph and core_source == source:
            return scorer.sentiment(rows, len(keys))
        core = set(unit_keys(core_text, core_toks, cfg, hits, morph if same_morph else None, core_source))
        # Only the keys that differ are looked up.
        return scorer.sentiment_delta(rows, scorer.rows(core - keys), scorer.rows(keys - core), len(core))

    def _model_emotions(self, scores: npt.NDArray[np.float32]) -> list[tuple[str, float]]:
        return [
            (e, p) for (e, least), p in zip(self._emotion_min, scores.tolist(), strict=True) if p >= least
        ]
