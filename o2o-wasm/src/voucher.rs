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
    use crate::args::{NumArg, StrArg, number, opt_string, string};
    use crate::convert::{from_js, from_json, to_js};
    use crate::error::{WasmError, code};
    use o2o_core::keys::{KeyError, KeyRing};
    use o2o_core::voucher::{
        CampaignTable, Format, Issuer, MAX_BULK_SERIAL, MAX_CAMPAIGN, MAX_TYPE, Rejection,
        Verified, Verifier, VoucherError, day,
    };
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
        /// A campaign: its number (0–31) or its name in the campaign table.
        #[wasm_bindgen(typescript_type = "number | string")]
        pub type CampaignArg;
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

    /// Issues bulk voucher codes (20 characters, single-use: up to 1,048,576 serials per
    /// campaign and type, expiry from the campaign table) with the current (first) key of a key
    /// file, for a back office that prints or mails codes. Full build only: a page that can
    /// issue holds the signing key. Keys stay inside wasm memory and are zeroized when
    /// `free()`d.
    #[wasm_bindgen(js_name = VoucherIssuer)]
    pub struct VoucherIssuerJs {
        inner: Issuer,
        key_id: String,
        campaigns: CampaignTable,
    }

    impl VoucherIssuerJs {
        /// The campaign number of a JS campaign: its number, or its name in the table.
        fn campaign(&self, campaign: &JsValue) -> Result<u8, WasmError> {
            if let Some(name) = campaign.as_string() {
                return self.campaigns.number(&name).ok_or_else(|| {
                    WasmError::input(format!("campaign: `{name}` is not in the campaign table"))
                });
            }
            let n = number(campaign, "campaign")?;
            small(n, MAX_CAMPAIGN, "campaign")
        }
    }

    /// A whole number in `0..=max`, else an input error naming `name`.
    fn small(n: f64, max: u8, name: &str) -> Result<u8, WasmError> {
        whole(n, u32::from(max), name).map(|v| v as u8)
    }

    /// A whole number in `0..=max` (`max` < 2³²), else an input error naming `name`.
    fn whole(n: f64, max: u32, name: &str) -> Result<u32, WasmError> {
        if n.fract() == 0.0 && (0.0..=f64::from(max)).contains(&n) {
            // A whole number in 0..=max fits the u32.
            Ok(n as u32)
        } else {
            Err(WasmError::input(format!(
                "{name}: {n} is not a whole number in 0..={max}"
            )))
        }
    }

    impl From<VoucherError> for WasmError {
        fn from(e: VoucherError) -> Self {
            WasmError::input(format!("voucher: {e}"))
        }
    }

    #[wasm_bindgen(js_class = VoucherIssuer)]
    impl VoucherIssuerJs {
        /// An issuer signing with the first key of a key file's text, for the campaigns of a
        /// campaign table (an array of names or `{name, expires}` objects, or its JSON text:
        /// bulk codes take their expiry from it). Throws `E_KEY` naming the bad line,
        /// `E_INVALID_INPUT` for a bad table.
        #[wasm_bindgen(constructor)]
        pub fn new(key_file: StrArg, campaigns: CampaignsJs) -> Result<VoucherIssuerJs, JsValue> {
            let key_file = string(&key_file, "keyFile")?;
            let campaigns = campaigns_from_js(&campaigns)?;
            let ring = KeyRing::parse(&key_file).map_err(WasmError::from)?;
            Ok(VoucherIssuerJs {
                inner: Issuer::new(&ring, &campaigns),
                key_id: ring.current().id().to_owned(),
                campaigns,
            })
        }

        /// The bulk code of `campaign` (its number or its name in the table), `voucherType`
        /// (0–7) and `serial` (0–1,048,575), bound to the `customer` pseudonym when given.
        /// Returns `{code, format: "bulk", key_id, voucher}`, the shape `VoucherVerifier.verify`
        /// returns for it. Throws `E_INVALID_INPUT` for an argument out of range or a campaign
        /// that is not in the table or has no `expires`.
        #[wasm_bindgen(js_name = issueBulk)]
        pub fn issue_bulk(
            &self,
            campaign: CampaignArg,
            voucher_type: NumArg,
            serial: NumArg,
            customer: Option<CustomerJs>,
        ) -> Result<VerifiedJs, JsValue> {
            let campaign = self.campaign(&campaign)?;
            let voucher_type = small(
                number(&voucher_type, "voucherType")?,
                MAX_TYPE,
                "voucherType",
            )?;
            let serial = whole(number(&serial, "serial")?, MAX_BULK_SERIAL, "serial")?;
            let customer = customer.map(JsValue::from);
            let customer = opt_string(customer.as_ref(), "customer")?;
            let issued = self
                .inner
                .issue_bulk(campaign, voucher_type, serial, customer.as_deref())
                .map_err(WasmError::from)?;
            let out = Verified {
                code: issued.code,
                format: Format::Bulk,
                key_id: self.key_id.clone(),
                voucher: issued.voucher,
            };
            Ok(to_js(&out)?.unchecked_into())
        }

        /// The anonymous bulk codes of serials `firstSerial` to `firstSerial + count - 1`, in
        /// order (each the code `issueBulk` gives for its serial). The whole range must lie in
        /// 0–1,048,575; it is checked before any code is made. Throws `E_INVALID_INPUT`.
        #[wasm_bindgen(js_name = issueBulkRange)]
        pub fn issue_bulk_range(
            &self,
            campaign: CampaignArg,
            voucher_type: NumArg,
            first_serial: NumArg,
            count: NumArg,
        ) -> Result<Vec<String>, JsValue> {
            let campaign = self.campaign(&campaign)?;
            let voucher_type = small(
                number(&voucher_type, "voucherType")?,
                MAX_TYPE,
                "voucherType",
            )?;
            let first = whole(
                number(&first_serial, "firstSerial")?,
                MAX_BULK_SERIAL,
                "firstSerial",
            )?;
            let count = whole(number(&count, "count")?, MAX_BULK_SERIAL + 1, "count")?;
            let codes = self
                .inner
                .issue_bulk_range(campaign, voucher_type, first, count, None)
                .map_err(|e| match e {
                    VoucherError::Serial(_) => WasmError::input(format!(
                        "firstSerial + count: serials {first} to {} go beyond {MAX_BULK_SERIAL}, \
                         the last serial of a bulk code",
                        u64::from(first) + u64::from(count) - 1
                    )),
                    e => WasmError::from(e),
                })?;
            Ok(codes.collect())
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
