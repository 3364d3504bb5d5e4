# Every target installs what it needs and skips what is already there.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export ONEXIT_CACHE ?= $(HOME)/.cache/onexit
export ONEXIT_STATE ?= /tmp/onexit-cluster
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

NODE_STAMP := node_modules/.package-lock.json

.PHONY: all deps lint typecheck unit e2e test chart-check cluster-up cluster-down tools demo bench build image clean

all: test

$(NODE_STAMP): package.json package-lock.json
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

# The control plane, kubectl and helm are built from their Go modules into $(ONEXIT_CACHE).
tools:
	bash test/cluster/build.sh

cluster-up: deps tools
	bash test/cluster/up.sh

cluster-down:
	bash test/cluster/down.sh

e2e: deps tools
	vitest run --project e2e --reporter=default --reporter=json --outputFile.json=.cache/e2e.json

test: lint unit e2e
	node test/summary.ts .cache/unit.json .cache/e2e.json

build: deps
	tsc -p tsconfig.build.json

clean:
	rm -rf dist .cache
