# The web app (web/: React + TypeScript + Vite), served by `highpipe serve` from web/dist.
#   make web-install   npm ci (again only when package-lock.json changes)
#   make web-build     vite build -> web/dist (skipped while it is newer than every source file)
#   make web-test      typecheck + vitest + check that the generated API/event types are not stale
#   make web-e2e       browser end-to-end run (headless Debian Chromium) against a real `highpipe serve`
#   make web-bench     performance medians (report of 10,000 reviews, live page at 200 events/s) -> bench/results/
#   make web-types     regenerate web/src/api/generated/ from the OpenAPI schema and docs/events.schema.json
NPM ?= npm
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json

.PHONY: web-install web-build web-test web-e2e web-bench web-types web-chromium web-clean

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

web-e2e: setup web-build web-chromium
	cd web && UV="$(UV)" $(NPM) run e2e

web-bench: setup web-build web-chromium
	cd web && UV="$(UV)" node ../bench/web_perf.mjs

web-clean:
	rm -rf web/dist web/node_modules web/e2e/screenshots

DEMO_PREREQS += web-build
TEST_EXTRA += web-test web-e2e
