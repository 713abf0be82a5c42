//! Keyed pseudonyms at rest: a store ingested with a key keeps every identifier that links
//! (CRM ids, loyalty cards, emails, phones, device ids, MACs, IPs) as the keyed pseudonym
//! (`KEY_ID:HEX`, HMAC-SHA256 of `kind:normalised value`) that graph snapshots use, so joins
//! work unchanged (they are equality) and a store's files name no such value.
//!
//! What a later step still needs is kept, and only that (`docs/privacy.md`, "At rest"):
//! - for each email and phone, the SHA-256 of its normalised form under each ad platform's
//!   rules, in `aliases/` (`platform`, `hash`, `kind`, `pseudonym`, `upload`): an
//!   `email_sha256` exported by a platform joins the email it hashes through it, and an upload
//!   (`o2o export`) sends these hashes, exactly those the platform gets from the raw value;
//! - names, birth dates and addresses as given: probabilistic matching compares them with
//!   Jaro–Winkler and date proximity, which no pseudonym allows;
//! - hashed identifiers (`email_sha256`…) as they arrived, and voucher codes (a code's signature
//!   is checked on the code itself).
//!
//! The key's id and the normalisation the pseudonyms were made under (default country, phone
//! check) are kept in the manifest: a store is written under one key, and every command that
//! takes raw identifiers from a user (`o2o forget`, `o2o explain`) pseudonymises them with it.

use super::StoreError;
use crate::activation::StoredHashes;
use crate::event::{Event, IdKind, Identifier, Record};
use crate::hashing::{
    NormalizeOptions, PhoneCheck, Platform, Pseudonymizer, normalize, sha256_hex,
};
use crate::identity::ResolutionRules;
use crate::identity::rules::CompiledRules;
use crate::keys::KeyRing;
use arrow_array::cast::AsArray;
use arrow_array::{Array, BooleanArray, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zeroize::Zeroize;

/// The folder of the hashes kept for joins and uploads.
pub(crate) const ALIASES: &str = "aliases";

/// The platform hashes of one keyed ingest: (platform, hash, pseudonym) → (kind, upload). Two
/// values may share one platform's hash (Google drops the dots of a Gmail address, Meta does
/// not): each keeps its row, so each pseudonym finds its hash for every platform.
pub(crate) type Aliases =
    std::collections::BTreeMap<(&'static str, String, String), (IdKind, bool)>;

/// One row of an alias file: platform, hash, kind, pseudonym, and whether an upload sends the
/// hash (`None`: a file without the `upload` column).
type Row = (String, String, IdKind, String, Option<bool>);

/// How a store's pseudonyms were made: the manifest's `pseudonyms`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PseudonymSettings {
    /// The id of the key (the secret is never stored).
    pub key_id: String,
    /// The country phones without a country code were read in.
    pub default_country: Option<String>,
    /// Which phones were kept (a number that fails the check is not stored).
    pub phone: PhoneCheck,
    /// The key's check value: 16 hex digits of its pseudonym of a fixed text. It tells the
    /// store's key from another key under the same id (whose pseudonyms would silently find
    /// nobody) and says nothing about the secret. Absent from stores written before it
    /// existed, which are not checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
}

/// The fixed text whose pseudonym is a key's check value.
const CHECK_TEXT: &str = "o2o store key check";

/// What pseudonymising did to one file's identifiers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PseudonymStats {
    /// Identifiers written as keyed pseudonyms.
    pub identifiers_pseudonymised: u64,
    /// Identifiers not written: they do not normalise (not an email, a phone of the wrong
    /// length…) or are junk under the rules (`na@na.com`): neither could ever link, and once
    /// pseudonymised no rule could recognise them.
    pub identifiers_dropped: u64,
}

/// A key opened for a store: pseudonymises identifiers as the store keeps them.
pub struct StoreKey {
    pz: Pseudonymizer,
    settings: PseudonymSettings,
    compiled: CompiledRules,
    platforms: Vec<NormalizeOptions>,
    uploads: Vec<NormalizeOptions>,
    buf: String,
}

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreKey")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl StoreKey {
    /// The ring's current key, normalising as `rules` say (default country, phone check) and
    /// dropping the values their junk lists block.
    pub fn new(ring: &KeyRing, rules: &ResolutionRules) -> Result<StoreKey, StoreError> {
        Self::with_key_id(ring, ring.current().id(), rules)
    }

    fn with_key_id(
        ring: &KeyRing,
        key_id: &str,
        rules: &ResolutionRules,
    ) -> Result<StoreKey, StoreError> {
        let key = ring.get(key_id).ok_or_else(|| StoreError::WrongKey {
            key_id: key_id.to_owned(),
        })?;
        let opts = NormalizeOptions {
            profile: Platform::Meta,
            default_country: rules.default_country.clone(),
            ip_truncate: false,
            phone: rules.phone,
        };
        let compiled = CompiledRules::new(rules).map_err(|e| StoreError::KeySettings {
            message: e.to_string(),
        })?;
        // Upstream hashes of numbers outside today's ranges still name them: possible phones.
        let platforms = Platform::ALL
            .iter()
            .map(|&profile| NormalizeOptions {
                profile,
                default_country: rules.default_country.clone(),
                ip_truncate: false,
                phone: PhoneCheck::Possible,
            })
            .collect();
        // What an upload sends: valid numbers only, as `activation::UserHasher` checks them.
        let uploads = Platform::ALL
            .iter()
            .map(|&profile| NormalizeOptions {
                profile,
                default_country: rules.default_country.clone(),
                ..NormalizeOptions::default()
            })
            .collect();
        let mut pz = Pseudonymizer::new(key, opts);
        let mut text = String::with_capacity(97);
        let check = pz
            .text_into(IdKind::ExternalId, CHECK_TEXT, &mut text)
            .ok()
            .and_then(|()| text.split_once(':'))
            .and_then(|(_, hex)| hex.get(..16))
            .map(str::to_owned);
        Ok(StoreKey {
            pz,
            settings: PseudonymSettings {
                key_id: key.id().to_owned(),
                default_country: rules.default_country.clone(),
                phone: rules.phone,
                check,
            },
            compiled,
            platforms,
            uploads,
            buf: String::new(),
        })
    }

    /// The key of `ring` a store written under `settings` needs, checking that `rules`
    /// normalise as the store did: an error names the store's key id, never a secret.
    pub fn for_store(
        ring: &KeyRing,
        settings: &PseudonymSettings,
        rules: &ResolutionRules,
    ) -> Result<StoreKey, StoreError> {
        if rules.default_country != settings.default_country || rules.phone != settings.phone {
            return Err(StoreError::KeySettings {
                message: format!(
                    "its pseudonyms were made with default_country {} and phone \"{}\"; the rules \
                     given say {} and \"{}\" (the same value would give another pseudonym)",
                    shown_country(settings.default_country.as_deref()),
                    phone_name(settings.phone),
                    shown_country(rules.default_country.as_deref()),
                    phone_name(rules.phone),
                ),
            });
        }
        let key = Self::with_key_id(ring, &settings.key_id, rules)?;
        key.check_against(settings)?;
        Ok(key)
    }

    /// An error when `settings` (a store's) hold a check value this key does not give: another
    /// key under the same id.
    pub(crate) fn check_against(&self, settings: &PseudonymSettings) -> Result<(), StoreError> {
        if settings.check.is_some() && settings.check != self.settings.check {
            return Err(StoreError::WrongKey {
                key_id: settings.key_id.clone(),
            });
        }
        Ok(())
    }

    /// How this key's pseudonyms are made.
    #[must_use]
    pub fn settings(&self) -> &PseudonymSettings {
        &self.settings
    }

    /// `id` as a store under this key holds it: the keyed pseudonym for the kinds kept as
    /// pseudonyms, unchanged for the others; `None` when it does not normalise. For raw
    /// identifiers a user names (`o2o forget`, `o2o explain`).
    pub fn stored_form(&mut self, id: &Identifier) -> Option<Identifier> {
        if !id.kind.pseudonymised_at_rest() {
            return Some(id.clone());
        }
        let mut value = String::with_capacity(97);
        self.pz.text_into(id.kind, &id.value, &mut value).ok()?;
        Some(Identifier::new(id.kind, value))
    }

    /// Replace a record's identifiers by their stored forms (see [`StoreKey::apply`]).
    pub(crate) fn apply_record(
        &mut self,
        r: &mut Record,
        aliases: &mut Aliases,
        stats: &mut PseudonymStats,
    ) {
        let (ids, id) = match r {
            Record::Event(Event::Touchpoint(t)) => (&mut t.identifiers, Some(&mut t.id)),
            Record::Event(Event::CheckIn(c)) => (&mut c.identifiers, Some(&mut c.id)),
            Record::Event(Event::ProductView(v)) => (&mut v.identifiers, Some(&mut v.id)),
            Record::Consent(c) => (&mut c.identifiers, None),
            Record::Assignment(a) => (&mut a.identifiers, None),
            Record::Customer(c) => (&mut c.identifiers, None),
            Record::Spend(_) => return,
        };
        self.apply(ids, id, aliases, stats);
    }

    /// Replace `ids` by their stored forms; the platform hashes of emails and phones go to
    /// `aliases` ((platform, hash) → (kind, pseudonym)). An event id built from an identifier
    /// (GA4's, from `user_pseudo_id`) is replaced by its own keyed pseudonym. Raw values are
    /// overwritten before release.
    fn apply(
        &mut self,
        ids: &mut Vec<Identifier>,
        event_id: Option<&mut Option<String>>,
        aliases: &mut Aliases,
        stats: &mut PseudonymStats,
    ) {
        let mut id_holds_value = false;
        let id_text = event_id.as_ref().and_then(|i| i.as_deref());
        let mut out = Vec::with_capacity(ids.len());
        for mut id in ids.drain(..) {
            if !id.kind.pseudonymised_at_rest() {
                out.push(id);
                continue;
            }
            let normalised = crate::hashing::normalize_into(
                id.kind,
                &id.value,
                self.pz.options(),
                &mut self.buf,
            );
            let junk = normalised.is_ok()
                && self
                    .compiled
                    .blocked_identifier(id.kind, &id.value, &self.buf)
                    .is_some();
            let mut value = String::with_capacity(97);
            if normalised.is_err()
                || junk
                || self.pz.text_into(id.kind, &id.value, &mut value).is_err()
            {
                stats.identifiers_dropped += 1;
                id.value.zeroize();
                continue;
            }
            if matches!(id.kind, IdKind::Email | IdKind::Phone) {
                for (opts, upload) in self.platforms.iter().zip(&self.uploads) {
                    if let Ok(mut form) = normalize(id.kind, &id.value, opts) {
                        let sent = id.kind == IdKind::Email
                            || normalize(id.kind, &id.value, upload)
                                .map(|mut f| f.zeroize())
                                .is_ok();
                        aliases
                            .entry((opts.profile.as_str(), sha256_hex(&form), value.clone()))
                            .or_insert((id.kind, sent));
                        form.zeroize();
                    }
                }
            }
            let raw = id.value.trim();
            id_holds_value |= raw.len() >= 4 && id_text.is_some_and(|t| t.contains(raw));
            id.value.zeroize();
            id.value = value;
            stats.identifiers_pseudonymised += 1;
            out.push(id);
        }
        self.buf.zeroize();
        if let Some(slot) = event_id
            && id_holds_value
            && let Some(mut text) = slot.take()
        {
            // The whole id is keyed (as an `external_id` would be): distinct ids stay
            // distinct, and it names neither the value nor the person's pseudonym, so an
            // erasure that keeps the record keeps nothing of theirs. An id that cannot be
            // keyed is dropped.
            let mut keyed = String::with_capacity(97);
            if self
                .pz
                .text_into(IdKind::ExternalId, &text, &mut keyed)
                .is_ok()
            {
                *slot = Some(keyed);
            }
            text.zeroize();
        }
        *ids = out;
    }
}

fn shown_country(c: Option<&str>) -> String {
    c.map_or_else(|| "none".to_owned(), |c| format!("\"{c}\""))
}

fn phone_name(p: PhoneCheck) -> &'static str {
    match p {
        PhoneCheck::Valid => "valid",
        PhoneCheck::Possible => "possible",
    }
}

fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("platform", DataType::Utf8, false),
        Field::new("hash", DataType::Utf8, false),
        Field::new("kind", DataType::Utf8, false),
        Field::new("pseudonym", DataType::Utf8, false),
        Field::new("upload", DataType::Boolean, true),
    ]))
}

/// Write `aliases` (in platform, hash order) as `aliases/a{seq}.parquet`.
pub(crate) fn write_aliases(store: &Path, seq: u64, aliases: &Aliases) -> Result<(), StoreError> {
    if aliases.is_empty() {
        return Ok(());
    }
    let path = store.join(ALIASES).join(format!("a{seq:06}.parquet"));
    write_rows(
        &path,
        aliases
            .iter()
            .map(|((pl, h, p), (k, up))| (*pl, h.as_str(), *k, p.as_str(), Some(*up))),
    )
}

fn write_rows<'a>(
    path: &Path,
    rows: impl Iterator<Item = (&'a str, &'a str, IdKind, &'a str, Option<bool>)>,
) -> Result<(), StoreError> {
    let (mut pl, mut h, mut k, mut p) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut up = Vec::new();
    for (platform, hash, kind, pseudonym, upload) in rows {
        pl.push(platform);
        h.push(hash);
        k.push(kind.as_str());
        p.push(pseudonym);
        up.push(upload);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(StoreError::io(dir))?;
    }
    let tmp = path.with_extension("writing");
    let batch = RecordBatch::try_new(
        schema(),
        vec![
            Arc::new(StringArray::from(pl)),
            Arc::new(StringArray::from(h)),
            Arc::new(StringArray::from(k)),
            Arc::new(StringArray::from(p)),
            Arc::new(BooleanArray::from(up)),
        ],
    )?;
    let file = std::fs::File::create(&tmp).map_err(StoreError::io(&tmp))?;
    let mut w = ArrowWriter::try_new(file, schema(), None)?;
    w.write(&batch)?;
    w.close()?;
    std::fs::rename(&tmp, path).map_err(StoreError::io(path))
}

fn alias_files(store: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let dir = store.join(ALIASES);
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for e in std::fs::read_dir(&dir).map_err(StoreError::io(&dir))? {
        let p = e.map_err(StoreError::io(&dir))?.path();
        if p.extension().is_some_and(|x| x == "parquet") {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

fn read_file(path: &Path) -> Result<Vec<Row>, StoreError> {
    let f = std::fs::File::open(path).map_err(StoreError::io(path))?;
    let mut out = Vec::new();
    for batch in ParquetRecordBatchReaderBuilder::try_new(f)?.build()? {
        out.extend(rows_of(&batch?).map_err(|message| StoreError::NotAStore {
            path: path.display().to_string(),
            message,
        })?);
    }
    Ok(out)
}

/// The rows of a batch of an alias file; rows with a missing value or an unknown kind are
/// skipped (as the store's reader skips them). A file written before the `upload` column
/// existed gives `None` there.
fn rows_of(batch: &RecordBatch) -> Result<Vec<Row>, String> {
    let col = |name: &str| {
        batch
            .column_by_name(name)
            .and_then(|c| c.as_string_opt::<i32>().cloned())
            .ok_or_else(|| format!("no string column `{name}`"))
    };
    let (pl, h) = (col("platform")?, col("hash")?);
    let (k, p) = (col("kind")?, col("pseudonym")?);
    let up = batch
        .column_by_name("upload")
        .and_then(|c| c.as_boolean_opt().cloned());
    let mut out = Vec::with_capacity(batch.num_rows());
    for i in 0..batch.num_rows() {
        if pl.is_null(i) || h.is_null(i) || k.is_null(i) || p.is_null(i) {
            continue;
        }
        let Ok(kind) = k.value(i).parse::<IdKind>() else {
            continue;
        };
        out.push((
            pl.value(i).to_owned(),
            h.value(i).to_owned(),
            kind,
            p.value(i).to_owned(),
            up.as_ref()
                .and_then(|u| (!u.is_null(i)).then(|| u.value(i))),
        ));
    }
    Ok(out)
}

/// Rows of the store's alias files (`platform`, `hash`, `kind`, `pseudonym`), in the order the
/// store reads them, as hash → the identifier it hashes: the first row of a hash wins, as in
/// the whole store. `o2o.spark` hands each group of components the alias rows of its hashes
/// through this.
pub fn aliases_of_batch(batch: &RecordBatch) -> Result<HashMap<String, Identifier>, String> {
    let mut out = HashMap::new();
    for (_, h, kind, p, _) in rows_of(batch)? {
        out.entry(h).or_insert_with(|| Identifier::new(kind, p));
    }
    Ok(out)
}

/// Every kept platform hash of the store: hash → the identifier (kind, pseudonym) it hashes.
pub(crate) fn read_aliases(store: &Path) -> Result<HashMap<String, Identifier>, StoreError> {
    let mut out = HashMap::new();
    for path in alias_files(store)? {
        for (_, h, kind, p, _) in read_file(&path)? {
            out.entry(h).or_insert_with(|| Identifier::new(kind, p));
        }
    }
    Ok(out)
}

/// Rewrite the alias files without the rows of erased identifiers; the hashes removed.
pub(crate) fn erase_aliases(
    store: &Path,
    erase: &impl Fn(&Identifier) -> bool,
) -> Result<BTreeSet<String>, StoreError> {
    let mut gone = BTreeSet::new();
    for path in alias_files(store)? {
        let rows = read_file(&path)?;
        let before = rows.len();
        let mut kept = Vec::with_capacity(before);
        for (pl, h, kind, p, up) in rows {
            let id = Identifier::new(kind, p);
            if erase(&id) {
                gone.insert(h);
            } else {
                kept.push((pl, h, kind, id.value, up));
            }
        }
        if kept.len() == before {
            continue;
        }
        if kept.is_empty() {
            std::fs::remove_file(&path).map_err(StoreError::io(&path))?;
        } else {
            write_rows(
                &path,
                kept.iter()
                    .map(|(pl, h, k, p, up)| (pl.as_str(), h.as_str(), *k, p.as_str(), *up)),
            )?;
        }
    }
    Ok(gone)
}

/// The platform hashes an upload from the store at `store` sends for its pseudonymised emails
/// and phones (`docs/privacy.md`, "At rest"). A row written before the `upload` column existed
/// counts as sent for an email and as not sent for a phone (whether the number is in a range
/// its country assigns is no longer known).
pub(crate) fn upload_hashes(
    store: &Path,
    settings: &PseudonymSettings,
) -> Result<StoredHashes, StoreError> {
    let mut out = StoredHashes::new(settings.default_country.clone());
    for path in alias_files(store)? {
        for (pl, h, kind, p, up) in read_file(&path)? {
            let Some(platform) = Platform::ALL.into_iter().find(|x| x.as_str() == pl) else {
                continue;
            };
            let sent = up.unwrap_or(kind == IdKind::Email);
            out.insert(platform, p, h, sent);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_row_of_a_hash_wins_and_bad_rows_are_skipped() {
        let batch = RecordBatch::try_new(
            schema(),
            vec![
                Arc::new(StringArray::from(vec!["google", "meta", "meta", "tiktok"])),
                Arc::new(StringArray::from(vec!["h1", "h1", "h2", "h3"])),
                Arc::new(StringArray::from(vec![
                    "email", "email", "phone", "nonsense",
                ])),
                Arc::new(StringArray::from(vec!["k:a", "k:b", "k:c", "k:d"])),
                Arc::new(BooleanArray::from(vec![
                    Some(true),
                    Some(true),
                    None,
                    Some(false),
                ])),
            ],
        )
        .unwrap();
        let m = aliases_of_batch(&batch).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m["h1"], Identifier::new(IdKind::Email, "k:a"));
        assert_eq!(m["h2"], Identifier::new(IdKind::Phone, "k:c"));
        let bare = RecordBatch::try_new(
            Arc::new(Schema::new(vec![Field::new("hash", DataType::Utf8, false)])),
            vec![Arc::new(StringArray::from(vec!["h1"]))],
        )
        .unwrap();
        assert!(aliases_of_batch(&bare).unwrap_err().contains("`platform`"));
    }
}
