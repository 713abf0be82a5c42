//! `o2o voucher issue ...` and `o2o voucher verify CODE --key-file F [--today YYYY-MM-DD]`.

use super::CliError;
use o2o_core::keys::KeyRing;
use o2o_core::voucher::{CampaignTable, Issuer, Verifier, Voucher, day};
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

#[derive(clap::Args)]
struct IssueArgs {
    /// Key file (`KEY_ID:HEX` lines; the first key signs).
    #[arg(long)]
    key_file: PathBuf,
    /// Campaign: a number 0–31, or a name registered in --campaigns.
    #[arg(long)]
    campaign: String,
    /// Campaign table: a JSON array of names, position = number. Created or extended when a
    /// new name is given with --campaign.
    #[arg(long)]
    campaigns: Option<PathBuf>,
    /// Voucher type 0–7 (meaning set by the retailer).
    #[arg(long = "type")]
    voucher_type: u8,
    /// Last valid day, YYYY-MM-DD.
    #[arg(long)]
    expires: String,
    /// Customer pseudonym to bind the code to (the till must present it).
    #[arg(long)]
    customer: Option<String>,
    /// Number of codes (serials from --first-serial on).
    #[arg(long, default_value_t = 1)]
    count: u16,
    /// First serial.
    #[arg(long, default_value_t = 0)]
    first_serial: u16,
}

#[derive(clap::Args)]
struct VerifyArgs {
    /// The code as typed (case, `-` and spaces do not matter).
    code: String,
    /// Key file (every key is accepted).
    #[arg(long)]
    key_file: PathBuf,
    /// The day of the check, YYYY-MM-DD (default: today, UTC).
    #[arg(long)]
    today: Option<String>,
    /// Customer pseudonym, for a personal code.
    #[arg(long)]
    customer: Option<String>,
    /// Campaign table, to print the campaign name.
    #[arg(long)]
    campaigns: Option<PathBuf>,
}

fn ring(path: &Path) -> Result<KeyRing, CliError> {
    let text = fs::read_to_string(path).map_err(CliError::io(path))?;
    KeyRing::parse(&text).map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))
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

fn issue(a: IssueArgs) -> Result<(), CliError> {
    let ring = ring(&a.key_file)?;
    let campaign = match a.campaign.parse::<u8>() {
        Ok(n) => n,
        Err(_) => {
            let path = a.campaigns.as_deref().ok_or_else(|| {
                CliError::Usage(format!(
                    "--campaign `{}` is a name: give --campaigns FILE to number it",
                    a.campaign
                ))
            })?;
            let mut t = table(Some(path))?;
            let before = t.clone();
            let n = t
                .register(&a.campaign)
                .map_err(|e| CliError::Usage(e.to_string()))?;
            if t != before {
                let text =
                    serde_json::to_string_pretty(&t).map_err(|e| CliError::Core(e.to_string()))?;
                fs::write(path, text + "\n").map_err(CliError::io(path))?;
            }
            n
        }
    };
    let expires = day::parse(&a.expires).map_err(|e| CliError::Usage(format!("--expires: {e}")))?;
    let issuer = Issuer::new(&ring);
    let key_id = ring.current().id();
    for k in 0..a.count {
        let serial = a
            .first_serial
            .checked_add(k)
            .ok_or_else(|| CliError::Usage("--first-serial + --count overflows".into()))?;
        let v = Voucher {
            campaign,
            voucher_type: a.voucher_type,
            expires,
            serial,
            customer: a.customer.clone(),
        };
        let code = issuer
            .issue(&v)
            .map_err(|e| CliError::Usage(e.to_string()))?;
        println!(
            "{}",
            json!({ "code": code, "key_id": key_id, "voucher": v })
        );
    }
    Ok(())
}

fn verify(a: VerifyArgs) -> Result<(), CliError> {
    let ring = ring(&a.key_file)?;
    let names = table(a.campaigns.as_deref())?;
    let today = match &a.today {
        Some(t) => day::parse(t).map_err(|e| CliError::Usage(format!("--today: {e}")))?,
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .and_then(|d| i64::try_from(d.as_secs()).ok())
            .and_then(day::of_timestamp)
            .ok_or_else(|| CliError::Usage("the system clock is unusable: give --today".into()))?,
    };
    match Verifier::new(&ring).verify(&a.code, today, a.customer.as_deref()) {
        Ok(v) => {
            let name = names.name(v.voucher.campaign);
            println!(
                "{}",
                json!({ "valid": true, "code": v.code, "key_id": v.key_id, "voucher": v.voucher,
                        "campaign_name": name })
            );
            Ok(())
        }
        Err(r) => {
            let mut obj = serde_json::to_value(&r).map_err(|e| CliError::Core(e.to_string()))?;
            if let Some(m) = obj.as_object_mut() {
                m.insert("valid".into(), false.into());
                m.insert("message".into(), r.to_string().into());
            }
            println!("{obj}");
            Err(CliError::Core(format!("voucher refused: {r}")))
        }
    }
}
