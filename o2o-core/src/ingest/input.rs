//! Bytes in, records' bytes out: gzip, a UTF-8 byte-order mark, CRLF and a cap on a record's
//! size, handled once for every text format.
//!
//! A record is framed before it is parsed, so a file without newlines (or `/dev/zero`) costs at
//! most the cap in memory: the rest of an oversized record is skipped without being kept, and
//! the record is reported with its line.

use std::io::{self, BufRead, BufReader, Read};

/// Open `input` for reading records: gzip is detected by its magic bytes and decompressed
/// (concatenated members too, as `cat a.gz b.gz` makes); everything else is read as it is.
///
/// ```
/// use std::io::Read;
/// let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
/// std::io::Write::write_all(&mut gz, b"a,b\n1,2\n").unwrap();
/// let bytes = gz.finish().unwrap();
/// let mut text = String::new();
/// o2o_core::ingest::open(&bytes[..]).unwrap().read_to_string(&mut text).unwrap();
/// assert_eq!(text, "a,b\n1,2\n");
/// ```
pub fn open<'a, R: Read + 'a>(input: R) -> io::Result<Box<dyn BufRead + 'a>> {
    let mut buf = BufReader::with_capacity(1 << 16, input);
    let magic = buf.fill_buf()?;
    if magic.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::bufread::MultiGzDecoder::new(buf),
        )))
    } else {
        Ok(Box::new(buf))
    }
}

/// How records are delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Framing {
    /// One record per line.
    Lines,
    /// CSV: a newline inside a quoted field does not end the record.
    Csv {
        /// The quote character.
        quote: u8,
    },
}

/// One framed record.
#[derive(Debug)]
pub(crate) enum Frame<'a> {
    /// The record's bytes (without its line end) and the line it starts on.
    Record { bytes: &'a [u8], line: u64 },
    /// A record over the cap, skipped; the line it started on.
    TooLarge { line: u64 },
}

/// Splits a byte stream into records.
pub(crate) struct Framer<R> {
    input: R,
    framing: Framing,
    cap: usize,
    buf: Vec<u8>,
    /// The line the next record starts on.
    line: u64,
    /// Bytes consumed so far (of the decompressed stream).
    consumed: u64,
    first: bool,
}

impl<R: BufRead> Framer<R> {
    pub(crate) fn new(input: R, framing: Framing, cap: u64) -> Self {
        Framer {
            input,
            framing,
            cap: usize::try_from(cap).unwrap_or(usize::MAX),
            buf: Vec::with_capacity(4096),
            line: 1,
            consumed: 0,
            first: true,
        }
    }

    /// The next record, `None` at the end of the input.
    pub(crate) fn next_frame(&mut self) -> io::Result<Option<Frame<'_>>> {
        if self.first {
            self.first = false;
            let head = self.input.fill_buf()?;
            if head.starts_with(b"\xEF\xBB\xBF") {
                self.input.consume(3);
                self.consumed += 3;
            }
        }
        self.buf.clear();
        let start_line = self.line;
        let mut in_quote = false;
        let mut too_large = false;
        let mut any = false;
        loop {
            let chunk = self.input.fill_buf()?;
            if chunk.is_empty() {
                break;
            }
            any = true;
            // Find the end of the record in this chunk.
            let mut end = None;
            let mut newlines = 0u64;
            match self.framing {
                Framing::Lines => {
                    if let Some(i) = memchr::memchr(b'\n', chunk) {
                        end = Some(i);
                    }
                }
                Framing::Csv { quote } => {
                    let mut from = 0;
                    while let Some(off) = memchr::memchr2(b'\n', quote, &chunk[from..]) {
                        let i = from + off;
                        if chunk[i] == quote {
                            in_quote = !in_quote;
                        } else if in_quote {
                            newlines += 1;
                        } else {
                            end = Some(i);
                            break;
                        }
                        from = i + 1;
                    }
                }
            }
            let take = end.unwrap_or(chunk.len());
            if !too_large {
                if self.buf.len() + take > self.cap {
                    too_large = true;
                    self.buf.clear();
                } else {
                    // Grow by doubling, but never past the cap.
                    let need = self.buf.len() + take;
                    if need > self.buf.capacity() {
                        let want = need.max(self.buf.capacity() * 2).min(self.cap);
                        self.buf.reserve_exact(want - self.buf.len());
                    }
                    self.buf.extend_from_slice(&chunk[..take]);
                }
            }
            self.line += newlines;
            let used = end.map_or(take, |e| e + 1);
            self.input.consume(used);
            self.consumed += used as u64;
            if end.is_some() {
                self.line += 1;
                break;
            }
        }
        if !any {
            return Ok(None);
        }
        if too_large {
            return Ok(Some(Frame::TooLarge { line: start_line }));
        }
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        Ok(Some(Frame::Record {
            bytes: &self.buf,
            line: start_line,
        }))
    }

    /// Bytes consumed so far.
    pub(crate) fn consumed(&self) -> u64 {
        self.consumed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8], framing: Framing, cap: u64) -> Vec<(u64, Option<String>)> {
        let mut f = Framer::new(input, framing, cap);
        let mut out = Vec::new();
        while let Some(fr) = f.next_frame().unwrap() {
            out.push(match fr {
                Frame::Record { bytes, line } => {
                    (line, Some(String::from_utf8_lossy(bytes).into_owned()))
                }
                Frame::TooLarge { line } => (line, None),
            });
        }
        out
    }

    #[test]
    fn bom_crlf_and_quoted_newlines() {
        let got = frames(
            b"\xEF\xBB\xBFa,b\r\n\"x\ny\",2\r\n3,4",
            Framing::Csv { quote: b'"' },
            100,
        );
        assert_eq!(
            got,
            vec![
                (1, Some("a,b".into())),
                (2, Some("\"x\ny\",2".into())),
                (4, Some("3,4".into()))
            ]
        );
    }

    #[test]
    fn oversized_records_are_skipped_not_kept() {
        let mut big = vec![b'x'; 10_000];
        big.extend_from_slice(b"\nok\n");
        let got = frames(&big, Framing::Lines, 100);
        assert_eq!(got, vec![(1, None), (2, Some("ok".into()))]);
    }

    #[test]
    fn a_stream_without_newlines_ends_as_one_oversized_record() {
        let zeros = std::io::repeat(0).take(5 << 20);
        let mut f = Framer::new(std::io::BufReader::new(zeros), Framing::Lines, 1 << 20);
        assert!(matches!(
            f.next_frame().unwrap(),
            Some(Frame::TooLarge { line: 1 })
        ));
        assert!(f.next_frame().unwrap().is_none());
        assert!(f.buf.capacity() <= (1 << 20) + (1 << 16));
    }
}
