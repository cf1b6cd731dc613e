# The local test LLM server (llama.cpp via llama-cpp-python, Gemma 3 270M) for the LLM contract
# tests: built once per machine under ~/.cache/highpipe, served on 127.0.0.1 only.
#   make llm-install  build/install (the first time compiles llama.cpp: minutes)
#   make llm-up       install if needed, start, wait until ready
#   make llm-down     stop it
LLM_PORT ?= 18089
LLM_MODEL_ALIAS ?= gemma3-270m
export HIGHPIPE_TEST_LLM_PORT := $(LLM_PORT)
export HIGHPIPE_TEST_LLM_MODEL := $(LLM_MODEL_ALIAS)
export HIGHPIPE_TEST_LLM_URL ?= openai+http://127.0.0.1:$(LLM_PORT)/v1?model=$(LLM_MODEL_ALIAS)&json_mode=llamacpp&timeout=120&retries=1

.PHONY: llm-install llm-up llm-down

llm-install:
	bash deploy/local/llm/install.sh

llm-up:
	bash deploy/local/llm/start.sh

llm-down:
	bash deploy/local/llm/stop.sh

TEST_PREREQS += llm-up
# CI leaves nothing running behind it; on a developer's machine the server stays up for the next run.
ifeq ($(CI),true)
TEST_EXTRA += llm-down
endif
