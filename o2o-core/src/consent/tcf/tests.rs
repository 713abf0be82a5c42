use super::*;
use proptest::prelude::*;

const CLI_README: &str = "COrVd1pOrVd1pACABCENAHCAAAAAAAAAAAiQAAAAAAAA";

#[test]
fn decodes_the_iab_cli_example() {
    let tc = TcString::decode(CLI_README).unwrap();
    let c = &tc.core;
    assert_eq!(
        (c.version, c.cmp_id, c.cmp_version, c.consent_screen),
        (2, 2, 1, 2)
    );
    assert_eq!(c.consent_language, "EN");
    assert_eq!(c.publisher_country_code, "ES");
    assert_eq!(c.vendor_list_version, 7);
    assert_eq!(c.created_unix(), 1_575_943_306);
    assert!(c.vendor_consents.ids.is_empty());
    assert!(tc.publisher_tc.is_none() && tc.disclosed_vendors.is_none());
}

#[test]
fn reencodes_to_the_same_model() {
    let tc = TcString::decode(CLI_README).unwrap();
    assert_eq!(TcString::decode(&tc.encode()).unwrap(), tc);
}

#[test]
fn errors_name_field_and_bit() {
    let e = TcString::decode("COrVd1pOrVd1pAC").unwrap_err();
    // 15 characters = 90 bits; Version + Created + LastUpdated take 78, CmpId needs 12 more.
    assert_eq!(
        e,
        TcfError::Truncated {
            segment: 0,
            field: "CmpId",
            bit: 78,
            needed: 12,
            available: 10
        }
    );
    assert_eq!(
        e.to_string(),
        "segment 0: truncated in CmpId at bit 78 (12 bits needed, 10 left)"
    );
    assert_eq!(
        TcString::decode("COrVd1p*").unwrap_err(),
        TcfError::BadBase64 {
            segment: 0,
            position: 7,
            character: '*'
        }
    );
    assert_eq!(TcString::decode("").unwrap_err(), TcfError::Empty);
    assert!(matches!(
        TcString::decode("BOhwdphOxFC7tAHABBFRC").unwrap_err(),
        TcfError::BadVersion { found: 1 }
    ));
    assert!(matches!(
        TcString::decode(&format!("{CLI_README}.")).unwrap_err(),
        TcfError::EmptySegment { segment: 1 }
    ));
    // Segment type 0 (a second core) after the core is refused.
    assert!(matches!(
        TcString::decode(&format!("{CLI_README}.AAAA")).unwrap_err(),
        TcfError::BadSegmentType {
            segment: 1,
            found: 0
        }
    ));
}

/// The CLI example with its 6-bit `TcfPolicyVersion` (bits 132..138) set to `v`.
fn with_policy_version(v: u8) -> String {
    let mut tc = TcString::decode(CLI_README).unwrap();
    tc.core.policy_version = v;
    tc.encode()
}

#[test]
fn policy_versions_the_iab_never_published_are_refused() {
    for v in POLICY_VERSIONS {
        let tc = TcString::decode(&with_policy_version(v)).unwrap();
        assert_eq!(tc.core.policy_version, v);
    }
    for v in [0u8, 1, 3, 6, 63] {
        let e = TcString::decode(&with_policy_version(v)).unwrap_err();
        assert_eq!(e, TcfError::BadPolicyVersion { found: v });
        assert!(
            e.to_string()
                .contains(&format!("TcfPolicyVersion {v} at bit 132")),
            "{e}"
        );
    }
}

#[test]
fn vendor_ranges_above_max_vendor_id_are_refused() {
    // A vendor-consent section written by hand: MaxVendorId 10, range encoding, one entry 5-12.
    let base = TcString::decode(CLI_README).unwrap();
    let mut tc = base.clone();
    tc.core.vendor_consents = VendorVector {
        max_id: 10,
        encoding: VectorEncoding::Range,
        ids: IdSet::from_ids(5..=12),
    };
    let e = TcString::decode(&tc.encode()).unwrap_err();
    assert!(
        matches!(
            e,
            TcfError::VendorAboveMax {
                segment: 0,
                field: "VendorConsents",
                id: 12,
                max: 10,
                ..
            }
        ),
        "{e:?}"
    );
    // The same in the disclosed-vendors segment, and a single id above the maximum.
    let mut tc = base.clone();
    tc.disclosed_vendors = Some(VendorVector {
        max_id: 3,
        encoding: VectorEncoding::Range,
        ids: IdSet::from_ids([1, 7]),
    });
    assert!(matches!(
        TcString::decode(&tc.encode()).unwrap_err(),
        TcfError::VendorAboveMax {
            segment: 1,
            field: "DisclosedVendors",
            id: 7,
            max: 3,
            ..
        }
    ));
    // At the maximum is fine.
    let mut tc = base;
    tc.core.vendor_consents = VendorVector {
        max_id: 12,
        encoding: VectorEncoding::Range,
        ids: IdSet::from_ids(5..=12),
    };
    assert_eq!(TcString::decode(&tc.encode()).unwrap(), tc);
}

#[test]
fn id_set_ranges_and_bits() {
    let mut s = IdSet::new();
    s.insert_range(60, 130);
    assert_eq!(s.len(), 71);
    assert!(s.contains(60) && s.contains(130) && !s.contains(59) && !s.contains(131));
    assert_eq!(s.runs(), vec![(60, 130)]);
    assert_eq!(s.max(), Some(130));
    let mut t = IdSet::new();
    t.or_bits(62, 0b1011);
    assert_eq!(t.iter().collect::<Vec<_>>(), vec![62, 63, 65]);
    let mut u = IdSet::new();
    u.insert_range(65535, 65535);
    assert!(u.contains(65535));
}

fn arb_flags(width: u32) -> impl Strategy<Value = Flags> {
    any::<u64>().prop_map(move |b| {
        Flags(if width >= 64 {
            b
        } else {
            b & ((1u64 << width) - 1)
        })
    })
}

fn arb_vendors() -> impl Strategy<Value = VendorVector> {
    prop_oneof![
        proptest::collection::vec(1u16..400, 0..100),
        proptest::collection::vec(1u16..=u16::MAX, 0..8),
        (1u16..60000, 0u16..300).prop_map(|(a, n)| (a..=a.saturating_add(n)).collect()),
    ]
    .prop_map(VendorVector::from_ids)
}

fn arb_letters() -> impl Strategy<Value = String> {
    "[A-Z]{2}"
}

prop_compose! {
    fn arb_core()(
        created in 0u64..(1 << 36), updated in 0u64..(1 << 36), cmp_id in 0u16..4096,
        cmp_version in 0u16..4096, screen in 0u8..64, lang in arb_letters(),
        vlv in 0u16..4096, pv in proptest::sample::select(POLICY_VERSIONS.to_vec()), (ss, nst, p1) in any::<(bool, bool, bool)>(),
        sf in arb_flags(12), pc in arb_flags(24), pli in arb_flags(24), cc in arb_letters(),
        vc in arb_vendors(), vli in arb_vendors(),
        rs in proptest::collection::vec((0u8..64, 0u8..4, proptest::collection::vec(1u16..2000, 1..40)), 0..4),
    ) -> CoreSegment {
        let mut publisher_restrictions: Vec<PublisherRestriction> = Vec::new();
        for (purpose, t, vendors) in rs {
            let restriction_type = RestrictionType::from_u8(t);
            if publisher_restrictions.iter().any(|p| p.purpose == purpose && p.restriction_type == restriction_type) {
                continue;
            }
            publisher_restrictions.push(PublisherRestriction { purpose, restriction_type, vendors: IdSet::from_ids(vendors) });
        }
        CoreSegment {
            version: 2, created, last_updated: updated, cmp_id, cmp_version, consent_screen: screen,
            consent_language: lang, vendor_list_version: vlv, policy_version: pv,
            is_service_specific: ss, use_non_standard_texts: nst, special_feature_optins: sf,
            purpose_consents: pc, purpose_legitimate_interests: pli, purpose_one_treatment: p1,
            publisher_country_code: cc, vendor_consents: vc, vendor_legitimate_interests: vli,
            publisher_restrictions,
        }
    }
}

prop_compose! {
    fn arb_publisher_tc()(pc in arb_flags(24), pli in arb_flags(24), n in 0u8..64, cc in any::<u64>(), cli in any::<u64>()) -> PublisherTc {
        let keep = |b: u64| Flags(b).truncate(usize::from(n));
        PublisherTc { purpose_consents: pc, purpose_legitimate_interests: pli, num_custom_purposes: n,
            custom_purpose_consents: keep(cc), custom_purpose_legitimate_interests: keep(cli) }
    }
}

prop_compose! {
    fn arb_tc()(core in arb_core(), dv in proptest::option::of(arb_vendors()), av in proptest::option::of(arb_vendors()), p in proptest::option::of(arb_publisher_tc())) -> TcString {
        TcString { core, disclosed_vendors: dv, allowed_vendors: av, publisher_tc: p }
    }
}

proptest! {
    #[test]
    fn decode_encode_round_trips(tc in arb_tc()) {
        let s = tc.encode();
        prop_assert_eq!(TcString::decode(&s).unwrap(), tc);
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,300}") {
        let _ = TcString::decode(&s);
    }

    #[test]
    fn arbitrary_base64url_never_panics(s in "[A-Za-z0-9_.-]{0,400}") {
        if let Ok(tc) = TcString::decode(&s) {
            // Whatever decodes re-encodes to the same model.
            prop_assert_eq!(TcString::decode(&tc.encode()).unwrap(), tc);
        }
    }

    #[test]
    fn truncations_of_valid_strings_are_errors_not_panics(tc in arb_tc(), cut in 0usize..2000) {
        let s = tc.encode();
        let cut = cut.min(s.len());
        let _ = TcString::decode(&s[..cut]);
    }
}
