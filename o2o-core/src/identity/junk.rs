//! The placeholder values people and tills type when there is nothing to type, in one place.
//!
//! A cashier who must fill the email field of an anonymous sale types `na@na.com`; a form that
//! requires a phone gets `0123456789`; a CRM export writes `NULL`. Each such value is shared by
//! thousands of strangers, and one of them linking is enough to glue them into one profile. These
//! lists are the default `blocked_values` and `blocked_patterns` of
//! [`super::ResolutionRules`]; a rules file adds to them (or replaces them with
//! `"replace": true`). Values are compared after normalisation and in lower case, and a raw value
//! is checked too, so that `0123456789` is caught whether or not it normalises to a phone.
//! `docs/identity.md` lists them for users.

/// Exact placeholder values (lower case), of any kind.
pub(crate) const VALUES: &[&str] = &[
    // Empty and "no value" words, as exports and forms write them.
    "",
    "null",
    "none",
    "nil",
    "nan",
    "n/a",
    "n.a.",
    "na",
    "-",
    "--",
    "-1",
    "0",
    "unknown",
    "undefined",
    "anonymous",
    "guest",
    "void",
    "test",
    "abc123",
    // Placeholder mailboxes that are whole addresses.
    "test@test.com",
    "test@example.com",
    "a@a.com",
    "a@b.com",
    "x@x.com",
    "abc@abc.com",
    "na@na.com",
    "no@no.com",
    "none@none.com",
    "email@email.com",
    "example@example.com",
    "user@example.com",
    "name@example.com",
    "asdf@asdf.com",
    // Phone placeholders, raw and as the graph normalises them (Vietnam by default, Meta's
    // digits with the country code).
    "0123456789",
    "1234567890",
    "123456789",
    "0987654321",
    "9876543210",
    "+84123456789",
    "84123456789",
    // Device, network and id placeholders.
    "00000000-0000-0000-0000-000000000000",
    "00:00:00:00:00:00",
    "ff:ff:ff:ff:ff:ff",
    "02:00:00:00:00:00",
    "0.0.0.0",
    "127.0.0.1",
    "::1",
];

/// Placeholder patterns (regular expressions, matched against the lower-case value).
pub(crate) const PATTERNS: &[&str] = &[
    // Only zeros, dashes and separators (`0000000000`, `+84 000 000 000`, `---`).
    r"^\+?[0\-\s.:]*$",
    // The same digit repeated, also after a country code of up to three digits (`9999999999`,
    // `84000000000`, as `0000000000` normalises).
    r"^\+?[0-9]{0,3}(?:0{7,}|1{7,}|2{7,}|3{7,}|4{7,}|5{7,}|6{7,}|7{7,}|8{7,}|9{7,})$",
    // A phone made of a run of counting digits (`0123456789`, `+84 987 654 321`).
    r"^\+?[0-9]*(?:123456789|987654321)[0-9]*$",
    // Placeholder mailboxes (`noemail@…`, `no-email@…`, `none@…`, `test@…`, `na@…`).
    r"^(?:no-?e?mail|nomail|none|no|na|n/a|null|noreply|no-reply|donotreply|customer|khach|unknown|test|asdf|dummy|fake|sample|invalid)@",
    // Placeholder mail domains.
    r"@(?:test\.com|noemail\.com|nomail\.com|none\.com|na\.com|email\.com|invalid)$",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The user guide lists the whole list (its one place for users).
    #[test]
    fn the_user_guide_lists_every_value() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/identity.md");
        let Ok(doc) = std::fs::read_to_string(path) else {
            return; // a packaged crate has no docs folder
        };
        for v in VALUES {
            let shown = if v.is_empty() {
                "`\"\"`".to_owned()
            } else {
                format!("`{v}`")
            };
            let zero_uuid = *v == "00000000-0000-0000-0000-000000000000";
            assert!(
                doc.contains(&shown) || zero_uuid && doc.contains("the zero UUID"),
                "{v}"
            );
        }
    }

    #[test]
    fn patterns_compile_and_values_are_lower_case_and_distinct() {
        for p in PATTERNS {
            assert!(regex::Regex::new(p).is_ok(), "{p}");
        }
        let mut seen = std::collections::BTreeSet::new();
        for v in VALUES {
            assert_eq!(*v, v.to_lowercase(), "{v}");
            assert!(seen.insert(*v), "{v} listed twice");
        }
    }
}
