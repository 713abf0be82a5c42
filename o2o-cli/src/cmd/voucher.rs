//! `o2o voucher issue ...` and `o2o voucher verify CODE --key-file F [--campaigns FILE]
//! [--today YYYY-MM-DD]`. `o2o keygen` writes a key file.
//!
//! Codes are short (16 characters, the expiry is the campaign's in the campaign table) unless
//! `--format serial` asks for single-use anonymous codes with serials (21 characters).

use super::CliError;
use crate::output::print_line;
use o2o_core::keys::{KeyRing, Permissions};
use o2o_core::voucher::{CampaignTable, Format, Issuer, Verifier, Voucher, day};
use serde_json::json;
use std::fs;
use std::path::{Path, PathBuf};

/// Flags of `o2o voucher`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(clap::Subcommand)]
enum Sub {
    /// Issue codes (one JSON object per line: code and what it carries).
    Issue(IssueArgs),
    /// Verify a code offline; prints a JSON result, exits 1 when the code is refused.
    Verify(VerifyArgs),
}

/// How the key file is opened: shared by `issue` and `verify`.
#[derive(clap::Args)]
pub struct KeyFileArgs {
    /// Refuse a key file that its group or others may read or write (as ssh refuses an exposed
    /// private key); without it, such a file is used with a warning.
    #[arg(long)]
    pub strict_key_permissions: bool,
}

impl KeyFileArgs {
    /// The permission policy asked for.
    pub fn permissions(&self) -> Permissions {
        if self.strict_key_permissions {
            Permissions::Strict
        } else {
            Permissions::Warn
        }
    }
}

#[derive(clap::Args)]
struct IssueArgs {
    /// Key file (`KEY_ID:HEX` lines; the first key signs).
    #[arg(long)]
    key_file: PathBuf,
    #[command(flatten)]
    key_perms: KeyFileArgs,
    /// Campaign: a number 0–31, or a name registered in --campaigns.
    #[arg(long)]
    campaign: String,
    /// Campaign table: a JSON array, position = number, of names or `{"name", "expires"}`
    /// objects. Created or extended when a new name is given with --campaign; short codes take
    /// their campaign's expiry from it (the tills need the same file).
    #[arg(long)]
    campaigns: Option<PathBuf>,
    /// Voucher type 0–7 (meaning set by the retailer).
    #[arg(long = "type")]
    voucher_type: u8,
    /// Last valid day, YYYY-MM-DD. Serial codes: required. Short codes: the campaign's last
    /// day, recorded in --campaigns (may be omitted once recorded; cannot be changed).
    #[arg(long)]
    expires: Option<String>,
    /// The last valid day as days from today (UTC): `--valid-days 30` is today + 30. An
    /// alternative to --expires.
    #[arg(long, conflicts_with = "expires")]
    valid_days: Option<u16>,
    /// Print only the codes, one per line (for scripts:
    /// `code=$(o2o voucher issue … --code-only)`), instead of JSON lines.
    #[arg(long)]
    code_only: bool,
    /// Customer pseudonym to bind the code to (the till must present it).
    #[arg(long)]
    customer: Option<String>,
    /// `short` (16 characters; anonymous short codes are one shared code per campaign and
    /// type), `bulk` (20 characters, serials 0–1,048,575: single-use codes at campaign scale,
    /// expiry from the campaign table) or `serial` (21 characters, serials 0–511, the expiry in
    /// the code).
    #[arg(long, value_enum, default_value_t = FormatArg::Short)]
    format: FormatArg,
    /// Number of codes (bulk and serial formats: serials from --first-serial on).
    #[arg(long, default_value_t = 1)]
    count: u32,
    /// First serial (bulk and serial formats).
    #[arg(long)]
    first_serial: Option<u32>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FormatArg {
    Short,
    Bulk,
    Serial,
}

#[derive(clap::Args)]
struct VerifyArgs {
    /// The code as typed (case, `-` and spaces do not matter).
    code: String,
    /// Key file (every key is accepted).
    #[arg(long)]
    key_file: PathBuf,
    #[command(flatten)]
    key_perms: KeyFileArgs,
    /// The day of the check, YYYY-MM-DD (default: the day of --at in --timezone).
    #[arg(long, conflicts_with_all = ["at", "timezone"])]
    today: Option<String>,
    /// The moment of the check (Unix seconds or RFC 3339; default: now).
    #[arg(long)]
    at: Option<String>,
    /// The store's time zone (IANA, e.g. Asia/Ho_Chi_Minh): a code's last valid day ends at
    /// local midnight (default: UTC).
    #[arg(long)]
    timezone: Option<String>,
    /// Customer pseudonym, for a personal code.
    #[arg(long)]
    customer: Option<String>,
    /// Campaign table (as given to `issue`): needed for short codes (their campaign's name and
    /// expiry); for serial codes, only names the campaign.
    #[arg(long)]
    campaigns: Option<PathBuf>,
}

/// Read a key file: refused when malformed (or exposed, under `--strict-key-permissions`), used
/// with a warning on stderr when its group or others may access it.
pub fn ring(path: &Path, perms: &KeyFileArgs) -> Result<KeyRing, CliError> {
    let loaded = KeyRing::load(path, perms.permissions()).map_err(|e| match e {
        o2o_core::keys::KeyFileError::Io { path, source } => CliError::Io { path, source },
        e => CliError::Usage(e.to_string()),
    })?;
    if let Some(exposure) = loaded.exposure {
        eprintln!(
            "o2o: warning: {}: {exposure}; a key file should be readable by its owner only \
             (chmod 600 it; --strict-key-permissions refuses such files)",
            path.display()
        );
    }
    Ok(loaded.ring)
}

fn table(path: Option<&Path>) -> Result<CampaignTable, CliError> {
    match path {
        Some(p) if p.exists() => {
            let text = fs::read_to_string(p).map_err(CliError::io(p))?;
            serde_json::from_str(&text)
                .map_err(|e| CliError::Usage(format!("{}: {e}", p.display())))
        }
        _ => Ok(CampaignTable::default()),
    }
}

/// Run `o2o voucher`.
pub fn run(a: Args) -> Result<(), CliError> {
    match a.command {
        Sub::Issue(a) => issue(a),
        Sub::Verify(a) => verify(a),
    }
}

/// Write the campaign table so that a reader (a till syncing it, another `o2o voucher issue`)
/// sees either the old table or the new one, never a half-written or empty file: write a
/// temporary file in the same directory, flush it to disk, then rename it over the table (an
/// atomic replacement on POSIX file systems). The table keeps its permissions.
fn save(path: &Path, t: &CampaignTable) -> Result<(), CliError> {
    use std::io::Write;
    let text = serde_json::to_string_pretty(t)?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "campaigns".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut f = fs::File::create(&tmp)?;
        if let Ok(meta) = fs::metadata(path) {
            f.set_permissions(meta.permissions())?;
        }
        f.write_all(text.as_bytes())?;
        f.write_all(b"\n")?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if written.is_err() {
        // Best effort: the error that matters is the one returned.
        let _ = fs::remove_file(&tmp);
    }
    written.map_err(CliError::io(path))
}

/// Now in Unix seconds, from the system clock (`day::of_timestamp` makes it today, UTC).
fn now_unix() -> Option<i64> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
}

fn issue(a: IssueArgs) -> Result<(), CliError> {
    let ring = ring(&a.key_file, &a.key_perms)?;
    let usage = |e: &dyn std::fmt::Display| CliError::Usage(e.to_string());
    let expires = match (a.expires.as_deref(), a.valid_days) {
        (Some(d), _) => {
            Some(day::parse(d).map_err(|e| CliError::Usage(format!("--expires: {e}")))?)
        }
        (None, Some(n)) => Some(
            today()?
                .checked_add(time::Duration::days(i64::from(n)))
                .ok_or_else(|| CliError::Usage("--valid-days: the day is out of range".into()))?,
        ),
        (None, None) => None,
    };
    let mut t = table(a.campaigns.as_deref())?;
    let before = t.clone();
    let named = a.campaign.parse::<u8>().is_err();
    if named && a.campaigns.is_none() {
        return Err(CliError::Usage(format!(
            "--campaign `{}` is a name: give --campaigns FILE to number it",
            a.campaign
        )));
    }
    let campaign = match (a.format, a.campaign.parse::<u8>()) {
        (FormatArg::Serial, Ok(n)) => n,
        (FormatArg::Serial, Err(_)) => t.register(&a.campaign).map_err(|e| usage(&e))?,
        (FormatArg::Short | FormatArg::Bulk, number) => {
            if a.campaigns.is_none() {
                return Err(CliError::Usage(
                    "short and bulk codes take their expiry from the campaign table: give \
                     --campaigns FILE (or --format serial)"
                        .into(),
                ));
            }
            let name = match number {
                Ok(n) => t.name(n).map(str::to_owned).ok_or_else(|| {
                    CliError::Usage(format!(
                        "campaign {n} is not in the campaign table: give its name"
                    ))
                })?,
                Err(_) => a.campaign.clone(),
            };
            let recorded = t.number(&name).filter(|&n| t.expires(n).is_some());
            match (expires, recorded) {
                (Some(d), _) => t.register_until(&name, d).map_err(|e| usage(&e))?,
                (None, Some(n)) => n,
                (None, None) => {
                    return Err(CliError::Usage(format!(
                        "campaign `{name}` has no expiry yet: give --expires YYYY-MM-DD or \
                         --valid-days N"
                    )));
                }
            }
        }
    };
    let issuer = Issuer::new(&ring, &t);
    let key_id = ring.current().id();
    let mut lines = Vec::new();
    match a.format {
        FormatArg::Short => {
            if a.count != 1 || a.first_serial.is_some() {
                return Err(CliError::Usage(
                    "a short code has no serial (issuing it again gives the same code): use \
                     --format bulk (or --format serial) for several single-use anonymous codes"
                        .into(),
                ));
            }
            let issued = issuer
                .issue_short(campaign, a.voucher_type, a.customer.as_deref())
                .map_err(|e| usage(&e))?;
            lines.push(
                json!({ "code": issued.code, "format": Format::Short, "key_id": key_id,
                               "voucher": issued.voucher }),
            );
        }
        FormatArg::Bulk => {
            let first = a.first_serial.unwrap_or(0);
            for k in 0..a.count {
                let serial = first
                    .checked_add(k)
                    .ok_or_else(|| CliError::Usage("--first-serial + --count overflows".into()))?;
                let issued = issuer
                    .issue_bulk(campaign, a.voucher_type, serial, a.customer.as_deref())
                    .map_err(|e| usage(&e))?;
                lines.push(
                    json!({ "code": issued.code, "format": Format::Bulk, "key_id": key_id,
                                   "voucher": issued.voucher }),
                );
            }
        }
        FormatArg::Serial => {
            let expires = expires.ok_or_else(|| {
                CliError::Usage("--expires or --valid-days is required for serial codes".into())
            })?;
            let first = a.first_serial.unwrap_or(0);
            for k in 0..a.count {
                let serial = first
                    .checked_add(k)
                    .ok_or_else(|| CliError::Usage("--first-serial + --count overflows".into()))?;
                let v = Voucher {
                    campaign,
                    voucher_type: a.voucher_type,
                    expires,
                    serial: Some(serial),
                    customer: a.customer.clone(),
                };
                let code = issuer.issue(&v).map_err(|e| usage(&e))?;
                lines.push(
                    json!({ "code": code, "format": Format::Serial, "key_id": key_id,
                                   "voucher": v }),
                );
            }
        }
    }
    // Save the table only once every code was issued: a refused request changes nothing.
    if let (Some(path), true) = (a.campaigns.as_deref(), t != before) {
        save(path, &t)?;
    }
    let expires = lines
        .first()
        .and_then(|l| l["voucher"]["expires"].as_str())
        .and_then(|d| day::parse(d).ok());
    if let (Some(expires), Some(today)) = (expires, now_unix().and_then(day::of_timestamp))
        && expires < today
    {
        eprintln!(
            "o2o: warning: the codes expire on {}, before today ({}): every till will \
                 refuse them as expired",
            day::format(expires),
            day::format(today)
        );
    }
    for l in lines {
        match (a.code_only, l["code"].as_str()) {
            (true, Some(code)) => print_line(code)?,
            _ => print_line(&l)?,
        }
    }
    Ok(())
}

/// Today, UTC, from the system clock.
fn today() -> Result<time::Date, CliError> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
        .and_then(day::of_timestamp)
        .ok_or_else(|| CliError::Usage("the system clock is unusable: give the day".into()))
}

fn verify(a: VerifyArgs) -> Result<(), CliError> {
    let ring = ring(&a.key_file, &a.key_perms)?;
    let names = table(a.campaigns.as_deref())?;
    let today = match &a.today {
        Some(t) => day::parse(t).map_err(|e| CliError::Usage(format!("--today: {e}")))?,
        None => {
            let at = match &a.at {
                Some(t) => o2o_core::event::parse_timestamp(t)
                    .map_err(|e| CliError::Usage(format!("--at: {e}")))?,
                None => now_unix().ok_or_else(|| {
                    CliError::Usage("the system clock is unusable: give --at".into())
                })?,
            };
            let zone = a.timezone.as_deref().unwrap_or("UTC");
            day::in_zone(at, zone)
                .map_err(|e| CliError::Usage(format!("--timezone: {e}")))?
                .0
        }
    };
    let verdict = Verifier::new(&ring, &names).verdict(&a.code, today, a.customer.as_deref());
    print_line(verdict.to_value())?;
    match &verdict.result {
        Ok(_) => Ok(()),
        Err(r) => {
            let hint = if r.reason() == "unknown_campaign" && a.campaigns.is_none() {
                " (short codes need the campaign table: give --campaigns FILE)"
            } else {
                ""
            };
            Err(CliError::Unusable(format!("voucher refused: {r}{hint}")))
        }
    }
}
