use super::*;
use proptest::prelude::*;

fn tp(action: TouchAction) -> Event {
    Event::Touchpoint(Touchpoint {
        id: Some("t1".into()),
        action,
        channel: "facebook".into(),
        campaign: Some("fb-spring".into()),
        timestamp: 1_772_359_200,
        cost: Some(0.005),
        value: None,
        identifiers: vec![Identifier::new(IdKind::DeviceId, "d-1")],
        consent: None,
        currency: None,
        tracking: None,
        order: None,
        exposure: Default::default(),
    })
}

fn ci(method: CheckInMethod) -> Event {
    Event::CheckIn(CheckIn {
        id: None,
        method,
        store: "S001".into(),
        region: Some("north".into()),
        timestamp: 1_772_359_200,
        value: Some(12.5),
        currency: Some("USD".into()),
        items: vec![Item {
            sku: "A".into(),
            quantity: 2,
            price: 6.25,
        }],
        campaign: None,
        voucher: None,
        identifiers: vec![Identifier::new(IdKind::Phone, "0912 345 678")],
        consent: Some(ConsentSignals::default()),
        channel: None,
        tracking: None,
    })
}

#[test]
fn every_touch_action_and_checkin_method_round_trips() {
    for a in TouchAction::ALL {
        let ev = tp(a);
        let line = serde_json::to_string(&ev).unwrap();
        assert!(
            line.contains(&format!("\"action\":\"{}\"", a.as_str())),
            "{line}"
        );
        assert!(line.starts_with("{\"type\":\"touchpoint\""), "{line}");
        assert_eq!(read_ndjson_str(&line).events, vec![ev]);
    }
    for m in CheckInMethod::ALL {
        let ev = ci(m);
        let line = serde_json::to_string(&ev).unwrap();
        assert!(
            line.contains(&format!("\"method\":\"{}\"", m.as_str())),
            "{line}"
        );
        assert!(line.starts_with("{\"type\":\"checkin\""), "{line}");
        assert_eq!(read_ndjson_str(&line).events, vec![ev]);
    }
}

#[test]
fn every_identifier_kind_parses_by_name() {
    for k in IdKind::ALL {
        assert_eq!(k.as_str().parse::<IdKind>(), Ok(k));
        let json = format!("{{\"kind\":\"{k}\",\"value\":\"x\"}}");
        let id: Identifier = serde_json::from_str(&json).unwrap();
        assert_eq!(id.kind, k);
    }
    assert!("fax".parse::<IdKind>().is_err());
}

#[test]
fn timestamps_accept_rfc3339_and_write_integers() {
    let line = r#"{"type":"checkin","method":"wifi_join","store":"S1","timestamp":"2026-03-01T17:00:00+07:00"}"#;
    let out = read_ndjson_str(line);
    assert_eq!(out.events[0].timestamp(), 1_772_359_200);
    assert!(
        serde_json::to_string(&out.events[0])
            .unwrap()
            .contains("\"timestamp\":1772359200")
    );
}

#[test]
fn bad_lines_are_reported_with_line_and_field_and_good_lines_kept() {
    let input = include_str!("../../tests/data/mixed.ndjson");
    let out = read_ndjson(input.as_bytes()).unwrap();
    assert_eq!(
        out.summary,
        ReadSummary {
            read: 6,
            rejected: 6
        }
    );
    let errs: Vec<(u64, Option<&str>)> = out
        .errors
        .iter()
        .map(|e| (e.line, e.field.as_deref()))
        .collect();
    assert_eq!(
        errs,
        vec![
            (2, None),
            (4, Some("identifiers[0].kind")),
            (6, Some("timestamp")),
            (7, Some("type")),
            (9, Some("method")),
            (11, Some("action")),
        ]
    );
    assert!(out.errors[1].message.contains("fax"), "{}", out.errors[1]);
    assert_eq!(
        out.errors[1].to_string().split(':').next(),
        Some("line 4, field `identifiers[0].kind`")
    );
    let stores: Vec<_> = out
        .events
        .iter()
        .filter_map(|e| match e {
            Event::CheckIn(c) => Some(c.store.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(stores, ["S1", "S3", "S5"]);
}

#[test]
fn invalid_utf8_is_one_bad_line() {
    let mut input =
        b"{\"type\":\"checkin\",\"method\":\"qr_scan\",\"store\":\"S1\",\"timestamp\":1}\n"
            .to_vec();
    input.extend_from_slice(
        b"{\"type\":\"checkin\",\"method\":\"qr_scan\",\"store\":\"\xff\",\"timestamp\":1}\n",
    );
    input.extend_from_slice(
        b"{\"type\":\"checkin\",\"method\":\"qr_scan\",\"store\":\"S3\",\"timestamp\":1}\n",
    );
    let out = read_ndjson(&input[..]).unwrap();
    assert_eq!(
        out.summary,
        ReadSummary {
            read: 2,
            rejected: 1
        }
    );
    assert_eq!(out.errors[0].line, 2);
}

#[cfg(feature = "csv")]
#[test]
fn pos_csv_keeps_good_rows_and_names_bad_cells() {
    let input = "\
Timestamp,Store,Region,Value,Currency,Phone,Loyalty_Card,Items,Cashier
2026-03-01T10:00:00Z,S1,north,12.50,USD,0912345678,LC1,A:1:12.5,bob
2026-03-01T11:00:00Z,S2,south,abc,USD,0912345679,,,
1772359200,S3,,,,,LC3,,ann
2026-03-01T12:00:00Z,,north,1,USD,,,,
2026-03-01T12:00:00Z,S5,north,1,USD,,,A:x:1,
";
    let out = read_pos_csv(input.as_bytes()).unwrap();
    assert_eq!(
        out.summary,
        ReadSummary {
            read: 2,
            rejected: 3
        }
    );
    let errs: Vec<(u64, Option<&str>)> = out
        .errors
        .iter()
        .map(|e| (e.line, e.field.as_deref()))
        .collect();
    assert_eq!(
        errs,
        vec![(3, Some("value")), (5, Some("store")), (6, Some("items"))]
    );
    let Event::CheckIn(first) = &out.events[0] else {
        panic!("not a check-in")
    };
    assert_eq!(first.method, CheckInMethod::PosPurchase);
    assert_eq!(first.value, Some(12.5));
    assert_eq!(first.items[0].sku, "A");
    assert_eq!(
        first.identifiers,
        vec![
            Identifier::new(IdKind::Phone, "0912345678"),
            Identifier::new(IdKind::LoyaltyCard, "LC1")
        ]
    );
    assert!(read_pos_csv("store,value\nS1,1\n".as_bytes()).is_err());
}

fn arb_ident() -> impl Strategy<Value = Identifier> {
    (prop::sample::select(IdKind::ALL.to_vec()), "\\PC{0,12}")
        .prop_map(|(k, v)| Identifier::new(k, v))
}

fn arb_consent() -> impl Strategy<Value = Option<ConsentSignals>> {
    use crate::consent::{ConsentMode, ConsentState};
    let st = prop::sample::select(vec![
        ConsentState::Granted,
        ConsentState::Denied,
        ConsentState::Unknown,
    ]);
    prop::option::of((
        prop::option::of("[A-Za-z0-9_.-]{0,20}"),
        prop::option::of((st.clone(), st.clone(), st.clone(), st)),
    ))
    .prop_map(|o| {
        o.map(|(tcf, gcm)| ConsentSignals {
            tcf,
            gcm: gcm.map(|(a, b, c, d)| ConsentMode {
                ad_storage: a,
                analytics_storage: b,
                ad_user_data: c,
                ad_personalization: d,
            }),
        })
    })
}

fn finite() -> impl Strategy<Value = f64> {
    prop::num::f64::NORMAL | prop::num::f64::ZERO
}

fn arb_event() -> impl Strategy<Value = Event> {
    let touch = (
        prop::sample::select(TouchAction::ALL.to_vec()),
        "\\PC{0,10}",
        prop::option::of("\\PC{0,10}"),
        crate::event::MIN_TIMESTAMP..=crate::event::MAX_TIMESTAMP,
        prop::option::of(finite()),
        prop::collection::vec(arb_ident(), 0..4),
        arb_consent(),
        prop::option::of(finite()),
    )
        .prop_map(
            |(action, channel, campaign, timestamp, cost, identifiers, consent, value)| {
                Event::Touchpoint(Touchpoint {
                    id: None,
                    action,
                    channel,
                    campaign,
                    timestamp,
                    cost,
                    value,
                    identifiers,
                    consent,
                    currency: None,
                    tracking: None,
                    order: None,
                    exposure: Default::default(),
                })
            },
        );
    let item = ("\\PC{0,6}", any::<u32>(), finite()).prop_map(|(sku, quantity, price)| Item {
        sku,
        quantity,
        price,
    });
    let check = (
        prop::sample::select(CheckInMethod::ALL.to_vec()),
        "\\PC{0,10}",
        prop::option::of("\\PC{0,10}"),
        crate::event::MIN_TIMESTAMP..=crate::event::MAX_TIMESTAMP,
        prop::option::of(finite()),
        prop::collection::vec(item, 0..3),
        prop::collection::vec(arb_ident(), 0..4),
        arb_consent(),
        prop::option::of("[A-Z0-9]{4,16}"),
    )
        .prop_map(
            |(method, store, region, timestamp, value, items, identifiers, consent, voucher)| {
                Event::CheckIn(CheckIn {
                    id: Some("e".into()),
                    method,
                    store,
                    region,
                    timestamp,
                    value,
                    currency: value.map(|_| "EUR".into()),
                    items,
                    campaign: voucher.as_ref().map(|_| "c".into()),
                    voucher,
                    identifiers,
                    consent,
                    channel: None,
                    tracking: None,
                })
            },
        );
    let view = (
        "\\PC{1,10}",
        prop::option::of("\\PC{0,10}"),
        "\\PC{0,10}",
        crate::event::MIN_TIMESTAMP..=crate::event::MAX_TIMESTAMP,
        prop::option::of(finite()),
        prop::collection::vec(arb_ident(), 0..4),
        arb_consent(),
        prop::option::of("[a-z]{1,8}"),
    )
        .prop_map(
            |(sku, name, channel, timestamp, price, identifiers, consent, gclid)| {
                Event::ProductView(ProductView {
                    id: None,
                    sku,
                    name,
                    channel,
                    campaign: None,
                    timestamp,
                    price,
                    currency: price.map(|_| "VND".into()),
                    tracking: gclid.map(|g| {
                        Box::new(Tracking {
                            gclid: Some(g),
                            ..Default::default()
                        })
                    }),
                    identifiers,
                    consent,
                })
            },
        );
    prop_oneof![touch, check, view]
}

proptest! {
    #[test]
    fn serde_round_trip(events in prop::collection::vec(arb_event(), 0..8)) {
        let mut text = String::new();
        for e in &events {
            text.push_str(&serde_json::to_string(e).unwrap());
            text.push('\n');
        }
        let out = read_ndjson_str(&text);
        prop_assert!(out.errors.is_empty(), "{:?}", out.errors);
        prop_assert_eq!(out.events, events);
    }

    #[test]
    fn touchpoint_line_writes_the_bytes_of_write_ndjson(event in arb_event()) {
        if let Event::Touchpoint(t) = &event {
            prop_assert_eq!(touchpoint_bytes(t), ndjson_bytes(&event));
        }
    }
}

proptest! {
    /// The hand-written touchpoint writer against the derived serialisation, with every
    /// optional part (id, currency, tracking, order with items, exposure) and strings with
    /// control characters, quotes and non-ASCII text.
    #[test]
    fn touchpoint_line_writes_the_bytes_of_write_ndjson_with_every_part(
        base in arb_event(),
        id in prop::option::of(".{0,8}"),
        currency in prop::option::of(".{0,4}"),
        utm in prop::option::of((prop::option::of(".{0,8}"), prop::option::of("[A-Za-z0-9_-]{1,12}"))),
        order in prop::option::of((
            prop::sample::select(Fulfilment::ALL.to_vec()),
            prop::option::of(".{0,6}"),
            prop::option::of(crate::event::MIN_TIMESTAMP..=crate::event::MAX_TIMESTAMP),
            prop::collection::vec((".{0,6}", any::<u32>(), finite()), 0..3),
        )),
        randomised in any::<bool>(),
    ) {
        let Event::Touchpoint(mut t) = base else { return Ok(()) };
        t.id = id;
        t.currency = currency;
        t.tracking = utm.map(|(utm_source, gclid)| Box::new(Tracking { utm_source, gclid, ..Default::default() }));
        t.order = order.map(|(fulfilment, pickup_store, pickup_time, items)| Box::new(Order {
            fulfilment,
            pickup_store,
            pickup_time,
            items: items.into_iter().map(|(sku, quantity, price)| Item { sku, quantity, price }).collect(),
        }));
        if randomised {
            t.exposure = Exposure::Randomised;
        }
        let event = Event::Touchpoint(t.clone());
        prop_assert_eq!(touchpoint_bytes(&t), ndjson_bytes(&event));
    }
}

fn touchpoint_bytes(t: &Touchpoint) -> Vec<u8> {
    touchpoint_line(t).unwrap().into_bytes()
}

fn ndjson_bytes(e: &Event) -> Vec<u8> {
    let mut out = Vec::new();
    write_ndjson([e], &mut out).unwrap();
    out
}

/// Every optional part of a touchpoint set: tracking, order with items, consent, exposure.
#[test]
fn touchpoint_line_matches_write_ndjson_with_every_field() {
    let Event::Touchpoint(mut t) = tp(TouchAction::Purchase) else {
        unreachable!("tp() builds a touchpoint")
    };
    t.value = Some(19.99);
    t.currency = Some("EUR".into());
    t.consent = Some(ConsentSignals::default());
    t.tracking = Some(Box::new(Tracking {
        utm_source: Some("news\"letter".into()),
        gclid: Some("Cj0K".into()),
        utm_term: Some("caf\u{e9} \u{1f600}".into()),
        ..Default::default()
    }));
    t.order = Some(Box::new(Order {
        fulfilment: Fulfilment::ClickAndCollect,
        pickup_store: Some("S1".into()),
        pickup_time: Some(1_772_400_000),
        items: vec![Item {
            sku: "A".into(),
            quantity: 3,
            price: 1.5,
        }],
    }));
    t.exposure = Exposure::Randomised;
    let event = Event::Touchpoint(t.clone());
    assert_eq!(touchpoint_bytes(&t), ndjson_bytes(&event));
    let line = String::from_utf8(touchpoint_bytes(&t)).unwrap();
    assert!(line.contains("\"order\":{") && line.contains("\"exposure\":\"randomised\""));
}

/// Issue 30: a UTF-8 byte-order mark before line 1 is not part of the first event.
#[test]
fn a_byte_order_mark_before_line_1_is_skipped() {
    let line = r#"{"type":"checkin","method":"qr_scan","store":"S1","timestamp":1}"#;
    let input = format!("\u{feff}{line}\n{line}\n");
    let out = read_ndjson(input.as_bytes()).unwrap();
    assert_eq!(out.summary.to_string(), "2 read, 0 rejected");
    // Only at the start of the input: later it is a bad line.
    let input = format!("{line}\n\u{feff}{line}\n");
    let out = read_ndjson(input.as_bytes()).unwrap();
    assert_eq!(out.errors[0].line, 2);
}

/// An endless line (`/dev/zero`, a binary file) stops the read with an error naming the line,
/// instead of being read forever; the records before it are kept.
#[test]
fn an_endless_line_stops_the_read() {
    let line = r#"{"type":"checkin","method":"qr_scan","store":"S1","timestamp":1}"#;
    use std::io::Read;
    let zeros = std::io::repeat(0).take(10_000_000);
    let first = format!("{line}\n");
    let input = std::io::BufReader::new(first.as_bytes().chain(zeros));
    let mut reader = NdjsonReader::new(input).with_max_record(1_000);
    assert!(reader.next().unwrap().unwrap().is_ok());
    match reader.next() {
        Some(Err(ReadError::Runaway { line, bytes })) => {
            assert_eq!(line, 2);
            assert!(bytes > 64_000 && bytes < 200_000, "{bytes}");
        }
        other => panic!("expected a runaway line, got {other:?}"),
    }
    assert!(reader.next().is_none());
    // A long line that does end is still only that line's error.
    let input = format!("{}\n{line}\n", "z".repeat(50_000));
    let out: Vec<_> = NdjsonReader::new(input.as_bytes())
        .with_max_record(1_000)
        .collect();
    assert_eq!(out.len(), 2);
}

/// Issue 30: a line longer than the record cap is rejected on its line, without keeping it,
/// and the lines around it are read.
#[test]
fn a_line_over_the_record_cap_is_rejected_and_reading_goes_on() {
    let line = r#"{"type":"checkin","method":"qr_scan","store":"S1","timestamp":1}"#;
    let long = "x".repeat(5_000);
    let input = format!("{line}\n{long}\n{line}\n{long}");
    let out: Vec<_> = NdjsonReader::new(input.as_bytes())
        .with_max_record(1_000)
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(out.len(), 4);
    assert!(out[0].is_ok() && out[2].is_ok());
    for (i, line) in [(1, 2), (3, 4)] {
        let e = out[i].as_ref().unwrap_err();
        assert_eq!(e.line, line);
        assert_eq!(e.message, "longer than 1000 bytes");
    }
    // The default cap is a mebibyte.
    let input = format!("{}\n{line}\n", "y".repeat(MAX_RECORD_BYTES + 1));
    let out = read_ndjson(input.as_bytes()).unwrap();
    assert_eq!(out.summary.to_string(), "1 read, 1 rejected");
}

/// POS CSV amounts that no later reader takes (NaN, inf, 1e309, a negative unit price) are
/// rejected on their row, and the good rows around them are kept.
#[test]
fn pos_csv_rejects_non_finite_amounts_on_their_row() {
    let csv = "timestamp,store,value,items\n\
               1700000000,S1,10,A:1:10\n\
               1700000001,S1,NaN,\n\
               1700000002,S1,inf,\n\
               1700000003,S1,5,A:1:1e309\n\
               1700000004,S1,5,A:1:NaN\n\
               1700000005,S1,5,A:1:-2\n\
               1700000006,S1,-7.5,A:1:7.5\n";
    let out = read_pos_csv(csv.as_bytes()).unwrap();
    assert_eq!(out.summary.read, 2, "{:?}", out.errors);
    let lines: Vec<u64> = out.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [3, 4, 5, 6, 7]);
    for e in &out.errors {
        assert!(e.message.contains("finite"), "{e}");
    }
}

#[test]
fn a_product_view_reads_back_and_a_bad_one_names_its_field() {
    let input = concat!(
        r#"{"type":"product_view","id":"v1","sku":"PHONE-1","name":"Phone X","channel":"web","timestamp":"2026-03-01T10:00:00Z","price":7990000,"currency":"VND","identifiers":[{"kind":"device_id","value":"123.456"}]}"#,
        "\n",
        r#"{"type":"product_view","channel":"web","timestamp":1}"#,
        "\n",
        r#"{"type":"checkin","id":"v1","method":"qr_scan","store":"S1","timestamp":2}"#,
        "\n",
    );
    let mut out = read_ndjson_str(input);
    assert_eq!(out.summary.to_string(), "2 read, 1 rejected");
    assert_eq!(out.errors[0].line, 2);
    assert!(out.errors[0].message.contains("sku"), "{}", out.errors[0]);
    let Event::ProductView(v) = &out.events[0] else {
        panic!("a product view: {:?}", out.events[0])
    };
    assert_eq!(v.sku, "PHONE-1");
    assert_eq!(v.name.as_deref(), Some("Phone X"));
    assert_eq!(v.price, Some(7_990_000.0));
    assert_eq!(out.events[0].source(), "online:web");
    assert_eq!(out.events[0].timestamp(), 1_772_359_200);
    // A view and a check-in with the same source id are two events.
    assert_eq!(dedupe_by_id(&mut out.events), 0);
    let mut back = Vec::new();
    write_ndjson(&out.events[..1], &mut back).unwrap();
    assert_eq!(
        String::from_utf8(back).unwrap().lines().next(),
        Some(
            r#"{"type":"product_view","id":"v1","sku":"PHONE-1","name":"Phone X","channel":"web","timestamp":1772359200,"price":7990000.0,"currency":"VND","identifiers":[{"kind":"device_id","value":"123.456"}]}"#
        )
    );
}
