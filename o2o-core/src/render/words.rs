//! The report's findings in sentences: which campaigns paid back, which did not, and what each
//! kind of number can and cannot say. Shared by the HTML page and the text output, so both say
//! the same thing.

use super::format::{count, interval, money, percent, thousands};
use super::view::{CampaignView, ReportView};

/// One sentence, with the numbers it quotes as `(JSON path, value, text)` so the HTML can tag
/// them; `{}` in `text` marks where each number goes, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Sentence {
    /// Template with `{}` for each number.
    pub text: String,
    /// The numbers, in order.
    pub numbers: Vec<Quoted>,
    /// `good`, `bad` or `neutral` (colour in the page).
    pub tone: &'static str,
}

/// A number quoted in a sentence.
#[derive(Clone, Debug, PartialEq)]
pub struct Quoted {
    /// Path in the report JSON (`campaigns.2.incremental.iroas`).
    pub path: String,
    /// The value as in the JSON.
    pub value: f64,
    /// As printed.
    pub shown: String,
}

impl Sentence {
    /// The sentence as plain text.
    #[must_use]
    pub fn plain(&self) -> String {
        let mut out = String::new();
        let mut nums = self.numbers.iter();
        let mut parts = self.text.split("{}");
        if let Some(p) = parts.next() {
            out.push_str(p);
        }
        for p in parts {
            if let Some(n) = nums.next() {
                out.push_str(&n.shown);
            }
            out.push_str(p);
        }
        out
    }
}

fn q(path: String, value: f64, shown: String) -> Quoted {
    Quoted { path, value, shown }
}

fn ci_words(c: f64) -> String {
    format!("{:.0} % interval", c * 100.0)
}

fn ratio(x: f64) -> String {
    thousands(x, 2)
}

/// How a campaign's incremental figure reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    PaidBack,
    Lost,
    Trap,
    Undecided,
    NoSpend,
}

fn verdict(c: &CampaignView) -> Option<Verdict> {
    let inc = c.incremental.as_ref()?;
    let effect_ci = inc.visits_ci.or(inc.visitors_ci);
    let credited_max = c.credited.values().copied().fold(0.0f64, f64::max);
    let trap = effect_ci.is_some_and(|[lo, _]| lo <= 0.0) && credited_max >= 1.0;
    Some(match inc.iroas_ci {
        Some([lo, _]) if lo > 1.0 => Verdict::PaidBack,
        Some([_, hi]) if hi < 1.0 => Verdict::Lost,
        _ if trap => Verdict::Trap,
        Some(_) => Verdict::Undecided,
        None => Verdict::NoSpend,
    })
}

fn iroas_numbers(i: usize, inc: &super::view::IncrementalView) -> Vec<Quoted> {
    let p = format!("campaigns.{i}.incremental");
    let mut v = Vec::new();
    if let Some(r) = inc.iroas {
        v.push(q(format!("{p}.iroas"), r, ratio(r)));
    }
    if let Some([lo, hi]) = inc.iroas_ci {
        v.push(q(format!("{p}.iroas_ci.0"), lo, ratio(lo)));
        v.push(q(format!("{p}.iroas_ci.1"), hi, ratio(hi)));
    }
    v
}

fn campaign_sentence(i: usize, c: &CampaignView, cur: &str, vd: Verdict) -> Option<Sentence> {
    let inc = c.incremental.as_ref()?;
    let label = c.label();
    let conf = ci_words(inc.confidence);
    let spend = q(format!("campaigns.{i}.spend"), c.spend, money(c.spend, cur));
    match vd {
        Verdict::PaidBack | Verdict::Lost => {
            let mut numbers = iroas_numbers(i, inc);
            numbers.push(spend);
            let (verb, tone) = if vd == Verdict::PaidBack {
                ("paid back", "good")
            } else {
                ("did not pay back", "bad")
            };
            Some(Sentence {
                text: format!(
                    "{label} {verb}: each unit spent brought {{}} in extra revenue ({{}} to {{}}, {conf}) on a spend of {{}}."
                ),
                numbers,
                tone,
            })
        }
        Verdict::Trap => trap_sentence(i, c),
        Verdict::NoSpend => {
            let (v, [lo, hi], what, key) =
                match (inc.visits, inc.visits_ci, inc.visitors, inc.visitors_ci) {
                    (Some(v), Some(ci), _, _) => (v, ci, "visits", "visits"),
                    (_, _, Some(v), Some(ci)) => (v, ci, "visitors", "visitors"),
                    _ => return None,
                };
            let p = format!("campaigns.{i}.incremental");
            Some(Sentence {
                text: format!(
                    "{label} caused {{}} extra {what} ({{}} to {{}}, {conf}); it has no spend to weigh them against."
                ),
                numbers: vec![
                    q(format!("{p}.{key}"), v, count(v)),
                    q(format!("{p}.{key}_ci.0"), lo, count(lo)),
                    q(format!("{p}.{key}_ci.1"), hi, count(hi)),
                ],
                tone: if lo > 0.0 { "good" } else { "neutral" },
            })
        }
        Verdict::Undecided => None,
    }
}

/// Campaigns that attribution models credit with visits while the holdout shows no effect.
fn trap_sentence(i: usize, c: &CampaignView) -> Option<Sentence> {
    let inc = c.incremental.as_ref()?;
    let (ci, key) = match (inc.visits_ci, inc.visitors_ci) {
        (Some(ci), _) => (ci, "visits"),
        (None, Some(ci)) => (ci, "visitors"),
        _ => return None,
    };
    let lo = c.credited.iter().min_by(|a, b| a.1.total_cmp(b.1))?;
    let hi = c.credited.iter().max_by(|a, b| a.1.total_cmp(b.1))?;
    // One model, or every model agreeing, is one number, not "17 to 17".
    let same = count(*lo.1) == count(*hi.1);
    let credited = if same { "{} visits" } else { "{} to {} visits" };
    let mut numbers = vec![q(
        format!("campaigns.{i}.credited.{}", lo.0),
        *lo.1,
        count(*lo.1),
    )];
    if !same {
        numbers.push(q(
            format!("campaigns.{i}.credited.{}", hi.0),
            *hi.1,
            count(*hi.1),
        ));
    }
    numbers.extend([
        q(
            format!("campaigns.{i}.incremental.{key}_ci.0"),
            ci[0],
            count(ci[0]),
        ),
        q(
            format!("campaigns.{i}.incremental.{key}_ci.1"),
            ci[1],
            count(ci[1]),
        ),
    ]);
    let tail = if inc.iroas_ci.is_some() {
        numbers.extend(iroas_numbers(i, inc).into_iter().skip(1));
        " (iROAS {} to {})"
    } else {
        ""
    };
    Some(Sentence {
        text: format!(
            "{}: attribution models credit it with {credited}, but the holdout finds {{}} to {{}} extra {key}{tail} — no effect shown. Credit is not effect: do not fund it on credit alone.",
            c.label()
        ),
        numbers,
        tone: "bad",
    })
}

/// The headline: campaigns that paid back, those that did not, those credited for visits they
/// were not shown to cause, then in one sentence those the data cannot yet decide — or a
/// sentence saying why nothing causal can be said.
#[must_use]
pub fn headline(v: &ReportView) -> Vec<Sentence> {
    let mut judged: Vec<(Verdict, usize)> = v
        .campaigns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| verdict(c).map(|vd| (vd, i)))
        .collect();
    judged.sort();
    let mut s: Vec<Sentence> = judged
        .iter()
        .filter_map(|&(vd, i)| campaign_sentence(i, &v.campaigns[i], &v.currency, vd))
        .collect();
    let undecided: Vec<usize> = judged
        .iter()
        .filter(|(vd, _)| *vd == Verdict::Undecided)
        .map(|&(_, i)| i)
        .collect();
    if !undecided.is_empty() {
        let mut text = String::from("Not decided yet, the iROAS interval spans 1 (pays back): ");
        let mut numbers = Vec::new();
        for (k, &i) in undecided.iter().enumerate() {
            let c = &v.campaigns[i];
            if k > 0 {
                text.push_str(", ");
            }
            text.push_str(&c.label());
            text.push_str(" {} ({} to {})");
            if let Some(inc) = &c.incremental {
                numbers.extend(iroas_numbers(i, inc));
            }
        }
        text.push_str("; more data would tell.");
        s.push(Sentence {
            text,
            numbers,
            tone: "neutral",
        });
    }
    if let Some(h) = &v.holdout {
        s.insert(
            0,
            Sentence {
                text: "Against the global holdout, the campaigns together lifted the share of people who visited by {} ({} to {}).".into(),
                numbers: vec![
                    q("holdout.lift".into(), h.lift, percent(h.lift, true)),
                    q("holdout.lift_ci.0".into(), h.lift_ci[0], percent(h.lift_ci[0], true)),
                    q("holdout.lift_ci.1".into(), h.lift_ci[1], percent(h.lift_ci[1], true)),
                ],
                tone: "neutral",
            },
        );
    }
    if s.is_empty() {
        s.push(Sentence {
            text: "No holdout or randomised exposure measures these campaigns, so this report cannot say what they caused: its {} visits are split among channels by attribution models (credited) or counted after a touch (influenced), and neither is an effect.".to_owned(),
            numbers: vec![q("visits.count".into(), v.visits.count as f64, count(v.visits.count as f64))],
            tone: "neutral",
        });
    }
    s
}

/// What each kind of number can and cannot say, one line each.
pub const HOW_TO_READ: [(&str, &str); 4] = [
    (
        "Incremental",
        "caused by the campaign: people kept out of it at random (a holdout) show what would have happened without it. Only this number answers \"did it work?\". Each comes with an interval: the true value lies in it 95 times in 100; an interval that includes zero means no effect was shown.",
    ),
    (
        "iROAS",
        "incremental return on ad spend: extra revenue per unit spent. Above 1 the campaign paid back its spend; an interval wholly above 1 says so with confidence.",
    ),
    (
        "Credited",
        "an attribution model's split of the visits that happened among the channels that touched the visitor (last touch, Markov, Shapley). Credit adds up to observed visits; it is not an effect, and a channel that reaches people who would come anyway gets credit it did not earn.",
    ),
    (
        "Influenced",
        "visits by people the campaign touched in the window before: an upper bound on what it could have caused, never a measure of it.",
    ),
];

/// `[lo, hi]` as words with `f`.
pub fn ci_text(ci: [f64; 2], f: impl Fn(f64) -> String) -> String {
    interval(ci, f)
}
