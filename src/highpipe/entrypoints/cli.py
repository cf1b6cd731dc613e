"""The `highpipe` command: serve, analyze, search, demo-shop, model, crawl extract, crawler, and the
scale-out roles.

Scale-out roles (settings from HIGHPIPE_* env, e.g. HIGHPIPE_BUS_URL=kafka://...): `api` (REST + WebSocket,
no workers), `ws` (WebSocket fan-out only) and `worker crawl|analyze|sink` (see entrypoints/workers.py).
The commands live in cli_servers.py (long-running processes) and cli_tools.py (one-shot tools); this
module only assembles them, so `python -m highpipe.entrypoints.cli` stays the entry point.
"""

from __future__ import annotations

import typer

from highpipe.entrypoints import cli_batch, cli_servers, cli_tools
from highpipe.ops.cli import app as ops_app

app = typer.Typer(no_args_is_help=True, add_completion=False, help="HighPipe: 상품 리뷰 실시간 분석")
model_app = typer.Typer(no_args_is_help=True, help="Rebuild or measure the shipped analyser model.")
crawl_app = typer.Typer(no_args_is_help=True, help="Crawler tools.")
app.add_typer(model_app, name="model")
app.add_typer(crawl_app, name="crawl")
app.add_typer(ops_app, name="ops")
app.add_typer(cli_batch.batch_app, name="batch")
app.add_typer(cli_batch.warehouse_app, name="warehouse")

app.command()(cli_servers.serve)
app.command("demo-shop")(cli_servers.demo_shop)
app.command()(cli_servers.api)
app.command()(cli_servers.ws)
app.command()(cli_servers.worker)
app.command()(cli_servers.crawler)
app.command()(cli_tools.analyze)
app.command()(cli_tools.search)
model_app.command("train")(cli_tools.model_train)
model_app.command("eval")(cli_tools.model_eval)
crawl_app.command("extract")(cli_tools.crawl_extract)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
