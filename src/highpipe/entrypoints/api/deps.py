"""Request dependencies: the container, the bearer-token check and the per-client rate limit."""

from __future__ import annotations

import hmac
import time
from typing import Annotated

from fastapi import Depends, HTTPException, Request, WebSocket

from highpipe.bootstrap import Container


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def client_id(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def token_ok(expected: str, header: str | None) -> bool:
    if not expected:
        return True
    if not header or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header[7:].strip().encode(), expected.encode())


def require_token(request: Request, container: ContainerDep) -> None:
    if not token_ok(container.settings.api_token, request.headers.get("authorization")):
        raise HTTPException(
            status_code=401,
            detail="인증이 필요합니다 / Authorization: Bearer <token> is required (HIGHPIPE_API_TOKEN is set).",
            headers={"WWW-Authenticate": "Bearer"},
        )


def ws_token_ok(websocket: WebSocket, container: Container) -> bool:
    expected = container.settings.api_token
    if not expected:
        return True
    given = websocket.query_params.get("token") or ""
    header = websocket.headers.get("authorization")
    return token_ok(expected, header) or hmac.compare_digest(given.encode(), expected.encode())


async def rate_limit(request: Request, container: ContainerDep) -> None:
    """Fixed one-minute window per client on submissions (HTTP 429 beyond the limit)."""
    limit = container.settings.rate_limit_per_minute
    window = int(time.time() // 60)
    count = await container.cache.incr(f"rl:{client_id(request)}:{window}", 60)
    if count > limit:
        raise HTTPException(
            status_code=429,
            detail=f"요청이 너무 많습니다. 잠시 후 다시 시도해 주세요 / Too many analyses submitted: the limit is {limit} per minute.",
            headers={"Retry-After": str(60 - int(time.time()) % 60)},
        )


Auth = Depends(require_token)
RateLimited = Depends(rate_limit)
