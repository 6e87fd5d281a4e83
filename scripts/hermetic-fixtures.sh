#!/usr/bin/env bash
# Regenerate the build-log fixtures in testdata/hermetic/ by really running the tools, once with
# the network and once without it (`unshare --net`: a new network namespace with no interfaces
# but a downed loopback). See testdata/hermetic/README.md for what each log is.
#
# Usage: scripts/hermetic-fixtures.sh [TOOL...]   (tools: cargo npm pip apt maven; default all)
# Needs: root or unprivileged user namespaces for `unshare`, and the tools themselves. The "with"
# runs need crates.io, registry.npmjs.org, pypi.org, deb.debian.org and Maven Central.
# Each command is traced with `bash -x` so the log shows the build invocation, as CI logs do.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/testdata/hermetic
mkdir -p "$out"
work=$(mktemp -d /tmp/tollgate-hermetic-fixtures.XXXXXX)
trap 'rm -rf "$work"' EXIT

if [[ $(id -u) -eq 0 ]]; then
    offline=(unshare --net)
else
    offline=(unshare --user --net --map-root-user)
fi

# log NAME OFFLINE SCRIPT: run SCRIPT with bash -x (in a network namespace when OFFLINE=1) and
# keep stdout+stderr, with the temporary directory replaced by /tmp/build.
log() {
    local name=$1 net=$2 script=$3 rc=0
    local -a pre=()
    [[ $net == 1 ]] && pre=("${offline[@]}")
    (cd "$work" && "${pre[@]}" env -i PATH="$PATH" HOME="$work/home" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" LANG=C.UTF-8 TERM=dumb \
        CARGO_TERM_COLOR=never NO_COLOR=1 bash -x -c "$script") >"$work/$name.raw" 2>&1 || rc=$?
    sed -e "s#$work#/tmp/build#g" "$work/$name.raw" >"$out/$name"
    echo "$name: exit $rc, $(wc -l <"$out/$name") lines"
}

mkdir -p "$work/home"
tools=("$@")
[[ ${#tools[@]} -gt 0 ]] || tools=(cargo npm pip apt maven go)

for tool in "${tools[@]}"; do
    case $tool in
    cargo)
        mkdir -p "$work/crate/src"
        cat >"$work/crate/Cargo.toml" <<'EOF'
[package]
name = "fixture"
version = "0.1.0"
edition = "2021"

[dependencies]
itoa = "=1.0.11"
cfg-if = "=1.0.0"
EOF
        echo 'fn main() { println!("{}", itoa::Buffer::new().format(42)); }' >"$work/crate/src/main.rs"
        export_cargo="export CARGO_HOME=$work/cargo-home CARGO_TARGET_DIR=$work/crate-target; cd crate"
        log cargo-with.log 0 "$export_cargo; cargo build"
        rm -rf "$work/crate-target"
        log cargo-without.log 1 "$export_cargo; cargo build --offline --locked"
        ;;
    npm)
        mkdir -p "$work/pkg"
        echo '{"name":"fixture","version":"1.0.0","private":true,"dependencies":{"is-number":"7.0.0","left-pad":"1.3.0"}}' >"$work/pkg/package.json"
        log npm-with.log 0 "cd pkg; npm install --cache $work/npm-cache --loglevel http --no-audit --no-fund"
        rm -rf "$work/pkg/node_modules"
        log npm-without.log 1 "cd pkg; npm ci --offline --cache $work/npm-cache --loglevel http --no-audit --no-fund"
        ;;
    pip)
        # PIP_CONFIG_FILE=/dev/null: ignore this machine's pip.conf (a local --find-links).
        log pip-with.log 0 "export PIP_CONFIG_FILE=/dev/null; pip install --no-cache-dir --disable-pip-version-check --target $work/site six==1.16.0 idna==3.7"
        PIP_CONFIG_FILE=/dev/null pip download -q --disable-pip-version-check -d "$work/wheels" six==1.16.0 idna==3.7
        log pip-without.log 1 "export PIP_CONFIG_FILE=/dev/null; pip install --no-index --find-links $work/wheels --no-cache-dir --disable-pip-version-check --target $work/site2 six==1.16.0 idna==3.7"
        ;;
    apt)
        # Downloads into a private cache directory; installs nothing.
        mkdir -p "$work/apt-cache/archives/partial"
        log apt-with.log 0 "apt-get update && apt-get install -y --download-only -o Dir::Cache=$work/apt-cache hello"
        log apt-without.log 1 "apt-get install -y --download-only --no-download -o Dir::Cache=$work/apt-cache hello"
        ;;
    maven)
        mkdir -p "$work/mvn/src/main/java/fx"
        cat >"$work/mvn/pom.xml" <<'EOF'
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.tollgate</groupId>
  <artifactId>fixture</artifactId>
  <version>1.0</version>
  <properties>
    <maven.compiler.source>17</maven.compiler.source>
    <maven.compiler.target>17</maven.compiler.target>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency><groupId>commons-codec</groupId><artifactId>commons-codec</artifactId><version>1.17.0</version></dependency>
  </dependencies>
</project>
EOF
        echo 'package fx; public class App { public static void main(String[] a) { System.out.println(org.apache.commons.codec.digest.DigestUtils.sha256Hex("x")); } }' >"$work/mvn/src/main/java/fx/App.java"
        log maven-with.log 0 "cd mvn; mvn -B -Dmaven.repo.local=$work/m2 compile"
        rm -rf "$work/mvn/target"
        log maven-without.log 1 "cd mvn; mvn -B -o -Dmaven.repo.local=$work/m2 compile"
        ;;
    go)
        # A module with one dependency (golang.org/x/text) to download, and a vendored module
        # (its only dependency is a local module, vendored) built with -mod=vendor.
        mkdir -p "$work/gomod" "$work/govendor/lib" "$work/govendor/app"
        printf 'module example.com/fixture\n\ngo 1.19\n\nrequire golang.org/x/text v0.14.0\n' >"$work/gomod/go.mod"
        printf 'package main\n\nimport _ "golang.org/x/text/language"\n\nfunc main() {}\n' >"$work/gomod/main.go"
        printf 'module example.com/lib\n\ngo 1.19\n' >"$work/govendor/lib/go.mod"
        printf 'package lib\n\nfunc Answer() int { return 42 }\n' >"$work/govendor/lib/lib.go"
        printf 'module example.com/app\n\ngo 1.19\n\nrequire example.com/lib v0.0.0\n\nreplace example.com/lib => ../lib\n' >"$work/govendor/app/go.mod"
        printf 'package main\n\nimport "example.com/lib"\n\nfunc main() { println(lib.Answer()) }\n' >"$work/govendor/app/main.go"
        (cd "$work/govendor/app" && HOME="$work/home" GOPATH="$work/gopath" GOCACHE="$work/gocache" GOFLAGS=-modcacherw go mod vendor)
        export_go="export GOPATH=$work/gopath GOCACHE=$work/gocache GOFLAGS=-modcacherw"
        log go-with.log 0 "$export_go; cd gomod; go mod download -x golang.org/x/text && go build ./..."
        log go-without.log 1 "$export_go; cd govendor/app; go build -mod=vendor -o /dev/null ./..."
        ;;
    *)
        echo "unknown tool $tool (cargo npm pip apt maven go)" >&2
        exit 2
        ;;
    esac
done
