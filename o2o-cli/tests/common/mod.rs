//! Shared by the CLI integration tests: run the built `o2o` binary.
#![allow(clippy::unwrap_used, dead_code)]

use std::process::Command;

/// Run `o2o ARGS…` and return (exit status, stdout, stderr).
pub fn o2o(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_o2o"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A test key file (`k1`, 32 random-looking bytes) readable by its owner only, as a real key
/// file must be (o2o warns about others' access).
pub fn write_key_file(path: &std::path::Path) {
    std::fs::write(
        path,
        "k1:4f9a0c7e12d85b36e9a1f04c7d2b6e8135c9a7f0e4b2d61803f7c5a9e1b4d260\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// Run `o2o ARGS…` with its stdout a pipe whose reader is already closed (as `o2o … | head`
/// after head exits): returns (exit status, stderr).
pub fn o2o_into_closed_pipe(args: &[&str]) -> (i32, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_o2o"))
        .args(args)
        .stdout(writer)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Every file under `dir`, recursively (a store's tables, aliases, links and manifest).
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_owned()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}
