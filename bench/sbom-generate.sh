#!/usr/bin/env bash
# Peer agreement and speed of `tollgate sbom generate` (issue 6).
#
#   bench/sbom-generate.sh                 install peers (.tools/), build release, run, write docs
#   BENCH_SKIP_BUILD=1 bench/sbom-generate.sh   reuse target/release/tollgate
#
# Peers, installed by the project's own scripts into .tools/ (scripts/install-sbomgen-tools.sh):
# cdxgen (@cyclonedx/cdxgen, run with --no-install-deps and FETCH_LICENSE=false),
# @cyclonedx/cyclonedx-npm, cyclonedx-py (cyclonedx-bom), and cargo-cyclonedx when
# .tools/cargo/bin/cargo-cyclonedx exists (`BENCH_INSTALL_CARGO_CYCLONEDX=1` installs it with
# `cargo install --locked --root .tools/cargo cargo-cyclonedx`; about 5 CPU-minutes).
#
# Writes the agreement section of docs/sbom-generate.md and the speed section of
# docs/benchmarks.md (between <!-- sbom-generate-agreement:start/end --> and
# <!-- sbom-generate-bench:start/end --> markers, replaced or appended; the rest of each file is
# left alone). Raw results: bench/out/sbom-generate/results.json.
#
# Environment: BENCH_RUNS (timed runs per tool and input, median reported; default 5),
# BENCH_TIMEOUT (per run, seconds; default 600), BENCH_SKIP_BUILD=1.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
"$ROOT/scripts/install-sbomgen-tools.sh" >/dev/null
if [ "${BENCH_INSTALL_CARGO_CYCLONEDX:-0}" = 1 ] && [ ! -x "$ROOT/.tools/cargo/bin/cargo-cyclonedx" ]; then
    cargo install --locked --root "$ROOT/.tools/cargo" cargo-cyclonedx@0.5.9 >&2
fi
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    (cd "$ROOT" && cargo build --release --locked >&2)
fi
exec "$ROOT/.tools/sbomgen-venv/bin/python" "$HERE/sbom_generate.py" "$@"
