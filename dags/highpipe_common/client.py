"""A small synchronous HTTP client for the HighPipe API, as the DAG tasks use it.

Where HighPipe is: the Airflow Variable `highpipe_api_url` (or env AIRFLOW_VAR_HIGHPIPE_API_URL), else env
HIGHPIPE_API_URL, else http://127.0.0.1:8000. The bearer token likewise: Variable `highpipe_api_token`,
else env HIGHPIPE_API_TOKEN, else none. Every call has a 30 s timeout; a non-2xx answer raises
`HighPipeError` carrying the status and the API's `detail` sentence.

The crawler service (`CrawlerClient`): the Variable `highpipe_crawler_url` (or env
AIRFLOW_VAR_HIGHPIPE_CRAWLER_URL), else env HIGHPIPE_CRAWLER_URL, else `<HighPipe URL>/crawler` (where
`highpipe serve` mounts it); it takes the same bearer token as the API.
"""

from __future__ import annotations

import os
from typing import Any

import httpx

DEFAULT_API_URL = "http://127.0.0.1:8000"
TIMEOUT_S = 30.0


class HighPipeError(RuntimeError):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"HighPipe answered {status}: {detail}")
        self.status = status
        self.detail = detail


def _setting(variable: str, env: str, default: str) -> str:
    # Imported here: building the DAGs (parsing) must not need a metadata database or API server.
    from airflow.sdk import Variable

    try:
        value = Variable.get(variable, default=None)
    except Exception:  # outside a task (a plain script, a test): the environment decides
        value = None
    return str(value) if value else os.environ.get(env, default)


def api_url() -> str:
    return _setting("highpipe_api_url", "HIGHPIPE_API_URL", DEFAULT_API_URL).rstrip("/")


def crawler_url() -> str:
    return _setting("highpipe_crawler_url", "HIGHPIPE_CRAWLER_URL", f"{api_url()}/crawler").rstrip("/")


def _token() -> str:
    return _setting("highpipe_api_token", "HIGHPIPE_API_TOKEN", "")


def _raise_for(response: httpx.Response) -> None:
    if response.status_code >= 400:
        try:
            detail = str(response.json().get("detail"))
        except (ValueError, AttributeError):  # not JSON, or JSON that is not an object
            detail = response.text[:500]
        raise HighPipeError(response.status_code, detail)


class HighPipeClient:
    """`HighPipeClient()` reads the URL and token as above; pass them to override."""

    def __init__(self, base_url: str | None = None, token: str | None = None) -> None:
        self.base_url = (base_url or api_url()).rstrip("/")
        token = token if token is not None else _token()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(base_url=self.base_url, headers=headers, timeout=TIMEOUT_S)

    def __enter__(self) -> HighPipeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._http.request(method, path, **kwargs)
        _raise_for(response)
        return response.json() if response.content else None

    # analyses

    def submit(
        self, url: str, *, max_reviews: int | None = None, full: bool = False, dispatch: str = "bus"
    ) -> str:
        """Create the analysis; `dispatch="external"`: only the job, for the crawler service to crawl."""
        body: dict[str, Any] = {"url": url, "full": full, "dispatch": dispatch}
        if max_reviews:
            body["max_reviews"] = max_reviews
        return str(self._call("POST", "/api/analyses", json=body)["id"])

    def status(self, job_id: str) -> dict[str, Any]:
        """`{"id", "job": {...}, "stages": {"collect"|"analyze"|"report": state}, "links"}`."""
        result: dict[str, Any] = self._call("GET", f"/api/analyses/{job_id}")
        return result

    def report(self, job_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/api/analyses/{job_id}/report")
        return result

    def fail(self, job_id: str, reason: str, code: str) -> bool:
        """Mark the job failed; False when it had already ended (409)."""
        try:
            self._call("POST", f"/api/analyses/{job_id}/fail", json={"reason": reason, "code": code})
        except HighPipeError as exc:
            if exc.status == 409:
                return False
            raise
        return True

    # watchlist

    def watchlist(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        while True:  # pages of 1000 (the API's maximum), until a short one
            page = self._call("GET", "/api/watchlist", params={"limit": 1000, "offset": len(items)})
            items.extend(page)
            if len(page) < 1000:
                return items

    def record_refresh(
        self, watch_id: str, job_id: str, *, rise_pp: float | None = None, min_reviews: int | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"job_id": job_id}
        if rise_pp is not None:
            body["rise_pp"] = rise_pp
        if min_reviews is not None:
            body["min_reviews"] = min_reviews
        result: dict[str, Any] = self._call("POST", f"/api/watchlist/{watch_id}/refreshes", json=body)
        return result


class CrawlerClient:
    """The crawler service: `CrawlerClient()` reads its URL and the token as above; pass them to override."""

    def __init__(self, base_url: str | None = None, token: str | None = None) -> None:
        self.base_url = (base_url or crawler_url()).rstrip("/")
        token = token if token is not None else _token()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(base_url=self.base_url, headers=headers, timeout=TIMEOUT_S)

    def __enter__(self) -> CrawlerClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    def crawl_job(self, job_id: str, url: str, *, max_reviews: int | None = None) -> dict[str, Any]:
        """`POST /crawl {"job_id", "url"}`: `{"id", "job_id", "status", "url", "links"}` (202). Raises
        HighPipeError for a non-2xx answer and httpx.TransportError when the service cannot be reached."""
        body: dict[str, Any] = {"job_id": job_id, "url": url}
        if max_reviews:
            body["max_reviews"] = max_reviews
        response = self._http.post("/crawl", json=body)
        _raise_for(response)
        result: dict[str, Any] = response.json()
        return result
