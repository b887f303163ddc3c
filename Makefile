# Support Portal. `make run` serves the demo; `make test` runs every test.
# Each set-up step checks first and installs only what is missing (see ../shared/TOOLCHAIN.md).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

CARGO_LEPTOS_VERSION := 0.3.11
WASM_BINDGEN_VERSION := 0.2.130
# cargo-leptos downloads its tools from GitHub unless it finds them on PATH: the npm binaryen
# package provides a wasm-opt that works (Debian's binaryen 108 breaks hydration).
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CHROMIUM_PATH ?= /usr/bin/chromium
export CHROMIUM_PATH

# The environment cargo-leptos gives the server, so a plain run finds the built site.
RUN_ENV := LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_OUTPUT_NAME=portal LEPTOS_ENV=PROD LEPTOS_HASH_FILES=true
PG_DIR := $(CURDIR)/target/pg-test

.PHONY: run dev test soak bench bench-tools setup tools node chromium postgres build lint test-rust e2e clean-db

## Serve the portal with an embedded SQLite database and demo data on http://127.0.0.1:3000
run: tools node build
	@echo "==> Serving http://127.0.0.1:3000 with SQLite (data/portal.db) and the demo data; logins in README.md. Ctrl-C stops."
	$(RUN_ENV) ./target/release/portal serve --demo

## Rebuild and reload on every change (debug build)
dev: tools node
	cargo leptos watch

## Every test: formatting, lints, unit and database tests (SQLite and PostgreSQL), browser tests
test: tools node chromium postgres lint test-rust build e2e

## Benchmarks, never part of `make test`: writes bench/results/latest.md
bench: tools node postgres build bench-tools
	@mkdir -p bench/results
	cargo bench -p portal-sla --bench sla -- --noplot 2>&1 | tee bench/results/sla.txt
	bench/bench-http > bench/results/http.md
	bench/bench-report > bench/results/latest.md
	@cat bench/results/latest.md

## Soak, never part of `make test`: two app instances on one PostgreSQL under load for
## SOAK_SECONDS (default 180); prints its figures (tests/process/soak.rs).
SOAK_SECONDS ?= 180
soak: postgres
	@.ci/pg-temp stop $(PG_DIR)-soak
	@url=$$(.ci/pg-temp start $(PG_DIR)-soak); status=0; \
	  SOAK_SECONDS=$(SOAK_SECONDS) PORTAL_TEST_POSTGRES_URL=$$url \
	    cargo test --release --features ssr --test process -- --ignored --nocapture soak:: || status=$$?; \
	  .ci/pg-temp stop $(PG_DIR)-soak; exit $$status

## The load generator (Debian's wrk), the profiler (perf) and Lighthouse (npm), for `make bench` only.
bench-tools: bench/node_modules/.package-lock.json
	@command -v wrk >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y wrk; }
	@command -v perf >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y linux-perf; }
bench/node_modules/.package-lock.json: bench/package.json bench/package-lock.json
	cd bench && npm ci --no-audit --no-fund
	@touch $@

setup: tools node chromium postgres

# Build tools need no fat LTO: cargo-leptos's own release profile (lto = true, codegen-units = 1)
# kept one core busy for a quarter of an hour on its last crate. These override it for
# `cargo install` only; the portal's own profiles are untouched. cargo-leptos is a driver that
# spends its run waiting for cargo, so it is compiled unoptimised (13 -> 8 min on 2 cores), except
# the compressors that `--precompress` runs over the bundle; wasm-bindgen rewrites the whole
# client on every build, so it keeps light optimisation.
TOOL_PROFILE := CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_DEBUG=false
LEPTOS_TOOL_PROFILE := $(TOOL_PROFILE) CARGO_PROFILE_RELEASE_OPT_LEVEL=0
LEPTOS_TOOL_CONFIG := $(foreach p,brotli brotli-decompressor alloc-no-stdlib miniz_oxide flate2,--config 'profile.release.package.$(p).opt-level=3')
BINDGEN_TOOL_PROFILE := $(TOOL_PROFILE) CARGO_PROFILE_RELEASE_OPT_LEVEL=1

tools:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@cargo leptos --version 2>/dev/null | grep -q '$(CARGO_LEPTOS_VERSION)' || { \
	  echo "==> Installing cargo-leptos $(CARGO_LEPTOS_VERSION), the build tool (once; about 8 minutes on 2 cores)"; \
	  $(LEPTOS_TOOL_PROFILE) cargo $(LEPTOS_TOOL_CONFIG) install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked --ignore-rust-version --quiet; }
	@wasm-bindgen --version 2>/dev/null | grep -q '$(WASM_BINDGEN_VERSION)' || { \
	  echo "==> Installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (once; about 3 minutes)"; \
	  $(BINDGEN_TOOL_PROFILE) cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --quiet; }

node: end2end/node_modules/.package-lock.json
end2end/node_modules/.package-lock.json: end2end/package.json end2end/package-lock.json
	cd end2end && npm ci --no-audit --no-fund
	@touch $@

chromium:
	@[ -x "$(CHROMIUM_PATH)" ] || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }
	@# The account spec reads the reset e-mail from the test database's outbox with sqlite3.
	@command -v sqlite3 >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y sqlite3; }

postgres:
	@ls -d /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
	  || { $(SUDO) apt-get update && $(SUDO) apt-get install -y postgresql; }

## One release build (server + wasm); the Rust tests share its compiled dependencies.
build:
	@echo "==> Building the portal (release): the WebAssembly client, then the server. The first build takes about 12 minutes on 2 cores, later ones a minute or two."
	cargo leptos build --release --precompress

lint:
	@echo "==> Lint: rustfmt, then clippy on the server, the engine and the browser build"
	cargo fmt --all -- --check
	cargo clippy --features ssr --all-targets -- -D warnings
	cargo clippy -p portal-sla --all-targets -- -D warnings
	cargo clippy --lib --features hydrate --target wasm32-unknown-unknown -- -D warnings

test-rust:
	@echo "==> Rust tests: the engine, then every suite on SQLite and on a throw-away PostgreSQL"
	@.ci/pg-temp-selftest
	cargo test --release -p portal-sla
	@.ci/pg-temp stop $(PG_DIR)
	@url=$$(.ci/pg-temp start $(PG_DIR)); status=0; \
	  PORTAL_TEST_POSTGRES_URL=$$url cargo test --release --features ssr || status=$$?; \
	  .ci/pg-temp stop $(PG_DIR); exit $$status
	@# The SLA engine's shared vectors, executed as WebAssembly under Node.js.
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	  cargo test -p portal-sla --target wasm32-unknown-unknown --test wasm_vectors

e2e:
	@echo "==> Browser tests: Playwright in Debian's chromium (desktop, phone, JavaScript off)"
	cd end2end && npx playwright test

clean-db:
	rm -rf data
