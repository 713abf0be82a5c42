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
