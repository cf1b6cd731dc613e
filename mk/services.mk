# Local PostgreSQL 15 + PgBouncer, Redis 7 and Kafka 4.x (KRaft) on loopback, for the scale-out mode and its tests.
#   make services-up      install what is missing and start them (idempotent)
#   make services-down    stop them (data kept in $(HIGHPIPE_SERVICES_DIR))
#   make services-status  one line per service
#   make services-clean   stop them and delete their data
# Ports and the rest are environment settings read by deploy/local/services.sh (see its header).

HIGHPIPE_SERVICES_DIR ?= $(CURDIR)/.services
HIGHPIPE_PG_PORT ?= 15432
HIGHPIPE_PGBOUNCER_PORT ?= 16432
HIGHPIPE_REDIS_PORT ?= 16379
HIGHPIPE_KAFKA_PORT ?= 19092
HIGHPIPE_KAFKA_CONTROLLER_PORT ?= 19093
HIGHPIPE_PG_USER ?= highpipe
HIGHPIPE_PG_PASSWORD ?= highpipe
export HIGHPIPE_SERVICES_DIR HIGHPIPE_PG_PORT HIGHPIPE_PGBOUNCER_PORT HIGHPIPE_REDIS_PORT HIGHPIPE_KAFKA_PORT
export HIGHPIPE_KAFKA_CONTROLLER_PORT HIGHPIPE_PG_USER HIGHPIPE_PG_PASSWORD

# What the contract suites connect to (PostgreSQL through PgBouncer, on a database the tests may wipe).
HIGHPIPE_TEST_POSTGRES_URL ?= postgresql+asyncpg://$(HIGHPIPE_PG_USER):$(HIGHPIPE_PG_PASSWORD)@127.0.0.1:$(HIGHPIPE_PGBOUNCER_PORT)/highpipe_test
HIGHPIPE_TEST_REDIS_URL ?= redis://127.0.0.1:$(HIGHPIPE_REDIS_PORT)/0
HIGHPIPE_TEST_KAFKA_URL ?= kafka://127.0.0.1:$(HIGHPIPE_KAFKA_PORT)
export HIGHPIPE_TEST_POSTGRES_URL HIGHPIPE_TEST_REDIS_URL HIGHPIPE_TEST_KAFKA_URL

SERVICES := deploy/local/services.sh

TEST_PREREQS += services-up

.PHONY: services-up services-down services-status services-clean

services-up:
	@$(SERVICES) up

services-down:
	@$(SERVICES) down

services-status:
	@$(SERVICES) status

services-clean:
	@$(SERVICES) clean

# These targets run suites that now expect the servers (the URLs above are exported to them).
contract pytest: services-up
