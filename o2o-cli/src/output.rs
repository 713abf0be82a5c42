//! Terminal output helpers: progress bars only on a TTY and never in JSON mode.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// A progress bar over `len` units on stderr, or a hidden one when stderr is not a terminal or
/// the command prints JSON.
pub fn progress(len: u64, json: bool, what: &str) -> ProgressBar {
    if json || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({eta})") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_owned());
    bar
}

/// A progress bar over the bytes of a file (rows/s and bytes read of total), or a hidden one.
pub fn bytes_progress(total: u64, json: bool, what: &str) -> ProgressBar {
    if json || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template(
        "{msg:>12} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} ({eta})",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_owned());
    bar
}

/// An aligned text table with these column names.
pub fn table(header: &[&str]) -> o2o_core::table::Table {
    o2o_core::table::Table::new(header.iter().copied())
}

/// Write `text` to stdout. A closed pipe (`o2o … | head`) ends the output quietly: the reader
/// has taken what it wanted.
pub fn print(text: &str) -> Result<(), crate::cmd::CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(|source| crate::cmd::CliError::Io {
            path: "stdout".to_owned(),
            source,
        }),
    }
}

/// [`print`] of `line` and a newline.
pub fn print_line(line: impl std::fmt::Display) -> Result<(), crate::cmd::CliError> {
    print(&format!("{line}\n"))
}
