//! Source maps: the TOML file that says how one kind of export becomes o2o records.
//!
//! A map is data, not code (as Splink's settings are): an analyst writes it once per export,
//! versions it, and every tool that reads it (the CLI, Python, Spark) reads it the same way. The
//! key names are a contract (`docs/ingest.md`); unknown keys are errors that name the key, so a
//! misspelt key never silently does nothing.
//!
//! ```
//! use o2o_core::ingest::SourceMap;
//! let map = SourceMap::from_toml(r#"
//!     [source]
//!     name = "pos"
//!     format = "csv"
//!     produces = "checkin"
//!     [fields]
//!     timestamp = { column = "ts", format = "%d/%m/%Y %H:%M" }
//!     store = "store_id"
//!     method = { value = "pos_purchase" }
//!     [identifiers]
//!     phone = { column = "customer_phone", default_country = "VN" }
//! "#).unwrap();
//! assert_eq!(map.source.name, "pos");
//! assert!(SourceMap::from_toml("[source]\nname = \"x\"\nformat = \"csv\"\nproduces = \"checkin\"\nnmae = 1").is_err());
//! ```

use crate::event::Exposure;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Why a map cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MapError {
    /// The TOML does not parse or has a key o2o does not know.
    #[error("{0}")]
    Toml(String),
    /// A key is not allowed here (for example a field a `spend` record does not have).
    #[error("`{key}`: {reason}")]
    Invalid {
        /// The key at fault, as a path (`fields.store`).
        key: String,
        /// What is wrong and what would be right.
        reason: String,
    },
}

impl MapError {
    pub(crate) fn invalid(key: impl Into<String>, reason: impl Into<String>) -> Self {
        MapError::Invalid {
            key: key.into(),
            reason: reason.into(),
        }
    }
}

/// A whole source map.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SourceMap {
    /// What the export is and how to read it.
    pub source: SourceSpec,
    /// Record field → where its value comes from.
    #[serde(default)]
    pub fields: BTreeMap<String, FieldSpec>,
    /// Identifier kind → the column (or columns: a list) holding it; an empty cell just lacks
    /// it.
    #[serde(default)]
    pub identifiers: BTreeMap<String, Vec<FieldSpec>>,
    /// Consent carried by the row itself.
    #[serde(default)]
    pub consent: Option<ConsentSpec>,
}

/// The `[source]` table.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    /// Kept on every record as its provenance; required.
    pub name: String,
    /// How the file is encoded.
    pub format: Format,
    /// What each row becomes. Required except for `format = "ga4"`.
    #[serde(default)]
    pub produces: Option<Produces>,
    /// IANA time zone of local times written without an offset; default `UTC`.
    #[serde(default)]
    pub timezone: Option<String>,
    /// CSV field delimiter (one character; `"\t"` for tab); default `,`.
    #[serde(default)]
    pub delimiter: Option<String>,
    /// CSV quote character; default `"`.
    #[serde(default)]
    pub quote: Option<String>,
    /// Columns that identify a record: a record whose key is already in the store is a duplicate.
    /// Without it, a record's whole content is its key.
    #[serde(default)]
    pub dedupe: Vec<String>,
    /// Rows to skip (counted as skipped, not rejected): one condition or a list, any of which
    /// skips the row.
    #[serde(default)]
    pub skip_if: Option<OneOrMany<SkipIf>>,
    /// For touchpoint sources: whether the platform assigned exposure at random.
    #[serde(default)]
    pub exposure: Exposure,
    /// The largest record accepted, in bytes (default 1 MiB); a larger one is rejected.
    #[serde(default)]
    pub max_record_bytes: Option<u64>,
    /// For `format = "ga4"`: GA4 event name → touchpoint action (`visit`, `click`, `purchase`,
    /// `sign_up`, …); events not listed are skipped. Default: `session_start` → visit,
    /// `purchase` → purchase, `sign_up` and `generate_lead` → sign_up.
    #[serde(default)]
    pub ga4_events: Option<BTreeMap<String, String>>,
    /// Default country for every phone identifier of the map (an identifier's own
    /// `default_country` wins).
    #[serde(default)]
    pub default_country: Option<String>,
}

/// The input encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Format {
    /// Comma- (or `delimiter`-) separated values with a header row.
    Csv,
    /// One JSON object per line.
    Ndjson,
    /// Apache Parquet.
    Parquet,
    /// The Google Analytics 4 BigQuery export (one row per event), as NDJSON or Parquet.
    Ga4,
}

impl Format {
    /// The lowercase name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Ndjson => "ndjson",
            Format::Parquet => "parquet",
            Format::Ga4 => "ga4",
        }
    }
}

/// What each row of a source becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Produces {
    /// An offline check-in.
    Checkin,
    /// An online touchpoint.
    Touchpoint,
    /// An online order (a `purchase` touchpoint; a store pickup is also a check-in).
    Order,
    /// A consent record per identifier over time.
    Consent,
    /// Spend per day, channel, campaign and currency.
    Spend,
    /// A holdout or target assignment.
    Assignment,
    /// A CRM master row.
    Customer,
    /// A product viewed online.
    ProductView,
}

impl Produces {
    /// The snake_case name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Produces::Checkin => "checkin",
            Produces::Touchpoint => "touchpoint",
            Produces::Order => "order",
            Produces::Consent => "consent",
            Produces::Spend => "spend",
            Produces::Assignment => "assignment",
            Produces::Customer => "customer",
            Produces::ProductView => "product_view",
        }
    }
}

/// One value or a list of them (`skip_if = {…}` or `skip_if = [{…}, {…}]`; `format = "…"` or
/// `format = ["…", "…"]`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    /// A single value.
    One(T),
    /// A list.
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    /// The values as a slice.
    pub fn as_slice(&self) -> &[T] {
        match self {
            OneOrMany::One(t) => std::slice::from_ref(t),
            OneOrMany::Many(v) => v,
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value or a list of values")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Vec::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(OneOrMany::Many)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(OneOrMany::One)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                T::deserialize(de::value::StrDeserializer::new(v)).map(OneOrMany::One)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// `skip_if`: skip a row whose `column` is (`in`) or is not (`not_in`) one of the values.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SkipIf {
    /// The column tested (trimmed, compared exactly).
    pub column: String,
    /// Skip when the value is one of these.
    #[serde(default, rename = "in")]
    pub is_in: Option<Vec<String>>,
    /// Skip when the value is none of these.
    #[serde(default)]
    pub not_in: Option<Vec<String>>,
}

/// A value as written in TOML: text, a number or a boolean, kept as text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Scalar(pub String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, a number or a boolean")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Where a field's (or an identifier's) value comes from: a bare string is a column name; a
/// table is a column with options, or a constant (`{ value = … }`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// The column (CSV header name; a dotted path into NDJSON/Parquet objects).
    #[serde(default)]
    pub column: Option<String>,
    /// A constant value instead of a column.
    #[serde(default)]
    pub value: Option<Scalar>,
    /// strftime formats for a timestamp, tried in order.
    #[serde(default)]
    pub format: Option<OneOrMany<String>>,
    /// The unit of an epoch-number timestamp: `s`, `ms`, `us` or `ns`.
    #[serde(default)]
    pub unit: Option<TimeUnit>,
    /// Decimal separator of a number (`.` by default).
    #[serde(default)]
    pub decimal: Option<String>,
    /// Thousands separator of a number (none by default).
    #[serde(default)]
    pub thousands: Option<String>,
    /// Lowercase the value.
    #[serde(default)]
    pub lowercase: bool,
    /// Trim surrounding whitespace (default true).
    #[serde(default)]
    pub trim: Option<bool>,
    /// A value table: values found here are replaced; others pass through (or are an error
    /// with `map_strict`). A value mapped to `""` is absent.
    #[serde(default)]
    pub map: Option<BTreeMap<String, String>>,
    /// Unmapped values are errors.
    #[serde(default)]
    pub map_strict: bool,
    /// The value when the cell is empty.
    #[serde(default)]
    pub default: Option<Scalar>,
    /// Identifiers only: the country of phone numbers written without a country code.
    #[serde(default)]
    pub default_country: Option<String>,
    /// Identifiers only: take the value only when another column has a given value (one column
    /// holding a phone or an email depending on another).
    #[serde(default)]
    pub when: Option<When>,
}

impl FieldSpec {
    /// A spec that reads `column` with the default options.
    pub fn column(column: impl Into<String>) -> Self {
        FieldSpec {
            column: Some(column.into()),
            ..FieldSpec::default()
        }
    }

    /// A constant.
    pub fn constant(value: impl Into<String>) -> Self {
        FieldSpec {
            value: Some(Scalar(value.into())),
            ..FieldSpec::default()
        }
    }
}

// A bare string is a column name; a table has the keys above.
impl<'de> Deserialize<'de> for FieldSpecInput {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FieldSpecInput;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a column name or a table such as { column = \"…\" }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(FieldSpecInput(FieldSpec::column(v)))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                FieldSpec::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(FieldSpecInput)
            }
        }
        d.deserialize_any(V)
    }
}

/// The deserialisation wrapper of [`FieldSpec`] (a string or a table).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub(crate) struct FieldSpecInput(pub FieldSpec);

/// `when = { column = "login_type", equals = "phone" }` (or `in = [...]`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    /// The column tested.
    pub column: String,
    /// Take the value when the column equals this.
    #[serde(default)]
    pub equals: Option<String>,
    /// Take the value when the column is one of these.
    #[serde(default, rename = "in")]
    pub is_in: Option<Vec<String>>,
}

/// The unit of an epoch-number timestamp. A number without a declared unit is an error, never a
/// guess: a GA4 microsecond timestamp read as seconds lands in the year 57,000.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    /// Seconds.
    S,
    /// Milliseconds.
    Ms,
    /// Microseconds.
    Us,
    /// Nanoseconds.
    Ns,
}

/// The `[consent]` table: consent carried by the row itself.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentSpec {
    /// One yes/no column granting (or denying) everything: a CRM marketing opt-in.
    #[serde(default)]
    pub granted: Option<ConsentColumn>,
    /// A column holding an IAB TCF v2.2 TC string.
    #[serde(default)]
    pub tcf: Option<ConsentColumn>,
    /// Google Consent Mode `ad_storage`.
    #[serde(default)]
    pub ad_storage: Option<ConsentColumn>,
    /// Google Consent Mode `analytics_storage`.
    #[serde(default)]
    pub analytics_storage: Option<ConsentColumn>,
    /// Google Consent Mode `ad_user_data`.
    #[serde(default)]
    pub ad_user_data: Option<ConsentColumn>,
    /// Google Consent Mode `ad_personalization`.
    #[serde(default)]
    pub ad_personalization: Option<ConsentColumn>,
}

/// A consent column: a value listed in `values` grants; any other non-empty value denies; an
/// empty cell says nothing (no consent: o2o fails closed).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentColumn {
    /// The column.
    pub column: String,
    /// The values that grant (compared case-insensitively). Default: `granted`, `yes`, `y`,
    /// `true`, `1`.
    #[serde(default)]
    pub values: Option<Vec<String>>,
}

/// The map as read from TOML, before its field specs are unwrapped.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMap {
    source: SourceSpec,
    #[serde(default)]
    fields: BTreeMap<String, FieldSpecInput>,
    #[serde(default)]
    identifiers: BTreeMap<String, OneOrMany<FieldSpecInput>>,
    #[serde(default)]
    consent: Option<ConsentSpec>,
}

impl SourceMap {
    /// Parse a map from TOML. Unknown keys are errors naming the key; the map's meaning is
    /// checked when it is compiled ([`super::CompiledMap::new`]).
    pub fn from_toml(text: &str) -> Result<SourceMap, MapError> {
        let raw: RawMap =
            toml::from_str(text).map_err(|e| MapError::Toml(toml_message(&e, text)))?;
        let unwrap = |m: BTreeMap<String, FieldSpecInput>| {
            m.into_iter()
                .map(|(k, v)| (k, v.0))
                .collect::<BTreeMap<_, _>>()
        };
        let identifiers = raw
            .identifiers
            .into_iter()
            .map(|(k, v)| {
                let specs = match v {
                    OneOrMany::One(s) => vec![s.0],
                    OneOrMany::Many(list) => list.into_iter().map(|s| s.0).collect(),
                };
                (k, specs)
            })
            .collect();
        Ok(SourceMap {
            source: raw.source,
            fields: unwrap(raw.fields),
            identifiers,
            consent: raw.consent,
        })
    }
}

/// The TOML error on one line: "line L, column C: message".
fn toml_message(e: &toml::de::Error, input: &str) -> String {
    let msg = e.message().trim().to_owned();
    match e.span() {
        Some(span) => {
            let before = input.get(..span.start).unwrap_or_default();
            let line = before.matches('\n').count() + 1;
            let col = before
                .rfind('\n')
                .map_or(span.start, |i| span.start - i - 1)
                + 1;
            format!("line {line}, column {col}: {msg}")
        }
        None => msg,
    }
}
