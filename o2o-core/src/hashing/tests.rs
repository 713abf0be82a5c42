use super::*;
use crate::consent::{ConsentGate, ConsentMode, ConsentSignals, ConsentState};
use crate::keys::{KeyRing, SecretKey};
use proptest::prelude::*;

fn permit(op: Operation) -> Permit {
    let g = ConsentSignals {
        gcm: Some(ConsentMode {
            ad_storage: ConsentState::Granted,
            analytics_storage: ConsentState::Granted,
            ad_user_data: ConsentState::Granted,
            ad_personalization: ConsentState::Granted,
        }),
        ..Default::default()
    };
    ConsentGate::default().permit(op, Some(&g)).unwrap()
}

#[test]
fn sha256_known_vectors() {
    assert_eq!(
        sha256_hex(""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    // Reference from Python hashlib.sha256(b"joe@eg.com").
    assert_eq!(
        sha256_hex("joe@eg.com"),
        "8830eedd6c6b5ea97d181563a349476ca1bb25ace1f94b5c5e48d9cad727941b"
    );
}

#[test]
fn prehashed_passes_through_once() {
    let mut h = Hasher::new(NormalizeOptions::default());
    let mut d = [0u8; 32];
    let hex = sha256_hex("ann@example.com");
    assert_eq!(
        h.digest(IdKind::Email, &format!(" {} ", hex.to_uppercase()), &mut d),
        Ok(Origin::Prehashed)
    );
    let mut s = String::new();
    push_hex(&d, &mut s);
    assert_eq!(s, hex);
    // 63 hex digits is not a hash: it is an invalid email.
    assert!(h.digest(IdKind::Email, &hex[1..], &mut d).is_err());
}

#[test]
fn upload_needs_the_hash_for_upload_permit() {
    let o = NormalizeOptions::default();
    for op in Operation::ALL {
        let r = hash_for_upload(&permit(op), IdKind::Email, "ann@example.com", &o);
        if op == Operation::HashForUpload {
            assert_eq!(r.unwrap().hex, sha256_hex("ann@example.com"));
            assert!(UploadHasher::new(&permit(op), o.clone()).is_ok());
        } else {
            assert_eq!(r, Err(HashError::WrongPermit { given: op }));
            assert!(UploadHasher::new(&permit(op), o.clone()).is_err());
        }
    }
    let e =
        hash_for_upload(&permit(Operation::HashForUpload), IdKind::Email, "nope", &o).unwrap_err();
    assert!(matches!(
        e,
        HashError::Normalize(NormalizeError::Invalid {
            kind: IdKind::Email,
            ..
        })
    ));
}

#[test]
fn batch_keeps_order_and_errors() {
    let mut h = Hasher::new(NormalizeOptions::default());
    let mut out = Vec::new();
    h.hash_batch(IdKind::Email, ["a@x.com", "bad", "B@X.com"], &mut out);
    assert_eq!(out.len(), 3);
    assert_eq!(out[0].as_ref().unwrap(), &sha256(b"a@x.com"));
    assert!(out[1].is_err());
    assert_eq!(out[2].as_ref().unwrap(), &sha256(b"b@x.com"));
}

#[test]
fn pseudonyms_rotate_and_verify() {
    let old = KeyRing::parse("k1:000102030405060708090a0b0c0d0e0f").unwrap();
    let new =
        KeyRing::parse("k2:101112131415161718191a1b1c1d1e1f\nk1:000102030405060708090a0b0c0d0e0f")
            .unwrap();
    let mut p_old = Pseudonymizer::from_ring(&old, NormalizeOptions::default());
    let mut p_new = Pseudonymizer::from_ring(&new, NormalizeOptions::default());
    let a = p_old.pseudonym(IdKind::Email, "Ann@x.com").unwrap();
    let b = p_new.pseudonym(IdKind::Email, "ann@x.com").unwrap();
    assert_eq!(a.key_id, "k1");
    assert_eq!(b.key_id, "k2");
    assert_ne!(a.digest, b.digest);
    assert!(p_new.verify(&new, IdKind::Email, "ann@x.com", &a).unwrap());
    assert!(p_new.verify(&new, IdKind::Email, "ann@x.com", &b).unwrap());
    assert!(!p_new.verify(&new, IdKind::Email, "bob@x.com", &a).unwrap());
    assert!(!p_old.verify(&old, IdKind::Email, "ann@x.com", &b).unwrap());
    // Text round trip.
    let t = b.to_string();
    assert_eq!(t.parse::<Pseudonym>().unwrap(), b);
    assert!("k2:abc".parse::<Pseudonym>().is_err());
    // Kind separation: the same text as two kinds gives two pseudonyms.
    let x = p_new.pseudonym(IdKind::ExternalId, "c1").unwrap();
    let y = p_new.pseudonym(IdKind::LoyaltyCard, "C1").unwrap();
    assert_ne!(x.digest, y.digest);
}

#[test]
fn pseudonym_is_rfc2104_hmac() {
    // RFC 4231 test case 2 style check, through our message framing: HMAC(key, "email:" + value).
    use hmac::{Hmac, Mac};
    let key = SecretKey::new("k", b"Jefe-but-longer!".to_vec()).unwrap();
    let mut p = Pseudonymizer::new(&key, NormalizeOptions::default());
    let got = p.pseudonym(IdKind::Email, "a@x.com").unwrap();
    let mut m = Hmac::<sha2::Sha256>::new_from_slice(b"Jefe-but-longer!").unwrap();
    m.update(b"email:a@x.com");
    assert_eq!(got.digest, <[u8; 32]>::from(m.finalize().into_bytes()));
    let mut s = String::new();
    p.text_into(IdKind::Email, "a@x.com", &mut s).unwrap();
    assert_eq!(s, got.to_string());
}

fn state() -> impl Strategy<Value = ConsentState> {
    prop_oneof![
        Just(ConsentState::Granted),
        Just(ConsentState::Denied),
        Just(ConsentState::Unknown)
    ]
}

proptest! {
    /// Nothing is hashed for upload unless the gate granted hash_for_upload.
    #[test]
    fn nothing_hashed_when_gate_denies(a in state(), b in state(), c in state(), d in state(), has in any::<bool>(), op in prop::sample::select(Operation::ALL.to_vec()), v in "[a-z]{1,8}@[a-z]{1,8}\\.com") {
        let signals = has.then(|| ConsentSignals { gcm: Some(ConsentMode { ad_storage: a, analytics_storage: b, ad_user_data: c, ad_personalization: d }), ..Default::default() });
        let gate = ConsentGate::default();
        let upload_allowed = gate.permit(Operation::HashForUpload, signals.as_ref()).is_ok();
        match gate.permit(op, signals.as_ref()) {
            Err(_) => {}
            Ok(p) => {
                let r = hash_for_upload(&p, IdKind::Email, &v, &NormalizeOptions::default());
                prop_assert_eq!(r.is_ok(), op == Operation::HashForUpload);
                prop_assert!(r.is_err() || upload_allowed);
            }
        }
        prop_assert_eq!(upload_allowed, has && c == ConsentState::Granted);
    }

    /// A pre-hashed value is never re-hashed, and a hash output re-fed is passed through.
    #[test]
    fn prehashed_never_rehashed(bytes in any::<[u8; 32]>(), upper in any::<bool>(), kind in prop::sample::select(IdKind::ALL.to_vec())) {
        let mut hex = String::new();
        push_hex(&bytes, &mut hex);
        let input = if upper { hex.to_uppercase() } else { hex.clone() };
        let mut h = Hasher::new(NormalizeOptions::default());
        let mut out = String::new();
        prop_assert_eq!(h.hex_into(kind, &input, &mut out), Ok(Origin::Prehashed));
        prop_assert_eq!(&out, &hex);
        let mut again = String::new();
        prop_assert_eq!(h.hex_into(kind, &out, &mut again), Ok(Origin::Prehashed));
        prop_assert_eq!(again, hex);
    }
}
