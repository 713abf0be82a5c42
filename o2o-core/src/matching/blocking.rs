//! Blocking: the candidate pairs, found by sorting records on each rule's key, never by
//! comparing every pair. A pair is `(a << 32) | b` with `a < b`, records numbered as in
//! [`Records`]; lists of pairs are sorted and without repeats.

use super::MatchError;
use super::records::{NULL, Records};
use super::settings::{BlockingRule, LinkType};

/// One rule's key: up to four value numbers.
type Key = [u32; 4];

/// The pairs of one rule, sorted, without repeats. `budget` is the most pairs it may make
/// (counted before any is made, so a rule on a common value fails fast).
pub(crate) fn rule_pairs(
    records: &Records,
    rule: &BlockingRule,
    link: LinkType,
    budget: u64,
) -> Result<Vec<u64>, MatchError> {
    let cols = rule
        .on
        .iter()
        .map(|f| {
            records
                .column(f)
                .ok_or_else(|| MatchError::MissingField(f.clone()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let key = |r: usize, order: &[usize]| -> Option<Key> {
        let mut k = [0u32; 4];
        for (slot, &c) in k.iter_mut().zip(order) {
            let v = records.columns[c].of[r];
            if v == NULL {
                return None;
            }
            *slot = v;
        }
        Some(k)
    };
    // Entries (key, side, record): a swapped rule meets a record's (f0, f1, …) key (side 0)
    // with another's (f1, f0, …) key (side 1); a plain rule has side 0 only.
    let mut crossed = cols.clone();
    if rule.swap {
        crossed.swap(0, 1);
    }
    let mut entries: Vec<(Key, u8, u32)> = Vec::with_capacity(records.len());
    for r in 0..records.len() {
        if let Some(k) = key(r, &cols) {
            entries.push((k, 0, r as u32));
        }
        if rule.swap
            && let Some(k) = key(r, &crossed)
        {
            entries.push((k, 1, r as u32));
        }
    }
    entries.sort_unstable();
    let groups = entries.chunk_by(|x, y| x.0 == y.0);
    let mut count = 0u64;
    for g in groups.clone() {
        let sides = g.partition_point(|e| e.1 == 0) as u64;
        let n = g.len() as u64;
        count += if rule.swap {
            sides * (n - sides)
        } else {
            n * n.saturating_sub(1) / 2
        };
    }
    if count > budget {
        return Err(MatchError::TooManyPairs {
            rule: rule.describe(),
            pairs: count,
            max: budget,
        });
    }
    let mut out = Vec::with_capacity(count as usize);
    let mut push = |a: u32, b: u32| {
        if a == b
            || (link == LinkType::LinkOnly
                && records.source[a as usize] == records.source[b as usize])
        {
            return;
        }
        let (a, b) = (a.min(b), a.max(b));
        out.push((u64::from(a) << 32) | u64::from(b));
    };
    for g in groups {
        if rule.swap {
            let split = g.partition_point(|e| e.1 == 0);
            for x in &g[..split] {
                for y in &g[split..] {
                    push(x.2, y.2);
                }
            }
        } else {
            for (i, x) in g.iter().enumerate() {
                for y in &g[i + 1..] {
                    push(x.2, y.2);
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// The union of several rules' pairs, sorted, without repeats, and how many each rule found
/// that no earlier rule had.
pub(crate) fn union_pairs(
    records: &Records,
    rules: &[BlockingRule],
    link: LinkType,
    max_pairs: u64,
) -> Result<(Vec<u64>, Vec<u64>), MatchError> {
    let mut all: Vec<u64> = Vec::new();
    let mut new_per_rule = Vec::with_capacity(rules.len());
    for rule in rules {
        let budget = max_pairs.saturating_sub(all.len() as u64);
        let pairs = rule_pairs(records, rule, link, budget.max(1))?;
        let before = all.len();
        all = merge(&all, &pairs);
        new_per_rule.push((all.len() - before) as u64);
    }
    Ok((all, new_per_rule))
}

/// Merge two sorted lists without repeats.
fn merge(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// The two records of a pair.
#[inline]
pub(crate) fn split(p: u64) -> (u32, u32) {
    ((p >> 32) as u32, p as u32)
}
