# syntax=docker/dockerfile:1.7
# The HighPipe Python image: one image for every service, the command picks the role
# (DESIGN.md: `highpipe api`, `highpipe ws`, `highpipe worker crawl|analyze|sink`).
#
#   docker buildx bake python                  (docker-bake.hcl; context = repository root)
#   docker run --rm -p 8000:8000 highpipe api --host 0.0.0.0 --port 8000
#
# Two stages: uv resolves the locked dependencies (uv.lock) into /opt/venv in a builder with the
# build tools; the runtime stage copies only that venv onto a slim base and runs as uid 10001.
# Base images are pinned to exact versions; pin digests too where a registry is reachable
# (`docker buildx imagetools inspect python:3.11.13-slim-bookworm`).

ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV UV_LINK_MODE=copy \
    UV_COMPILE_BYTECODE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install --no-cache-dir uv==0.13.8
WORKDIR /src
# Dependencies first (cached while only the source changes); the scale-out extras (asyncpg,
# aiokafka, redis) are part of the cluster image.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --extra scale --no-install-project
COPY src ./src
COPY alembic.ini ./
RUN uv sync --frozen --no-dev --extra scale --no-editable

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="highpipe" \
      org.opencontainers.image.description="HighPipe api, ws and workers"
RUN groupadd --system --gid 10001 highpipe \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin highpipe
COPY --from=build /opt/venv /opt/venv
COPY --from=build /src/alembic.ini /app/alembic.ini
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HIGHPIPE_LOG_FORMAT=json \
    HIGHPIPE_HOST=0.0.0.0
# The root file system is read-only in the cluster; /tmp is a volume there.
WORKDIR /app
USER 10001:10001
EXPOSE 8000 9100
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
ENTRYPOINT ["highpipe"]
CMD ["api", "--host", "0.0.0.0", "--port", "8000"]
