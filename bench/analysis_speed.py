"""Throughput of the local analyzer vs Kiwi tokenisation alone, single-threaded, plus memory.

    uv run python bench/analysis_speed.py [--shared ../shared] [--runs 5] [--n 2000]

Texts: naver_shopping and NSMC *training* rows of 40-80 characters (the median shopping review
with a few sentences is ~60 characters), so the figure is for realistic review lengths. Each
run times the same texts; the medians of `--runs` runs are reported. Writes
bench/results/analysis_speed.json.
"""

from __future__ import annotations

import os

# One core: keep numpy's BLAS (unused on the hot path, but imported) to a single thread.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from highpipe.analysis import data  # noqa: E402
from highpipe.analysis.engine import LocalAnalyzer  # noqa: E402
from highpipe.analysis.morph import Morphology  # noqa: E402
from highpipe.domain.models import Review  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def corpus(shared: Path, n: int) -> list[str]:
    texts = [r.text for r in data.read_shopping(shared, "train") if 40 <= len(r.text) <= 80]
    for _movie, _rating, text in data.iter_nsmc(shared, "train"):
        if len(texts) >= n:
            break
        if 40 <= len(text) <= 80:
            texts.append(text)
    return texts[:n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "analysis_speed.json")
    args = ap.parse_args()

    texts = corpus(args.shared, args.n)
    reviews = [
        Review(review_uid=f"b:{i}", product_id="b:1", site="bench", text=t) for i, t in enumerate(texts)
    ]
    rss0 = _rss_mib()
    t0 = time.perf_counter()
    analyzer = LocalAnalyzer.load()
    load_s = time.perf_counter() - t0
    rss_model = _rss_mib()
    analyzer.analyze(reviews[:50])  # creates the analyzer's Kiwi
    rss_engine = _rss_mib()
    morph = Morphology()  # a second Kiwi for the tokenise-only runs
    morph.tokens("워밍업 문장입니다")
    rss_kiwi = _rss_mib() - rss_engine

    tok_rates: list[float] = []
    full_rates: list[float] = []
    for _ in range(args.runs):
        t = time.perf_counter()
        for text in texts:
            morph.tokens(text)
        tok_rates.append(len(texts) / (time.perf_counter() - t))
        t = time.perf_counter()
        for i in range(0, len(reviews), 200):
            analyzer.analyze(reviews[i : i + 200])
        full_rates.append(len(texts) / (time.perf_counter() - t))

    result = {
        "model_version": analyzer.model_version,
        "reviews": len(texts),
        "mean_chars": round(sum(map(len, texts)) / max(1, len(texts)), 1),
        "runs": args.runs,
        "tokenise_only_reviews_per_s": round(statistics.median(tok_rates), 1),
        "full_analysis_reviews_per_s": round(statistics.median(full_rates), 1),
        "full_vs_tokenise_ratio": round(statistics.median(full_rates) / statistics.median(tok_rates), 3),
        "all_runs": {"tokenise": [round(x, 1) for x in tok_rates], "full": [round(x, 1) for x in full_rates]},
        "model_load_s": round(load_s, 3),
        "rss_mib_process_before_load": round(rss0, 1),
        "rss_mib_model_only": round(rss_model - rss0, 1),
        "rss_mib_engine_with_kiwi": round(rss_engine - rss0, 1),
        "rss_mib_one_kiwi_alone": round(rss_kiwi, 1),
        "threads": 1,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "target_reviews_per_s": 2000,
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
