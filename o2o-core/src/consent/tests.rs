use super::tcf::{
    CoreSegment, Flags, IdSet, PublisherRestriction, PublisherTc, RestrictionType, TcString,
    VendorVector,
};
use super::*;
use proptest::prelude::*;

fn gcm(granted: bool) -> ConsentMode {
    let s = if granted {
        ConsentState::Granted
    } else {
        ConsentState::Denied
    };
    ConsentMode {
        ad_storage: s,
        analytics_storage: s,
        ad_user_data: s,
        ad_personalization: s,
    }
}

/// A TC string granting `purposes` in the core and the publisher TC segment, with vendor
/// consent for `vendors`.
fn tc(purposes: &[u8], vendors: &[u16], publisher: bool) -> TcString {
    TcString {
        core: CoreSegment {
            purpose_consents: Flags::from_ids(purposes.iter().copied()),
            vendor_consents: VendorVector::from_ids(vendors.iter().copied()),
            ..CoreSegment::default()
        },
        publisher_tc: publisher.then(|| PublisherTc {
            purpose_consents: Flags::from_ids(purposes.iter().copied()),
            ..PublisherTc::default()
        }),
        ..TcString::default()
    }
}

fn signals(tc: Option<&TcString>, gcm: Option<ConsentMode>) -> ConsentSignals {
    ConsentSignals {
        tcf: tc.map(TcString::encode),
        gcm,
    }
}

fn vendor_gate(v: u16) -> ConsentGate {
    ConsentGate::new(ConsentPolicy {
        vendor_id: Some(v),
        ..ConsentPolicy::default()
    })
}

#[test]
fn consent_mode_alone_decides_as_before() {
    let gate = ConsentGate::default();
    for op in Operation::ALL {
        assert!(
            gate.check(op, Some(&signals(None, Some(gcm(true)))))
                .allowed,
            "{op}"
        );
        let d = gate.check(op, Some(&signals(None, Some(gcm(false)))));
        assert!(
            !d.allowed && d.reason.contains("denied"),
            "{op}: {}",
            d.reason
        );
        assert_eq!(gate.check(op, None).reason, "no consent signals");
    }
    let unknown = gate.check(
        Operation::Measure,
        Some(&signals(None, Some(ConsentMode::default()))),
    );
    assert_eq!(
        unknown.reason,
        "analytics_storage unknown (treated as denied)"
    );
}

#[test]
fn publisher_mode_reads_the_publisher_tc_segment() {
    let gate = ConsentGate::default();
    let s = signals(Some(&tc(&[1, 7, 9], &[], true)), None);
    let d = gate.check(Operation::Measure, Some(&s));
    assert!(d.allowed, "{}", d.reason);
    assert!(
        d.reason.contains("publisher purpose 9 consent"),
        "{}",
        d.reason
    );
    // Purpose 9 missing, but legitimate interest is allowed for measure.
    let mut t = tc(&[1, 7], &[], true);
    t.publisher_tc
        .as_mut()
        .unwrap()
        .purpose_legitimate_interests = Flags::from_ids([9]);
    assert!(
        gate.check(Operation::Measure, Some(&signals(Some(&t), None)))
            .allowed
    );
    // ... but not for linking identities.
    let d = gate.check(Operation::LinkIdentity, Some(&signals(Some(&t), None)));
    assert_eq!(d.reason, "TCF publisher purpose 9: no consent");
    // Core-segment purposes alone do not speak for the publisher.
    let d = gate.check(
        Operation::Measure,
        Some(&signals(Some(&tc(&[1, 7, 9], &[], false)), None)),
    );
    assert!(
        !d.allowed && d.reason.contains("no publisher TC segment"),
        "{}",
        d.reason
    );
    // Personalise needs 1, 3, 4.
    assert!(!gate.check(Operation::Personalise, Some(&s)).allowed);
    let all = signals(Some(&tc(&[1, 3, 4, 7, 9], &[], true)), None);
    for op in Operation::ALL {
        assert!(gate.check(op, Some(&all)).allowed, "{op}");
    }
}

#[test]
fn vendor_mode_needs_the_vendor_bit_and_respects_restrictions() {
    let gate = vendor_gate(1234);
    let yes = tc(&[1, 7], &[1234], false);
    assert!(
        gate.check(Operation::HashForUpload, Some(&signals(Some(&yes), None)))
            .allowed
    );
    let other = tc(&[1, 7], &[1233, 1235], false);
    let d = gate.check(Operation::HashForUpload, Some(&signals(Some(&other), None)));
    assert_eq!(d.reason, "TCF purpose 1: vendor 1234 has no consent");
    let mut restricted = yes.clone();
    restricted
        .core
        .publisher_restrictions
        .push(PublisherRestriction {
            purpose: 7,
            restriction_type: RestrictionType::NotAllowed,
            vendors: IdSet::from_ids([1000, 1234]),
        });
    let d = gate.check(
        Operation::HashForUpload,
        Some(&signals(Some(&restricted), None)),
    );
    assert_eq!(
        d.reason,
        "TCF purpose 7: the publisher does not allow vendor 1234"
    );
    // Legitimate interest for purpose 9 (measure allows LI) unless the publisher requires consent.
    let mut li = tc(&[1, 7], &[1234], false);
    li.core.purpose_legitimate_interests = Flags::from_ids([9]);
    li.core.vendor_legitimate_interests = VendorVector::from_ids([1234]);
    let d = gate.check(Operation::Measure, Some(&signals(Some(&li), None)));
    assert!(
        d.allowed && d.reason.contains("purpose 9 legitimate interest"),
        "{}",
        d.reason
    );
    li.core.publisher_restrictions.push(PublisherRestriction {
        purpose: 9,
        restriction_type: RestrictionType::RequireConsent,
        vendors: IdSet::from_ids([1234]),
    });
    assert!(
        !gate
            .check(Operation::Measure, Some(&signals(Some(&li), None)))
            .allowed
    );
}

#[test]
fn both_sources_must_allow_and_undecodable_denies() {
    let gate = ConsentGate::default();
    let t = tc(&[1, 3, 4, 7, 9], &[], true);
    let both = |g| {
        gate.check(
            Operation::Personalise,
            Some(&signals(Some(&t), Some(gcm(g)))),
        )
    };
    assert!(both(true).allowed);
    assert_eq!(both(false).reason, "ad_user_data denied");
    let no_tcf = tc(&[], &[], true);
    let d = gate.check(
        Operation::Personalise,
        Some(&signals(Some(&no_tcf), Some(gcm(true)))),
    );
    assert!(!d.allowed);
    let garbage = ConsentSignals {
        tcf: Some("CO!!".to_owned()),
        gcm: Some(gcm(true)),
    };
    let d = gate.check(Operation::Measure, Some(&garbage));
    assert!(
        !d.allowed && d.reason.starts_with("TC string undecodable"),
        "{}",
        d.reason
    );
}

#[test]
fn decoded_signals_give_the_same_answers() {
    let gate = ConsentGate::default();
    let s = signals(Some(&tc(&[1, 7], &[], true)), Some(gcm(true)));
    let decoded = DecodedSignals::new(Some(&s));
    for op in Operation::ALL {
        assert_eq!(gate.check(op, Some(&s)), gate.check_decoded(op, &decoded));
        assert_eq!(
            gate.permit(op, Some(&s)).is_ok(),
            gate.permit_decoded(op, &decoded).is_ok()
        );
    }
    assert!(
        !gate
            .check_decoded(Operation::Measure, &DecodedSignals::default())
            .allowed
    );
}

#[test]
fn policy_json_round_trips_and_errors_say_where() {
    let p = ConsentPolicy::default();
    let text = serde_json::to_string_pretty(&p).unwrap();
    assert!(
        text.contains("\"hash_for_upload\"") && text.contains("\"ad_user_data\""),
        "{text}"
    );
    assert_eq!(ConsentPolicy::from_json(&text).unwrap(), p);
    let e = ConsentPolicy::from_json(r#"{"operations": {"measure": {"tcf_purposes": [1, "x"]}}}"#)
        .unwrap_err();
    assert!(
        matches!(&e, PolicyError::Json { path, .. } if path.ends_with("tcf_purposes[1]")),
        "{e}"
    );
    let e = ConsentPolicy::from_json(r#"{"operations": {"meassure": {"tcf_purposes": [1]}}}"#)
        .unwrap_err();
    assert!(e.to_string().contains("meassure"), "{e}");
    let e = ConsentPolicy::from_json(r#"{"operations": {"measure": {"tcf_purposes": [25]}}}"#)
        .unwrap_err();
    assert_eq!(
        e,
        PolicyError::OutOfRange {
            operation: Operation::Measure,
            what: "purpose",
            id: 25
        }
    );
    // An operation left out of the policy is never allowed.
    let only_measure = ConsentPolicy::from_json(
        r#"{"operations": {"measure": {"consent_mode": ["analytics_storage"]}}}"#,
    )
    .unwrap();
    let gate = ConsentGate::new(only_measure);
    let s = signals(None, Some(gcm(true)));
    assert!(gate.check(Operation::Measure, Some(&s)).allowed);
    assert_eq!(
        gate.check(Operation::Personalise, Some(&s)).reason,
        "the policy does not allow personalise"
    );
    // Consent Mode cannot allow an operation whose requirement is TCF only.
    let tcf_only =
        ConsentPolicy::from_json(r#"{"operations": {"measure": {"tcf_purposes": [1]}}}"#).unwrap();
    assert!(
        !ConsentGate::new(tcf_only)
            .check(Operation::Measure, Some(&s))
            .allowed
    );
}

#[test]
fn consent_mode_json_with_a_key_twice_is_refused() {
    // Denied then granted must not read as granted (the last value), nor as anything.
    let e = ConsentMode::parse(
        r#"{"ad_user_data":"denied","ad_storage":"granted","ad_user_data":"granted"}"#,
    )
    .unwrap_err();
    assert_eq!(e, ConsentModeError::DuplicateKey("ad_user_data".into()));
    assert_eq!(
        e.to_string(),
        "Consent Mode JSON: key `ad_user_data` appears twice"
    );
    // Any key: an ignored one given twice makes the object ambiguous just the same.
    assert_eq!(
        ConsentMode::parse(r#"{"region":["FR"],"region":["DE"]}"#).unwrap_err(),
        ConsentModeError::DuplicateKey("region".into())
    );
    assert!(matches!(
        ConsentMode::from_json("[1]"),
        Err(ConsentModeError::Json(_))
    ));
    // Events and stored signals (serde) refuse a repeated signal too.
    let signals = r#"{"gcm":{"ad_user_data":"denied","ad_user_data":"granted"}}"#;
    let err = serde_json::from_str::<ConsentSignals>(signals).unwrap_err();
    assert!(
        err.to_string().contains("duplicate field `ad_user_data`"),
        "{err}"
    );
    let twice = r#"{"gcm":{"ad_user_data":"denied"},"gcm":{"ad_user_data":"granted"}}"#;
    assert!(serde_json::from_str::<ConsentSignals>(twice).is_err());
}

#[test]
fn consent_mode_forms() {
    let m = ConsentMode::parse(
        r#"{"ad_storage":"GRANTED","analytics_storage":false,"ad_user_data":null,"region":["FR"]}"#,
    )
    .unwrap();
    assert_eq!(
        (
            m.ad_storage,
            m.analytics_storage,
            m.ad_user_data,
            m.ad_personalization
        ),
        (
            ConsentState::Granted,
            ConsentState::Denied,
            ConsentState::Unknown,
            ConsentState::Unknown
        )
    );
    let e = ConsentMode::parse(r#"{"ad_storage":"yes"}"#).unwrap_err();
    assert_eq!(
        e,
        ConsentModeError::BadValue {
            key: "ad_storage",
            value: "yes".to_owned()
        }
    );
    assert!(matches!(
        ConsentMode::parse("{"),
        Err(ConsentModeError::Json(_))
    ));
    let g = ConsentMode::parse("G1-1").unwrap();
    assert_eq!(
        (g.ad_storage, g.analytics_storage, g.ad_user_data),
        (
            ConsentState::Unknown,
            ConsentState::Granted,
            ConsentState::Unknown
        )
    );
    assert_eq!(
        ConsentMode::parse("G12").unwrap_err(),
        ConsentModeError::BadChar {
            form: "gcs",
            position: 2,
            character: '2'
        }
    );
    let d = ConsentMode::parse("13r3l3t3u5").unwrap();
    assert_eq!(
        (
            d.ad_storage,
            d.analytics_storage,
            d.ad_user_data,
            d.ad_personalization
        ),
        (
            ConsentState::Granted,
            ConsentState::Unknown,
            ConsentState::Granted,
            ConsentState::Denied
        )
    );
    assert_eq!(
        ConsentMode::parse("11t1x1t1t5").unwrap_err(),
        ConsentModeError::BadChar {
            form: "gcd",
            position: 4,
            character: 'x'
        }
    );
    assert_eq!(
        ConsentMode::parse("yes").unwrap_err(),
        ConsentModeError::Unrecognised
    );
}

fn arb_state_not_granted() -> impl Strategy<Value = ConsentState> {
    prop_oneof![Just(ConsentState::Denied), Just(ConsentState::Unknown)]
}

fn arb_state() -> impl Strategy<Value = ConsentState> {
    prop_oneof![
        Just(ConsentState::Granted),
        Just(ConsentState::Denied),
        Just(ConsentState::Unknown)
    ]
}

fn arb_mode(state: BoxedStrategy<ConsentState>) -> impl Strategy<Value = ConsentMode> {
    (state.clone(), state.clone(), state.clone(), state).prop_map(|(a, b, c, d)| ConsentMode {
        ad_storage: a,
        analytics_storage: b,
        ad_user_data: c,
        ad_personalization: d,
    })
}

fn arb_requirement() -> impl Strategy<Value = Requirement> {
    (
        proptest::collection::vec(1u8..=11, 0..4),
        any::<bool>(),
        proptest::collection::vec(1u8..=2, 0..2),
        proptest::sample::subsequence(ConsentSignal::ALL.to_vec(), 0..=4),
    )
        .prop_map(|(p, li, sf, cm)| Requirement {
            tcf_purposes: p,
            tcf_legitimate_interest: li,
            tcf_special_features: sf,
            consent_mode: cm,
        })
        .prop_filter("a valid requirement names something", |r| {
            r.has_tcf() || !r.consent_mode.is_empty()
        })
}

fn arb_policy() -> impl Strategy<Value = ConsentPolicy> {
    (
        proptest::option::of(1u16..3000),
        proptest::collection::btree_map(
            proptest::sample::select(Operation::ALL.to_vec()),
            arb_requirement(),
            0..=4,
        ),
    )
        .prop_map(|(vendor_id, operations)| ConsentPolicy {
            vendor_id,
            operations,
        })
}

/// A TC string with no purpose consent, legitimate interest or special feature opt-in
/// anywhere, but arbitrary vendors.
fn arb_tc_nothing_allowed() -> impl Strategy<Value = TcString> {
    (proptest::collection::vec(1u16..3000, 0..50), any::<bool>()).prop_map(|(v, publisher)| {
        TcString {
            core: CoreSegment {
                vendor_consents: VendorVector::from_ids(v.iter().copied()),
                vendor_legitimate_interests: VendorVector::from_ids(v),
                ..CoreSegment::default()
            },
            publisher_tc: publisher.then(PublisherTc::default),
            ..TcString::default()
        }
    })
}

proptest! {
    /// Fail closed: absent, unknown, denied or undecodable signals never allow anything, under
    /// any valid policy.
    #[test]
    fn nothing_is_allowed_without_a_grant(
        policy in arb_policy(),
        gcm in proptest::option::of(arb_mode(arb_state_not_granted().boxed())),
        tcf in prop_oneof![
            Just(None),
            "\\PC{0,40}".prop_map(Some),
            arb_tc_nothing_allowed().prop_map(|t| Some(t.encode())),
        ],
    ) {
        let gate = ConsentGate::new(policy);
        let s = ConsentSignals { tcf, gcm };
        for op in Operation::ALL {
            prop_assert!(!gate.check(op, Some(&s)).allowed);
            prop_assert!(gate.permit(op, Some(&s)).is_err());
            prop_assert!(gate.permit(op, None).is_err());
        }
    }

    /// Soundness: whenever the gate allows with Consent Mode present, every signal the policy
    /// lists for that operation is granted.
    #[test]
    fn allowed_means_every_listed_signal_granted(
        policy in arb_policy(),
        gcm in arb_mode(arb_state().boxed()),
    ) {
        let gate = ConsentGate::new(policy.clone());
        let s = ConsentSignals { tcf: None, gcm: Some(gcm) };
        for op in Operation::ALL {
            if gate.check(op, Some(&s)).allowed {
                let req = policy.requirement(op).unwrap();
                prop_assert!(!req.consent_mode.is_empty());
                prop_assert!(req.consent_mode.iter().all(|x| x.state(&gcm) == ConsentState::Granted));
            }
        }
    }

    #[test]
    fn consent_mode_parse_never_panics(s in "\\PC{0,30}") {
        let _ = ConsentMode::parse(&s);
    }
}
