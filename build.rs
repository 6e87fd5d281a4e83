//! Records the git commit for `tollgate --version`; falls back to "unknown" outside a checkout.
//! On Linux/glibc ≥ 2.36 it also links the binary with packed relative relocations (DT_RELR),
//! and, when asked (`TOLLGATE_SYMBOL_ORDER`), lays out the functions common runs execute next
//! to each other.
use std::process::Command;

fn main() {
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=TOLLGATE_GIT_COMMIT={commit}");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
    if packed_relocations_supported() {
        // A position-independent executable carries ~40,000 relative relocations (vtables,
        // string tables); as RELA entries they are 0.9 MiB that the loader reads at every
        // start. DT_RELR packs them into a few KiB and keeps ASLR.
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    symbol_ordering();
}

/// With `TOLLGATE_SYMBOL_ORDER` naming a list of symbols (made by `bench/symbol-order.sh` from
/// a profile of this very build, see `scripts/build-release.sh`), the linker places those
/// functions next to each other: a run then keeps about 1.4–2 MiB of code resident instead of
/// 6.8 MiB (the kernel maps every cached page around a touched one). The names carry hashes of
/// the code and the build configuration, so a list only fits the build it was made from; a
/// name the binary lacks is ignored, which costs memory, never a failed build. Needs lld (the
/// default linker of x86_64 Linux GNU since Rust 1.90) or mold.
fn symbol_ordering() {
    println!("cargo:rerun-if-env-changed=TOLLGATE_SYMBOL_ORDER");
    let Ok(list) = std::env::var("TOLLGATE_SYMBOL_ORDER") else {
        return;
    };
    println!("cargo:rerun-if-changed={list}");
    // A comma would split the -Wl argument.
    if list.is_empty() || list.contains(',') || !std::path::Path::new(&list).is_file() {
        return;
    }
    println!("cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={list}");
    println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
}

/// A native Linux build against glibc 2.36 or later: the loader of the machine the binary is
/// built on (and of any newer one) applies DT_RELR. The release binaries built on older glibc
/// (for compatibility) keep plain RELA relocations.
fn packed_relocations_supported() -> bool {
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") != "linux"
        || var("CARGO_CFG_TARGET_ENV") != "gnu"
        || var("TARGET") != var("HOST")
    {
        return false;
    }
    // "glibc 2.36"
    let Some(out) = Command::new("getconf")
        .arg("GNU_LIBC_VERSION")
        .output()
        .ok()
        .filter(|o| o.status.success())
    else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text
        .trim()
        .trim_start_matches("glibc ")
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (major, minor) >= (2, 36)
}
