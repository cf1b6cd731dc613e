"""spark-submit entry point: `spark-submit jobs/clean_reviews.py --date 2026-11-01 [--lake URL] [--warehouse URL]`.

The same code as `highpipe batch run clean_reviews --date …` (highpipe.batch.runner.submit_main); the
cluster image must have the `highpipe` package installed (or ship it with `--py-files`): docs/data-platform.md.
"""

from __future__ import annotations

from highpipe.batch.runner import submit_main

if __name__ == "__main__":
    submit_main("clean_reviews")
