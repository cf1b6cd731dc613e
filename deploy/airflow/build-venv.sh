#!/usr/bin/env bash
# Build (once) the Airflow environment that runs HighPipe's DAGs and their tests, apart from the app's venv.
#
#   deploy/airflow/build-venv.sh          prints the venv's path on its last line (builds it if missing)
#
# The venv lives in ${HIGHPIPE_CACHE:-~/.cache/highpipe}/airflow-<airflow version>-<rev>, where <rev> is the
# first 12 hex digits of requirements.txt's sha256: a changed pin set builds a new folder, an unchanged one is
# reused. It is built in a temporary folder and moved into place only when complete, so an interrupted build
# is never mistaken for a good one. Needs uv (or python3 -m uv) and PyPI; CPython 3.11 is fetched by uv if
# the machine has none.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
req="$here/requirements.txt"
cache="${HIGHPIPE_CACHE:-$HOME/.cache/highpipe}"
version="$(sed -n 's/^apache-airflow==\([^ ]*\).*/\1/p' "$req")"
rev="$(sha256sum "$req" | cut -c1-12)"
venv="$cache/airflow-$version-$rev"
if command -v uv >/dev/null 2>&1; then uv_bin=(uv); else uv_bin=(python3 -m uv); fi

if [[ -x "$venv/bin/airflow" && -f "$venv/.complete" ]]; then
  echo "airflow-venv: using $venv" >&2
  echo "$venv"
  exit 0
fi
echo "airflow-venv: building $venv (Airflow $version, $(grep -c '==' "$req") pinned packages)" >&2
start=$(date +%s)
mkdir -p "$cache"
rm -rf "$venv.tmp"
"${uv_bin[@]}" venv -q --relocatable --python 3.11 "$venv.tmp"
# --no-deps: requirements.txt is the complete resolution; nothing else may slip in.
"${uv_bin[@]}" pip install -q --python "$venv.tmp/bin/python" --no-deps -r "$req"
# --relocatable: entry points find their interpreter relative to themselves, so the finished folder can be
# moved into place.
rm -rf "$venv"
mv "$venv.tmp" "$venv"
touch "$venv/.complete"
echo "airflow-venv: built in $(( $(date +%s) - start ))s" >&2
echo "$venv"
