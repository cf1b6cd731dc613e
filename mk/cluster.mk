# HighPipe as separate processes on loopback (api x2, ws, worker crawl x2 / analyze x2 / sink, demo shop),
# on the services of mk/services.mk, so that a person can watch the scale-out mode work.
#   make cluster-up       services-up, then start what is not running and wait until ready; prints the URLs
#   make cluster-down     stop the processes gracefully (the services keep running: make services-down)
#   make cluster-status   one line per process
#   make bench-cluster    bench/cluster.py on a cluster of its own -> bench/results/cluster.json
# Ports, replica counts and the rest are environment settings read by deploy/local/cluster.sh (see its header).

CLUSTER := deploy/local/cluster.sh

.PHONY: cluster-up cluster-down cluster-status cluster-urls bench-cluster

cluster-up: setup services-up
	@HIGHPIPE_CLUSTER_SERVICES=0 $(CLUSTER) up

cluster-down:
	@$(CLUSTER) down

cluster-status:
	@$(CLUSTER) status

cluster-urls:
	@$(CLUSTER) urls

bench-cluster: setup services-up
	$(UV) run python bench/cluster.py
