//! `tollgate evidence pack|verify|extract|prove|check-proof|audit` and `tollgate ledger verify`.

use super::Context;
use super::sign::load_private_key;
use crate::attest::keys::PublicKey;
use crate::attest::{ci_env, slsa};
use crate::cli::{
    Compression, EvidenceAuditArgs, EvidenceCheckProofArgs, EvidenceExtractArgs, EvidencePackArgs,
    EvidenceProveArgs, EvidenceVerifyArgs, GlobalArgs, LedgerVerifyArgs, PackLimitArgs,
};
use crate::error::{Error, Result};
use crate::evidence::compress::Codec;
use crate::evidence::diags as d;
use crate::evidence::index::{self, Index, ReleaseMeta};
use crate::evidence::{ledger, merkle, pack, verify};
use crate::input::{self, InputError};
use crate::output::Env;
use crate::report::{Diagnostic, Location, Report, Subject, Table, Verdict};
use serde_json::json;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

fn limits_of(a: &PackLimitArgs) -> Result<verify::Limits> {
    let max_unpacked = input::parse_size(&a.max_unpacked_size)
        .map_err(|e| Error::usage(e, "e.g. --max-unpacked-size 16GiB"))?;
    if a.max_ratio == 0 {
        return Err(Error::usage(
            "--max-ratio must be at least 1",
            "e.g. --max-ratio 1000",
        ));
    }
    Ok(verify::Limits {
        max_unpacked,
        max_ratio: a.max_ratio,
    })
}

fn trust(a: &PackLimitArgs, ctx: &Context) -> Result<Vec<PublicKey>> {
    if a.key.is_empty() && !a.allow_unsigned {
        return Err(Error::usage(
            "no trusted key for the index signature",
            "pass --key signer.pub, or --allow-unsigned to check digests only",
        ));
    }
    super::key::load_public_keys(&a.key, ctx)
}

fn walk(dir: &Path, base: &Path, out: &mut Vec<pack::Input>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let ft = e.file_type()?;
        let p = e.path();
        if ft.is_dir() {
            walk(&p, base, out)?;
        } else if ft.is_file()
            && !e
                .file_name()
                .to_string_lossy()
                .starts_with(".tollgate-pack-")
        {
            // (A `.tollgate-pack-*` file is a pack being written, or left by a killed run.)
            let rel = p.strip_prefix(base).unwrap_or(&p);
            let name: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push(pack::Input {
                name: name.join("/"),
                source: p,
            });
        }
        // Symlinks and special files are not evidence: skipped, never followed.
    }
    Ok(())
}

pub fn cmd_pack(
    ctx: &Context,
    args: &EvidencePackArgs,
    global: &GlobalArgs,
    env: &mut Env,
) -> Result<u8> {
    let mut inputs: Vec<pack::Input> = Vec::new();
    if let Some(dir) = &args.dir {
        if !dir.is_dir() {
            return Err(Error::from(InputError::new(
                &crate::diags::INPUT_NOT_FOUND,
                Location::file(input::display_path(dir)),
                "the evidence directory does not exist or is not a directory",
                "pass --dir DIR with the release's evidence, or name the files",
            )));
        }
        walk(dir, dir, &mut inputs)
            .map_err(|e| Error::from(input::io_error(&input::display_path(dir), &e)))?;
    }
    let mut attestation_name = None;
    let mut explicit: Vec<&PathBuf> = args.files.iter().collect();
    if let Some(a) = &args.attestation {
        explicit.push(a);
    }
    for f in explicit {
        let name = input::display_path(f);
        let meta = std::fs::metadata(f).map_err(|e| Error::from(input::io_error(&name, &e)))?;
        if !meta.is_file() {
            return Err(Error::from(InputError::new(
                &crate::diags::INPUT_NOT_A_FILE,
                Location::file(name),
                "is not a regular file",
                "name files, or pass a directory with --dir",
            )));
        }
        let base = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let base = if Some(f) == args.attestation.as_ref() {
            format!("controls/{base}")
        } else {
            base
        };
        if Some(f) == args.attestation.as_ref() {
            attestation_name = Some(base.clone());
        }
        if let Some(other) = inputs.iter().find(|i| i.name == base) {
            // `--attestation DIR/controls/attestation.json` with `--dir DIR` names the same file
            // twice; any other file of that name would silently take the attestation's place.
            let same_file = crate::output::FileId::of(f).is_some_and(|id| id.is(&other.source));
            if same_file && Some(f) == args.attestation.as_ref() {
                continue;
            }
            return Err(Error::usage(
                format!(
                    "two inputs would be packed as {base:?}: {} and {}",
                    input::display_path(&other.source),
                    name
                ),
                "rename or remove one of them (an old controls/attestation.json in --dir, say)",
            ));
        }
        inputs.push(pack::Input {
            name: base,
            source: f.clone(),
        });
    }
    if let Some(a) = &args.attestation
        && attestation_name.is_none()
    {
        attestation_name = inputs
            .iter()
            .find(|i| &i.source == a)
            .map(|i| i.name.clone());
    }
    // A name `evidence verify` would refuse (a backslash is a separator on Windows) or one that
    // is not UTF-8 (it would be packed under a lossy spelling) is refused before any work.
    if let Some(bad) = inputs.iter().find(|i| {
        i.source.to_str().is_none() || !crate::evidence::verify::safe_path(i.name.as_bytes())
    }) {
        return Err(Error::from(InputError::new(
            &crate::diags::INPUT_UNRECOGNISED,
            Location::file(input::display_path(&bad.source)),
            format!(
                "cannot be packed as {:?}: not a portable archive path",
                bad.name
            ),
            "rename it: no backslashes (a separator on Windows), and UTF-8 only",
        )));
    }
    if inputs.is_empty() {
        return Err(Error::usage(
            "nothing to pack",
            "pass --dir DIR and/or files",
        ));
    }
    inputs.sort();
    let (key, key_warning) = match &args.key {
        Some(k) => {
            let (key, warning) = load_private_key(k, ctx, env)?;
            (Some(key), warning)
        }
        None => (None, None),
    };
    let ci = if args.no_ci_env {
        ci_env::CiInfo::default()
    } else {
        ci_env::detect(&env.vars)
    };
    let release = ReleaseMeta {
        org: args.org.clone(),
        name: args.release.clone(),
        repository: ci.source_uri.as_deref().map(slsa::normalize_repository),
        git_ref: ci.source_ref.clone(),
        commit: ci.source_digest.clone(),
    };
    let codec = match args.compression {
        Compression::Gzip => Codec::Gzip,
        Compression::Zstd => Codec::Zstd,
    };
    let date = ctx.now.strftime("%Y%m%d").to_string();
    let safe = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    };
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from(format!(
            "audit-pack-{}-{}-{date}.{}",
            safe(&args.org),
            safe(&args.release),
            codec.extension()
        ))
    });
    // The destination is never an input: with --out inside --dir, a second run would otherwise
    // pack the previous pack (and then replace it).
    if let Some(dest) = crate::output::FileId::of(&out) {
        let before = inputs.len();
        inputs.retain(|i| !dest.is(&i.source));
        if inputs.len() < before && inputs.is_empty() {
            return Err(Error::usage(
                "nothing to pack but the pack's own destination",
                "pass --dir DIR and/or files other than --out",
            ));
        }
    }
    let show_progress = env.stderr_is_tty && !global.quiet;
    let opts = pack::PackOptions {
        release,
        generated_at: ctx.now,
        codec,
        key: key.as_ref(),
        attestation: attestation_name,
    };
    let idx = pack::build_index(&inputs, &opts).map_err(|f| {
        let name = input::display_path(&f.path);
        if f.error.kind() == std::io::ErrorKind::InvalidData {
            Error::from(InputError::new(
                &crate::diags::INPUT_IO,
                Location::file(name),
                f.error.to_string(),
                "pass the attestation.json (or .dsse.json) that `tollgate attest controls` wrote",
            ))
        } else {
            Error::from(input::io_error(&name, &f.error))
        }
    })?;
    let out_err = |source| Error::Output {
        path: out.display().to_string(),
        source,
    };
    // Decided before any work: a directory or socket at `--out` is refused, not replaced.
    let destination = crate::output::destination(&out)?;
    // Progress goes through the output layer's stderr, on a terminal only.
    let stderr = &mut env.stderr;
    let mut progress_fn = |done: u64, total: u64| {
        if let Some(pct) = (done * 100).checked_div(total) {
            let _ = write!(
                stderr,
                "\rpacking {pct:>3}% ({} of {} MiB)",
                done >> 20,
                total >> 20
            );
            let _ = stderr.flush();
        }
    };
    let progress: Option<&mut dyn FnMut(u64, u64)> = if show_progress {
        Some(&mut progress_fn)
    } else {
        None
    };
    let packed = match destination {
        // Atomic: a temporary file beside the destination, renamed only when complete.
        crate::output::Destination::Replace(target) => {
            let tmp =
                crate::output::replacement_file(&target, ".tollgate-pack-").map_err(out_err)?;
            let writer =
                crate::output::WriteBehind::new(tmp.as_file().try_clone().map_err(out_err)?)
                    .map_err(out_err)?;
            let (file, packed) = pack::write_pack(
                &inputs,
                &idx,
                &opts,
                progress,
                std::io::BufWriter::with_capacity(1 << 20, writer),
            )
            .map_err(out_err)?;
            let writer = file.into_inner().map_err(|e| out_err(e.into_error()))?;
            writer.finish().map_err(out_err)?;
            tmp.persist(&target).map_err(|e| out_err(e.error))?;
            packed
        }
        // A pipe or device (`--out /dev/stdout`): streamed, there is nothing to rename.
        crate::output::Destination::Stream(device) => {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(&device)
                .map_err(out_err)?;
            let (mut file, packed) = pack::write_pack(
                &inputs,
                &idx,
                &opts,
                progress,
                std::io::BufWriter::with_capacity(1 << 20, file),
            )
            .map_err(out_err)?;
            file.flush().map_err(out_err)?;
            packed
        }
    };
    if show_progress {
        let _ = writeln!(env.stderr);
    }
    let digest = packed.sha256.clone();

    let mut report = Report::new("evidence pack", ctx.now_rfc3339.clone());
    report.diagnostics.extend(key_warning);
    let mut s = Subject::new(out.display().to_string());
    s.kind = Some(format!(
        "Evidence Pack ({})",
        if codec == Codec::Gzip {
            "tar.gz"
        } else {
            "tar.zst"
        }
    ));
    s.facts.insert("sha256".into(), json!(digest));
    s.facts
        .insert("artifacts".into(), json!(packed.index.artifacts.len()));
    s.facts
        .insert("merkleRoot".into(), json!(packed.index.merkle.root));
    s.facts.insert("signed".into(), json!(key.is_some()));
    report.subjects.push(s);
    report.tables.push(artifact_table(&packed.index));
    report.data = json!({
        "pack": out.display().to_string(),
        "sha256": digest,
        "size": packed.size,
        "signed": key.is_some(),
        "keyid": key.as_ref().map(|k| k.public_key().keyid()),
        "merkleRoot": packed.index.merkle.root,
        "index": packed.index,
    });
    env.emit(&report, global)
}

fn artifact_table(idx: &Index) -> Table {
    Table {
        title: "Artifacts".into(),
        headers: vec![
            "Path".into(),
            "Media type".into(),
            "Size".into(),
            "SHA-256".into(),
        ],
        rows: idx
            .artifacts
            .iter()
            .map(|a| {
                vec![
                    a.path.clone(),
                    a.media_type.clone(),
                    a.size.to_string(),
                    a.sha256.clone(),
                ]
            })
            .collect(),
    }
}

/// Verify, turning damaged-archive I/O errors into bad input (exit 2) and the bomb limit into
/// its finding.
fn run_verify(
    pack: &Path,
    keys: &[PublicKey],
    limits: verify::Limits,
) -> Result<verify::Verification> {
    let name = input::display_path(pack);
    if !pack.is_file() {
        let e = std::fs::metadata(pack)
            .err()
            .unwrap_or_else(|| std::io::Error::other("not a regular file"));
        return Err(Error::from(input::io_error(&name, &e)));
    }
    match verify::verify(pack, keys, limits) {
        Ok(v) => Ok(v),
        Err(e) if verify::is_bomb(&e) => {
            let mut v = verify::Verification::default();
            v.diagnostics.push(
                Diagnostic::new(
                    &d::DECOMPRESSION_BOMB,
                    format!(
                        "the archive expands beyond {} bytes or {}x its compressed size",
                        limits.max_unpacked, limits.max_ratio
                    ),
                )
                .at(Location::file(name)),
            );
            Ok(v)
        }
        Err(e) => Err(Error::from(InputError::new(
            &crate::diags::INPUT_MALFORMED,
            Location::file(name),
            format!("not a readable Evidence Pack: {e}"),
            "the file is truncated or corrupted (or not a pack); download it again",
        ))),
    }
}

fn verification_report(
    ctx: &Context,
    command: &str,
    pack: &Path,
    v: &verify::Verification,
) -> Report {
    let mut report = Report::new(command, ctx.now_rfc3339.clone());
    let mut s = Subject::new(pack.display().to_string());
    s.kind = Some(format!("Evidence Pack ({})", v.codec.unwrap_or("?")));
    if let Some(i) = &v.index {
        s.facts.insert("artifacts".into(), json!(i.artifacts.len()));
        s.facts.insert("merkleRoot".into(), json!(i.merkle.root));
        s.facts.insert(
            "release".into(),
            json!(format!("{} {}", i.release.org, i.release.name)),
        );
        report.tables.push(artifact_table(i));
    }
    s.facts.insert("signedBy".into(), json!(v.signed_by));
    if !v.passed() {
        s.verdict = Verdict::Deny;
    }
    report.subjects.push(s);
    report.diagnostics = v.diagnostics.clone();
    if v.index.is_none() && v.diagnostics.is_empty() {
        report.verdict_override = Some(Verdict::Deny);
    }
    report.sort();
    report.data = json!({
        "pack": pack.display().to_string(),
        "passed": v.passed(),
        "codec": v.codec,
        "entries": v.entries,
        "unpackedBytes": v.unpacked,
        "signedBy": v.signed_by,
        "index": v.index,
    });
    report
}

pub fn cmd_verify(
    ctx: &Context,
    args: &EvidenceVerifyArgs,
    global: &GlobalArgs,
    env: &mut Env,
) -> Result<u8> {
    let keys = trust(&args.limits, ctx)?;
    let v = run_verify(&args.pack, &keys, limits_of(&args.limits)?)?;
    env.emit(
        &verification_report(ctx, "evidence verify", &args.pack, &v),
        global,
    )
}

pub fn cmd_extract(
    ctx: &Context,
    args: &EvidenceExtractArgs,
    global: &GlobalArgs,
    env: &mut Env,
) -> Result<u8> {
    let keys = trust(&args.limits, ctx)?;
    let limits = limits_of(&args.limits)?;
    // Checked before the (possibly long) verification: extraction never overwrites.
    let to = args.to.display();
    match std::fs::metadata(&args.to) {
        Ok(m) if !m.is_dir() => {
            return Err(Error::usage(
                format!("cannot extract to {to}: it exists and is not a directory"),
                "pass --to a new or empty directory",
            ));
        }
        Ok(_) if std::fs::read_dir(&args.to).is_ok_and(|mut d| d.next().is_some()) => {
            return Err(Error::usage(
                format!("cannot extract to {to}: the directory is not empty"),
                "pass --to a new or empty directory (extraction never overwrites files)",
            ));
        }
        _ => {}
    }
    let v = run_verify(&args.pack, &keys, limits)?;
    let mut report = verification_report(ctx, "evidence extract", &args.pack, &v);
    if v.passed() {
        let n = verify::extract(&args.pack, &args.to, limits).map_err(|e| Error::Output {
            path: args.to.display().to_string(),
            source: e,
        })?;
        report.data["extractedTo"] = json!(args.to.display().to_string());
        report.data["extracted"] = json!(n);
    }
    env.emit(&report, global)
}

/// Read only index.json (the first entry) of a pack.
fn read_index(pack: &Path, limits: verify::Limits) -> Result<(Index, Vec<u8>, Option<Vec<u8>>)> {
    let name = input::display_path(pack);
    let bad = |msg: String| {
        Error::from(InputError::new(
            &crate::diags::INPUT_MALFORMED,
            Location::file(name.clone()),
            msg,
            "pass an Evidence Pack written by tollgate evidence pack",
        ))
    };
    let (_, mut archive) = verify::open(pack, limits)
        .map_err(|e| bad(format!("not a readable Evidence Pack: {e}")))?;
    let mut idx = None;
    let mut sig = None;
    for entry in archive.entries().map_err(|e| bad(e.to_string()))?.take(2) {
        let mut entry = entry.map_err(|e| bad(e.to_string()))?;
        let p = entry.path_bytes().into_owned();
        let mut v = Vec::new();
        if p == index::INDEX_PATH.as_bytes() || p == index::SIGNATURE_PATH.as_bytes() {
            std::io::Read::take(&mut entry, 64 << 20)
                .read_to_end(&mut v)
                .map_err(|e| bad(e.to_string()))?;
            if p == index::INDEX_PATH.as_bytes() {
                idx = Some(v)
            } else {
                sig = Some(v)
            }
        }
    }
    let bytes = idx.ok_or_else(|| bad("index.json is not the first entry".into()))?;
    let index: Index =
        serde_json::from_slice(&bytes).map_err(|e| bad(format!("index.json: {e}")))?;
    Ok((index, bytes, sig))
}

pub fn cmd_prove(
    ctx: &Context,
    args: &EvidenceProveArgs,
    global: &GlobalArgs,
    env: &mut Env,
) -> Result<u8> {
    let keys = trust(&args.limits, ctx)?;
    let limits = limits_of(&args.limits)?;
    let (idx, bytes, sig) = read_index(&args.pack, limits)?;
    let mut report = Report::new("evidence prove", ctx.now_rfc3339.clone());
    let pack_name = input::display_path(&args.pack);
    if !keys.is_empty() {
        let ok = sig
            .as_deref()
            .and_then(|s| serde_json::from_slice::<crate::attest::dsse::Envelope>(s).ok())
            .and_then(|e| crate::attest::dsse::verify_envelope(&e, &keys, 1).ok())
            .is_some_and(|v| v.payload == bytes && v.payload_type == index::INDEX_PAYLOAD_TYPE);
        if !ok {
            report.diagnostics.push(Diagnostic::new(&d::SIGNATURE_INVALID, "the index signature does not verify; no proof is issued from an untrusted index").at(Location::file(pack_name.clone())));
            return env.emit(&report, global);
        }
    }
    let Some(pos) = idx
        .artifacts
        .iter()
        .position(|a| a.name == args.artifact || a.path == args.artifact)
    else {
        return Err(Error::usage(
            format!("{} has no artifact {:?}", pack_name, args.artifact),
            "name it as in the index (tollgate evidence verify PACK --format json lists them)",
        ));
    };
    let leaves = idx.leaves().ok_or_else(|| {
        Error::usage(
            "the index holds a digest that is not hex",
            "the pack is damaged",
        )
    })?;
    let proof = merkle::inclusion_proof(&leaves, pos);
    let a = &idx.artifacts[pos];
    let doc = json!({
        "algorithm": index::MERKLE_ALGORITHM,
        "artifact": a.name,
        "path": a.path,
        "sha256": a.sha256,
        "leafIndex": pos,
        "treeSize": leaves.len(),
        "root": idx.merkle.root,
        "proof": proof.iter().map(|h| crate::attest::intoto::hex(h)).collect::<Vec<_>>(),
    });
    let text = crate::controls::outputs::canonical_pretty(&doc);
    match &args.out {
        Some(p) => crate::output::write_atomic(p, text.as_bytes())?,
        None => {
            let _ = env.stdout.write_all(text.as_bytes());
        }
    }
    let mut s = Subject::new(a.path.clone());
    s.kind = Some("inclusion proof".into());
    s.facts.insert("leafIndex".into(), json!(pos));
    s.facts.insert("root".into(), json!(idx.merkle.root));
    report.subjects.push(s);
    report.data = doc;
    env.emit_to(&report, global, args.out.is_none())
}

pub fn cmd_check_proof(
    ctx: &Context,
    args: &EvidenceCheckProofArgs,
    global: &GlobalArgs,
    env: &mut Env,
) -> Result<u8> {
    let name = input::display_path(&args.proof);
    let text = input::read_text(&args.proof, ctx.limits)?;
    // Exactly what `evidence prove` writes: unknown members, wrong types and other algorithms
    // are bad input, not a failed proof.
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct ProofDoc {
        algorithm: String,
        #[allow(dead_code)]
        artifact: String,
        #[allow(dead_code)]
        path: String,
        sha256: String,
        leaf_index: u64,
        tree_size: u64,
        #[allow(dead_code)]
        root: String,
        proof: Vec<String>,
    }
    let doc: ProofDoc = serde_json::from_str(&text)
        .map_err(|e| Error::from(input::json_error(&name, &text, &e)))?;
    let malformed = |pointer: &str, message: String| {
        Error::from(InputError::new(
            &crate::diags::INPUT_MALFORMED,
            Location::file(name.clone()).with_pointer(pointer),
            message,
            "pass a proof written by tollgate evidence prove, unchanged",
        ))
    };
    if doc.algorithm != index::MERKLE_ALGORITHM {
        return Err(malformed(
            "/algorithm",
            format!(
                "algorithm {:?} is not {}",
                doc.algorithm,
                index::MERKLE_ALGORITHM
            ),
        ));
    }
    let hash32 =
        |s: &str| -> Option<merkle::Hash> { index::hex_decode(s).and_then(|b| b.try_into().ok()) };
    let digest = hash32(&doc.sha256)
        .ok_or_else(|| malformed("/sha256", "sha256 is not 64 hex digits".into()))?;
    let path = doc
        .proof
        .iter()
        .enumerate()
        .map(|(i, h)| {
            hash32(h).ok_or_else(|| malformed(&format!("/proof/{i}"), "not 64 hex digits".into()))
        })
        .collect::<Result<Vec<merkle::Hash>>>()?;
    let (sha, leaf_index, size) = (doc.sha256.clone(), doc.leaf_index, doc.tree_size);
    let root = hash32(&args.root.to_ascii_lowercase()).ok_or_else(|| {
        Error::usage(
            "--root is not 64 hex digits",
            "pass the merkle.root of the verified pack's index",
        )
    })?;
    let mut report = Report::new("evidence check-proof", ctx.now_rfc3339.clone());
    let loc = Location::file(name.clone());
    let ok = merkle::verify_inclusion(&merkle::leaf_hash(&digest), leaf_index, size, &path, &root);
    if !ok {
        report.diagnostics.push(
            Diagnostic::new(
                &d::PROOF_INVALID,
                format!(
                    "the proof does not lead from sha256 {sha} to root {}",
                    args.root
                ),
            )
            .at(loc.clone()),
        );
    }
    if let Some(a) = &args.artifact {
        let mut buf = vec![0u8; 1 << 20];
        let an = input::display_path(a);
        let got = crate::attest::subjects::hash_file(
            a,
            &[crate::attest::subjects::Algorithm::Sha256],
            &mut buf,
        )
        .map_err(|e| Error::from(input::io_error(&an, &e)))?
        .remove("sha256")
        .unwrap_or_default();
        if got != sha {
            report.diagnostics.push(
                Diagnostic::new(
                    &d::PROOF_INVALID,
                    format!("{an} has sha256 {got}, the proof is for {sha}"),
                )
                .at(Location::file(an)),
            );
        }
    }
    let mut s = Subject::new(name);
    s.kind = Some("inclusion proof".into());
    if !report.diagnostics.is_empty() {
        s.verdict = Verdict::Deny;
    }
    report.subjects.push(s);
    report.data = json!({"valid": report.diagnostics.is_empty(), "root": args.root, "sha256": sha});
    env.emit(&report, global)
}

fn find_packs(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let p = e.path();
        if e.file_type()?.is_dir() {
            find_packs(&p, out)?;
        } else {
            let n = p.to_string_lossy();
            if n.ends_with(".tgz") || n.ends_with(".tar.gz") || n.ends_with(".tar.zst") {
                out.push(p);
            }
        }
    }
    Ok(())
}

/// Choose `k` of `n` reproducibly from a seed (SplitMix64 + partial Fisher–Yates).
fn sample(n: usize, k: usize, seed: u64) -> Vec<usize> {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut idx: Vec<usize> = (0..n).collect();
    for i in 0..k.min(n) {
        let j = i + (next() % (n - i) as u64) as usize;
        idx.swap(i, j);
    }
    let mut chosen = idx[..k.min(n)].to_vec();
    chosen.sort();
    chosen
}

pub fn cmd_audit(
    ctx: &Context,
    args: &EvidenceAuditArgs,
    global: &GlobalArgs,
    env: &mut Env,
) -> Result<u8> {
    let keys = trust(&args.limits, ctx)?;
    let limits = limits_of(&args.limits)?;
    let dname = input::display_path(&args.dir);
    let mut packs = Vec::new();
    find_packs(&args.dir, &mut packs).map_err(|e| Error::from(input::io_error(&dname, &e)))?;
    packs.sort();
    let n = packs.len();
    let k = if let Some(p) = args.sample.strip_suffix('%') {
        let pct: f64 = p.trim().parse().map_err(|_| {
            Error::usage(
                format!("--sample {:?} is not a percentage", args.sample),
                "e.g. --sample 10% or --sample 25",
            )
        })?;
        if !(pct > 0.0 && pct <= 100.0) {
            return Err(Error::usage(
                "--sample must be more than 0% and at most 100%",
                "e.g. --sample 10% (a sample of no packs verifies nothing)",
            ));
        }
        ((n as f64 * pct / 100.0).ceil() as usize).min(n)
    } else {
        args.sample
            .parse::<usize>()
            .ok()
            .filter(|&count| count > 0)
            .ok_or_else(|| {
                Error::usage(
                    format!(
                        "--sample {:?} is not a percentage or a count of at least 1",
                        args.sample
                    ),
                    "e.g. --sample 10% or --sample 25",
                )
            })?
            .min(n)
    };
    let chosen = sample(n, k, args.seed);
    let mut report = Report::new("evidence audit", ctx.now_rfc3339.clone());
    let mut rows = Vec::new();
    let mut results = Vec::new();
    for i in &chosen {
        let p = &packs[*i];
        let (verdict, detail, diags) = match run_verify(p, &keys, limits) {
            Ok(v) if v.passed() => (
                "pass",
                format!(
                    "{} artifacts",
                    v.index.as_ref().map_or(0, |i| i.artifacts.len())
                ),
                Vec::new(),
            ),
            Ok(v) => (
                "fail",
                v.diagnostics
                    .first()
                    .map(|d| format!("{} {}", d.code(), d.message))
                    .unwrap_or_default(),
                v.diagnostics,
            ),
            Err(e) => ("fail", e.one_line(), Vec::new()),
        };
        let rel = p.strip_prefix(&args.dir).unwrap_or(p).display().to_string();
        if verdict != "pass" {
            report.diagnostics.push(
                Diagnostic::new(&d::AUDIT_PACK_FAILED, format!("{rel}: {detail}"))
                    .at(Location::file(p.display().to_string())),
            );
        }
        report.diagnostics.extend(diags);
        let mut s = Subject::new(p.display().to_string());
        s.kind = Some("Evidence Pack".into());
        s.verdict = if verdict == "pass" {
            Verdict::Pass
        } else {
            Verdict::Deny
        };
        report.subjects.push(s);
        rows.push(vec![rel.clone(), verdict.to_string(), detail.clone()]);
        results.push(json!({"pack": rel, "verdict": verdict, "detail": detail}));
    }
    report.tables.push(Table {
        title: format!("Audit sample: {k} of {n} packs (seed {})", args.seed),
        headers: vec!["Pack".into(), "Verdict".into(), "Detail".into()],
        rows,
    });
    let failed = results.iter().filter(|r| r["verdict"] != "pass").count();
    // Fail closed: no packs at all is a denial, not a vacuous pass.
    if n == 0 {
        report.diagnostics.push(
            Diagnostic::new(
                &d::AUDIT_NO_PACKS,
                format!("no Evidence Packs under {dname}: nothing was verified"),
            )
            .at(Location::file(dname.clone())),
        );
    }
    report.sort();
    report.data = json!({"packs": n, "sampled": k, "seed": args.seed, "passed": k - failed, "failed": failed, "results": results});
    env.emit(&report, global)
}

pub fn cmd_ledger_verify(
    ctx: &Context,
    args: &LedgerVerifyArgs,
    global: &GlobalArgs,
    env: &mut Env,
) -> Result<u8> {
    let name = input::display_path(&args.file);
    if let Some(bad) = args
        .anchors
        .iter()
        .find(|a| a.len() != 64 || !a.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(Error::usage(
            format!("--anchor {bad:?} is not a record hash"),
            "an anchor is the 64-hex-digit `hash` of a ledger record",
        ));
    }
    let (verified, brk) = ledger::verify_anchored(&args.file, &args.anchors)
        .map_err(|e| Error::from(input::io_error(&name, &e)))?;
    let count = verified.records;
    let mut report = Report::new("ledger verify", ctx.now_rfc3339.clone());
    let mut s = Subject::new(name.clone());
    s.kind = Some("decision ledger".into());
    s.facts.insert("records".into(), json!(count));
    if let Some(b) = &brk {
        s.verdict = Verdict::Deny;
        report.diagnostics.push(
            Diagnostic::new(
                &d::LEDGER_BROKEN,
                format!("record {} (line {}): {}", b.index, b.line, b.reason),
            )
            .at(Location::file(name.clone()).with_line_col(b.line as u32, 1)),
        );
    }
    if brk.is_none() {
        for a in &verified.missing_anchors {
            s.verdict = Verdict::Deny;
            report.diagnostics.push(
                Diagnostic::new(
                    &d::LEDGER_BROKEN,
                    format!(
                        "no record has the anchor hash {a}: records were deleted from the end, or the ledger was rewritten"
                    ),
                )
                .at(Location::file(name.clone())),
            );
        }
    }
    s.facts.insert("head".into(), json!(verified.head));
    report.subjects.push(s);
    report.data = json!({"records": count, "head": verified.head, "missingAnchors": verified.missing_anchors, "firstBadIndex": brk.as_ref().map(|b| b.index), "reason": brk.as_ref().map(|b| b.reason.clone())});
    env.emit(&report, global)
}
