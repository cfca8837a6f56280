# PruneLab build entry points. `make report` and `make test` are the two set-up commands in the README.
SHELL        := /bin/bash
SWIFT        ?= swift
RELEASE_FLAGS = -c release
TEST_FLAGS    = -c release -Xswiftc -enable-testing
APT_PACKAGES  = libgsl-dev libopenblas-dev pkg-config

.PHONY: deps build test report bench clean
BIN           = .build/release/prune-bench
# The default comparison runs here (resumable: an interrupted `make report` continues where it stopped)
# and is then copied to Reports/default, which is committed.
REPORT_RUN    = .build/reports/default

## deps: install the C libraries (GSL, OpenBLAS) and pkg-config with apt-get when they are missing.
deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing with apt-get"; \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q $$missing; \
	else \
	  echo "make deps: $(APT_PACKAGES) already installed"; \
	fi

## build: release build of the library and the prune-bench tool.
build: deps
	$(SWIFT) build $(RELEASE_FLAGS)

## test: the whole test suite, in release (numeric code is 10-50x slower in debug) with @testable kept.
test: deps
	$(SWIFT) build $(TEST_FLAGS) --build-tests
	@set -o pipefail; $(SWIFT) test $(TEST_FLAGS) --skip-build --disable-swift-testing 2>&1 | tee .build/test.log
	@grep -E "^[[:space:]]*Executed [0-9]+ tests?, with [0-9]+ failures?" .build/test.log | tail -1 | \
	  sed -E 's/.*Executed ([0-9]+) tests?, with ([0-9]+) failures?.*/\1 \2/' | \
	  awk '{ print "tests: " ($$1 - $$2) " passed, " $$2 " failed" }'

## report: the default comparison on the built-in model (every pruner at keep ratios 1/3, 2/9, 1/9, three seeds,
## the full test split) into Reports/default, plus example task images in Reports/samples.
report: build
	$(BIN) tasks --samples Reports/samples --per-family 1 --scale 3
	@$(BIN) compare --preset default --out $(REPORT_RUN) --resume || { \
	  echo "make report: if $(REPORT_RUN) holds a run of an older model, grid or prune-bench, remove it and run make report again"; exit 1; }
	$(BIN) bench prefill --json > $(REPORT_RUN)/bench-prefill.json
	rm -rf Reports/default && mkdir -p Reports && cp -R $(REPORT_RUN) Reports/default
	@echo "make report: wrote Reports/default/ (open Reports/default/index.html) and Reports/samples/"

## bench: the engine's benchmarks as JSON.
bench: build
	$(SWIFT) run $(RELEASE_FLAGS) prune-bench bench prefill --json
	$(SWIFT) run $(RELEASE_FLAGS) prune-bench bench train-step --json

clean:
	rm -rf .build
