//! The official JSON schemas, embedded in the binary and resolved offline.
//!
//! Every `$ref` between the vendored schemas (CycloneDX → spdx/jsf/cryptography-defs) is
//! registered up front under the URIs the schemas use, so nothing is ever fetched. Validators are
//! compiled once per process, on first use, with `format` assertions on (the CycloneDX test
//! suite needs `date-time`, `uri`, `email`, `iri-reference`…).

use super::fastschema;
use jsonschema::{Registry, Validator};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

/// A vendored schema: the canonical name used in messages and its bytes.
struct Embedded {
    /// URIs the schema is known by (its `$id` and every name other schemas `$ref` it with).
    uris: &'static [&'static str],
    text: &'static str,
}

macro_rules! schema_file {
    ($path:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/", $path))
    };
}

/// The schemas other schemas reference; registered under every URI they are referenced by.
static SUPPORT: &[Embedded] = &[
    Embedded {
        uris: &[
            "http://cyclonedx.org/schema/spdx.schema.json",
            "http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json",
        ],
        text: schema_file!("cyclonedx/spdx.schema.json"),
    },
    Embedded {
        uris: &[
            "http://cyclonedx.org/schema/jsf-0.82.schema.json",
            "http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json",
        ],
        text: schema_file!("cyclonedx/jsf-0.82.schema.json"),
    },
    Embedded {
        uris: &[
            "http://cyclonedx.org/schema/cryptography-defs.schema.json",
            "http://cyclonedx.org/schema/cryptography-defs.SNAPSHOT.schema.json",
        ],
        text: schema_file!("cyclonedx/cryptography-defs.schema.json"),
    },
];

/// Which official schema a document is validated against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchemaId {
    CycloneDx12,
    CycloneDx13,
    CycloneDx14,
    CycloneDx15,
    CycloneDx16,
    CycloneDx17,
    Spdx22,
    Spdx23,
    Spdx301,
}

impl SchemaId {
    pub fn file_name(self) -> &'static str {
        match self {
            SchemaId::CycloneDx12 => "bom-1.2.schema.json",
            SchemaId::CycloneDx13 => "bom-1.3.schema.json",
            SchemaId::CycloneDx14 => "bom-1.4.schema.json",
            SchemaId::CycloneDx15 => "bom-1.5.schema.json",
            SchemaId::CycloneDx16 => "bom-1.6.schema.json",
            SchemaId::CycloneDx17 => "bom-1.7.schema.json",
            SchemaId::Spdx22 => "spdx-2.2.schema.json",
            SchemaId::Spdx23 => "spdx-2.3.schema.json",
            SchemaId::Spdx301 => "spdx-3.0.1.schema.json",
        }
    }

    pub(crate) fn text(self) -> &'static str {
        match self {
            SchemaId::CycloneDx12 => schema_file!("cyclonedx/bom-1.2.schema.json"),
            SchemaId::CycloneDx13 => schema_file!("cyclonedx/bom-1.3.schema.json"),
            SchemaId::CycloneDx14 => schema_file!("cyclonedx/bom-1.4.schema.json"),
            SchemaId::CycloneDx15 => schema_file!("cyclonedx/bom-1.5.schema.json"),
            SchemaId::CycloneDx16 => schema_file!("cyclonedx/bom-1.6.schema.json"),
            SchemaId::CycloneDx17 => schema_file!("cyclonedx/bom-1.7.schema.json"),
            SchemaId::Spdx22 => schema_file!("spdx/spdx-2.2.schema.json"),
            SchemaId::Spdx23 => schema_file!("spdx/spdx-2.3.schema.json"),
            SchemaId::Spdx301 => schema_file!("spdx/spdx-3.0.1.schema.json"),
        }
    }

    pub fn cyclonedx(version: &str) -> Option<Self> {
        Some(match version {
            "1.2" => SchemaId::CycloneDx12,
            "1.3" => SchemaId::CycloneDx13,
            "1.4" => SchemaId::CycloneDx14,
            "1.5" => SchemaId::CycloneDx15,
            "1.6" => SchemaId::CycloneDx16,
            "1.7" => SchemaId::CycloneDx17,
            _ => return None,
        })
    }

    const ALL: [SchemaId; 9] = [
        SchemaId::CycloneDx12,
        SchemaId::CycloneDx13,
        SchemaId::CycloneDx14,
        SchemaId::CycloneDx15,
        SchemaId::CycloneDx16,
        SchemaId::CycloneDx17,
        SchemaId::Spdx22,
        SchemaId::Spdx23,
        SchemaId::Spdx301,
    ];

    fn index(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).expect("listed")
    }

    fn is_cyclonedx(self) -> bool {
        !matches!(
            self,
            SchemaId::Spdx22 | SchemaId::Spdx23 | SchemaId::Spdx301
        )
    }
}

/// The resources a schema's `$ref`s can reach: the schema itself (per-element validators `$ref`
/// into it) and, for CycloneDX, the support schemas. One registry per schema, built on first
/// use, so a run only parses the schemas of the versions it meets.
fn build_registry(id: SchemaId) -> Registry<'static> {
    let mut pairs: Vec<(String, Value)> = Vec::new();
    if id.is_cyclonedx() {
        for e in SUPPORT {
            let v: Value = serde_json::from_str(e.text).expect("vendored schema is valid JSON");
            for uri in e.uris {
                pairs.push((uri.to_string(), v.clone()));
            }
        }
    }
    let v = parsed(id);
    if let Some(uri) = v.get("$id").and_then(Value::as_str) {
        pairs.push((uri.to_string(), v.clone()));
    }
    Registry::new()
        .extend(pairs)
        .expect("vendored schema URIs are valid")
        .prepare()
        .expect("vendored schemas index offline")
}

macro_rules! per_schema {
    ($f:ident) => {
        [
            LazyLock::new(|| $f(SchemaId::CycloneDx12)),
            LazyLock::new(|| $f(SchemaId::CycloneDx13)),
            LazyLock::new(|| $f(SchemaId::CycloneDx14)),
            LazyLock::new(|| $f(SchemaId::CycloneDx15)),
            LazyLock::new(|| $f(SchemaId::CycloneDx16)),
            LazyLock::new(|| $f(SchemaId::CycloneDx17)),
            LazyLock::new(|| $f(SchemaId::Spdx22)),
            LazyLock::new(|| $f(SchemaId::Spdx23)),
            LazyLock::new(|| $f(SchemaId::Spdx301)),
        ]
    };
}

fn parse_text(id: SchemaId) -> Value {
    serde_json::from_str(id.text()).expect("vendored schema is valid JSON")
}

static PARSED: [LazyLock<Value>; 9] = per_schema!(parse_text);
static REGISTRIES: [LazyLock<Registry<'static>>; 9] = per_schema!(build_registry);
static VALIDATORS: [LazyLock<Validator>; 9] = per_schema!(compile);
static FAST: [LazyLock<Option<fastschema::Schema>>; 9] = per_schema!(compile_fast);

/// The schema as JSON, parsed once.
fn parsed(id: SchemaId) -> &'static Value {
    &PARSED[id.index()]
}

fn compile(id: SchemaId) -> Validator {
    jsonschema::options()
        .with_registry(&REGISTRIES[id.index()])
        .should_validate_formats(true)
        .offline()
        .build(parsed(id))
        .unwrap_or_else(|e| panic!("vendored schema {} does not compile: {e}", id.file_name()))
}

/// The support schemas, parsed on first use (by the quick check).
static SUPPORT_PARSED: [LazyLock<Value>; 3] = [
    LazyLock::new(|| parse_support(0)),
    LazyLock::new(|| parse_support(1)),
    LazyLock::new(|| parse_support(2)),
];

fn parse_support(i: usize) -> Value {
    serde_json::from_str(SUPPORT[i].text).expect("vendored schema is valid JSON")
}

pub(crate) fn compile_fast(id: SchemaId) -> Option<fastschema::Schema> {
    let resolve = |uri: &str| -> Option<&'static Value> {
        let i = SUPPORT.iter().position(|e| e.uris.contains(&uri))?;
        Some(&*SUPPORT_PARSED[i])
    };
    fastschema::Schema::compile_with(parsed(id), &resolve)
}

/// The quick validity check for a schema (every draft-07 one: SPDX 2, CycloneDX); see
/// [`fastschema`].
pub fn fast(id: SchemaId) -> Option<&'static fastschema::Schema> {
    FAST[id.index()].as_ref()
}

/// Validators for the elements of a top-level array (`/properties/<key>/items`), compiled on
/// first use and kept for the process (leaked: at most a handful exist).
type ItemCache = HashMap<(SchemaId, String), Option<&'static Validator>>;

static ITEM_VALIDATORS: LazyLock<Mutex<ItemCache>> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// Whether the schema defines the elements of top-level array `key`.
pub fn has_item_schema(id: SchemaId, key: &str) -> bool {
    let schema = parsed(id);
    schema.get("$id").and_then(Value::as_str).is_some()
        && schema
            .pointer(&format!("/properties/{key}/items"))
            .is_some()
}

/// The validator for one element of the top-level array `key`, when the schema defines one.
pub fn item_validator(id: SchemaId, key: &str) -> Option<&'static Validator> {
    let mut cache = ITEM_VALIDATORS.lock().unwrap_or_else(|e| e.into_inner());
    *cache.entry((id, key.to_string())).or_insert_with(|| {
        let schema = parsed(id);
        let uri = schema.get("$id").and_then(Value::as_str)?;
        schema.pointer(&format!("/properties/{key}/items"))?;
        let mut wrapper = serde_json::json!({"$ref": format!("{uri}#/properties/{key}/items")});
        if let Some(draft) = schema.get("$schema") {
            wrapper["$schema"] = draft.clone();
        }
        let v = jsonschema::options()
            .with_registry(&REGISTRIES[id.index()])
            .should_validate_formats(true)
            .offline()
            .build(&wrapper)
            .unwrap_or_else(|e| {
                panic!(
                    "item schema {key} of {} does not compile: {e}",
                    id.file_name()
                )
            });
        Some(&*Box::leak(Box::new(v)))
    })
}

/// Whether the schema requires the elements of top-level array `key` to be unique.
pub fn unique_items(id: SchemaId, key: &str) -> bool {
    parsed(id)
        .pointer(&format!("/properties/{key}/uniqueItems"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// The compiled validator for a schema (compiled on first use, then shared across threads).
pub fn validator(id: SchemaId) -> &'static Validator {
    &VALIDATORS[id.index()]
}

/// One schema violation: where (JSON pointer) and what.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub pointer: String,
    pub message: String,
}

/// Longest message kept from the validator: enum errors otherwise quote the whole SPDX
/// licence list.
const MAX_MESSAGE: usize = 240;

/// Validate and return at most `limit` violations plus the total count.
pub fn validate(id: SchemaId, doc: &Value, limit: usize) -> (Vec<Violation>, usize) {
    if fast(id).is_some_and(|f| f.certainly_valid(doc)) {
        return (Vec::new(), 0);
    }
    validate_with(validator(id), doc, limit)
}

/// Validate with a given validator (see [`item_validator`]); pointers are relative to `doc`.
pub fn validate_with(v: &Validator, doc: &Value, limit: usize) -> (Vec<Violation>, usize) {
    if v.is_valid(doc) {
        return (Vec::new(), 0);
    }
    let mut out = Vec::new();
    let mut total = 0usize;
    for err in v.iter_errors(doc) {
        total += 1;
        if out.len() < limit {
            let mut message = err.to_string();
            if message.len() > MAX_MESSAGE {
                let cut = (0..=MAX_MESSAGE)
                    .rev()
                    .find(|&i| message.is_char_boundary(i))
                    .unwrap_or(0);
                message.truncate(cut);
                message.push('…');
            }
            out.push(Violation {
                pointer: err.instance_path().to_string(),
                message,
            });
        }
    }
    (out, total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_vendored_schema_compiles_offline() {
        for id in SchemaId::ALL {
            let _ = validator(id);
        }
    }

    #[test]
    fn cyclonedx_refs_resolve_and_formats_are_asserted() {
        let doc = json!({
            "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
            "metadata": {"timestamp": "2020-04-13", "licenses": [{"license": {"id": "Apache-2.0"}}]},
        });
        let (v, total) = validate(SchemaId::CycloneDx16, &doc, 10);
        assert_eq!(total, 1, "{v:?}");
        assert_eq!(v[0].pointer, "/metadata/timestamp");
        let bad_licence = json!({
            "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
            "metadata": {"licenses": [{"license": {"id": "Apache-2"}}]},
        });
        let (v, _) = validate(SchemaId::CycloneDx16, &bad_licence, 10);
        assert!(!v.is_empty());
        assert!(v.iter().all(|x| x.message.len() <= MAX_MESSAGE + 3));
    }
}
