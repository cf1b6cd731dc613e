# Spark batch jobs and the warehouse (src/highpipe/batch, src/highpipe/warehouse, jobs/).
#   make batch-deps   install what the Spark tests need, if missing: Java 17 (openjdk-17-jre-headless) and
#                     Debian's PostgreSQL JDBC driver (libpostgresql-jdbc-java, /usr/share/java/postgresql.jar)
#   make batch-bench  clean_reviews + daily_aggregates on 1,000,000 synthetic reviews -> bench/results/batch.json
#   make batch-all DATE=2026-11-01   run both jobs on the default lake and warehouse
# CI cost: nothing when both are present; otherwise one apt-get install (~60 MB download, ~30-60 s).
HIGHPIPE_JDBC_JAR ?= /usr/share/java/postgresql.jar
export HIGHPIPE_JDBC_JAR

.PHONY: batch-deps batch-bench batch-all

batch-deps:
	@missing=""; \
	command -v java >/dev/null 2>&1 || missing="$$missing openjdk-17-jre-headless"; \
	[ -f "$(HIGHPIPE_JDBC_JAR)" ] || missing="$$missing libpostgresql-jdbc-java"; \
	if [ -n "$$missing" ]; then \
		echo "batch-deps: installing$$missing (apt-get)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-cache show $$missing >/dev/null 2>&1 || apt-get update -qq; \
		apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi; \
	[ -f "$(HIGHPIPE_JDBC_JAR)" ] || { echo "batch-deps: $(HIGHPIPE_JDBC_JAR) is still missing" >&2; exit 1; }; \
	echo "batch-deps: java $$(java -version 2>&1 | head -1 | cut -d'"' -f2), JDBC driver $(HIGHPIPE_JDBC_JAR)"

TEST_PREREQS += batch-deps

batch-bench: setup batch-deps
	$(UV) run python bench/batch.py

batch-all: setup
	$(UV) run highpipe batch run all --date $(DATE)
