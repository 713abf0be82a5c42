//! The invariants the `voucher_verify` fuzz target checks, shared with the test that replays
//! saved fuzz inputs (`o2o-core/tests/fuzz_voucher.rs`), so both check exactly the same things.

use super::{CampaignTable, Format, Issuer, Verifier, canonical};
use crate::keys::KeyRing;
use time::{Date, Month};

/// The fuzz key ring (`k1` signs, `k2` also verifies) and campaign table (a name-only entry, then
/// `spring` until 2026-04-30 and `tet` until 2027-02-28), so saved short and serial codes of
/// either format reach the tag and expiry checks.
#[must_use]
pub fn fixture() -> Option<(KeyRing, CampaignTable)> {
    let ring = KeyRing::parse(
        "k1:3c8e2f71d4a6095be07c1a93f5486d2b9e14c7703af8256bd1e04973c28a5f16\n\
         k2:5a0e91c3b7264df8e2137a9c05b6f48d\n",
    )
    .ok()?;
    let mut table = CampaignTable::default();
    table.register("serial-only").ok()?;
    let spring = Date::from_calendar_date(2026, Month::April, 30).ok()?;
    table.register_until("spring", spring).ok()?;
    let tet = Date::from_calendar_date(2027, Month::February, 28).ok()?;
    table.register_until("tet", tet).ok()?;
    Some((ring, table))
}

/// Decode a fuzz input (byte 0: the day of the check, June 1st of 2024 + byte mod 16; the rest:
/// `CODE` or `CODE|CUSTOMER`, lossy UTF-8) and verify it. Checks: no panic; an accepted code is
/// the canonical spelling of the input, has its format's length, a serial exactly when it is a
/// serial or bulk code, and (signed by `k1`) is exactly what the issuer makes of the decoded voucher.
///
/// ```
/// assert!(o2o_core::voucher::fuzzing::check(b"\x02HELLO|p:1").is_ok());
/// ```
pub fn check(data: &[u8]) -> Result<(), String> {
    let Some((ring, table)) = fixture() else {
        return Err("fixture".into());
    };
    let (day, rest) = data.split_first().map_or((0u8, data), |(d, r)| (*d, r));
    let today = Date::from_calendar_date(2024 + i32::from(day % 16), Month::June, 1)
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(rest);
    let (code, customer) = match text.split_once('|') {
        Some((c, cust)) => (c, Some(cust)),
        None => (&*text, None),
    };
    let Ok(v) = Verifier::new(&ring, &table).verify(code, today, customer) else {
        return Ok(());
    };
    if canonical(code).as_deref() != Some(v.code.as_str()) {
        return Err(format!(
            "{code:?}: accepted as {} but canonical differs",
            v.code
        ));
    }
    if v.code.len() != v.format.len() || v.voucher.serial.is_some() != (v.format != Format::Short) {
        return Err(format!("{code:?}: format {:?} inconsistent", v.format));
    }
    if v.key_id == "k1" {
        let again = Issuer::new(&ring, &table)
            .issue_as(v.format, &v.voucher)
            .ok();
        if again.as_deref() != Some(v.code.as_str()) {
            return Err(format!("{code:?}: re-issued as {again:?}"));
        }
    }
    Ok(())
}

/// Any bytes as a campaign table (JSON): no panic; a table that parses holds at most 256
/// campaigns, every number names its entry, and it writes back to a table equal to itself.
pub fn check_campaign_table(data: &[u8]) -> Result<(), String> {
    let Ok(table) = serde_json::from_slice::<CampaignTable>(data) else {
        return Ok(());
    };
    if table.len() > 256 {
        return Err(format!("{} campaigns", table.len()));
    }
    for n in 0..table.len() {
        let n = u8::try_from(n).map_err(|e| e.to_string())?;
        let name = table.name(n).ok_or("a number without a name")?;
        if table.number(name) != Some(n) {
            return Err(format!("campaign {n} is not found by its name"));
        }
    }
    let json = serde_json::to_string(&table).map_err(|e| e.to_string())?;
    let back: CampaignTable = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    if back != table {
        return Err("the table does not round-trip".to_owned());
    }
    Ok(())
}

/// Any bytes as a redemption ledger (JSON): no panic; a ledger that parses round-trips, merges
/// into itself idempotently, and its double and shared uses are computed without a panic.
pub fn check_ledger(data: &[u8]) -> Result<(), String> {
    let Ok(ledger) = serde_json::from_slice::<super::RedemptionLedger>(data) else {
        return Ok(());
    };
    let json = serde_json::to_string(&ledger).map_err(|e| e.to_string())?;
    let back: super::RedemptionLedger = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    if back != ledger {
        return Err("the ledger does not round-trip".to_owned());
    }
    let mut merged = ledger.clone();
    merged.merge(&back);
    if merged != ledger {
        return Err("merging a ledger into itself changed it".to_owned());
    }
    for d in ledger.double_uses() {
        if d.redemptions.len() < 2 {
            return Err(format!(
                "a double use with {} redemption",
                d.redemptions.len()
            ));
        }
    }
    let _ = ledger.shared_uses();
    Ok(())
}
