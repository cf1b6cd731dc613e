"""`highpipe analyze`: one analysis in this process with live Rich progress bars per stage."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from highpipe.bootstrap import ALL_ROLES, bootstrap
from highpipe.config import Settings
from highpipe.domain.events import Envelope
from highpipe.entrypoints.render import print_report, write_jsonl
from highpipe.ports.cache import Subscription
from highpipe.ports.store import Store
from highpipe.services.events import live_channel
from highpipe.services.jobs import InvalidRequest

FINAL = {"completed", "failed", "cancelled"}


async def run_analysis(
    settings: Settings,
    target: str,
    *,
    as_json: bool,
    out: Path | None,
    mapping: dict[str, str],
    rating_scale: int | None,
    max_reviews: int | None,
    time_budget_s: float | None = None,
) -> int:
    console = Console(stderr=True)
    container = bootstrap(settings)
    await container.start(ALL_ROLES)
    try:
        path = Path(target)
        is_file = "://" not in target and path.exists()
        if "://" not in target and not is_file:
            console.print(f"[red]파일이 없습니다 / No such file, and not a URL: {target}")
            return 2
        job_ids: list[str] = []
        sub = None
        try:
            if is_file:
                options: dict[str, object] = {
                    "filename": path.name,
                    "mapping": mapping,
                    "rating_scale": rating_scale,
                    "local_file": True,  # the terminal user's own file, not an API upload
                }
                job = await container.jobs.start_upload(path.resolve(), path.name, options=options)
            else:
                opts: dict[str, object] = {"max_reviews": max_reviews} if max_reviews else {}
                if time_budget_s is not None:
                    opts["time_budget_s"] = time_budget_s
                job = await container.jobs.start_url(target, options=opts)
            job_ids.append(job.job_id)
            sub = await container.cache.subscribe(live_channel(job.job_id))
        except InvalidRequest as exc:
            console.print(f"[red]{exc}")
            return 2
        final = await _watch(console, container.store, job.job_id, sub, show=not as_json)
        await sub.close()
        report = await container.store.get_report(job.job_id)
        rows = await container.store.job_rows(job.job_id)
        if out is not None:
            count = write_jsonl(out, rows)
            console.print(f"{count}건의 리뷰 분석을 저장했습니다 / Wrote {count} review analyses to {out}")
        if as_json:
            print(
                json.dumps(report.model_dump(mode="json") if report else None, ensure_ascii=False, indent=2)
            )
        elif report is not None:
            print_report(Console(), report)
        if final.type == "failed":
            console.print(f"[red]분석 실패 / Failed: {final.data.get('reason')}")
            return 1
        return 0
    finally:
        await container.stop()


async def _watch(console: Console, store: Store, job_id: str, sub: Subscription, *, show: bool) -> Envelope:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not show,
        transient=False,
    ) as progress:
        collect = progress.add_task("수집 / collect", total=None)
        analyze = progress.add_task("분석 / analyze", total=None)
        seen_cards: set[str] = set()
        last = 0

        async def events() -> AsyncIterator[Envelope]:
            nonlocal last
            # The subscription is already open: replay what was stored before it, then go live.
            for stored in await store.events_after(job_id, 0):
                last = stored.seq
                yield stored
            async for raw in sub:
                live = Envelope.model_validate(json.loads(raw))
                if live.seq > last:
                    if live.seq > last + 1:
                        for missed in await store.events_after(job_id, last):
                            if missed.seq < live.seq:
                                yield missed
                    last = live.seq
                    yield live

        async for event in events():
            if event.type == "progress":
                d = event.data
                total = d.get("total_estimate") or None
                progress.update(collect, completed=d["collected"], total=total)
                progress.update(analyze, completed=d["analyzed"], total=total or d["collected"] or None)
            elif event.type == "stage" and event.data["state"] == "finished":
                task = collect if event.data["stage"] == "collect" else analyze
                if event.data["stage"] in ("collect", "analyze"):
                    done = progress.tasks[task].completed
                    progress.update(task, total=done, completed=done)
            elif event.type == "card" and show and event.data["card_id"] not in seen_cards:
                seen_cards.add(event.data["card_id"])
                progress.console.print(
                    f"[cyan]카드[/] {event.data['label']}: 언급 {event.data['mentions']} "
                    f"(긍정 {event.data['positive_share']:.0%})",
                    highlight=False,
                )
            if event.type in FINAL:
                await asyncio.sleep(0)
                return event
    raise RuntimeError("event stream ended unexpectedly")
