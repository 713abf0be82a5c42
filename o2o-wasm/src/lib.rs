//! # o2o-wasm
//!
//! The o2o web tag: `o2o-core` compiled to WebAssembly with wasm-bindgen, so a landing page reads
//! the visitor's consent, normalises and hashes identifiers *in the browser* (raw emails never
//! leave the page), builds touchpoint events and verifies voucher codes; the `full` build adds
//! attribution and uplift for dashboards.
//!
//! Wrappers translate, never decide: every function converts JS values to the core's types
//! (through JSON, with the core's own serde types) and core errors to a JS `Error` with a stable
//! `code` (see [`error::code`]); every rule lives in `o2o-core`. The JS API is documented in
//! `docs/js-api.md`; `scripts/build-wasm.sh` builds the npm package and `scripts/ci/test-wasm.sh`
//! tests the built artefacts in node and in headless Chromium.
//!
//! Features: `tag` (consent + hashing + events + voucher, the page build, ≤ 100 KB gzipped) and
//! `full` (everything).

use wasm_bindgen::prelude::*;

#[cfg(feature = "full")]
pub mod analysis;
pub mod args;
pub mod consent;
pub mod convert;
pub mod error;
pub mod event;
pub mod hashing;
pub mod read;
pub mod voucher;

pub use consent::Consent;
pub use error::WasmError;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** The stable `code` of every error o2o throws. */
export type ErrorCode =
  | "E_INVALID_INPUT"
  | "E_INVALID_VALUE"
  | "E_CONSENT_DENIED"
  | "E_TC_STRING"
  | "E_VOUCHER"
  | "E_KEY"
  | "E_ANALYSIS";

/** What o2o throws: a plain `Error` with a stable `code` (and, for vouchers, a `reason`). */
export interface O2oError extends Error {
  code: ErrorCode;
  reason?: string;
}

/** A voucher code that verified. */
export interface VerifiedVoucher {
  /** The canonical code. */
  code: string;
  /** "short": 16 characters, expiry from the campaign table; "bulk": 20, with a serial up to 1,048,575 (expiry from the table); "serial": 21, with a serial up to 511. */
  format: "short" | "serial" | "bulk";
  /** Id of the key that signed it. */
  key_id: string;
  voucher: {
    campaign: number;
    voucher_type: number;
    /** Last valid day, YYYY-MM-DD (a short code's is its campaign's). */
    expires: string;
    /** Bulk and serial codes only. */
    serial?: number;
    customer?: string;
  };
}

/** Campaign table: position = campaign number; short codes need `expires`. */
export type CampaignTable = (string | { name: string; expires?: string })[];

/** A Google Consent Mode signal value; anything but "granted" is treated as denied. */
export type ConsentState = "granted" | "denied" | "unknown";

/** Consent Mode v2 signals, as `gtag('consent', 'update', …)` takes them. Other keys are ignored. */
export interface ConsentModeInput {
  ad_storage?: ConsentState;
  analytics_storage?: ConsentState;
  ad_user_data?: ConsentState;
  ad_personalization?: ConsentState;
  [other: string]: unknown;
}

/** Consent signals as an event carries them. */
export interface ConsentSignals {
  /** The raw IAB TCF v2.2 TC string. */
  tcf?: string;
  /** Google Consent Mode v2 signals. */
  gcm?: ConsentModeInput;
}

/** A decoded TC string, in @iabtcf/core's TCModel names (vectors are ascending id arrays). */
export interface TcModel {
  version: number;
  created: number;
  lastUpdated: number;
  createdDeciseconds: number;
  lastUpdatedDeciseconds: number;
  cmpId: number;
  cmpVersion: number;
  consentScreen: number;
  consentLanguage: string;
  vendorListVersion: number;
  policyVersion: number;
  isServiceSpecific: boolean;
  useNonStandardTexts: boolean;
  purposeOneTreatment: boolean;
  publisherCountryCode: string;
  specialFeatureOptins: number[];
  purposeConsents: number[];
  purposeLegitimateInterests: number[];
  vendorConsents: number[];
  vendorLegitimateInterests: number[];
  publisherRestrictions: { purpose: number; restrictionType: number; vendors: number[] }[];
  vendorsDisclosed: number[];
  vendorsAllowed: number[];
  publisherConsents: number[];
  publisherLegitimateInterests: number[];
  numCustomPurposes: number;
  publisherCustomConsents: number[];
  publisherCustomLegitimateInterests: number[];
  [field: string]: unknown;
}

/** What o2o wants to do with a person's data. */
export type Operation = "measure" | "link_identity" | "hash_for_upload" | "personalise";

/** The consent gate's answer, with the signal that decided. */
export interface Decision {
  operation: Operation;
  allowed: boolean;
  reason: string;
}

/** Identifier kinds. */
export type IdKind =
  | "external_id" | "loyalty_card" | "email" | "phone" | "device_id" | "mac" | "ip"
  | "first_name" | "last_name" | "date_of_birth" | "gender" | "city" | "state" | "zip"
  | "country";

/** One identifier: its kind and value (pass hashes from `hash()`, not raw values). */
export interface Identifier {
  kind: IdKind;
  value: string;
}

/** Normalisation options (all optional). */
export interface NormalizeOptions {
  /** Whose rules: "meta" (default), "google" or "tiktok". */
  profile?: "meta" | "google" | "tiktok";
  /** ISO 3166-1 alpha-2 country for phone numbers written without a country code, e.g. "VN". */
  defaultCountry?: string;
  /** Truncate IP addresses to their /24 (IPv4) or /48 (IPv6) network. */
  ipTruncate?: boolean;
}

/** What the person did online. */
export type TouchAction = "impression" | "click" | "visit" | "open" | "voucher_claim" | "purchase" | "sign_up";

/** A touchpoint, in the core's JSON shape (see docs/data-model.md). */
export interface TouchpointInput {
  id?: string;
  action: TouchAction;
  channel: string;
  campaign?: string;
  /** Unix seconds, or an RFC 3339 string such as "2026-03-01T10:00:00Z". */
  timestamp: number | string;
  cost?: number;
  value?: number;
  /** ISO 4217 currency of `cost` and `value`. */
  currency?: string;
  identifiers?: Identifier[];
  /** Consent signals, or a `Consent` object (serialised through its `toJSON`). */
  consent?: ConsentSignals | Consent | null;
  /** The landing page's URL (`location.href`): its UTM parameters and click ids are kept. */
  landingUrl?: string;
  /** UTM parameters and click ids, overriding those of `landingUrl`. */
  tracking?: Tracking;
}

/** UTM parameters and ad click ids (offline-conversion uploads key on the click ids). */
export interface Tracking {
  utm_source?: string;
  utm_medium?: string;
  utm_campaign?: string;
  utm_content?: string;
  utm_term?: string;
  gclid?: string;
  gbraid?: string;
  wbraid?: string;
  dclid?: string;
  fbclid?: string;
  fbc?: string;
  ttclid?: string;
  msclkid?: string;
  srsltid?: string;
}

/** An o2o event as read from NDJSON. */
export type O2oEvent =
  | ({ type: "touchpoint" } & Omit<TouchpointInput, "consent" | "timestamp" | "landingUrl"> & {
      timestamp: number;
      identifiers: Identifier[];
      consent?: ConsentSignals;
    })
  | {
      type: "checkin";
      method: "qr_scan" | "wifi_join" | "pos_purchase" | "crm_visit" | "product_qr" | "voucher_redemption" | "pickup";
      store: string;
      timestamp: number;
      identifiers: Identifier[];
      consent?: ConsentSignals;
      [field: string]: unknown;
    };

/** One rejected row of a path table or line of NDJSON: where, which field, what is wrong. */
export interface RowError {
  line: number;
  field: string;
  message: string;
}

/** Credit of one channel. */
export interface ChannelCredit {
  channel: string;
  /** Conversions credited (fractional). */
  conversions: number;
  /** Conversion value credited. */
  value: number;
}

/** Markov removal effect of one channel: relative drop of P(conversion) and of the value. */
export interface RemovalEffect {
  channel: string;
  conversion: number;
  value: number;
}

/** The core's attribution credit. */
export interface Credit {
  /** The model's name (`markov`, `shapley`, `linear`…). */
  model: string;
  /** Markov order (0 for other models). */
  order: number;
  channels: ChannelCredit[];
  /** Markov only. */
  removal_effects?: RemovalEffect[];
  /** Markov only: P(conversion) from the start state. */
  p_conversion?: number;
}

/** Attribution (full build): the credit and the skipped rows. */
export interface AttributionResult {
  credit: Credit;
  errors: RowError[];
}

/** Conversions out of customers in one arm. */
export interface Counts {
  successes: number;
  trials: number;
}

/** Which way the test looks. */
export type Alternative = "two-sided" | "larger" | "smaller";

/** A confidence interval `[low, high]`. */
export type Interval = [number, number];

/** The core's two-proportion z-test (full build). Lifts are test − control and test / control − 1. */
export interface ProportionReport {
  z: number;
  p_value: number;
  rate_test: number;
  rate_control: number;
  absolute_lift: number;
  /** null when the control rate is 0. */
  relative_lift: number | null;
  ci_newcombe: Interval;
  ci_wald: Interval;
  ci_agresti_caffo: Interval;
  /** Interval of the rate ratio (log method); null when undefined. */
  ci_ratio_log: Interval | null;
  ci_relative_lift: Interval | null;
  alpha: number;
  alternative: Alternative;
}

/** Sizes per group to detect a lift (full build). */
export interface ProportionPower {
  baseline: number;
  p_test: number;
  cohens_h: number;
  n_per_group_arcsine: number;
  n_per_group_normal: number;
  alpha: number;
  power: number;
}

/** Minimum detectable effect (full build). */
export interface ProportionMde {
  cohens_h: number;
  p_test: number;
  absolute: number;
  relative: number;
}

/** Welch's t-test (full build). */
export interface WelchTest {
  t: number;
  df: number;
  p_value: number;
  absolute_lift: number;
  relative_lift: number | null;
  se: number;
  ci_welch: Interval;
}

/** One rejected NDJSON line. */
export interface LineError {
  line: number;
  field: string | null;
  message: string;
}

/** What `readNdjson` returns: good events, one error per bad line, counts. */
export interface ReadResult {
  events: O2oEvent[];
  errors: LineError[];
  summary: { read: number; rejected: number };
}
"#;

/// The library version (the o2o-core crate version).
#[wasm_bindgen(js_name = version)]
pub fn version() -> String {
    o2o_core::VERSION.to_owned()
}

#[cfg(test)]
mod tests;
