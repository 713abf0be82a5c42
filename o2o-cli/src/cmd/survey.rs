//! `o2o survey --responses FILE [--at TIME] [--threshold 3] [--deadline-hours 24] [--json]`:
//! post-purchase survey answers in; the unhappy customers customer service must call, and
//! satisfaction per store and per segment, out.
//!
//! Responses are CSV with a header (`customer,store,score,timestamp[,segment][,comment]`) when
//! the file name ends in `.csv`, NDJSON with the same fields otherwise. A bad line is reported
//! with its number and field and the good lines are kept; a file with no usable line is an
//! error. `--json` prints `{"responses", "rejected", "alerts", "satisfaction"}`.

use super::CliError;
use o2o_core::event::parse_timestamp;
use o2o_core::survey::{
    AlertPolicy, SurveyRead, alerts, alerts_table, open_alerts, read_responses_csv,
    read_responses_ndjson, satisfaction,
};
use serde_json::json;
use std::fs;
use std::path::PathBuf;

/// Flags of `o2o survey`.
#[derive(clap::Args)]
pub struct Args {
    /// Survey responses: CSV with a header when the name ends in `.csv`, NDJSON otherwise.
    #[arg(long)]
    responses: PathBuf,
    /// Only the alerts still open at this time (Unix seconds or RFC 3339); default: all.
    #[arg(long)]
    at: Option<String>,
    /// Scores below this raise an alert.
    #[arg(long, default_value_t = AlertPolicy::default().threshold)]
    threshold: u8,
    /// Hours customer service has to answer an alert.
    #[arg(long, default_value_t = AlertPolicy::default().deadline_hours)]
    deadline_hours: u32,
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
}

/// Rejected lines shown on stderr before the rest are only counted.
const SHOWN_ERRORS: usize = 10;

/// Run `o2o survey`.
pub fn run(a: Args) -> Result<(), CliError> {
    let path = &a.responses;
    let csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let read: SurveyRead = if csv {
        let f = fs::File::open(path).map_err(CliError::io(path))?;
        read_responses_csv(std::io::BufReader::new(f))
    } else {
        read_responses_ndjson(&fs::read_to_string(path).map_err(CliError::io(path))?)
    };
    for e in read.errors.iter().take(SHOWN_ERRORS) {
        eprintln!("{}: {e}", path.display());
    }
    if read.errors.len() > SHOWN_ERRORS {
        eprintln!(
            "{}: … {} more rejected lines",
            path.display(),
            read.errors.len() - SHOWN_ERRORS
        );
    }
    if read.responses.is_empty() {
        return Err(CliError::Usage(format!(
            "{}: no usable response ({} lines rejected)",
            path.display(),
            read.errors.len()
        )));
    }
    let policy = AlertPolicy {
        threshold: a.threshold,
        deadline_hours: a.deadline_hours,
    };
    let all = alerts(&read.responses, &policy);
    let shown: Vec<_> = match &a.at {
        Some(t) => {
            let now = parse_timestamp(t).map_err(|e| CliError::Usage(format!("--at: {e}")))?;
            open_alerts(&all, now)
        }
        None => all.iter().collect(),
    };
    let sat = satisfaction(&read.responses, &policy);
    let text = if a.json {
        let out = json!({
            "responses": read.responses.len(),
            "rejected": read.errors.len(),
            "alerts": shown,
            "satisfaction": sat,
        });
        serde_json::to_string_pretty(&out)? + "\n"
    } else {
        format!(
            "{} responses; {} alert(s){} (score below {}, answer within {} h)\n{}\n{sat}",
            read.responses.len(),
            shown.len(),
            if a.at.is_some() { " still open" } else { "" },
            policy.threshold,
            policy.deadline_hours,
            alerts_table(shown.iter().copied()),
        )
    };
    crate::output::print(&text)?;
    Ok(())
}
