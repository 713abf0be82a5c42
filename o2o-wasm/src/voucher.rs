//! Voucher codes: the key-less typo check for any page (`tag`), and the core's offline
//! verification (check character, HMAC tag in constant time, expiry) against a key file for a
//! web till or back office (`full`).
//!
//! Why verification is not in the tag: verifying needs the HMAC key, and a key shipped in a
//! public landing page is a key every visitor can read and forge codes with. A landing page
//! checks the code's form and check character (`voucherCanonical`); the till verifies.

use crate::args::{StrArg, string};
use crate::error::{WasmError, code};
use o2o_core::voucher::canonical;
#[cfg(feature = "full")]
pub use verify::*;
use wasm_bindgen::prelude::*;

#[cfg(feature = "full")]
mod verify {
    use crate::args::{StrArg, opt_string, string};
    use crate::convert::{from_js, from_json, to_js};
    use crate::error::{WasmError, code};
    use o2o_core::keys::{KeyError, KeyRing};
    use o2o_core::voucher::{CampaignTable, Rejection, Verified, Verifier, day};
    use time::Date;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// A verified voucher.
        #[wasm_bindgen(typescript_type = "VerifiedVoucher")]
        pub type VerifiedJs;
        /// A day: `YYYY-MM-DD` or Unix seconds (omitted: today, UTC).
        #[wasm_bindgen(typescript_type = "string | number")]
        pub type DayJs;
        /// A customer pseudonym.
        #[wasm_bindgen(typescript_type = "string")]
        pub type CustomerJs;
        /// A campaign table: an array (or its JSON text) of names or `{name, expires}` objects.
        #[wasm_bindgen(typescript_type = "CampaignTable | string")]
        pub type CampaignsJs;
    }

    /// The campaign table from JS: an array, its JSON text, or undefined (empty table).
    pub fn campaigns_from_js(campaigns: &JsValue) -> Result<CampaignTable, WasmError> {
        if campaigns.is_undefined() || campaigns.is_null() {
            return Ok(CampaignTable::default());
        }
        match campaigns.as_string() {
            Some(text) => from_json(&text, "campaigns"),
            None => from_js(campaigns, "campaigns"),
        }
    }

    impl From<KeyError> for WasmError {
        fn from(e: KeyError) -> Self {
            WasmError::new(code::KEY, e.to_string())
        }
    }

    impl From<Rejection> for WasmError {
        fn from(r: Rejection) -> Self {
            WasmError::new(code::VOUCHER, r.to_string()).with_reason(r.reason())
        }
    }

    /// The day to verify on: `YYYY-MM-DD`, Unix seconds, or (undefined) today in UTC from the JS
    /// clock.
    pub fn day_from_js(day_js: &JsValue) -> Result<Date, WasmError> {
        if let Some(s) = day_js.as_string() {
            return day::parse(&s).map_err(|e| WasmError::input(e.to_string()));
        }
        let secs = match day_js.as_f64() {
            Some(s) => s,
            None if day_js.is_undefined() || day_js.is_null() => js_sys::Date::now() / 1000.0,
            None => {
                return Err(WasmError::input(
                    "today: expected YYYY-MM-DD or Unix seconds",
                ));
            }
        };
        if !secs.is_finite() || secs.abs() > 1.0e13 {
            return Err(WasmError::input("today: not a valid Unix time"));
        }
        // |secs| < 1e13 fits an i64; the fraction of a second does not change the day.
        day::of_timestamp(secs.floor() as i64)
            .ok_or_else(|| WasmError::input("today: not a valid Unix time"))
    }

    /// Verifies voucher codes of both formats offline against the keys of a key file (`id:hex`
    /// lines, the format of `o2o voucher` key files) and the campaign table (short codes take
    /// their campaign's name and expiry from it). Keys stay inside wasm memory and are zeroized
    /// when `free()`d.
    /// Only give a page the keys it must hold: a public landing page should use
    /// `voucherCanonical` (no key) and leave verification to the till.
    #[wasm_bindgen(js_name = VoucherVerifier)]
    pub struct VoucherVerifierJs {
        inner: Verifier,
    }

    impl VoucherVerifierJs {
        /// A verifier for the keys of `key_file` and the campaign table `campaigns`.
        pub fn from_key_file(key_file: &str, campaigns: &CampaignTable) -> Result<Self, WasmError> {
            Ok(VoucherVerifierJs {
                inner: Verifier::new(&KeyRing::parse(key_file)?, campaigns),
            })
        }

        /// The core's verification.
        pub fn check(
            &self,
            code_text: &str,
            today: Date,
            customer: Option<&str>,
        ) -> Result<Verified, WasmError> {
            Ok(self.inner.verify(code_text, today, customer)?)
        }
    }

    #[wasm_bindgen(js_class = VoucherVerifier)]
    impl VoucherVerifierJs {
        /// A verifier for the keys of a key file's text and a campaign table (an array of names
        /// or `{name, expires}` objects, or its JSON text; needed for short codes). Throws
        /// `E_KEY` naming the bad line, `E_INVALID_INPUT` for a bad table.
        #[wasm_bindgen(constructor)]
        pub fn new(
            key_file: StrArg,
            campaigns: Option<CampaignsJs>,
        ) -> Result<VoucherVerifierJs, JsValue> {
            let key_file = string(&key_file, "keyFile")?;
            let campaigns = campaigns.map(JsValue::from).unwrap_or(JsValue::UNDEFINED);
            let campaigns = campaigns_from_js(&campaigns)?;
            Ok(VoucherVerifierJs::from_key_file(&key_file, &campaigns)?)
        }

        /// Verify `code` on `today` (`YYYY-MM-DD`, Unix seconds, or omitted for today in UTC); a
        /// personal code needs the `customer` pseudonym it was issued to. Returns
        /// `{code, format, key_id, voucher: {campaign, voucher_type, expires, serial?,
        /// customer?}}`. Throws `E_VOUCHER` with `reason` (`malformed`, `bad_check_character`,
        /// `unknown_key`, `unknown_campaign`, `customer_required`, `bad_signature`, `expired`) and
        /// a message saying what is wrong.
        pub fn verify(
            &self,
            code_text: StrArg,
            today: Option<DayJs>,
            customer: Option<CustomerJs>,
        ) -> Result<VerifiedJs, JsValue> {
            let code_text = string(&code_text, "code")?;
            let today = day_from_js(&today.map(JsValue::from).unwrap_or(JsValue::UNDEFINED))?;
            let customer = customer.map(JsValue::from);
            let customer = opt_string(customer.as_ref(), "customer")?;
            let v = self.check(&code_text, today, customer.as_deref())?;
            Ok(to_js(&v)?.unchecked_into())
        }
    }
}

/// The canonical form of a typed voucher code of either format (16 or 21 characters; upper case,
/// no separators, `O`→`0`, `I`/`L`→`1`),
/// checked against its check character without any key: catches every single-character typo
/// before the code is sent. Throws `E_VOUCHER` with `reason` `invalid` (wrong length, a character
/// outside Crockford base32, or a mistyped character).
#[wasm_bindgen(js_name = voucherCanonical)]
pub fn voucher_canonical(code_text: StrArg) -> Result<String, JsValue> {
    Ok(canonical_code(&string(&code_text, "code")?)?)
}

/// See [`voucher_canonical`].
pub fn canonical_code(code_text: &str) -> Result<String, WasmError> {
    canonical(code_text).ok_or_else(|| {
        WasmError::new(
            code::VOUCHER,
            "not a voucher code: wrong length, a character outside Crockford base32, or a mistyped character",
        )
        .with_reason("invalid")
    })
}
