# syntax=docker/dockerfile:1.7
# Airflow with HighPipe installed, for the scheduled re-crawls and the daily ETL DAGs (dags/).
# Deployed with the official Airflow Helm chart into the pipeline namespace (docs/deploy.md);
# its web UI sits behind the same ALB (/airflow).
#
#   docker buildx bake airflow                 (context = repository root)
#
# The first stage builds HighPipe as a wheel; the second installs it into the Airflow image under
# Airflow's own constraints, as the image's unprivileged `airflow` user (uid 50000).

ARG AIRFLOW_IMAGE=apache/airflow:2.10.5-python3.11
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

FROM ${PYTHON_IMAGE} AS wheel
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install --no-cache-dir uv==0.13.8
WORKDIR /src
COPY pyproject.toml uv.lock README.md ./
COPY src ./src
RUN uv build --wheel --out-dir /dist

FROM ${AIRFLOW_IMAGE} AS airflow
USER 50000
COPY --from=wheel --chown=50000:0 /dist /tmp/dist
# Airflow pins its own dependency set; HighPipe's extras for Kafka/PostgreSQL come with it.
RUN pip install --no-cache-dir "$(ls /tmp/dist/*.whl)[scale]" \
 && rm -rf /tmp/dist
COPY --chown=50000:0 dags/ /opt/airflow/dags/
ENV HIGHPIPE_LOG_FORMAT=json
