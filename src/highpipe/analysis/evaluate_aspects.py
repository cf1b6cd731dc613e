"""Aspect quality against the hand-labelled gold set (tests/data/aspect_gold.jsonl).

Detection is scored per (review, aspect id) pair — open topics are not in the gold set and are ignored —
as micro precision / recall / F1. Polarity accuracy is scored on the pairs found by both: the engine's
polarity for that aspect (the majority of its mentions, ties broken by confidence) must be one of the
gold polarities for it (a review can hold both). Nothing here feeds back into the lexicons.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from highpipe.domain.models import AspectMention, Review
from highpipe.ports.analyzer import Analyzer

DEFAULT_GOLD = Path(__file__).resolve().parents[3] / "tests" / "data" / "aspect_gold.jsonl"


def _dominant(mentions: list[AspectMention]) -> str:
    votes: Counter[str] = Counter()
    weight: defaultdict[str, float] = defaultdict(float)
    for m in mentions:
        votes[m.polarity] += 1
        weight[m.polarity] += m.score
    return max(votes, key=lambda p: (votes[p], weight[p]))


def evaluate_aspects(analyzer: Analyzer, gold_path: Path = DEFAULT_GOLD) -> dict[str, Any]:
    rows = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    reviews = [
        Review(review_uid=f"gold:{r['line']}", product_id="gold", site="gold", text=r["text"]) for r in rows
    ]
    analyses = analyzer.analyze(reviews)  # text only: the gold ratings stay hidden, like the other tests
    tp = fp = fn = 0
    polarity_hits = polarity_total = 0
    per_aspect: dict[str, Counter[str]] = defaultdict(Counter)
    for row, analysis in zip(rows, analyses, strict=True):
        gold: dict[str, set[str]] = defaultdict(set)
        for item in row["aspects"]:
            gold[item["aspect_id"]].add(item["polarity"])
        found: dict[str, list[AspectMention]] = defaultdict(list)
        for mention in analysis.aspects:
            if not mention.aspect_id.startswith("topic:"):
                found[mention.aspect_id].append(mention)
        for aspect_id in set(gold) | set(found):
            if aspect_id in gold and aspect_id in found:
                tp += 1
                per_aspect[aspect_id]["tp"] += 1
                polarity_total += 1
                if _dominant(found[aspect_id]) in gold[aspect_id]:
                    polarity_hits += 1
                    per_aspect[aspect_id]["polarity_ok"] += 1
            elif aspect_id in found:
                fp += 1
                per_aspect[aspect_id]["fp"] += 1
            else:
                fn += 1
                per_aspect[aspect_id]["fn"] += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "reviews": len(rows),
        "gold_pairs": tp + fn,
        "predicted_pairs": tp + fp,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "polarity_accuracy": round(polarity_hits / polarity_total, 4) if polarity_total else None,
        "per_aspect": {
            a: {
                "tp": c["tp"],
                "fp": c["fp"],
                "fn": c["fn"],
                "f1": round(2 * c["tp"] / (2 * c["tp"] + c["fp"] + c["fn"]), 3) if c["tp"] else 0.0,
            }
            for a, c in sorted(per_aspect.items())
        },
        "targets": {"f1": 0.80, "polarity_accuracy": 0.85},
    }
