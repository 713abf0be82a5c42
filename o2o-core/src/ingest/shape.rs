//! A value's shape instead of the value: what error messages show, since a bad cell may hold a
//! personal value (an email in the amount column of a shifted row).

/// Digits become `9`, letters `a` (`A` when upper case), other characters stay; at most 24
/// characters, then `…`.
///
/// ```text
/// 31/02/2026  ->  99/99/9999
/// ann@x.com   ->  aaa@a.aaa
/// ```
pub(crate) fn shape(value: &str) -> String {
    let mut out = String::with_capacity(value.len().min(28));
    for (n, c) in value.chars().enumerate() {
        if n == 24 {
            out.push('…');
            break;
        }
        out.push(if c.is_ascii_digit() {
            '9'
        } else if c.is_alphabetic() {
            if c.is_uppercase() { 'A' } else { 'a' }
        } else {
            c
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::shape;

    #[test]
    fn shapes_hide_values() {
        assert_eq!(shape("31/02/2026"), "99/99/9999");
        assert_eq!(shape("Ann@x.com"), "Aaa@a.aaa");
        assert_eq!(shape(&"x".repeat(100)).chars().count(), 25);
    }
}
