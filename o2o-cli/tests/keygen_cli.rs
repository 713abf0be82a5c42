//! `o2o keygen` end to end: the key file reads back, is private, is never overwritten by
//! accident, and signs vouchers (`voucher issue --valid-days --code-only` then `verify`).
#![allow(clippy::unwrap_used)]

mod common;

use common::o2o;
use o2o_core::keys::KeyRing;

fn read_key(path: &std::path::Path) -> (String, Vec<u8>) {
    let ring = KeyRing::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(ring.keys().len(), 1);
    let k = ring.current();
    (k.id().to_owned(), k.secret().to_vec())
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn writes_a_fresh_private_key_and_never_overwrites_one() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.txt");
    let k = keys.to_str().unwrap();

    let (code, out, err) = o2o(&["keygen", "--out", k, "--id", "k2026a"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["key_id"], "k2026a");
    let (id, first) = read_key(&keys);
    assert_eq!(id, "k2026a");
    assert_eq!(first.len(), 32);
    // Not a constant: at least 8 distinct byte values among 32 random bytes (the chance of
    // fewer from a true random source is below 1e-20).
    let distinct: std::collections::BTreeSet<u8> = first.iter().copied().collect();
    assert!(distinct.len() >= 8, "{distinct:?}");
    // The secret is in the file only, never on the terminal.
    let hex: String = first.iter().map(|b| format!("{b:02x}")).collect();
    assert!(!out.contains(&hex) && !err.contains(&hex));
    #[cfg(unix)]
    assert_eq!(mode(&keys), 0o600);

    // An existing file is refused and left as it was.
    let before = std::fs::read(&keys).unwrap();
    let (code, _, err) = o2o(&["keygen", "--out", k]);
    assert_eq!(code, 2);
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read(&keys).unwrap(), before);

    // --force replaces it with another secret, still private even if the old file was not.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let (code, _, err) = o2o(&["keygen", "--out", k, "--force", "--id", "k2026b"]);
    assert_eq!(code, 0, "{err}");
    let (id, second) = read_key(&keys);
    assert_eq!(id, "k2026b");
    assert_ne!(first, second);
    #[cfg(unix)]
    assert_eq!(mode(&keys), 0o600);
    // No temporary file left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    // A bad id is a usage error and writes nothing.
    let other = dir.path().join("other.txt");
    let (code, _, _) = o2o(&[
        "keygen",
        "--out",
        other.to_str().unwrap(),
        "--id",
        "no spaces",
    ]);
    assert_eq!(code, 2);
    assert!(!other.exists());
}

#[test]
fn default_id_is_the_day_and_the_key_signs_vouchers() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.txt");
    let k = keys.to_str().unwrap();
    let (code, _, err) = o2o(&["keygen", "--out", k]);
    assert_eq!(code, 0, "{err}");
    let (id, _) = read_key(&keys);
    assert!(
        id.len() == 9 && id.starts_with('k') && id[1..].bytes().all(|b| b.is_ascii_digit()),
        "{id}"
    );

    let table = dir.path().join("campaigns.json");
    let t = table.to_str().unwrap();
    let (code, out, err) = o2o(&[
        "voucher",
        "issue",
        "--key-file",
        k,
        "--campaigns",
        t,
        "--campaign",
        "zalo-spring",
        "--valid-days",
        "30",
        "--type",
        "1",
        "--code-only",
    ]);
    assert_eq!(code, 0, "{err}");
    let code_text = out.trim();
    assert_eq!(code_text.len(), 16, "{out}");
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&table).unwrap()).unwrap();
    let expires = saved[0]["expires"].as_str().unwrap().to_owned();

    let (code, out, err) = o2o(&[
        "voucher",
        "verify",
        code_text,
        "--key-file",
        k,
        "--campaigns",
        t,
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["key_id"], id.as_str());
    // Valid on its last day (today + 30), expired the day after.
    let (code, _, _) = o2o(&[
        "voucher",
        "verify",
        code_text,
        "--key-file",
        k,
        "--campaigns",
        t,
        "--today",
        &expires,
    ]);
    assert_eq!(code, 0);
    let next = {
        let d = time::Date::parse(
            &expires,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .unwrap()
        .next_day()
        .unwrap();
        d.format(time::macros::format_description!("[year]-[month]-[day]"))
            .unwrap()
    };
    let (code, out, _) = o2o(&[
        "voucher",
        "verify",
        code_text,
        "--key-file",
        k,
        "--campaigns",
        t,
        "--today",
        &next,
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("\"reason\":\"expired\""), "{out}");
    // Today + 30 days, counted from the machine's clock (the test and the command may straddle
    // midnight UTC: allow either day).
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let day = |ts: i64| {
        time::OffsetDateTime::from_unix_timestamp(ts)
            .unwrap()
            .date()
            .format(time::macros::format_description!("[year]-[month]-[day]"))
            .unwrap()
    };
    assert!(
        [day(now + 30 * 86_400), day(now + 29 * 86_400)].contains(&expires),
        "{expires}"
    );
    // --expires and --valid-days together are refused.
    let (code, _, _) = o2o(&[
        "voucher",
        "issue",
        "--key-file",
        k,
        "--campaigns",
        t,
        "--campaign",
        "x",
        "--type",
        "1",
        "--valid-days",
        "3",
        "--expires",
        "2030-01-01",
    ]);
    assert_eq!(code, 2);
}
