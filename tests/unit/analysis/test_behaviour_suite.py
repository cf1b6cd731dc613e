"""The behavioural suite's data files are well formed, and its checker judges each expectation.

No engine here: `check_case` runs on hand-built `ReviewAnalysis` objects, so these tests say
nothing about today's pass rate (bench/analysis_behaviour.py measures that).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from highpipe.domain.models import AspectMention, ClauseAnalysis, ReviewAnalysis, SentimentResult
from highpipe.domain.vocab import ASPECT_BY_ID, ASPECTS, EMOTION_BY_ID, EMOTIONS, SENTIMENTS

ROOT = Path(__file__).resolve().parents[3]
PHENOMENA = {
    "contrast",
    "concession",
    "negation",
    "double_negation",
    "intensifier",
    "jamo",
    "emoticon",
    "spacing",
    "typo",
    "rating_prior",
    "terse",
    "english",
    "html",
    "emoji_only",
    "long",
    "aspects",
    "topics",
    "emotions",
}


def _load_bench() -> ModuleType:
    # bench/ is a folder of scripts, not a package: load the runner by path.
    path = ROOT / "bench" / "analysis_behaviour.py"
    spec = importlib.util.spec_from_file_location("analysis_behaviour", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bench = _load_bench()


@pytest.fixture(scope="module")
def cases() -> list[dict[str, Any]]:
    return list(bench.load_cases("all"))


def _labels(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


# -- schema ---------------------------------------------------------------------------------------


def test_every_line_parses_and_split_matches_its_file() -> None:
    for split in ("dev", "held"):
        rows = bench.load_cases(split)
        assert rows, split
        assert all(r["split"] == split for r in rows), split


def test_ids_unique_and_fields_well_formed(cases: list[dict[str, Any]]) -> None:
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids))
    for c in cases:
        assert set(c) <= {"id", "split", "phenomenon", "text", "rating", "expect", "repeat"}, c["id"]
        assert c["phenomenon"] in PHENOMENA, c["id"]
        assert isinstance(c["text"], str) and c["text"].strip(), c["id"]
        assert c["rating"] is None or 1 <= c["rating"] <= 5, c["id"]
        expect = c["expect"]
        assert expect and set(expect) <= set(bench.EXPECTATION_TYPES), c["id"]
        if "label" in expect:
            labels = _labels(expect["label"])
            assert labels and set(labels) <= set(SENTIMENTS), c["id"]
        if "min_score" in expect:
            # Only meaningful against one label (the score is the probability of the label).
            assert isinstance(expect.get("label"), str), c["id"]
            assert 0.5 <= expect["min_score"] < 1, c["id"]
        for lab in expect.get("clauses", []):
            assert lab in SENTIMENTS, c["id"]


def test_split_alternates_within_each_phenomenon(cases: list[dict[str, Any]]) -> None:
    for c in cases:
        number = int(re.fullmatch(r"[a-z]+-(\d+)", c["id"]).group(1))  # type: ignore[union-attr]
        assert c["split"] == ("dev" if number % 2 else "held"), c["id"]


def test_aspect_and_emotion_ids_exist(cases: list[dict[str, Any]]) -> None:
    for c in cases:
        expect = c["expect"]
        for aspect_id, polarity in expect.get("aspects", {}).items():
            assert polarity in SENTIMENTS, c["id"]
            if aspect_id.startswith("topic:"):
                # Topic slugs are lower-case with no blanks (analysis.topics.topic_slug).
                slug = aspect_id.split(":", 1)[1]
                assert slug and slug == slug.lower() and not re.search(r"\s", slug), c["id"]
            else:
                assert aspect_id in ASPECT_BY_ID, c["id"]
        for aspect_id in expect.get("no_aspects", []):
            assert aspect_id in ASPECT_BY_ID or aspect_id.startswith("topic:"), c["id"]
        for key in ("emotions_any", "emotions_none"):
            assert all(e in EMOTION_BY_ID for e in expect.get(key, [])), c["id"]


def test_each_phenomenon_has_enough_cases_in_both_splits(cases: list[dict[str, Any]]) -> None:
    per = Counter((c["phenomenon"], c["split"]) for c in cases)
    for ph in PHENOMENA:
        dev, held = per[(ph, "dev")], per[(ph, "held")]
        assert dev + held >= 12, ph
        assert abs(dev - held) <= 1, ph


def test_every_aspect_has_two_positive_and_two_negative_expectations(cases: list[dict[str, Any]]) -> None:
    seen = Counter((a, p) for c in cases for a, p in c["expect"].get("aspects", {}).items())
    for aspect in ASPECTS:
        assert seen[(aspect.id, "positive")] >= 2, aspect.id
        assert seen[(aspect.id, "negative")] >= 2, aspect.id


def test_every_emotion_is_expected_at_least_twice(cases: list[dict[str, Any]]) -> None:
    seen = Counter(e for c in cases for e in c["expect"].get("emotions_any", []))
    for emotion in EMOTIONS:
        assert seen[emotion.id] >= 2, emotion.id


def test_long_cases_expand_past_5000_characters(cases: list[dict[str, Any]]) -> None:
    long_cases = [c for c in cases if c["phenomenon"] == "long"]
    assert long_cases
    for c in long_cases:
        assert len(bench.case_text(c)) > 5000, c["id"]
    assert all("repeat" not in c for c in cases if c["phenomenon"] != "long")


# -- check_case ----------------------------------------------------------------------------------


def _analysis(
    label: str = "positive",
    score: float = 0.9,
    clauses: tuple[str, ...] = (),
    aspects: tuple[tuple[str, str], ...] = (),
    emotions: tuple[str, ...] = (),
) -> ReviewAnalysis:
    def sent(lab: str, sc: float) -> SentimentResult:
        return SentimentResult.model_validate({"label": lab, "score": sc})

    return ReviewAnalysis(
        review_uid="t",
        sentiment=sent(label, score),
        clauses=[
            ClauseAnalysis(text=f"c{i}", start=i, end=i + 1, sentiment=sent(lab, 0.8))
            for i, lab in enumerate(clauses)
        ],
        aspects=[
            AspectMention.model_validate({"aspect_id": a, "aspect": a, "polarity": p, "clause": "c"})
            for a, p in aspects
        ],
        emotions=list(emotions),
    )


def _case(**expect: Any) -> dict[str, Any]:
    return {
        "id": "x-01",
        "split": "dev",
        "phenomenon": "negation",
        "text": "t",
        "rating": None,
        "expect": expect,
    }


def _failed_types(result: ReviewAnalysis, case: dict[str, Any]) -> list[str]:
    return [msg.split(":", 1)[0] for msg in bench.check_case(result, case)]


def test_label_single_and_list() -> None:
    assert _failed_types(_analysis("negative"), _case(label="negative")) == []
    assert _failed_types(_analysis("positive"), _case(label="negative")) == ["label"]
    assert _failed_types(_analysis("neutral"), _case(label=["negative", "neutral"])) == []
    assert _failed_types(_analysis("positive"), _case(label=["negative", "neutral"])) == ["label"]


def test_min_score_needs_the_label_and_the_score() -> None:
    assert _failed_types(_analysis("negative", 0.75), _case(label="negative", min_score=0.7)) == []
    assert _failed_types(_analysis("negative", 0.6), _case(label="negative", min_score=0.7)) == ["min_score"]
    # A confident wrong label fails both checks, not only the label.
    wrong = _failed_types(_analysis("positive", 0.95), _case(label="negative", min_score=0.7))
    assert wrong == ["label", "min_score"]


def test_clauses_in_order_and_count() -> None:
    case = _case(clauses=["positive", "negative"])
    assert _failed_types(_analysis(clauses=("positive", "negative")), case) == []
    assert _failed_types(_analysis(clauses=("negative", "positive")), case) == ["clauses"]
    assert _failed_types(_analysis(clauses=("positive", "negative", "neutral")), case) == ["clauses"]


def test_aspects_need_the_id_with_the_polarity() -> None:
    case = _case(aspects={"delivery": "positive", "topic:배터리": "negative"})
    ok = _analysis(aspects=(("delivery", "positive"), ("topic:배터리", "negative"), ("quality", "negative")))
    assert _failed_types(ok, case) == []
    wrong_polarity = _analysis(aspects=(("delivery", "negative"), ("topic:배터리", "negative")))
    assert _failed_types(wrong_polarity, case) == ["aspects"]
    missing = _analysis(aspects=(("delivery", "positive"),))
    assert _failed_types(missing, case) == ["aspects"]


def test_no_aspects() -> None:
    case = _case(no_aspects=["design"])
    assert _failed_types(_analysis(aspects=(("size", "negative"),)), case) == []
    assert _failed_types(_analysis(aspects=(("design", "neutral"),)), case) == ["no_aspects"]


def test_emotions_any_and_none() -> None:
    any_case = _case(emotions_any=["anger", "regret"])
    assert _failed_types(_analysis(emotions=("regret",)), any_case) == []
    assert _failed_types(_analysis(emotions=("joy",)), any_case) == ["emotions_any"]
    assert _failed_types(_analysis(), any_case) == ["emotions_any"]
    none_case = _case(emotions_none=["satisfaction"])
    assert _failed_types(_analysis(emotions=("disappointment",)), none_case) == []
    assert _failed_types(_analysis(emotions=("satisfaction", "joy")), none_case) == ["emotions_none"]


def test_case_text_expands_repeat() -> None:
    assert bench.case_text({"text": "좋아요 ", "repeat": 3}) == "좋아요 좋아요 좋아요 "
    assert bench.case_text({"text": "좋아요"}) == "좋아요"


def test_summarize_counts_cases_and_expectation_types() -> None:
    a = _case(label="negative", aspects={"size": "negative"})
    b = dict(_case(label="positive"), phenomenon="terse")
    summary = bench.summarize([(a, ["aspects: size expected negative, got none"]), (b, [])])
    assert (summary["cases"], summary["passed"], summary["rate"]) == (2, 1, 0.5)
    assert summary["phenomena"]["negation"] == {"cases": 1, "passed": 0, "rate": 0.0}
    assert summary["phenomena"]["terse"] == {"cases": 1, "passed": 1, "rate": 1.0}
    assert summary["expectations"]["label"] == {"checked": 2, "passed": 2}
    assert summary["expectations"]["aspects"] == {"checked": 1, "passed": 0}
    assert summary["expectations"]["clauses"] == {"checked": 0, "passed": 0}


# Regression floors for the shipped engine, a few cases under the rates measured when they were set
# (docs/benchmarks.md); the held split stays unread by whoever fixes failures.
DEV_FLOOR = 0.86
HELD_FLOOR = 0.74


def test_the_shipped_engine_keeps_its_pass_rates() -> None:
    from highpipe.analysis.engine import LocalAnalyzer

    analyzer = LocalAnalyzer.load()
    for split, floor in (("dev", DEV_FLOOR), ("held", HELD_FLOOR)):
        split_cases = bench.load_cases(split)
        passed = sum(
            not bench.check_case(analyzer.analyze_text(bench.case_text(c), c.get("rating")), c)
            for c in split_cases
        )
        # Counts only: the held cases' texts must not surface in test logs either.
        assert passed / len(split_cases) >= floor, f"{split}: {passed}/{len(split_cases)} < {floor}"
