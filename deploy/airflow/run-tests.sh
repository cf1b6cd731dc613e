#!/usr/bin/env bash
# Run the DAG tests (tests/airflow) with the Airflow venv's pytest against a real embedded HighPipe.
#
#   deploy/airflow/run-tests.sh [pytest args...]
#
# 1. builds (once) the Airflow venv (build-venv.sh);
# 2. makes a temporary AIRFLOW_HOME (SQLite metadata DB, `airflow db migrate`) and HighPipe data folder;
# 3. starts `highpipe serve` (the app's .venv) on a free loopback port with
#    the demo shop, and waits for /healthz;
# 4. runs pytest with HIGHPIPE_API_URL pointing at it, then stops the server and deletes the temporary folders.
# The app's venv must exist (`make setup`). HIGHPIPE_TEST_KAFKA_URL (set by `make test`) enables the trigger
# test against a real broker.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
app_python="$repo/.venv/bin/python"
[[ -x "$app_python" ]] || { echo "airflow-test: $app_python is missing: run \`make setup\` first" >&2; exit 2; }
venv="$("$repo/deploy/airflow/build-venv.sh" | tail -1)"

work="$(mktemp -d "${TMPDIR:-/tmp}/highpipe-airflow.XXXXXX")"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

export HIGHPIPE_REPO="$repo" AIRFLOW_HOME="$work/airflow"
mkdir -p "$AIRFLOW_HOME" "$work/highpipe"
# shellcheck source=deploy/airflow/airflow.env
source "$repo/deploy/airflow/airflow.env"

port="$("$app_python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
echo "airflow-test: highpipe serve on 127.0.0.1:$port (data in $work/highpipe)"
# The server's data, also seen by the batch CLI that the daily ETL DAG runs (same lake and warehouse).
export HIGHPIPE_DATABASE_URL="sqlite+aiosqlite:///$work/highpipe/highpipe.db" \
  HIGHPIPE_LAKE_URL="$work/highpipe/lake" HIGHPIPE_UPLOAD_DIR="$work/highpipe/uploads" \
  HIGHPIPE_WAREHOUSE_URL="duckdb:///$work/highpipe/warehouse.duckdb" HIGHPIPE_RATE_LIMIT_PER_MINUTE=1000
(
  cd "$work/highpipe"
  exec "$repo/.venv/bin/highpipe" serve --port "$port"
) >"$work/serve.log" 2>&1 &
server_pid=$!

start=$(date +%s)
"$venv/bin/airflow" db migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; exit 1; }
echo "airflow-test: metadata DB migrated in $(( $(date +%s) - start ))s"
healthy() { "$app_python" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/healthz', timeout=2)" 2>/dev/null; }
for _ in $(seq 1 300); do
  healthy && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; echo "airflow-test: server exited" >&2; exit 1; }
  sleep 0.2
done
healthy || { cat "$work/serve.log" >&2; echo "airflow-test: server not healthy in 60 s" >&2; exit 1; }

export HIGHPIPE_API_URL="http://127.0.0.1:$port"
export HIGHPIPE_BIN="${HIGHPIPE_BIN:-$repo/.venv/bin/highpipe}"
status=0
(cd "$repo" && "$venv/bin/python" -m pytest -c tests/airflow/pytest.ini tests/airflow "$@") || status=$?
if [[ $status -ne 0 ]]; then
  echo "airflow-test: server log (last 40 lines):" >&2
  tail -40 "$work/serve.log" >&2
fi
exit $status
