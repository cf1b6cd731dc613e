"""The aspect scorer itself: precision/recall/F1 and polarity accuracy on a tiny hand-made gold file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from highpipe.analysis.evaluate_aspects import evaluate_aspects
from highpipe.domain.models import AspectMention, Review, ReviewAnalysis, SentimentResult
from highpipe.ports.analyzer import Analyzer


class Scripted(Analyzer):
    def __init__(self, answers: dict[str, list[tuple[str, str]]]) -> None:
        self.answers = answers

    def analyze(self, reviews: Sequence[Review]) -> list[ReviewAnalysis]:
        return [
            ReviewAnalysis(
                review_uid=r.review_uid,
                sentiment=SentimentResult(label="neutral", score=0.5),
                aspects=[
                    AspectMention(aspect_id=a, aspect=a, polarity=p, clause=r.text)  # type: ignore[arg-type]
                    for a, p in self.answers.get(r.text, [])
                ],
            )
            for r in reviews
        ]


def test_scores(tmp_path: Path) -> None:
    gold = [
        {
            "line": 5,
            "text": "a",
            "rating": 5,
            "aspects": [{"aspect_id": "delivery", "polarity": "positive", "evidence": "a"}],
        },
        {
            "line": 10,
            "text": "b",
            "rating": 2,
            "aspects": [
                {"aspect_id": "size", "polarity": "negative", "evidence": "b"},
                {"aspect_id": "price", "polarity": "positive", "evidence": "b"},
            ],
        },
        {"line": 15, "text": "c", "rating": 4, "aspects": []},
    ]
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(g) for g in gold), encoding="utf-8")
    analyzer = Scripted(
        {
            "a": [("delivery", "positive"), ("topic:배터리", "negative")],  # the topic is ignored
            "b": [("size", "positive"), ("size", "negative"), ("size", "negative")],  # majority: negative
            "c": [("design", "positive")],  # a false positive
        }
    )
    result = evaluate_aspects(analyzer, path)
    assert result["gold_pairs"] == 3 and result["predicted_pairs"] == 3
    assert result["precision"] == round(2 / 3, 4) and result["recall"] == round(2 / 3, 4)
    assert result["polarity_accuracy"] == 1.0
    assert result["per_aspect"]["price"] == {"tp": 0, "fp": 0, "fn": 1, "f1": 0.0}
