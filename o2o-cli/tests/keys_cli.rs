//! Key files and the campaign table from the command line: permissions, placeholder secrets,
//! duplicate ids, atomic table writes, past expiries and closed pipes.
#![allow(clippy::unwrap_used)]

mod common;

use common::{o2o, o2o_into_closed_pipe, write_key_file};
use std::path::Path;

fn issue_args<'a>(
    keys: &'a str,
    table: &'a str,
    campaign: &'a str,
    expires: &'a str,
) -> Vec<&'a str> {
    vec![
        "voucher",
        "issue",
        "--key-file",
        keys,
        "--campaigns",
        table,
        "--campaign",
        campaign,
        "--type",
        "1",
        "--expires",
        expires,
    ]
}

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(unix)]
#[test]
fn exposed_key_files_warn_and_strict_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.txt");
    write_key_file(&keys);
    let table = dir.path().join("campaigns.json");
    let (k, t) = (keys.to_str().unwrap(), table.to_str().unwrap());
    let args = issue_args(k, t, "spring", "2099-12-31");

    // Owner-only: silent.
    let (code, _, err) = o2o(&args);
    assert_eq!((code, err.as_str()), (0, ""));
    // Readable by others: used, with a warning naming the mode and the fix.
    chmod(&keys, 0o644);
    let (code, out, err) = o2o(&args);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"code\""));
    assert!(
        err.contains("warning") && err.contains("mode 0644") && err.contains("chmod 600"),
        "{err}"
    );
    // Refused with --strict-key-permissions, by issue, verify and hash alike.
    let mut strict = args.clone();
    strict.push("--strict-key-permissions");
    let (code, out, err) = o2o(&strict);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert!(
        err.contains("refusing a key file that others can access"),
        "{err}"
    );
    let (code, _, err) = o2o(&[
        "voucher",
        "verify",
        "0000000000000000",
        "--key-file",
        k,
        "--strict-key-permissions",
    ]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = o2o(&[
        "hash",
        "--kind",
        "email",
        "--hmac-key-file",
        k,
        "--strict-key-permissions",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("refusing"), "{err}");
}

#[test]
fn placeholder_secrets_and_duplicate_ids_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.txt");
    let table = dir.path().join("campaigns.json");
    let (k, t) = (keys.to_str().unwrap(), table.to_str().unwrap());
    let args = issue_args(k, t, "spring", "2099-12-31");
    // The docs' old example: one byte repeated.
    std::fs::write(&keys, format!("k2026a:{}\n", "8f".repeat(32))).unwrap();
    let (code, _, err) = o2o(&args);
    assert_eq!(code, 2);
    assert!(
        err.contains("line 1: secret has only 1 distinct byte values"),
        "{err}"
    );
    std::fs::write(&keys, format!("k1:{}\n", "00".repeat(16))).unwrap();
    assert_eq!(o2o(&args).0, 2);
    // One id, two secrets.
    std::fs::write(
        &keys,
        "k1:4f9a0c7e12d85b36e9a1f04c7d2b6e81\n\nk1:35c9a7f0e4b2d61803f7c5a9e1b4d260\n",
    )
    .unwrap();
    let (code, _, err) = o2o(&args);
    assert_eq!(code, 2);
    assert!(
        err.contains("line 3: key id `k1` is already given on line 1"),
        "{err}"
    );
    assert!(!table.exists(), "a refused run must not create the table");
}

#[test]
fn issuing_with_a_past_expiry_warns() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.txt");
    write_key_file(&keys);
    let table = dir.path().join("campaigns.json");
    let (k, t) = (keys.to_str().unwrap(), table.to_str().unwrap());
    let (code, out, err) = o2o(&issue_args(k, t, "old", "2020-01-31"));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"expires\":\"2020-01-31\""));
    assert!(
        err.contains("warning: the codes expire on 2020-01-31, before today"),
        "{err}"
    );
    // Serial codes too; a future expiry is silent.
    let (code, _, err) = o2o(&[
        "voucher",
        "issue",
        "--key-file",
        k,
        "--campaign",
        "3",
        "--type",
        "1",
        "--expires",
        "2024-02-01",
        "--format",
        "serial",
    ]);
    assert_eq!(code, 0);
    assert!(
        err.contains("warning: the codes expire on 2024-02-01"),
        "{err}"
    );
    let (code, _, err) = o2o(&issue_args(k, t, "new", "2099-12-31"));
    assert_eq!((code, err.as_str()), (0, ""));
}

#[test]
fn the_campaign_table_is_replaced_whole_while_readers_read_it() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.txt");
    write_key_file(&keys);
    let table = dir.path().join("campaigns.json");
    std::fs::write(&table, "[\"first\"]\n").unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (table, stop) = (table.clone(), stop.clone());
        std::thread::spawn(move || {
            let (mut reads, mut bad) = (0u32, Vec::new());
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let text = std::fs::read_to_string(&table).unwrap();
                if serde_json::from_str::<serde_json::Value>(&text).is_err() {
                    bad.push(text);
                }
                reads += 1;
            }
            (reads, bad)
        })
    };
    let (k, t) = (keys.to_str().unwrap(), table.to_str().unwrap());
    for i in 0..20 {
        let name = format!("campaign-{i}");
        let (code, _, err) = o2o(&issue_args(k, t, &name, "2099-12-31"));
        assert_eq!(code, 0, "{err}");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (reads, bad) = reader.join().unwrap();
    assert!(reads > 0);
    assert!(
        bad.is_empty(),
        "a reader saw a partial table: {:?}",
        bad.first()
    );
    let t: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&table).unwrap()).unwrap();
    assert_eq!(t.as_array().unwrap().len(), 21);
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn closed_stdout_ends_output_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.txt");
    write_key_file(&keys);
    let k = keys.to_str().unwrap();
    let (code, err) = o2o_into_closed_pipe(&[
        "voucher",
        "issue",
        "--key-file",
        k,
        "--campaign",
        "3",
        "--type",
        "1",
        "--expires",
        "2034-12-31",
        "--format",
        "serial",
        "--count",
        "50",
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    let (code, err) = o2o_into_closed_pipe(&[
        "consent",
        "decode",
        "COrVd1pOrVd1pACABCENAHCAAAAAAAAAAAiQAAAAAAAA",
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    let sim = dir.path().join("sim");
    let (code, _, err) = o2o(&[
        "simulate",
        "--customers",
        "200",
        "--out",
        sim.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let ev = sim.join("events.ndjson");
    for json in [false, true] {
        let mut args = vec!["report", "--events", ev.to_str().unwrap()];
        if json {
            args.push("--json");
        }
        let (code, err) = o2o_into_closed_pipe(&args);
        assert_eq!(code, 0, "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}
