//! Voucher verification on arbitrary input: never panics; a code is accepted only if it is the
//! canonical spelling of what the issuer would produce for the decoded voucher.
#![no_main]

use libfuzzer_sys::fuzz_target;
use o2o_core::keys::KeyRing;
use o2o_core::voucher::{Issuer, Verifier, canonical};

fuzz_target!(|data: &[u8]| {
    let Ok(ring) = KeyRing::parse(&format!("k1:{}\nk2:{}\n", "a5".repeat(32), "5a".repeat(16)))
    else {
        return;
    };
    let (day, rest) = data.split_first().map_or((0u8, data), |(d, r)| (*d, r));
    let Ok(today) = time::Date::from_calendar_date(2024 + i32::from(day % 16), time::Month::June, 1)
    else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let (code, customer) = match text.split_once('|') {
        Some((c, cust)) => (c, Some(cust)),
        None => (&*text, None),
    };
    let verifier = Verifier::new(&ring);
    if let Ok(v) = verifier.verify(code, today, customer) {
        assert_eq!(canonical(code).as_deref(), Some(v.code.as_str()));
        if v.key_id == "k1" {
            let again = Issuer::new(&ring).issue(&v.voucher).ok();
            assert_eq!(again.as_deref(), Some(v.code.as_str()));
        }
    }
});
