#!/usr/bin/env bash
# Start the local test LLM server (llama.cpp's OpenAI-compatible server via llama-cpp-python) on
# 127.0.0.1 and wait until it answers GET /v1/models. Idempotent: a healthy server already running
# is reused. Installs first if needed (see install.sh). Log: ~/.cache/highpipe/run/llm/server.log.
# Env: HIGHPIPE_TEST_LLM_PORT (default 18089), LLM_START_TIMEOUT (seconds, default 120),
#      LLM_THREADS (default 2).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
source "$here/common.sh"
bash "$here/install.sh"
mkdir -p "$LLM_RUN"
models_url="http://$LLM_HOST:$LLM_PORT/v1/models"

ready() { curl -fsS --max-time 3 "$models_url" >/dev/null 2>&1; }

if [[ -f "$LLM_PIDFILE" ]] && kill -0 "$(cat "$LLM_PIDFILE")" 2>/dev/null && ready; then
  echo "llm: already running (pid $(cat "$LLM_PIDFILE")) at http://$LLM_HOST:$LLM_PORT/v1"
  exit 0
fi
if ready; then
  echo "llm: port $LLM_PORT already answers but is not ours (no pid file); stop it or set HIGHPIPE_TEST_LLM_PORT" >&2
  exit 1
fi

start=$(date +%s)
# setsid: the server outlives the make recipe that started it, until stop.sh.
setsid nohup "$LLM_VENV/bin/python" -m llama_cpp.server \
  --model "$LLM_MODEL_FILE" --model_alias "$LLM_MODEL_ALIAS" \
  --host "$LLM_HOST" --port "$LLM_PORT" \
  --chat_format gemma --n_threads "${LLM_THREADS:-2}" --n_ctx 2048 --logits_all False \
  >"$LLM_LOG" 2>&1 </dev/null &
echo $! >"$LLM_PIDFILE"

deadline=$(( start + ${LLM_START_TIMEOUT:-120} ))
until ready; do
  if ! kill -0 "$(cat "$LLM_PIDFILE")" 2>/dev/null; then
    echo "llm: server exited during start; last lines of $LLM_LOG:" >&2
    tail -n 30 "$LLM_LOG" >&2
    rm -f "$LLM_PIDFILE"
    exit 1
  fi
  if (( $(date +%s) >= deadline )); then
    echo "llm: not ready after ${LLM_START_TIMEOUT:-120}s; see $LLM_LOG" >&2
    bash "$here/stop.sh"
    exit 1
  fi
  sleep 0.5
done
echo "llm: ready in $(( $(date +%s) - start ))s at http://$LLM_HOST:$LLM_PORT/v1 (model $LLM_MODEL_ALIAS, log $LLM_LOG)"
