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

/// Write `text` to stdout. A closed stdout (`o2o … | head`) ends the output quietly: the
/// reader has what it wanted, so a broken pipe is neither a panic (as `println!` would make it)
/// nor an error; other write errors are reported.
pub fn print_text(text: &str) -> Result<(), crate::cmd::CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(crate::cmd::CliError::Io {
            path: "stdout".into(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// [`print_text`] of `line` and a newline.
pub fn print_line(line: impl std::fmt::Display) -> Result<(), crate::cmd::CliError> {
    print_text(&format!("{line}\n"))
}
