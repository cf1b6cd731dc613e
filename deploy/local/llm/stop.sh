#!/usr/bin/env bash
# Stop the local test LLM server started by start.sh (by its pid file only). Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
source "$here/common.sh"
if [[ ! -f "$LLM_PIDFILE" ]]; then
  echo "llm: not running"
  exit 0
fi
pid="$(cat "$LLM_PIDFILE")"
if kill -0 "$pid" 2>/dev/null; then
  kill "$pid"
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -9 "$pid"
  fi
  echo "llm: stopped (pid $pid)"
else
  echo "llm: not running (stale pid file)"
fi
rm -f "$LLM_PIDFILE"
