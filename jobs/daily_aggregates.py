"""spark-submit entry point: `spark-submit jobs/daily_aggregates.py --date 2026-11-01 [--lake URL] [--warehouse URL]`.

The same code as `highpipe batch run daily_aggregates --date …` (highpipe.batch.runner.submit_main); the
cluster image must have the `highpipe` package installed (or ship it with `--py-files`): docs/data-platform.md.
"""

from __future__ import annotations

from highpipe.batch.runner import submit_main

if __name__ == "__main__":
    submit_main("daily_aggregates")
