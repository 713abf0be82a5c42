//! The TC string decoder and the Consent Mode parser on arbitrary input: never panic, and
//! whatever decodes re-encodes to a string that decodes to the same model.
#![no_main]

use libfuzzer_sys::fuzz_target;
use o2o_core::consent::ConsentMode;
use o2o_core::consent::tcf::TcString;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(tc) = TcString::decode(&text) {
        let again = TcString::decode(&tc.encode());
        assert_eq!(again.as_ref(), Ok(&tc));
        let _ = tc.to_json();
    }
    let _ = ConsentMode::parse(&text);
});
