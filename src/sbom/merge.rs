//! `sbom merge`: combine CycloneDX SBOMs of a monorepo into one, flat (deduplicated by purl) or
//! hierarchical (each input under its own parent component), with dependencies merged. The
//! result is validated before it is written; an invalid result is never written.

use super::diags as d;
use super::document::{self, Document, Family};
use super::validate;
use crate::cli::{GlobalArgs, SbomMergeArgs};
use crate::commands::Context;
use crate::diags;
use crate::error::{Error, Result};
use crate::input::InputError;
use crate::output::{Env, write_atomic};
use crate::report::{Diagnostic, Location, Report, Subject};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// Merge options independent of the CLI.
#[derive(Debug, Clone)]
pub struct MergeOptions {
    pub hierarchical: bool,
    pub name: String,
    pub version: Option<String>,
    pub group: Option<String>,
    pub spec_version: String,
    pub timestamp: String,
}

/// The merged document plus what happened on the way.
#[derive(Debug)]
pub struct Merged {
    pub bom: Value,
    pub components: usize,
    pub duplicates: usize,
    pub conflicts: Vec<Diagnostic>,
}

fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

/// Top-level members of an input that the merge reads or rebuilds; any other non-empty one is
/// reported as dropped (SBOM041).
const MERGED_KEYS: &[&str] = &[
    "$schema",
    "bomFormat",
    "specVersion",
    "serialNumber",
    "version",
    "metadata",
    "components",
    "services",
    "dependencies",
    "compositions",
    "vulnerabilities",
    "annotations",
];

/// Sections whose entries only point at components, services and each other: carried from every
/// input with their references rewritten, in this order in the merged SBOM.
const CARRIED_WITH_REFERENCES: &[&str] = &["compositions", "vulnerabilities", "annotations"];

/// Sections the merge carries besides the components (whose readability every reader checks).
const MERGED_SECTIONS: &[&str] = &[
    "/services",
    "/compositions",
    "/vulnerabilities",
    "/annotations",
    "/metadata/authors",
    "/metadata/tools",
];

/// The tools that made an input, as (components, services) in the 1.5+ shape: a legacy
/// `tools` array (`vendor`, `name`, `version`…) becomes application components with the
/// vendor as group, as the CycloneDX libraries convert them. bom-refs are dropped: nothing in
/// the merged SBOM points at a tool, and they could collide with the components' own.
fn input_tools(metadata: Option<&Value>) -> (Vec<Value>, Vec<Value>) {
    match metadata.and_then(|m| m.get("tools")) {
        Some(Value::Array(legacy)) => {
            let components = legacy
                .iter()
                .map(|t| {
                    let mut c = Map::new();
                    c.insert("type".into(), json!("application"));
                    for (from, to) in LEGACY_TOOL_FIELDS {
                        if let Some(v) = t.get(*from) {
                            c.insert((*to).into(), v.clone());
                        }
                    }
                    Value::Object(c)
                })
                .collect();
            (components, Vec::new())
        }
        Some(tools @ Value::Object(_)) => {
            let list = |key: &str| {
                tools
                    .get(key)
                    .and_then(Value::as_array)
                    .map(|a| a.iter().map(|t| without(t, &["bom-ref"])).collect())
                    .unwrap_or_default()
            };
            (list("components"), list("services"))
        }
        _ => (Vec::new(), Vec::new()),
    }
}

/// A legacy (before 1.5) tool's fields and the component fields they become.
const LEGACY_TOOL_FIELDS: &[(&str, &str)] = &[
    ("vendor", "group"),
    ("name", "name"),
    ("version", "version"),
    ("hashes", "hashes"),
    ("externalReferences", "externalReferences"),
];

/// The merged SBOM's `metadata.tools`: tollgate first, then every input's tools, each once, in
/// the shape of `spec_version` (before 1.5, a legacy array: tool services have no place there).
fn merged_tools(spec_version: &str, components: Vec<Value>, services: Vec<Value>) -> Value {
    if spec_version >= "1.5" {
        let this = json!({"type": "application", "name": "tollgate", "version": crate::VERSION});
        let components: Vec<Value> = std::iter::once(this).chain(components).collect();
        let mut tools = json!({ "components": components });
        if !services.is_empty() {
            tools["services"] = Value::Array(services);
        }
        return tools;
    }
    let mut legacy =
        vec![json!({"vendor": "tollgate", "name": "tollgate", "version": crate::VERSION})];
    for c in &components {
        let mut t = Map::new();
        for (to, from) in LEGACY_TOOL_FIELDS {
            if let Some(v) = c.get(*from) {
                t.insert((*to).into(), v.clone());
            }
        }
        push_once(&mut legacy, Value::Object(t));
    }
    Value::Array(legacy)
}

/// Push `item` unless an equal one is already there.
fn push_once(list: &mut Vec<Value>, item: Value) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// Rewrite the references of one carried entry (`section` names its kind) through `map`: a
/// reference to nothing in the merged SBOM is dropped (it would dangle), a BOM-Link
/// (`urn:cdx:…`) into another BOM is kept as it is.
fn rewrite_references(section: &str, entry: &mut Value, map: &HashMap<String, String>) {
    let rewrite = |r: &str| -> Option<String> {
        if r.starts_with("urn:cdx:") {
            Some(r.to_string())
        } else {
            map.get(r).cloned()
        }
    };
    let rewrite_list = |entry: &mut Value, key: &str| {
        if let Some(list) = entry.get_mut(key).and_then(Value::as_array_mut) {
            let mut kept = BTreeSet::new();
            list.retain_mut(|t| match t.as_str().and_then(rewrite) {
                Some(new) if kept.insert(new.clone()) => {
                    *t = json!(new);
                    true
                }
                _ => false,
            });
        }
    };
    match section {
        "compositions" => {
            for key in ["assemblies", "dependencies", "vulnerabilities"] {
                rewrite_list(entry, key);
            }
        }
        "annotations" => rewrite_list(entry, "subjects"),
        "vulnerabilities" => {
            if let Some(affects) = entry.get_mut("affects").and_then(Value::as_array_mut) {
                affects.retain_mut(|a| {
                    match a.get("ref").and_then(Value::as_str).and_then(rewrite) {
                        Some(new) => {
                            a["ref"] = json!(new);
                            true
                        }
                        None => false,
                    }
                });
            }
        }
        _ => {}
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Identity used to deduplicate: the full purl, else group, name and version (as a JSON array,
/// so that group `a/b` name `c` and group `a` name `b/c` stay two components).
fn identity(c: &Value) -> String {
    if let Some(p) = s(c, "purl") {
        return p.to_string();
    }
    json!([
        s(c, "group").unwrap_or(""),
        s(c, "name").unwrap_or(""),
        s(c, "version").unwrap_or("")
    ])
    .to_string()
}

/// How a component is named in messages and, without a bom-ref of its own, in its new bom-ref:
/// the purl, else group/name@version.
fn label(c: &Value) -> String {
    if let Some(p) = s(c, "purl") {
        return p.to_string();
    }
    format!(
        "{}/{}@{}",
        s(c, "group").unwrap_or(""),
        s(c, "name").unwrap_or(""),
        s(c, "version").unwrap_or("")
    )
}

struct RefAllocator {
    taken: BTreeSet<String>,
}

impl RefAllocator {
    /// Keep `wanted` if free, else suffix it (`#2`, `#3`…) until unique.
    fn alloc(&mut self, wanted: &str) -> String {
        if self.taken.insert(wanted.to_string()) {
            return wanted.to_string();
        }
        let mut i = 2;
        loop {
            let candidate = format!("{wanted}#{i}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
            i += 1;
        }
    }
}

/// Flatten a component tree (depth first), dropping nested `components` arrays.
fn flatten(list: &[Value], out: &mut Vec<Value>) {
    flatten_by(list, "components", out);
}

/// Flatten a tree whose children sit under `key` (`components`, `services`), depth first.
fn flatten_by(list: &[Value], key: &str, out: &mut Vec<Value>) {
    for c in list {
        let mut c = c.clone();
        let children = c
            .as_object_mut()
            .and_then(|o| o.remove(key))
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default();
        out.push(c);
        flatten_by(&children, key, out);
    }
}

/// A service's identity: provider, group, name and version (services have no purl), kept apart
/// from component identities so a service never merges into a component of the same name.
fn service_identity(sv: &Value) -> String {
    json!([
        "service",
        sv.pointer("/provider/name")
            .and_then(Value::as_str)
            .unwrap_or(""),
        s(sv, "group").unwrap_or(""),
        s(sv, "name").unwrap_or(""),
        s(sv, "version").unwrap_or("")
    ])
    .to_string()
}

/// How a service is named in messages and, without a bom-ref of its own, in its new bom-ref.
fn service_label(sv: &Value) -> String {
    let name = s(sv, "name").unwrap_or("");
    let named = match s(sv, "group") {
        Some(g) => format!("{g}/{name}"),
        None => name.to_string(),
    };
    match s(sv, "version") {
        Some(v) => format!("service:{named}@{v}"),
        None => format!("service:{named}"),
    }
}

/// A copy of `v` without the members `keys`.
fn without(v: &Value, keys: &[&str]) -> Value {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        for key in keys {
            o.remove(*key);
        }
    }
    v
}

/// A component's content without its bom-ref (and nested components, already flattened away):
/// what makes two entries the same component.
fn body(c: &Value) -> Value {
    without(c, &["bom-ref", "components"])
}

/// The details two entries for the same package disagree on (`hashes`, `licenses` or both),
/// as words for the SBOM040 message.
fn details_differ(a: &Value, b: &Value) -> Option<&'static str> {
    let differs = |key: &str| matches!((a.get(key), b.get(key)), (Some(x), Some(y)) if x != y);
    match (differs("hashes"), differs("licenses")) {
        (true, true) => Some("hashes and licenses"),
        (true, false) => Some("hashes"),
        (false, true) => Some("licenses"),
        (false, false) => None,
    }
}

/// SBOM040: `what` (hashes, licenses, details) of `label` differ in `path` from an earlier input.
fn merge_conflict(label: &str, what: &str, path: &str) -> Diagnostic {
    Diagnostic::new(
        &d::MERGE_CONFLICT,
        format!("{label} has different {what} in {path} than in an earlier input; kept the first"),
    )
    .at(Location::file(path.to_string()))
}

/// Merge documents (all CycloneDX). Deterministic: same inputs, same output bytes.
pub fn merge(docs: &[Document], opts: &MergeOptions) -> Merged {
    let mut refs = RefAllocator {
        taken: BTreeSet::from(["root".to_string()]),
    };
    let root_ref = "root".to_string();
    let mut root = json!({"type": "application", "bom-ref": root_ref, "name": opts.name});
    if let Some(v) = &opts.version {
        root["version"] = json!(v);
    }
    if let Some(g) = &opts.group {
        root["group"] = json!(g);
    }
    let mut top: Vec<Value> = Vec::new();
    let mut by_identity: HashMap<String, (String, usize)> = HashMap::new(); // identity → (ref, index in top)
    // Hierarchical: identity → (ref, content) of every component placed so far.
    let mut placed: HashMap<String, Vec<(String, Value)>> = HashMap::new();
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut duplicates = 0usize;
    let mut conflicts = Vec::new();
    let mut component_count = 0usize;
    let mut services: Vec<Value> = Vec::new();
    // identity → (ref, content) of every service placed so far.
    let mut services_seen: HashMap<String, Vec<(String, Value)>> = HashMap::new();
    let mut carried: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    // Who and what made the inputs stays on record: authors and tools, each once.
    let mut authors: Vec<Value> = Vec::new();
    let mut tool_components: Vec<Value> = Vec::new();
    let mut tool_services: Vec<Value> = Vec::new();

    for (i, doc) in docs.iter().enumerate() {
        let v = &doc.value;
        let metadata = v.get("metadata");
        for author in metadata
            .and_then(|m| m.get("authors"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            push_once(&mut authors, author.clone());
        }
        let (made_by_components, made_by_services) = input_tools(metadata);
        // This tollgate is listed already, whichever shape an input gave it.
        let is_this_tollgate =
            |t: &Value| s(t, "name") == Some("tollgate") && s(t, "version") == Some(crate::VERSION);
        for t in made_by_components {
            if !is_this_tollgate(&t) {
                push_once(&mut tool_components, t);
            }
        }
        for t in made_by_services {
            push_once(&mut tool_services, t);
        }
        let dropped: Vec<&str> = v
            .as_object()
            .into_iter()
            .flat_map(|o| o.iter())
            .filter(|(k, section)| !MERGED_KEYS.contains(&k.as_str()) && !is_empty(section))
            .map(|(k, _)| k.as_str())
            .collect();
        if !dropped.is_empty() {
            conflicts.push(
                Diagnostic::new(
                    &d::MERGE_DROPPED,
                    format!(
                        "{} has {} that the merged SBOM does not carry",
                        doc.path,
                        dropped.join(", ")
                    ),
                )
                .at(Location::file(doc.path.clone())),
            );
        }
        let mut map: HashMap<String, String> = HashMap::new();
        // The input's own root component, or one named after the file.
        let input_root = v
            .pointer("/metadata/component")
            .cloned()
            .unwrap_or_else(|| {
                let stem = Path::new(&doc.path)
                    .file_name()
                    .map(|f| f.to_string_lossy().to_string())
                    .unwrap_or_else(|| format!("input-{i}"));
                json!({"type": "application", "name": stem, "bom-ref": format!("input-{i}")})
            });
        let mut members: Vec<Value> = Vec::new();
        flatten(std::slice::from_ref(&input_root), &mut members);
        let input_root_old_ref = s(&members[0], "bom-ref").map(str::to_string);
        let nested = members.split_off(1);
        let comps = v
            .get("components")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut flat = Vec::new();
        flatten(&comps, &mut flat);
        flat.extend(nested);

        // The input root: flat, it is deduplicated like any component (an input's root may be
        // another input's root or dependency: one component, not two with the same purl).
        let mut root_c = members.remove(0);
        let root_ident = identity(&root_c);
        let root_seen = if opts.hierarchical {
            None
        } else {
            by_identity.get(&root_ident).cloned()
        };
        let root_new_ref = match &root_seen {
            Some((existing_ref, idx)) => {
                duplicates += 1;
                if let Some(what) = details_differ(&top[*idx], &root_c) {
                    conflicts.push(merge_conflict(&label(&root_c), what, &doc.path));
                }
                existing_ref.clone()
            }
            None => refs.alloc(
                input_root_old_ref
                    .as_deref()
                    .unwrap_or(&format!("input-{i}")),
            ),
        };
        if let Some(old) = &input_root_old_ref {
            map.insert(old.clone(), root_new_ref.clone());
        }
        root_c["bom-ref"] = json!(root_new_ref);
        deps.entry(root_ref.clone())
            .or_default()
            .insert(root_new_ref.clone());
        // Its own components are deduplicated against it too; it is placed after them.
        const PENDING_ROOT: usize = usize::MAX;
        if !opts.hierarchical && root_seen.is_none() {
            by_identity.insert(root_ident.clone(), (root_new_ref.clone(), PENDING_ROOT));
        }

        if opts.hierarchical {
            placed
                .entry(root_ident.clone())
                .or_default()
                .push((root_new_ref.clone(), body(&root_c)));
        }

        let mut children: Vec<Value> = Vec::new();
        for mut c in flat {
            let old_ref = s(&c, "bom-ref").map(str::to_string);
            let ident = identity(&c);
            // Hierarchical: a component identical to one already placed (under an earlier
            // input, or earlier in this one) is that component, not a second one under another
            // bom-ref; this input's dependencies point to it.
            if opts.hierarchical
                && let Some((existing_ref, _)) = placed
                    .get(&ident)
                    .and_then(|same| same.iter().find(|(_, b)| *b == body(&c)))
            {
                duplicates += 1;
                if let Some(o) = old_ref {
                    map.insert(o, existing_ref.clone());
                }
                continue;
            }
            if !opts.hierarchical
                && let Some((existing_ref, idx)) = by_identity.get(&ident)
            {
                duplicates += 1;
                let first = if *idx == PENDING_ROOT {
                    &root_c
                } else {
                    &top[*idx]
                };
                if let Some(what) = details_differ(first, &c) {
                    conflicts.push(merge_conflict(&label(&c), what, &doc.path));
                }
                if let Some(o) = old_ref {
                    map.insert(o, existing_ref.clone());
                }
                continue;
            }
            let new_ref = refs.alloc(old_ref.as_deref().unwrap_or(&label(&c)));
            if let Some(o) = old_ref {
                map.insert(o, new_ref.clone());
            }
            c["bom-ref"] = json!(new_ref);
            component_count += 1;
            if opts.hierarchical {
                placed.entry(ident).or_default().push((new_ref, body(&c)));
                children.push(c);
            } else {
                by_identity.insert(ident, (new_ref, top.len()));
                top.push(c);
            }
        }
        if opts.hierarchical {
            if !children.is_empty() {
                root_c["components"] = Value::Array(children);
            }
            component_count += 1;
            top.push(root_c);
        } else if root_seen.is_none() {
            by_identity.insert(root_ident, (root_new_ref.clone(), top.len()));
            component_count += 1;
            top.push(root_c);
        }

        // Services (nested ones flattened): one list for the merged SBOM, bom-refs kept unique
        // across components and services. Flat, a service is one per identity (a different
        // copy is an SBOM040 warning, the first kept); hierarchical, only identical copies are
        // one, as for components.
        let mut input_services = Vec::new();
        flatten_by(
            v.get("services")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default(),
            "services",
            &mut input_services,
        );
        for mut sv in input_services {
            let old_ref = s(&sv, "bom-ref").map(str::to_string);
            let ident = service_identity(&sv);
            let content = without(&sv, &["bom-ref", "services"]);
            let seen = services_seen.get(&ident).and_then(|same| {
                if opts.hierarchical {
                    same.iter().find(|(_, b)| *b == content)
                } else {
                    same.first()
                }
            });
            if let Some((existing_ref, first)) = seen {
                duplicates += 1;
                if *first != content {
                    conflicts.push(merge_conflict(&service_label(&sv), "details", &doc.path));
                }
                if let Some(o) = old_ref {
                    map.insert(o, existing_ref.clone());
                }
                continue;
            }
            let new_ref = refs.alloc(old_ref.as_deref().unwrap_or(&service_label(&sv)));
            if let Some(o) = old_ref {
                map.insert(o, new_ref.clone());
            }
            sv["bom-ref"] = json!(new_ref);
            services_seen
                .entry(ident)
                .or_default()
                .push((new_ref, content));
            services.push(sv);
        }

        // Compositions, vulnerabilities and annotations: carried from each input as they are
        // (not deduplicated: two inputs' analyses of one CVE are two statements), their own
        // bom-refs kept unique first so they can point at each other, then references rewritten.
        let mut entries: Vec<(&str, Value)> = Vec::new();
        for section in CARRIED_WITH_REFERENCES {
            for e in v
                .get(*section)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let mut e = e.clone();
                if let Some(old) = s(&e, "bom-ref").map(str::to_string) {
                    let new = refs.alloc(&old);
                    e["bom-ref"] = json!(new);
                    map.insert(old, new);
                }
                entries.push((section, e));
            }
        }
        for (section, mut e) in entries {
            rewrite_references(section, &mut e, &map);
            carried.entry(section).or_default().push(e);
        }

        for dep in v
            .get("dependencies")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(r) = s(dep, "ref") else { continue };
            let Some(from) = map.get(r) else { continue };
            let entry = deps.entry(from.clone()).or_default();
            for t in dep
                .get("dependsOn")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(to) = t.as_str().and_then(|t| map.get(t))
                    && to != from
                {
                    entry.insert(to.clone());
                }
            }
        }
    }

    let mut dependencies: Vec<Value> = Vec::new();
    let mut all_refs: BTreeSet<String> = BTreeSet::new();
    collect_refs(&top, &mut all_refs);
    all_refs.extend(
        services
            .iter()
            .filter_map(|sv| s(sv, "bom-ref").map(str::to_string)),
    );
    all_refs.insert(root_ref.clone());
    for r in &all_refs {
        let on: Vec<&String> = deps.get(r).map(|s| s.iter().collect()).unwrap_or_default();
        dependencies.push(json!({"ref": r, "dependsOn": on}));
    }

    let tools = merged_tools(&opts.spec_version, tool_components, tool_services);
    let mut bom = Map::new();
    bom.insert("bomFormat".into(), json!("CycloneDX"));
    bom.insert("specVersion".into(), json!(opts.spec_version));
    bom.insert("version".into(), json!(1));
    bom.insert(
        "metadata".into(),
        json!({"timestamp": opts.timestamp, "tools": tools, "component": root}),
    );
    if !authors.is_empty() {
        bom["metadata"]["authors"] = Value::Array(authors);
    }
    bom.insert("components".into(), Value::Array(top));
    if !services.is_empty() {
        bom.insert("services".into(), Value::Array(services));
    }
    for (section, entries) in carried {
        bom.insert(section.into(), Value::Array(entries));
    }
    bom.insert("dependencies".into(), Value::Array(dependencies));
    // Serial number derived from the content, so the same inputs give the same bytes.
    let content = serde_json::to_vec(&bom).expect("serialises");
    let serial = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, &content);
    bom.insert("serialNumber".into(), json!(format!("urn:uuid:{serial}")));
    Merged {
        bom: Value::Object(bom),
        components: component_count,
        duplicates,
        conflicts,
    }
}

fn collect_refs(list: &[Value], out: &mut BTreeSet<String>) {
    for c in list {
        if let Some(r) = s(c, "bom-ref") {
            out.insert(r.to_string());
        }
        if let Some(children) = c.get("components").and_then(Value::as_array) {
            collect_refs(children, out);
        }
    }
}

pub fn cmd(ctx: &Context, args: &SbomMergeArgs, global: &GlobalArgs, env: &mut Env) -> Result<u8> {
    let mut docs = Vec::new();
    for p in &args.files {
        let doc = document::load(p, ctx.limits)?;
        if doc.family != Family::CycloneDx {
            return Err(Error::from(InputError::new(
                &diags::INPUT_UNRECOGNISED,
                Location::file(doc.path.clone()),
                format!(
                    "{} is {}; merge combines CycloneDX JSON documents",
                    doc.path,
                    doc.kind()
                ),
                "convert SPDX inputs to CycloneDX first, or merge only the CycloneDX SBOMs",
            )));
        }
        // Every section the merge carries must be read exactly: a malformed one (an object where
        // the list belongs) would otherwise be carried as nothing.
        validate::check_parts_readable(&doc, MERGED_SECTIONS)?;
        docs.push(doc);
    }
    let opts = MergeOptions {
        hierarchical: args.hierarchical,
        name: args.root_name.clone(),
        version: args.root_version.clone(),
        group: args.root_group.clone(),
        spec_version: args.spec_version.clone(),
        timestamp: ctx.now_rfc3339.clone(),
    };
    let merged = merge(&docs, &opts);
    let mut text = serde_json::to_string_pretty(&merged.bom).expect("serialises");
    text.push('\n');
    let out_name = if args.out.as_os_str() == "-" {
        "<stdout>".to_string()
    } else {
        args.out.display().to_string()
    };

    // The result must validate before anyone gets it.
    let check = validate::Options {
        schema: true,
        profile: None,
        strict: false,
        now: ctx.now,
        limits: ctx.limits,
        max_schema_errors: 20,
    };
    let merged_doc = document::parse(&out_name, text.clone()).map_err(Error::from)?;
    let result = validate::validate_document(merged_doc, &check);

    let mut report = Report::new("sbom merge", ctx.now_rfc3339.clone());
    for doc in &docs {
        let mut s = Subject::new(doc.path.clone());
        s.kind = Some(doc.kind());
        report.subjects.push(s);
    }
    let mut out_subject = result.subject;
    out_subject
        .facts
        .insert("duplicatesRemoved".into(), json!(merged.duplicates));
    report.subjects.push(out_subject);
    report.diagnostics.extend(merged.conflicts);
    let valid = result
        .diagnostics
        .iter()
        .all(|d| d.severity != crate::report::Severity::Error);
    report.diagnostics.extend(result.diagnostics);
    report.data = json!({
        "inputs": docs.iter().map(|d| d.path.clone()).collect::<Vec<_>>(),
        "output": out_name,
        "mode": if args.hierarchical { "hierarchical" } else { "flat" },
        "components": merged.components,
        "duplicatesRemoved": merged.duplicates,
        "serialNumber": merged.bom["serialNumber"],
        "written": valid,
    });
    if valid {
        if args.out.as_os_str() == "-" {
            use std::io::Write;
            let _ = env.stdout.write_all(text.as_bytes());
        } else {
            write_atomic(&args.out, text.as_bytes())?;
        }
    }
    report.sort();
    let to_stderr = args.out.as_os_str() == "-" && global.output.is_none();
    env.emit_to(&report, global, to_stderr)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(name: &str, root: &str, components: &[&str], deps: &str) -> Document {
        let comps: Vec<String> = components
            .iter()
            .map(|c| {
                format!(r#"{{"type":"library","name":"{c}","version":"1","bom-ref":"{c}","purl":"pkg:npm/{c}@1"}}"#)
            })
            .collect();
        let text = format!(
            r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
            "metadata":{{"component":{{"type":"application","name":"{root}","version":"1","bom-ref":"{root}","purl":"pkg:npm/{root}@1"}}}},
            "components":[{}],"dependencies":[{deps}]}}"#,
            comps.join(",")
        );
        crate::sbom::document::parse(name, text).unwrap()
    }

    fn opts() -> MergeOptions {
        MergeOptions {
            hierarchical: false,
            name: "monorepo".into(),
            version: None,
            group: None,
            spec_version: "1.6".into(),
            timestamp: "2026-01-01T00:00:00Z".into(),
        }
    }

    fn purls(m: &Merged) -> Vec<&str> {
        m.bom["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["purl"].as_str().unwrap())
            .collect()
    }

    /// Components without purls are one only when group, name and version all agree: group
    /// `a/b` name `c` is not group `a` name `b/c`.
    #[test]
    fn purl_less_components_are_told_apart_by_group_and_name() {
        let mut d = doc("x.json", "root", &["p", "q"], "");
        for (i, (group, name)) in [("a/b", "c"), ("a", "b/c")].into_iter().enumerate() {
            let c = &mut d.value["components"][i];
            c.as_object_mut().unwrap().remove("purl");
            c["group"] = json!(group);
            c["name"] = json!(name);
        }
        let m = merge(&[d], &opts());
        assert_eq!(m.duplicates, 0);
        assert_eq!(m.components, 3, "{}", m.bom);
    }

    /// Sections the merge does not carry are named (SBOM041), never dropped silently; empty
    /// ones are not worth a warning.
    #[test]
    fn dropped_sections_are_reported() {
        let mut d = doc("svc.json", "root", &["x"], "");
        d.value["formulation"] = json!([{"bom-ref": "build"}]);
        d.value["definitions"] = json!({"standards": [{"bom-ref": "std"}]});
        d.value["vulnerabilities"] = json!([]);
        let m = merge(&[d, doc("plain.json", "other", &["y"], "")], &opts());
        let messages: Vec<(&str, &str)> = m
            .conflicts
            .iter()
            .map(|c| (c.info.code, c.message.as_str()))
            .collect();
        assert_eq!(
            messages,
            [(
                "SBOM041",
                "svc.json has definitions, formulation that the merged SBOM does not carry"
            )]
        );
    }

    /// SBOM040 names every detail that differs, not only the first.
    #[test]
    fn conflicts_name_every_differing_detail() {
        let with = |hash: &str, licence: &str| {
            let mut d = doc("x.json", "root", &["x"], "");
            d.value["components"][0]["hashes"] = json!([{"alg": "SHA-256", "content": hash}]);
            d.value["components"][0]["licenses"] = json!([{"license": {"id": licence}}]);
            d
        };
        for (b, what) in [
            (with("bb", "GPL-3.0-only"), "different hashes and licenses"),
            (with("bb", "MIT"), "different hashes in"),
            (with("aa", "GPL-3.0-only"), "different licenses in"),
        ] {
            let m = merge(&[with("aa", "MIT"), b], &opts());
            let msgs: Vec<&str> = m.conflicts.iter().map(|d| d.message.as_str()).collect();
            assert!(msgs.len() == 1 && msgs[0].contains(what), "{msgs:?}");
        }
        let m = merge(&[with("aa", "MIT"), with("aa", "MIT")], &opts());
        assert!(m.conflicts.is_empty());
    }

    /// Hierarchical, a component two inputs list identically is one component (placed under
    /// the first input; the second's dependencies point to it), not a second one renamed `#2`;
    /// only different components that share a bom-ref are renamed.
    #[test]
    fn hierarchical_merge_places_the_same_component_once() {
        let app = doc(
            "app.json",
            "app",
            &["shared", "x"],
            r#"{"ref":"app","dependsOn":["shared","x"]}"#,
        );
        let mut worker = doc(
            "worker.json",
            "worker",
            &["shared", "x"],
            r#"{"ref":"worker","dependsOn":["shared","x"]}"#,
        );
        // The worker's `x` is another component (another version) under the same bom-ref.
        worker.value["components"][1]["version"] = json!("2");
        worker.value["components"][1]["purl"] = json!("pkg:npm/x@2");
        let m = merge(
            &[app, worker],
            &MergeOptions {
                hierarchical: true,
                ..opts()
            },
        );
        let children = |i: usize| -> Vec<(String, String)> {
            m.bom["components"][i]["components"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["bom-ref"].as_str().unwrap().to_string(),
                        c["purl"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        };
        let own = |r: &str, p: &str| (r.to_string(), p.to_string());
        assert_eq!(
            children(0),
            [own("shared", "pkg:npm/shared@1"), own("x", "pkg:npm/x@1")]
        );
        assert_eq!(children(1), [own("x#2", "pkg:npm/x@2")]);
        assert_eq!(m.duplicates, 1);
        let worker_deps = m.bom["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["ref"] == "worker")
            .unwrap();
        assert_eq!(worker_deps["dependsOn"], json!(["shared", "x#2"]));
    }

    /// Flat, an input's root is deduplicated by purl like every component: against an earlier
    /// input's root or component, and against its own components.
    #[test]
    fn input_roots_are_deduplicated_by_purl() {
        // `lib` is a dependency of `app` and the root of its own SBOM; `app`'s SBOM also
        // lists itself as a component.
        let app = doc(
            "app.json",
            "app",
            &["lib", "app"],
            r#"{"ref":"app","dependsOn":["lib"]}"#,
        );
        let lib = doc(
            "lib.json",
            "lib",
            &["leaf"],
            r#"{"ref":"lib","dependsOn":["leaf"]}"#,
        );
        let again = doc("app-copy.json", "app", &[], "");
        let m = merge(&[app, lib, again], &opts());
        assert_eq!(
            purls(&m),
            ["pkg:npm/lib@1", "pkg:npm/app@1", "pkg:npm/leaf@1"]
        );
        assert_eq!(m.components, 3);
        assert_eq!(m.duplicates, 3);
        let deps: BTreeMap<String, Vec<String>> = m.bom["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let on = d["dependsOn"].as_array().unwrap();
                (
                    d["ref"].as_str().unwrap().to_string(),
                    on.iter().map(|x| x.as_str().unwrap().to_string()).collect(),
                )
            })
            .collect();
        assert_eq!(deps["root"], ["app", "lib"]);
        assert_eq!(deps["app"], ["lib"]);
        assert_eq!(deps["lib"], ["leaf"]);
        // Every ref the dependencies name is a component's.
        let refs: BTreeSet<&str> = m.bom["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["bom-ref"].as_str().unwrap())
            .collect();
        for (from, to) in &deps {
            assert!(from == "root" || refs.contains(from.as_str()), "{from}");
            for t in to {
                assert!(refs.contains(t.as_str()), "{t}");
            }
        }
    }

    /// Services are carried: nested ones flattened, flat merge keeps one per identity (a
    /// different copy is an SBOM040 warning), bom-refs stay unique across components and
    /// services, and dependencies on services are rewritten to the kept bom-ref.
    #[test]
    fn services_are_merged_deduplicated_and_depended_on() {
        let with_services = |name: &str, root: &str, services: Value, deps: &str| {
            let mut d = doc(name, root, &["x"], deps);
            d.value["services"] = services;
            d
        };
        let a = || {
            with_services(
                "a.json",
                "api",
                json!([{"bom-ref": "svc-pay", "name": "payments", "version": "2",
                    "endpoints": ["https://pay.example/v2"],
                    "services": [{"bom-ref": "svc-audit", "name": "audit"}]}]),
                r#"{"ref":"api","dependsOn":["svc-pay","x"]}"#,
            )
        };
        // Same service under another bom-ref; a component whose bom-ref is "svc-audit".
        let b = || {
            let mut b = with_services(
                "b.json",
                "web",
                json!([{"bom-ref": "pay", "name": "payments", "version": "2",
                        "endpoints": ["https://pay.example/v2"]},
                       {"bom-ref": "x", "name": "x"}]),
                r#"{"ref":"web","dependsOn":["pay","x"]}"#,
            );
            b.value["components"][0]["bom-ref"] = json!("svc-audit");
            b
        };
        let m = merge(&[a(), b()], &opts());
        assert!(m.conflicts.is_empty(), "{:?}", m.conflicts);
        let svc_refs: Vec<&str> = m.bom["services"]
            .as_array()
            .unwrap()
            .iter()
            .map(|sv| sv["bom-ref"].as_str().unwrap())
            .collect();
        // payments once; audit flattened; the service "x" of b.json gets a fresh bom-ref, as
        // b.json's component x (same purl as a.json's x) is deduplicated to bom-ref "x".
        assert_eq!(svc_refs, ["svc-pay", "svc-audit", "x#2"], "{}", m.bom);
        let deps = &m.bom["dependencies"];
        let on = |r: &str| {
            deps.as_array()
                .unwrap()
                .iter()
                .find(|d| d["ref"] == r)
                .unwrap_or_else(|| panic!("no dependency entry for {r}"))["dependsOn"]
                .clone()
        };
        assert_eq!(on("web"), json!(["svc-pay", "x#2"]));
        assert_eq!(on("svc-audit"), json!([]));

        // A different copy of the same service: kept once (the first), warned.
        let c = || {
            let mut c = b();
            c.value["services"][0]["endpoints"] = json!(["https://pay.example/v3"]);
            c
        };
        let m = merge(&[a(), c()], &opts());
        let msgs: Vec<&str> = m.conflicts.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "service:payments@2 has different details in b.json than in an earlier input; kept the first"
            ]
        );
        // Hierarchical: different copies stay apart, identical ones are one.
        let h = MergeOptions {
            hierarchical: true,
            ..opts()
        };
        assert_eq!(
            merge(&[a(), c()], &h).bom["services"]
                .as_array()
                .unwrap()
                .len(),
            4
        );
        assert_eq!(
            merge(&[a(), b()], &h).bom["services"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
    }

    /// Compositions, vulnerabilities and annotations are carried from every input: own
    /// bom-refs kept unique, references rewritten to the merged bom-refs, references to
    /// nothing dropped, BOM-Links kept.
    #[test]
    fn referring_sections_are_carried_with_rewritten_references() {
        let mut a = doc("a.json", "api", &["x"], "");
        a.value["compositions"] = json!([{"aggregate": "complete",
            "assemblies": ["api", "gone", "api", "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#x"]}]);
        a.value["vulnerabilities"] = json!([{"bom-ref": "v1", "id": "CVE-2026-1",
            "affects": [{"ref": "x"}, {"ref": "nope"}]}]);
        a.value["annotations"] = json!([{"bom-ref": "n1", "subjects": ["v1", "x"],
            "annotator": {"organization": {"name": "acme"}},
            "timestamp": "2026-01-01T00:00:00Z", "text": "triaged"}]);
        let mut b = doc("b.json", "web", &["x"], "");
        // b's x is deduplicated into a's; its vulnerability keeps its own statement.
        b.value["components"][0]["bom-ref"] = json!("b-x");
        b.value["vulnerabilities"] = json!([{"bom-ref": "v1", "id": "CVE-2026-1",
            "affects": [{"ref": "b-x"}]}]);
        let m = merge(&[a, b], &opts());
        assert!(m.conflicts.is_empty(), "{:?}", m.conflicts);
        assert_eq!(
            m.bom["compositions"][0]["assemblies"],
            json!(["api", "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#x"])
        );
        assert_eq!(
            m.bom["vulnerabilities"],
            json!([
                {"bom-ref": "v1", "id": "CVE-2026-1", "affects": [{"ref": "x"}]},
                {"bom-ref": "v1#2", "id": "CVE-2026-1", "affects": [{"ref": "x"}]}
            ])
        );
        assert_eq!(m.bom["annotations"][0]["subjects"], json!(["v1", "x"]));
    }

    /// Who and what made the inputs stays on record: authors and tools of every input, each
    /// once, tollgate first; legacy tool arrays become components (vendor as group) and back.
    #[test]
    fn authors_and_tools_of_the_inputs_are_kept() {
        let mut a = doc("a.json", "api", &["x"], "");
        a.value["metadata"]["authors"] = json!([{"name": "Release Team"}]);
        a.value["metadata"]["tools"] = json!({
            "components": [{"type": "application", "bom-ref": "t1", "name": "cdxgen", "version": "11.0.0"}],
            "services": [{"name": "sbom-service"}]
        });
        let mut b = doc("b.json", "web", &["y"], "");
        b.value["metadata"]["authors"] = json!([{"name": "Release Team"}, {"name": "Web Team"}]);
        b.value["metadata"]["tools"] = json!([
            {"vendor": "anchore", "name": "syft", "version": "1.0.0"},
            {"vendor": "tollgate", "name": "tollgate", "version": crate::VERSION}
        ]);
        let m = merge(&[a, b], &opts());
        let metadata = &m.bom["metadata"];
        assert_eq!(
            metadata["authors"],
            json!([{"name": "Release Team"}, {"name": "Web Team"}])
        );
        let names: Vec<(&str, &str)> = metadata["tools"]["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["group"].as_str().unwrap_or(""),
                    t["name"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            names,
            [("", "tollgate"), ("", "cdxgen"), ("anchore", "syft"),]
        );
        assert!(metadata["tools"]["components"][1].get("bom-ref").is_none());
        assert_eq!(
            metadata["tools"]["services"],
            json!([{"name": "sbom-service"}])
        );

        // Before 1.5 the tools are a legacy array: components back to vendor/name/version,
        // tollgate once.
        let mut a = doc("a.json", "api", &["x"], "");
        a.value["metadata"]["tools"] =
            json!([{"vendor": "anchore", "name": "syft", "version": "1.0.0"}]);
        let old = MergeOptions {
            spec_version: "1.4".into(),
            ..opts()
        };
        let m = merge(&[a, doc("b.json", "web", &["y"], "")], &old);
        assert_eq!(
            m.bom["metadata"]["tools"],
            json!([
                {"vendor": "tollgate", "name": "tollgate", "version": crate::VERSION},
                {"vendor": "anchore", "name": "syft", "version": "1.0.0"}
            ])
        );
        assert!(m.bom["metadata"].get("authors").is_none());
    }
}
