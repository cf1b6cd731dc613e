# Airflow 3 DAGs (dags/) and their tests, in an Airflow venv of their own (its pins clash with uv.lock).
#   make airflow-venv   build (once) ~/.cache/highpipe/airflow-<version>-<sha of requirements.txt>
#   make airflow-test   the venv, then tests/airflow with its pytest against a real `highpipe serve`
#                       (free loopback port, demo shop, temporary AIRFLOW_HOME with a SQLite metadata DB)
# Pins: deploy/airflow/requirements.txt (re-resolve with deploy/airflow/compile.sh).
# CI cost: venv build ~135 wheels (~215 MB installed; seconds with a warm uv cache), then ~1 min of tests.

.PHONY: airflow-venv airflow-test

# The DAG suite runs on its own, after the main pytest.
PYTEST_ARGS += --ignore=tests/airflow
TEST_EXTRA += airflow-test

airflow-venv: | .uv-installed
	@deploy/airflow/build-venv.sh >/dev/null

airflow-test: setup airflow-venv
	deploy/airflow/run-tests.sh
