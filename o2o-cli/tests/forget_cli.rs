//! `o2o forget`: the person is erased from every file of the store, raw and hashed, everyone
//! else is kept; the receipt holds no value. `o2o snapshot` and `o2o restore`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{o2o, write_key_file};
use o2o_core::event::{IdKind, Identifier};
use o2o_core::hashing::{NormalizeOptions, PhoneCheck, Platform, normalize, sha256_hex};
use o2o_core::sim::Truth;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("o2o-forget-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Everything the store keeps, as text: every record of every table decoded (Parquet pages are
/// compressed, so their bytes alone would hide a value), every other file as its bytes.
fn store_text(dir: &Path) -> String {
    use o2o_core::event::RecordKind;
    let mut text = String::new();
    let store = o2o_core::store::Store::open(dir).unwrap();
    for kind in RecordKind::ALL {
        for (r, p) in store.records(kind).unwrap() {
            text.push_str(&format!("{r:?} {p:?}\n"));
        }
    }
    for f in common::files_under(dir) {
        if f.extension().is_none_or(|e| e != "parquet") {
            text.push_str(&String::from_utf8_lossy(&std::fs::read(&f).unwrap()));
            text.push('\n');
        }
    }
    text
}

/// The forms a value can take in a file: as written, normalised, and SHA-256 of every
/// platform's normalisation.
fn forms(id: &Identifier) -> Vec<String> {
    let mut out = vec![id.value.clone()];
    for profile in Platform::ALL {
        let opts = NormalizeOptions {
            profile,
            default_country: Some("VN".into()),
            phone: PhoneCheck::Possible,
            ..NormalizeOptions::default()
        };
        if let Ok(v) = normalize(id.kind, &id.value, &opts) {
            out.push(sha256_hex(&v));
            out.push(v);
        }
    }
    out
}

/// Profiles as `o2o resolve --store` prints them: sets of `(kind, normalised value)`.
fn profiles(store: &Path) -> Vec<BTreeSet<(String, String)>> {
    let (code, out, err) = o2o(&["resolve", "--store", store.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    out.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["identifiers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| {
                    (
                        i["kind"].as_str().unwrap().to_owned(),
                        i["value"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .collect()
}

#[test]
fn forget_erases_the_person_from_every_file_and_keeps_everyone_else() {
    let dir = tmp("store");
    let st = dir.join("st");
    let (code, _, err) = o2o(&[
        "simulate",
        "--customers",
        "300",
        "--seed",
        "9",
        "--store",
        st.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    // The simulator's truth is the test's oracle, not part of the store.
    let truth: Truth =
        serde_json::from_str(&std::fs::read_to_string(st.join("truth.json")).unwrap()).unwrap();
    std::fs::remove_file(st.join("truth.json")).unwrap();
    let person = truth
        .persons
        .iter()
        .find(|p| {
            p.consent
                && p.identifiers.iter().any(|i| i.kind == IdKind::Email)
                && p.identifiers.iter().any(|i| i.kind == IdKind::Phone)
        })
        .expect("a consenting person with an email and a phone");
    let email = person
        .identifiers
        .iter()
        .find(|i| i.kind == IdKind::Email)
        .unwrap();
    let phone = person
        .identifiers
        .iter()
        .find(|i| i.kind == IdKind::Phone)
        .unwrap();
    let before = profiles(&st);
    let norm = |i: &Identifier| forms(i)[2].clone();
    let theirs: Vec<&BTreeSet<(String, String)>> = before
        .iter()
        .filter(|p| {
            p.contains(&("email".into(), norm(email))) || p.contains(&("phone".into(), norm(phone)))
        })
        .collect();
    assert!(!theirs.is_empty());
    let erased: BTreeSet<(String, String)> =
        theirs.iter().flat_map(|p| p.iter().cloned()).collect();
    let others: Vec<&BTreeSet<(String, String)>> =
        before.iter().filter(|p| !theirs.contains(p)).collect();

    // The values are there to find before the erasure.
    let before_text = store_text(&st);
    assert!(before_text.contains(&format!("{:?}", email.value)));
    assert!(before_text.contains(&format!("{:?}", phone.value)));
    let key = dir.join("key");
    write_key_file(&key);
    let (code, receipt, err) = o2o(&[
        "forget",
        "--store",
        st.to_str().unwrap(),
        "--hmac-key-file",
        key.to_str().unwrap(),
        &format!("email:{}", email.value),
        &format!("phone:{}", phone.value),
    ]);
    assert_eq!(code, 0, "{err}");
    let r: serde_json::Value = serde_json::from_str(&receipt).unwrap();
    assert_eq!(
        r["identifiers_erased"].as_u64().unwrap() as usize,
        erased.len()
    );
    assert!(
        r["store"]["records_removed"].as_u64().unwrap() > 0,
        "{receipt}"
    );
    let pseudonyms = r["pseudonyms"].as_array().unwrap();
    assert_eq!(pseudonyms.len(), erased.len());
    assert!(
        pseudonyms
            .iter()
            .all(|p| p.as_str().unwrap().starts_with("k1:"))
    );

    // No form of any erased value anywhere in the store, nor in the receipt or the messages.
    let text = store_text(&st);
    let mut raw: Vec<Identifier> = person.identifiers.clone();
    raw.extend(
        erased
            .iter()
            .map(|(k, v)| Identifier::new(k.parse().unwrap(), v.clone())),
    );
    for id in &raw {
        if !erased
            .iter()
            .any(|(k, v)| *k == id.kind.as_str() && forms(id).contains(v))
        {
            continue; // an identifier of the person that no erased profile held
        }
        for f in forms(id) {
            let quoted = format!("\"{f}\"");
            assert!(
                !text.contains(&quoted),
                "{} form {f} left in the store",
                id.kind
            );
            assert!(
                !receipt.contains(&f) && !err.contains(&f),
                "{} in the receipt",
                id.kind
            );
        }
    }
    // Everyone else keeps every identifier (the groups may differ where a shared identifier,
    // a household's IP, is no longer shared once the person's records are gone).
    let after: BTreeSet<(String, String)> = profiles(&st).into_iter().flatten().collect();
    for p in &others {
        for i in p.iter() {
            assert!(after.contains(i), "{} of someone else lost", i.0);
        }
    }
    assert!(after.iter().all(|i| !erased.contains(i)));
    // Forgetting again erases nothing and succeeds.
    let (code, again, _) = o2o(&[
        "forget",
        "--store",
        st.to_str().unwrap(),
        &format!("email:{}", email.value),
    ]);
    assert_eq!(code, 0);
    assert!(again.contains("\"identifiers_erased\": 0"), "{again}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn snapshot_with_a_key_holds_pseudonyms_and_restores_the_same_profiles() {
    let dir = tmp("snap");
    let st = dir.join("st");
    let (code, _, err) = o2o(&[
        "simulate",
        "--customers",
        "200",
        "--seed",
        "4",
        "--store",
        st.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let key = dir.join("key");
    write_key_file(&key);
    let plain = dir.join("plain.json");
    let keyed = dir.join("keyed.json");
    let s = st.to_str().unwrap();
    let (code, _, err) = o2o(&["snapshot", "--store", s, "--out", plain.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = o2o(&[
        "snapshot",
        "--store",
        s,
        "--out",
        keyed.to_str().unwrap(),
        "--hmac-key-file",
        key.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let before = profiles(&st);
    let sizes = |lines: &str| {
        let mut v: Vec<usize> = lines
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["identifiers"]
                    .as_array()
                    .unwrap()
                    .len()
            })
            .collect();
        v.sort_unstable();
        v
    };
    let (code, p1, err) = o2o(&["restore", "--snapshot", plain.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (code, p2, err) = o2o(&["restore", "--snapshot", keyed.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let mut want: Vec<usize> = before.iter().map(BTreeSet::len).collect();
    want.sort_unstable();
    assert_eq!(sizes(&p1), want);
    assert_eq!(sizes(&p2), want);
    // The keyed snapshot holds no value of any profile.
    let keyed_text = std::fs::read_to_string(&keyed).unwrap();
    for p in &before {
        for (_, v) in p {
            assert!(
                !keyed_text.contains(&format!("\"{v}\"")),
                "a value in the keyed snapshot"
            );
        }
    }
    assert!(keyed_text.contains("\"pseudonyms\":\"k1\""));
    let (code, _, err) = o2o(&["restore", "--snapshot", key.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(
        !err.contains("4f9a0c7e"),
        "the key file's secret echoed: {err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
