"""`highpipe serve` for the Airflow tests: the embedded all-in-one server, plus the watchlist routes.

Run with the app's interpreter: `.venv/bin/python deploy/airflow/serve_highpipe.py --port N`. It builds
exactly what `highpipe serve` builds (Settings from HIGHPIPE_* env, the demo shop on this server and
allow-listed for the crawler, every worker role) and includes the watchlist and job-failure routers when
the app does not include them yet. Once `create_app` includes them, `highpipe serve` does the same.
"""

from __future__ import annotations

import argparse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()

    import uvicorn

    from highpipe.bootstrap import ALL_ROLES, bootstrap
    from highpipe.config import Settings
    from highpipe.entrypoints.api import watchlist
    from highpipe.entrypoints.api.app import create_app
    from highpipe.observability import setup_logging

    settings = Settings(host=args.host, port=args.port)
    settings.allow_hosts = [*settings.allow_hosts, f"{args.host}:{args.port}", f"localhost:{args.port}"]
    setup_logging(settings.log_format, settings.log_level)
    app = create_app(bootstrap(settings), roles=ALL_ROLES, mount_demo=True)
    paths = {getattr(route, "path", "") for route in app.routes}
    if "/api/watchlist" not in paths:
        app.include_router(watchlist.router)
    if "/api/analyses/{job_id}/fail" not in paths:
        app.include_router(watchlist.fail_router)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", ws="websockets-sansio")


if __name__ == "__main__":
    main()
