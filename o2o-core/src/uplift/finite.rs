//! The last check of every uplift entry point: no statistic leaves the module as NaN or ±∞.
//!
//! Each entry point computes its result, then passes it through [`guard`], which walks the
//! result's serialised form (every number of every field, nested structs, vectors and options
//! included) and turns the first non-finite number into [`UpliftError::NonFinite`] naming the
//! field (`ci_welch[1]`, `placebos[3].ratio`). Inputs near the limits of `f64` (means of
//! ±1e308, series near 1e300) are scaled or centred where the method allows it; where a result
//! itself cannot be represented, the call is refused with the reason instead of returning `null`
//! or `inf` in JSON.

use super::error::UpliftError;
use serde::Serialize;
use serde::ser;
use std::fmt;

/// The path of the first non-finite number in `value`'s serialised form (`"ci[0]"`,
/// `"placebos[2].ratio"`), or `None` when every number is finite.
///
/// This is the check every uplift entry point applies to its result; it is public so that
/// wrappers and tests can apply the same rule to values they build.
///
/// ```
/// use o2o_core::uplift::non_finite_field;
/// #[derive(serde::Serialize)]
/// struct R { est: f64, ci: [f64; 2], note: Option<f64> }
/// assert_eq!(non_finite_field(&R { est: 1.0, ci: [0.0, 2.0], note: None }), None);
/// let bad = R { est: 1.0, ci: [0.0, f64::INFINITY], note: None };
/// assert_eq!(non_finite_field(&bad).as_deref(), Some("ci[1]"));
/// ```
pub fn non_finite_field<T: Serialize + ?Sized>(value: &T) -> Option<String> {
    let mut walker = Walker { path: Vec::new() };
    match value.serialize(&mut walker) {
        Ok(()) => None,
        Err(Found(path)) => Some(path),
    }
}

/// Return `value` if every number in it is finite, else [`UpliftError::NonFinite`] naming the
/// field.
pub(crate) fn guard<T: Serialize>(value: T) -> Result<T, UpliftError> {
    match non_finite_field(&value) {
        None => Ok(value),
        Some(field) => Err(UpliftError::NonFinite { field }),
    }
}

/// A power of two within a factor 2 of `max_abs` (1 for 0 or a non-finite value): dividing by
/// it is exact, so statistics computed on `x / scale` and multiplied back are bit for bit those
/// of the usual range, without overflowing sums and squares of values near ±1e308.
pub(crate) fn pow2_scale(max_abs: f64) -> f64 {
    if !(max_abs.is_finite() && max_abs > 0.0) {
        return 1.0;
    }
    // log2 of a positive finite f64 is in [-1074, 1024); floor keeps 2^e finite.
    let e = max_abs.log2().floor().clamp(-1022.0, 1023.0);
    2f64.powi(e as i32)
}

/// One step of the path to the current value.
enum Step {
    Field(&'static str),
    Index(usize),
    Key(String),
}

struct Walker {
    path: Vec<Step>,
}

impl Walker {
    fn render(&self) -> String {
        let mut s = String::new();
        for step in &self.path {
            match step {
                Step::Field(f) => {
                    if !s.is_empty() {
                        s.push('.');
                    }
                    s.push_str(f);
                }
                Step::Index(i) => s.push_str(&format!("[{i}]")),
                Step::Key(k) => s.push_str(&format!("[{k}]")),
            }
        }
        if s.is_empty() { "value".into() } else { s }
    }

    fn number(&self, v: f64) -> Result<(), Found> {
        if v.is_finite() {
            Ok(())
        } else {
            Err(Found(self.render()))
        }
    }

    fn nested<T: Serialize + ?Sized>(&mut self, step: Step, v: &T) -> Result<(), Found> {
        self.path.push(step);
        let r = v.serialize(&mut *self);
        self.path.pop();
        r
    }
}

/// The error that stops the walk: the path of the non-finite number.
#[derive(Debug)]
struct Found(String);

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "non-finite number at {}", self.0)
    }
}

impl std::error::Error for Found {}

impl ser::Error for Found {
    fn custom<M: fmt::Display>(msg: M) -> Self {
        Found(format!("(serialisation failed: {msg})"))
    }
}

/// A sequence, tuple or map in progress: counts its elements for the path.
struct Seq<'a> {
    w: &'a mut Walker,
    index: usize,
}

impl<'a> Seq<'a> {
    fn element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Found> {
        let i = self.index;
        self.index += 1;
        self.w.nested(Step::Index(i), v)
    }
}

macro_rules! seq_impl {
    ($trait:ident, $method:ident) => {
        impl ser::$trait for Seq<'_> {
            type Ok = ();
            type Error = Found;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Found> {
                self.element(v)
            }
            fn end(self) -> Result<(), Found> {
                Ok(())
            }
        }
    };
}
seq_impl!(SerializeSeq, serialize_element);
seq_impl!(SerializeTuple, serialize_element);
seq_impl!(SerializeTupleStruct, serialize_field);
seq_impl!(SerializeTupleVariant, serialize_field);

/// A map in progress: keys are rendered for the path, values walked.
struct Map<'a> {
    w: &'a mut Walker,
    key: String,
}

impl ser::SerializeMap for Map<'_> {
    type Ok = ();
    type Error = Found;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Found> {
        self.key = serde_json::to_string(key).unwrap_or_default();
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Found> {
        let key = std::mem::take(&mut self.key);
        self.w.nested(Step::Key(key), v)
    }
    fn end(self) -> Result<(), Found> {
        Ok(())
    }
}

/// A struct in progress: field names are the path.
struct Fields<'a> {
    w: &'a mut Walker,
}

macro_rules! struct_impl {
    ($trait:ident) => {
        impl ser::$trait for Fields<'_> {
            type Ok = ();
            type Error = Found;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                v: &T,
            ) -> Result<(), Found> {
                self.w.nested(Step::Field(key), v)
            }
            fn end(self) -> Result<(), Found> {
                Ok(())
            }
        }
    };
}
struct_impl!(SerializeStruct);
struct_impl!(SerializeStructVariant);

impl<'a> ser::Serializer for &'a mut Walker {
    type Ok = ();
    type Error = Found;
    type SerializeSeq = Seq<'a>;
    type SerializeTuple = Seq<'a>;
    type SerializeTupleStruct = Seq<'a>;
    type SerializeTupleVariant = Seq<'a>;
    type SerializeMap = Map<'a>;
    type SerializeStruct = Fields<'a>;
    type SerializeStructVariant = Fields<'a>;

    fn serialize_f64(self, v: f64) -> Result<(), Found> {
        self.number(v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), Found> {
        self.number(f64::from(v))
    }
    fn serialize_bool(self, _: bool) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_i8(self, _: i8) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_i16(self, _: i16) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_i32(self, _: i32) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_i64(self, _: i64) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_u8(self, _: u8) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_u16(self, _: u16) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_u32(self, _: u32) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_u64(self, _: u64) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_char(self, _: char) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_str(self, _: &str) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), Found> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), Found> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<(), Found> {
        self.nested(Step::Field(variant), v)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Seq<'a>, Found> {
        Ok(Seq { w: self, index: 0 })
    }
    fn serialize_tuple(self, _: usize) -> Result<Seq<'a>, Found> {
        Ok(Seq { w: self, index: 0 })
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Seq<'a>, Found> {
        Ok(Seq { w: self, index: 0 })
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Seq<'a>, Found> {
        Ok(Seq { w: self, index: 0 })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Map<'a>, Found> {
        Ok(Map {
            w: self,
            key: String::new(),
        })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Fields<'a>, Found> {
        Ok(Fields { w: self })
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Fields<'a>, Found> {
        Ok(Fields { w: self })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(Serialize)]
    struct Inner {
        ratio: Option<f64>,
    }

    #[derive(Serialize)]
    struct Outer {
        a: f64,
        list: Vec<Inner>,
        map: BTreeMap<String, f32>,
        pair: (f64, u64),
    }

    #[test]
    fn finds_the_first_non_finite_number_and_names_its_path() {
        let mut o = Outer {
            a: 1.0,
            list: vec![Inner { ratio: None }, Inner { ratio: Some(2.0) }],
            map: BTreeMap::from([("x".into(), 1.0)]),
            pair: (3.0, 4),
        };
        assert_eq!(non_finite_field(&o), None);
        o.list[1].ratio = Some(f64::NAN);
        assert_eq!(non_finite_field(&o).as_deref(), Some("list[1].ratio"));
        o.list[1].ratio = None;
        o.map.insert("y".into(), f32::INFINITY);
        assert_eq!(non_finite_field(&o).as_deref(), Some("map[\"y\"]"));
        o.map.clear();
        o.pair.0 = f64::NEG_INFINITY;
        assert_eq!(non_finite_field(&o).as_deref(), Some("pair[0]"));
        assert_eq!(non_finite_field(&f64::NAN).as_deref(), Some("value"));
        assert!(matches!(
            guard(o),
            Err(UpliftError::NonFinite { ref field }) if field == "pair[0]"
        ));
    }
}
