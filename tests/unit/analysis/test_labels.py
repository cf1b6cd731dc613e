"""labels.py on hand-built scores: the neutral band, its lean, and the star-rating prior."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from highpipe.analysis.labels import CLEAR_LOGIT, NEUTRAL_BAND, label_of, lean, with_prior


@dataclass
class Clause:
    logit: float
    lex_pos: int = 0
    lex_neg: int = 0


def mention(aspect_id: str, polarity: str) -> dict[str, object]:
    return {"aspect_id": aspect_id, "polarity": polarity}


def test_label_of_bands() -> None:
    assert label_of(0.5 + NEUTRAL_BAND) == ("positive", 0.5 + NEUTRAL_BAND)
    assert label_of(0.2) == ("negative", pytest.approx(0.8))
    assert label_of(0.55) == ("neutral", pytest.approx(0.9))


@pytest.mark.parametrize(
    ("p", "mentions", "expected"),
    [
        (0.6, [mention("durability", "positive")], ("positive", 0.6)),
        (0.4, [mention("delivery", "negative"), mention("price", "neutral")], ("negative", 0.6)),
        (0.6, [mention("durability", "negative")], ("neutral", 0.8)),  # the cue is against the lean
        (0.6, [mention("price", "positive"), mention("size", "negative")], ("neutral", 0.8)),
        (0.6, [mention("topic:배터리", "positive")], ("neutral", 0.8)),  # topics are no evidence
        (0.6, [], ("neutral", 0.8)),
        (0.9, [mention("size", "negative")], ("positive", 0.9)),  # outside the band: p decides
    ],
)
def test_lean(p: float, mentions: list[dict[str, object]], expected: tuple[str, float]) -> None:
    label, score = lean(p, mentions)
    assert (label, score) == (expected[0], pytest.approx(expected[1]))


def test_with_prior() -> None:
    assert with_prior(0.5, [Clause(0.5)], None) == 0.5
    assert with_prior(0.5, [Clause(0.5)], 3) == 0.5
    assert with_prior(0.5, [Clause(0.5)], 5) == 2.5  # agreeing stars add up
    assert with_prior(-0.5, [Clause(-0.5)], 5) == 1.5  # an unsure text follows the stars
    clear = -(CLEAR_LOGIT + 0.1)
    assert with_prior(clear, [Clause(clear)], 5) == clear  # a clear text keeps its side
    # Every clause against the stars, one with polar words of its own side only: the text wins.
    assert with_prior(-1.0, [Clause(-2.0, lex_neg=1)], 5) == -1.0
    # ...but not when a clause sides with the stars, or the clause's words are mixed.
    assert with_prior(-1.0, [Clause(-2.0, lex_neg=1), Clause(0.5)], 5) == 1.0
    assert with_prior(-1.0, [Clause(-2.0, lex_neg=1, lex_pos=1)], 5) == 1.0
    assert with_prior(1.0, [Clause(2.0, lex_pos=2)], 1) == 1.0
