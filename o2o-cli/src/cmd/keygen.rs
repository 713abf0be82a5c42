//! `o2o keygen --out FILE [--id KEY_ID] [--force]`: a new secret key in a key file.
//!
//! The file is the format `o2o_core::keys` reads (`--key-file`, `--hmac-key-file`): a comment and
//! one `KEY_ID:HEX_SECRET` line, the secret 32 bytes from the operating system's random source
//! (`getrandom`: getrandom(2) on Linux). It is created with mode 0600 (owner read and write
//! only) on Unix, and an existing file is refused unless `--force` replaces it, so a key that
//! signed vouchers or pseudonyms cannot be lost by a slip. Prints `{"file", "key_id"}`; the
//! secret is never printed.
//!
//! To rotate, generate the new key into another file and put its line first in the key file the
//! tills and jobs read: the first key signs, every key verifies.

use super::CliError;
use o2o_core::keys::{KeyRing, SecretKey};
use o2o_core::voucher::day;
use serde_json::json;
use std::fmt::Write as _;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Secret length in bytes: 256 bits, SHA-256's output size and the length the keys module
/// recommends (it refuses fewer than 16 bytes).
const SECRET_LEN: usize = 32;

/// Flags of `o2o keygen`.
#[derive(clap::Args)]
pub struct Args {
    /// The key file to write (created with mode 0600).
    #[arg(long)]
    out: PathBuf,
    /// Key id, 1 to 32 characters of A-Z a-z 0-9 _ . - (default: `k` and today's date, UTC,
    /// e.g. `k20260315`). It travels with every code and pseudonym made with the key.
    #[arg(long)]
    id: Option<String>,
    /// Replace the file if it exists (the old key is lost: codes and pseudonyms made with it
    /// can no longer be checked).
    #[arg(long)]
    force: bool,
}

/// Run `o2o keygen`.
pub fn run(a: Args) -> Result<(), CliError> {
    let id = match a.id {
        Some(id) => id,
        None => default_id()?,
    };
    let mut secret = Zeroizing::new(vec![0u8; SECRET_LEN]);
    getrandom::fill(&mut secret).map_err(|e| {
        CliError::Usage(format!("the operating system's random source failed: {e}"))
    })?;
    let key =
        SecretKey::new(id, secret.to_vec()).map_err(|e| CliError::Usage(format!("--id: {e}")))?;
    let text = key_file_text(&key);
    // The file must read back as the key just made (the format is o2o_core::keys').
    let ring = KeyRing::parse(&text).map_err(|e| CliError::Usage(e.to_string()))?;
    if ring.keys().len() != 1 || ring.current().secret() != key.secret() {
        return Err(CliError::Usage(
            "the key file written would not read back as the key made".into(),
        ));
    }
    write_private(&a.out, text.as_bytes(), a.force)?;
    eprintln!(
        "o2o keygen: wrote key `{}` ({} random bytes) to {}{}",
        key.id(),
        SECRET_LEN,
        a.out.display(),
        if cfg!(unix) {
            " (mode 0600: keep it secret)"
        } else {
            " (keep it secret)"
        }
    );
    crate::output::print(&format!(
        "{}\n",
        json!({ "file": a.out.display().to_string(), "key_id": key.id() })
    ))
}

/// `k` and today's date (UTC): `k20260315`.
fn default_id() -> Result<String, CliError> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
        .and_then(day::of_timestamp)
        .map(|d| format!("k{}", day::format(d).replace('-', "")))
        .ok_or_else(|| CliError::Usage("the system clock is unusable: give --id".into()))
}

/// The key file: a comment saying what it is, then `KEY_ID:HEX_SECRET`.
fn key_file_text(key: &SecretKey) -> Zeroizing<String> {
    let mut s = Zeroizing::new(String::with_capacity(200));
    s.push_str("# o2o key file (KEY_ID:HEX_SECRET lines; the first signs, all verify). Secret.\n");
    s.push_str(key.id());
    s.push(':');
    for b in key.secret() {
        // Writing to a String cannot fail.
        let _ = write!(s, "{b:02x}");
    }
    s.push('\n');
    s
}

/// Write `bytes` to `path`, readable and writable by the owner only. Without `force` an existing
/// file is refused; with it, the new file replaces the old one in one rename, so the path never
/// holds a partial key nor, even for a moment, a key readable by others.
fn write_private(path: &Path, bytes: &[u8], force: bool) -> Result<(), CliError> {
    if !force && fs::symlink_metadata(path).is_ok() {
        return Err(CliError::Usage(format!(
            "{} exists: refusing to overwrite a key (codes and pseudonyms made with it could no \
             longer be checked); give --force to replace it",
            path.display()
        )));
    }
    let tmp = if force {
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(format!(".o2o-keygen-{}", std::process::id()));
        path.with_file_name(name)
    } else {
        path.to_path_buf()
    };
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options.open(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = written {
        if force {
            let _ = fs::remove_file(&tmp);
        }
        return Err(CliError::io(&tmp)(e));
    }
    if force && let Err(e) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(CliError::io(path)(e));
    }
    Ok(())
}
