# syntax=docker/dockerfile:1.7
# Airflow with HighPipe installed, for the scheduled re-crawls and the daily ETL DAGs (dags/).
# Deployed with the official Airflow Helm chart into the pipeline namespace (docs/deploy.md);
# its web UI sits behind the same ALB (/airflow).
#
#   docker buildx bake airflow                 (context = repository root)
#
# The first stage builds HighPipe as a wheel. The second starts from the Airflow 3 image, installs the
# exact Airflow set the DAG tests run with (deploy/airflow/requirements.txt), and puts HighPipe in a venv of
# its own (/opt/airflow/highpipe: its pins clash with Airflow's, as on a developer machine), which the DAGs call
# through HIGHPIPE_BIN (the daily ETL's `highpipe batch run ...`). Spark needs a Java runtime: Debian's
# JRE 17. Everything runs as the image's unprivileged `airflow` user (uid 50000).

ARG AIRFLOW_IMAGE=apache/airflow:3.3.2-python3.11
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

FROM ${PYTHON_IMAGE} AS wheel
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install --no-cache-dir uv==0.13.8
WORKDIR /src
COPY pyproject.toml uv.lock README.md ./
COPY src ./src
RUN uv build --wheel --out-dir /dist

FROM ${AIRFLOW_IMAGE} AS airflow
USER 0
# The base image's tag pins the Debian release; apt versions inside it move with security updates, so
# the JRE is taken at the release's current version rather than a pin that would stop resolving.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
 && rm -rf /var/lib/apt/lists/*
USER 50000
COPY --chown=50000:0 deploy/airflow/requirements.txt /tmp/airflow-requirements.txt
RUN pip install --no-cache-dir -r /tmp/airflow-requirements.txt && rm /tmp/airflow-requirements.txt
COPY --from=wheel --chown=50000:0 /dist /tmp/dist
RUN python -m venv /opt/airflow/highpipe \
 && /opt/airflow/highpipe/bin/pip install --no-cache-dir "$(ls /tmp/dist/*.whl)[scale,batch]" \
 && rm -rf /tmp/dist
COPY --chown=50000:0 dags/ /opt/airflow/dags/
ENV HIGHPIPE_LOG_FORMAT=json HIGHPIPE_BIN=/opt/airflow/highpipe/bin/highpipe
