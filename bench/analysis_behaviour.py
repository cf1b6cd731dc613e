"""Behavioural (CheckList-style) suite of the review analyzer: hand-written cases per phenomenon.

    uv run python bench/analysis_behaviour.py [--split dev|held|all] [--show-failures] [--model-dir DIR]
                                              [--out bench/results/analysis_behaviour.json]

Cases live in tests/data/behaviour_dev.jsonl and tests/data/behaviour_held.jsonl (see
tests/data/behaviour.md for how they were written and what each expectation means). Every case
runs through `LocalAnalyzer.analyze_text(text, rating)`; a case passes when all its expectations
hold. Writes per split and per phenomenon {cases, passed, rate}, per expectation type
{checked, passed}, the overall rates and the model version.

`--show-failures` prints failing *dev* cases only. Held-out cases are a blind check: their texts
are never printed, and only their aggregate figures are written, so whoever fixes the engine
from the dev failures cannot tune it to the held ones.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from highpipe.domain.models import ReviewAnalysis

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SPLIT_FILES: dict[str, Path] = {
    "dev": DATA / "behaviour_dev.jsonl",
    "held": DATA / "behaviour_held.jsonl",
}
EXPECTATION_TYPES: tuple[str, ...] = (
    "label",
    "min_score",
    "clauses",
    "aspects",
    "no_aspects",
    "emotions_any",
    "emotions_none",
)


def load_cases(split: str, files: Mapping[str, Path] = SPLIT_FILES) -> list[dict[str, Any]]:
    """Cases of one split ("dev" / "held") or both ("all"), in file order."""
    names = list(files) if split == "all" else [split]
    cases: list[dict[str, Any]] = []
    for name in names:
        with files[name].open(encoding="utf-8") as fh:
            cases.extend(json.loads(line) for line in fh if line.strip())
    return cases


def case_text(case: Mapping[str, Any]) -> str:
    """The text to analyse: long cases store a seed and `repeat`, expanded here (seeds carry
    their own trailing separator, so a seed without one tests a long text with no spaces)."""
    text = str(case["text"])
    return text * int(case.get("repeat") or 1)


def checked_types(case: Mapping[str, Any]) -> list[str]:
    """Expectation types a case carries, in EXPECTATION_TYPES order."""
    expect = case["expect"]
    return [t for t in EXPECTATION_TYPES if t in expect]


def _labels(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _fmt(found: Iterable[str]) -> str:
    return ", ".join(found) or "none"


def check_case(result: ReviewAnalysis, case: Mapping[str, Any]) -> list[str]:
    """Failed expectations of one case, each message starting with its type ("label: ...")."""
    expect: Mapping[str, Any] = case["expect"]
    got, score = result.sentiment.label, result.sentiment.score
    failed: list[str] = []
    if "label" in expect:
        accepted = _labels(expect["label"])
        if got not in accepted:
            failed.append(f"label: expected {'/'.join(accepted)}, got {got} ({score:.3f})")
    if "min_score" in expect:
        # The score is the probability of the engine's label, so it only means something when
        # that label is the expected one: a confident wrong label fails too.
        want = float(expect["min_score"])
        accepted = _labels(expect.get("label", []))
        if got not in accepted or score < want:
            failed.append(f"min_score: expected {'/'.join(accepted)} >= {want}, got {got} {score:.3f}")
    if "clauses" in expect:
        clause_labels = [c.sentiment.label for c in result.clauses]
        if clause_labels != list(expect["clauses"]):
            cut = " | ".join(f"{c.text} ({c.sentiment.label})" for c in result.clauses)
            failed.append(f"clauses: expected {expect['clauses']}, got [{cut}]")
    found: dict[str, list[str]] = {}
    for m in result.aspects:
        found.setdefault(m.aspect_id, []).append(m.polarity)
    if "aspects" in expect:
        for aspect_id, polarity in expect["aspects"].items():
            if polarity not in found.get(aspect_id, []):
                got_pols = _fmt(found.get(aspect_id, []))
                failed.append(f"aspects: {aspect_id} expected {polarity}, got {got_pols}")
    if "no_aspects" in expect:
        present = [a for a in expect["no_aspects"] if a in found]
        if present:
            failed.append(f"no_aspects: found {_fmt(present)}")
    emotions = set(result.emotions)
    if "emotions_any" in expect and not emotions & set(expect["emotions_any"]):
        failed.append(
            f"emotions_any: expected one of {_fmt(expect['emotions_any'])}, got {_fmt(result.emotions)}"
        )
    if "emotions_none" in expect:
        present = [e for e in expect["emotions_none"] if e in emotions]
        if present:
            failed.append(f"emotions_none: found {_fmt(present)}")
    return failed


def _rate(passed: int, total: int) -> float | None:
    return round(passed / total, 4) if total else None


def summarize(outcomes: Sequence[tuple[Mapping[str, Any], list[str]]]) -> dict[str, Any]:
    """Aggregate figures of (case, failed expectations) pairs: no case text in the output."""
    phenomena: dict[str, dict[str, Any]] = {}
    expectations = {t: {"checked": 0, "passed": 0} for t in EXPECTATION_TYPES}
    passed = 0
    for case, failed in outcomes:
        ok = not failed
        passed += ok
        ph = phenomena.setdefault(str(case["phenomenon"]), {"cases": 0, "passed": 0})
        ph["cases"] += 1
        ph["passed"] += ok
        failed_types = {msg.split(":", 1)[0] for msg in failed}
        for t in checked_types(case):
            expectations[t]["checked"] += 1
            expectations[t]["passed"] += t not in failed_types
    for ph in phenomena.values():
        ph["rate"] = _rate(ph["passed"], ph["cases"])
    return {
        "cases": len(outcomes),
        "passed": passed,
        "rate": _rate(passed, len(outcomes)),
        "phenomena": dict(sorted(phenomena.items())),
        "expectations": expectations,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description="Behavioural suite of the review analyzer")
    ap.add_argument("--split", choices=("dev", "held", "all"), default="all")
    ap.add_argument("--show-failures", action="store_true", help="print failing dev cases (never held ones)")
    ap.add_argument("--model-dir", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "analysis_behaviour.json")
    args = ap.parse_args()

    # Imported here so that `check_case` stays importable without loading the engine.
    from highpipe.analysis.engine import LocalAnalyzer

    analyzer = LocalAnalyzer.load(args.model_dir)
    splits = ["dev", "held"] if args.split == "all" else [args.split]
    report: dict[str, Any] = {
        "model_version": analyzer.model_version,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "splits": {},
    }
    every: list[tuple[Mapping[str, Any], list[str]]] = []
    for split in splits:
        outcomes: list[tuple[Mapping[str, Any], list[str]]] = []
        for case in load_cases(split):
            result = analyzer.analyze_text(case_text(case), case.get("rating"), str(case["id"]))
            failed = check_case(result, case)
            outcomes.append((case, failed))
            if failed and split == "dev" and args.show_failures:
                print(
                    f"FAIL {case['id']} [{case['phenomenon']}] {case['text']!r} rating={case.get('rating')}"
                )
                print(f"     engine: {result.sentiment.label} {result.sentiment.score:.3f}")
                for msg in failed:
                    print(f"     - {msg}")
        summary = summarize(outcomes)
        if split == "dev":
            # Ids only, and only for dev: held ids would let a fixer look the cases up.
            summary["failed_ids"] = [str(c["id"]) for c, f in outcomes if f]
        report["splits"][split] = summary
        every.extend(outcomes)
        print(f"{split}: {summary['passed']}/{summary['cases']} passed ({summary['rate']})")
        for name, ph in summary["phenomena"].items():
            print(f"  {name:16s} {ph['passed']:3d}/{ph['cases']:3d}")
    overall = summarize(every)
    report["overall"] = {k: overall[k] for k in ("cases", "passed", "rate", "expectations")}
    if args.show_failures and "dev" not in splits:
        print("(--show-failures prints dev cases only; held cases stay blind)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
