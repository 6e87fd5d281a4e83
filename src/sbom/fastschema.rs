//! A quick "certainly valid" check for the simple SPDX 2 JSON schemas.
//!
//! The SPDX 2.2 / 2.3 schemas use only `type`, `properties`, `required`,
//! `additionalProperties: false`, string `enum`s, `items` and `minItems`. For schemas within
//! that subset this checker answers "valid" for a value exactly when it is valid; anything it
//! cannot decide (another keyword, a number that may or may not be an integer) counts as "not
//! known to be valid", and the caller then runs the full `jsonschema` validator, which also
//! produces the messages. So the checker only ever saves work; it never decides a finding.

use super::fastjson::{Json, Kind};
use foldhash::{HashMap, HashSet};
use serde_json::Value;

/// A compiled schema of the supported subset.
#[derive(Debug, Default)]
pub struct Schema {
    types: Option<Vec<Kind>>,
    properties: HashMap<String, Schema>,
    required: Vec<String>,
    no_additional: bool,
    enum_strings: Option<HashSet<String>>,
    items: Option<Box<Schema>>,
    min_items: Option<usize>,
}

/// Keywords without effect on validity.
const ANNOTATIONS: &[&str] = &["$schema", "$id", "title", "description", "$comment"];

impl Schema {
    /// Compile `schema`, or `None` when it uses anything outside the subset.
    pub fn compile(schema: &Value) -> Option<Schema> {
        let obj = schema.as_object()?;
        let mut out = Schema::default();
        for (k, v) in obj {
            match k.as_str() {
                "type" => {
                    let names: Vec<&str> = match v {
                        Value::String(s) => vec![s.as_str()],
                        Value::Array(a) => a.iter().map(Value::as_str).collect::<Option<_>>()?,
                        _ => return None,
                    };
                    let mut kinds = Vec::new();
                    for n in names {
                        match n {
                            "null" => kinds.push(Kind::Null),
                            "boolean" => kinds.push(Kind::Bool),
                            "integer" => kinds.push(Kind::Integer),
                            "number" => kinds.extend([Kind::Integer, Kind::Number]),
                            "string" => kinds.push(Kind::String),
                            "array" => kinds.push(Kind::Array),
                            "object" => kinds.push(Kind::Object),
                            _ => return None,
                        }
                    }
                    out.types = Some(kinds);
                }
                "properties" => {
                    for (name, sub) in v.as_object()? {
                        out.properties.insert(name.clone(), Schema::compile(sub)?);
                    }
                }
                "required" => {
                    out.required = v
                        .as_array()?
                        .iter()
                        .map(|r| r.as_str().map(str::to_string))
                        .collect::<Option<_>>()?;
                }
                "additionalProperties" => match v {
                    Value::Bool(false) => out.no_additional = true,
                    Value::Bool(true) => {}
                    _ => return None,
                },
                "enum" => {
                    out.enum_strings = Some(
                        v.as_array()?
                            .iter()
                            .map(|e| e.as_str().map(str::to_string))
                            .collect::<Option<_>>()?,
                    );
                }
                "items" => out.items = Some(Box::new(Schema::compile(v)?)),
                "minItems" => out.min_items = Some(usize::try_from(v.as_u64()?).ok()?),
                k if ANNOTATIONS.contains(&k) => {}
                _ => return None,
            }
        }
        Some(out)
    }

    /// The subschema of member `key` (`properties.<key>`), if any.
    pub fn property(&self, key: &str) -> Option<&Schema> {
        self.properties.get(key)
    }

    /// The schema of an array's elements (`items`), if any.
    pub fn items(&self) -> Option<&Schema> {
        self.items.as_deref()
    }

    /// `true` only when `v` is valid against this schema.
    pub fn certainly_valid<J: Json>(&self, v: &J) -> bool {
        let kind = v.kind();
        if let Some(types) = &self.types
            && !types.contains(&kind)
        {
            return false;
        }
        if let Some(allowed) = &self.enum_strings {
            match v.as_str() {
                Some(s) if allowed.contains(s) => {}
                _ => return false,
            }
        }
        match kind {
            Kind::Object => {
                if !self.required.iter().all(|r| v.get(r).is_some()) {
                    return false;
                }
                if self.properties.is_empty() && !self.no_additional {
                    return true;
                }
                v.all_members(&mut |k, m| match self.property(k) {
                    Some(sub) => sub.certainly_valid(m),
                    None => !self.no_additional,
                })
            }
            Kind::Array => {
                let items = v.as_array().unwrap_or(&[]);
                if self.min_items.is_some_and(|n| items.len() < n) {
                    return false;
                }
                match &self.items {
                    Some(sub) => items.iter().all(|x| sub.certainly_valid(x)),
                    None => true,
                }
            }
            // An ambiguous number passed `type` only where any number is allowed.
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn agrees_with_jsonschema_on_spdx() {
        for text in [
            include_str!("../../schemas/spdx/spdx-2.3.schema.json"),
            include_str!("../../schemas/spdx/spdx-2.2.schema.json"),
        ] {
            let schema: Value = serde_json::from_str(text).unwrap();
            let fast = Schema::compile(&schema).expect("SPDX 2 schemas are in the subset");
            let full = jsonschema::validator_for(&schema).unwrap();
            let base = json!({
                "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
                "name": "x", "documentNamespace": "https://x/y",
                "creationInfo": {"created": "2025-01-01T00:00:00Z", "creators": ["Tool: x"]},
                "packages": [{"SPDXID": "SPDXRef-a", "name": "a", "downloadLocation": "NONE",
                    "checksums": [{"algorithm": "SHA1", "checksumValue": "00"}]}],
            });
            let mut cases = vec![base.clone()];
            let mut c = base.clone();
            c["packages"][0]["checksums"][0]["algorithm"] = json!("SHA0");
            cases.push(c);
            let mut c = base.clone();
            c["packages"][0]["bogus"] = json!(1);
            cases.push(c);
            let mut c = base.clone();
            c["creationInfo"]["creators"] = json!([]);
            cases.push(c);
            let mut c = base.clone();
            c["packages"][0]["filesAnalyzed"] = json!("yes");
            cases.push(c);
            let mut c = base.clone();
            c.as_object_mut().unwrap().remove("name");
            cases.push(c);
            for c in &cases {
                let valid = full.is_valid(c);
                assert_eq!(fast.certainly_valid(c), valid, "{c}");
                let text = c.to_string();
                let node = super::super::fastjson::Reader::new(&text).value().unwrap();
                assert_eq!(fast.certainly_valid(&node), valid, "{c}");
            }
        }
    }

    #[test]
    fn unsupported_keywords_do_not_compile() {
        assert!(Schema::compile(&json!({"type": "string", "pattern": "x"})).is_none());
        assert!(Schema::compile(&json!({"$ref": "#/x"})).is_none());
        assert!(Schema::compile(&json!({"additionalProperties": {"type": "string"}})).is_none());
    }
}
