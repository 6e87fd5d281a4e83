#!/usr/bin/env python3
"""Tests of the shipped GitHub Actions (actions/*) and of the local harness that runs them.

Python 3 standard library only; no network but 127.0.0.1. Run with
`python3 tests/actions/test_actions.py [TestCase[.test_name]...]` (scripts/test-actions.sh does;
set VERBOSE=1 for one line per test), or with `python3 -m unittest`.

Environment:
  TOLLGATE_BIN                 the real binary for the sbom-validate cases (default
                               target/release/tollgate); cases that need it are skipped, with a
                               message, when it is missing or its `sbom validate` is unimplemented
  TOLLGATE_ACTIONS_REQUIRE_BIN "1" turns those skips into failures (for CI that built the binary)
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import threading
import unittest
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RUN_ACTION = HERE / "run_action.py"
sys.path.insert(0, str(HERE))

import run_action as ra  # noqa: E402

LINUX_X64 = {"RUNNER_OS": "Linux", "RUNNER_ARCH": "X64"}
FAKE_VERSION = "0.7.0"  # the version of the fake source tree the setup tests install from

VALID_CDX = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.6",
    "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
    "version": 1,
    "metadata": {"timestamp": "2026-01-01T00:00:00Z"},
    "components": [
        {
            "type": "library",
            "bom-ref": "pkg:cargo/serde@1.0.0",
            "name": "serde",
            "version": "1.0.0",
            "purl": "pkg:cargo/serde@1.0.0",
        }
    ],
    "dependencies": [{"ref": "pkg:cargo/serde@1.0.0", "dependsOn": []}],
}


def invalid_cdx() -> dict:
    doc = json.loads(json.dumps(VALID_CDX))
    del doc["components"][0]["name"]  # `name` is required for a component
    return doc


def clean_env() -> dict[str, str]:
    """The test process environment without proxies (127.0.0.1 must be reached directly)."""
    return {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}


def run_harness(action: Path, inputs: dict[str, str] | None = None, env: dict[str, str] | None = None,
                workdir: Path | None = None, stub_uses: bool = False) -> tuple[dict | None, int, str]:
    """Run tests/actions/run_action.py as a program: (result JSON, exit status, stderr)."""
    cmd = [sys.executable, str(RUN_ACTION), str(action)]
    if stub_uses:
        cmd.append("--stub-uses")
    for k, v in (inputs or {}).items():
        cmd += ["--input", f"{k}={v}"]
    for k, v in (env or {}).items():
        cmd += ["--env", f"{k}={v}"]
    if workdir is not None:
        cmd += ["--workdir", str(workdir)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=clean_env(), stdin=subprocess.DEVNULL)
    result = json.loads(proc.stdout) if proc.stdout.strip() else None
    return result, proc.returncode, proc.stderr


def write_executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def fake_binary_script(label: str) -> str:
    return f'#!/bin/sh\necho "tollgate {label}"\n'


def commands(result: dict, kind: str) -> list[dict]:
    """The workflow commands of one kind (error, warning, notice) in a harness result."""
    return [c for c in result["commands"] if c["command"] == kind]


def messages(result: dict, kind: str) -> list[str]:
    """The messages of the workflow commands of one kind in a harness result."""
    return [c["message"] for c in commands(result, kind)]


# --------------------------------------------------------------------------------------------
# A release server on 127.0.0.1
# --------------------------------------------------------------------------------------------


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def send_head(self):
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        return super().send_head()


class ReleaseServer:
    """Serves a directory laid out like GitHub release downloads: vX.Y.Z/ASSET."""

    def __init__(self, root: Path):
        self.root = root
        handler = functools.partial(_Handler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.requests = []  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def requests(self) -> list[str]:
        return self.httpd.requests  # type: ignore[attr-defined]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def publish(self, version: str, target: str, script: str, *, checksum: str | None = None,
                with_checksum: bool = True, zip_format: bool = False) -> str:
        """Put a release asset holding `script` as the tollgate binary; returns the asset name."""
        ext = "zip" if zip_format else "tar.gz"
        exe = "tollgate.exe" if zip_format else "tollgate"
        asset = f"tollgate-{version}-{target}.{ext}"
        member = f"tollgate-{version}-{target}/{exe}"
        data = script.encode()
        buf = io.BytesIO()
        if zip_format:
            with zipfile.ZipFile(buf, "w") as zf:
                info = zipfile.ZipInfo(member, date_time=(2026, 1, 1, 0, 0, 0))
                info.external_attr = 0o755 << 16
                zf.writestr(info, data)
            archive = buf.getvalue()
        else:
            with tarfile.open(fileobj=buf, mode="w") as tf:
                info = tarfile.TarInfo(member)
                info.size, info.mode, info.mtime = len(data), 0o755, 0
                tf.addfile(info, io.BytesIO(data))
            archive = gzip.compress(buf.getvalue(), mtime=0)
        folder = self.root / f"v{version}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / asset).write_bytes(archive)
        if with_checksum:
            digest = checksum if checksum is not None else hashlib.sha256(archive).hexdigest()
            (folder / f"{asset}.sha256").write_text(f"{digest}  {asset}\n", encoding="utf-8")
        return asset


# --------------------------------------------------------------------------------------------
# actions/setup
# --------------------------------------------------------------------------------------------


class SetupActionTest(unittest.TestCase):
    """actions/setup, run from a copy of the actions next to a tiny fake source tree (version
    0.7.0), so concurrent edits of the real source never change a source build's cache key."""

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="tollgate-setup-test-"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        repo = self.tmp / "repo"
        shutil.copytree(ROOT / "actions", repo / "actions")
        (repo / "Cargo.toml").write_text(
            f'[package]\nname = "tollgate"\nversion = "{FAKE_VERSION}"\nedition = "2024"\n\n[dependencies]\n',
            encoding="utf-8",
        )
        (repo / "src").mkdir()
        (repo / "src" / "main.rs").write_text("fn main() {}\n", encoding="utf-8")
        self.action = repo / "actions" / "setup"
        self.tool_cache = self.tmp / "tool-cache"
        self.tool_cache.mkdir()
        self.built = self.tmp / "builds.log"
        (self.tmp / "releases").mkdir()
        self.server = ReleaseServer(self.tmp / "releases")
        self.addCleanup(self.server.close)
        # A stand-in for `cargo install`: records that it ran and makes a fake binary.
        self.build_cmd = (
            'mkdir -p "$TOLLGATE_SETUP_INSTALL_ROOT/bin" && '
            "printf '#!/bin/sh\\necho \"tollgate built-from-source\"\\n' "
            '>"$TOLLGATE_SETUP_INSTALL_ROOT/bin/tollgate" && '
            'chmod +x "$TOLLGATE_SETUP_INSTALL_ROOT/bin/tollgate" && '
            f'echo "$TOLLGATE_SETUP_SOURCE_DIR" >>"{self.built}"'
        )

    def run_setup(self, inputs: dict[str, str] | None = None, **env: str) -> tuple[dict, int, str]:
        full_env = {
            **LINUX_X64,
            "RUNNER_TOOL_CACHE": str(self.tool_cache),
            "TOLLGATE_SETUP_BUILD_CMD": self.build_cmd,
            **env,
        }
        all_inputs = {"download-base-url": f"{self.server.url}/", **(inputs or {})}
        result, rc, stderr = run_harness(self.action, all_inputs, full_env, workdir=self.tmp)
        self.assertIsNotNone(result, f"the harness printed no result; stderr:\n{stderr}")
        assert result is not None
        self.assertEqual(rc, result["exit_code"], stderr)
        return result, rc, stderr

    def builds(self) -> list[str]:
        return self.built.read_text(encoding="utf-8").splitlines() if self.built.exists() else []

    def assert_fails_without_building(self, inputs: dict[str, str], *phrases: str) -> None:
        """The setup run with these inputs exits 1, its log has the phrases, and nothing was built."""
        result, rc, stderr = self.run_setup(inputs)
        self.assertEqual(rc, 1, stderr)
        for phrase in phrases:
            self.assertIn(phrase, stderr)
        self.assertEqual(self.builds(), [])

    def assert_installed(self, result: dict, key: str, source: str, arch: str = "x64", exe: str = "tollgate"):
        bin_dir = self.tool_cache / "tollgate" / key / arch / "bin"
        self.assertEqual(result["outputs"]["source"], source)
        self.assertEqual(Path(result["outputs"]["path"]), bin_dir / exe)
        self.assertTrue(os.access(bin_dir / exe, os.X_OK), f"{bin_dir / exe} is not executable")
        self.assertTrue((self.tool_cache / "tollgate" / key / f"{arch}.complete").is_file())
        self.assertEqual(result["path_additions"], [str(bin_dir)])

    # (a) + (b)
    def test_download_verifies_and_installs_then_second_run_uses_cache(self):
        asset = self.server.publish("1.2.3", "x86_64-unknown-linux-gnu", fake_binary_script("1.2.3 (fake)"))
        result, rc, stderr = self.run_setup({"version": "v1.2.3"})
        self.assertEqual(rc, 0, stderr)
        self.assert_installed(result, "1.2.3", "download")
        self.assertEqual(result["outputs"]["version"], "1.2.3")
        self.assertIn("checksum verified", stderr)
        self.assertEqual(self.server.requests, [f"/v1.2.3/{asset}", f"/v1.2.3/{asset}.sha256"])
        out = subprocess.run([result["outputs"]["path"], "--version"], capture_output=True, text=True, check=True)
        self.assertEqual(out.stdout.strip(), "tollgate 1.2.3 (fake)")
        self.assertEqual(self.builds(), [])

        self.server.requests.clear()
        result2, rc2, stderr2 = self.run_setup({"version": "1.2.3"})
        self.assertEqual(rc2, 0, stderr2)
        self.assert_installed(result2, "1.2.3", "cache")
        self.assertEqual(result2["outputs"]["path"], result["outputs"]["path"])
        self.assertEqual(self.server.requests, [], "a cache hit must not download")

    # (c)
    def test_checksum_mismatch_fails_and_caches_nothing(self):
        self.server.publish("1.2.3", "x86_64-unknown-linux-gnu", fake_binary_script("evil"), checksum="0" * 64)
        result, rc, stderr = self.run_setup({"version": "1.2.3"})
        self.assertEqual(rc, 1, stderr)
        self.assertEqual(result["exit_code"], 1)
        self.assertIn("checksum mismatch", stderr)
        errors = messages(result, "error")
        self.assertTrue(any("checksum mismatch" in m for m in errors), errors)
        self.assertFalse((self.tool_cache / "tollgate").exists(), "nothing may be cached after a mismatch")
        self.assertEqual(result["path_additions"], [])
        self.assertEqual(self.builds(), [], "a checksum mismatch must never fall back to a source build")
        self.assertEqual(result["outputs"]["source"], "")

    def test_checksum_mismatch_on_own_version_never_builds(self):
        self.server.publish(FAKE_VERSION, "x86_64-unknown-linux-gnu", fake_binary_script("evil"), checksum="ab" * 32)
        self.assert_fails_without_building({}, "checksum mismatch")
        self.assertFalse((self.tool_cache / "tollgate").exists())

    def test_missing_checksum_file_fails(self):
        self.server.publish("1.2.3", "x86_64-unknown-linux-gnu", fake_binary_script("x"), with_checksum=False)
        self.assert_fails_without_building({"version": "1.2.3"}, "refusing to install an unverified binary")
        self.assertFalse((self.tool_cache / "tollgate").exists())

    # (d)
    def test_missing_asset_builds_from_source_then_caches_the_build(self):
        result, rc, stderr = self.run_setup()  # default version: the action's own (0.7.0)
        self.assertEqual(rc, 0, stderr)
        self.assertEqual(result["outputs"]["source"], "build")
        self.assertEqual(result["outputs"]["version"], FAKE_VERSION)
        asset = f"tollgate-{FAKE_VERSION}-x86_64-unknown-linux-gnu.tar.gz"
        self.assertEqual(self.server.requests, [f"/v{FAKE_VERSION}/{asset}"])
        self.assertEqual(self.builds(), [str(self.action.parent.parent.resolve())])
        path = Path(result["outputs"]["path"])
        key = path.parent.parent.parent.name
        self.assertTrue(key.startswith(f"{FAKE_VERSION}-src."), key)
        self.assert_installed(result, key, "build")
        out = subprocess.run([str(path)], capture_output=True, text=True, check=True)
        self.assertEqual(out.stdout.strip(), "tollgate built-from-source")

        result2, rc2, stderr2 = self.run_setup()
        self.assertEqual(rc2, 0, stderr2)
        self.assert_installed(result2, key, "cache")
        self.assertEqual(len(self.builds()), 1, "the second run must reuse the cached build")

    def test_missing_asset_for_another_version_fails_without_building(self):
        self.assert_fails_without_building({"version": "9.9.9"}, "HTTP 404", "cannot build 9.9.9")

    def test_missing_asset_without_build_fallback_fails(self):
        self.assert_fails_without_building({"build-fallback": "false"}, "build-fallback is false")

    def test_version_source_builds_without_downloading(self):
        result, rc, stderr = self.run_setup({"version": "source"})
        self.assertEqual(rc, 0, stderr)
        self.assertEqual(result["outputs"]["source"], "build")
        self.assertEqual(self.server.requests, [])
        self.assertEqual(len(self.builds()), 1)

    def test_unsupported_platform_builds_own_version(self):
        result, rc, stderr = self.run_setup(RUNNER_ARCH="ARM")
        self.assertEqual(rc, 0, stderr)
        self.assertEqual(result["outputs"]["source"], "build")
        self.assertEqual(self.server.requests, [])
        self.assertIn("/arm/bin/tollgate", result["outputs"]["path"])

    def test_asset_name_follows_runner_platform(self):
        asset = self.server.publish("1.2.3", "aarch64-apple-darwin", fake_binary_script("mac"))
        result, rc, stderr = self.run_setup({"version": "1.2.3"}, RUNNER_OS="macOS", RUNNER_ARCH="ARM64")
        self.assertEqual(rc, 0, stderr)
        self.assertEqual(self.server.requests[0], f"/v1.2.3/{asset}")
        self.assert_installed(result, "1.2.3", "download", arch="arm64")

    @unittest.skipUnless(shutil.which("unzip") or shutil.which("7z"), "needs unzip or 7z")
    def test_windows_downloads_the_zip(self):
        asset = self.server.publish("1.2.3", "x86_64-pc-windows-msvc", fake_binary_script("win"), zip_format=True)
        result, rc, stderr = self.run_setup({"version": "1.2.3"}, RUNNER_OS="Windows")
        self.assertEqual(rc, 0, stderr)
        self.assertEqual(self.server.requests[0], f"/v1.2.3/{asset}")
        self.assert_installed(result, "1.2.3", "download", exe="tollgate.exe")

    def test_unreachable_server_fails_without_building(self):
        self.assert_fails_without_building({"download-base-url": "http://127.0.0.1:9/releases"}, "failed (curl exit")

    def test_file_url_release_tree(self):
        # The release workflow verifies a draft release from a local file:// tree.
        self.server.publish("1.2.3", "x86_64-unknown-linux-gnu", fake_binary_script("from file"))
        base = (self.tmp / "releases").as_uri()
        result, rc, stderr = self.run_setup({"version": "1.2.3", "download-base-url": base, "build-fallback": "false"})
        self.assertEqual(rc, 0, stderr)
        self.assert_installed(result, "1.2.3", "download")
        result, rc, stderr = self.run_setup(
            {"version": "1.2.4", "download-base-url": base, "build-fallback": "false"}
        )
        self.assertEqual(rc, 1, stderr)
        self.assertIn("has no asset tollgate-1.2.4-x86_64-unknown-linux-gnu.tar.gz", stderr)

    def test_assets_from_package_release_script_install(self):
        # The contract between scripts/package-release.sh (release.yml) and install.sh.
        fake = write_executable(self.tmp / "fake-tollgate", fake_binary_script("packaged"))
        for target, env in (
            ("x86_64-unknown-linux-gnu", LINUX_X64),
            ("x86_64-pc-windows-msvc", {"RUNNER_OS": "Windows", "RUNNER_ARCH": "X64"}),
        ):
            can_zip = (shutil.which("zip") or shutil.which("7z")) and (shutil.which("unzip") or shutil.which("7z"))
            if "windows" in target and not can_zip:
                continue
            with self.subTest(target=target):
                out = self.tmp / "releases" / "v2.0.0"
                proc = subprocess.run(
                    ["bash", str(ROOT / "scripts" / "package-release.sh"), "v2.0.0", target, str(out)],
                    capture_output=True, text=True, env={**clean_env(), "TOLLGATE_PACKAGE_BIN": str(fake)},
                )
                self.assertEqual(proc.returncode, 0, proc.stderr)
                names = sorted(p.name for p in out.iterdir() if target in p.name)
                expected = [f"tollgate-2.0.0-{target}.tar.gz", f"tollgate-2.0.0-{target}.tar.gz.sha256"]
                if "windows" in target:
                    expected += [f"tollgate-2.0.0-{target}.zip", f"tollgate-2.0.0-{target}.zip.sha256"]
                self.assertEqual(names, sorted(expected))
                result, rc, stderr = self.run_setup({"version": "2.0.0"}, **env)
                self.assertEqual(rc, 0, stderr)
                self.assertEqual(result["outputs"]["source"], "download")
                out_run = subprocess.run([result["outputs"]["path"]], capture_output=True, text=True, check=True)
                self.assertEqual(out_run.stdout.strip(), "tollgate packaged")

    def test_invalid_version_is_rejected(self):
        result, rc, stderr = self.run_setup({"version": "latest"})
        self.assertEqual(rc, 1, stderr)
        self.assertIn("invalid version 'latest'", stderr)
        self.assertEqual(self.server.requests, [])


# --------------------------------------------------------------------------------------------
# actions/sbom-validate
# --------------------------------------------------------------------------------------------

FAKE_TOLLGATE = r"""#!/bin/sh
# Records its arguments and answers like tollgate would, for the wiring tests.
printf '%s\n' "$*" >>"$FAKE_TOLLGATE_LOG"
fmt=human
out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --format) fmt=$2; shift ;;
        --output) out=$2; shift ;;
    esac
    shift
done
case "$fmt" in
    json) body='{"verdict": "deny", "exitCode": 1, "summary": {"subjects": 2, "errors": 3, "warnings": 4, "notes": 0}}' ;;
    sarif) body='{"version": "2.1.0", "runs": []}' ;;
    github) body='::error file=a.cdx.json::fake finding' ;;
    *) body='fake human output' ;;
esac
if [ -n "$out" ]; then printf '%s\n' "$body" >"$out"; else printf '%s\n' "$body"; fi
if [ -n "$GITHUB_STEP_SUMMARY" ]; then echo "fake summary ($fmt)" >>"$GITHUB_STEP_SUMMARY"; fi
exit "${FAKE_TOLLGATE_EXIT:-1}"
"""


class _ActionCase(unittest.TestCase):
    def assert_outputs(self, result: dict, expected: dict[str, str]) -> None:
        """These outputs of the run have these values."""
        self.assertEqual({k: result["outputs"][k] for k in expected}, expected)


class _FakeBinaryCase(_ActionCase):
    """An action run with FAKE_TOLLGATE as tollgate on PATH, in a fresh temporary directory
    (self.tmp, self.work); calls() lists the fake's command lines."""

    prefix = "tollgate-wiring-"

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix=self.prefix))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.bin = self.tmp / "bin"
        write_executable(self.bin / "tollgate", FAKE_TOLLGATE)
        self.log = self.tmp / "calls.log"
        self.work = self.tmp / "work"
        self.work.mkdir()

    def run_action(self, action: Path, inputs: dict[str, str], **env: str) -> tuple[dict, int, str]:
        full_env = {
            "PATH": f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}",
            "FAKE_TOLLGATE_LOG": str(self.log),
            **env,
        }
        result, rc, stderr = run_harness(action, inputs, full_env, workdir=self.work)
        self.assertIsNotNone(result, stderr)
        assert result is not None
        return result, rc, stderr

    def calls(self) -> list[str]:
        return self.log.read_text(encoding="utf-8").splitlines() if self.log.exists() else []

    def assert_json_run(self, call: str, args: list[str]) -> None:
        """The fake's command line CALL is the JSON run of `tollgate ARGS` (its report in a file)."""
        words = call.split(" ")
        self.assertEqual(words[:5], ["--format", "json", "--color", "never", "--output"])
        self.assertEqual(words[6:], args)

    def write_files(self, *rels: str) -> None:
        """Files holding `{}` at these paths below self.work."""
        for rel in rels:
            (self.work / rel).parent.mkdir(parents=True, exist_ok=True)
            (self.work / rel).write_text("{}", encoding="utf-8")


def _real_binary() -> tuple[Path | None, str]:
    """(path, reason to skip) for the real tollgate binary."""
    path = Path(os.environ.get("TOLLGATE_BIN") or ROOT / "target" / "release" / "tollgate")
    if not path.is_file() or not os.access(path, os.X_OK):
        return None, f"no tollgate binary at {path} (build it with `cargo build --release` or set TOLLGATE_BIN)"
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe.cdx.json"
        probe.write_text(json.dumps(VALID_CDX), encoding="utf-8")
        proc = subprocess.run(
            [str(path), "--format", "json", "sbom", "validate", str(probe)],
            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
            env={k: v for k, v in clean_env().items() if k != "GITHUB_STEP_SUMMARY"},
        )
    if "not yet implemented" in proc.stderr or "not implemented" in proc.stderr:
        return None, f"{path}: `tollgate sbom validate` is not implemented yet ({proc.stderr.strip()[:200]})"
    return path, ""


class _RealBinaryCase(_ActionCase):
    """An action run with the real tollgate binary on PATH, in a fresh temporary directory
    (self.tmp, self.work, and self.runner_temp as RUNNER_TEMP, which outlives the run so that its
    reports can be read); skipped without the binary unless TOLLGATE_ACTIONS_REQUIRE_BIN=1."""

    prefix = "tollgate-real-"
    now: str | None = "2026-01-02T00:00:00Z"  # TOLLGATE_NOW for the runs; None leaves it unset

    @classmethod
    def setUpClass(cls):
        cls.binary, reason = _real_binary()
        if cls.binary is None:
            cls.skip_or_fail(reason)

    @staticmethod
    def skip_or_fail(reason: str) -> None:
        if os.environ.get("TOLLGATE_ACTIONS_REQUIRE_BIN") == "1":
            raise AssertionError(f"TOLLGATE_ACTIONS_REQUIRE_BIN=1 but {reason}")
        raise unittest.SkipTest(reason)

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix=self.prefix))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.bin = self.tmp / "bin"
        self.bin.mkdir()
        (self.bin / "tollgate").symlink_to(self.binary)
        self.work = self.tmp / "work"
        self.work.mkdir()
        self.runner_temp = self.tmp / "runner-temp"
        self.runner_temp.mkdir()

    def run_action(self, action: Path, inputs: dict[str, str], *, workdir: Path | None = None,
                   stub_uses: bool = False, **env: str) -> tuple[dict, int, str]:
        """Run the action with install "never" (inputs win), in self.work unless workdir is given."""
        full_env = {
            "PATH": f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}",
            **({"TOLLGATE_NOW": self.now} if self.now else {}),
            "RUNNER_TEMP": str(self.runner_temp),
            **env,
        }
        result, rc, stderr = run_harness(action, {"install": "never", **inputs}, full_env,
                                         workdir=workdir or self.work, stub_uses=stub_uses)
        self.assertIsNotNone(result, stderr)
        assert result is not None
        self.assertEqual(rc, result["exit_code"], stderr)
        return result, rc, stderr

    def assert_secrets_kept(self, pem: str, logs: str, *secrets: str, files: list[Path] | None = None) -> None:
        """The key file written from the key-pem input (pem) is gone from RUNNER_TEMP, and neither
        PASSWORD, the other secrets nor the key's body is in logs, nor PASSWORD or the key in files."""
        self.assertEqual(sorted(p.name for p in self.runner_temp.glob("tollgate-key.*")), [])
        body = [line for line in pem.splitlines() if line and not line.startswith("-----")]
        self.assertTrue(body)
        for secret in (PASSWORD, *secrets, *body):
            self.assertNotIn(secret, logs)
        for leftover in files or []:
            if leftover.is_file():
                text = leftover.read_text(encoding="utf-8", errors="replace")
                self.assertNotIn(PASSWORD, text, leftover)
                self.assertNotIn(body[0], text, leftover)

    def keygen(self, prefix: str, password: str | None = None) -> tuple[Path, Path]:
        """A key pair made with the binary (encrypted with password when given): (key, pub)."""
        env = {k: v for k, v in clean_env().items() if k not in ("GITHUB_STEP_SUMMARY", "TOLLGATE_PASSWORD")}
        cmd = [str(self.binary), "-q", "key", "generate", "--out-prefix", str(self.tmp / "keys" / prefix)]
        if password is not None:
            env["TOLLGATE_PASSWORD"] = password
            cmd.append("--encrypt")
        (self.tmp / "keys").mkdir(exist_ok=True)
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return self.tmp / "keys" / f"{prefix}.key", self.tmp / "keys" / f"{prefix}.pub"


class SbomValidateWiringTest(_FakeBinaryCase):
    """actions/sbom-validate with a fake tollgate on PATH: patterns, flags, outputs, exit code."""

    action = ROOT / "actions" / "sbom-validate"
    prefix = "tollgate-sbom-wiring-"

    def setUp(self):
        super().setUp()
        self.write_files("a.cdx.json", "sub/b.cdx.json", "sub/deeper/c.spdx.json", ".hidden/d.cdx.json", "notes.txt")

    def test_flags_patterns_and_outputs(self):
        result, rc, stderr = self.run_action(
            self.action,
            {
                "files": "*.cdx.json\n**/*.cdx.json  sub/b.cdx.json",
                "profile": "ntia",
                "fail-on-warnings": "true",
                "sarif-file": "out/sbom.sarif",
            }
        )
        self.assertEqual(rc, 1, stderr)
        self.assertEqual(result["steps"][0]["outputs"]["source"], "path")
        calls = self.calls()
        self.assertEqual(len(calls), 3, calls)
        self.assert_json_run(
            calls[0], ["sbom", "validate", "--profile", "ntia", "--strict", "--", "a.cdx.json", "sub/b.cdx.json"]
        )
        self.assertTrue(calls[1].startswith("--format github "), calls[1])
        self.assertTrue(calls[2].startswith("--format sarif "), calls[2])
        out = result["outputs"]
        sarif = self.work / "out" / "sbom.sarif"
        self.assert_outputs(
            result,
            {"verdict": "deny", "exit-code": "1", "errors": "3", "warnings": "4", "files": "2", "sarif": str(sarif)},
        )
        self.assertEqual(json.loads(sarif.read_text(encoding="utf-8"))["version"], "2.1.0")
        self.assertEqual(out["tollgate-path"], str(self.bin / "tollgate"))
        self.assertTrue(out["report"])
        # Only the JSON run may write the job summary.
        self.assertEqual(result["summary"], "fake summary (json)\n")
        self.assertIn(
            {"command": "error", "params": {"file": "a.cdx.json"}, "message": "fake finding", "step": "validate"},
            result["commands"],
        )

    def test_default_patterns_find_nested_sboms_but_not_dot_directories(self):
        result, rc, stderr = self.run_action(self.action, {}, FAKE_TOLLGATE_EXIT="0")
        self.assertEqual(rc, 0, stderr)
        files = self.calls()[0].split(" -- ", 1)[1].split(" ")
        self.assertEqual(files, ["a.cdx.json", "sub/b.cdx.json", "sub/deeper/c.spdx.json"])
        self.assertEqual(result["outputs"]["files"], "3")
        self.assertEqual(result["outputs"]["sarif"], str(self.work / "tollgate-sbom.sarif"))

    def test_no_match_is_exit_2_with_an_error_annotation(self):
        result, rc, stderr = self.run_action(self.action, {"files": "nothing/**/*.cdx.json"})
        self.assertEqual(rc, 2, stderr)
        self.assertEqual(result["outputs"]["verdict"], "error")
        self.assertEqual(result["outputs"]["exit-code"], "2")
        self.assertEqual(result["outputs"]["files"], "0")
        errors = messages(result, "error")
        self.assertTrue(any("no SBOM files matched" in m for m in errors), errors)
        self.assertIn("no SBOM files matched", result["summary"])
        self.assertEqual(self.calls(), [], "tollgate must not run without files")

    def test_literal_file_names_are_passed_through(self):
        result, rc, stderr = self.run_action(self.action, {"files": "missing.json", "sarif-file": ""},
                                             FAKE_TOLLGATE_EXIT="2")
        self.assertEqual(rc, 2, stderr)
        self.assertTrue(self.calls()[0].endswith("-- missing.json"), self.calls())
        self.assertEqual(len(self.calls()), 2, "no SARIF run when sarif-file is empty")
        self.assertEqual(result["outputs"]["sarif"], "")

    def test_bad_profile_is_rejected(self):
        result, rc, stderr = self.run_action(self.action, {"profile": "nist"})
        self.assertEqual(rc, 2, stderr)
        self.assertEqual(self.calls(), [])

    def test_working_directory(self):
        result, rc, stderr = self.run_action(
            self.action, {"files": "*.cdx.json", "working-directory": "sub"}, FAKE_TOLLGATE_EXIT="0"
        )
        self.assertEqual(rc, 0, stderr)
        self.assertTrue(self.calls()[0].endswith("-- b.cdx.json"), self.calls())
        self.assertEqual(result["outputs"]["sarif"], str(self.work / "sub" / "tollgate-sbom.sarif"))

    def test_install_never_without_tollgate_fails(self):
        env = {"PATH": "/usr/bin:/bin"}
        if shutil.which("tollgate", path=env["PATH"]):
            self.skipTest("a tollgate is installed in /usr/bin or /bin")
        result, rc, stderr = run_harness(self.action, {"install": "never"}, env, workdir=self.work)
        assert result is not None
        self.assertEqual(rc, 2, stderr)
        self.assertEqual(result["steps"][1]["outcome"], "skipped")


class SbomValidateRealBinaryTest(_RealBinaryCase):
    """actions/sbom-validate with the real tollgate binary, on SBOMs made here."""

    action = ROOT / "actions" / "sbom-validate"
    prefix = "tollgate-sbom-real-"

    def write(self, rel: str, doc: dict) -> Path:
        path = self.work / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
        return path

    def test_valid_sbom_passes(self):
        self.write("sboms/app.cdx.json", VALID_CDX)
        result, rc, stderr = self.run_action(self.action, {"files": "sboms/**/*.cdx.json"})
        self.assertEqual(rc, 0, stderr)
        out = result["outputs"]
        self.assertEqual(out["verdict"], "pass", stderr)
        self.assertEqual(out["exit-code"], "0")
        self.assertEqual(out["errors"], "0")
        self.assertRegex(out["warnings"], r"^[0-9]+$")
        self.assertEqual(out["files"], "1")
        sarif = Path(out["sarif"])
        self.assertEqual(sarif, self.work / "tollgate-sbom.sarif")
        self.assertTrue(sarif.is_file() and sarif.stat().st_size > 0, "SARIF report missing")
        json.loads(sarif.read_text(encoding="utf-8"))
        self.assertTrue(out["report"])
        self.assertTrue(result["summary"].strip(), "the job summary is empty")

    def test_invalid_sbom_denies(self):
        self.write("bad.cdx.json", invalid_cdx())
        result, rc, stderr = self.run_action(self.action, {"files": "bad.cdx.json"})
        self.assertEqual(rc, 1, stderr)
        out = result["outputs"]
        self.assertEqual(out["verdict"], "deny")
        self.assertEqual(out["exit-code"], "1")
        self.assertGreaterEqual(int(out["errors"]), 1)
        self.assertTrue(Path(out["sarif"]).is_file())
        self.assertTrue(result["summary"].strip())

    def test_glob_matching_nothing_is_exit_2(self):
        result, rc, stderr = self.run_action(self.action, {"files": "does-not-exist/**/*.cdx.json"})
        self.assertEqual(rc, 2, stderr)
        self.assertEqual(result["outputs"]["verdict"], "error")

    def test_repository_fixture_passes(self):
        fixture = ROOT / "testdata" / "sbom" / "valid" / "minimal-1.6.cdx.json"
        result, rc, stderr = self.run_action(self.action, {"files": str(fixture), "sarif-file": ""})
        self.assertEqual(rc, 0, stderr)
        self.assertEqual(result["outputs"]["verdict"], "pass")


# --------------------------------------------------------------------------------------------
# actions/sbom
# --------------------------------------------------------------------------------------------


class SbomGenerateWiringTest(_FakeBinaryCase):
    """actions/sbom with a fake tollgate on PATH: flags, argument checks, exit code."""

    action = ROOT / "actions" / "sbom"
    prefix = "tollgate-sbomgen-wiring-"

    def test_flags(self):
        result, rc, stderr = self.run_action(
            self.action,
            {
                "path": "src",
                "sbom-format": "spdx-json",
                "exclude": "examples\nfixtures/**",
                "exclude-dev": "true",
                "strict": "true",
                "rootfs": "rootfs",
                "artifacts": "dist/*.tar.gz dist/*.zip",
                "root-name": "app",
                "root-version": "1.2.3",
            },
            FAKE_TOLLGATE_EXIT="1",
        )
        self.assertEqual(rc, 1, stderr)
        calls = self.calls()
        self.assertEqual(len(calls), 2, calls)  # JSON report run, annotations run (no SBOM written)
        self.assertTrue(calls[0].startswith("--format json --color never --output "), calls[0])
        self.assertIn(
            "sbom generate --out sbom.spdx.json --sbom-format spdx-json --spec-version 1.6"
            " --exclude examples --exclude fixtures/** --artifact dist/*.tar.gz --artifact dist/*.zip"
            " --exclude-dev --strict --rootfs rootfs --root-name app --root-version 1.2.3 -- src",
            calls[0],
        )
        self.assertTrue(calls[1].startswith("--format github "), calls[1])
        self.assert_outputs(result, {"verdict": "deny", "exit-code": "1", "sbom": "", "validate-exit-code": ""})

    def test_bad_inputs_are_rejected_before_running(self):
        for inputs in ({"sbom-format": "xml"}, {"spec-version": "1.4"}, {"strict": "yes"}, {"profile": "nist"}):
            with self.subTest(inputs=inputs):
                result, rc, stderr = self.run_action(self.action, inputs)
                self.assertEqual(rc, 2, stderr)
                self.assertEqual(result["outputs"]["verdict"], "error")
                self.assertIn("tollgate sbom generate: error", result["summary"])
        self.assertEqual(self.calls(), [])


class SbomGenerateRealBinaryTest(_RealBinaryCase):
    """actions/sbom with the real tollgate binary on the repository's fixtures."""

    action = ROOT / "actions" / "sbom"
    fixtures = ROOT / "testdata" / "sbom-generate"
    prefix = "tollgate-sbomgen-real-"
    now = None  # the action sets TOLLGATE_NOW itself

    def setUp(self):
        super().setUp()
        shutil.copytree(self.fixtures / "monorepo", self.work / "repo")

    def test_monorepo_sbom_is_written_validated_and_summarised(self):
        result, rc, stderr = self.run_action(
            self.action, {"path": "repo", "output": "out/app.cdx.json", "root-name": "platform", "profile": "ntia"}
        )
        # The NTIA profile is not met (lockfiles carry no suppliers): validation denies.
        self.assertEqual(rc, 1, stderr)
        out = result["outputs"]
        self.assertEqual(out["sbom"], str(self.work / "out" / "app.cdx.json"))
        self.assertEqual(out["validate-exit-code"], "1")
        doc = json.loads(Path(out["sbom"]).read_text(encoding="utf-8"))
        self.assertEqual(doc["metadata"]["component"]["name"], "platform")
        self.assertEqual(out["components"], "7")
        self.assertEqual(json.loads(out["ecosystems"]), {"cargo": 2, "npm": 4, "pypi": 1})
        self.assertIn("| cargo | 2 |", result["summary"])
        self.assertIn("| npm | 4 |", result["summary"])

    def test_without_profile_passes_and_spdx_works(self):
        result, rc, stderr = self.run_action(self.action, {"path": "repo", "sbom-format": "spdx-json"})
        self.assertEqual(rc, 0, stderr)
        out = result["outputs"]
        self.assertEqual(out["verdict"], "pass")
        self.assertEqual(out["validate-exit-code"], "0")
        self.assertEqual(Path(out["sbom"]).name, "sbom.spdx.json")
        self.assertEqual(json.loads(Path(out["sbom"]).read_text(encoding="utf-8"))["spdxVersion"], "SPDX-2.3")

    def test_bad_lockfile_is_reported_and_strict_fails(self):
        (self.work / "repo" / "web" / "package-lock.json").write_text('{\n  "lockfileVersion": 3,\n  "packages": {,}\n}\n')
        result, rc, stderr = self.run_action(self.action, {"path": "repo"})
        self.assertEqual(rc, 1, stderr)
        self.assertTrue(Path(result["outputs"]["sbom"]).is_file())
        self.assertIn("GEN001", result["summary"])
        self.assertTrue(
            any(c["command"] == "error" and c["params"].get("line") == "3" for c in result["commands"]),
            result["commands"],
        )
        result, rc, stderr = self.run_action(self.action,
                                             {"path": "repo", "strict": "true", "output": "strict.cdx.json"})
        self.assertEqual(rc, 2, stderr)
        self.assertEqual(result["outputs"]["sbom"], "")
        self.assertFalse((self.work / "strict.cdx.json").exists())


# --------------------------------------------------------------------------------------------
# actions/budgets
# --------------------------------------------------------------------------------------------


class BudgetsWiringTest(_FakeBinaryCase):
    """actions/budgets with a fake tollgate on PATH: which gates run, flags, outputs, exit code."""

    action = ROOT / "actions" / "budgets"
    prefix = "tollgate-budgets-wiring-"

    def setUp(self):
        super().setUp()
        self.write_files("k6/current.json", "k6/main.json", "budgets.yaml", "infracost.json")

    def test_perf_and_cost_flags_and_outputs(self):
        result, rc, stderr = self.run_action(
            self.action,
            {
                "summary": "k6/current.json",
                "baseline": "k6/main.json",
                "budgets": "budgets.yaml",
                "infracost": "infracost.json",
                "ignore-k6-thresholds": "true",
                "update-baseline": "k6/main.json",
            }
        )
        self.assertEqual(rc, 1, stderr)
        calls = self.calls()
        self.assertEqual(len(calls), 4, calls)
        self.assert_json_run(
            calls[0],
            ["budget", "perf", "--current", "k6/current.json", "--baseline", "k6/main.json",
             "--budgets", "budgets.yaml", "--ignore-k6-thresholds", "--update-baseline", "k6/main.json"],
        )
        self.assertTrue(calls[1].startswith("--format github "), calls[1])
        self.assertNotIn("--update-baseline", calls[1], "only the JSON run may move the baseline")
        self.assertTrue(calls[2].endswith("budget cost --infracost infracost.json --budgets budgets.yaml"), calls[2])
        out = result["outputs"]
        self.assert_outputs(
            result, {"verdict": "deny", "exit-code": "1", "perf-verdict": "deny", "cost-verdict": "deny"}
        )
        self.assertTrue(out["perf-report"] and out["cost-report"])
        self.assertEqual(result["summary"], "fake summary (json)\nfake summary (json)\n")

    def test_only_cost(self):
        result, rc, stderr = self.run_action(self.action, {"infracost": "infracost.json"}, FAKE_TOLLGATE_EXIT="0")
        self.assertEqual(rc, 0, stderr)
        self.assertEqual(len(self.calls()), 2)
        self.assertEqual(result["outputs"]["perf-verdict"], "")
        self.assertEqual(result["outputs"]["cost-verdict"], "pass")
        self.assertEqual(result["outputs"]["verdict"], "pass")

    def test_missing_baseline_is_a_warning_not_an_argument(self):
        result, rc, stderr = self.run_action(
            self.action, {"summary": "k6/current.json", "baseline": "k6/none.json"}, FAKE_TOLLGATE_EXIT="0"
        )
        self.assertEqual(rc, 0, stderr)
        self.assertNotIn("--baseline", self.calls()[0])
        warnings = messages(result, "warning")
        self.assertTrue(any("no baseline at 'k6/none.json'" in m for m in warnings), warnings)

    def test_worst_exit_code_wins(self):
        result, rc, stderr = self.run_action(
            self.action, {"summary": "k6/current.json", "infracost": "infracost.json"}, FAKE_TOLLGATE_EXIT="2"
        )
        self.assertEqual(rc, 2, stderr)
        self.assertEqual(result["outputs"]["verdict"], "error")

    def test_nothing_to_gate_is_exit_2(self):
        result, rc, stderr = self.run_action(self.action, {"budgets": "budgets.yaml"})
        self.assertEqual(rc, 2, stderr)
        self.assertEqual(self.calls(), [])
        self.assertIn("set the summary input", result["summary"])

    def test_bad_flag_value_is_rejected(self):
        result, rc, stderr = self.run_action(self.action, {"summary": "k6/current.json", "ignore-k6-thresholds": "yes"})
        self.assertEqual(rc, 2, stderr)
        self.assertEqual(self.calls(), [])


class BudgetsRealBinaryTest(_RealBinaryCase):
    """actions/budgets with the real tollgate binary on the repository's budget fixtures."""

    action = ROOT / "actions" / "budgets"
    prefix = "tollgate-budgets-real-"

    def setUp(self):
        super().setUp()
        shutil.copytree(ROOT / "testdata" / "budget", self.work, dirs_exist_ok=True)

    def test_slower_run_and_costlier_change_deny_with_a_summary_table(self):
        result, rc, stderr = self.run_action(
            self.action,
            {
                "summary": "k6/current.json",
                "baseline": "k6/baseline.json",
                "budgets": "k6/budgets.yaml",
                "update-baseline": "k6/new-baseline.json",
            }
        )
        self.assertEqual(rc, 1, stderr)
        out = result["outputs"]
        self.assertEqual((out["verdict"], out["perf-verdict"], out["cost-verdict"]), ("deny", "deny", ""))
        self.assertTrue(out["perf-report"])  # in RUNNER_TEMP, which the harness removes
        self.assertIn("| metric | baseline | current | change | budget | verdict |", result["summary"])
        self.assertFalse((self.work / "k6" / "new-baseline.json").exists())
        errors = commands(result, "error")
        self.assertTrue(any("BUD001" in c["message"] or "BUD001" in json.dumps(c) for c in errors), errors)

    def test_passing_run_updates_the_baseline(self):
        result, rc, stderr = self.run_action(
            self.action,
            {
                "summary": "k6/baseline.json",
                "budgets": "k6/budgets-pass.yaml",
                "update-baseline": "k6/new-baseline.json",
            }
        )
        self.assertEqual(rc, 0, stderr)
        self.assertEqual(result["outputs"]["verdict"], "pass")
        self.assertEqual(
            (self.work / "k6" / "new-baseline.json").read_bytes(), (self.work / "k6" / "baseline.json").read_bytes()
        )

    def test_cost_over_budget_denies(self):
        result, rc, stderr = self.run_action(
            self.action, {"infracost": "infracost/diff.json", "budgets": "infracost/budgets.yaml"}
        )
        self.assertEqual(rc, 1, stderr)
        self.assertEqual(result["outputs"]["cost-verdict"], "deny")
        self.assertIn("Cost budgets", result["summary"])

    def test_wrong_currency_is_exit_2(self):
        result, rc, stderr = self.run_action(
            self.action, {"infracost": "infracost/diff.json", "budgets": "infracost/budgets-eur.yaml"}
        )
        self.assertEqual(rc, 2, stderr)
        self.assertEqual(result["outputs"]["verdict"], "error")


# --------------------------------------------------------------------------------------------
# actions/provenance and actions/verify
# --------------------------------------------------------------------------------------------

BUILDER = "https://ci.example.com/builders/release@v1"
SOURCE_DIGEST = "0123456789abcdef0123456789abcdef01234567"
PASSWORD = "correct horse battery staple 42"


class ProvenanceVerifyRealBinaryTest(_RealBinaryCase):
    """actions/provenance then actions/verify with the real tollgate binary, keys generated here:
    the round trip, tampering, policy, bad input, outputs, summaries, and secrets kept out of the
    logs."""

    provenance_action = ROOT / "actions" / "provenance"
    verify_action = ROOT / "actions" / "verify"
    prefix = "tollgate-provenance-real-"

    def setUp(self):
        super().setUp()
        (self.work / "dist" / "nested").mkdir(parents=True)
        (self.work / "dist" / "app.tar.gz").write_bytes(b"release archive\n")
        (self.work / "dist" / "app.zip").write_bytes(b"release zip\n")
        (self.work / "dist" / "nested" / "tool.bin").write_bytes(b"\x00\x01binary")
        (self.work / "dist" / "notes.txt").write_text("not a subject\n", encoding="utf-8")

    def generate(self, key: Path | str, /, **inputs: str) -> tuple[dict, int, str]:
        base = {
            "subjects": "dist/*.{tar.gz,zip}\ndist/**/*.bin",
            "key": str(key),
            "builder-id": BUILDER,
            "source-uri": "git+https://github.com/example/app",
            "source-ref": "refs/tags/v1.2.3",
            "source-digest": SOURCE_DIGEST,
        }
        return self.run_action(self.provenance_action, {**base, **inputs})

    def verify(self, pub: Path | str, /, **inputs: str) -> tuple[dict, int, str]:
        base = {"artifacts": "dist/**/*.tar.gz dist/**/*.zip dist/nested/*.bin", "key": str(pub)}
        return self.run_action(self.verify_action, {**base, **inputs})

    def assert_checks_table(self, summary: str) -> None:
        self.assertEqual(summary.count("| Subject | Check | Result | Detail |"), 1, summary)
        self.assertIn("#### Checks", summary)

    # -- round trips --------------------------------------------------------------------------

    def test_generate_sign_verify_round_trip(self):
        key, pub = self.keygen("release")
        result, rc, stderr = self.generate(key, **{"statement-output": "out/statement.json"})
        self.assertEqual(rc, 0, stderr)
        out = result["outputs"]
        signed = self.work / "provenance.intoto.jsonl"
        self.assertEqual(out["provenance"], str(signed))
        self.assertEqual(out["statement"], str(self.work / "out" / "statement.json"))
        self.assertEqual(out["subjects-count"], "3")
        self.assertEqual(out["verdict"], "pass")
        self.assertEqual(out["exit-code"], "0")
        self.assertEqual(out["sha256"], hashlib.sha256(signed.read_bytes()).hexdigest())
        self.assertRegex(out["key-id"], r"^[0-9a-f]{64}$")
        self.assertEqual(out["tollgate-path"], str(self.bin / "tollgate"))
        for name in ("provenance", "statement", "subjects-count", "sha256", "verdict"):
            self.assertIn(name, result["steps"][1]["outputs"], "written to GITHUB_OUTPUT")
        statement = json.loads((self.work / "out" / "statement.json").read_text(encoding="utf-8"))
        names = sorted(s["name"] for s in statement["subject"])
        self.assertEqual(names, ["dist/app.tar.gz", "dist/app.zip", "dist/nested/tool.bin"])
        self.assertEqual(statement["predicate"]["runDetails"]["builder"]["id"], BUILDER)
        lines = signed.read_text(encoding="utf-8").splitlines()
        self.assertEqual(len(lines), 1)
        self.assertIn("payload", json.loads(lines[0]))
        self.assertIn("dist/nested/tool.bin", result["summary"])
        self.assertIn(out["sha256"], result["summary"])
        self.assertEqual([s["outcome"] for s in result["steps"]], ["success", "success", "skipped"])

        result, rc, stderr = self.verify(
            pub,
            **{
                "builder-id": BUILDER.split("@")[0],
                "source-uri": "github.com/example/app",
                "source-versioned-tag": "v1",
                "sarif-file": "out/verify.sarif",
            },
        )
        self.assertEqual(rc, 0, stderr)
        out = result["outputs"]
        self.assert_outputs(result, {"verdict": "pass", "exit-code": "0", "artifacts": "3", "checks-failed": "0"})
        self.assertGreaterEqual(int(out["checks-passed"]), 9)
        report = json.loads(Path(out["report"]).read_text(encoding="utf-8"))
        self.assertEqual(report["verdict"], "pass")
        self.assertEqual(json.loads(Path(out["sarif"]).read_text(encoding="utf-8"))["version"], "2.1.0")
        self.assert_checks_table(result["summary"])
        for check in ("signature", "builder id", "source uri", "source versioned tag", "subject digest"):
            self.assertRegex(result["summary"], rf"\| {check} \| pass \|")

    def test_builder_and_source_from_the_github_environment(self):
        # As in ci.yml: no overrides; the CLI reads GITHUB_* and RUNNER_ENVIRONMENT.
        key, pub = self.keygen("release")
        github = {
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REPOSITORY": "example/app",
            "GITHUB_REF": "refs/pull/7/merge",
            "GITHUB_SHA": SOURCE_DIGEST,
            "GITHUB_WORKFLOW_REF": "example/app/.github/workflows/ci.yml@refs/pull/7/merge",
            "GITHUB_RUN_ID": "99",
            "GITHUB_RUN_ATTEMPT": "1",
            "RUNNER_ENVIRONMENT": "github-hosted",
        }
        result, rc, stderr = self.run_action(
            self.provenance_action, {"subjects": "dist/app.zip", "key": str(key)}, **github
        )
        self.assertEqual(rc, 0, stderr)
        statement = json.loads(Path(result["outputs"]["statement"]).read_text(encoding="utf-8"))
        self.assertEqual(statement["predicate"]["runDetails"]["builder"]["id"],
                         "https://github.com/actions/runner/github-hosted")
        policy = {
            "artifacts": "dist/app.zip",
            "builder-id": "https://github.com/actions/runner/github-hosted",
            "source-uri": "github.com/example/app",
            "source-ref": "refs/pull/7/merge",
        }
        result, rc, stderr = self.verify(pub, **policy)
        self.assertEqual(rc, 0, stderr)
        result, rc, stderr = self.verify(pub, **{**policy, "source-ref": "refs/heads/main"})
        self.assertEqual(rc, 1, stderr)
        self.assertRegex(result["summary"], r"\| source ref \| FAIL \|")

    def test_encrypted_key_pem_and_password_never_appear_in_logs(self):
        key, pub = self.keygen("secret", password=PASSWORD)
        pem = key.read_text(encoding="utf-8")
        result, rc, stderr = self.generate(
            "", **{"key-pem": pem, "password": PASSWORD, "sign-as": "bundle", "output": "out/app.sigstore.json"}
        )
        self.assertEqual(rc, 0, stderr)
        bundle = json.loads((self.work / "out" / "app.sigstore.json").read_text(encoding="utf-8"))
        self.assertIn("dsseEnvelope", bundle)
        self.assertEqual(result["outputs"]["provenance"], str(self.work / "out" / "app.sigstore.json"))
        # The key file written from key-pem is gone; nothing else holds the secrets.
        self.assert_secrets_kept(pem, stderr + json.dumps(result), files=list(self.runner_temp.rglob("*")))

        result, rc, stderr = self.verify(
            "", provenance="out/*.sigstore.json", **{"key-pem": pub.read_text(encoding="utf-8")}
        )
        self.assertEqual(rc, 0, stderr)
        self.assertEqual(result["outputs"]["verdict"], "pass")

    def test_wrong_password_is_exit_2_without_the_password_in_the_logs(self):
        key, _ = self.keygen("secret", password=PASSWORD)
        result, rc, stderr = self.generate(key, password="not the password")
        self.assertEqual(rc, 2, stderr)
        self.assertEqual(result["outputs"]["verdict"], "error")
        self.assertEqual(result["outputs"]["provenance"], "")
        self.assertNotIn("not the password", stderr + json.dumps(result))
        self.assertIn("ATT006", stderr)

    def test_envelope_and_two_keys_with_a_threshold(self):
        key, pub = self.keygen("one")
        _, other = self.keygen("two")
        result, rc, stderr = self.generate(key, **{"sign-as": "envelope", "output": "prov.dsse.json"})
        self.assertEqual(rc, 0, stderr)
        result, rc, stderr = self.verify(pub, key=f"{pub}\n{other}", provenance="prov.dsse.json")
        self.assertEqual(rc, 0, stderr)
        result, rc, stderr = self.verify(pub, key=f"{pub}\n{other}", provenance="prov.dsse.json", threshold="2")
        self.assertEqual(rc, 1, stderr)
        self.assertEqual(result["outputs"]["verdict"], "deny")
        self.assertRegex(result["summary"], r"\| signature \| FAIL \|")

    # -- denials ------------------------------------------------------------------------------

    def test_tampered_artifact_denies(self):
        key, pub = self.keygen("release")
        self.assertEqual(self.generate(key)[1], 0)
        with open(self.work / "dist" / "app.zip", "ab") as f:
            f.write(b"tampered")
        result, rc, stderr = self.verify(pub)
        self.assertEqual(rc, 1, stderr)
        self.assert_outputs(result, {"verdict": "deny", "exit-code": "1", "checks-failed": "1"})
        self.assertEqual(result["steps"][1]["outcome"], "failure")
        self.assert_checks_table(result["summary"])
        self.assertRegex(result["summary"], r"\| dist/app\.zip \| subject digest \| FAIL \|")
        self.assertRegex(result["summary"], r"\| dist/app\.tar\.gz \| subject digest \| pass \|")
        errors = commands(result, "error")
        self.assertTrue(any(c["params"].get("file") == "dist/app.zip" for c in errors), errors)

    def test_tampered_artifact_with_fail_on_deny_false_passes_the_step(self):
        key, pub = self.keygen("release")
        self.assertEqual(self.generate(key)[1], 0)
        (self.work / "dist" / "app.tar.gz").write_bytes(b"something else")
        result, rc, stderr = self.verify(pub, **{"fail-on-deny": "false"})
        self.assertEqual(rc, 0, stderr)
        self.assertEqual(result["outputs"]["verdict"], "deny")
        self.assertEqual(result["outputs"]["exit-code"], "1")
        self.assertIn("fail-on-deny is false", result["summary"])
        self.assert_checks_table(result["summary"])

    def test_wrong_builder_id_denies(self):
        key, pub = self.keygen("release")
        self.assertEqual(self.generate(key)[1], 0)
        result, rc, stderr = self.verify(pub, **{"builder-id": "https://evil.example.com/builder"})
        self.assertEqual(rc, 1, stderr)
        self.assertEqual(result["outputs"]["verdict"], "deny")
        self.assertRegex(result["summary"], r"\| builder id \| FAIL \|")
        self.assertRegex(result["summary"], r"\| signature \| pass \|")

    def test_untrusted_key_denies(self):
        key, _ = self.keygen("release")
        _, stranger = self.keygen("stranger")
        self.assertEqual(self.generate(key)[1], 0)
        result, rc, stderr = self.verify(stranger)
        self.assertEqual(rc, 1, stderr)
        self.assertEqual(result["outputs"]["verdict"], "deny")

    # -- bad input ----------------------------------------------------------------------------

    def test_missing_provenance_file_is_exit_2(self):
        _, pub = self.keygen("release")
        result, rc, stderr = self.verify(pub, provenance="missing.intoto.jsonl")
        self.assertEqual(rc, 2, stderr)
        self.assertEqual(result["outputs"]["verdict"], "error")
        self.assertEqual(result["outputs"]["exit-code"], "2")
        self.assertIn("missing.intoto.jsonl", stderr)
        result, rc, stderr = self.verify(pub, provenance="nothing/*.jsonl", **{"fail-on-deny": "false"})
        self.assertEqual(rc, 2, stderr)
        self.assertIn("matched no files", result["summary"])

    def test_verify_keyless_bundle(self):
        """A real keyless bundle (slsa-github-generator provenance from the conformance corpus),
        verified offline against a trusted root: the certificate identity decides."""
        conf = Path(os.environ.get("TOLLGATE_CONFORMANCE") or ROOT.parent / "shared" / "conformance")
        bundle = conf / "slsa-verifier/gha_generic/v2.1.0/binary-linux-amd64-push-v13.0.30.intoto.jsonl"
        trusted = conf / "sigstore-trust-roots/production/trusted_root.json"
        if not bundle.is_file() or not trusted.is_file():
            self.skipTest("conformance corpus not present")
        common = {
            "artifacts": "",
            "key": "",
            "provenance": str(bundle),
            "trusted-root": str(trusted),
            "artifact-digest": "sha256:376e7e01348585b6e6643bc6663146b9d525d9b41228bf180eaeb4d4a3706caa",
            "source-uri": "github.com/slsa-framework/example-package",
        }
        result, rc, stderr = self.run_action(self.verify_action, {
            **common,
            "certificate-identity-regexp": "^https://github\\.com/slsa-framework/slsa-github-generator/",
            "certificate-github-workflow-repository": "slsa-framework/example-package",
        })
        self.assertEqual(rc, 0, stderr)
        self.assertEqual(result["outputs"]["verdict"], "pass")
        result, rc, stderr = self.run_action(self.verify_action, {
            **common,
            "certificate-identity": "https://github.com/someone/else/.github/workflows/release.yml@refs/heads/main",
        })
        self.assertEqual(rc, 1, stderr)
        self.assertEqual(result["outputs"]["verdict"], "deny")

    def test_verify_keyless_bundle_after_tuf_refresh(self):
        """tuf-repo/tuf-root: the trusted root is refreshed over TUF (Sigstore's real repository
        snapshot from tuf-conformance, at its recorded time) and verification uses the cache; a
        tampered repository copy is a denial, a missing trust anchor bad input."""
        conf = Path(os.environ.get("TOLLGATE_CONFORMANCE") or ROOT.parent / "shared" / "conformance")
        # A SLSA v1 statement in a DSSE bundle, logged 2024-12-16: before the snapshot's time.
        case = conf / "sigstore-conformance/bundle-verify"
        bundle = case / "happy-path-intoto-in-dsse-v3/bundle.sigstore.json"
        repo = conf / "tuf-conformance/static_data/sigstore-root-signing"
        if not bundle.is_file() or not repo.is_dir():
            self.skipTest("conformance corpus not present")
        when = {"TOLLGATE_NOW": "2025-02-09T12:02:08Z"}
        cache = self.work / "tuf-cache"
        common = {
            "artifacts": str(case / "a.txt"),
            "key": "",
            "provenance": str(bundle),
            "tuf-repo": str(repo),
            "tuf-root": str(repo / "initial_root.json"),
            "tuf-cache": str(cache),
            "certificate-identity": "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon"
                                    "/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main",
            "certificate-oidc-issuer": "https://token.actions.githubusercontent.com",
        }
        result, rc, stderr = self.run_action(self.verify_action, common, **when)
        self.assertEqual(rc, 0, stderr)
        self.assertEqual(result["outputs"]["verdict"], "pass")
        self.assertTrue((cache / "refresh.json").is_file(), sorted(p.name for p in cache.iterdir()))
        self.assertIn("trusted root refreshed over TUF", stderr)

        tampered = self.work / "tampered-repo"
        shutil.copytree(repo, tampered)
        (tampered / "metadata" / "timestamp.json").write_text("{}")
        result, rc, stderr = self.run_action(self.verify_action, {
            **common, "tuf-repo": str(tampered), "tuf-cache": str(self.work / "tuf-cache-2"),
        }, **when)
        self.assertEqual(rc, 1, stderr)
        self.assertEqual(result["outputs"]["verdict"], "deny")
        self.assertIn("SIG024", stderr)

        result, rc, stderr = self.run_action(self.verify_action, {**common, "tuf-root": ""}, **when)
        self.assertEqual(rc, 2, stderr)
        self.assertIn("tuf-root is empty", stderr)

    def test_verify_bad_inputs_are_exit_2(self):
        _, pub = self.keygen("release")
        for inputs in (
            {"key": ""},
            {"artifacts": ""},
            {"artifacts": "dist/*.nope"},
            {"threshold": "zero"},
            {"fail-on-deny": "maybe"},
            {"key": "", "key-pem": "not pem"},
        ):
            with self.subTest(inputs=inputs):
                result, rc, stderr = self.verify(pub, **inputs)
                self.assertEqual(rc, 2, stderr)
                self.assertEqual(result["outputs"]["verdict"], "error")
                self.assertTrue(commands(result, "error"), stderr)

    def test_provenance_bad_inputs_are_exit_2(self):
        key, _ = self.keygen("release")
        for inputs in (
            {"key": ""},
            {"key": "nope.key"},
            {"key-pem": "-----BEGIN PRIVATE KEY-----\n"},  # both key and key-pem
            {"subjects": ""},
            {"subjects": "dist/*.nope"},
            {"sign-as": "cms"},
            {"digest": "md5"},
            {"upload": "yes"},
        ):
            with self.subTest(inputs=inputs):
                result, rc, stderr = self.generate(key, **inputs)
                self.assertEqual(rc, 2, stderr)
                self.assertEqual(result["outputs"]["verdict"], "error")
                self.assertEqual(result["outputs"]["provenance"], "")
                self.assertFalse((self.work / "provenance.intoto.jsonl").exists())
                self.assertEqual(result["steps"][2]["outcome"], "skipped", "no upload after a failure")

    def test_checksums_and_sha512(self):
        key, pub = self.keygen("release")
        lines = []
        for rel in ("dist/app.tar.gz", "dist/app.zip"):
            lines.append(f"{hashlib.sha256((self.work / rel).read_bytes()).hexdigest()}  {rel}\n")
        (self.work / "SHA256SUMS").write_text("".join(lines), encoding="utf-8")
        result, rc, stderr = self.generate(key, subjects="", checksums="SHA256SUMS")
        self.assertEqual(rc, 0, stderr)
        self.assertEqual(result["outputs"]["subjects-count"], "2")
        result, rc, stderr = self.verify(pub, artifacts="dist/app.zip")
        self.assertEqual(rc, 0, stderr)
        result, rc, stderr = self.generate(key, digest="sha256, sha512", output="p512.intoto.jsonl")
        self.assertEqual(rc, 0, stderr)
        digest = hashlib.sha512((self.work / "dist" / "app.zip").read_bytes()).hexdigest()
        result, rc, stderr = self.verify(pub, artifacts="", provenance="p512.intoto.jsonl",
                                         **{"artifact-digest": f"sha512:{digest}"})
        self.assertEqual(rc, 0, stderr)
        self.assertEqual(result["outputs"]["artifacts"], "0")

    def test_upload_step_gets_the_signed_file(self):
        key, _ = self.keygen("release")
        result, rc, stderr = self.run_action(
            self.provenance_action,
            {"subjects": "dist/app.zip", "key": str(key), "upload": "true", "upload-name": "app-provenance",
             "builder-id": BUILDER},
            stub_uses=True,
        )
        self.assertEqual(rc, 0, stderr)
        upload = result["steps"][2]
        self.assertEqual(upload["outcome"], "success")
        self.assertTrue(upload["uses"].startswith("actions/upload-artifact@"), upload)
        self.assertEqual(upload["with"]["name"], "app-provenance")
        self.assertEqual(upload["with"]["path"], str(self.work / "provenance.intoto.jsonl"))
        self.assertEqual(upload["with"]["if-no-files-found"], "error")
        # Without --stub-uses the harness refuses to pretend it ran another action.
        result, rc, stderr = run_harness(
            self.provenance_action,
            {"subjects": "dist/app.zip", "key": str(key), "upload": "true", "install": "never", "builder-id": BUILDER},
            {"PATH": f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}"},
            workdir=self.work,
        )
        self.assertEqual(rc, 125, stderr)
        self.assertIn("'uses:' steps are not supported", stderr)


# --------------------------------------------------------------------------------------------
# actions/control-attestation
# --------------------------------------------------------------------------------------------

EXAMPLE = ROOT / "testdata" / "controls" / "example"
EXAMPLE_NOW = "2026-11-23T12:00:00Z"  # the example's waiver and drill dates assume it
CONTROLS_TABLE = "| Control | Name | Frameworks | Status | Reason |"
PRODUCTS = {
    "attestation": "attestation.json",
    "vsa": "vsa.json",
    "oscal": "oscal-assessment-results.json",
    "control-map": "control-map.csv",
    "report-md": "report.md",
    "report-html": "report.html",
    "report-pdf": "report.pdf",
}


class ControlAttestationRealBinaryTest(_RealBinaryCase):
    """actions/control-attestation with the real tollgate binary on a copy of the bundled
    example (testdata/controls/example) and the catalog shipped with the action: pass, signed
    with a key made here (secrets kept out of the logs), faults, fail-on-deny, bad input."""

    action = ROOT / "actions" / "control-attestation"
    prefix = "tollgate-controls-real-"
    now = None  # the example's dates come with the now input

    def setUp(self):
        super().setUp()
        shutil.copytree(EXAMPLE, self.work / "example")
        self.controls = self.work / "tollgate-controls" / "controls"

    def run_attest(self, /, workdir: Path | None = None, **inputs: str | None) -> tuple[dict, int, str]:
        """Run the action on the example; an input given as None is left to its default."""
        base = {
            "catalog": "default",
            "evidence": "example/evidence",
            "waivers": "example/waivers.yaml",
            "trusted-keys": "example/signer.pub",
            "now": EXAMPLE_NOW,
        }
        given = {k: v for k, v in {**base, **inputs}.items() if v is not None}
        return self.run_action(self.action, given, workdir=workdir)

    def verify_attestation(self, envelope: str, pub: Path) -> subprocess.CompletedProcess:
        env = {k: v for k, v in clean_env().items() if k != "GITHUB_STEP_SUMMARY"}
        return subprocess.run(
            [str(self.binary), "--format", "json", "verify", "attestation", envelope, "--key", str(pub),
             "--evidence", str(self.work / "example" / "evidence")],
            capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=120,
        )

    def assert_one_controls_table(self, summary: str) -> None:
        self.assertEqual(summary.count(CONTROLS_TABLE), 1, summary)
        self.assertIn("Control Attestation", summary)
        # tollgate's own step summary (the generic subjects table) is not appended as well.
        self.assertNotIn("tollgate attest controls:", summary)
        self.assertNotIn("| file | kind | verdict | facts |", summary)

    # -- pass ---------------------------------------------------------------------------------

    def test_example_passes_with_outputs_and_files(self):
        result, rc, stderr = self.run_attest()
        self.assertEqual(rc, 0, stderr)
        out = result["outputs"]
        self.assertEqual(out["verdict"], "pass")
        self.assertEqual(out["exit-code"], "0")
        self.assertEqual((out["passed"], out["failed"], out["waived"], out["total"]), ("7", "0", "0", "7"))
        self.assertEqual(out["out-dir"], str(self.controls))
        for name, file in PRODUCTS.items():
            with self.subTest(output=name):
                self.assertEqual(out[name], str(self.controls / file))
                self.assertGreater(Path(out[name]).stat().st_size, 0)
        self.assertEqual((out["signed-attestation"], out["signed-vsa"], out["key-id"]), ("", "", ""))
        self.assertEqual(out["tollgate-path"], str(self.bin / "tollgate"))
        statement = json.loads(Path(out["attestation"]).read_text(encoding="utf-8"))
        self.assertEqual(statement["_type"], "https://in-toto.io/Statement/v1")
        self.assertIn("sbom/sbom-app.cdx.json", {s["name"] for s in statement["subject"]})
        self.assertTrue(Path(out["report-pdf"]).read_bytes().startswith(b"%PDF-"))
        self.assertEqual(json.loads(Path(out["report"]).read_text(encoding="utf-8"))["verdict"], "pass")
        self.assert_one_controls_table(result["summary"])
        for control in ("SC-01", "SC-02", "PL-01", "REL-01", "DB-01", "FIN-01", "DR-01"):
            self.assertRegex(result["summary"], rf"\| `{control}` \| [^\n]* \| ✅ pass \|")
        self.assertEqual(commands(result, "error"), [])
        self.assertEqual([s["outcome"] for s in result["steps"]], ["success", "success"])

    def test_key_path_pdf_false_and_working_directory(self):
        key, pub = self.keygen("plain")
        result, rc, stderr = self.run_attest(
            workdir=self.tmp, **{"working-directory": "work", "key": str(key), "pdf": "false", "out": "out/ctl",
                                 "release": "app v1.4.2"}
        )
        self.assertEqual(rc, 0, stderr)
        out = result["outputs"]
        controls = self.work / "out" / "ctl" / "controls"
        self.assertEqual(out["attestation"], str(controls / "attestation.json"))
        self.assertEqual(out["signed-attestation"], str(controls / "attestation.dsse.json"))
        self.assertEqual(out["signed-vsa"], str(controls / "vsa.dsse.json"))
        self.assertEqual(out["report-pdf"], "")
        self.assertFalse((controls / "report.pdf").exists())
        self.assertIn("app v1.4.2", result["summary"])
        proc = self.verify_attestation(out["signed-attestation"], pub)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)

    # -- signed -------------------------------------------------------------------------------

    def test_signed_with_key_pem_and_password_verifies_and_keeps_secrets_out_of_logs(self):
        key, pub = self.keygen("attest", password=PASSWORD)
        pem = key.read_text(encoding="utf-8")
        result, rc, stderr = self.run_attest(**{"key-pem": pem, "password": PASSWORD})
        self.assertEqual(rc, 0, stderr)
        out = result["outputs"]
        self.assertEqual(out["verdict"], "pass")
        self.assertEqual(out["signed-attestation"], str(self.controls / "attestation.dsse.json"))
        self.assertEqual(out["signed-vsa"], str(self.controls / "vsa.dsse.json"))
        self.assertRegex(out["key-id"], r"^[0-9a-f]{64}$")
        envelope = json.loads(Path(out["signed-attestation"]).read_text(encoding="utf-8"))
        self.assertEqual(envelope["payloadType"], "application/vnd.in-toto+json")
        self.assertEqual(envelope["signatures"][0]["keyid"], out["key-id"])
        self.assert_one_controls_table(result["summary"])

        # The key file written from key-pem is gone; nothing holds the secrets.
        self.assert_secrets_kept(pem, stderr + json.dumps(result),
                                 files=[*self.runner_temp.rglob("*"), *self.controls.rglob("*")])

        proc = self.verify_attestation(out["signed-attestation"], pub)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(json.loads(proc.stdout)["verdict"], "pass")
        # Another key does not verify it.
        _, stranger = self.keygen("stranger")
        self.assertEqual(self.verify_attestation(out["signed-attestation"], stranger).returncode, 1)

    def test_wrong_password_is_exit_2_without_the_password_in_the_logs(self):
        key, _ = self.keygen("attest", password=PASSWORD)
        result, rc, stderr = self.run_attest(key=str(key), password="not the password")
        self.assertEqual(rc, 2, stderr)
        self.assertEqual(result["outputs"]["verdict"], "error")
        self.assertEqual(result["outputs"]["signed-attestation"], "")
        self.assertNotIn("not the password", stderr + json.dumps(result))
        self.assertTrue(commands(result, "error"), stderr)
        self.assertIn("error", result["summary"])

    # -- denials ------------------------------------------------------------------------------

    def make_high_finding(self) -> None:
        sarif = self.work / "example" / "evidence" / "scans" / "trivy.sarif"
        text = sarif.read_text(encoding="utf-8")
        self.assertIn('"security-severity":"5.3"', text)
        sarif.write_text(text.replace('"security-severity":"5.3"', '"security-severity":"8.1"'), encoding="utf-8")

    def test_high_sarif_finding_denies_with_the_control_in_summary_and_annotation(self):
        self.make_high_finding()
        result, rc, stderr = self.run_attest()
        self.assertEqual(rc, 1, stderr)
        out = result["outputs"]
        self.assertEqual(out["verdict"], "deny")
        self.assertEqual(out["exit-code"], "1")
        self.assertEqual((out["passed"], out["failed"], out["waived"]), ("6", "1", "0"))
        self.assertEqual(result["steps"][1]["outcome"], "failure")
        # The attestation records the failure too.
        self.assertTrue(Path(out["attestation"]).is_file())
        self.assert_one_controls_table(result["summary"])
        self.assertRegex(result["summary"], r"\| `SC-01` \| [^\n]* \| ❌ fail \| [^\n]*CVE-2026-0001")
        self.assertRegex(result["summary"], r"\| `SC-02` \| [^\n]* \| ✅ pass \|")
        errors = commands(result, "error")
        self.assertEqual(len(errors), 1, errors)
        self.assertEqual(errors[0]["params"]["title"], "CTL001 control-failed")
        self.assertTrue(errors[0]["params"]["file"].endswith("catalog/default.yaml"), errors[0])
        self.assertRegex(errors[0]["params"]["line"], r"^[0-9]+$")
        self.assertIn("SC-01 failed", errors[0]["message"])
        self.assertIn("HIGH CVE-2026-0001", errors[0]["message"])

    def test_repository_catalog_in_a_working_directory_is_annotated_relative_to_the_workspace(self):
        # The catalog input's default, catalog/default.yaml, in the user's repository.
        shutil.copytree(ROOT / "catalog", self.work / "app" / "catalog")
        shutil.move(str(self.work / "example"), str(self.work / "app" / "example"))
        self.work.joinpath("app", "example", "evidence", "policies", "conftest-results.json").unlink()
        result, rc, stderr = self.run_attest(catalog=None, **{"working-directory": "app"})
        self.assertEqual(rc, 1, stderr)
        self.assertEqual(result["outputs"]["out-dir"], str(self.work / "app" / "tollgate-controls" / "controls"))
        errors = commands(result, "error")
        self.assertEqual([e["params"]["file"] for e in errors], ["app/catalog/default.yaml"], errors)
        self.assertIn("PL-01", errors[0]["message"])
        self.assertRegex(result["summary"], r"\| `PL-01` \| [^\n]* \| ❌ fail \|")

    def test_fail_on_deny_false_passes_the_step_with_verdict_deny(self):
        self.make_high_finding()
        result, rc, stderr = self.run_attest(**{"fail-on-deny": "false"})
        self.assertEqual(rc, 0, stderr)
        self.assert_outputs(result, {"verdict": "deny", "exit-code": "1", "failed": "1"})
        self.assertEqual(result["steps"][1]["outcome"], "success")
        self.assertIn("fail-on-deny is false", result["summary"])
        self.assert_one_controls_table(result["summary"])
        self.assertTrue(any("SC-01 failed" in c["message"] for c in commands(result, "error")))

    def test_waiver_waives_a_failed_control(self):
        drill = self.work / "example" / "evidence" / "dr" / "drill-2026-11.json"
        drill.write_text(drill.read_text(encoding="utf-8").replace('"passed"', '"failed"'), encoding="utf-8")
        result, rc, stderr = self.run_attest()
        self.assertEqual(rc, 0, stderr)
        out = result["outputs"]
        self.assertEqual((out["verdict"], out["passed"], out["failed"], out["waived"]), ("pass", "6", "0", "1"))
        self.assertRegex(result["summary"], r"\| `DR-01` \| [^\n]*waived")
        # Without the waivers file the same evidence denies.
        result, rc, stderr = self.run_attest(waivers="")
        self.assertEqual(rc, 1, stderr)
        self.assertEqual(result["outputs"]["failed"], "1")

    # -- bad input ----------------------------------------------------------------------------

    def test_missing_evidence_directory_is_exit_2(self):
        for fail_on_deny in ("true", "false"):
            with self.subTest(fail_on_deny=fail_on_deny):
                result, rc, stderr = self.run_attest(evidence="missing/evidence", **{"fail-on-deny": fail_on_deny})
                self.assertEqual(rc, 2, stderr)
                out = result["outputs"]
                self.assertEqual((out["verdict"], out["exit-code"], out["attestation"]), ("error", "2", ""))
                self.assertIn("missing/evidence", result["summary"])
                self.assertTrue(any("missing/evidence" in c["message"] for c in commands(result, "error")), stderr)
                self.assertFalse(self.controls.exists())

    def test_bad_inputs_are_exit_2(self):
        key, _ = self.keygen("plain")
        (self.work / "bad-catalog.yaml").write_text(
            "schema: 1\ncontrols:\n  - id: X-01\n    name: x\n    bogus: 1\n", encoding="utf-8"
        )
        for inputs, needle in (
            ({"evidence": ""}, "evidence input is empty"),
            ({"catalog": "catalog/default.yaml"}, "'default' for the catalog shipped with the action"),
            ({"catalog": "bad-catalog.yaml"}, "TG009"),
            ({"waivers": "nope.yaml"}, "nope.yaml"),
            ({"trusted-keys": "example/signer.pub\nnope.pub"}, "nope.pub"),
            ({"key": str(key), "key-pem": "-----BEGIN PRIVATE KEY-----\n"}, "not both"),
            ({"key-pem": "not pem"}, "not PEM text"),
            ({"password": PASSWORD}, "no key"),
            ({"fail-on-deny": "maybe"}, "fail-on-deny"),
            ({"templates": "nope"}, "templates"),
            ({"now": "yesterday"}, "yesterday"),
        ):
            with self.subTest(inputs=inputs):
                result, rc, stderr = self.run_attest(**inputs)
                self.assertEqual(rc, 2, stderr)
                self.assertEqual(result["outputs"]["verdict"], "error")
                self.assertEqual(result["outputs"]["exit-code"], "2")
                errors = commands(result, "error")
                self.assertTrue(errors, stderr)
                self.assertIn(needle, result["summary"] + errors[0]["message"])
                self.assertNotIn(PASSWORD, stderr + json.dumps(result))


GH_SHIM = """#!/bin/sh
# A stand-in for the runner's gh CLI: records its arguments (one per line, then a separator) and
# whether it was given a token, and never touches the network.
log="$GH_SHIM_LOG"
for a in "$@"; do printf '%s\\n' "$a" >>"$log"; done
printf 'GH_TOKEN=%s\\n' "${GH_TOKEN:+set}" >>"$log"
printf 'GH_REPO=%s\\n' "${GH_REPO:-}" >>"$log"
printf -- '--\\n' >>"$log"
exit "${GH_SHIM_EXIT:-0}"
"""


class EvidencePackRealBinaryTest(_RealBinaryCase):
    """actions/evidence-pack with the real tollgate binary on a copy of the bundled example
    (testdata/controls/example/evidence): pack + verify, outputs and summary, byte-reproducible
    packs, a wrong verify-key, the upload step (recorded with --stub-uses) and the release upload
    on a tag through a `gh` shim on PATH (recording its arguments; no network), bad input."""

    action = ROOT / "actions" / "evidence-pack"
    prefix = "tollgate-evidence-real-"
    now = None  # the example's dates come with the now input

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        proc = subprocess.run([str(cls.binary), "evidence", "pack", "--help"], capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=60)
        if proc.returncode != 0:
            cls.skip_or_fail(f"{cls.binary} has no `evidence pack` (rebuild it)")

    def setUp(self):
        super().setUp()
        write_executable(self.bin / "gh", GH_SHIM)
        self.gh_log = self.tmp / "gh.log"
        shutil.copytree(EXAMPLE / "evidence", self.work / "evidence")

    def run_pack(self, /, workdir: Path | None = None, github: dict[str, str] | None = None,
                 **inputs: str | None) -> tuple[dict, int, str]:
        """Run the action (uses: steps recorded); an input given as None is left to its default."""
        base = {
            "dir": "evidence",
            "org": "acme",
            "now": EXAMPLE_NOW,
            "github-token": "ghs_test_token_not_real",
        }
        env = {
            "GH_SHIM_LOG": str(self.gh_log),
            "GITHUB_REPOSITORY": "acme/app",
            "GITHUB_REPOSITORY_OWNER": "acme",
            "GITHUB_REF": "refs/heads/main",
            "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567",
            **(github or {}),
        }
        given = {k: v for k, v in {**base, **inputs}.items() if v is not None}
        return self.run_action(self.action, given, workdir=workdir, stub_uses=True, **env)

    def tollgate(self, *args: str) -> subprocess.CompletedProcess:
        env = {k: v for k, v in clean_env().items() if not k.startswith("GITHUB_")}
        return subprocess.run([str(self.binary), "--format", "json", *args], capture_output=True, text=True,
                              env=env, stdin=subprocess.DEVNULL, timeout=120)

    def gh_calls(self) -> list[list[str]]:
        if not self.gh_log.exists():
            return []
        calls, cur = [], []
        for line in self.gh_log.read_text(encoding="utf-8").splitlines():
            if line == "--":
                calls.append(cur)
                cur = []
            else:
                cur.append(line)
        return calls

    def uses_steps(self, result: dict) -> list[dict]:
        return [s for s in result["steps"] if s.get("uses")]

    # -- pass ---------------------------------------------------------------------------------

    def test_pack_and_verify_pass_with_outputs_summary_and_upload(self):
        result, rc, stderr = self.run_pack()
        self.assertEqual(rc, 0, stderr)
        out = result["outputs"]
        self.assertEqual((out["verdict"], out["exit-code"]), ("pass", "0"))
        self.assertEqual(out["release"], "0123456")  # the short SHA on a branch
        name = "audit-pack-acme-0123456-20261123.tgz"
        self.assertEqual(out["pack-name"], name)
        pack = self.work / name
        self.assertEqual(out["pack"], str(pack))
        data = pack.read_bytes()
        self.assertEqual(out["sha256"], hashlib.sha256(data).hexdigest())
        self.assertEqual(out["size"], str(len(data)))
        self.assertRegex(out["merkle-root"], r"^[0-9a-f]{64}$")
        self.assertEqual(out["artifacts"], "11")
        self.assertEqual((out["signed"], out["key-id"]), ("false", ""))
        self.assertEqual(out["release-tag"], "")
        self.assertEqual(out["tollgate-path"], str(self.bin / "tollgate"))
        self.assertEqual(json.loads(Path(out["report"]).read_text(encoding="utf-8"))["data"]["sha256"], out["sha256"])
        self.assertEqual(json.loads(Path(out["verify-report"]).read_text(encoding="utf-8"))["verdict"], "pass")
        # The index in the pack is the one reported, with the CI metadata.
        with tarfile.open(pack, "r:gz") as tar:
            names = tar.getnames()
            self.assertEqual(names[0], "index.json")
            index = json.load(tar.extractfile("index.json"))  # type: ignore[arg-type]
        self.assertEqual(index["merkle"]["root"], out["merkle-root"])
        self.assertEqual(index["release"]["org"], "acme")
        self.assertEqual(index["release"]["commit"], "0123456789abcdef0123456789abcdef01234567")
        self.assertIn("sbom/sbom-app.cdx.json", {a["name"] for a in index["artifacts"]})
        # Unsigned: verified with --allow-unsigned, and the summary and a notice say so.
        summary = result["summary"]
        self.assertIn(f"### Evidence Pack: `{name}` — ✅ verified", summary)
        self.assertIn(f"| SHA-256 | `{out['sha256']}` |", summary)
        self.assertIn(f"| Merkle root | `{out['merkle-root']}` |", summary)
        self.assertIn("--allow-unsigned", summary)
        self.assertIn("| Artifact | Media type | Size | SHA-256 |", summary)
        for a in index["artifacts"]:
            self.assertIn(f"| `{a['name']}` | {a['mediaType']} | {a['size']} | `{a['sha256']}` |", summary)
        self.assertEqual(summary.count("| Artifact | Media type |"), 1, summary)
        notices = commands(result, "notice")
        self.assertTrue(any("--allow-unsigned" in c["message"] for c in notices), result["commands"])
        self.assertEqual(commands(result, "error"), [])
        # Uploaded (recorded), not attached (a branch).
        uploads = self.uses_steps(result)
        self.assertEqual(len(uploads), 1, result["steps"])
        self.assertTrue(uploads[0]["uses"].startswith("actions/upload-artifact@"))
        self.assertRegex(uploads[0]["uses"], r"@[0-9a-f]{40}$")
        self.assertEqual(uploads[0]["with"]["name"], name)
        self.assertEqual(uploads[0]["with"]["path"], str(pack))
        self.assertEqual(self.gh_calls(), [])
        self.assertEqual([s["outcome"] for s in result["steps"]], ["success", "success", "success", "skipped"])
        # The pack verifies on its own, and an artifact's inclusion proof checks against the root.
        self.assertEqual(self.tollgate("evidence", "verify", str(pack), "--allow-unsigned").returncode, 0)
        proof = self.tmp / "proof.json"
        proc = self.tollgate("evidence", "prove", str(pack), "sbom/sbom-app.cdx.json", "--out", str(proof),
                             "--allow-unsigned")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        proc = self.tollgate("evidence", "check-proof", str(proof), "--root", out["merkle-root"],
                             "--artifact", str(self.work / "evidence" / "sbom" / "sbom-app.cdx.json"))
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)

    def test_reproducible_sha256_across_two_runs(self):
        first, rc, stderr = self.run_pack(out="one/pack.tgz")
        self.assertEqual(rc, 0, stderr)
        # Another copy of the same evidence, created in another order with other mtimes.
        other = self.tmp / "other"
        files = sorted(p for p in (self.work / "evidence").rglob("*") if p.is_file())
        for i, src in enumerate(reversed(files)):
            dst = other / "evidence" / src.relative_to(self.work / "evidence")
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_bytes(src.read_bytes())
            os.utime(dst, (1_000_000 + i, 1_000_000 + i))
        second, rc, stderr = self.run_pack(workdir=other, out="two/pack.tgz")
        self.assertEqual(rc, 0, stderr)
        self.assertEqual(first["outputs"]["sha256"], second["outputs"]["sha256"])
        self.assertEqual(first["outputs"]["merkle-root"], second["outputs"]["merkle-root"])
        self.assertEqual((self.work / "one" / "pack.tgz").read_bytes(), (other / "two" / "pack.tgz").read_bytes())
        # zstd is reproducible too, and a different pack.
        z1, rc, stderr = self.run_pack(out="one/pack.tar.zst", compression="zstd")
        self.assertEqual(rc, 0, stderr)
        z2, rc, stderr = self.run_pack(workdir=other, out="two/pack.tar.zst", compression="zstd")
        self.assertEqual(rc, 0, stderr)
        self.assertEqual(z1["outputs"]["sha256"], z2["outputs"]["sha256"])
        self.assertNotEqual(z1["outputs"]["sha256"], first["outputs"]["sha256"])
        self.assertEqual(z1["outputs"]["merkle-root"], first["outputs"]["merkle-root"])

    # -- signed -------------------------------------------------------------------------------

    def test_signed_with_key_pem_and_password_verifies_and_keeps_secrets_out_of_logs(self):
        key, pub = self.keygen("pack", password=PASSWORD)
        pem = key.read_text(encoding="utf-8")
        result, rc, stderr = self.run_pack(**{"key-pem": pem, "password": PASSWORD, "verify-key": str(pub)})
        self.assertEqual(rc, 0, stderr)
        out = result["outputs"]
        self.assertEqual((out["verdict"], out["signed"]), ("pass", "true"))
        self.assertRegex(out["key-id"], r"^[0-9a-f]{64}$")
        self.assertIn(out["key-id"], result["summary"])
        self.assertIn("verified with 1 public key(s)", result["summary"])
        self.assertNotIn("--allow-unsigned", result["summary"])
        self.assertEqual(self.tollgate("evidence", "verify", out["pack"], "--key", str(pub)).returncode, 0)
        gh_log = self.gh_log.read_text(encoding="utf-8") if self.gh_log.exists() else ""
        self.assert_secrets_kept(pem, stderr + json.dumps(result) + gh_log, "ghs_test_token_not_real")

    def test_wrong_verify_key_denies(self):
        key, _ = self.keygen("pack")
        _, stranger = self.keygen("stranger")
        result, rc, stderr = self.run_pack(key=str(key), **{"verify-key": str(stranger)},
                                           github={"GITHUB_REF": "refs/tags/v1.4.2"})
        self.assertEqual(rc, 1, stderr)
        out = result["outputs"]
        self.assertEqual((out["verdict"], out["exit-code"]), ("deny", "1"))
        self.assertTrue(Path(out["pack"]).is_file())  # kept, for inspection
        self.assertTrue(commands(result, "error"), stderr)
        self.assertIn("did not verify", result["summary"])
        # Nothing is uploaded or attached.
        self.assertEqual([s["outcome"] for s in result["steps"]], ["success", "failure", "skipped", "skipped"])
        self.assertEqual(self.gh_calls(), [])

    def test_tampered_verify_key_file_denies_or_is_bad_input(self):
        key, pub = self.keygen("pack")
        _, stranger = self.keygen("stranger")
        # The trusted public key file swapped for another key's, under the same name.
        pub.write_bytes(stranger.read_bytes())
        result, rc, stderr = self.run_pack(key=str(key), **{"verify-key": str(pub)})
        self.assertEqual(rc, 1, stderr)
        self.assertEqual(result["outputs"]["verdict"], "deny")

    def test_unsigned_pack_with_a_verify_key_denies(self):
        _, pub = self.keygen("pack")
        result, rc, stderr = self.run_pack(**{"verify-key": str(pub)})
        self.assertEqual(rc, 1, stderr)
        self.assertEqual(result["outputs"]["verdict"], "deny")

    # -- the GitHub release -------------------------------------------------------------------

    def test_on_a_tag_the_pack_is_attached_with_gh_release_upload(self):
        key, pub = self.keygen("pack")
        result, rc, stderr = self.run_pack(key=str(key), **{"verify-key": str(pub), "compression": "zstd",
                                                            "upload-name": "evidence"},
                                           github={"GITHUB_REF": "refs/tags/v1.4.2"})
        self.assertEqual(rc, 0, stderr)
        out = result["outputs"]
        name = "audit-pack-acme-v1.4.2-20261123.tar.zst"
        self.assertEqual((out["release"], out["pack-name"], out["release-tag"]), ("v1.4.2", name, "v1.4.2"))
        self.assertEqual(self.gh_calls(), [["release", "upload", "v1.4.2", str(self.work / name), "--clobber",
                                            "GH_TOKEN=set", "GH_REPO=acme/app"]])
        self.assertEqual(self.uses_steps(result)[0]["with"]["name"], "evidence")
        self.assertEqual([s["outcome"] for s in result["steps"]], ["success"] * 4)
        self.assertIn("Attached `audit-pack-acme-v1.4.2-20261123.tar.zst` to the GitHub release of `v1.4.2`",
                      result["summary"])
        self.assertNotIn("ghs_test_token_not_real", stderr + json.dumps(result))

    def test_not_attached_on_a_branch_or_when_disabled_or_not_uploaded(self):
        for github, inputs in (
            ({"GITHUB_REF": "refs/heads/release/v1.4.2"}, {}),
            ({"GITHUB_REF": "refs/pull/7/merge"}, {}),
            ({"GITHUB_REF": "refs/tags/v1.4.2"}, {"attach-to-release": "false", "upload": "false"}),
        ):
            with self.subTest(github=github, inputs=inputs):
                result, rc, stderr = self.run_pack(github=github, **inputs)
                self.assertEqual(rc, 0, stderr)
                self.assertEqual(result["outputs"]["release-tag"], "")
                self.assertEqual(self.gh_calls(), [])
                self.assertEqual(result["steps"][3]["outcome"], "skipped")
                if inputs.get("upload") == "false":
                    self.assertEqual(self.uses_steps(result), [])
                    self.assertEqual(result["steps"][2]["outcome"], "skipped")

    def test_failing_gh_fails_the_step(self):
        result, rc, stderr = self.run_pack(github={"GITHUB_REF": "refs/tags/v9.9.9", "GH_SHIM_EXIT": "1"},
                                           release="v9.9.9-evidence")
        self.assertNotEqual(rc, 0, stderr)
        self.assertEqual(result["steps"][3]["outcome"], "failure")
        self.assertEqual(self.gh_calls()[0][:3], ["release", "upload", "v9.9.9"])
        self.assertEqual(result["outputs"]["verdict"], "pass")  # the pack itself verified
        self.assertTrue(any("does the release for v9.9.9 exist" in c["message"] for c in commands(result, "error")))

    # -- inputs -------------------------------------------------------------------------------

    def test_files_attestation_out_and_working_directory(self):
        # A real Control Attestation of the example, packed with its control map.
        env = {k: v for k, v in clean_env().items() if k != "GITHUB_STEP_SUMMARY"}
        proc = subprocess.run(
            [str(self.binary), "-q", "--now", EXAMPLE_NOW, "attest", "controls", "--catalog",
             str(ROOT / "catalog" / "default.yaml"), "--evidence", str(self.work / "evidence"),
             "--waivers", str(EXAMPLE / "waivers.yaml"), "--trusted-key", str(EXAMPLE / "signer.pub"),
             "--out", str(self.work / "ctl"), "--no-pdf"],
            capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=120,
        )
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        # Paths are relative to working-directory: from the workspace they are not found.
        result, rc, stderr = self.run_pack(
            workdir=self.tmp, dir="", files="work/evidence/sbom/*.json\nwork/evidence/scans/trivy.sarif",
            out="dist/pack.tgz", release="v2", **{"working-directory": "work"},
        )
        self.assertEqual(rc, 2, stderr)
        self.assertTrue(any("pattern 'work/evidence/sbom/*.json' matched no files" in c["message"]
                            for c in result["commands"] if c["command"] == "warning"), result["commands"])
        result, rc, stderr = self.run_pack(
            workdir=self.tmp, dir="", files="evidence/sbom/*.json\n  evidence/scans/trivy.sarif evidence/sbom/*.json",
            attestation="ctl/controls/attestation.json", out="dist/pack.tgz", release="v2",
            **{"working-directory": "work"},
        )
        self.assertEqual(rc, 0, stderr)
        out = result["outputs"]
        self.assertEqual(out["pack"], str(self.work / "dist" / "pack.tgz"))  # its directory is created
        self.assertEqual((out["artifacts"], out["release"]), ("3", "v2"))
        index = json.loads(Path(out["report"]).read_text(encoding="utf-8"))["data"]["index"]
        self.assertEqual(sorted(a["name"] for a in index["artifacts"]),
                         ["controls/attestation.json", "sbom-app.cdx.json", "trivy.sarif"])
        self.assertEqual(index["controlAttestation"]["verdict"], "pass")
        self.assertIn("SC-01", {c["id"] for c in index["controlAttestation"]["controls"]})
        self.assertIn("| `controls/attestation.json` |", result["summary"])

    def test_bad_inputs_are_exit_2(self):
        key, pub = self.keygen("pack")
        for inputs, github, needle in (
            ({"dir": "missing"}, {}, "missing"),
            ({"dir": ""}, {}, "nothing to pack"),
            ({"dir": "", "files": "nope/*.json"}, {}, "no files matched"),
            ({"files": "nope.json"}, {}, "nope.json"),
            ({"attestation": "nope.json"}, {}, "nope.json"),
            ({"compression": "xz"}, {}, "compression"),
            ({"upload": "maybe"}, {}, "upload"),
            ({"attach-to-release": "yes"}, {}, "attach-to-release"),
            ({"key": str(key)}, {}, "verify-key is empty"),
            ({"key": str(key), "key-pem": "-----BEGIN PRIVATE KEY-----\n", "verify-key": str(pub)}, {}, "not both"),
            ({"key-pem": "not pem", "verify-key": str(pub)}, {}, "not PEM text"),
            ({"password": PASSWORD}, {}, "no key"),
            ({"verify-key": "nope.pub"}, {}, "nope.pub"),
            ({"org": ""}, {"GITHUB_REPOSITORY_OWNER": "", "GITHUB_REPOSITORY": ""}, "org"),
            ({}, {"GITHUB_SHA": ""}, "release"),
            ({"out": "evidence"}, {}, "directory"),
            ({"now": "yesterday"}, {}, "yesterday"),
        ):
            with self.subTest(inputs=inputs, github=github):
                result, rc, stderr = self.run_pack(github=github, **inputs)
                self.assertEqual(rc, 2, stderr)
                out = result["outputs"]
                self.assertEqual((out["verdict"], out["exit-code"]), ("error", "2"))
                errors = commands(result, "error")
                self.assertTrue(errors, stderr)
                self.assertIn(needle, result["summary"] + errors[0]["message"])
                self.assertNotIn(PASSWORD, stderr + json.dumps(result))
                self.assertEqual(self.uses_steps(result), [])
                self.assertEqual(self.gh_calls(), [])
        self.assertEqual(list(self.work.glob("audit-pack-*")), [])


# --------------------------------------------------------------------------------------------
# The harness itself, and lint
# --------------------------------------------------------------------------------------------


class HarnessTest(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="run-action-test-"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def write_action(self, text: str) -> Path:
        d = self.tmp / "action"
        d.mkdir(exist_ok=True)
        (d / "action.yml").write_text(textwrap.dedent(text), encoding="utf-8")
        return d

    def test_step_files_conditions_and_outputs(self):
        (self.tmp / "sub").mkdir()
        action = self.write_action(
            """\
            name: t
            description: harness test
            inputs:
              greeting:
                description: a greeting
                default: hello
              flag:
                description: a flag
                default: "false"
            outputs:
              first:
                description: from step one
                value: ${{ steps.one.outputs.word }}
              multi:
                description: a heredoc output
                value: ${{ steps.one.outputs.multi }}
              seen:
                description: what step two saw
                value: ${{ steps.two.outputs.seen }}
            runs:
              using: composite
              steps:
                - id: one
                  shell: bash
                  env:
                    GREETING: ${{ inputs.greeting }}
                  run: |
                    echo "word=$GREETING" >>"$GITHUB_OUTPUT"
                    printf 'multi<<EOF\\nline 1\\nline 2\\nEOF\\n' >>"$GITHUB_OUTPUT"
                    echo "FROM_ONE=carried" >>"$GITHUB_ENV"
                    mkdir -p "$RUNNER_TEMP/extra" && printf '#!/bin/sh\\necho extra-tool\\n' >"$RUNNER_TEMP/extra/xtool"
                    chmod +x "$RUNNER_TEMP/extra/xtool"
                    echo "$RUNNER_TEMP/extra" >>"$GITHUB_PATH"
                    echo "## summary" >>"$GITHUB_STEP_SUMMARY"
                - id: two
                  shell: bash
                  working-directory: sub
                  env:
                    WORD: ${{ steps.one.outputs.word }}
                  run: echo "seen=$WORD $FROM_ONE $(xtool) $(basename "$PWD") $RUNNER_OS" >>"$GITHUB_OUTPUT"
                - id: skipped
                  if: inputs.flag == 'TRUE'
                  shell: bash
                  run: exit 3
                - id: fails
                  shell: bash
                  continue-on-error: true
                  run: exit 4
                - id: after
                  if: ${{ steps.fails.outcome == 'failure' && steps.skipped.outcome == 'skipped' }}
                  shell: sh
                  run: echo "::notice::after ran"
            """
        )
        result, rc, stderr = run_harness(action, {"greeting": "hi"}, {"RUNNER_OS": "Linux"}, workdir=self.tmp)
        self.assertEqual(rc, 0, stderr)
        assert result is not None
        self.assertEqual(result["outputs"]["first"], "hi")
        self.assertEqual(result["outputs"]["multi"], "line 1\nline 2")
        self.assertEqual(result["outputs"]["seen"], "hi carried extra-tool sub Linux")
        self.assertEqual(result["summary"], "## summary\n")
        self.assertEqual(result["env_additions"], {"FROM_ONE": "carried"})
        self.assertEqual(len(result["path_additions"]), 1)
        outcomes = {s["id"]: s["outcome"] for s in result["steps"]}
        self.assertEqual(
            outcomes, {"one": "success", "two": "success", "skipped": "skipped", "fails": "failure", "after": "success"}
        )
        self.assertIn({"command": "notice", "params": {}, "message": "after ran", "step": "after"}, result["commands"])

    def test_failure_skips_later_steps_and_sets_exit_code(self):
        action = self.write_action(
            """\
            name: t
            description: harness test
            runs:
              using: composite
              steps:
                - id: bad
                  shell: bash
                  run: exit 7
                - id: next
                  shell: bash
                  run: echo never
                - id: cleanup
                  if: always()
                  shell: bash
                  run: echo cleanup
                - id: on-failure
                  if: failure()
                  shell: bash
                  run: echo on-failure
            """
        )
        result, rc, stderr = run_harness(action, workdir=self.tmp)
        assert result is not None
        self.assertEqual(rc, 7)
        self.assertEqual(result["exit_code"], 7)
        outcomes = [s["outcome"] for s in result["steps"]]
        self.assertEqual(outcomes, ["failure", "skipped", "success", "success"])

    def test_expressions(self):
        ctx = {"inputs": {"x": "Yes", "empty": ""}, "steps": {"a": {"outputs": {"n": "3"}}}}

        def ev(src: str, status: str = "success"):
            return ra.evaluate(ra.parse_expression(src), ctx, status)

        self.assertTrue(ev("inputs.x == 'yes'"))  # string comparison ignores case
        self.assertTrue(ev("inputs.empty == ''"))
        self.assertFalse(ev("inputs.empty != ''"))
        self.assertTrue(ev("inputs.missing == ''"))  # null == '' (both 0 as numbers)
        self.assertTrue(ev("steps.a.outputs.n == 3"))
        self.assertTrue(ev("!(inputs.x == 'no') && contains(inputs.x, 'E')"))
        self.assertEqual(ev("inputs.empty || 'fallback'"), "fallback")
        self.assertTrue(ev("failure()", "failure"))
        self.assertFalse(ev("success()", "failure"))
        self.assertEqual(ra.condition_expression("${{ inputs.x }}"), "success() && (inputs.x)")
        self.assertEqual(ra.condition_expression("always() && inputs.x"), "always() && inputs.x")
        with self.assertRaises(ra.ExprError):
            ra.parse_expression("inputs.x ==")
        with self.assertRaises(ra.ExprError):
            ra.parse_expression("hashFiles('x')")

    def test_yaml_subset(self):
        text = textwrap.dedent(
            """\
            # comment
            a: plain text  # trailing comment
            b: 'it''s'
            c: "tab\\there \\u00e9"
            d:
              - one
              - k: v
                l: [1, 2, "x"]
              - |
                literal
                  kept

              - >-
                folded
                line
            e:
            - same-indent item
            f: |+
              keep

            g: {x: 1}
            h: true
            i: ~
            """
        )
        self.assertEqual(
            ra.load_yaml(text),
            {
                "a": "plain text",
                "b": "it's",
                "c": "tab\there é",
                "d": ["one", {"k": "v", "l": [1, 2, "x"]}, "literal\n  kept\n", "folded line"],
                "e": ["same-indent item"],
                "f": "keep\n\n",
                "g": {"x": 1},
                "h": True,
                "i": None,
            },
        )
        for bad in ("a: &anchor x\n", "a: b\n  c\n", "a: 1\na: 2\n", "a: x: y\n", "a:\n\tb: 1\n", "a: 'open\n"):
            with self.assertRaises(ra.YamlError, msg=bad):
                ra.load_yaml(bad)

    def test_yaml_subset_agrees_with_pyyaml_on_the_action_files(self):
        try:
            import yaml  # type: ignore[import-untyped]
        except ImportError:
            self.skipTest("PyYAML is not installed (optional cross-check)")
        for path in sorted(ROOT.glob("actions/*/action.yml")):
            text = path.read_text(encoding="utf-8")
            with self.subTest(path=str(path.relative_to(ROOT))):
                self.assertEqual(ra.load_yaml(text, str(path)), yaml.safe_load(text))


class LintTest(unittest.TestCase):
    def assert_lint_clean(self, pattern: str, lint) -> None:
        """At least two files match the glob pattern, and lint finds no problem in any."""
        files = sorted(ROOT.glob(pattern))
        self.assertGreaterEqual(len(files), 2)
        for path in files:
            with self.subTest(path=str(path.relative_to(ROOT))):
                self.assertEqual(lint(path), [])

    def test_shipped_actions_are_lint_clean(self):
        self.assert_lint_clean("actions/*/action.yml", ra.lint_action)

    def test_lint_finds_problems(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "action.yml"
            path.write_text(
                textwrap.dedent(
                    """\
                    name: bad
                    description: lint test
                    inputs:
                      known:
                        description: declared
                        default: "x"
                    outputs:
                      out:
                        description: an output
                        value: ${{ steps.nope.outputs.v }}
                    runs:
                      using: composite
                      steps:
                        - id: one
                          shell: bash
                          env:
                            A: ${{ inputs.unknown }}
                          run: echo ${{ inputs.known }}
                        - id: two
                          if: steps.later.outputs.x == 'y'
                          run: echo no shell
                        - id: later
                          shell: bash
                          run: echo ${{ secrets.TOKEN }}
                    """
                ),
                encoding="utf-8",
            )
            problems = "\n".join(ra.lint_action(path))
        self.assertIn("input 'unknown' is not declared", problems)
        self.assertIn("do not interpolate ${{ inputs.known }}", problems)
        self.assertIn("no earlier step has id 'later'", problems)
        self.assertIn("no earlier step has id 'nope'", problems)
        self.assertIn("need 'shell:'", problems)
        self.assertIn("unknown context 'secrets'", problems)
        self.assertRegex(problems, r"action\.yml:17: ")  # the line of ${{ inputs.unknown }}

    def test_workflows_are_lint_clean(self):
        self.assert_lint_clean(".github/workflows/*.yml", ra.lint_file)

    def test_workflow_lint_checks_local_actions(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            shutil.copytree(ROOT / "actions", root / "actions")
            wf = root / ".github" / "workflows" / "w.yml"
            wf.parent.mkdir(parents=True)
            wf.write_text(
                textwrap.dedent(
                    """\
                    on: push
                    jobs:
                      a:
                        runs-on: ubuntu-24.04
                        steps:
                          - id: s
                            uses: ./actions/sbom-validate
                            with:
                              file: x.json
                          - run: echo "$V"
                            env:
                              V: ${{ steps.s.outputs.verdicts }} ${{ steps.s.outputs.verdict }}
                          - uses: ./actions/nope
                    """
                ),
                encoding="utf-8",
            )
            problems = "\n".join(ra.lint_file(wf))
        self.assertIn("w.yml:9: job a: ./actions/sbom-validate has no input 'file'", problems)
        self.assertIn("w.yml:12: job a: step 's' has no output 'verdicts'", problems)
        self.assertIn("no such action", problems)
        self.assertEqual(len(problems.splitlines()), 3, problems)


# --------------------------------------------------------------------------------------------
# actions/lib/common.sh, the library the action scripts source
# --------------------------------------------------------------------------------------------

LIBRARY_SOURCE_LINE = 'source "${BASH_SOURCE[0]%/*}/../lib/common.sh"'


class ActionLibraryTest(unittest.TestCase):
    """Every action script (but setup/install.sh) finds actions/lib/common.sh through its own path:
    from a copy of the actions (as the runner downloads the repository for `uses:
    OWNER/tollgate/actions/NAME@REF`), by absolute or relative path, from another working
    directory; and without the library it fails."""

    scripts = sorted(p.relative_to(ROOT) for p in ROOT.glob("actions/*/*.sh")
                     if p.parent.name not in ("lib", "setup"))

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="tollgate-actions-lib-"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.repo = self.tmp / "repo"
        shutil.copytree(ROOT / "actions", self.repo / "actions")
        self.elsewhere = self.tmp / "elsewhere"
        self.elsewhere.mkdir()
        # No tollgate on PATH: the library's own "not on PATH" error shows that it was loaded.
        self.env = {"PATH": "/usr/bin:/bin", "LANG": "C"}
        if shutil.which("tollgate", path=self.env["PATH"]):
            self.skipTest("a tollgate is installed in /usr/bin or /bin")

    def run_script(self, script: Path | str, cwd: Path) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", str(script)], cwd=cwd, env=self.env, capture_output=True, text=True,
                              timeout=60, stdin=subprocess.DEVNULL)

    def assert_library_loaded(self, proc: subprocess.CompletedProcess) -> None:
        # Exit 2 with an ::error titled by the script, written by the library's functions.
        self.assertEqual(proc.returncode, 2, proc.stdout + proc.stderr)
        self.assertRegex(proc.stdout,
                         r"(?m)^::error title=tollgate [a-z-]+::(tollgate is not on PATH|nothing to attach)")
        self.assertNotIn("common.sh", proc.stderr)

    def test_every_action_script_sources_the_library(self):
        self.assertGreaterEqual(len(self.scripts), 10, self.scripts)
        for script in self.scripts:
            with self.subTest(script=str(script)):
                self.assertIn(LIBRARY_SOURCE_LINE, (ROOT / script).read_text(encoding="utf-8"))

    def test_scripts_find_the_library_from_a_copy_by_absolute_and_relative_path(self):
        for script in self.scripts:
            with self.subTest(script=str(script), path="absolute, from elsewhere"):
                self.assert_library_loaded(self.run_script(self.repo / script, self.elsewhere))
            with self.subTest(script=str(script), path="relative, from the repository"):
                self.assert_library_loaded(self.run_script(script, self.repo))

    def test_a_script_without_the_library_fails(self):
        shutil.rmtree(self.repo / "actions" / "lib")
        for script in self.scripts:
            with self.subTest(script=str(script)):
                proc = self.run_script(self.repo / script, self.elsewhere)
                self.assertNotEqual(proc.returncode, 0, proc.stdout)
                self.assertIn("lib/common.sh", proc.stderr)
                self.assertNotIn("::error", proc.stdout, "nothing may run without the library")

    def probe(self, body: str, **env: str) -> subprocess.CompletedProcess:
        """A script in the copy of actions/ that sources the library and runs body."""
        probe = self.repo / "actions" / "probe" / "probe.sh"
        probe.parent.mkdir(exist_ok=True)
        probe.write_text(f"#!/usr/bin/env bash\nset -euo pipefail\ntitle=probe\n{LIBRARY_SOURCE_LINE}\n{body}\n",
                         encoding="utf-8")
        return subprocess.run(["bash", str(probe)], cwd=self.elsewhere, env={**self.env, **env}, capture_output=True,
                              text=True, timeout=60, stdin=subprocess.DEVNULL)

    def test_outputs_annotations_and_bad_input(self):
        output, summary = self.tmp / "output", self.tmp / "summary"
        proc = self.probe(
            textwrap.dedent(
                """\
                declare_outputs verdict exit-code multi=lines_value plain
                lines_value=$'first\\nsecond'
                plain="a=b"
                annotate warning $'100% sure\\nnext line'
                bad_input "the input is bad"
                """
            ),
            GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(summary),
        )
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertEqual(proc.stdout.splitlines(), [
            "::warning title=probe::100%25 sure%0Anext line",
            "::error title=probe::the input is bad",
        ])
        self.assertEqual(ra.parse_kv_file(output),
                         {"verdict": "error", "exit-code": "2", "multi": "first\nsecond", "plain": "a=b"})
        self.assertEqual(summary.read_text(encoding="utf-8"), "### probe: error\n\nthe input is bad\n\n")

    def test_the_library_keeps_secrets_from_the_commands_it_runs(self):
        # The scripts leave the secrets to the library, which takes them before any command runs.
        proc = self.probe('printf "pem=%s password=%s\\n" "${#key_pem}" "${#password}"\nenv',
                          TOLLGATE_KEY_PEM="-----BEGIN PRIVATE KEY-----", TOLLGATE_SIGN_PASSWORD="hunter2")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("pem=27 password=7", proc.stdout)
        self.assertNotIn("TOLLGATE_KEY_PEM", proc.stdout)
        self.assertNotIn("TOLLGATE_SIGN_PASSWORD", proc.stdout)


# --------------------------------------------------------------------------------------------
# actions/hermetic and actions/repro (real binary)
# --------------------------------------------------------------------------------------------


def _isolation_works(binary: Path) -> tuple[bool, str]:
    proc = subprocess.run([str(binary), "hermetic", "run", "--", "true"], capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)
    return proc.returncode == 0, proc.stderr.strip()


class HermeticRealBinaryTest(_RealBinaryCase):
    """actions/hermetic with the real binary on the repository's log fixtures."""

    action = ROOT / "actions" / "hermetic"
    prefix = "tollgate-hermetic-real-"

    def git_repo_with_logs(self, *names: str) -> None:
        (self.work / "logs").mkdir()
        for n in names:
            shutil.copy(ROOT / "testdata" / "hermetic" / n, self.work / "logs" / n)
        git = ["git", "-C", str(self.work), "-c", "user.name=t", "-c", "user.email=t@example.com"]
        subprocess.run(git + ["init", "-q"], check=True)
        subprocess.run(git + ["add", "logs"], check=True)
        subprocess.run(git + ["commit", "-qm", "logs"], check=True)

    def test_network_in_a_tracked_log_denies_with_links_to_the_lines(self):
        self.git_repo_with_logs("cargo-with.log", "cargo-without.log")
        (self.work / "untracked.log").write_text((ROOT / "testdata/hermetic/pip-with.log").read_text(), encoding="utf-8")
        result, rc, stderr = self.run_action(
            self.action,
            {"logs": "logs/*.log untracked.log"},
            GITHUB_REPOSITORY="acme/app", GITHUB_SHA="0123abc", GITHUB_WORKSPACE=str(self.work),
        )
        self.assertEqual(rc, 1, stderr)
        out = result["outputs"]
        self.assertEqual((out["verdict"], out["exit-code"], out["logs"]), ("deny", "1", "3"))
        self.assertEqual(out["findings"], "8")  # 5 in cargo-with.log, 3 in pip-with.log
        summary = result["summary"]
        self.assertIn("### tollgate hermetic check: DENY", summary)
        self.assertIn("[logs/cargo-with.log:6](https://github.com/acme/app/blob/0123abc/logs/cargo-with.log#L6)", summary)
        self.assertIn("| `HRM001` | cargo | index.crates.io |", summary)
        # A log that is not a file of the repository is listed without a link.
        self.assertIn("| untracked.log:5 | `HRM001` | pip | files.pythonhosted.org |", summary)
        self.assertTrue(Path(out["sarif"]).is_file())

    def test_offline_logs_pass(self):
        self.git_repo_with_logs("npm-without.log", "pip-without.log")
        result, rc, stderr = self.run_action(self.action, {"logs": "logs/**/*.log", "allow-hosts": "*.internal"})
        self.assertEqual(rc, 0, stderr)
        self.assertEqual((result["outputs"]["verdict"], result["outputs"]["findings"]), ("pass", "0"))

    def test_compose_build_passes_only_with_its_compose_file(self):
        for name in ("build.log", "compose.yaml", "tools.yaml"):
            shutil.copy(ROOT / "testdata" / "hermetic-compose" / name, self.work / name)
        result, rc, stderr = self.run_action(self.action, {"logs": "build.log"})
        self.assertEqual(rc, 1, stderr)
        self.assertEqual((result["outputs"]["verdict"], result["outputs"]["findings"]), ("deny", "1"))
        self.assertIn("HRM002", result["summary"])
        result, rc, stderr = self.run_action(self.action, {"logs": "build.log", "compose": "compose.yaml"})
        self.assertEqual(rc, 0, stderr)
        self.assertEqual((result["outputs"]["verdict"], result["outputs"]["findings"]), ("pass", "0"))
        result, rc, stderr = self.run_action(self.action, {"logs": "build.log", "compose": "compose.yaml\ntools.yaml"})
        self.assertEqual(rc, 1, stderr)
        self.assertEqual(result["outputs"]["verdict"], "deny")
        result, rc, stderr = self.run_action(self.action, {"logs": "build.log", "compose": "missing.yaml"})
        self.assertEqual(rc, 2, stderr)
        self.assertIn("missing.yaml", stderr)

    def test_nothing_to_do_is_exit_2(self):
        result, rc, stderr = self.run_action(self.action, {})
        self.assertEqual(rc, 2, stderr)
        self.assertIn("nothing to do", stderr)
        result, rc, stderr = self.run_action(self.action, {"command": "true", "attest": "a.json"})
        self.assertEqual(rc, 2, stderr)
        self.assertIn("attest needs a key", stderr)

    def test_command_runs_isolated_and_is_attested(self):
        ok, why = _isolation_works(self.binary)
        if not ok:
            self.skipTest(f"network namespaces are not available here: {why}")
        subprocess.run([str(self.binary), "key", "generate", "--out-prefix", str(self.work / "k")], check=True,
                       capture_output=True)
        result, rc, stderr = self.run_action(
            self.action,
            {"command": "mkdir -p dist && echo app > dist/app && ! curl -sS -m 3 http://1.1.1.1/ 2>/dev/null",
             "attest": "dist.intoto.json", "key": "k.key", "artifacts": "dist/*"})
        self.assertEqual(rc, 0, stderr)
        out = result["outputs"]
        self.assertEqual((out["verdict"], out["run-exit-code"]), ("pass", "0"))
        self.assertTrue(Path(out["attestation"]).is_file())
        proc = subprocess.run([str(self.binary), "hermetic", "verify", out["attestation"], "--key", str(self.work / "k.pub"),
                               "--artifact", str(self.work / "dist/app")], capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertIn("### tollgate hermetic run: exit code 0", result["summary"])
        # The run's own report: the same model as every gate command, isolation and all.
        report = json.loads(Path(out["run-report"]).read_text(encoding="utf-8"))
        self.assertEqual((report["command"], report["verdict"]), ("hermetic run", "pass"))
        self.assertEqual(report["data"]["isolation"]["interfaces"], ["lo"])
        self.assertEqual(report["data"]["attestation"], "dist.intoto.json")
        self.assertIn("isolation `unshare", result["summary"])

    def test_failing_command_is_in_the_run_report(self):
        ok, why = _isolation_works(self.binary)
        if not ok:
            self.skipTest(f"network namespaces are not available here: {why}")
        result, rc, stderr = self.run_action(self.action, {"command": "echo building; exit 3"})
        self.assertEqual(rc, 3, stderr)
        out = result["outputs"]
        self.assertEqual((out["verdict"], out["run-exit-code"]), ("deny", "3"))
        report = json.loads(Path(out["run-report"]).read_text(encoding="utf-8"))
        self.assertEqual(report["data"]["exitCode"], 3)
        self.assertEqual([d["code"] for d in report["diagnostics"]], ["HRM008"])
        self.assertIn("HRM008", result["summary"])


class ReproRealBinaryTest(_RealBinaryCase):
    """actions/repro with the real binary on the repository's repro fixtures."""

    action = ROOT / "actions" / "repro"
    prefix = "tollgate-repro-real-"

    def test_unreproducible_build_denies_with_its_ratio(self):
        shutil.copytree(ROOT / "testdata" / "repro" / "unreproducible", self.work / "src")
        inputs = {"command": "sh build.sh", "artifacts": "out/**", "source": "src", "report-file": "repro/report.json"}
        result, rc, stderr = self.run_action(self.action, inputs)
        self.assertEqual(rc, 1, stderr)
        out = result["outputs"]
        self.assertEqual((out["verdict"], out["ratio"], out["identical"], out["total"]), ("deny", "0.5", "2", "4"))
        report = json.loads(Path(out["report"]).read_text(encoding="utf-8"))
        self.assertEqual(report["schema"], "https://tollgate.dev/repro-report/v1")
        self.assertIn("Reproducibility: 2/4 identical", result["summary"])
        result, rc, stderr = self.run_action(self.action, {**inputs, "min-ratio": "0.5"})
        self.assertEqual((rc, result["outputs"]["verdict"]), (0, "pass"), stderr)

    def test_reproducible_build_passes_and_compare_mode(self):
        shutil.copytree(ROOT / "testdata" / "repro" / "reproducible", self.work / "src")
        result, rc, stderr = self.run_action(self.action, {"command": "sh build.sh", "artifacts": "out/*", "source": "src"})
        self.assertEqual(rc, 0, stderr)
        self.assertEqual((result["outputs"]["ratio"], result["outputs"]["total"]), ("1.0", "3"))
        for d, content in (("a", "1"), ("b", "2")):
            (self.work / d).mkdir()
            (self.work / d / "app.bin").write_text(content, encoding="utf-8")
        result, rc, stderr = self.run_action(self.action, {"dir-a": "a", "dir-b": "b"})
        self.assertEqual((rc, result["outputs"]["ratio"]), (1, "0.0"), stderr)

    def test_compare_mode_with_artifact_lists(self):
        (self.work / "dist").mkdir()
        (self.work / "dist" / "app.bin").write_text("same", encoding="utf-8")
        (self.work / "dist" / "lib.bin").write_text("mine", encoding="utf-8")
        sha = lambda b: hashlib.sha256(b).hexdigest()  # noqa: E731
        (self.work / "SHA256SUMS").write_text(f"{sha(b'same')}  app.bin\n{sha(b'theirs')}  lib.bin\n", encoding="utf-8")
        result, rc, stderr = self.run_action(self.action, {"dir-a": "dist", "list-b": "SHA256SUMS", "min-ratio": "0.5"})
        self.assertEqual(rc, 0, stderr)
        out = result["outputs"]
        self.assertEqual((out["verdict"], out["ratio"], out["identical"], out["total"]), ("pass", "0.5", "1", "2"))
        report = json.loads(Path(out["report"]).read_text(encoding="utf-8"))
        self.assertEqual(report["inputs"][1]["kind"], "artifact list (sha256sum)")
        # Two lists, and a malformed one (exit 2, the file and line named).
        result, rc, stderr = self.run_action(self.action, {"list-a": "SHA256SUMS", "list-b": "SHA256SUMS"})
        self.assertEqual((rc, result["outputs"]["ratio"]), (0, "1.0"), stderr)
        (self.work / "BAD").write_text("not a checksum\n", encoding="utf-8")
        result, rc, stderr = self.run_action(self.action, {"dir-a": "dist", "list-b": "BAD"})
        self.assertEqual((rc, result["outputs"]["verdict"]), (2, "error"))
        self.assertIn("BAD:1:1", stderr)
        result, rc, stderr = self.run_action(self.action, {"dir-a": "dist", "list-a": "SHA256SUMS", "dir-b": "dist"})
        self.assertEqual(rc, 2, stderr)
        self.assertIn("not both", stderr)

    def test_bad_inputs_are_exit_2(self):
        result, rc, stderr = self.run_action(self.action, {"command": "true"})
        self.assertEqual(rc, 2, stderr)
        self.assertIn("artifacts must name", stderr)
        result, rc, stderr = self.run_action(self.action, {"dir-a": "x", "dir-b": "y", "min-ratio": "lots"})
        self.assertEqual(rc, 2, stderr)


def main(argv: list[str]) -> int:
    """Run the tests (all, or the named TestCase[.test] names) and end with a
    `N passed, N failed, N skipped` line."""
    module = sys.modules[__name__]
    loader = unittest.defaultTestLoader
    suite = loader.loadTestsFromNames(argv, module) if argv else loader.loadTestsFromModule(module)
    result = unittest.TextTestRunner(verbosity=2 if os.environ.get("VERBOSE") else 1).run(suite)
    skipped = len(result.skipped)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - skipped - len(result.expectedFailures)
    for test, reason in result.skipped:
        print(f"skipped: {test.id()}: {reason}")
    print(f"actions: {passed} passed, {failed} failed, {skipped} skipped")
    return 0 if result.wasSuccessful() and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
