//! The Google Analytics 4 BigQuery export, read as its documented schema says:
//! <https://support.google.com/analytics/answer/7029846> (one row per event; `event_timestamp`
//! in microseconds UTC; `event_params` a repeated `{key, value: {string_value, int_value,
//! float_value, double_value}}`; `collected_traffic_source` the event's UTM parameters and click
//! ids; `ecommerce` and `items` on purchase events).
//!
//! Each row is flattened into its own object plus an `o2o` object holding the values o2o's
//! fields default to (`o2o.action`, `o2o.channel`, …), so that a GA4 map needs only `[source]`
//! and every default can still be overridden with a field of the map (`docs/ingest.md`).

use super::assemble::Reject;
use super::compile::Field;
use super::map::{FieldSpec, TimeUnit};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The GA4 events o2o reads by default and the touchpoint action each becomes. Other events
/// (page views, scrolls, engagement pings: dozens per session) are skipped: a session is the
/// web visit that O2O measurement needs. A map can list its own with `[source] ga4_events`.
///
/// `view_item` (a product's detail page; GA4's recommended e-commerce event, documented with
/// its `items[]` at <https://developers.google.com/analytics/devguides/collection/ga4/reference/events#view_item>)
/// becomes one product view per item (`product_view` is not a touchpoint action: it names the
/// record type), with the item's `item_id`, `price` and the event's `currency` parameter.
pub const DEFAULT_EVENTS: [(&str, &str); 5] = [
    ("session_start", "visit"),
    ("purchase", "purchase"),
    ("sign_up", "sign_up"),
    ("generate_lead", "sign_up"),
    ("view_item", super::assemble::PRODUCT_VIEW),
];

/// The field specs a GA4 map starts from: every field read from the `o2o` object the flattening
/// adds, and the timestamp in microseconds.
pub(crate) fn default_fields() -> BTreeMap<Field, FieldSpec> {
    let mut m = BTreeMap::new();
    m.insert(
        Field::Timestamp,
        FieldSpec {
            column: Some("event_timestamp".to_owned()),
            unit: Some(TimeUnit::Us),
            ..FieldSpec::default()
        },
    );
    for (f, col) in [
        (Field::Action, "o2o.action"),
        (Field::Channel, "o2o.channel"),
        (Field::Campaign, "o2o.campaign"),
        (Field::Id, "o2o.id"),
        (Field::Value, "o2o.value"),
        (Field::Currency, "o2o.currency"),
        (Field::Items, "o2o.items"),
    ] {
        m.insert(f, FieldSpec::column(col));
    }
    for (i, name) in crate::event::Tracking::field_names().enumerate() {
        if let Ok(i) = u8::try_from(i) {
            m.insert(Field::Tracking(i), FieldSpec::column(format!("o2o.{name}")));
        }
    }
    m
}

/// The identifiers a GA4 row carries: the device (`user_pseudo_id`, the GA client id) and, when
/// the site sets one, the signed-in user (`user_id`).
pub(crate) const DEFAULT_IDENTIFIERS: [(&str, &str); 2] =
    [("device_id", "user_pseudo_id"), ("external_id", "user_id")];

/// The value of one `event_params` entry.
fn param_value(v: &Value) -> Option<Value> {
    let v = v.as_object()?;
    for k in ["string_value", "int_value", "double_value", "float_value"] {
        match v.get(k) {
            None | Some(Value::Null) => {}
            Some(x) => return Some(x.clone()),
        }
    }
    None
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// GA4's placeholders for "no source": `(direct)`, `(none)`, `(not set)`.
fn real(s: Option<String>) -> Option<String> {
    s.filter(|s| !(s.starts_with('(') && s.ends_with(')')))
}

/// Flatten one GA4 row, or `None` when its event is not one o2o reads.
pub(crate) fn flatten(row: Value, events: &[(String, String)]) -> Result<Option<Value>, Reject> {
    let Value::Object(mut obj) = row else {
        return Err(Reject::new("row", "expected a JSON object"));
    };
    let name = text(obj.get("event_name"))
        .ok_or_else(|| Reject::new("event_name", "missing (every GA4 row names its event)"))?;
    let Some(action) = events
        .iter()
        .find(|(e, _)| *e == name)
        .map(|(_, a)| a.clone())
    else {
        return Ok(None);
    };
    let mut params = Map::new();
    if let Some(Value::Array(list)) = obj.get("event_params") {
        for p in list {
            if let (Some(k), Some(v)) = (
                p.get("key").and_then(Value::as_str),
                p.get("value").and_then(param_value),
            ) {
                params.insert(k.to_owned(), v);
            }
        }
    }
    let param = |k: &str| text(params.get(k));
    let cts = obj
        .get("collected_traffic_source")
        .cloned()
        .unwrap_or_default();
    let from_cts = |k: &str| text(cts.get(k));
    let mut o2o = Map::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            o2o.insert(k.to_owned(), Value::String(v));
        }
    };
    let source = real(from_cts("manual_source").or_else(|| param("source")));
    let medium = real(from_cts("manual_medium").or_else(|| param("medium")));
    let campaign = real(from_cts("manual_campaign_name").or_else(|| param("campaign")));
    let gclid = from_cts("gclid").or_else(|| param("gclid"));
    let channel = source
        .clone()
        .or_else(|| gclid.as_ref().map(|_| "google".to_owned()))
        .unwrap_or_else(|| "direct".to_owned())
        .to_lowercase();
    put("action", Some(action));
    put("channel", Some(channel));
    put("campaign", campaign.clone());
    put("utm_source", source);
    put("utm_medium", medium);
    put("utm_campaign", campaign);
    put(
        "utm_content",
        real(from_cts("manual_content").or_else(|| param("content"))),
    );
    put(
        "utm_term",
        real(from_cts("manual_term").or_else(|| param("term"))),
    );
    put("gclid", gclid);
    put("dclid", from_cts("dclid").or_else(|| param("dclid")));
    put("srsltid", from_cts("srsltid").or_else(|| param("srsltid")));
    for k in ["gbraid", "wbraid", "fbclid", "ttclid", "msclkid"] {
        put(k, param(k));
    }
    let ts = text(obj.get("event_timestamp"));
    let device = text(obj.get("user_pseudo_id"));
    let ecommerce = obj.get("ecommerce").cloned().unwrap_or_default();
    let transaction = text(ecommerce.get("transaction_id")).or_else(|| param("transaction_id"));
    // A purchase is identified by its transaction; any other event by who, when and what.
    let id = transaction.clone().or_else(|| {
        Some(format!(
            "{}:{}:{}:{}",
            device.clone().unwrap_or_default(),
            ts.clone().unwrap_or_default(),
            name,
            text(obj.get("batch_event_index")).unwrap_or_default()
        ))
    });
    put("id", id);
    put(
        "value",
        text(ecommerce.get("purchase_revenue")).or_else(|| param("value")),
    );
    put("currency", param("currency"));
    let mut items = Vec::new();
    if let Some(Value::Array(list)) = obj.get("items") {
        for it in list {
            let sku = text(it.get("item_id")).or_else(|| text(it.get("item_name")));
            let Some(sku) = sku else { continue };
            let mut m = Map::new();
            m.insert("sku".to_owned(), Value::String(sku));
            if let Some(name) = text(it.get("item_name")) {
                m.insert("name".to_owned(), Value::String(name));
            }
            if let Some(q) = it.get("quantity").and_then(Value::as_u64) {
                m.insert("quantity".to_owned(), Value::from(q));
            }
            let price = it.get("price").and_then(Value::as_f64).unwrap_or(0.0);
            m.insert("price".to_owned(), Value::from(price));
            items.push(Value::Object(m));
        }
    }
    o2o.insert("items".to_owned(), Value::Array(items));
    obj.insert("o2o".to_owned(), Value::Object(o2o));
    obj.insert("param".to_owned(), Value::Object(params));
    Ok(Some(Value::Object(obj)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events() -> Vec<(String, String)> {
        DEFAULT_EVENTS
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn a_session_start_becomes_a_visit_with_its_utm_and_gclid() {
        let row = serde_json::json!({
            "event_name": "session_start",
            "event_timestamp": 1772359200123456i64,
            "user_pseudo_id": "123.456",
            "event_params": [
                {"key": "ga_session_id", "value": {"int_value": 17}},
                {"key": "source", "value": {"string_value": "facebook"}}
            ],
            "collected_traffic_source": {"manual_medium": "cpc", "gclid": "Cj0abc"}
        });
        let v = flatten(row, &events()).unwrap().unwrap();
        assert_eq!(v["o2o"]["action"], "visit");
        assert_eq!(v["o2o"]["channel"], "facebook");
        assert_eq!(v["o2o"]["utm_medium"], "cpc");
        assert_eq!(v["o2o"]["gclid"], "Cj0abc");
        assert_eq!(v["param"]["ga_session_id"], 17);
    }

    #[test]
    fn other_events_are_skipped_and_direct_is_direct() {
        let scroll = serde_json::json!({"event_name": "scroll", "event_timestamp": 1});
        assert!(flatten(scroll, &events()).unwrap().is_none());
        let direct = serde_json::json!({
            "event_name": "session_start", "event_timestamp": 1,
            "collected_traffic_source": {"manual_source": "(direct)"}
        });
        let v = flatten(direct, &events()).unwrap().unwrap();
        assert_eq!(v["o2o"]["channel"], "direct");
    }

    #[test]
    fn a_purchase_carries_its_transaction_value_and_items() {
        let row = serde_json::json!({
            "event_name": "purchase", "event_timestamp": 1,
            "event_params": [{"key": "currency", "value": {"string_value": "VND"}}],
            "ecommerce": {"transaction_id": "T1", "purchase_revenue": 250000.0},
            "items": [{"item_id": "SKU1", "quantity": 2, "price": 125000.0}]
        });
        let v = flatten(row, &events()).unwrap().unwrap();
        assert_eq!(v["o2o"]["id"], "T1");
        assert_eq!(v["o2o"]["value"], "250000.0");
        assert_eq!(v["o2o"]["items"][0]["sku"], "SKU1");
    }

    #[test]
    fn a_view_item_lists_its_products_with_names_and_prices() {
        let row = serde_json::json!({
            "event_name": "view_item", "event_timestamp": 1, "user_pseudo_id": "1.2",
            "event_params": [{"key": "currency", "value": {"string_value": "VND"}}],
            "items": [{"item_id": "SKU-PHONE", "item_name": "Phone X", "price": 7990000.0},
                      {"item_name": "Case only named"}]
        });
        let v = flatten(row, &events()).unwrap().unwrap();
        assert_eq!(v["o2o"]["action"], "product_view");
        assert_eq!(v["o2o"]["currency"], "VND");
        assert_eq!(v["o2o"]["items"][0]["sku"], "SKU-PHONE");
        assert_eq!(v["o2o"]["items"][0]["name"], "Phone X");
        assert_eq!(v["o2o"]["items"][1]["sku"], "Case only named");
        assert_eq!(v["o2o"]["items"][1]["price"], 0.0);
    }

    #[test]
    fn a_product_view_map_needs_a_sku_and_a_person() {
        use crate::ingest::{CompiledMap, SourceMap};
        let map = |fields: &str, ids: &str| {
            CompiledMap::new(
                SourceMap::from_toml(&format!(
                    "[source]\nname = \"v\"\nformat = \"csv\"\nproduces = \"product_view\"\n[fields]\n{fields}\n[identifiers]\n{ids}\n"
                ))
                .unwrap(),
            )
        };
        let ok = map(
            "timestamp = \"t\"\nsku = \"s\"\nprice = \"p\"\nname = \"n\"",
            "email = \"e\"",
        );
        assert!(ok.is_ok(), "{:?}", ok.err());
        let no_sku = map("timestamp = \"t\"", "email = \"e\"")
            .unwrap_err()
            .to_string();
        assert!(no_sku.contains("fields.sku"), "{no_sku}");
        let nobody = map("timestamp = \"t\"\nsku = \"s\"", "")
            .unwrap_err()
            .to_string();
        assert!(nobody.contains("identifiers"), "{nobody}");
        let store = map(
            "timestamp = \"t\"\nsku = \"s\"\nstore = \"x\"",
            "email = \"e\"",
        )
        .unwrap_err()
        .to_string();
        assert!(store.contains("fields.store"), "{store}");
    }
}
