//! Numbers as exports write them in their locale: `1.250.000` (Vietnamese đồng), `1 250,50`
//! (French), `1,250.50` (English). The map declares the separators; nothing is guessed, because
//! `1.250` is one and a quarter in one locale and twelve hundred and fifty in another.

/// The separators of one number field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NumberFormat {
    decimal: char,
    thousands: Option<char>,
}

impl Default for NumberFormat {
    fn default() -> Self {
        NumberFormat {
            decimal: '.',
            thousands: None,
        }
    }
}

fn one_char(name: &str, s: &str) -> Result<char, String> {
    let mut it = s.chars();
    match (it.next(), it.next()) {
        (Some(c), None) if !c.is_ascii_digit() && c != '-' && c != '+' => Ok(c),
        _ => Err(format!(
            "`{name}` must be one character other than a digit or a sign"
        )),
    }
}

impl NumberFormat {
    pub(crate) fn new(decimal: Option<&str>, thousands: Option<&str>) -> Result<Self, String> {
        let decimal = match decimal {
            None => '.',
            Some(d) => one_char("decimal", d)?,
        };
        let thousands = thousands.map(|t| one_char("thousands", t)).transpose()?;
        if thousands == Some(decimal) {
            return Err("`decimal` and `thousands` must differ".to_owned());
        }
        Ok(NumberFormat { decimal, thousands })
    }

    /// Whether `c` separates thousands: the declared character, and for a space any kind of
    /// space (exports write U+00A0 and U+202F as often as U+0020).
    fn is_thousands(&self, c: char) -> bool {
        match self.thousands {
            Some(' ') => c == ' ' || c == '\u{a0}' || c == '\u{202f}',
            Some(t) => c == t,
            None => false,
        }
    }

    /// Parse `text` (trimmed, not empty) into a finite number. The result is the correctly
    /// rounded `f64` of the decimal written (the standard library's parser does the rounding).
    pub(crate) fn parse(&self, text: &str) -> Result<f64, String> {
        let mut buf = [0u8; 64];
        let mut n = 0;
        let mut seen_decimal = false;
        let mut digits = 0;
        for (i, c) in text.chars().enumerate() {
            let b = if c.is_ascii_digit() {
                digits += 1;
                c as u8
            } else if c == self.decimal && !seen_decimal {
                seen_decimal = true;
                b'.'
            } else if self.is_thousands(c) && !seen_decimal && digits > 0 {
                continue;
            } else if (c == '-' || c == '+') && i == 0 {
                c as u8
            } else if (c == 'e' || c == 'E') && digits > 0 {
                b'e'
            } else if (c == '-' || c == '+') && n > 0 && buf.get(n - 1) == Some(&b'e') {
                c as u8
            } else {
                return Err(self.expected());
            };
            *buf.get_mut(n)
                .ok_or_else(|| "too long for a number".to_owned())? = b;
            n += 1;
        }
        if digits == 0 {
            return Err(self.expected());
        }
        let s =
            std::str::from_utf8(buf.get(..n).unwrap_or_default()).map_err(|_| self.expected())?;
        match s.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            Ok(_) => Err("too large to be an amount".to_owned()),
            Err(_) => Err(self.expected()),
        }
    }

    fn expected(&self) -> String {
        let example = match (self.decimal, self.thousands) {
            ('.', None) => "1250.50".to_owned(),
            (d, None) => format!("1250{d}50"),
            (d, Some(t)) => format!("1{t}250{d}50"),
        };
        format!("not a number (expected the form {example})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales() {
        let vn = NumberFormat::new(Some(","), Some(".")).unwrap();
        assert_eq!(vn.parse("1.250.000").unwrap(), 1_250_000.0);
        assert_eq!(vn.parse("1.250.000,5").unwrap(), 1_250_000.5);
        let fr = NumberFormat::new(Some(","), Some(" ")).unwrap();
        assert_eq!(fr.parse("1 250,50").unwrap(), 1250.5);
        assert_eq!(fr.parse("1\u{a0}250,50").unwrap(), 1250.5);
        let en = NumberFormat::new(None, Some(",")).unwrap();
        assert_eq!(en.parse("1,250.50").unwrap(), 1250.5);
        let plain = NumberFormat::default();
        assert_eq!(plain.parse("-3.25").unwrap(), -3.25);
        assert_eq!(plain.parse("1e3").unwrap(), 1000.0);
    }

    #[test]
    fn garbage_and_non_finite_are_errors() {
        let plain = NumberFormat::default();
        for bad in [
            "", "abc", "1e309", "NaN", "inf", "1.2.3", "12,5", "--1", "1 000",
        ] {
            assert!(plain.parse(bad).is_err(), "{bad}");
        }
        let vn = NumberFormat::new(Some(","), Some(".")).unwrap();
        assert!(vn.parse("1,2,3").is_err());
        assert!(vn.parse(".5").is_err());
    }

    #[test]
    fn separators_are_checked() {
        assert!(NumberFormat::new(Some("."), Some(".")).is_err());
        assert!(NumberFormat::new(Some("ab"), None).is_err());
        assert!(NumberFormat::new(Some("1"), None).is_err());
    }
}
