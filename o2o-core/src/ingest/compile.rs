//! A source map checked and compiled once: every key known for what the source produces, every
//! column named once, every conversion decided, so that reading a row only looks things up.

use super::map::{
    ConsentColumn, FieldSpec, Format, MapError, OneOrMany, Produces, SourceMap, TimeUnit,
};
use super::number::NumberFormat;
use super::time::TimeParser;
use crate::event::{Exposure, IdKind, Tracking};
use crate::hashing::NormalizeOptions;
use std::collections::BTreeMap;

/// The default cap on one record's size.
pub const DEFAULT_MAX_RECORD_BYTES: u64 = 1 << 20;

/// A record field a map can fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Field {
    Timestamp,
    Id,
    Store,
    Region,
    City,
    Method,
    Action,
    Channel,
    Campaign,
    Value,
    Cost,
    Currency,
    Voucher,
    Fulfilment,
    PickupTime,
    Group,
    Sku,
    Quantity,
    Price,
    Items,
    Url,
    /// A product's name (product views).
    Name,
    /// A UTM parameter or click id, by its index in [`Tracking::field_names`].
    Tracking(u8),
}

/// How a field's text becomes its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Type {
    Text,
    Time,
    Money,
    Count,
    List,
}

impl Field {
    const PLAIN: [(&'static str, Field); 22] = [
        ("timestamp", Field::Timestamp),
        ("id", Field::Id),
        ("store", Field::Store),
        ("region", Field::Region),
        ("city", Field::City),
        ("method", Field::Method),
        ("action", Field::Action),
        ("channel", Field::Channel),
        ("campaign", Field::Campaign),
        ("value", Field::Value),
        ("cost", Field::Cost),
        ("currency", Field::Currency),
        ("voucher", Field::Voucher),
        ("fulfilment", Field::Fulfilment),
        ("pickup_time", Field::PickupTime),
        ("group", Field::Group),
        ("sku", Field::Sku),
        ("quantity", Field::Quantity),
        ("price", Field::Price),
        ("items", Field::Items),
        ("url", Field::Url),
        ("name", Field::Name),
    ];

    pub(crate) fn parse(name: &str) -> Option<Field> {
        Self::PLAIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, f)| *f)
            .or_else(|| {
                Tracking::field_names()
                    .position(|n| n == name)
                    .and_then(|i| u8::try_from(i).ok())
                    .map(Field::Tracking)
            })
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Field::Tracking(i) => Tracking::field_names()
                .nth(usize::from(i))
                .unwrap_or("tracking"),
            f => Self::PLAIN
                .iter()
                .find(|(_, g)| *g == f)
                .map_or("field", |(n, _)| n),
        }
    }

    pub(crate) fn ty(self) -> Type {
        match self {
            Field::Timestamp | Field::PickupTime => Type::Time,
            Field::Value | Field::Cost | Field::Price => Type::Money,
            Field::Quantity => Type::Count,
            Field::Items => Type::List,
            _ => Type::Text,
        }
    }

    /// Whether a source producing `p` has this field.
    fn allowed(self, p: Produces) -> bool {
        use Field::*;
        let tracked = matches!(self, Tracking(_) | Url);
        let items = matches!(self, Sku | Quantity | Price | Items);
        match p {
            Produces::Checkin => {
                tracked
                    || items
                    || matches!(
                        self,
                        Timestamp
                            | Id
                            | Store
                            | Region
                            | Method
                            | Channel
                            | Campaign
                            | Value
                            | Currency
                            | Voucher
                    )
            }
            Produces::Touchpoint => {
                tracked
                    || matches!(
                        self,
                        Timestamp | Id | Action | Channel | Campaign | Value | Cost | Currency
                    )
            }
            Produces::Order => {
                tracked
                    || items
                    || matches!(
                        self,
                        Timestamp
                            | Id
                            | Channel
                            | Campaign
                            | Value
                            | Currency
                            | Fulfilment
                            | Store
                            | PickupTime
                    )
            }
            Produces::Consent => matches!(self, Timestamp | Id),
            Produces::Spend => {
                matches!(self, Timestamp | Id | Channel | Campaign | Value | Currency)
            }
            Produces::Assignment => matches!(self, Timestamp | Id | Campaign | Group),
            Produces::Customer => matches!(self, Timestamp | Id | Store | Region | City),
            Produces::ProductView => {
                tracked
                    || matches!(
                        self,
                        Timestamp | Id | Sku | Name | Price | Currency | Channel | Campaign | Items
                    )
            }
        }
    }

    fn required(p: Produces) -> &'static [Field] {
        match p {
            Produces::Checkin => &[Field::Timestamp, Field::Store, Field::Method],
            Produces::Touchpoint => &[Field::Timestamp, Field::Action],
            Produces::Order => &[Field::Timestamp],
            Produces::Consent => &[Field::Timestamp],
            Produces::Spend => &[
                Field::Timestamp,
                Field::Value,
                Field::Currency,
                Field::Channel,
            ],
            Produces::Assignment => &[Field::Timestamp, Field::Group],
            Produces::Customer => &[],
            Produces::ProductView => &[Field::Timestamp, Field::Sku],
        }
    }

    fn allowed_names(p: Produces) -> String {
        Self::PLAIN
            .iter()
            .map(|(_, f)| *f)
            .chain((0..14).map(Field::Tracking))
            .filter(|f| f.allowed(p))
            .map(Field::name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Where a value comes from.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Origin {
    /// A column, by its index in [`CompiledMap::columns`].
    Column(usize),
    /// A constant.
    Constant(String),
}

/// One field or identifier, compiled.
#[derive(Clone, Debug)]
pub(crate) struct Getter {
    /// The map key it came from (`fields.timestamp`, `identifiers.phone`), for errors.
    pub key: String,
    pub origin: Origin,
    pub trim: bool,
    pub lowercase: bool,
    pub default: Option<String>,
    pub map: Option<BTreeMap<String, String>>,
    pub map_strict: bool,
    /// `when`: (column index, accepted values).
    pub when: Option<(usize, Vec<String>)>,
}

/// A compiled field.
#[derive(Clone, Debug)]
pub(crate) struct FieldGetter {
    pub field: Field,
    pub get: Getter,
    pub time: Option<TimeParser>,
    pub number: NumberFormat,
}

/// A compiled identifier.
#[derive(Clone, Debug)]
pub(crate) struct IdGetter {
    pub kind: IdKind,
    pub get: Getter,
    pub normalize: NormalizeOptions,
}

/// Which consent signal a column carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ConsentKey {
    Granted,
    Tcf,
    AdStorage,
    AnalyticsStorage,
    AdUserData,
    AdPersonalization,
}

/// A compiled consent column.
#[derive(Clone, Debug)]
pub(crate) struct ConsentGetter {
    pub key: ConsentKey,
    pub column: usize,
    /// Lowercased granting values.
    pub values: Vec<String>,
}

/// A compiled `skip_if` condition.
#[derive(Clone, Debug)]
pub(crate) struct Skip {
    pub column: usize,
    pub values: Vec<String>,
    /// Skip when the value is *not* among `values`.
    pub negate: bool,
}

/// A source map checked against what its source produces and ready to read rows.
///
/// ```
/// use o2o_core::ingest::{CompiledMap, SourceMap};
/// let bad = SourceMap::from_toml(r#"
///     [source]
///     name = "ads"
///     format = "csv"
///     produces = "spend"
///     [fields]
///     timestamp = "day"
///     store = "shop"
/// "#).unwrap();
/// let err = CompiledMap::new(bad).unwrap_err().to_string();
/// assert!(err.contains("fields.store"), "{err}");
/// ```
#[derive(Clone, Debug)]
pub struct CompiledMap {
    pub(crate) map: SourceMap,
    pub(crate) produces: Produces,
    pub(crate) tz: jiff::tz::TimeZone,
    /// Every column the map reads, once each.
    pub(crate) columns: Vec<String>,
    pub(crate) fields: Vec<FieldGetter>,
    pub(crate) ids: Vec<IdGetter>,
    pub(crate) consent: Vec<ConsentGetter>,
    pub(crate) skip: Vec<Skip>,
    pub(crate) dedupe: Vec<usize>,
    pub(crate) max_record_bytes: u64,
    pub(crate) delimiter: u8,
    pub(crate) quote: u8,
    /// Whether rows carry item fields (`sku`), so rows sharing an `id` are one record.
    pub(crate) itemised: bool,
    /// GA4 event name → action, for `format = "ga4"`.
    pub(crate) ga4_events: Vec<(String, String)>,
}

const DEFAULT_GRANTING: [&str; 5] = ["granted", "yes", "y", "true", "1"];

impl CompiledMap {
    /// Check `map` and compile it. Errors name the key at fault.
    pub fn new(map: SourceMap) -> Result<CompiledMap, MapError> {
        let src = &map.source;
        if src.name.trim().is_empty() {
            return Err(MapError::invalid("source.name", "must not be empty"));
        }
        let produces = match (src.produces, src.format) {
            (Some(p), _) => p,
            (None, Format::Ga4) => Produces::Touchpoint,
            (None, _) => {
                return Err(MapError::invalid(
                    "source.produces",
                    "missing (checkin, touchpoint, order, consent, spend, assignment, customer or product_view)",
                ));
            }
        };
        if src.format == Format::Ga4 && !matches!(produces, Produces::Touchpoint | Produces::Order)
        {
            return Err(MapError::invalid(
                "source.produces",
                "a GA4 export produces touchpoints (and orders from its purchase events)",
            ));
        }
        let tz_name = src.timezone.as_deref().unwrap_or("UTC");
        let tz = jiff::tz::TimeZone::get(tz_name).map_err(|_| {
            MapError::invalid(
                "source.timezone",
                format!("`{tz_name}` is not an IANA time zone (such as Asia/Ho_Chi_Minh or UTC)"),
            )
        })?;
        let one_byte = |key: &str, v: &Option<String>, default: u8| -> Result<u8, MapError> {
            match v.as_deref() {
                None => Ok(default),
                Some("\\t") | Some("\t") => Ok(b'\t'),
                Some(s) if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
                Some(_) => Err(MapError::invalid(key, "must be one ASCII character")),
            }
        };
        let delimiter = one_byte("source.delimiter", &src.delimiter, b',')?;
        let quote = one_byte("source.quote", &src.quote, b'"')?;
        if src.format != Format::Csv && (src.delimiter.is_some() || src.quote.is_some()) {
            return Err(MapError::invalid(
                "source.delimiter",
                "applies to format = \"csv\" only",
            ));
        }
        if src.exposure == Exposure::Randomised && produces != Produces::Touchpoint {
            return Err(MapError::invalid(
                "source.exposure",
                "applies to touchpoint sources (assignments are randomised by definition)",
            ));
        }
        let max_record_bytes = src.max_record_bytes.unwrap_or(DEFAULT_MAX_RECORD_BYTES);
        if max_record_bytes == 0 {
            return Err(MapError::invalid(
                "source.max_record_bytes",
                "must be at least 1",
            ));
        }
        let mut c = CompiledMap {
            produces,
            tz,
            columns: Vec::new(),
            fields: Vec::new(),
            ids: Vec::new(),
            consent: Vec::new(),
            skip: Vec::new(),
            dedupe: Vec::new(),
            max_record_bytes,
            delimiter,
            quote,
            itemised: false,
            ga4_events: Vec::new(),
            map: SourceMap {
                source: map.source.clone(),
                fields: BTreeMap::new(),
                identifiers: BTreeMap::new(),
                consent: None,
            },
        };
        let (fields, identifiers) = if src.format == Format::Ga4 {
            c.ga4_events = match &src.ga4_events {
                Some(m) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                None => super::ga4::DEFAULT_EVENTS
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            };
            ga4_defaults(&map)
        } else {
            if src.ga4_events.is_some() {
                return Err(MapError::invalid(
                    "source.ga4_events",
                    "applies to format = \"ga4\" only",
                ));
            }
            (map.fields.clone(), map.identifiers.clone())
        };
        for (name, spec) in &fields {
            let key = format!("fields.{name}");
            let field = Field::parse(name).ok_or_else(|| {
                MapError::invalid(
                    &key,
                    format!(
                        "not a field of a {} record (its fields: {})",
                        produces.as_str(),
                        Field::allowed_names(produces)
                    ),
                )
            })?;
            let allowed = field.allowed(produces)
                || (src.format == Format::Ga4
                    && (field.allowed(Produces::Order) || field.allowed(Produces::ProductView)));
            if !allowed {
                return Err(MapError::invalid(
                    &key,
                    format!(
                        "a {} record has no such field (its fields: {})",
                        produces.as_str(),
                        Field::allowed_names(produces)
                    ),
                ));
            }
            if spec.default_country.is_some() || spec.when.is_some() {
                return Err(MapError::invalid(
                    &key,
                    "`default_country` and `when` apply to identifiers only",
                ));
            }
            let ty = field.ty();
            if ty != Type::Time && (spec.format.is_some() || spec.unit.is_some()) {
                return Err(MapError::invalid(
                    &key,
                    "`format` and `unit` apply to timestamps only",
                ));
            }
            if ty != Type::Money
                && ty != Type::Count
                && (spec.decimal.is_some() || spec.thousands.is_some())
            {
                return Err(MapError::invalid(
                    &key,
                    "`decimal` and `thousands` apply to numbers only",
                ));
            }
            let get = c.getter(&key, spec, src.format)?;
            let time = (ty == Type::Time)
                .then(|| {
                    let formats = spec
                        .format
                        .as_ref()
                        .map(OneOrMany::as_slice)
                        .unwrap_or_default();
                    TimeParser::new(formats, spec.unit, c.tz.clone())
                        .map_err(|e| MapError::invalid(&key, e))
                })
                .transpose()?;
            let number = NumberFormat::new(spec.decimal.as_deref(), spec.thousands.as_deref())
                .map_err(|e| MapError::invalid(&key, e))?;
            if field == Field::Items && src.format == Format::Csv {
                return Err(MapError::invalid(
                    &key,
                    "a CSV export gives items as rows sharing an `id`, with `sku`, `quantity` and `price` fields",
                ));
            }
            c.fields.push(FieldGetter {
                field,
                get,
                time,
                number,
            });
        }
        // A product view's `sku` is the product viewed, not an item row of a receipt.
        c.itemised = c.field(Field::Sku).is_some() && produces != Produces::ProductView;
        if !c.itemised
            && produces != Produces::ProductView
            && let Some(f) = c
                .fields
                .iter()
                .find(|f| matches!(f.field, Field::Quantity | Field::Price))
        {
            return Err(MapError::invalid(
                &f.get.key,
                "an item needs a `sku` field too",
            ));
        }
        if c.itemised && c.field(Field::Id).is_none() && src.format == Format::Csv {
            return Err(MapError::invalid(
                "fields.sku",
                "item rows need an `id` field: rows sharing an id are one receipt",
            ));
        }
        if src.format != Format::Ga4 {
            for f in Field::required(produces) {
                if c.field(*f).is_none() {
                    return Err(MapError::invalid(
                        format!("fields.{}", f.name()),
                        format!("required for a {} record", produces.as_str()),
                    ));
                }
            }
        }
        let mut entries: Vec<(&String, &FieldSpec, String)> = Vec::new();
        for (name, specs) in &identifiers {
            for (i, spec) in specs.iter().enumerate() {
                let key = if specs.len() == 1 {
                    format!("identifiers.{name}")
                } else {
                    format!("identifiers.{name}[{i}]")
                };
                entries.push((name, spec, key));
            }
        }
        for (name, spec, key) in entries {
            let kind: IdKind = name
                .parse()
                .map_err(|e: crate::event::UnknownKind| MapError::invalid(&key, e.to_string()))?;
            if spec.format.is_some()
                || spec.unit.is_some()
                || spec.decimal.is_some()
                || spec.thousands.is_some()
            {
                return Err(MapError::invalid(
                    &key,
                    "`format`, `unit`, `decimal` and `thousands` apply to fields, not identifiers",
                ));
            }
            if spec.default_country.is_some() && kind != IdKind::Phone {
                return Err(MapError::invalid(
                    &key,
                    "`default_country` applies to phone numbers only",
                ));
            }
            let normalize = NormalizeOptions {
                default_country: spec
                    .default_country
                    .clone()
                    .or_else(|| src.default_country.clone()),
                ..NormalizeOptions::default()
            };
            normalize.validate().map_err(|e| {
                MapError::invalid(
                    if spec.default_country.is_some() {
                        format!("{key}.default_country")
                    } else {
                        "source.default_country".to_owned()
                    },
                    e.to_string(),
                )
            })?;
            let get = c.getter(&key, spec, src.format)?;
            c.ids.push(IdGetter {
                kind,
                get,
                normalize,
            });
        }
        if matches!(
            produces,
            Produces::Consent | Produces::Assignment | Produces::Customer | Produces::ProductView
        ) && c.ids.is_empty()
        {
            return Err(MapError::invalid(
                "identifiers",
                format!(
                    "a {} record is about a person: map at least one identifier",
                    produces.as_str()
                ),
            ));
        }
        if let Some(spec) = &map.consent {
            let entries = [
                (ConsentKey::Granted, "granted", &spec.granted),
                (ConsentKey::Tcf, "tcf", &spec.tcf),
                (ConsentKey::AdStorage, "ad_storage", &spec.ad_storage),
                (
                    ConsentKey::AnalyticsStorage,
                    "analytics_storage",
                    &spec.analytics_storage,
                ),
                (ConsentKey::AdUserData, "ad_user_data", &spec.ad_user_data),
                (
                    ConsentKey::AdPersonalization,
                    "ad_personalization",
                    &spec.ad_personalization,
                ),
            ];
            for (key, name, col) in entries {
                if let Some(ConsentColumn { column, values }) = col {
                    if key == ConsentKey::Tcf && values.is_some() {
                        return Err(MapError::invalid(
                            "consent.tcf.values",
                            "a TC string column has no granting values",
                        ));
                    }
                    let column = c.column(&format!("consent.{name}.column"), column, src.format)?;
                    let values = match values {
                        Some(v) if v.is_empty() => {
                            return Err(MapError::invalid(
                                format!("consent.{name}.values"),
                                "must list at least one granting value",
                            ));
                        }
                        Some(v) => v.iter().map(|s| s.trim().to_lowercase()).collect(),
                        None => DEFAULT_GRANTING.iter().map(|s| (*s).to_owned()).collect(),
                    };
                    c.consent.push(ConsentGetter {
                        key,
                        column,
                        values,
                    });
                }
            }
            if c.consent.is_empty() {
                return Err(MapError::invalid(
                    "consent",
                    "names no column (granted, tcf, ad_storage, analytics_storage, ad_user_data, ad_personalization)",
                ));
            }
        } else if produces == Produces::Consent {
            return Err(MapError::invalid(
                "consent",
                "a consent source needs a [consent] table saying which column grants what",
            ));
        }
        if let Some(skips) = &src.skip_if {
            for (i, s) in skips.as_slice().iter().enumerate() {
                let key = format!("source.skip_if[{i}]");
                let column = c.column(&key, &s.column, src.format)?;
                let (values, negate) = match (&s.is_in, &s.not_in) {
                    (Some(v), None) => (v.clone(), false),
                    (None, Some(v)) => (v.clone(), true),
                    _ => {
                        return Err(MapError::invalid(
                            key,
                            "give exactly one of `in` and `not_in`",
                        ));
                    }
                };
                c.skip.push(Skip {
                    column,
                    values,
                    negate,
                });
            }
        }
        for col in &src.dedupe {
            let i = c.column("source.dedupe", col, src.format)?;
            c.dedupe.push(i);
        }
        c.map = map;
        Ok(c)
    }

    /// The source's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.map.source.name
    }

    /// The map it was compiled from.
    #[must_use]
    pub fn map(&self) -> &SourceMap {
        &self.map
    }

    /// The input format.
    #[must_use]
    pub fn format(&self) -> Format {
        self.map.source.format
    }

    /// What its rows become.
    #[must_use]
    pub fn produces(&self) -> Produces {
        self.produces
    }

    /// The largest record accepted, in bytes.
    #[must_use]
    pub fn max_record_bytes(&self) -> u64 {
        self.max_record_bytes
    }

    /// Every column the map reads.
    #[must_use]
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    pub(crate) fn field(&self, f: Field) -> Option<&FieldGetter> {
        self.fields.iter().find(|g| g.field == f)
    }

    fn column(&mut self, key: &str, name: &str, _format: Format) -> Result<usize, MapError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(MapError::invalid(key, "column name must not be empty"));
        }
        Ok(self.intern(name))
    }

    fn intern(&mut self, name: &str) -> usize {
        match self.columns.iter().position(|c| c == name) {
            Some(i) => i,
            None => {
                self.columns.push(name.to_owned());
                self.columns.len() - 1
            }
        }
    }

    fn getter(&mut self, key: &str, spec: &FieldSpec, format: Format) -> Result<Getter, MapError> {
        let origin = match (&spec.column, &spec.value) {
            (Some(col), None) => Origin::Column(self.column(key, col, format)?),
            (None, Some(v)) => Origin::Constant(v.0.clone()),
            (Some(_), Some(_)) => {
                return Err(MapError::invalid(key, "give `column` or `value`, not both"));
            }
            (None, None) if format == Format::Ga4 => Origin::Constant(String::new()),
            (None, None) => {
                return Err(MapError::invalid(key, "needs a `column` or a `value`"));
            }
        };
        if spec.map_strict && spec.map.is_none() {
            return Err(MapError::invalid(key, "`map_strict` needs a `map`"));
        }
        let when = match &spec.when {
            None => None,
            Some(w) => {
                let col = self.column(&format!("{key}.when"), &w.column, format)?;
                let values = match (&w.equals, &w.is_in) {
                    (Some(v), None) => vec![v.clone()],
                    (None, Some(v)) => v.clone(),
                    _ => {
                        return Err(MapError::invalid(
                            format!("{key}.when"),
                            "give exactly one of `equals` and `in`",
                        ));
                    }
                };
                Some((col, values))
            }
        };
        Ok(Getter {
            key: key.to_owned(),
            origin,
            trim: spec.trim.unwrap_or(true),
            lowercase: spec.lowercase,
            default: spec.default.as_ref().map(|d| d.0.clone()),
            map: spec.map.clone(),
            map_strict: spec.map_strict,
            when,
        })
    }
}

/// A GA4 map's fields and identifiers: the defaults of `ga4.rs`, with the map's own entries
/// winning (an entry without `column` or `value` keeps the default column and adds its options,
/// as `channel = { map = { … } }` does).
fn ga4_defaults(
    map: &SourceMap,
) -> (
    BTreeMap<String, FieldSpec>,
    BTreeMap<String, Vec<FieldSpec>>,
) {
    let mut fields: BTreeMap<String, FieldSpec> = super::ga4::default_fields()
        .into_iter()
        .map(|(f, s)| (f.name().to_owned(), s))
        .collect();
    for (name, spec) in &map.fields {
        let mut spec = spec.clone();
        if spec.column.is_none() && spec.value.is_none() {
            spec.column = fields.get(name).and_then(|d| d.column.clone());
            if spec.unit.is_none() && spec.format.is_none() {
                spec.unit = fields.get(name).and_then(|d| d.unit);
            }
        }
        fields.insert(name.clone(), spec);
    }
    let mut ids: BTreeMap<String, Vec<FieldSpec>> = super::ga4::DEFAULT_IDENTIFIERS
        .iter()
        .map(|(k, c)| ((*k).to_owned(), vec![FieldSpec::column(*c)]))
        .collect();
    for (k, v) in &map.identifiers {
        ids.insert(k.clone(), v.clone());
    }
    (fields, ids)
}

impl TimeUnit {
    /// How many of this unit make a second.
    pub(crate) const fn per_second(self) -> i64 {
        match self {
            TimeUnit::S => 1,
            TimeUnit::Ms => 1_000,
            TimeUnit::Us => 1_000_000,
            TimeUnit::Ns => 1_000_000_000,
        }
    }
}
