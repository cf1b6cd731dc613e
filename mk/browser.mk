# Debian's headless Chromium + chromedriver for the Selenium fetcher (src/highpipe/adapters/fetch/browser*.py)
# and its tests (tests/integration/test_browser_*.py). Selenium Manager is never used: the fetcher passes
# /usr/bin/chromium and /usr/bin/chromedriver explicitly, so both must come from the same Debian release.
#   make browser-deps   install chromium, chromium-driver and fonts-nanum if any is missing (idempotent)
# Cost in CI: one apt-get install (~120 MB download) the first time; a version check afterwards.
.PHONY: browser-deps

BROWSER_SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

browser-deps:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && ls /usr/share/fonts/truetype/nanum >/dev/null 2>&1; then \
		echo "browser-deps: present"; \
	else \
		echo "browser-deps: installing Debian packages chromium chromium-driver fonts-nanum"; \
		$(BROWSER_SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(BROWSER_SUDO) apt-get install -y -qq \
			chromium chromium-driver fonts-nanum >/dev/null; \
	fi
	@browser="$$(/usr/bin/chromium --version 2>/dev/null | sed -n 's/^Chromium \([0-9.]*\).*/\1/p')"; \
	driver="$$(/usr/bin/chromedriver --version | sed -n 's/^ChromeDriver \([0-9.]*\).*/\1/p')"; \
	echo "browser-deps: chromium $$browser, chromedriver $$driver"; \
	if [ "$$browser" != "$$driver" ]; then \
		echo "browser-deps: versions differ; upgrading both together"; \
		$(BROWSER_SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(BROWSER_SUDO) apt-get install -y -qq \
			chromium chromium-driver >/dev/null; \
	fi

TEST_PREREQS += browser-deps
