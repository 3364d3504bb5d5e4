# Every target installs what it needs and skips what is already there.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export ONEXIT_CACHE ?= $(HOME)/.cache/onexit
export ONEXIT_STATE ?= /tmp/onexit-cluster
# The pinned Node (package.json devDependencies.node) is installed first into the cache, so the
# first `npm ci` already runs on it (on the machine's older Node, npm warns EBADENGINE per package).
NODE_VERSION := $(shell node -p 'require("./package.json").devDependencies.node')
NODE_HOME := $(ONEXIT_CACHE)/node-$(NODE_VERSION)
NODE_BIN := $(NODE_HOME)/node_modules/.bin/node
export PATH := $(CURDIR)/node_modules/.bin:$(NODE_HOME)/node_modules/.bin:$(ONEXIT_CACHE)/bin:$(PATH)

NODE_STAMP := node_modules/.package-lock.json

.PHONY: prereqs all deps lint typecheck unit e2e test chart-check cluster-up cluster-down tools demo bench faults build image clean

all: test

# Installed beside its place and moved in whole, so a run stopped halfway leaves nothing half-made.
# The `node` package downloads the binary in its preinstall script, hence allowScripts.
$(NODE_BIN):
	@echo "installing Node $(NODE_VERSION) into $(NODE_HOME)"
	@mkdir -p $(ONEXIT_CACHE); tmp=$$(mktemp -d $(NODE_HOME).tmp.XXXXXX); trap 'rm -rf "$$tmp"' EXIT; \
	  echo '{ "private": true, "allowScripts": { "node": true } }' >"$$tmp/package.json"; \
	  npm install --prefix "$$tmp" --no-save --no-package-lock --no-audit --no-fund node@$(NODE_VERSION); \
	  test "$$("$$tmp/node_modules/.bin/node" --version)" = v$(NODE_VERSION); \
	  rm -rf $(NODE_HOME); mv -T "$$tmp" $(NODE_HOME)

$(NODE_STAMP): package.json package-lock.json | $(NODE_BIN)
	npm ci --no-audit --no-fund
	@touch $@

deps: $(NODE_STAMP)

typecheck: deps
	tsc -p tsconfig.json --noEmit

lint: deps typecheck
	eslint .
	prettier --check .

unit: deps
	vitest run --project unit --reporter=default --reporter=json --outputFile.json=.cache/unit.json

# The control plane, kubectl, helm and Argo's argo CLI (and for `make bench` its workflow-controller
# and argoexec, the bench's peer) are built from their Go modules into $(ONEXIT_CACHE).
tools:
	bash test/cluster/build.sh

cluster-up: deps tools
	bash test/cluster/up.sh

cluster-down:
	bash test/cluster/down.sh

prereqs:
	bash test/prereqs.sh

# The e2e files that run on the test cluster's real node (ONEXIT_NODE=kubelet: kubelet,
# containerd, onexit's own image); the others run on the process agent (ONEXIT_NODE=agent).
# up.sh restarts the cluster when the node kind changes. Which runs where and why:
# docs/test-cluster.md. Against another cluster (KUBECONFIG) both passes run there.
E2E_ON_KUBELET := $(addprefix test/e2e/,$(addsuffix .test.ts,real-node chart workflows dag-fail-fast \
	ownership retry-backoff parallelism artifacts artifact-gc security security-limits faults \
	sidecar-give-up stuck-pod))
E2E_JSON = --reporter=default --reporter=json --outputFile.json=$(1)

e2e: deps tools prereqs build
	status=0; \
	ONEXIT_NODE=kubelet vitest run --project e2e $(E2E_ON_KUBELET) $(call E2E_JSON,.cache/e2e-kubelet.json) || status=1; \
	ONEXIT_NODE=agent vitest run --project e2e $(addprefix --exclude ,$(E2E_ON_KUBELET)) $(call E2E_JSON,.cache/e2e.json) || status=1; \
	exit $$status

# The chart must lint and its rendered manifests (optional objects switched on) must be accepted
# by a real API server.
chart-check: tools cluster-up
	helm lint charts/onexit
	kubectl --kubeconfig $(ONEXIT_STATE)/kubeconfig create namespace onexit-chart-check --dry-run=client -o yaml \
	  | kubectl --kubeconfig $(ONEXIT_STATE)/kubeconfig apply -f - >/dev/null
	helm template chart-check charts/onexit --namespace onexit-chart-check --include-crds \
	  --set networkPolicy.enabled=true \
	  | kubectl --kubeconfig $(ONEXIT_STATE)/kubeconfig apply --server-side --force-conflicts \
	      --field-manager=chart-check --dry-run=server -f - >/dev/null
	@echo "chart-check: helm template accepted by the API server (dry run)"

test: lint unit chart-check e2e
	node test/summary.ts .cache/unit.json .cache/e2e-kubelet.json .cache/e2e.json

# The README's main command: cluster, chart, the exit-handler example, its logs and metrics.
demo: deps tools prereqs cluster-up build
	bash hack/demo.sh

# Benchmarks in the test cluster (or KUBECONFIG's): tables on stdout, JSON in bench/results/.
# Not part of `make test`; BENCH_QUICK=1 for a smoke run, the other knobs in bench/config.ts.
# The benchmarks time host processes of the process agent's pods; `make faults` keeps its table
# there too (its e2e subset, test/e2e/faults.test.ts, runs on the kubelet node).
bench faults: export ONEXIT_NODE = agent
# Argo's workflow-controller and argoexec (its side by side) are built for the bench only.
bench: export ONEXIT_ARGO_PEER = 1
bench: deps tools prereqs cluster-up build
	export KUBECONFIG=$${KUBECONFIG:-$(ONEXIT_STATE)/kubeconfig}; node bench/main.ts

# Fault injection in the test cluster: a table on stdout, JSON in faults/results/. Not part of
# `make test` (test/e2e/faults.test.ts runs a short subset); knobs in faults/config.ts
# (FAULTS_WORKFLOWS, FAULTS_LOAD, FAULTS_BAD_INPUTS, FAULTS_ONLY, FAULTS_TIMEOUT_S).
faults: deps tools prereqs cluster-up build
	export KUBECONFIG=$${KUBECONFIG:-$(ONEXIT_STATE)/kubeconfig}; node faults/main.ts

build: deps
	tsc -p tsconfig.build.json

# The chart's default image reference, ghcr.io/onexit/onexit:<appVersion>. With a docker engine:
# `docker build` of the Dockerfile. Without one: the same recipe built offline with buildah
# (test/cluster/images.sh, Debian packages, no registry) into $(ONEXIT_CACHE)/images/*.tar, with
# the step stand-ins (alpine, busybox, bash, node) beside it, for `ctr images import`,
# `kind load image-archive` or `docker load`.
IMAGE_REPOSITORY := $(shell sed -n 's/^  repository: *//p' charts/onexit/values.yaml)
APP_VERSION := $(shell sed -n 's/^appVersion: *"*\([^"]*\)"*/\1/p' charts/onexit/Chart.yaml)
IMAGE := $(IMAGE_REPOSITORY):$(APP_VERSION)

image:
	@if docker info >/dev/null 2>&1; then \
	  docker build -t $(IMAGE) .; \
	else \
	  echo "image: no docker engine; building $(IMAGE) offline (test/cluster/images.sh)" >&2; \
	  [[ -x node_modules/.bin/tsc ]] || npm ci --no-audit --no-fund; \
	  bash test/cluster/images.sh; \
	  echo "image: $(ONEXIT_CACHE)/images/$(subst :,_,$(subst /,_,$(IMAGE))).tar" >&2; \
	fi

clean:
	rm -rf dist .cache
