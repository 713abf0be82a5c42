use super::*;

const NDJSON: &str = r#"{"customer":"p1","store":"S1","score":2,"timestamp":"2026-03-02T10:00:00Z","segment":"vip","comment":"slow till"}
{"customer":"p2","store":"S1","score":5,"timestamp":1772445600,"segment":"vip"}

{"customer":"p3","store":"S2","score":7,"timestamp":1772445600}
{"customer":"p4","store":"S2","score":"x","timestamp":1772445600}
{"customer":"p5","store":"S2","score":1,"timestamp":1772400000}
not json
"#;

#[test]
fn ndjson_keeps_good_lines_and_names_bad_ones() {
    let out = read_responses_ndjson(NDJSON);
    assert_eq!(out.responses.len(), 3);
    let lines: Vec<(u64, Option<&str>)> = out
        .errors
        .iter()
        .map(|e| (e.line, e.field.as_deref()))
        .collect();
    assert_eq!(
        lines,
        vec![(4, Some("score")), (5, Some("score")), (7, None)]
    );
}

#[test]
fn alerts_below_threshold_with_deadline_most_urgent_first() {
    let out = read_responses_ndjson(NDJSON);
    let a = alerts(&out.responses, &AlertPolicy::default());
    assert_eq!(a.len(), 2);
    assert_eq!(
        (a[0].customer.as_str(), a[0].deadline),
        ("p5", 1_772_400_000 + 86_400)
    );
    assert_eq!(a[1].customer, "p1");
    assert_eq!(a[1].deadline - a[1].responded_at, 24 * 3600);
    assert_eq!(open_alerts(&a, 1_772_400_000 + 86_401).len(), 1);
    let strict = AlertPolicy {
        threshold: 2,
        deadline_hours: 4,
    };
    assert_eq!(alerts(&out.responses, &strict).len(), 1);
}

#[test]
fn satisfaction_per_store_and_segment() {
    let out = read_responses_ndjson(NDJSON);
    let s = satisfaction(&out.responses, &AlertPolicy::default());
    let s1 = &s.by_store["S1"];
    assert_eq!(
        (s1.responses, s1.mean_score, s1.csat, s1.unhappy_share),
        (2, 3.5, 0.5, 0.5)
    );
    assert_eq!(s.by_segment["unknown"].responses, 1);
    assert_eq!(s.by_segment["vip"].mean_score, 3.5);
    assert!(s.to_string().contains("CSAT"));
}

#[cfg(feature = "csv")]
#[test]
fn csv_rows_with_line_numbers() {
    let text = "customer,store,score,timestamp,segment\np1,S1,1,1000,new\np2,S1,9,1000,\np3,S2,x,1000,\np4,S2,4,2026-03-01T00:00:00Z,\n";
    let out = read_responses_csv(text.as_bytes());
    assert_eq!(out.responses.len(), 2);
    assert_eq!(out.responses[1].timestamp, 1_772_323_200);
    assert_eq!(
        out.errors.iter().map(|e| e.line).collect::<Vec<_>>(),
        vec![3, 4]
    );
}
