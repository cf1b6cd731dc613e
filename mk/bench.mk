# Scale-out benchmarks on the servers of mk/services.mk (not part of `make test`; docs/benchmarks.md lists
# every benchmark of the project, its command and its latest figures).
#   make bench-bus          analysis path through Kafka vs the memory bus, same 20,000 reviews, PostgreSQL
#                           store -> bench/results/bus_throughput.json (about 10-15 min on 2 shared cores)
#   make bench-report-load  GET /api/analyses/{id}/report under wrk load: Redis cache, in-process cache, no
#                           cache -> bench/results/report_load.json (about 2-3 min)
#   make bench-wrk          install wrk (Debian package) when it is missing
# Knobs: BENCH_BUS_ARGS (e.g. "--runs 5"), BENCH_REPORT_ARGS (e.g. "--duration 20 --connections 16").

BENCH_BUS_ARGS ?= --runs 3
BENCH_REPORT_ARGS ?= --duration 10 --threads 2 --connections 32 --rounds 3

.PHONY: bench-bus bench-report-load bench-wrk

bench-wrk:
	@if ! command -v wrk >/dev/null 2>&1; then \
		echo "bench-wrk: installing Debian package wrk (apt-get)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -qq wrk >/dev/null 2>&1 \
		|| { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } \
		|| { echo "bench-report-load needs wrk: apt-get install wrk (as root)"; exit 1; }; \
	fi
	@wrk -v 2>&1 | head -1

bench-bus: setup services-up
	$(UV) run python bench/bus_throughput.py $(BENCH_BUS_ARGS)

bench-report-load: setup services-up bench-wrk
	$(UV) run python bench/report_load.py $(BENCH_REPORT_ARGS)
