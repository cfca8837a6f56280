# PruneLab build entry points. `make report` and `make test` are the two set-up commands in the README.
SHELL        := /bin/bash
SWIFT        ?= swift
RELEASE_FLAGS = -c release
TEST_FLAGS    = -c release -Xswiftc -enable-testing
APT_PACKAGES  = libgsl-dev libopenblas-dev pkg-config

.PHONY: deps build test report bench clean
BIN           = .build/release/prune-bench
REPORT_DIR    = Reports/substrate

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

## report: the built-in model's report: task samples, accuracy unpruned / random / oracle at 1/9 of the
## visual tokens, and the prefill benchmark. (The full pruner comparison replaces this with `compare`.)
report: build
	mkdir -p $(REPORT_DIR)
	$(BIN) tasks --samples Reports/samples --per-family 1 --scale 3
	$(BIN) evaluate --json > $(REPORT_DIR)/evaluate-unpruned.json
	$(BIN) evaluate --method random --keep-ratio 0.111 --json > $(REPORT_DIR)/evaluate-random-0.111.json
	$(BIN) evaluate --method oracle --keep-ratio 0.111 --json > $(REPORT_DIR)/evaluate-oracle-0.111.json
	$(BIN) bench prefill --json > $(REPORT_DIR)/bench-prefill.json
	@echo "make report: wrote $(REPORT_DIR)/ and Reports/samples/"

## bench: the engine's benchmarks as JSON.
bench: build
	$(SWIFT) run $(RELEASE_FLAGS) prune-bench bench prefill --json
	$(SWIFT) run $(RELEASE_FLAGS) prune-bench bench train-step --json

clean:
	rm -rf .build
