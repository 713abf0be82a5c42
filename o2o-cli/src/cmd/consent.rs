//! `o2o consent decode TCSTRING` and `o2o consent check`: read consent signals as the core
//! reads them.

use super::CliError;
use o2o_core::consent::tcf::TcString;
use o2o_core::consent::{ConsentGate, ConsentMode, ConsentPolicy, DecodedSignals, Operation};
use std::path::PathBuf;

/// Flags of `o2o consent`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: ConsentCommand,
}

#[derive(clap::Subcommand)]
enum ConsentCommand {
    /// Decode an IAB TCF v2.2 TC string; prints JSON with @iabtcf/core's TCModel field names.
    Decode {
        /// The TC string.
        tc_string: String,
    },
    /// Ask the consent gate which operations the signals allow; prints one decision per line
    /// as JSON ({"operation","allowed","reason"}).
    Check {
        /// An IAB TCF v2.2 TC string.
        #[arg(long)]
        tcf: Option<String>,
        /// Google Consent Mode signals: JSON ({"ad_user_data":"granted",...}), gcs (G111) or
        /// gcd (11t1t1t1t5).
        #[arg(long)]
        consent_mode: Option<String>,
        /// A consent policy JSON file (default: the policy in docs/privacy.md).
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Check o2o as this TCF vendor id instead of as the publisher (overrides the policy).
        #[arg(long)]
        vendor_id: Option<u16>,
        /// Only this operation (measure, link_identity, hash_for_upload, personalise).
        #[arg(long)]
        operation: Option<String>,
    },
}

/// Run `o2o consent`.
pub fn run(a: Args) -> Result<(), CliError> {
    match a.command {
        ConsentCommand::Decode { tc_string } => {
            let tc = TcString::decode(tc_string.trim())?;
            let json = serde_json::to_string_pretty(&tc.to_json())?;
            crate::output::print_line(json)
        }
        ConsentCommand::Check {
            tcf,
            consent_mode,
            policy,
            vendor_id,
            operation,
        } => {
            let mut policy = match &policy {
                Some(p) => {
                    let text = std::fs::read_to_string(p).map_err(CliError::io(p))?;
                    ConsentPolicy::from_json(&text)
                        .map_err(|e| CliError::Usage(format!("{}: {e}", p.display())))?
                }
                None => ConsentPolicy::default(),
            };
            if vendor_id.is_some() {
                policy.vendor_id = vendor_id;
            }
            let gcm = consent_mode
                .as_deref()
                .map(ConsentMode::parse)
                .transpose()
                .map_err(|e| CliError::Usage(format!("--consent-mode: {e}")))?;
            let signals = DecodedSignals {
                tcf: tcf.as_deref().map(|s| TcString::decode(s.trim())),
                gcm,
            };
            let ops: Vec<Operation> = match operation.as_deref() {
                None => Operation::ALL.to_vec(),
                Some(name) => vec![
                    Operation::ALL
                        .into_iter()
                        .find(|o| o.as_str() == name)
                        .ok_or_else(|| CliError::Usage(format!("--operation: unknown `{name}`")))?,
                ],
            };
            let gate = ConsentGate::new(policy);
            for op in ops {
                let d = gate.check_decoded(op, &signals);
                let line = serde_json::to_string(&d)?;
                crate::output::print_line(line)?;
            }
            Ok(())
        }
    }
}
