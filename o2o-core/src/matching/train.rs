//! Estimating the Fellegi–Sunter parameters without labels.
//!
//! - `u` (the chance that two *different* people's records fall in a level) from pairs drawn at
//!   random (seeded ChaCha8); every pair when there are fewer than the sample size. Random
//!   pairs include a few matches, and in a strong level (the same birth date) they are a large
//!   part of the pairs seen, so once `m` and the prior are known their expected share is taken
//!   out ([`without_matches`]) and `m` is estimated again. On FEBRL 3 this moves `u` of an
//!   exact birth date from 5.5e-4 to about 6e-5, near the 1/29,000 days over which birth dates
//!   spread; without it a matching birth date weighs three bits too little.
//! - `m` (the chance that two records of *one* person fall in it) by expectation–maximisation
//!   over the pairs of training blocking rules, `u` held fixed. Inside a rule's pairs every pair
//!   agrees on the rule's fields, so the comparisons on those fields say nothing there and are
//!   left out of that session; each `m` is the mean over the sessions that estimate it.
//! - The prior (the chance that two random records match) from deterministic rules and their
//!   recall, or by EM over the candidate pairs with `m` and `u` fixed.
//!
//! EM runs on the distinct comparison vectors with their counts, not on pairs: a few hundred
//! patterns stand for millions of pairs.

use super::MatchError;
use super::blocking::{rule_pairs, split};
use super::compare::{Compiled, NULL_LEVEL};
use super::records::Records;
use super::settings::{LinkType, MatchSettings};
use ahash::AHashMap;
use rand::{Rng, SeedableRng};

/// Probabilities never reach 0 or 1 exactly (a level never seen in the sample would otherwise
/// weigh ±∞).
const FLOOR: f64 = 1e-9;

/// Comparison vectors (one level byte per comparison) of a list of pairs, with their counts.
pub(crate) struct Patterns {
    pub width: usize,
    pub levels: Vec<u8>,
    pub counts: Vec<f64>,
}

/// Below this many pairs a list is compared on one thread: a thread costs more than it saves.
const PAIRS_PER_THREAD: usize = 65_536;

impl Patterns {
    /// The patterns of `pairs`, compared on up to as many threads as the machine has cores.
    /// Each thread counts the patterns of its consecutive share of the list, and the shares are
    /// merged in list order, so the result (patterns in order of first appearance, and their
    /// counts) is that of one thread.
    pub fn of(records: &Records, comps: &[Compiled<'_>], pairs: &[(u32, u32)]) -> Self {
        let threads = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(pairs.len() / PAIRS_PER_THREAD)
            .max(1);
        if threads == 1 {
            return Self::of_one(records, comps, pairs);
        }
        let chunk = pairs.len().div_ceil(threads);
        let parts: Vec<Patterns> = std::thread::scope(|scope| {
            let handles: Vec<_> = pairs
                .chunks(chunk)
                .map(|c| scope.spawn(move || Self::of_one(records, comps, c)))
                .collect();
            handles
                .into_iter()
                // A comparison does not panic; if a thread did, compare its share here.
                .zip(pairs.chunks(chunk))
                .map(|(h, c)| h.join().unwrap_or_else(|_| Self::of_one(records, comps, c)))
                .collect()
        });
        let mut parts = parts.into_iter();
        let Some(mut out) = parts.next() else {
            return Self::of_one(records, comps, pairs);
        };
        let mut index: AHashMap<Vec<u8>, usize> =
            (0..out.len()).map(|i| (out.row(i).to_vec(), i)).collect();
        for part in parts {
            for i in 0..part.len() {
                let row = part.row(i);
                match index.get(row) {
                    Some(&j) => out.counts[j] += part.counts[i],
                    None => {
                        index.insert(row.to_vec(), out.counts.len());
                        out.levels.extend_from_slice(row);
                        out.counts.push(part.counts[i]);
                    }
                }
            }
        }
        out
    }

    fn of_one(records: &Records, comps: &[Compiled<'_>], pairs: &[(u32, u32)]) -> Self {
        let width = comps.len();
        let mut index: AHashMap<Vec<u8>, usize> = AHashMap::new();
        let mut out = Patterns {
            width,
            levels: Vec::new(),
            counts: Vec::new(),
        };
        let mut v = vec![0u8; width];
        for &(a, b) in pairs {
            gamma(records, comps, a, b, &mut v);
            match index.get(&v) {
                Some(&i) => out.counts[i] += 1.0,
                None => {
                    index.insert(v.clone(), out.counts.len());
                    out.levels.extend_from_slice(&v);
                    out.counts.push(1.0);
                }
            }
        }
        out
    }

    pub fn len(&self) -> usize {
        self.counts.len()
    }

    pub fn row(&self, i: usize) -> &[u8] {
        &self.levels[i * self.width..(i + 1) * self.width]
    }
}

/// The comparison vector of records `a` and `b`, into `out`.
#[inline]
pub(crate) fn gamma(records: &Records, comps: &[Compiled<'_>], a: u32, b: u32, out: &mut [u8]) {
    for (o, c) in out.iter_mut().zip(comps) {
        let col = &records.columns[c.column];
        *o = c.level(records, col.of[a as usize], col.of[b as usize]);
    }
}

/// Per comparison, per level byte (index 0, `null`, unused), a probability.
pub(crate) type Table = Vec<Vec<f64>>;

/// `u` from random pairs (or every pair, when there are fewer than `u_pairs`).
pub(crate) fn estimate_u(
    records: &Records,
    comps: &[Compiled<'_>],
    settings: &MatchSettings,
) -> (Table, f64) {
    let n = records.len() as u64;
    let link = settings.link_type == LinkType::LinkOnly;
    let (side_a, side_b): (Vec<u32>, Vec<u32>) = if link {
        let a = (0..n as u32)
            .filter(|&r| records.source[r as usize] == 0)
            .collect();
        let b = (0..n as u32)
            .filter(|&r| records.source[r as usize] == 1)
            .collect();
        (a, b)
    } else {
        (Vec::new(), Vec::new())
    };
    let total = if link {
        side_a.len() as u64 * side_b.len() as u64
    } else {
        n * n.saturating_sub(1) / 2
    };
    let want = settings.training.u_pairs;
    let pairs: Vec<(u32, u32)> = if total <= want {
        if link {
            side_a
                .iter()
                .flat_map(|&a| side_b.iter().map(move |&b| (a, b)))
                .collect()
        } else {
            (0..n as u32)
                .flat_map(|a| (a + 1..n as u32).map(move |b| (a, b)))
                .collect()
        }
    } else {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(settings.training.seed);
        (0..want)
            .map(|_| {
                if link {
                    let a = side_a[rng.random_range(0..side_a.len())];
                    let b = side_b[rng.random_range(0..side_b.len())];
                    (a, b)
                } else {
                    let a = rng.random_range(0..n as u32);
                    let mut b = rng.random_range(0..n as u32 - 1);
                    if b >= a {
                        b += 1;
                    }
                    (a, b)
                }
            })
            .collect()
    };
    let p = Patterns::of(records, comps, &pairs);
    let sampled: f64 = p.counts.iter().sum();
    let u = comps
        .iter()
        .enumerate()
        .map(|(c, comp)| {
            let levels = comp.else_level() as usize + 1;
            let mut counts = vec![0.0; levels];
            for i in 0..p.len() {
                counts[p.row(i)[c] as usize] += p.counts[i];
            }
            normalise(&mut counts);
            counts
        })
        .collect();
    (u, sampled)
}

/// Level probabilities from counts: the `null` slot cleared, the rest summing to one, none
/// below [`FLOOR`].
fn normalise(counts: &mut [f64]) {
    counts[NULL_LEVEL as usize] = 0.0;
    let total: f64 = counts.iter().sum();
    let k = (counts.len() - 1) as f64;
    for c in counts.iter_mut().skip(1) {
        *c = if total > 0.0 { *c / total } else { 1.0 / k };
        *c = c.max(FLOOR);
    }
}

/// `u` of non-matches from `u` of `sampled` random pairs, a share `lambda` of which match
/// (and fall in the levels as `m` says): u' = (u − λ·m) / (1 − λ), normalised. A level whose
/// sampled pairs are all explained by matches keeps one pair's worth (1 / `sampled`): the
/// sample cannot tell a smaller `u`, and a smaller one would weigh without evidence.
pub(crate) fn without_matches(u: &Table, m: &Table, lambda: f64, sampled: f64) -> Table {
    let floor = 1.0 / sampled.max(1.0);
    u.iter()
        .zip(m)
        .map(|(u, m)| {
            let mut out: Vec<f64> = u
                .iter()
                .zip(m)
                .map(|(u, m)| ((u - lambda * m) / (1.0 - lambda)).max(floor.min(*u)))
                .collect();
            normalise(&mut out);
            out
        })
        .collect()
}

/// Starting `m`: most of a comparison's matches at its first level, ten times fewer at each
/// next one.
pub(crate) fn initial_m(comps: &[Compiled<'_>]) -> Table {
    comps
        .iter()
        .map(|c| {
            let levels = c.else_level() as usize + 1;
            let mut m: Vec<f64> = (0..levels).map(|l| 10f64.powi(-(l as i32))).collect();
            normalise(&mut m);
            m
        })
        .collect()
}

/// The posterior probability of a match for one pattern.
#[inline]
fn posterior(row: &[u8], active: &[bool], m: &Table, u: &Table, lambda: f64) -> f64 {
    let (mut pm, mut pu) = (lambda, 1.0 - lambda);
    // Products of many small numbers: in log space.
    let (mut lm, mut lu) = (pm.ln(), pu.ln());
    for (c, &l) in row.iter().enumerate() {
        if l == NULL_LEVEL || !active[c] {
            continue;
        }
        lm += m[c][l as usize].ln();
        lu += u[c][l as usize].ln();
    }
    let d = lm.max(lu);
    pm = (lm - d).exp();
    pu = (lu - d).exp();
    pm / (pm + pu)
}

/// One EM session: `m` of the `active` comparisons and the session's prior, `u` fixed.
/// Returns the session's `m` (inactive comparisons unchanged) and prior.
pub(crate) fn em_session(
    p: &Patterns,
    active: &[bool],
    mut m: Table,
    u: &Table,
    mut lambda: f64,
    max_iterations: u32,
    tolerance: f64,
) -> (Table, f64) {
    for _ in 0..max_iterations {
        let mut num: Table = m.iter().map(|r| vec![0.0; r.len()]).collect();
        let (mut sum_p, mut sum_n) = (0.0, 0.0);
        for i in 0..p.len() {
            let row = p.row(i);
            let w = posterior(row, active, &m, u, lambda) * p.counts[i];
            sum_p += w;
            sum_n += p.counts[i];
            for (c, &l) in row.iter().enumerate() {
                num[c][l as usize] += w;
            }
        }
        let mut moved = 0f64;
        for c in 0..m.len() {
            if !active[c] {
                continue;
            }
            normalise(&mut num[c]);
            for l in 1..m[c].len() {
                moved = moved.max((num[c][l] - m[c][l]).abs());
                m[c][l] = num[c][l];
            }
        }
        let new_lambda = (sum_p / sum_n.max(1.0)).clamp(FLOOR, 1.0 - FLOOR);
        moved = moved.max((new_lambda - lambda).abs());
        lambda = new_lambda;
        if moved < tolerance {
            break;
        }
    }
    (m, lambda)
}

/// The EM sessions' comparison vectors, one per training rule with pairs, and which
/// comparisons each estimates.
pub(crate) struct Sessions {
    sessions: Vec<(Patterns, Vec<bool>, usize)>,
}

impl Sessions {
    /// The pairs of each training rule (the prediction rules when none is given), compared.
    pub fn new(
        records: &Records,
        comps: &[Compiled<'_>],
        settings: &MatchSettings,
    ) -> Result<Self, MatchError> {
        let rules = if settings.training.em_blocking_rules.is_empty() {
            &settings.blocking_rules
        } else {
            &settings.training.em_blocking_rules
        };
        let mut sessions = Vec::new();
        for rule in rules {
            let pairs = rule_pairs(records, rule, settings.link_type, settings.max_pairs)?;
            if pairs.is_empty() {
                continue;
            }
            let active: Vec<bool> = comps
                .iter()
                .map(|c| !rule.on.contains(&c.spec.field))
                .collect();
            let split_pairs: Vec<(u32, u32)> = pairs.iter().map(|&p| split(p)).collect();
            let patterns = Patterns::of(records, comps, &split_pairs);
            sessions.push((patterns, active, pairs.len()));
        }
        Ok(Sessions { sessions })
    }

    /// `m` by EM, one session per rule, `u` fixed: the mean over the sessions that estimate
    /// each comparison.
    pub fn estimate_m(
        &self,
        records: &Records,
        comps: &[Compiled<'_>],
        settings: &MatchSettings,
        u: &Table,
        prior: f64,
    ) -> Result<Table, MatchError> {
        let start = initial_m(comps);
        let mut sum: Table = start.iter().map(|r| vec![0.0; r.len()]).collect();
        let mut estimated = vec![0u32; comps.len()];
        let total = total_pairs(records, settings.link_type) as f64;
        for (patterns, active, pairs) in &self.sessions {
            // The session's prior starts at the share of matches its pairs would hold if every
            // match were among them.
            let lambda = (prior * total / *pairs as f64).clamp(1e-6, 0.5);
            let (m, _) = em_session(
                patterns,
                active,
                start.clone(),
                u,
                lambda,
                settings.training.max_iterations,
                settings.training.tolerance,
            );
            for c in 0..comps.len() {
                if active[c] {
                    estimated[c] += 1;
                    for l in 0..m[c].len() {
                        sum[c][l] += m[c][l];
                    }
                }
            }
        }
        for (c, n) in estimated.iter().enumerate() {
            if *n == 0 {
                return Err(MatchError::NotEstimated(comps[c].spec.field.clone()));
            }
            for v in &mut sum[c] {
                *v /= f64::from(*n);
            }
        }
        Ok(sum)
    }
}

/// Every pair the link type allows.
pub(crate) fn total_pairs(records: &Records, link: LinkType) -> u64 {
    let n = records.len() as u64;
    match link {
        LinkType::DedupeOnly => n * n.saturating_sub(1) / 2,
        LinkType::LinkOnly => {
            let a = records.source.iter().filter(|&&s| s == 0).count() as u64;
            a * (n - a)
        }
    }
}

/// The prior: given, from deterministic rules, or by EM over `candidates` with `m` and `u`
/// fixed.
pub(crate) fn estimate_prior(
    records: &Records,
    settings: &MatchSettings,
    candidates: Option<(&Patterns, &Table, &Table)>,
) -> Result<f64, MatchError> {
    let t = &settings.training;
    let total = total_pairs(records, settings.link_type).max(1) as f64;
    if let Some(p) = t.probability_two_random_records_match {
        return Ok(p);
    }
    if !t.deterministic_rules.is_empty() {
        let (pairs, _) = super::blocking::union_pairs(
            records,
            &t.deterministic_rules,
            settings.link_type,
            settings.max_pairs,
        )?;
        return Ok((pairs.len() as f64 / t.recall / total).clamp(FLOOR, 1.0 - FLOOR));
    }
    let Some((patterns, m, u)) = candidates else {
        // Before `m` is known: a start for the EM sessions (one match per record).
        return Ok((records.len() as f64 / 2.0 / total).clamp(FLOOR, 0.5));
    };
    let n: f64 = patterns.counts.iter().sum();
    let active = vec![true; patterns.width];
    let mut lambda = 0.01;
    for _ in 0..t.max_iterations.max(1) * 4 {
        let s: f64 = (0..patterns.len())
            .map(|i| posterior(patterns.row(i), &active, m, u, lambda) * patterns.counts[i])
            .sum();
        let next = (s / n.max(1.0)).clamp(FLOOR, 1.0 - FLOOR);
        let moved = (next - lambda).abs();
        lambda = next;
        if moved < t.tolerance * 1e-3 {
            break;
        }
    }
    Ok((lambda * n / total).clamp(FLOOR, 1.0 - FLOOR))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::matching::settings::{Comparison, Level};

    /// Compared on several threads, a long list of pairs gives the patterns, in the order and
    /// with the counts, of one thread.
    #[test]
    fn threads_give_the_patterns_of_one_thread() {
        let mut records = Records::new(&["name", "zip"]);
        let names = [
            "anna", "anne", "ann", "bob", "rob", "robert", "carla", "karla",
        ];
        for i in 0..600u32 {
            let name = names[(i as usize * 7) % names.len()];
            let zip = format!("{}", 1000 + i % 13);
            let zip = (i % 11 != 0).then_some(zip.as_str());
            records
                .push(&i.to_string(), "", &[Some(name), zip], u64::from(i))
                .unwrap();
        }
        let specs = [
            Comparison {
                field: "name".into(),
                levels: vec![
                    Level::Exact {
                        term_frequency: false,
                    },
                    Level::JaroWinkler { threshold: 0.85 },
                ],
                invalid_dates_as_null: false,
            },
            Comparison {
                field: "zip".into(),
                levels: vec![Level::Levenshtein { max: 1 }],
                invalid_dates_as_null: false,
            },
        ];
        let comps: Vec<Compiled<'_>> = specs
            .iter()
            .map(|c| Compiled::new(c, &records).unwrap())
            .collect();
        let pairs: Vec<(u32, u32)> = (0..600u32)
            .flat_map(|a| (a + 1..600).map(move |b| (a, b)))
            .collect();
        assert!(pairs.len() > 2 * PAIRS_PER_THREAD);
        let one = Patterns::of_one(&records, &comps, &pairs);
        let many = Patterns::of(&records, &comps, &pairs);
        assert!(one.len() > 3);
        assert_eq!(many.levels, one.levels);
        assert_eq!(many.counts, one.counts);
    }
}
