//! The store's tables as Arrow schemas, and records to and from Arrow columns.
//!
//! One flat column per field wherever a field is a scalar (`utm_source`, `gclid`, `consent_ad_user_data`),
//! so that DuckDB, polars, pandas and Spark read the store as plain tables; lists only where
//! a record holds a list (`identifiers`, `items`). Times are microseconds UTC (what Spark and
//! BigQuery use); money is `Float64` in the record's currency. Schema version:
//! [`SCHEMA_VERSION`]; `docs/data-model.md` lists every column.

use crate::consent::{ConsentMode, ConsentSignals, ConsentState};
use crate::event::{
    Assignment, AssignmentGroup, CheckIn, CheckInMethod, ConsentRecord, Customer, Event, Exposure,
    Fulfilment, IdKind, Identifier, Item, Order, ProductView, Provenance, RecordKind, SpendRecord,
    TouchAction, Touchpoint, Tracking,
};
use arrow_array::builder::{
    FixedSizeBinaryBuilder, Float64Builder, StringBuilder, TimestampMicrosecondBuilder,
    UInt32Builder, UInt64Builder,
};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, TimestampMicrosecondType, UInt32Type, UInt64Type};
use arrow_array::{Array, ArrayRef, ListArray, RecordBatch, StructArray};
use arrow_buffer::OffsetBuffer;
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};
use std::sync::{Arc, OnceLock};

/// The version of the store's table layout, written in the manifest.
///
/// Version 2 added product views to the events table (`type = "product_view"` and the `sku`,
/// `product_name` and `price` columns). A version 1 store is read as it is (its files lack
/// those columns, which read as absent) and becomes version 2 at its next write, so that an
/// o2o that knows only version 1 refuses it rather than reading a view as a check-in.
pub const SCHEMA_VERSION: u32 = 2;

/// The oldest table layout this o2o reads.
pub const MIN_SCHEMA_VERSION: u32 = 1;

const MICROS: i64 = 1_000_000;

fn ts_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

fn utf8(name: &str) -> Field {
    Field::new(name, DataType::Utf8, true)
}

fn id_fields() -> Fields {
    Fields::from(vec![
        Field::new("kind", DataType::Utf8, false),
        Field::new("value", DataType::Utf8, false),
    ])
}

fn item_fields() -> Fields {
    Fields::from(vec![
        Field::new("sku", DataType::Utf8, false),
        Field::new("quantity", DataType::UInt32, false),
        Field::new("price", DataType::Float64, false),
    ])
}

fn list_of(fields: Fields) -> DataType {
    DataType::List(Arc::new(Field::new(
        "item",
        DataType::Struct(fields),
        false,
    )))
}

const CONSENT_COLUMNS: [&str; 5] = [
    "consent_tcf",
    "consent_ad_storage",
    "consent_analytics_storage",
    "consent_ad_user_data",
    "consent_ad_personalization",
];

fn common_tail(mut v: Vec<Field>) -> Vec<Field> {
    v.push(Field::new("source", DataType::Utf8, false));
    v.push(Field::new("file", DataType::Utf8, false));
    v.push(Field::new("line", DataType::UInt64, false));
    v.push(Field::new(
        "record_key",
        DataType::FixedSizeBinary(16),
        false,
    ));
    v
}

/// The Arrow schema of a table.
pub fn schema(kind: RecordKind) -> SchemaRef {
    static SCHEMAS: OnceLock<[SchemaRef; 5]> = OnceLock::new();
    let all = SCHEMAS
        .get_or_init(|| RecordKind::ALL.map(|k| Arc::new(Schema::new(common_tail(head(k))))));
    let i = RecordKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or_default();
    all.get(i)
        .cloned()
        .unwrap_or_else(|| Arc::new(Schema::empty()))
}

fn head(kind: RecordKind) -> Vec<Field> {
    let ids = Field::new("identifiers", list_of(id_fields()), false);
    let consent = || CONSENT_COLUMNS.iter().map(|c| utf8(c)).collect::<Vec<_>>();
    match kind {
        RecordKind::Event => {
            let mut v = vec![
                Field::new("type", DataType::Utf8, false),
                Field::new("timestamp", ts_type(), false),
                utf8("id"),
                utf8("action"),
                utf8("method"),
                utf8("channel"),
                utf8("campaign"),
                utf8("store"),
                utf8("region"),
                Field::new("value", DataType::Float64, true),
                Field::new("cost", DataType::Float64, true),
                utf8("currency"),
                utf8("voucher"),
                Field::new("items", list_of(item_fields()), true),
            ];
            v.extend(Tracking::field_names().map(utf8));
            v.extend([
                utf8("fulfilment"),
                utf8("pickup_store"),
                Field::new("pickup_time", ts_type(), true),
                utf8("exposure"),
                utf8("sku"),
                utf8("product_name"),
                Field::new("price", DataType::Float64, true),
                ids,
            ]);
            v.extend(consent());
            v
        }
        RecordKind::Spend => vec![
            Field::new("day", DataType::Utf8, false),
            Field::new("timestamp", ts_type(), false),
            Field::new("channel", DataType::Utf8, false),
            utf8("campaign"),
            Field::new("value", DataType::Float64, false),
            Field::new("currency", DataType::Utf8, false),
        ],
        RecordKind::Consent => {
            let mut v = vec![Field::new("timestamp", ts_type(), false), ids];
            v.extend(consent());
            v
        }
        RecordKind::Assignment => vec![
            Field::new("timestamp", ts_type(), false),
            ids,
            utf8("campaign"),
            Field::new("group", DataType::Utf8, false),
        ],
        RecordKind::Customer => {
            let mut v = vec![
                Field::new("timestamp", ts_type(), true),
                ids,
                utf8("store"),
                utf8("region"),
                utf8("city"),
            ];
            v.extend(consent());
            v
        }
    }
}

/// A list-of-struct column under construction: the children and the offsets.
struct IdList {
    kind: StringBuilder,
    value: StringBuilder,
    lengths: Vec<usize>,
}

impl IdList {
    fn new() -> Self {
        IdList {
            kind: StringBuilder::new(),
            value: StringBuilder::new(),
            lengths: Vec::new(),
        }
    }

    fn push(&mut self, ids: &[Identifier]) {
        for id in ids {
            self.kind.append_value(id.kind.as_str());
            self.value.append_value(&id.value);
        }
        self.lengths.push(ids.len());
    }

    fn finish(&mut self) -> ArrayRef {
        let children: Vec<ArrayRef> =
            vec![Arc::new(self.kind.finish()), Arc::new(self.value.finish())];
        let values = StructArray::new(id_fields(), children, None);
        let offsets = OffsetBuffer::from_lengths(std::mem::take(&mut self.lengths));
        Arc::new(ListArray::new(
            Arc::new(Field::new("item", DataType::Struct(id_fields()), false)),
            offsets,
            Arc::new(values),
            None,
        ))
    }
}

/// The items column under construction (null for records without items).
struct ItemList {
    sku: StringBuilder,
    quantity: UInt32Builder,
    price: Float64Builder,
    lengths: Vec<usize>,
    valid: Vec<bool>,
}

impl ItemList {
    fn new() -> Self {
        ItemList {
            sku: StringBuilder::new(),
            quantity: UInt32Builder::new(),
            price: Float64Builder::new(),
            lengths: Vec::new(),
            valid: Vec::new(),
        }
    }

    fn push(&mut self, items: &[Item]) {
        for it in items {
            self.sku.append_value(&it.sku);
            self.quantity.append_value(it.quantity);
            self.price.append_value(it.price);
        }
        self.lengths.push(items.len());
        self.valid.push(!items.is_empty());
    }

    fn finish(&mut self) -> ArrayRef {
        let children: Vec<ArrayRef> = vec![
            Arc::new(self.sku.finish()),
            Arc::new(self.quantity.finish()),
            Arc::new(self.price.finish()),
        ];
        let values = StructArray::new(item_fields(), children, None);
        let offsets = OffsetBuffer::from_lengths(std::mem::take(&mut self.lengths));
        let nulls = Some(std::mem::take(&mut self.valid).into());
        Arc::new(ListArray::new(
            Arc::new(Field::new("item", DataType::Struct(item_fields()), false)),
            offsets,
            Arc::new(values),
            nulls,
        ))
    }
}

fn state_str(s: ConsentState) -> Option<&'static str> {
    match s {
        ConsentState::Granted => Some("granted"),
        ConsentState::Denied => Some("denied"),
        ConsentState::Unknown => None,
    }
}

/// The consent columns under construction.
struct ConsentCols([StringBuilder; 5]);

impl ConsentCols {
    fn new() -> Self {
        ConsentCols(std::array::from_fn(|_| StringBuilder::new()))
    }

    fn push(&mut self, c: Option<&ConsentSignals>) {
        let [tcf, ads, an, aud, ap] = &mut self.0;
        tcf.append_option(c.and_then(|c| c.tcf.as_deref()));
        let gcm = c.and_then(|c| c.gcm);
        ads.append_option(gcm.and_then(|g| state_str(g.ad_storage)));
        an.append_option(gcm.and_then(|g| state_str(g.analytics_storage)));
        aud.append_option(gcm.and_then(|g| state_str(g.ad_user_data)));
        ap.append_option(gcm.and_then(|g| state_str(g.ad_personalization)));
    }

    fn finish(&mut self, out: &mut Vec<ArrayRef>) {
        for b in &mut self.0 {
            out.push(Arc::new(b.finish()));
        }
    }
}

/// Provenance and key columns under construction.
struct Tail {
    source: StringBuilder,
    file: StringBuilder,
    line: UInt64Builder,
    key: FixedSizeBinaryBuilder,
}

impl Tail {
    fn new() -> Self {
        Tail {
            source: StringBuilder::new(),
            file: StringBuilder::new(),
            line: UInt64Builder::new(),
            key: FixedSizeBinaryBuilder::new(16),
        }
    }

    fn push(&mut self, p: &Provenance, key: u128) {
        self.source.append_value(&p.source);
        self.file.append_value(&p.file);
        self.line.append_value(p.line);
        // Appending exactly 16 bytes to a 16-byte builder cannot fail.
        let _ = self.key.append_value(key.to_le_bytes());
    }

    fn finish(&mut self, out: &mut Vec<ArrayRef>) {
        out.push(Arc::new(self.source.finish()));
        out.push(Arc::new(self.file.finish()));
        out.push(Arc::new(self.line.finish()));
        out.push(Arc::new(self.key.finish()));
    }
}

fn micros(secs: i64) -> i64 {
    // Timestamps are bounded to 1970-9999 at every reader, so this cannot overflow.
    secs.saturating_mul(MICROS)
}

fn ts_array(b: &mut TimestampMicrosecondBuilder) -> ArrayRef {
    Arc::new(b.finish().with_timezone("UTC"))
}

/// Rows of one table under construction.
pub(crate) enum Builder {
    Event(Box<EventCols>),
    Spend(Box<SpendCols>),
    Consent(Box<ConsentRecCols>),
    Assignment(Box<AssignmentCols>),
    Customer(Box<CustomerCols>),
}

/// A stored record: what a table row holds.
#[derive(Clone, Debug, PartialEq)]
pub enum StoredRecord {
    /// A touchpoint or check-in.
    Event(Event),
    /// A consent record.
    Consent(ConsentRecord),
    /// Spend.
    Spend(SpendRecord),
    /// An assignment.
    Assignment(Assignment),
    /// A customer.
    Customer(Customer),
}

impl Builder {
    pub(crate) fn new(kind: RecordKind) -> Self {
        match kind {
            RecordKind::Event => Builder::Event(Box::new(EventCols::new())),
            RecordKind::Spend => Builder::Spend(Box::new(SpendCols::new())),
            RecordKind::Consent => Builder::Consent(Box::new(ConsentRecCols::new())),
            RecordKind::Assignment => Builder::Assignment(Box::new(AssignmentCols::new())),
            RecordKind::Customer => Builder::Customer(Box::new(CustomerCols::new())),
        }
    }

    /// Rows appended since the last finish.
    pub(crate) fn len(&self) -> usize {
        match self {
            Builder::Event(b) => b.len,
            Builder::Spend(b) => b.len,
            Builder::Consent(b) => b.len,
            Builder::Assignment(b) => b.len,
            Builder::Customer(b) => b.len,
        }
    }

    /// Append one record of this table's kind (a record of another kind is ignored).
    pub(crate) fn push(&mut self, r: &crate::event::Record, p: &Provenance, key: u128) {
        use crate::event::Record as R;
        match (self, r) {
            (Builder::Event(b), R::Event(e)) => b.push(e, p, key),
            (Builder::Spend(b), R::Spend(s)) => b.push(s, p, key),
            (Builder::Consent(b), R::Consent(c)) => b.push(c, p, key),
            (Builder::Assignment(b), R::Assignment(a)) => b.push(a, p, key),
            (Builder::Customer(b), R::Customer(c)) => b.push(c, p, key),
            _ => {}
        }
    }

    /// The rows appended so far, as a batch; the builder starts empty again.
    pub(crate) fn finish(&mut self) -> Result<RecordBatch, arrow_schema::ArrowError> {
        let (kind, cols) = match self {
            Builder::Event(b) => (RecordKind::Event, b.finish()),
            Builder::Spend(b) => (RecordKind::Spend, b.finish()),
            Builder::Consent(b) => (RecordKind::Consent, b.finish()),
            Builder::Assignment(b) => (RecordKind::Assignment, b.finish()),
            Builder::Customer(b) => (RecordKind::Customer, b.finish()),
        };
        RecordBatch::try_new(schema(kind), cols)
    }
}

/// Columns of the events table.
pub(crate) struct EventCols {
    len: usize,
    ty: StringBuilder,
    ts: TimestampMicrosecondBuilder,
    text: [StringBuilder; 7],
    value: Float64Builder,
    cost: Float64Builder,
    currency: StringBuilder,
    voucher: StringBuilder,
    items: ItemList,
    tracking: Vec<StringBuilder>,
    fulfilment: StringBuilder,
    pickup_store: StringBuilder,
    pickup_time: TimestampMicrosecondBuilder,
    exposure: StringBuilder,
    sku: StringBuilder,
    product_name: StringBuilder,
    price: Float64Builder,
    ids: IdList,
    consent: ConsentCols,
    tail: Tail,
}

impl EventCols {
    fn new() -> Self {
        EventCols {
            len: 0,
            ty: StringBuilder::new(),
            ts: TimestampMicrosecondBuilder::new(),
            text: std::array::from_fn(|_| StringBuilder::new()),
            value: Float64Builder::new(),
            cost: Float64Builder::new(),
            currency: StringBuilder::new(),
            voucher: StringBuilder::new(),
            items: ItemList::new(),
            tracking: Tracking::field_names()
                .map(|_| StringBuilder::new())
                .collect(),
            fulfilment: StringBuilder::new(),
            pickup_store: StringBuilder::new(),
            pickup_time: TimestampMicrosecondBuilder::new(),
            exposure: StringBuilder::new(),
            sku: StringBuilder::new(),
            product_name: StringBuilder::new(),
            price: Float64Builder::new(),
            ids: IdList::new(),
            consent: ConsentCols::new(),
            tail: Tail::new(),
        }
    }

    fn push(&mut self, e: &Event, p: &Provenance, key: u128) {
        self.len += 1;
        let [id, action, method, channel, campaign, store, region] = &mut self.text;
        match e {
            Event::Touchpoint(t) => {
                self.ty.append_value("touchpoint");
                self.ts.append_value(micros(t.timestamp));
                id.append_option(t.id.as_deref());
                action.append_value(t.action.as_str());
                method.append_null();
                channel.append_value(&t.channel);
                campaign.append_option(t.campaign.as_deref());
                store.append_null();
                region.append_null();
                self.value.append_option(t.value);
                self.cost.append_option(t.cost);
                self.currency.append_option(t.currency.as_deref());
                self.voucher.append_null();
                self.items
                    .push(t.order.as_ref().map_or(&[][..], |o| &o.items[..]));
                let order = t.order.as_deref();
                self.fulfilment
                    .append_option(order.map(|o| o.fulfilment.as_str()));
                self.pickup_store
                    .append_option(order.and_then(|o| o.pickup_store.as_deref()));
                self.pickup_time
                    .append_option(order.and_then(|o| o.pickup_time).map(micros));
                self.exposure.append_option(
                    (t.exposure != Exposure::Observational).then_some(t.exposure.as_str()),
                );
                self.no_product();
            }
            Event::CheckIn(c) => {
                self.ty.append_value("checkin");
                self.ts.append_value(micros(c.timestamp));
                id.append_option(c.id.as_deref());
                action.append_null();
                method.append_value(c.method.as_str());
                channel.append_option(c.channel.as_deref());
                campaign.append_option(c.campaign.as_deref());
                store.append_value(&c.store);
                region.append_option(c.region.as_deref());
                self.value.append_option(c.value);
                self.cost.append_null();
                self.currency.append_option(c.currency.as_deref());
                self.voucher.append_option(c.voucher.as_deref());
                self.items.push(&c.items);
                self.fulfilment.append_null();
                self.pickup_store.append_null();
                self.pickup_time.append_null();
                self.exposure.append_null();
                self.no_product();
            }
            Event::ProductView(v) => {
                self.ty.append_value("product_view");
                self.ts.append_value(micros(v.timestamp));
                id.append_option(v.id.as_deref());
                action.append_null();
                method.append_null();
                channel.append_value(&v.channel);
                campaign.append_option(v.campaign.as_deref());
                store.append_null();
                region.append_null();
                self.value.append_null();
                self.cost.append_null();
                self.currency.append_option(v.currency.as_deref());
                self.voucher.append_null();
                self.items.push(&[]);
                self.fulfilment.append_null();
                self.pickup_store.append_null();
                self.pickup_time.append_null();
                self.exposure.append_null();
                self.sku.append_value(&v.sku);
                self.product_name.append_option(v.name.as_deref());
                self.price.append_option(v.price);
            }
        }
        let tracking = e.tracking();
        for (b, name) in self.tracking.iter_mut().zip(Tracking::field_names()) {
            b.append_option(tracking.and_then(|t| t.field(name)));
        }
        self.ids.push(e.identifiers());
        self.consent.push(e.consent());
        self.tail.push(p, key);
    }

    /// The product columns of a touchpoint or check-in row: empty.
    fn no_product(&mut self) {
        self.sku.append_null();
        self.product_name.append_null();
        self.price.append_null();
    }

    fn finish(&mut self) -> Vec<ArrayRef> {
        self.len = 0;
        let mut out: Vec<ArrayRef> = vec![Arc::new(self.ty.finish()), ts_array(&mut self.ts)];
        for b in &mut self.text {
            out.push(Arc::new(b.finish()));
        }
        out.push(Arc::new(self.value.finish()));
        out.push(Arc::new(self.cost.finish()));
        out.push(Arc::new(self.currency.finish()));
        out.push(Arc::new(self.voucher.finish()));
        out.push(self.items.finish());
        for b in &mut self.tracking {
            out.push(Arc::new(b.finish()));
        }
        out.push(Arc::new(self.fulfilment.finish()));
        out.push(Arc::new(self.pickup_store.finish()));
        out.push(ts_array(&mut self.pickup_time));
        out.push(Arc::new(self.exposure.finish()));
        out.push(Arc::new(self.sku.finish()));
        out.push(Arc::new(self.product_name.finish()));
        out.push(Arc::new(self.price.finish()));
        out.push(self.ids.finish());
        self.consent.finish(&mut out);
        self.tail.finish(&mut out);
        out
    }
}

/// Columns of the spend table.
pub(crate) struct SpendCols {
    len: usize,
    day: StringBuilder,
    ts: TimestampMicrosecondBuilder,
    channel: StringBuilder,
    campaign: StringBuilder,
    value: Float64Builder,
    currency: StringBuilder,
    tail: Tail,
}

impl SpendCols {
    fn new() -> Self {
        SpendCols {
            len: 0,
            day: StringBuilder::new(),
            ts: TimestampMicrosecondBuilder::new(),
            channel: StringBuilder::new(),
            campaign: StringBuilder::new(),
            value: Float64Builder::new(),
            currency: StringBuilder::new(),
            tail: Tail::new(),
        }
    }

    fn push(&mut self, s: &SpendRecord, p: &Provenance, key: u128) {
        self.len += 1;
        self.day.append_value(&s.day);
        self.ts.append_value(micros(s.timestamp));
        self.channel.append_value(&s.channel);
        self.campaign.append_option(s.campaign.as_deref());
        self.value.append_value(s.value);
        self.currency.append_value(&s.currency);
        self.tail.push(p, key);
    }

    fn finish(&mut self) -> Vec<ArrayRef> {
        self.len = 0;
        let mut out: Vec<ArrayRef> = vec![
            Arc::new(self.day.finish()),
            ts_array(&mut self.ts),
            Arc::new(self.channel.finish()),
            Arc::new(self.campaign.finish()),
            Arc::new(self.value.finish()),
            Arc::new(self.currency.finish()),
        ];
        self.tail.finish(&mut out);
        out
    }
}

/// Columns of the consent table.
pub(crate) struct ConsentRecCols {
    len: usize,
    ts: TimestampMicrosecondBuilder,
    ids: IdList,
    consent: ConsentCols,
    tail: Tail,
}

impl ConsentRecCols {
    fn new() -> Self {
        ConsentRecCols {
            len: 0,
            ts: TimestampMicrosecondBuilder::new(),
            ids: IdList::new(),
            consent: ConsentCols::new(),
            tail: Tail::new(),
        }
    }

    fn push(&mut self, c: &ConsentRecord, p: &Provenance, key: u128) {
        self.len += 1;
        self.ts.append_value(micros(c.timestamp));
        self.ids.push(&c.identifiers);
        self.consent.push(Some(&c.consent));
        self.tail.push(p, key);
    }

    fn finish(&mut self) -> Vec<ArrayRef> {
        self.len = 0;
        let mut out: Vec<ArrayRef> = vec![ts_array(&mut self.ts), self.ids.finish()];
        self.consent.finish(&mut out);
        self.tail.finish(&mut out);
        out
    }
}

/// Columns of the assignments table.
pub(crate) struct AssignmentCols {
    len: usize,
    ts: TimestampMicrosecondBuilder,
    ids: IdList,
    campaign: StringBuilder,
    group: StringBuilder,
    tail: Tail,
}

impl AssignmentCols {
    fn new() -> Self {
        AssignmentCols {
            len: 0,
            ts: TimestampMicrosecondBuilder::new(),
            ids: IdList::new(),
            campaign: StringBuilder::new(),
            group: StringBuilder::new(),
            tail: Tail::new(),
        }
    }

    fn push(&mut self, a: &Assignment, p: &Provenance, key: u128) {
        self.len += 1;
        self.ts.append_value(micros(a.timestamp));
        self.ids.push(&a.identifiers);
        self.campaign.append_option(a.campaign.as_deref());
        self.group.append_value(a.group.as_str());
        self.tail.push(p, key);
    }

    fn finish(&mut self) -> Vec<ArrayRef> {
        self.len = 0;
        let mut out: Vec<ArrayRef> = vec![
            ts_array(&mut self.ts),
            self.ids.finish(),
            Arc::new(self.campaign.finish()),
            Arc::new(self.group.finish()),
        ];
        self.tail.finish(&mut out);
        out
    }
}

/// Columns of the customers table.
pub(crate) struct CustomerCols {
    len: usize,
    ts: TimestampMicrosecondBuilder,
    ids: IdList,
    text: [StringBuilder; 3],
    consent: ConsentCols,
    tail: Tail,
}

impl CustomerCols {
    fn new() -> Self {
        CustomerCols {
            len: 0,
            ts: TimestampMicrosecondBuilder::new(),
            ids: IdList::new(),
            text: std::array::from_fn(|_| StringBuilder::new()),
            consent: ConsentCols::new(),
            tail: Tail::new(),
        }
    }

    fn push(&mut self, c: &Customer, p: &Provenance, key: u128) {
        self.len += 1;
        self.ts.append_option(c.timestamp.map(micros));
        self.ids.push(&c.identifiers);
        let [store, region, city] = &mut self.text;
        store.append_option(c.store.as_deref());
        region.append_option(c.region.as_deref());
        city.append_option(c.city.as_deref());
        self.consent.push(c.consent.as_ref());
        self.tail.push(p, key);
    }

    fn finish(&mut self) -> Vec<ArrayRef> {
        self.len = 0;
        let mut out: Vec<ArrayRef> = vec![ts_array(&mut self.ts), self.ids.finish()];
        for b in &mut self.text {
            out.push(Arc::new(b.finish()));
        }
        self.consent.finish(&mut out);
        self.tail.finish(&mut out);
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Reading back.

/// A batch read from the store could not be turned back into records.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column `{column}`: {message}")]
pub struct DecodeError {
    /// The column at fault.
    pub column: String,
    /// What is wrong.
    pub message: String,
}

fn derr(column: &str, message: impl Into<String>) -> DecodeError {
    DecodeError {
        column: column.to_owned(),
        message: message.into(),
    }
}

/// The events of a batch of the store's `events` table, in row order, as
/// [`Store::events`](super::Store::events) reads them. The batch may come from any Parquet or
/// Arrow reader of the table's files (Spark, polars, DuckDB): columns are found by name, and
/// columns left out read as absent. A row that cannot be decoded is an error naming its column.
pub fn decode_events(batch: &RecordBatch) -> Result<Vec<Event>, DecodeError> {
    let cols = Cols(batch);
    (0..batch.num_rows()).map(|row| cols.event(row)).collect()
}

/// The records of a batch of a `kind` table (columns the table lacks are ignored; those it
/// needs and the batch lacks read as absent).
pub fn decode_records(
    kind: RecordKind,
    batch: &RecordBatch,
) -> Result<Vec<StoredRecord>, DecodeError> {
    let cols = Cols(batch);
    (0..batch.num_rows())
        .map(|row| cols.record(kind, row))
        .collect()
}

/// Typed access to the columns of a (possibly projected) batch.
pub(crate) struct Cols<'a>(pub &'a RecordBatch);

impl<'a> Cols<'a> {
    pub(crate) fn has(&self, name: &str) -> bool {
        self.0.column_by_name(name).is_some()
    }

    fn text(&self, name: &str, row: usize) -> Option<&'a str> {
        let a = self.0.column_by_name(name)?.as_string_opt::<i32>()?;
        (!a.is_null(row)).then(|| a.value(row))
    }

    fn req_text(&self, name: &str, row: usize) -> Result<&'a str, DecodeError> {
        self.text(name, row).ok_or_else(|| derr(name, "missing"))
    }

    fn f64(&self, name: &str, row: usize) -> Option<f64> {
        let a = self
            .0
            .column_by_name(name)?
            .as_primitive_opt::<Float64Type>()?;
        (!a.is_null(row)).then(|| a.value(row))
    }

    /// Seconds of a microsecond timestamp column.
    pub(crate) fn secs(&self, name: &str, row: usize) -> Option<i64> {
        let a = self
            .0
            .column_by_name(name)?
            .as_primitive_opt::<TimestampMicrosecondType>()?;
        (!a.is_null(row)).then(|| a.value(row).div_euclid(MICROS))
    }

    fn u64(&self, name: &str, row: usize) -> Option<u64> {
        let a = self
            .0
            .column_by_name(name)?
            .as_primitive_opt::<UInt64Type>()?;
        (!a.is_null(row)).then(|| a.value(row))
    }

    pub(crate) fn provenance(&self, row: usize) -> Provenance {
        Provenance {
            source: self.text("source", row).unwrap_or_default().to_owned(),
            file: self.text("file", row).unwrap_or_default().to_owned(),
            line: self.u64("line", row).unwrap_or_default(),
        }
    }

    pub(crate) fn identifiers(&self, row: usize) -> Result<Vec<Identifier>, DecodeError> {
        let Some(col) = self.0.column_by_name("identifiers") else {
            return Ok(Vec::new());
        };
        let list = col
            .as_list_opt::<i32>()
            .ok_or_else(|| derr("identifiers", "not a list"))?;
        if list.is_null(row) {
            return Ok(Vec::new());
        }
        let v = list.value(row);
        let s = v
            .as_struct_opt()
            .ok_or_else(|| derr("identifiers", "not a list of structs"))?;
        let kinds = s
            .column(0)
            .as_string_opt::<i32>()
            .ok_or_else(|| derr("identifiers.kind", "not text"))?;
        let values = s
            .column(1)
            .as_string_opt::<i32>()
            .ok_or_else(|| derr("identifiers.value", "not text"))?;
        (0..s.len())
            .map(|i| {
                let kind: IdKind =
                    kinds
                        .value(i)
                        .parse()
                        .map_err(|e: crate::event::UnknownKind| {
                            derr("identifiers.kind", e.to_string())
                        })?;
                Ok(Identifier::new(kind, values.value(i)))
            })
            .collect()
    }

    fn items(&self, row: usize) -> Result<Vec<Item>, DecodeError> {
        let Some(col) = self.0.column_by_name("items") else {
            return Ok(Vec::new());
        };
        let list = col
            .as_list_opt::<i32>()
            .ok_or_else(|| derr("items", "not a list"))?;
        if list.is_null(row) {
            return Ok(Vec::new());
        }
        let v = list.value(row);
        let s = v
            .as_struct_opt()
            .ok_or_else(|| derr("items", "not a list of structs"))?;
        let sku = s.column(0).as_string_opt::<i32>();
        let q = s.column(1).as_primitive_opt::<UInt32Type>();
        let p = s.column(2).as_primitive_opt::<Float64Type>();
        let (Some(sku), Some(q), Some(p)) = (sku, q, p) else {
            return Err(derr("items", "unexpected item columns"));
        };
        Ok((0..s.len())
            .map(|i| Item {
                sku: sku.value(i).to_owned(),
                quantity: q.value(i),
                price: p.value(i),
            })
            .collect())
    }

    fn consent(&self, row: usize) -> Option<ConsentSignals> {
        if !self.has("consent_tcf") && !self.has("consent_ad_user_data") {
            return None;
        }
        let state = |name: &str| match self.text(name, row) {
            Some("granted") => ConsentState::Granted,
            Some("denied") => ConsentState::Denied,
            _ => ConsentState::Unknown,
        };
        let gcm = ConsentMode {
            ad_storage: state("consent_ad_storage"),
            analytics_storage: state("consent_analytics_storage"),
            ad_user_data: state("consent_ad_user_data"),
            ad_personalization: state("consent_ad_personalization"),
        };
        let tcf = self.text("consent_tcf", row).map(str::to_owned);
        let gcm = (gcm != ConsentMode::default()).then_some(gcm);
        (tcf.is_some() || gcm.is_some()).then_some(ConsentSignals { tcf, gcm })
    }

    fn tracking(&self, row: usize) -> Option<Box<Tracking>> {
        let mut t = Tracking::default();
        for name in Tracking::field_names() {
            if let (Some(v), Some(slot)) = (self.text(name, row), t.field_mut(name)) {
                *slot = Some(v.to_owned());
            }
        }
        (!t.is_empty()).then(|| Box::new(t))
    }

    fn opt(&self, name: &str, row: usize) -> Option<String> {
        self.text(name, row).map(str::to_owned)
    }

    /// The event in `row` (columns not projected read as absent).
    pub(crate) fn event(&self, row: usize) -> Result<Event, DecodeError> {
        let ts = self
            .secs("timestamp", row)
            .ok_or_else(|| derr("timestamp", "missing"))?;
        let ty = self.text("type", row).unwrap_or("checkin");
        let consent = self.consent(row);
        let identifiers = self.identifiers(row)?;
        if ty == "product_view" {
            return Ok(Event::ProductView(ProductView {
                id: self.opt("id", row),
                sku: self.req_text("sku", row)?.to_owned(),
                name: self.opt("product_name", row),
                channel: self.opt("channel", row).unwrap_or_default(),
                campaign: self.opt("campaign", row),
                timestamp: ts,
                price: self.f64("price", row),
                currency: self.opt("currency", row),
                tracking: self.tracking(row),
                identifiers,
                consent,
            }));
        }
        if ty != "touchpoint" && ty != "checkin" {
            return Err(derr(
                "type",
                format!("unknown event type `{ty}` (expected touchpoint, checkin or product_view)"),
            ));
        }
        if ty == "touchpoint" {
            let action: TouchAction = match self.text("action", row) {
                Some(a) => a
                    .parse()
                    .map_err(|e: crate::event::UnknownName| derr("action", e.to_string()))?,
                None => TouchAction::Visit,
            };
            let order = match self.text("fulfilment", row) {
                Some(f) => Some(Box::new(Order {
                    fulfilment: f
                        .parse::<Fulfilment>()
                        .map_err(|e| derr("fulfilment", e.to_string()))?,
                    pickup_store: self.opt("pickup_store", row),
                    pickup_time: self.secs("pickup_time", row),
                    items: self.items(row)?,
                })),
                None => None,
            };
            let exposure = match self.text("exposure", row) {
                Some(e) => e
                    .parse()
                    .map_err(|e: crate::event::UnknownName| derr("exposure", e.to_string()))?,
                None => Exposure::Observational,
            };
            Ok(Event::Touchpoint(Touchpoint {
                id: self.opt("id", row),
                action,
                channel: self.opt("channel", row).unwrap_or_default(),
                campaign: self.opt("campaign", row),
                timestamp: ts,
                cost: self.f64("cost", row),
                value: self.f64("value", row),
                currency: self.opt("currency", row),
                identifiers,
                consent,
                tracking: self.tracking(row),
                order,
                exposure,
            }))
        } else {
            let method: CheckInMethod = match self.text("method", row) {
                Some(m) => m
                    .parse()
                    .map_err(|e: crate::event::UnknownName| derr("method", e.to_string()))?,
                None => CheckInMethod::QrScan,
            };
            Ok(Event::CheckIn(CheckIn {
                id: self.opt("id", row),
                method,
                store: self.opt("store", row).unwrap_or_default(),
                region: self.opt("region", row),
                timestamp: ts,
                value: self.f64("value", row),
                currency: self.opt("currency", row),
                items: self.items(row)?,
                campaign: self.opt("campaign", row),
                voucher: self.opt("voucher", row),
                channel: self.opt("channel", row),
                tracking: self.tracking(row),
                identifiers,
                consent,
            }))
        }
    }

    /// The record of a `kind` table in `row`.
    pub(crate) fn record(&self, kind: RecordKind, row: usize) -> Result<StoredRecord, DecodeError> {
        Ok(match kind {
            RecordKind::Event => StoredRecord::Event(self.event(row)?),
            RecordKind::Spend => StoredRecord::Spend(SpendRecord {
                day: self.req_text("day", row)?.to_owned(),
                timestamp: self.secs("timestamp", row).unwrap_or_default(),
                channel: self.req_text("channel", row)?.to_owned(),
                campaign: self.opt("campaign", row),
                value: self.f64("value", row).unwrap_or_default(),
                currency: self.req_text("currency", row)?.to_owned(),
            }),
            RecordKind::Consent => StoredRecord::Consent(ConsentRecord {
                timestamp: self.secs("timestamp", row).unwrap_or_default(),
                identifiers: self.identifiers(row)?,
                consent: self.consent(row).unwrap_or_default(),
            }),
            RecordKind::Assignment => StoredRecord::Assignment(Assignment {
                timestamp: self.secs("timestamp", row).unwrap_or_default(),
                identifiers: self.identifiers(row)?,
                campaign: self.opt("campaign", row),
                group: match self.req_text("group", row)? {
                    "holdout" => AssignmentGroup::Holdout,
                    _ => AssignmentGroup::Target,
                },
            }),
            RecordKind::Customer => StoredRecord::Customer(Customer {
                timestamp: self.secs("timestamp", row),
                identifiers: self.identifiers(row)?,
                store: self.opt("store", row),
                region: self.opt("region", row),
                city: self.opt("city", row),
                consent: self.consent(row),
            }),
        })
    }
}
