# Prometheus and Alertmanager binaries for tests/integration/test_prometheus_scrape.py (a real Prometheus
# scraping a real `highpipe serve`, and a real Alertmanager posting to its webhook) and for the ops
# suite (promtool, amtool).
#   make prometheus-tools   apt-get install prometheus prometheus-alertmanager when a binary is missing
# Debian 12 ships Prometheus 2.42 and Alertmanager 0.25. The packages would start their services on
# 0.0.0.0:9090/9093 on a machine with an init system: a temporary /usr/sbin/policy-rc.d (exit 101, the
# Debian convention) stops that, unless the machine already has one. Cost in CI: one apt-get
# install (about 60 MB, 10-20 s); nothing when both binaries are present.

PROMETHEUS_PACKAGES := prometheus prometheus-alertmanager

.PHONY: prometheus-tools

prometheus-tools:
	@if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 \
	    && command -v prometheus-alertmanager >/dev/null 2>&1 && command -v amtool >/dev/null 2>&1; then \
	  :; \
	else \
	  echo "prometheus-tools: apt-get install $(PROMETHEUS_PACKAGES) (services not started)"; \
	  own_policy=0; \
	  if [ ! -e /usr/sbin/policy-rc.d ]; then \
	    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && own_policy=1; \
	  fi; \
	  apt-get update -q >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(PROMETHEUS_PACKAGES) >/dev/null; \
	  status=$$?; \
	  if [ $$own_policy = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi; \
	  exit $$status; \
	fi
	@prometheus --version 2>&1 | head -1
	@prometheus-alertmanager --version 2>&1 | head -1

TEST_PREREQS += prometheus-tools
