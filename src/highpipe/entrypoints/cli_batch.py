"""`highpipe batch …` (Spark jobs, data-quality checks) and `highpipe warehouse …` (migrate, query).

Two typer apps for entrypoints/cli.py to register: `batch_app` as `batch`, `warehouse_app` as `warehouse`.
The lake and warehouse default to HIGHPIPE_LAKE_URL / HIGHPIPE_WAREHOUSE_URL; `--lake` / `--warehouse`
override them. Airflow calls exactly `highpipe batch run clean_reviews --date {{ ds }}`,
`highpipe batch run daily_aggregates --date …` and `highpipe batch quality --date …` (exit 1 on failure).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from highpipe.config import Settings

err = Console(stderr=True)

batch_app = typer.Typer(
    no_args_is_help=True, help="Spark 배치 작업과 품질 검사 / Spark batch jobs and checks."
)
warehouse_app = typer.Typer(no_args_is_help=True, help="분석 창고 / The analytics warehouse.")

DateOption = Annotated[str, typer.Option("--date", help="the ingest day, YYYY-MM-DD (Airflow's {{ ds }})")]
LakeOption = Annotated[str | None, typer.Option("--lake", help="lake URL (default HIGHPIPE_LAKE_URL)")]
WarehouseOption = Annotated[
    str | None, typer.Option("--warehouse", help="warehouse URL (default HIGHPIPE_WAREHOUSE_URL)")
]


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"--date must be YYYY-MM-DD (got {value!r})") from None


def _fail(message: str) -> NoReturn:
    err.print(f"[red]{message}[/red]", highlight=False)
    raise typer.Exit(1)


@batch_app.command("run")
def run(
    job: Annotated[str, typer.Argument(help="clean_reviews | daily_aggregates | all")],
    day: DateOption,
    lake: LakeOption = None,
    warehouse: WarehouseOption = None,
) -> None:
    """배치 작업 실행 / Run a Spark job (or both, in order) for one day; prints a JSON summary per job."""
    from highpipe.batch.runner import JOBS, run_jobs

    jobs = list(JOBS) if job == "all" else [job]
    if any(j not in JOBS for j in jobs):
        raise typer.BadParameter(f"unknown job {job!r}: choose clean_reviews, daily_aggregates or all")
    when = _day(day)
    settings = Settings()
    try:
        results = run_jobs(
            jobs, when, lake_url=lake or settings.lake_url, warehouse_url=warehouse or settings.warehouse_url
        )
    except ValueError as exc:  # a malformed URL or option: a sentence, not a traceback
        _fail(f"배치 작업을 시작할 수 없습니다 / cannot run the batch job: {exc}")
    for result in results:
        print(json.dumps(result.as_dict(), ensure_ascii=False))


@batch_app.command("quality")
def quality(
    day: DateOption,
    warehouse: WarehouseOption = None,
    min_rows: Annotated[int, typer.Option(help="fewest raw reviews the day must have")] = 1,
    min_valid_share: Annotated[float, typer.Option(help="smallest share of valid reviews")] = 0.5,
    max_null_rating: Annotated[float, typer.Option(help="largest share of reviews without rating")] = 0.5,
    max_null_date: Annotated[float, typer.Option(help="largest share of reviews without date")] = 0.5,
) -> None:
    """데이터 품질 검사 / Check one day's row counts, null rates, freshness; exit 1 with the reasons on failure."""
    from highpipe.batch.quality import DataQualityError, Thresholds, check_quality
    from highpipe.warehouse import open_warehouse

    when = _day(day)
    limits = Thresholds(
        min_rows=min_rows,
        min_valid_share=min_valid_share,
        max_null_rating=max_null_rating,
        max_null_date=max_null_date,
    )
    store = open_warehouse(warehouse or Settings().warehouse_url)
    try:
        checks = check_quality(store, when, limits)
    except DataQualityError as exc:
        for check in exc.failures:
            err.print(f"[red]✗ {check.name}[/red]: {check.detail}", highlight=False)
        _fail(str(exc))
    except Exception as exc:  # no warehouse, no tables yet, server down: say so, exit 1
        _fail(f"품질 검사를 할 수 없습니다 / cannot check quality: {exc}")
    finally:
        store.close()
    for check in checks:
        print(f"✓ {check.name}: {check.detail}")


@warehouse_app.command("migrate")
def migrate(warehouse: WarehouseOption = None) -> None:
    """스키마 적용 / Create or upgrade the star schema (idempotent)."""
    from highpipe.warehouse import open_warehouse

    store = open_warehouse(warehouse or Settings().warehouse_url)
    try:
        applied = store.migrate()
        print(f"schema version {store.schema_version()} (applied now: {applied or 'none'})")
    finally:
        store.close()


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


@warehouse_app.command("query")
def query(
    sql: Annotated[str, typer.Argument(help="one SQL statement (read-only)")],
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON array of objects")] = False,
    limit: Annotated[int, typer.Option(help="print at most this many rows")] = 1000,
    warehouse: WarehouseOption = None,
) -> None:
    """SQL 조회 / Run a read-only query for analysts; tab-separated with a header, or --json."""
    from highpipe.warehouse import open_warehouse

    store = open_warehouse(warehouse or Settings().warehouse_url)
    try:
        result = store.query(sql, limit=limit)
    except Exception as exc:
        _fail(f"조회 실패 / query failed: {exc}")
    finally:
        store.close()
    if as_json:
        rows = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
        print(json.dumps(rows, ensure_ascii=False, default=str, indent=None))
    else:
        print("\t".join(result.columns))
        for row in result.rows:
            print("\t".join(_cell(v) for v in row))
    if result.truncated:
        err.print(f"(first {limit} rows shown; raise --limit for more / 처음 {limit}행만 표시)")
    sys.stdout.flush()
