//! A quick "certainly valid" check in front of the `jsonschema` validator.
//!
//! The official SBOM schemas (SPDX 2.2/2.3, CycloneDX 1.2–1.7, all JSON Schema draft-07) are
//! compiled into a small tree of the keywords they use. Evaluating a value gives one of three
//! answers: certainly valid, certainly invalid, or unknown. Both certain answers are exact — they
//! are what `jsonschema` would say — and everything this module cannot decide for sure is
//! "unknown"; the caller then runs the full `jsonschema` validator, which also produces every
//! message. So the checker only ever saves work; it never decides a finding. (The "certainly
//! invalid" answer is needed inside `oneOf`/`anyOf`/`not`, which CycloneDX uses for licences,
//! tools and lifecycles.)
//!
//! Structural keywords are evaluated here: `type`, string `enum`/`const`, `properties`,
//! `required`, `additionalProperties`, `items` (one schema or a tuple), `additionalItems`,
//! `minItems`/`maxItems`, `minLength`/`maxLength` (code points, as `jsonschema` counts),
//! `uniqueItems` over strings, `allOf`/`anyOf`/`oneOf`/`not`, boolean schemas and `$ref` (JSON
//! pointers into the schema itself or into the support schemas it names; draft-07 ignores a
//! `$ref`'s siblings, as `jsonschema` does). Keywords that look at one value alone and whose
//! exact meaning belongs to `jsonschema` — `pattern` (ECMA-262 regexes), `format` (`date-time`,
//! `iri-reference`, `idn-email`, …), numeric bounds, other `enum`s/`const`s — are delegated to a
//! tiny `jsonschema` validator built from just those keywords (on first use), so their answers
//! are `jsonschema`'s by construction. Anything else (`if`, `dependencies`, `patternProperties`,
//! `contains`, a nested `$id`, another draft, a number that may or may not be an integer) is
//! "unknown".

mod native;

use super::fastjson::{Json, Kind, Node};
use foldhash::{HashMap, HashMapExt, HashSet};
use serde_json::{Map, Value};
use std::sync::{LazyLock, OnceLock};

/// A value that can also be handed to `jsonschema` (for delegated keywords).
pub trait Instance: Json {
    fn owned(&self) -> Value;
}

impl Instance for Value {
    fn owned(&self) -> Value {
        self.clone()
    }
}

impl Instance for Node<'_> {
    fn owned(&self) -> Value {
        self.to_value()
    }
}

/// The only dialect compiled: every vendored SBOM schema but SPDX 3 uses it.
const DRAFT7: &str = "http://json-schema.org/draft-07/schema#";

/// Keywords without effect on validity (in draft-07, for `jsonschema`).
const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "$comment",
    "examples",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "definitions",
    "meta:enum",
];

/// Keywords about one value alone, left to `jsonschema`, with the JSON types they look at.
const DELEGATED: &[(&str, u8)] = &[
    ("pattern", STRING),
    ("format", STRING),
    ("contentEncoding", STRING),
    ("contentMediaType", STRING),
    ("minimum", NUMBERS),
    ("maximum", NUMBERS),
    ("exclusiveMinimum", NUMBERS),
    ("exclusiveMaximum", NUMBERS),
    ("multipleOf", NUMBERS),
    ("minProperties", OBJECT),
    ("maxProperties", OBJECT),
    ("enum", ALL),
    ("const", ALL),
];

const NULL: u8 = 1;
const BOOL: u8 = 2;
const INTEGER: u8 = 4;
const NUMBER: u8 = 8;
const STRING: u8 = 16;
const ARRAY: u8 = 32;
const OBJECT: u8 = 64;
const NUMBERS: u8 = INTEGER | NUMBER;
const ALL: u8 = 127;

fn bit(kind: Kind) -> u8 {
    match kind {
        Kind::Null => NULL,
        Kind::Bool => BOOL,
        Kind::Integer => INTEGER,
        Kind::Number => NUMBER,
        Kind::String => STRING,
        Kind::Array => ARRAY,
        Kind::Object => OBJECT,
    }
}

/// The answer for one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    Valid,
    Invalid,
    Unknown,
}

impl From<bool> for Tri {
    fn from(b: bool) -> Tri {
        if b { Tri::Valid } else { Tri::Invalid }
    }
}

/// A compiled schema: an arena of nodes, `$ref`s being indices into it.
#[derive(Debug)]
pub struct Schema {
    nodes: Vec<Def>,
}

#[derive(Debug)]
enum Def {
    True,
    False,
    Unknown,
    Ref(usize),
    Keywords(Box<Keywords>),
}

#[derive(Debug, Default)]
enum Items {
    #[default]
    Any,
    One(usize),
    Tuple(Vec<usize>),
}

#[derive(Debug, Default)]
struct Keywords {
    /// An unsupported keyword: at best "unknown".
    unknown: bool,
    types: Option<u8>,
    /// String `enum`s and `const`s: the value must be in each set.
    enum_strings: Vec<HashSet<String>>,
    /// Required members without a `properties` entry (found by a scan).
    required: Vec<String>,
    /// Bits of the required members that have a `properties` entry (set while the members are
    /// checked).
    required_bits: u64,
    /// Subschema and required bit (0 for none) of each member in `properties`.
    properties: HashMap<String, (usize, u64)>,
    additional_properties: Option<usize>,
    items: Items,
    additional_items: Option<usize>,
    min_items: Option<usize>,
    max_items: Option<usize>,
    min_length: Option<usize>,
    max_length: Option<usize>,
    unique_items: bool,
    all_of: Vec<usize>,
    any_of: Vec<usize>,
    one_of: Vec<usize>,
    not: Option<usize>,
    delegated: Option<Delegated>,
}

/// Keywords checked by a tiny `jsonschema` validator, compiled on first use.
#[derive(Debug)]
struct Delegated {
    /// The JSON types the keywords look at; other values pass them.
    applies_to: u8,
    schema: Value,
    /// Native checks for every delegated keyword about strings, when there is one for each
    /// (see `native`): a string they all accept needs no validator.
    strings: Option<Vec<native::Native>>,
    /// The same for integers (numeric bounds).
    integers: Option<Vec<native::Bound>>,
    validator: OnceLock<Option<jsonschema::Validator>>,
}

/// The options `schema.rs` compiles the full validators with.
fn build(schema: &Value) -> Option<jsonschema::Validator> {
    jsonschema::options()
        .should_validate_formats(true)
        .offline()
        .build(schema)
        .ok()
}

impl Delegated {
    fn check<J: Instance>(&self, v: &J) -> Tri {
        if self.applies_to & bit(v.kind()) == 0 {
            return Tri::Valid;
        }
        if let (Some(checks), Some(s)) = (&self.strings, v.as_str()) {
            let mut all = Tri::Valid;
            for c in checks {
                match c.check(s) {
                    Tri::Invalid => return Tri::Invalid,
                    Tri::Unknown => all = Tri::Unknown,
                    Tri::Valid => {}
                }
            }
            if all == Tri::Valid {
                return Tri::Valid;
            }
        }
        if let (Some(bounds), Kind::Integer) = (&self.integers, v.kind()) {
            let n = v.owned();
            let mut all = Tri::Valid;
            for b in bounds {
                match b.check(&n) {
                    Tri::Invalid => return Tri::Invalid,
                    Tri::Unknown => all = Tri::Unknown,
                    Tri::Valid => {}
                }
            }
            if all == Tri::Valid {
                return Tri::Valid;
            }
        }
        match self.validator.get_or_init(|| build(&self.schema)) {
            Some(validator) => validator.is_valid(&v.owned()).into(),
            None => Tri::Unknown,
        }
    }
}

static UNIQUE: LazyLock<Option<jsonschema::Validator>> =
    LazyLock::new(|| build(&serde_json::json!({"$schema": DRAFT7, "uniqueItems": true})));

/// One schema document during compilation: its JSON and the URI relative `$ref`s resolve
/// against.
struct Doc<'a> {
    value: &'a Value,
    base: Option<String>,
}

struct Compiler<'a, 'r> {
    docs: Vec<Doc<'a>>,
    resolve: &'r dyn Fn(&str) -> Option<&'a Value>,
    seen: HashMap<(usize, String), usize>,
    nodes: Vec<Def>,
    pending: Vec<(usize, usize, String)>,
}

fn is_draft7(doc: &Value) -> bool {
    doc.get("$schema")
        .and_then(Value::as_str)
        .is_some_and(|s| s.trim_end_matches('#') == DRAFT7.trim_end_matches('#'))
}

impl<'a> Compiler<'a, '_> {
    /// The node for the value at `pointer` in document `doc`: allocated once, compiled later
    /// by [`Compiler::run`] (a work list, so deep schemas never recurse deeply).
    fn node_at(&mut self, doc: usize, pointer: &str) -> usize {
        if let Some(&id) = self.seen.get(&(doc, pointer.to_string())) {
            return id;
        }
        let id = self.nodes.len();
        self.nodes.push(Def::Unknown);
        self.seen.insert((doc, pointer.to_string()), id);
        self.pending.push((id, doc, pointer.to_string()));
        id
    }

    /// Compile every node reachable from those allocated so far.
    fn run(&mut self) {
        while let Some((id, doc, pointer)) = self.pending.pop() {
            self.nodes[id] = self
                .lookup(doc, &pointer)
                .map_or(Def::Unknown, |v| self.compile_value(doc, &pointer, v));
        }
    }

    /// The value at `pointer`, unless a subschema on the way declares its own `$id` (which
    /// would change how references inside resolve).
    fn lookup(&self, doc: usize, pointer: &str) -> Option<&'a Value> {
        let mut v = self.docs[doc].value;
        if pointer.is_empty() {
            return Some(v);
        }
        for token in pointer.strip_prefix('/')?.split('/') {
            let token = token.replace("~1", "/").replace("~0", "~");
            v = match v {
                Value::Object(m) => m.get(&token)?,
                Value::Array(a) => a.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
            if v.get("$id").is_some() {
                return None;
            }
        }
        Some(v)
    }

    fn child(&mut self, doc: usize, pointer: &str, key: &str) -> usize {
        let escaped = key.replace('~', "~0").replace('/', "~1");
        self.node_at(doc, &format!("{pointer}/{escaped}"))
    }

    /// The node a `$ref` points to.
    fn reference(&mut self, doc: usize, reference: &str) -> Option<usize> {
        let (uri, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        if fragment.contains('%') || !(fragment.is_empty() || fragment.starts_with('/')) {
            return None;
        }
        let target = if uri.is_empty() {
            doc
        } else {
            let absolute = if uri.contains("://") {
                uri.to_string()
            } else {
                let base = self.docs[doc].base.as_deref()?;
                format!("{}{uri}", &base[..base.rfind('/')? + 1])
            };
            match self
                .docs
                .iter()
                .position(|d| d.base.as_deref() == Some(absolute.as_str()))
            {
                Some(i) => i,
                None => {
                    let value = (self.resolve)(&absolute)?;
                    if !is_draft7(value) {
                        return None;
                    }
                    self.docs.push(Doc {
                        value,
                        base: Some(absolute),
                    });
                    self.docs.len() - 1
                }
            }
        };
        Some(self.node_at(target, fragment))
    }

    fn compile_value(&mut self, doc: usize, pointer: &str, schema: &'a Value) -> Def {
        let obj = match schema {
            Value::Bool(true) => return Def::True,
            Value::Bool(false) => return Def::False,
            Value::Object(o) => o,
            _ => return Def::Unknown,
        };
        if !pointer.is_empty() && obj.contains_key("$id") {
            return Def::Unknown;
        }
        // Draft-07: a `$ref` replaces every sibling keyword.
        if let Some(r) = obj.get("$ref") {
            return match r.as_str().and_then(|r| self.reference(doc, r)) {
                Some(id) => Def::Ref(id),
                None => Def::Unknown,
            };
        }
        let mut k = Keywords::default();
        let mut delegated = Map::new();
        let mut applies_to = 0u8;
        for (key, v) in obj {
            let key = key.as_str();
            let ok = match key {
                "$schema" | "$id" if pointer.is_empty() => true,
                "type" => self.types(&mut k, v),
                "enum" if v.as_array().is_some_and(|a| a.iter().all(Value::is_string)) => {
                    let a = v.as_array().map_or(&[][..], Vec::as_slice);
                    k.enum_strings.push(
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect(),
                    );
                    true
                }
                "const" if v.is_string() => {
                    k.enum_strings
                        .push(v.as_str().map(str::to_string).into_iter().collect());
                    true
                }
                "required" => v
                    .as_array()
                    .and_then(|a| a.iter().map(|r| r.as_str().map(str::to_string)).collect())
                    .map(|r| k.required = r)
                    .is_some(),
                "properties" => match v.as_object() {
                    Some(props) => {
                        let at = format!("{pointer}/properties");
                        for name in props.keys() {
                            let id = self.child(doc, &at, name);
                            k.properties.insert(name.clone(), (id, 0));
                        }
                        true
                    }
                    None => false,
                },
                "additionalProperties" => {
                    k.additional_properties = Some(self.child(doc, pointer, key));
                    true
                }
                "items" => match v {
                    Value::Array(a) => {
                        let at = format!("{pointer}/items");
                        k.items = Items::Tuple(
                            (0..a.len())
                                .map(|i| self.child(doc, &at, &i.to_string()))
                                .collect(),
                        );
                        true
                    }
                    _ => {
                        k.items = Items::One(self.child(doc, pointer, key));
                        true
                    }
                },
                "additionalItems" => {
                    k.additional_items = Some(self.child(doc, pointer, key));
                    true
                }
                "minItems" => count(v).map(|n| k.min_items = Some(n)).is_some(),
                "maxItems" => count(v).map(|n| k.max_items = Some(n)).is_some(),
                "minLength" => count(v).map(|n| k.min_length = Some(n)).is_some(),
                "maxLength" => count(v).map(|n| k.max_length = Some(n)).is_some(),
                "uniqueItems" => v.as_bool().map(|u| k.unique_items = u).is_some(),
                "allOf" | "anyOf" | "oneOf" => match v.as_array() {
                    Some(a) if !a.is_empty() => {
                        let at = format!("{pointer}/{key}");
                        let ids = (0..a.len())
                            .map(|i| self.child(doc, &at, &i.to_string()))
                            .collect();
                        match key {
                            "allOf" => k.all_of = ids,
                            "anyOf" => k.any_of = ids,
                            _ => k.one_of = ids,
                        }
                        true
                    }
                    _ => false,
                },
                "not" => {
                    k.not = Some(self.child(doc, pointer, key));
                    true
                }
                _ if ANNOTATIONS.contains(&key) => true,
                _ => match DELEGATED.iter().find(|(name, _)| *name == key) {
                    Some((_, kinds)) => {
                        delegated.insert(key.to_string(), v.clone());
                        applies_to |= kinds;
                        true
                    }
                    None => false,
                },
            };
            k.unknown |= !ok;
        }
        // Required members with a subschema get a bit each (up to 64), checked during the
        // member loop instead of by a scan per name.
        let mut scan = Vec::new();
        for name in std::mem::take(&mut k.required) {
            let next = 1u64 << (k.required_bits.count_ones() % 64);
            match k.properties.get_mut(&name) {
                Some((_, bit)) if *bit == 0 && k.required_bits.count_ones() < 64 => {
                    *bit = next;
                    k.required_bits |= next;
                }
                Some((_, bit)) if *bit != 0 => {}
                _ => scan.push(name),
            }
        }
        k.required = scan;
        if !delegated.is_empty() {
            let strings = delegated
                .iter()
                .filter(|(key, _)| {
                    DELEGATED
                        .iter()
                        .any(|(name, kinds)| name == key && kinds & STRING != 0)
                })
                .map(|(key, v)| native::Native::for_keyword(key, v))
                .collect();
            let integers = delegated
                .iter()
                .filter(|(key, _)| {
                    DELEGATED
                        .iter()
                        .any(|(name, kinds)| name == key && kinds & INTEGER != 0)
                })
                .map(|(key, v)| native::Bound::for_keyword(key, v))
                .collect();
            delegated.insert("$schema".into(), Value::String(DRAFT7.into()));
            k.delegated = Some(Delegated {
                applies_to,
                schema: Value::Object(delegated),
                strings,
                integers,
                validator: OnceLock::new(),
            });
        }
        Def::Keywords(Box::new(k))
    }

    fn types(&mut self, k: &mut Keywords, v: &Value) -> bool {
        let names: Vec<&str> = match v {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => match a.iter().map(Value::as_str).collect::<Option<_>>() {
                Some(n) => n,
                None => return false,
            },
            _ => return false,
        };
        let mut mask = 0;
        for n in names {
            mask |= match n {
                "null" => NULL,
                "boolean" => BOOL,
                "integer" => INTEGER,
                "number" => NUMBERS,
                "string" => STRING,
                "array" => ARRAY,
                "object" => OBJECT,
                _ => return false,
            };
        }
        k.types = Some(mask);
        true
    }
}

fn count(v: &Value) -> Option<usize> {
    usize::try_from(v.as_u64()?).ok()
}

/// A subschema of a compiled [`Schema`].
#[derive(Debug, Clone, Copy)]
pub struct Sub<'s> {
    schema: &'s Schema,
    id: usize,
}

/// References followed without consuming the value before giving up (a `$ref` loop).
const MAX_DEPTH: u32 = 256;

impl Schema {
    /// Compile `schema` (draft-07), resolving `$ref`s within it only; `None` for another
    /// dialect.
    pub fn compile(schema: &Value) -> Option<Schema> {
        Self::compile_with(schema, &|_| None)
    }

    /// Compile `schema`; `resolve` gives the documents other than `schema` that `$ref`s name,
    /// by absolute URI.
    pub fn compile_with<'a>(
        schema: &'a Value,
        resolve: &dyn Fn(&str) -> Option<&'a Value>,
    ) -> Option<Schema> {
        if !is_draft7(schema) {
            return None;
        }
        let base = schema
            .get("$id")
            .and_then(Value::as_str)
            .map(str::to_string);
        let mut c = Compiler {
            docs: vec![Doc {
                value: schema,
                base,
            }],
            resolve,
            seen: HashMap::new(),
            nodes: Vec::new(),
            pending: Vec::new(),
        };
        let root = c.node_at(0, "");
        c.run();
        // A reference to a reference points straight at the end of the chain (a loop stays).
        for id in 0..c.nodes.len() {
            if let Def::Ref(mut target) = c.nodes[id] {
                let mut steps = 0;
                while let Def::Ref(next) = c.nodes[target] {
                    steps += 1;
                    if steps > 64 {
                        break;
                    }
                    target = next;
                }
                if steps <= 64 {
                    c.nodes[id] = Def::Ref(target);
                }
            }
        }
        debug_assert_eq!(root, 0);
        Some(Schema { nodes: c.nodes })
    }

    /// The whole schema.
    pub fn root(&self) -> Sub<'_> {
        Sub {
            schema: self,
            id: 0,
        }
    }

    /// `true` only when `v` is valid against the whole schema.
    pub fn certainly_valid<J: Instance>(&self, v: &J) -> bool {
        self.root().certainly_valid(v)
    }

    /// The delegated keyword groups whose `jsonschema` validator has been built.
    #[cfg(test)]
    fn built(&self) -> Vec<&Value> {
        self.nodes
            .iter()
            .filter_map(|n| match n {
                Def::Keywords(k) => k.delegated.as_ref(),
                _ => None,
            })
            .filter(|d| d.validator.get().is_some())
            .map(|d| &d.schema)
            .collect()
    }

    fn keywords(&self, id: usize) -> Option<&Keywords> {
        match &self.nodes[id] {
            Def::Keywords(k) => Some(k),
            _ => None,
        }
    }

    fn eval<J: Instance>(&self, mut id: usize, v: &J, mut depth: u32) -> Tri {
        loop {
            if depth > MAX_DEPTH {
                return Tri::Unknown;
            }
            depth += 1;
            match &self.nodes[id] {
                Def::True => return Tri::Valid,
                Def::False => return Tri::Invalid,
                Def::Unknown => return Tri::Unknown,
                Def::Ref(target) => id = *target,
                Def::Keywords(k) => return self.eval_keywords(k, v, depth),
            }
        }
    }

    fn eval_keywords<J: Instance>(&self, k: &Keywords, v: &J, depth: u32) -> Tri {
        let mut acc = if k.unknown { Tri::Unknown } else { Tri::Valid };
        macro_rules! step {
            ($t:expr) => {
                match $t {
                    Tri::Invalid => return Tri::Invalid,
                    Tri::Unknown => acc = Tri::Unknown,
                    Tri::Valid => {}
                }
            };
        }
        let kind = v.kind();
        if let Some(mask) = k.types {
            step!(match kind {
                // `1.0` is an integer to draft-07 `jsonschema`; a literal with a fraction or
                // exponent may or may not be one.
                Kind::Number if mask & NUMBER == 0 && mask & INTEGER != 0 => Tri::Unknown,
                _ => Tri::from(mask & bit(kind) != 0),
            });
        }
        for allowed in &k.enum_strings {
            step!(v.as_str().is_some_and(|s| allowed.contains(s)).into());
        }
        match kind {
            Kind::String if k.min_length.is_some() || k.max_length.is_some() => {
                let n = v.as_str().map_or(0, |s| s.chars().count());
                step!(Tri::from(
                    k.min_length.is_none_or(|m| n >= m) && k.max_length.is_none_or(|m| n <= m)
                ));
            }
            Kind::Object => {
                if !k.required.iter().all(|r| v.get(r).is_some()) {
                    return Tri::Invalid;
                }
                if !k.properties.is_empty() || k.additional_properties.is_some() {
                    let mut res = Tri::Valid;
                    let mut seen = 0u64;
                    let complete = v.all_members(&mut |key, m| {
                        let sub = match k.properties.get(key) {
                            Some(&(id, bit)) => {
                                seen |= bit;
                                Some(id)
                            }
                            None => k.additional_properties,
                        };
                        match sub.map_or(Tri::Valid, |id| self.eval(id, m, depth)) {
                            // The reader refuses repeated keys; were one to get here, only
                            // the last value would count (as in serde_json): an earlier one
                            // decides nothing.
                            Tri::Invalid
                                if !v.get(key).is_some_and(|last| std::ptr::eq(last, m)) =>
                            {
                                res = Tri::Unknown;
                                true
                            }
                            Tri::Invalid => {
                                res = Tri::Invalid;
                                false
                            }
                            Tri::Unknown => {
                                res = Tri::Unknown;
                                true
                            }
                            Tri::Valid => true,
                        }
                    });
                    if complete && seen & k.required_bits != k.required_bits {
                        return Tri::Invalid;
                    }
                    step!(res);
                }
            }
            Kind::Array => {
                let items = v.as_array().unwrap_or(&[]);
                step!(Tri::from(
                    k.min_items.is_none_or(|n| items.len() >= n)
                        && k.max_items.is_none_or(|n| items.len() <= n)
                ));
                match &k.items {
                    Items::Any => {}
                    Items::One(id) => {
                        for x in items {
                            step!(self.eval(*id, x, depth));
                        }
                    }
                    Items::Tuple(ids) => {
                        for (i, x) in items.iter().enumerate() {
                            match ids.get(i).copied().or(k.additional_items) {
                                Some(id) => step!(self.eval(id, x, depth)),
                                None => break,
                            }
                        }
                    }
                }
                if k.unique_items && items.len() > 1 {
                    step!(unique(items));
                }
            }
            _ => {}
        }
        for id in &k.all_of {
            step!(self.eval(*id, v, depth));
        }
        if !k.any_of.is_empty() {
            let mut res = Tri::Invalid;
            for id in &k.any_of {
                match self.eval(*id, v, depth) {
                    Tri::Valid => {
                        res = Tri::Valid;
                        break;
                    }
                    Tri::Unknown => res = Tri::Unknown,
                    Tri::Invalid => {}
                }
            }
            step!(res);
        }
        if !k.one_of.is_empty() {
            let (mut valid, mut unknown) = (0, 0);
            for id in &k.one_of {
                match self.eval(*id, v, depth) {
                    Tri::Valid => valid += 1,
                    Tri::Unknown => unknown += 1,
                    Tri::Invalid => {}
                }
            }
            step!(match (valid, unknown) {
                (n, _) if n > 1 => Tri::Invalid,
                (1, 0) => Tri::Valid,
                (0, 0) => Tri::Invalid,
                _ => Tri::Unknown,
            });
        }
        if let Some(id) = k.not {
            step!(match self.eval(id, v, depth) {
                Tri::Valid => Tri::Invalid,
                Tri::Invalid => Tri::Valid,
                Tri::Unknown => Tri::Unknown,
            });
        }
        if let Some(d) = &k.delegated {
            step!(d.check(v));
        }
        acc
    }
}

/// `uniqueItems` for two or more elements: exact for strings, `jsonschema`'s answer otherwise.
fn unique<J: Instance>(items: &[J]) -> Tri {
    if items.iter().all(|x| x.as_str().is_some()) {
        let mut seen = HashSet::default();
        return Tri::from(
            items
                .iter()
                .filter_map(Json::as_str)
                .all(|s| seen.insert(s)),
        );
    }
    match UNIQUE.as_ref() {
        Some(validator) => validator
            .is_valid(&Value::Array(items.iter().map(Instance::owned).collect()))
            .into(),
        None => Tri::Unknown,
    }
}

impl<'s> Sub<'s> {
    /// The subschema of member `key` (`properties.<key>`), if written there.
    pub fn property(self, key: &str) -> Option<Sub<'s>> {
        let (id, _) = *self.schema.keywords(self.id)?.properties.get(key)?;
        Some(Sub { id, ..self })
    }

    /// The schema of an array's elements (`items`), if one schema is written there.
    pub fn items(self) -> Option<Sub<'s>> {
        match self.schema.keywords(self.id)?.items {
            Items::One(id) => Some(Sub { id, ..self }),
            _ => None,
        }
    }

    /// The three-valued answer for `v`.
    pub fn check<J: Instance>(self, v: &J) -> Tri {
        self.schema.eval(self.id, v, 0)
    }

    /// `true` only when `v` is valid against this subschema.
    pub fn certainly_valid<J: Instance>(self, v: &J) -> bool {
        self.check(v) == Tri::Valid
    }
}

#[cfg(test)]
mod tests;
