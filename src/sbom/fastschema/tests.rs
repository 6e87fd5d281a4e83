use super::*;
use crate::sbom::fastjson::Reader;
use serde_json::json;

fn full(schema: &Value) -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .offline()
        .build(schema)
        .unwrap()
}

/// The answer for `v` as a `Value` and as a `fastjson` node (they must be the same), after
/// checking that a certain answer is `jsonschema`'s.
fn answer(fast: Sub<'_>, full: &jsonschema::Validator, v: &Value) -> Tri {
    let tri = fast.check(v);
    let text = v.to_string();
    let node = Reader::new(&text).value().unwrap();
    assert_eq!(fast.check(&node), tri, "{v}");
    let valid = full.is_valid(v);
    match tri {
        Tri::Valid => assert!(valid, "said valid, is not: {v}"),
        Tri::Invalid => assert!(!valid, "said invalid, is valid: {v}"),
        Tri::Unknown => {}
    }
    tri
}

/// Checks every case against `jsonschema` and returns the answers.
fn answers(schema: Value, cases: &[Value]) -> Vec<Tri> {
    let mut schema = schema;
    schema["$schema"] = json!(DRAFT7);
    let fast = Schema::compile(&schema).expect("draft-07 compiles");
    let full = full(&schema);
    cases
        .iter()
        .map(|c| answer(fast.root(), &full, c))
        .collect()
}

use Tri::{Invalid as I, Unknown as U, Valid as V};

#[test]
fn type_and_integer_literals() {
    let got = answers(
        json!({"type": "integer"}),
        &[
            json!(1),
            json!(-3),
            json!(1.5),
            json!(1.0),
            json!("1"),
            json!(null),
        ],
    );
    // 1.0 may be an integer to jsonschema: not decided.
    assert_eq!(got, [V, V, U, U, I, I]);
    let got = answers(
        json!({"type": ["number", "null"]}),
        &[json!(1), json!(1.5), json!(null), json!(true), json!([])],
    );
    assert_eq!(got, [V, V, V, I, I]);
}

#[test]
fn enums_and_consts() {
    let got = answers(
        json!({"enum": ["a", "b"]}),
        &[json!("a"), json!("c"), json!(1), json!(["a"])],
    );
    assert_eq!(got, [V, I, I, I]);
    let got = answers(
        json!({"const": "x", "enum": ["x", "y"]}),
        &[json!("x"), json!("y")],
    );
    assert_eq!(got, [V, I]);
    // Other enums are jsonschema's to decide (1 == 1.0 there).
    let got = answers(
        json!({"enum": [1, "a", null, {"k": [1]}]}),
        &[
            json!(1),
            json!(1.0),
            json!(2),
            json!("a"),
            json!({"k": [1]}),
            json!({"k": [2]}),
        ],
    );
    assert!(!got.contains(&U), "{got:?}");
    let got = answers(
        json!({"const": {"a": 1}}),
        &[json!({"a": 1}), json!({"a": 2})],
    );
    assert_eq!(got, [V, I]);
}

#[test]
fn objects() {
    let schema = json!({
        "type": "object", "required": ["a"], "additionalProperties": false,
        "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
    });
    let got = answers(
        schema,
        &[
            json!({"a": "x"}),
            json!({"a": "x", "b": 2}),
            json!({"b": 2}),
            json!({"a": "x", "c": 1}),
            json!({"a": 1}),
            json!("a"),
        ],
    );
    assert_eq!(got, [V, V, I, I, I, I]);
    // Required members with and without a `properties` entry.
    let got = answers(
        json!({"required": ["a", "z"], "properties": {"a": {}, "b": {}}}),
        &[
            json!({"a": 1, "z": 2}),
            json!({"a": 1}),
            json!({"z": 1, "b": 2}),
            json!([]),
        ],
    );
    assert_eq!(got, [V, I, I, V]);
    let got = answers(
        json!({"additionalProperties": {"type": "string"}, "properties": {"n": {"type": "integer"}}}),
        &[
            json!({"n": 1, "x": "s"}),
            json!({"n": 1, "x": 2}),
            json!({"n": "1"}),
            json!(3),
        ],
    );
    assert_eq!(got, [V, I, I, V]);
    // Keywords outside the subset: "unknown", unless something else already fails.
    let got = answers(
        json!({"type": "object", "patternProperties": {"^x": {"type": "string"}}}),
        &[json!({"x": "s"}), json!({"x": 1}), json!(1)],
    );
    assert_eq!(got, [U, U, I]);
    let got = answers(
        json!({"dependencies": {"a": ["b"]}, "propertyNames": {"maxLength": 1}}),
        &[json!({"a": 1}), json!({"a": 1, "b": 2})],
    );
    assert_eq!(got, [U, U]);
    let got = answers(
        json!({"minProperties": 2, "maxProperties": 2}),
        &[json!({"a": 1}), json!({"a": 1, "b": 2}), json!([1])],
    );
    assert_eq!(got, [I, V, V]);
}

/// Repeated keys never reach the quick check: the reader refuses them (and the document is
/// bad input, see `input::check_duplicate_keys`).
#[test]
fn repeated_keys_are_refused_before_checking() {
    for text in [r#"{"a": 1, "a": "s"}"#, r#"{"a": "t", "a": "s"}"#] {
        assert!(Reader::new(text).value().is_err(), "{text}");
    }
}

#[test]
fn arrays() {
    let got = answers(
        json!({"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 2}),
        &[
            json!(["a"]),
            json!([]),
            json!(["a", "b", "c"]),
            json!(["a", 1]),
        ],
    );
    assert_eq!(got, [V, I, I, I]);
    let got = answers(
        json!({"items": [{"type": "string"}, {"type": "integer"}], "additionalItems": false}),
        &[
            json!(["a", 1]),
            json!(["a"]),
            json!(["a", 1, 2]),
            json!([1, 1]),
        ],
    );
    assert_eq!(got, [V, V, I, I]);
    let got = answers(
        json!({"items": [{"type": "string"}]}),
        &[json!(["a", 1, {}]), json!([1])],
    );
    assert_eq!(got, [V, I]);
    // additionalItems without a tuple `items` has no effect.
    let got = answers(
        json!({"items": {"type": "string"}, "additionalItems": false}),
        &[json!(["a", "b"])],
    );
    assert_eq!(got, [V]);
    let got = answers(
        json!({"uniqueItems": true}),
        &[
            json!(["a", "b"]),
            json!(["a", "a"]),
            json!([1, 1.0]),
            json!([{"a": 1}, {"a": 2}]),
            json!([{"a": [1]}, {"a": [1]}]),
            json!([]),
            json!(["x"]),
        ],
    );
    assert_eq!(got, [V, I, I, V, I, V, V]);
}

#[test]
fn strings_lengths_patterns_and_formats() {
    let got = answers(
        json!({"type": "string", "minLength": 2, "maxLength": 3}),
        &[
            json!("ab"),
            json!("a"),
            json!("abcd"),
            json!("é€"),
            json!("😀😀😀😀"),
        ],
    );
    assert_eq!(got, [V, I, I, V, I]);
    let hash = "^([a-fA-F0-9]{32}|[a-fA-F0-9]{40}|[a-fA-F0-9]{64})$";
    let got = answers(
        json!({"type": "string", "pattern": hash}),
        &[
            json!("0".repeat(40)),
            json!("0".repeat(41)),
            json!("g".repeat(32)),
            json!(5),
        ],
    );
    assert_eq!(got, [V, I, I, I]);
    // ECMA-262 semantics are jsonschema's: `.` and `\d` decided by it.
    let got = answers(
        json!({"pattern": "^a.\\d$"}),
        &[
            json!("ax1"),
            json!("a\n1"),
            json!("a\r1"),
            json!("ax١"),
            json!(3),
        ],
    );
    assert!(!got.contains(&U));
    assert_eq!(got[4], V, "pattern ignores non-strings");
    for (format, good, bad) in [
        ("date-time", "2024-01-01T00:00:00Z", "2024-13-01T00:00:00Z"),
        (
            "iri-reference",
            "https://example.com/a?b#c",
            "http://exa mple.com",
        ),
        ("idn-email", "a@example.com", "not an email"),
        ("uri", "https://example.com", "relative/path"),
    ] {
        let got = answers(
            json!({"type": "string", "format": format}),
            &[json!(good), json!(bad), json!(12)],
        );
        assert_eq!(got, [V, I, I], "{format}");
        let got = answers(
            json!({"format": format}),
            &[json!(12), json!({}), json!([])],
        );
        assert_eq!(got, [V, V, V], "{format} ignores non-strings");
    }
    // An unknown format is ignored, as by jsonschema.
    let got = answers(json!({"format": "no-such-format"}), &[json!("x")]);
    assert_eq!(got, [V]);
}

#[test]
fn numbers() {
    let got = answers(
        json!({"minimum": 0, "maximum": 1}),
        &[
            json!(0),
            json!(1),
            json!(0.5),
            json!(-1),
            json!(1.5),
            json!("9"),
        ],
    );
    assert_eq!(got, [V, V, V, I, I, V]);
    let got = answers(
        json!({"exclusiveMinimum": 0, "multipleOf": 2}),
        &[json!(2), json!(0), json!(3)],
    );
    assert_eq!(got, [V, I, I]);
}

#[test]
fn combinators() {
    let one_of = json!({"oneOf": [{"required": ["id"]}, {"required": ["name"]}]});
    let got = answers(
        one_of,
        &[
            json!({"id": 1}),
            json!({"name": 1}),
            json!({"id": 1, "name": 2}),
            json!({}),
            json!(1),
        ],
    );
    // A non-object passes both `required`s: two branches valid.
    assert_eq!(got, [V, V, I, I, I]);
    // A branch not decided: at most "unknown", unless two are certainly valid.
    let got = answers(
        json!({"oneOf": [{"type": "string"}, {"patternProperties": {"x": false}}, {"minLength": 1}]}),
        &[json!("ab"), json!({}), json!(1)],
    );
    assert_eq!(got, [I, U, U]);
    let got = answers(
        json!({"anyOf": [{"type": "string"}, {"patternProperties": {"x": false}}]}),
        &[json!("a"), json!(1)],
    );
    assert_eq!(got, [V, U]);
    let got = answers(
        json!({"anyOf": [{"type": "string"}, {"type": "integer"}]}),
        &[json!("a"), json!(1), json!(null)],
    );
    assert_eq!(got, [V, V, I]);
    let got = answers(
        json!({"allOf": [{"type": "string"}, {"maxLength": 1}], "not": {"const": "b"}}),
        &[json!("a"), json!("b"), json!("aa"), json!(1)],
    );
    assert_eq!(got, [V, I, I, I]);
    let got = answers(json!({"not": {"if": {"type": "string"}}}), &[json!("a")]);
    assert_eq!(got, [U]);
    let got = answers(
        json!({"items": [true, false]}),
        &[json!([1]), json!([1, 2])],
    );
    assert_eq!(got, [V, I]);
}

#[test]
fn references() {
    let schema = json!({
        "$id": "http://example.com/root.json",
        "definitions": {
            "s": {"type": "string", "minLength": 1},
            "node": {"type": "object", "properties": {
                "name": {"$ref": "#/definitions/s"},
                "kids": {"type": "array", "items": {"$ref": "#/definitions/node"}},
            }},
            // draft-07: the sibling `type` is ignored
            "sib": {"$ref": "#/definitions/s", "type": "integer"},
            "odd~/name": {"type": "null"},
            "loop": {"$ref": "#/definitions/loop"},
        },
        "properties": {
            "tree": {"$ref": "#/definitions/node"},
            "sib": {"$ref": "#/definitions/sib"},
            "esc": {"$ref": "#/definitions/odd~0~1name"},
            "loop": {"$ref": "#/definitions/loop"},
        },
    });
    let got = answers(
        schema.clone(),
        &[
            json!({"tree": {"name": "a", "kids": [{"name": "b", "kids": []}]}}),
            json!({"tree": {"name": "a", "kids": [{"name": ""}]}}),
            json!({"sib": "a"}),
            json!({"sib": 1}),
            json!({"esc": null}),
            json!({"esc": 1}),
        ],
    );
    assert_eq!(got, [V, I, V, I, V, I]);
    // Another document: unknown unless resolved; then its own refs resolve inside it.
    let mut with_draft = schema.clone();
    with_draft["$schema"] = json!(DRAFT7);
    with_draft["properties"]["other"] = json!({"$ref": "other.json#/definitions/x"});
    let fast = Schema::compile(&with_draft).unwrap();
    assert_eq!(fast.root().check(&json!({"other": 1})), U);
    let other = json!({"$schema": DRAFT7, "definitions": {"x": {"$ref": "#/definitions/y"}, "y": {"type": "string"}}});
    let resolve = |uri: &str| (uri == "http://example.com/other.json").then_some(&other);
    let fast = Schema::compile_with(&with_draft, &resolve).unwrap();
    let registry = jsonschema::Registry::new()
        .extend([("http://example.com/other.json".to_string(), other.clone())])
        .unwrap()
        .prepare()
        .unwrap();
    let full = jsonschema::options()
        .with_registry(&registry)
        .should_validate_formats(true)
        .offline()
        .build(&with_draft)
        .unwrap();
    assert_eq!(answer(fast.root(), &full, &json!({"other": "s"})), V);
    assert_eq!(answer(fast.root(), &full, &json!({"other": 1})), I);
    // A reference loop without a value to descend into is not decided.
    assert_eq!(fast.root().check(&json!({"loop": 1})), U);
}

#[test]
fn other_dialects_and_nested_ids_are_not_compiled() {
    assert!(Schema::compile(&json!({"type": "string"})).is_none());
    assert!(
        Schema::compile(&json!({"$schema": "https://json-schema.org/draft/2020-12/schema"}))
            .is_none()
    );
    let got = answers(
        json!({"properties": {"a": {"$id": "http://x/y.json", "type": "string"}}}),
        &[json!({"a": "s"}), json!({"a": 1})],
    );
    assert_eq!(got, [U, U]);
}

/// Every vendored draft-07 schema compiles, and the elements and documents of the bundled
/// test data get jsonschema's answer (those valid, certainly).
#[test]
fn agrees_with_jsonschema_on_the_official_schemas() {
    use crate::sbom::schema::{self, SchemaId};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/sbom");
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                files.push(p);
            }
        }
    }
    let mut decided = 0;
    for path in files {
        let Ok(doc) = serde_json::from_str::<Value>(&std::fs::read_to_string(&path).unwrap())
        else {
            continue;
        };
        let id = match (doc.get("specVersion"), doc.get("spdxVersion")) {
            (Some(v), _) => v.as_str().and_then(SchemaId::cyclonedx),
            (_, Some(v)) if v == "SPDX-2.3" => Some(SchemaId::Spdx23),
            (_, Some(v)) if v == "SPDX-2.2" => Some(SchemaId::Spdx22),
            _ => None,
        };
        let Some(id) = id else { continue };
        let fast = schema::fast(id).expect("draft-07 schemas compile");
        let full = schema::validator(id);
        if answer(fast.root(), full, &doc) != Tri::Unknown {
            decided += 1;
        }
        if full.is_valid(&doc) {
            assert!(fast.certainly_valid(&doc), "{}", path.display());
        }
    }
    assert!(decided > 5, "{decided}");
}

/// Every JSON value in `v`, by JSON pointer.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                pointers(
                    x,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                pointers(x, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// Small changes to a document: each must get jsonschema's answer when a certain one is given.
fn mutations(doc: &Value) -> Vec<Value> {
    let mut at = Vec::new();
    pointers(doc, String::new(), &mut at);
    let mut out = Vec::new();
    for (n, p) in at.iter().enumerate().filter(|(_, p)| !p.is_empty()) {
        let replacement = match n % 6 {
            0 => json!(1),
            1 => json!("x"),
            2 => json!(null),
            3 => json!({}),
            4 => json!([]),
            _ => json!("2024-01-01T00:00:00Z"),
        };
        let mut m = doc.clone();
        *m.pointer_mut(p).unwrap() = replacement;
        out.push(m);
        // Remove the member, or repeat the element.
        let (parent, last) = p.rsplit_once('/').unwrap();
        let mut m = doc.clone();
        match m.pointer_mut(parent).unwrap() {
            Value::Object(o) => {
                o.remove(&last.replace("~1", "/").replace("~0", "~"));
            }
            Value::Array(a) => {
                let i: usize = last.parse().unwrap();
                let x = a[i].clone();
                a.push(x);
            }
            _ => {}
        }
        out.push(m);
    }
    out
}

/// The CycloneDX conformance cases (`$TOLLGATE_CONFORMANCE`, when present), whole and
/// mutated: every certain answer is jsonschema's, and every valid case is certainly valid.
#[test]
fn agrees_with_jsonschema_on_the_cyclonedx_conformance_cases() {
    use crate::sbom::schema::{self, SchemaId};
    let dir = std::env::var_os("TOLLGATE_CONFORMANCE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance")
        })
        .join("cyclonedx-specification");
    let Ok(versions) = std::fs::read_dir(&dir) else {
        eprintln!("SKIPPED: conformance corpus not found (set TOLLGATE_CONFORMANCE)");
        return;
    };
    let (mut cases, mut certain, mut total) = (0, 0, 0);
    for v in versions {
        let v = v.unwrap().path();
        let Ok(files) = std::fs::read_dir(&v) else {
            continue;
        };
        for f in files {
            let f = f.unwrap().path();
            if f.extension().is_none_or(|x| x != "json") {
                continue;
            }
            let Ok(doc) = serde_json::from_str::<Value>(&std::fs::read_to_string(&f).unwrap())
            else {
                continue;
            };
            let Some(id) = doc
                .get("specVersion")
                .and_then(Value::as_str)
                .and_then(SchemaId::cyclonedx)
            else {
                continue;
            };
            cases += 1;
            let fast = schema::fast(id).unwrap().root();
            let full = schema::validator(id);
            if full.is_valid(&doc) {
                assert_eq!(fast.check(&doc), V, "{}", f.display());
            }
            for m in mutations(&doc).iter().take(400) {
                total += 1;
                if answer(fast, full, m) != U {
                    certain += 1;
                }
            }
        }
    }
    eprintln!("{cases} cases, {total} mutations, {certain} decided");
    assert!(cases >= 150, "{cases}");
}

/// A typical CycloneDX 1.6 document (as `bench/gen_sbom.py` writes them) is certainly valid
/// without building any `jsonschema` validator.
#[test]
fn typical_cyclonedx_needs_no_jsonschema_validator() {
    use crate::sbom::schema::{SchemaId, compile_fast};
    let doc = json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX", "specVersion": "1.6",
        "serialNumber": "urn:uuid:9a75f6e2-bf53-442c-a2e1-28311f6dfc21", "version": 1,
        "metadata": {
            "timestamp": "2026-11-20T09:30:00Z",
            "lifecycles": [{"phase": "build"}],
            "tools": {"components": [{"type": "application", "group": "g", "name": "gen",
                "version": "1.0.0", "description": "d"}]},
            "authors": [{"name": "Release Engineering", "email": "release@example.com"}],
            "component": {"type": "application", "bom-ref": "pkg:generic/acme/a@4.2.0",
                "group": "acme", "name": "a", "version": "4.2.0",
                "purl": "pkg:generic/acme/a@4.2.0",
                "licenses": [{"license": {"id": "Apache-2.0"}}]},
            "supplier": {"name": "Acme Corp", "url": ["https://acme.example.com"]},
        },
        "components": [{
            "type": "library", "bom-ref": "pkg:npm/x@2.17.12", "name": "x", "version": "2.17.12",
            "scope": "required",
            "supplier": {"name": "P", "url": ["https://www.npmjs.com/package/x"]},
            "hashes": [{"alg": "SHA-256", "content": "16fcf791c68ab8370d6dff5869ab60b0ba4d539c171c7d3e3c359161e79dbcaf"}],
            "licenses": [{"license": {"id": "ISC"}}, {"license": {"name": "Custom"}}],
            "purl": "pkg:npm/x@2.17.12",
            "externalReferences": [{"type": "website", "url": "https://www.npmjs.com/package/x"}],
            "properties": [{"name": "cdx:npm:package:path", "value": "node_modules/x"}],
        }, {
            "type": "library", "name": "y", "version": "1",
            "licenses": [{"expression": "MIT OR Apache-2.0"}],
        }],
        "dependencies": [
            {"ref": "pkg:generic/acme/a@4.2.0", "dependsOn": ["pkg:npm/x@2.17.12"]},
            {"ref": "pkg:npm/x@2.17.12", "dependsOn": []},
        ],
    });
    let fast = compile_fast(SchemaId::CycloneDx16).unwrap();
    assert_eq!(fast.root().check(&doc), V);
    assert!(fast.built().is_empty(), "{:?}", fast.built());
}

/// Compiling never recurses deeply: the largest schema compiles on a small stack.
#[test]
fn compiles_on_a_small_stack() {
    use crate::sbom::schema::{SchemaId, compile_fast};
    let t = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| compile_fast(SchemaId::CycloneDx17).is_some())
        .unwrap();
    assert!(t.join().unwrap());
}
