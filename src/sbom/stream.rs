//! Streaming JSON parse for large SBOMs: the big top-level arrays (components, dependencies,
//! packages, relationships…) are handed to a callback one element at a time and never held as a
//! whole, so peak memory is the input bytes plus one element plus what the checks keep.
//! Everything else forms a small "skeleton" document in which each streamed array is `[]`.

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// Callback receiving `(top-level key, index, element)`.
pub type OnItem<'a> = dyn FnMut(&str, usize, Value) + 'a;

/// Parse `bytes`; members named in `streamed` whose value is an array are streamed to `on_item`
/// and left as `[]` in the returned skeleton. Returns the skeleton and the keys that were
/// streamed. A top level that is not an object is returned whole.
pub fn parse(
    bytes: &[u8],
    streamed: &[&str],
    on_item: &mut OnItem<'_>,
) -> Result<(Value, Vec<String>), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut keys = Vec::new();
    let value = de.deserialize_any(TopVisitor {
        streamed,
        on_item,
        keys: &mut keys,
    })?;
    de.end()?;
    Ok((value, keys))
}

/// The top-level scalar members used to recognise a document, without building the rest.
pub fn top_level_strings(
    bytes: &[u8],
    wanted: &[&str],
) -> Result<Map<String, Value>, serde_json::Error> {
    struct Pick<'w> {
        wanted: &'w [&'w str],
    }
    impl<'de> Visitor<'de> for Pick<'_> {
        type Value = Map<String, Value>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a JSON value")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Map::new();
            while let Some(k) = map.next_key::<String>()? {
                if self.wanted.contains(&k.as_str()) {
                    let v: Value = map.next_value()?;
                    out.insert(k, v);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(out)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(Map::new())
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(Map::new())
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(Map::new())
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(Map::new())
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(Map::new())
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok(Map::new())
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(Map::new())
        }
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let out = de.deserialize_any(Pick { wanted })?;
    de.end()?;
    Ok(out)
}

struct TopVisitor<'s, 'c, 'k> {
    streamed: &'s [&'s str],
    on_item: &'c mut OnItem<'c>,
    keys: &'k mut Vec<String>,
}

impl<'de> Visitor<'de> for TopVisitor<'_, '_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if self.streamed.contains(&key.as_str()) {
                let got = map.next_value_seed(ItemsSeed {
                    key: &key,
                    on_item: &mut *self.on_item,
                })?;
                match got {
                    Some(v) => {
                        out.insert(key, v);
                    }
                    None => {
                        self.keys.push(key.clone());
                        out.insert(key, Value::Array(Vec::new()));
                    }
                }
            } else {
                let v: Value = map.next_value()?;
                out.insert(key, v);
            }
        }
        Ok(Value::Object(out))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Value, A::Error> {
        Value::deserialize(de::value::SeqAccessDeserializer::new(seq))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}

use serde::Deserialize;

/// Streams an array's elements; any other value is returned whole (`Some`).
struct ItemsSeed<'k, 'c, 'd> {
    key: &'k str,
    on_item: &'c mut OnItem<'d>,
}

impl<'de> DeserializeSeed<'de> for ItemsSeed<'_, '_, '_> {
    type Value = Option<Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Value>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ItemsSeed<'_, '_, '_> {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<Value>, A::Error> {
        let mut i = 0usize;
        while let Some(v) = seq.next_element::<Value>()? {
            (self.on_item)(self.key, i, v);
            i += 1;
        }
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<Value>, A::Error> {
        Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Option<Value>, E> {
        Ok(Some(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Option<Value>, E> {
        Ok(Some(Value::Number(v.into())))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Option<Value>, E> {
        Ok(Some(Value::Number(v.into())))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Option<Value>, E> {
        Ok(Some(Number::from_f64(v).map_or(Value::Null, Value::Number)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Option<Value>, E> {
        Ok(Some(Value::String(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Option<Value>, E> {
        Ok(Some(Value::String(v)))
    }
    fn visit_unit<E>(self) -> Result<Option<Value>, E> {
        Ok(Some(Value::Null))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_arrays_and_keeps_the_rest() {
        let text = br#"{"a": [1, {"x": 2}], "b": {"c": [3]}, "d": "no array", "e": [4]}"#;
        let mut seen = Vec::new();
        let (skel, keys) = parse(text, &["a", "d"], &mut |k, i, v| {
            seen.push((k.to_string(), i, v))
        })
        .unwrap();
        assert_eq!(keys, vec!["a"]);
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[1], ("a".to_string(), 1, serde_json::json!({"x": 2})));
        assert_eq!(
            skel,
            serde_json::json!({"a": [], "b": {"c": [3]}, "d": "no array", "e": [4]})
        );
    }

    #[test]
    fn errors_keep_positions() {
        let err = parse(b"{\"a\": [1,\n 2,", &["a"], &mut |_, _, _| {}).unwrap_err();
        assert!(err.is_eof());
        assert_eq!(err.line(), 2);
    }

    #[test]
    fn picks_top_level_strings_only() {
        let m = top_level_strings(
            br#"{"components": [{"specVersion": "x"}], "specVersion": "1.6"}"#,
            &["specVersion"],
        )
        .unwrap();
        assert_eq!(m["specVersion"], "1.6");
    }
}
