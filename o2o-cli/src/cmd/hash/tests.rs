use super::*;
use o2o_core::hashing::sha256_hex;
use o2o_core::keys::KeyRing;

fn run_ops<O: LineOp>(kind: IdKind, input: &[u8], ops: &mut [O]) -> (String, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    process_lines(kind, input, &mut out, &mut err, ops).unwrap();
    (
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn hashers(n: usize) -> Vec<Hasher> {
    (0..n)
        .map(|_| Hasher::new(NormalizeOptions::default()))
        .collect()
}

#[test]
fn one_line_out_per_line_in_with_errors_on_stderr() {
    let input = b"Ann@Example.com\r\nnot-an-email\n\n\xff\xfe\nbob@x.com";
    let (out, err) = run_ops(IdKind::Email, input, &mut hashers(1));
    let lines: Vec<&str> = out.split('\n').collect();
    assert_eq!(lines.len(), 6, "{out:?}");
    assert_eq!(lines[0], sha256_hex("ann@example.com"));
    assert_eq!(lines[1], "");
    assert_eq!(lines[2], "");
    assert_eq!(lines[3], "");
    assert_eq!(lines[4], sha256_hex("bob@x.com"));
    assert_eq!(lines[5], "");
    let errs: Vec<&str> = err.lines().collect();
    assert_eq!(errs.len(), 3, "{err}");
    assert!(errs[0].starts_with("line 2: email: "), "{err}");
    assert!(errs[1].starts_with("line 3: email: empty"), "{err}");
    assert!(
        errs[2].starts_with("line 4: email: not valid UTF-8"),
        "{err}"
    );
}

#[test]
fn threads_keep_order_across_blocks() {
    // More than one 4 MiB block, with invalid values sprinkled in.
    let mut input = String::new();
    for i in 0..260_000 {
        if i % 997 == 0 {
            input.push_str("bad\n");
        } else {
            input.push_str(&format!("User.{i}@Example.com\n"));
        }
    }
    assert!(input.len() > BLOCK);
    let (one, err1) = run_ops(IdKind::Email, input.as_bytes(), &mut hashers(1));
    let (three, err3) = run_ops(IdKind::Email, input.as_bytes(), &mut hashers(3));
    assert_eq!(one, three);
    assert_eq!(err1, err3);
    assert_eq!(one.lines().count(), 260_000);
    assert_eq!(
        one.lines().nth(5).unwrap(),
        sha256_hex("user.5@example.com")
    );
    assert!(err1.lines().any(|l| l.starts_with("line 998: ")));
    assert_eq!(err1.lines().count(), 261);
}

#[test]
fn normalizer_and_pseudonymizer_lines() {
    let opts = NormalizeOptions {
        default_country: Some("VN".into()),
        ..Default::default()
    };
    let mut ops = vec![Normalizer {
        opts: opts.clone(),
        buf: String::new(),
    }];
    let (out, err) = run_ops(
        IdKind::Phone,
        b"0912 345 678\n(+84) 91-234-5678\n12\n",
        &mut ops,
    );
    assert_eq!(out, "84912345678\n84912345678\n\n");
    assert!(err.starts_with("line 3: phone: "), "{err}");
    let ring = KeyRing::parse("k9:000102030405060708090a0b0c0d0e0f").unwrap();
    let mut ops = vec![Pseudonymizer::from_ring(&ring, opts)];
    let (out, _) = run_ops(IdKind::Phone, b"0912 345 678\n", &mut ops);
    assert!(out.starts_with("k9:") && out.len() == 3 + 64 + 1, "{out}");
}

#[test]
fn split_lines_covers_the_block() {
    let block = b"a\nbb\nccc\nd\n";
    for parts in 1..6 {
        let p = split_lines(block, parts);
        assert!(p.len() <= parts);
        assert_eq!(p.concat(), block.to_vec());
        assert!(p.iter().all(|x| x.ends_with(b"\n")));
    }
}

/// Issue 30: a UTF-8 byte-order mark before the first line is not hashed into the first value.
#[test]
fn a_byte_order_mark_is_not_hashed() {
    let (out, err) = run_ops(
        IdKind::Email,
        b"\xef\xbb\xbfann@example.com\nbob@x.com\n",
        &mut hashers(1),
    );
    assert_eq!(err, "");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], sha256_hex("ann@example.com"));
    assert_eq!(lines[1], sha256_hex("bob@x.com"));
}

/// A line longer than the read buffer is skipped with an error on its line (an empty output
/// line keeps the output aligned), the lines around it are hashed, and memory stays at the
/// buffer: an endless line (`/dev/zero`) is read through, never kept.
#[test]
fn a_line_longer_than_the_buffer_is_skipped() {
    let mut input = b"ann@example.com\n".to_vec();
    input.extend(std::iter::repeat_n(b'a', 2 * BLOCK + 17));
    input.extend_from_slice(b"\nbob@x.com\n");
    for n in [1, 2] {
        let (out, err) = run_ops(IdKind::Email, &input, &mut hashers(n));
        let lines: Vec<&str> = out.split('\n').collect();
        assert_eq!(
            lines,
            [
                &*sha256_hex("ann@example.com"),
                "",
                &*sha256_hex("bob@x.com"),
                ""
            ]
        );
        assert_eq!(
            err,
            format!("line 2: email: longer than {BLOCK} bytes, skipped\n")
        );
    }
    // The same line at the end of the input, without a newline.
    let mut input = b"ann@example.com\n".to_vec();
    input.extend(std::iter::repeat_n(b'a', BLOCK + 1));
    let (out, err) = run_ops(IdKind::Email, &input, &mut hashers(1));
    assert_eq!(out, format!("{}\n\n", sha256_hex("ann@example.com")));
    assert!(err.starts_with("line 2: "), "{err}");
}
