//! `o2o hash --kind K [--profile P] [--hmac-key-file F] [--default-country CC] [--threads N]`
//!
//! Values one per line on stdin; one output line per input line, in order: the lowercase hex
//! SHA-256 of the normalised value (a value that is already a SHA-256 passes through), or with
//! `--hmac-key-file` the keyed pseudonym `KEY_ID:HEX`. An invalid value gives an empty line and
//! `line N: reason` on stderr. Exit status 0 unless I/O fails.
//!
//! This is tooling for people preparing an upload (the rows they pipe in are assumed consented);
//! programs that upload go through `o2o_core::hashing::hash_for_upload`, which takes a permit.

use super::CliError;
use o2o_core::event::IdKind;
use o2o_core::hashing::{
    Hasher, NormalizeError, NormalizeOptions, Platform, Pseudonymizer, normalize_into,
    push_hex_bytes,
};
use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;

/// Flags shared by `o2o normalize` and `o2o hash`: which kind, by which platform's rules.
#[derive(clap::Args)]
pub struct ValueFlags {
    /// Identifier kind: email, phone, first_name, last_name, date_of_birth, gender, city, state,
    /// zip, country, external_id, loyalty_card, device_id, mac, ip.
    #[arg(long, value_parser = parse_kind)]
    pub kind: IdKind,
    /// Platform normalisation rules.
    #[arg(long, default_value = "meta", value_parser = parse_profile)]
    pub profile: Platform,
    /// ISO 3166-1 alpha-2 country for phone numbers written without a country code.
    #[arg(long)]
    pub default_country: Option<String>,
    /// Truncate IP addresses to /24 (IPv4) or /48 (IPv6).
    #[arg(long)]
    pub ip_truncate: bool,
    /// Worker threads; output order is the input order whatever the count.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
}

impl ValueFlags {
    /// The normalisation options the flags ask for, checked.
    pub(crate) fn options(&self) -> Result<NormalizeOptions, CliError> {
        options(self.profile, self.default_country.clone(), self.ip_truncate)
    }
}

/// Flags of `o2o hash`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub values: ValueFlags,
    /// Key file (`KEY_ID:HEX` lines; the first key is used): output keyed HMAC-SHA256
    /// pseudonyms `KEY_ID:HEX` instead of plain SHA-256.
    #[arg(long)]
    pub hmac_key_file: Option<PathBuf>,
    #[command(flatten)]
    pub key_perms: super::voucher::KeyFileArgs,
}

pub(crate) fn parse_kind(s: &str) -> Result<IdKind, String> {
    s.parse::<IdKind>().map_err(|e| e.to_string())
}

pub(crate) fn parse_profile(s: &str) -> Result<Platform, String> {
    s.parse::<Platform>().map_err(|e| e.to_string())
}

pub(crate) fn options(
    profile: Platform,
    default_country: Option<String>,
    ip_truncate: bool,
) -> Result<NormalizeOptions, CliError> {
    let o = NormalizeOptions {
        profile,
        default_country,
        ip_truncate,
        ..NormalizeOptions::default()
    };
    o.validate().map_err(|e| CliError::Usage(e.to_string()))?;
    Ok(o)
}

/// What one worker does to one line.
pub(crate) trait LineOp: Send {
    /// Append the output for `line` (without newline) to `out`; nothing on error.
    fn apply(&mut self, kind: IdKind, line: &str, out: &mut Vec<u8>) -> Result<(), NormalizeError>;
}

impl LineOp for Hasher {
    fn apply(&mut self, kind: IdKind, line: &str, out: &mut Vec<u8>) -> Result<(), NormalizeError> {
        self.hex_bytes_into(kind, line, out).map(|_| ())
    }
}

impl LineOp for Pseudonymizer {
    fn apply(&mut self, kind: IdKind, line: &str, out: &mut Vec<u8>) -> Result<(), NormalizeError> {
        let mut d = [0u8; 32];
        self.digest(kind, line, &mut d)?;
        out.extend_from_slice(self.key_id().as_bytes());
        out.push(b':');
        push_hex_bytes(&d, out);
        Ok(())
    }
}

/// Normalisation only (`o2o normalize`).
pub(crate) struct Normalizer {
    pub opts: NormalizeOptions,
    pub buf: String,
}

impl LineOp for Normalizer {
    fn apply(&mut self, kind: IdKind, line: &str, out: &mut Vec<u8>) -> Result<(), NormalizeError> {
        normalize_into(kind, line, &self.opts, &mut self.buf)?;
        out.extend_from_slice(self.buf.as_bytes());
        Ok(())
    }
}

/// Run `o2o hash`.
pub fn run(a: Args) -> Result<(), CliError> {
    let opts = a.values.options()?;
    let threads = a.values.threads.max(1);
    let stdin = io::stdin().lock();
    let stdout = io::stdout().lock();
    let stderr = io::stderr().lock();
    match &a.hmac_key_file {
        Some(path) => {
            let ring = super::voucher::ring(path, &a.key_perms)?;
            let mut ops: Vec<Pseudonymizer> = (0..threads)
                .map(|_| Pseudonymizer::from_ring(&ring, opts.clone()))
                .collect();
            process_lines(a.values.kind, stdin, stdout, stderr, &mut ops)
        }
        None => {
            let mut ops: Vec<Hasher> = (0..threads).map(|_| Hasher::new(opts.clone())).collect();
            process_lines(a.values.kind, stdin, stdout, stderr, &mut ops)
        }
    }
}

/// Bytes read per block; each block's complete lines are split between the workers.
const BLOCK: usize = 4 << 20;

/// One worker's output for its share of a block.
#[derive(Default)]
struct Share {
    out: Vec<u8>,
    /// Errors by line index within the share (0-based), numbered once all shares are done.
    errors: Vec<(usize, String)>,
    /// Lines in the share.
    lines: usize,
}

/// The next line of `rest` (without `\n` or `\r\n`) and what follows it.
fn next_line(rest: &[u8]) -> (&[u8], &[u8]) {
    let (line, next) = match memchr::memchr(b'\n', rest) {
        Some(i) => (rest.get(..i), rest.get(i + 1..)),
        None => (Some(rest), None),
    };
    let line = line.unwrap_or_default();
    (
        line.strip_suffix(b"\r").unwrap_or(line),
        next.unwrap_or_default(),
    )
}

fn run_share<O: LineOp>(op: &mut O, kind: IdKind, lines: &[u8], share: &mut Share) {
    share.out.clear();
    share.errors.clear();
    // One output line per input line, so the output is at least as long as the line count.
    share.out.reserve(lines.len() * 2);
    let mut n = 0;
    // Validate UTF-8 once for the whole share (the common case); only if that fails, line by
    // line, so one bad line costs only itself.
    if let Ok(text) = std::str::from_utf8(lines) {
        let mut rest = text;
        while !rest.is_empty() {
            // Slicing at a `\n` (ASCII) always falls on a character boundary.
            let (line, next) = memchr::memchr(b'\n', rest.as_bytes())
                .and_then(|i| Some((rest.get(..i)?, rest.get(i + 1..)?)))
                .unwrap_or((rest, ""));
            rest = next;
            let line = line.strip_suffix('\r').unwrap_or(line);
            if let Err(e) = op.apply(kind, line, &mut share.out) {
                share.errors.push((n, e.to_string()));
            }
            share.out.push(b'\n');
            n += 1;
        }
    } else {
        let mut rest = lines;
        while !rest.is_empty() {
            let (raw, next) = next_line(rest);
            rest = next;
            match std::str::from_utf8(raw) {
                Ok(line) => {
                    if let Err(e) = op.apply(kind, line, &mut share.out) {
                        share.errors.push((n, e.to_string()));
                    }
                }
                Err(e) => share.errors.push((
                    n,
                    format!("{kind}: not valid UTF-8 (byte {})", e.valid_up_to() + 1),
                )),
            }
            share.out.push(b'\n');
            n += 1;
        }
    }
    share.lines = n;
}

/// Split `block` (complete lines) into at most `parts` runs of whole lines.
fn split_lines(block: &[u8], parts: usize) -> Vec<&[u8]> {
    let mut out = Vec::with_capacity(parts);
    let mut rest = block;
    for i in 0..parts {
        if rest.is_empty() {
            break;
        }
        let left = parts - i;
        let target = rest.len() / left;
        if left == 1 || target == 0 {
            out.push(rest);
            break;
        }
        let cut = match rest[target..].iter().position(|&b| b == b'\n') {
            Some(p) => target + p + 1,
            None => rest.len(),
        };
        let (a, b) = rest.split_at(cut);
        out.push(a);
        rest = b;
    }
    out
}

/// Read lines from `input`, apply the workers, write outputs in input order and errors as
/// `line N: reason`.
pub(crate) fn process_lines<O: LineOp, R: Read, W: Write, E: Write>(
    kind: IdKind,
    mut input: R,
    output: W,
    mut errors: E,
    ops: &mut [O],
) -> Result<(), CliError> {
    let mut out = BufWriter::with_capacity(1 << 20, output);
    let mut shares: Vec<Share> = ops.iter().map(|_| Share::default()).collect();
    // A fixed buffer: `kept` bytes carried over (an incomplete last line), then `filled`.
    let mut buf: Vec<u8> = vec![0; BLOCK];
    let mut kept = 0usize;
    let mut line_no = 1usize;
    let mut eof = false;
    // A UTF-8 byte-order mark before the first line is not part of the first value.
    let mut first = true;
    // Set while reading past a line longer than the buffer: no identifier is megabytes long,
    // and growing the buffer for one would let an endless line (`/dev/zero`) take all memory.
    let mut skipping = false;
    while !eof {
        if kept == buf.len() {
            skipping = true;
            kept = 0;
        }
        let mut filled = kept;
        while filled < buf.len() {
            match input.read(buf.get_mut(filled..).unwrap_or_default()) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(CliError::io("<stdin>")(e)),
            }
        }
        let data = buf.get(..filled).unwrap_or_default();
        let mut start = 0;
        if skipping {
            match memchr::memchr(b'\n', data) {
                None if !eof => {
                    kept = 0;
                    continue;
                }
                found => {
                    writeln!(
                        errors,
                        "line {line_no}: {kind}: longer than {BLOCK} bytes, skipped"
                    )
                    .map_err(CliError::io("<stderr>"))?;
                    out.write_all(b"\n").map_err(CliError::io("<stdout>"))?;
                    line_no += 1;
                    skipping = false;
                    first = false;
                    start = found.map_or(filled, |p| p + 1);
                }
            }
        }
        // Complete lines end at the last newline; at EOF a final unterminated line counts too.
        let tail = data.get(start..).unwrap_or_default();
        let end = match memchr::memrchr(b'\n', tail) {
            Some(p) if !eof => start + p + 1,
            None if !eof => {
                buf.copy_within(start..filled, 0);
                kept = filled - start;
                continue;
            }
            _ => filled,
        };
        let skip = if first && tail.starts_with(b"\xef\xbb\xbf") {
            3
        } else {
            0
        };
        first = false;
        let block = data
            .get(start + skip..end.max(start + skip))
            .unwrap_or_default();
        let parts = split_lines(block, ops.len());
        if parts.len() <= 1 {
            if let (Some(p), Some(op), Some(sh)) =
                (parts.first(), ops.first_mut(), shares.first_mut())
            {
                run_share(op, kind, p, sh);
            }
        } else {
            std::thread::scope(|s| {
                for ((p, op), sh) in parts.iter().zip(ops.iter_mut()).zip(shares.iter_mut()) {
                    s.spawn(move || run_share(op, kind, p, sh));
                }
            });
        }
        for sh in shares.iter_mut().take(parts.len()) {
            out.write_all(&sh.out).map_err(CliError::io("<stdout>"))?;
            for (n, e) in &sh.errors {
                writeln!(errors, "line {}: {e}", line_no + n).map_err(CliError::io("<stderr>"))?;
            }
            line_no += sh.lines;
        }
        buf.copy_within(end..filled, 0);
        kept = filled - end;
    }
    out.flush().map_err(CliError::io("<stdout>"))?;
    Ok(())
}

#[cfg(test)]
mod tests;
