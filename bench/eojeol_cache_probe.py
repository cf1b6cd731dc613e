"""Could a cache of word (eojeol) analyses replace most Kiwi calls? A probe for the speed target.

Kiwi costs about 0.42 ms of the engine's ~0.9 ms per review, so 2,000 reviews/s on one core needs the
tokeniser to get cheaper than Kiwi. This probe measures the obvious shortcut: analyse a large text sample
once, keep each whitespace-separated word's in-context analysis, and look words up instead of running
Kiwi. It reports, on the speed benchmark's texts (never used to build the cache):

- hit: the share of words (and of characters) the cache covers;
- hit_identical: the share of hits whose cached analysis equals Kiwi's analysis in context;
- reviews_all_hits_identical: the share of reviews in which every cached word is right;
- standalone_identical: the share of words that Kiwi analyses the same alone as in context (what a
  cache miss filled by analysing the word alone would give).

    uv run python bench/eojeol_cache_probe.py [--build 100000]

Cache texts: NSMC training rows outside movie_id % 10 == 9 and the shopping training rows, minus the
benchmark texts. Writes bench/results/eojeol_cache_probe.json.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from highpipe.analysis import data
from highpipe.analysis.morph import Morphology, Tok

sys.path.insert(0, str(Path(__file__).resolve().parent))
from analysis_speed import corpus

ROOT = Path(__file__).resolve().parent.parent
_WORD = re.compile(r"\S+")
Word = tuple[str, tuple[Tok, ...], bool]  # (word, its tokens with word-relative offsets, a token crosses it)


def words(text: str, toks: list[Tok]) -> list[Word]:
    out: list[Word] = []
    for m in _WORD.finditer(text):
        s, e = m.span()
        inside = tuple((f, t, a - s, b - s) for f, t, a, b in toks if a >= s and b <= e)
        crosses = any(a < s < b or a < e < b for _, _, a, b in toks)
        out.append((m.group(), inside, crosses))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--build", type=int, default=100_000, help="NSMC rows analysed to fill the cache")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "eojeol_cache_probe.json")
    args = ap.parse_args()

    bench = corpus(args.shared, 2000)
    held = set(bench)
    build: list[str] = []
    for movie, _rating, text in data.iter_nsmc(args.shared, "train"):
        if len(build) >= args.build:
            break
        if movie % 10 != 9 and text not in held:
            build.append(text)
    build += [r.text for r in data.read_shopping(args.shared, "train") if r.text not in held]

    morph = Morphology()
    t0 = time.perf_counter()
    seen: defaultdict[str, Counter[tuple[Tok, ...]]] = defaultdict(Counter)
    for text in build:
        for word, toks, crosses in words(text, morph.tokens(text)):
            if not crosses:
                seen[word][toks] += 1
    build_s = time.perf_counter() - t0

    rows = []
    for min_count, purity in ((1, 1.0), (2, 0.95), (2, 0.99), (3, 0.99)):
        cache: dict[str, tuple[Tok, ...]] = {}
        for word, analyses in seen.items():
            n = sum(analyses.values())
            best, top = analyses.most_common(1)[0]
            if n >= min_count and top / n >= purity:
                cache[word] = best
        hit = total = right = chars_hit = chars = reviews_ok = 0
        for text in bench:
            ok = True
            for word, toks, crosses in words(text, morph.tokens(text)):
                total += 1
                chars += len(word)
                if word in cache:
                    hit += 1
                    chars_hit += len(word)
                    if cache[word] == toks and not crosses:
                        right += 1
                    else:
                        ok = False
            reviews_ok += ok
        rows.append(
            {
                "min_count": min_count,
                "purity": purity,
                "cache_words": len(cache),
                "hit": round(hit / total, 3),
                "char_hit": round(chars_hit / chars, 3),
                "hit_identical": round(right / max(hit, 1), 4),
                "reviews_all_hits_identical": round(reviews_ok / len(bench), 3),
            }
        )
        print(rows[-1], flush=True)

    same = n_words = 0
    for text in bench[:500]:
        for word, toks, _ in words(text, morph.tokens(text)):
            n_words += 1
            same += tuple(morph.tokens(word)) == toks
    result = {
        "cache_texts": len(build),
        "distinct_words": len(seen),
        "build_seconds": round(build_s, 1),
        "bench_texts": len(bench),
        "variants": rows,
        "standalone_identical": round(same / n_words, 4),
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
