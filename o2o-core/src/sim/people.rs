//! Synthetic people and their identifiers, and the noise real capture adds to them: emails typed
//! with capitals and spaces, phones in local and international formats, MACs in three notations.
//!
//! Values that must be unique (emails, phones, loyalty cards) are derived from the person index
//! through bijections, so no two simulated people ever collide by chance.

use rand::Rng;

const FIRST: [&str; 24] = [
    "anh", "binh", "chi", "dung", "giang", "hoa", "hung", "khanh", "lan", "linh", "minh", "nam",
    "ngoc", "phuong", "quang", "thao", "trang", "tuan", "vy", "anna", "david", "maria", "peter",
    "sofia",
];
const LAST: [&str; 16] = [
    "nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang", "bui", "do",
    "ho", "ngo", "smith", "garcia",
];
const DOMAINS: [&str; 6] = [
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "hotmail.com",
    "icloud.com",
    "example.vn",
];
const CITIES: [&str; 6] = [
    "Ha Noi",
    "Ho Chi Minh City",
    "Da Nang",
    "Hai Phong",
    "Can Tho",
    "Hue",
];
/// Vietnamese mobile prefixes (after the trunk 0) that libphonenumber accepts as valid.
const MOBILE_PREFIX: [u32; 7] = [90, 91, 93, 94, 96, 97, 98];

/// Junk values staff type into a POS or form when the customer gives nothing.
pub(crate) const JUNK: [(crate::event::IdKind, &str); 6] = [
    (crate::event::IdKind::Email, "test@test.com"),
    (crate::event::IdKind::Email, "noemail@noemail.com"),
    (crate::event::IdKind::Phone, "0000000000"),
    (crate::event::IdKind::Phone, "0123456789"),
    (crate::event::IdKind::Email, "null"),
    (crate::event::IdKind::LoyaltyCard, "unknown"),
];

/// The stable facts of one person.
pub(crate) struct Person {
    pub first: &'static str,
    pub last: &'static str,
    pub email: Option<String>,
    /// A second, work, email (unique like the first).
    pub work_email: Option<String>,
    /// National significant number: 9 digits, or 10 for a pre-2018 (016x) number.
    pub phone: Option<String>,
    pub loyalty: Option<String>,
    pub external_id: Option<String>,
    pub devices: Vec<String>,
    pub mac: String,
    pub city: &'static str,
    pub dob: (u16, u8, u8),
    pub female: bool,
}

impl Person {
    /// Person `index`; `work_email_share` and `unranged_phone_share` as in
    /// [`super::SimConfig`] (at zero, they draw nothing, so the rest of the draws are as before).
    pub fn new(
        index: u64,
        rng: &mut impl Rng,
        work_email_share: f64,
        unranged_phone_share: f64,
    ) -> Person {
        let first = FIRST[rng.random_range(0..FIRST.len())];
        let last = LAST[rng.random_range(0..LAST.len())];
        let email = rng.random_bool(0.85).then(|| {
            let domain = DOMAINS[rng.random_range(0..DOMAINS.len())];
            format!("{first}.{last}{index}@{domain}")
        });
        let phone = rng.random_bool(0.95).then(|| {
            // (index / 7) · 7 368 787 is a bijection modulo 10^7 (the multiplier is odd and not a
            // multiple of 5), so phones are unique for up to 70 million people.
            let prefix = MOBILE_PREFIX[(index % 7) as usize];
            let rest = ((index / 7).wrapping_mul(7_368_787).wrapping_add(1_234_567)) % 10_000_000;
            format!("{prefix}{rest:07}")
        });
        let loyalty = rng.random_bool(0.55).then(|| {
            let n = (index.wrapping_mul(2_654_435_761).wrapping_add(97)) % 10_000_000_000;
            format!("LC{n:010}")
        });
        let external_id = rng.random_bool(0.70).then(|| format!("C{index:08}"));
        let n_devices = if rng.random_bool(0.4) { 2 } else { 1 };
        let devices = (0..n_devices).map(|_| uuid(rng)).collect();
        let mac = mac_canonical(rng);
        let city = CITIES[rng.random_range(0..CITIES.len())];
        let dob = (
            rng.random_range(1950..2006),
            rng.random_range(1..=12),
            rng.random_range(1..=28),
        );
        let female = rng.random_bool(0.5);
        // Drawn last, and only when asked for, so that the draws above stay as they were.
        let work_email = (work_email_share > 0.0 && rng.random_bool(work_email_share))
            .then(|| format!("{first}.{last}{index}@work{}.com.vn", index % 97));
        let phone = match phone {
            Some(p) if unranged_phone_share > 0.0 && rng.random_bool(unranged_phone_share) => {
                // 016x + the same 7 digits: unique, as the digit after 16 differs within each
                // run of 7 indexes that share them.
                Some(format!("16{}{}", 2 + index % 8, &p[2..]))
            }
            p => p,
        };
        Person {
            first,
            last,
            email,
            work_email,
            phone,
            loyalty,
            external_id,
            devices,
            mac,
            city,
            dob,
            female,
        }
    }
}

/// A random version-4 UUID in lowercase hex, as mobile ad ids and cookie ids usually are.
pub(crate) fn uuid(rng: &mut impl Rng) -> String {
    let a: u128 = rng.random();
    let a = (a & !(0xf << 76)) | (0x4 << 76);
    let a = (a & !(0x3 << 62)) | (0x2 << 62);
    let h = format!("{a:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn mac_canonical(rng: &mut impl Rng) -> String {
    let b: [u8; 6] = rng.random();
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// An email as a person or a cashier might type it.
pub(crate) fn email_variant(email: &str, rng: &mut impl Rng) -> String {
    match rng.random_range(0..10) {
        0..=4 => email.to_owned(),
        5 | 6 => {
            let mut out = String::with_capacity(email.len());
            let mut up = true;
            for c in email.chars() {
                out.push(if up { c.to_ascii_uppercase() } else { c });
                up = c == '.' || c == '@';
            }
            out
        }
        7 => email.to_ascii_uppercase(),
        8 => format!(" {email}"),
        _ => format!("{email}  "),
    }
}

/// A phone number (9- or 10-digit national significant number, Vietnam) in one of the formats
/// people actually write.
pub(crate) fn phone_variant(nsn: &str, rng: &mut impl Rng) -> String {
    let (a, b, c) = (&nsn[0..2], &nsn[2..5], &nsn[5..]);
    match rng.random_range(0..8) {
        0 | 1 => format!("0{nsn}"),
        2 => format!("0{a} {b} {c}"),
        3 => format!("+84{nsn}"),
        4 => format!("+84 {a} {b} {c}"),
        5 => format!("0084{nsn}"),
        6 => format!("(+84) {a}-{b}-{c}"),
        _ => format!("0{a}.{b}.{c}"),
    }
}

/// A MAC address in one of the three usual notations.
pub(crate) fn mac_variant(mac: &str, rng: &mut impl Rng) -> String {
    match rng.random_range(0..4) {
        0 | 1 => mac.to_owned(),
        2 => mac.to_ascii_uppercase().replace(':', "-"),
        _ => {
            let hex: String = mac.split(':').collect();
            format!("{}.{}.{}", &hex[0..4], &hex[4..8], &hex[8..12])
        }
    }
}

/// Date of birth as a form might capture it.
pub(crate) fn dob_variant(dob: (u16, u8, u8), rng: &mut impl Rng) -> String {
    let (y, m, d) = dob;
    match rng.random_range(0..3) {
        0 => format!("{y:04}-{m:02}-{d:02}"),
        1 => format!("{y:04}/{m:02}/{d:02}"),
        _ => format!("{y:04}{m:02}{d:02}"),
    }
}
