# Shared settings of the local test LLM server (llama.cpp via llama-cpp-python), sourced by the
# install/start/stop scripts. Everything lives under ~/.cache/highpipe so that it is built once per
# machine and never touches the project's .venv or uv.lock.
LLAMA_CPP_VERSION="${LLAMA_CPP_VERSION:-0.3.36}"
GEMMA_PKG_VERSION="${GEMMA_PKG_VERSION:-1.0.0}"
HP_CACHE="${HIGHPIPE_CACHE_DIR:-$HOME/.cache/highpipe}"
LLM_WHEELS="$HP_CACHE/wheels"
LLM_VENV="$HP_CACHE/llm-venv-$LLAMA_CPP_VERSION"
LLM_MODELS="$HP_CACHE/models"
LLM_MODEL_FILE="$LLM_MODELS/gemma3-270m-q4_k_m-$GEMMA_PKG_VERSION.gguf"
LLM_MODEL_ALIAS="${HIGHPIPE_TEST_LLM_MODEL:-gemma3-270m}"
LLM_HOST="127.0.0.1" # loopback only, never configurable
LLM_PORT="${HIGHPIPE_TEST_LLM_PORT:-18089}"
LLM_RUN="$HP_CACHE/run/llm"
LLM_LOG="$LLM_RUN/server.log"
LLM_PIDFILE="$LLM_RUN/server.pid"
LLM_PYTHON="${LLM_PYTHON:-python3}"
