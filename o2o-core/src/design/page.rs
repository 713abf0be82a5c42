//! The design as one self-contained HTML page: the recommendation, a table per duration or per
//! candidate set, and power curves (effect → power) drawn with the report's SVG charts.

use super::holdout::{HoldoutDesign, PowerTarget, power_at, se_rel_pub};
use super::stores::StoresDesign;
use crate::render::svg::{Lines, esc};
use std::fmt::Write as _;

fn pct(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

/// Power curves of the recommended holdout, without and with CUPED, over effects from 0 to
/// twice the target.
fn holdout_chart(d: &HoldoutDesign) -> Option<String> {
    let r = d.durations.iter().find(|r| r.days == d.recommended.days)?;
    let n = r.stats.population as f64;
    let se = se_rel_pub(r.stats.mean, r.stats.sd, n, r.share, 0.0);
    let se_c = se_rel_pub(
        r.stats.mean,
        r.stats.sd,
        n,
        r.share,
        r.stats.variance_reduction,
    );
    let effects: Vec<f64> = (0..=12).map(|k| d.mde * k as f64 / 6.0).collect();
    let level = PowerTarget {
        alpha: d.alpha,
        ..PowerTarget::default()
    };
    let curve = |s: f64| -> Vec<f64> {
        effects
            .iter()
            .map(|&e| power_at(e, s, &level).unwrap_or(f64::NAN))
            .collect()
    };
    Some(
        Lines {
            id: "holdout_power".into(),
            title: format!(
                "Power by true effect: {} % held out for {} days",
                (r.share * 100.0 * 10.0).round() / 10.0,
                r.days
            ),
            x: effects.iter().map(|e| pct(*e)).collect(),
            series: vec![
                ("without CUPED".into(), curve(se)),
                ("with CUPED".into(), curve(se_c)),
            ],
        }
        .svg(),
    )
}

fn stores_chart(d: &StoresDesign) -> Option<String> {
    let first = d.top.first()?;
    Some(
        Lines {
            id: "stores_power".into(),
            title: format!("Power by planted effect, {} days, best sets", d.days),
            x: first.power_curve.iter().map(|p| pct(p.effect)).collect(),
            series: d
                .top
                .iter()
                .map(|c| {
                    (
                        format!("#{} {}", c.rank, c.stores.join("+")),
                        c.power_curve.iter().map(|p| p.power).collect(),
                    )
                })
                .collect(),
        }
        .svg(),
    )
}

/// The page for a holdout design, a store design, or both.
pub fn render_html(
    title: &str,
    holdout: Option<&HoldoutDesign>,
    stores: Option<&StoresDesign>,
) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:820px;margin:2em auto;color:#222}}\
         table{{border-collapse:collapse;margin:1em 0}}td,th{{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right}}\
         th:first-child,td:first-child{{text-align:left}}</style></head><body><h1>{t}</h1>",
        t = esc(title)
    );
    if let Some(d) = holdout {
        let r = &d.recommended;
        let _ = write!(
            o,
            "<h2>Customer holdout</h2><p><strong>Hold out {} of {} customers ({}) for {} days</strong>, \
             read {} CUPED: detects {} with power {} (α = {}); expected interval width {}. {}.</p>",
            r.holdout_customers,
            r.holdout_customers + r.target_customers,
            pct(r.share),
            r.days,
            if r.cuped { "with" } else { "without" },
            pct(r.mde),
            pct(r.power),
            d.alpha,
            pct(r.interval_width),
            esc(&r.reason)
        );
        if let Some(svg) = holdout_chart(d) {
            o.push_str(&svg);
        }
        o.push_str(
            "<table><tr><th>days</th><th>customers</th><th>mean</th><th>pre-period ρ</th>\
             <th>share needed</th><th>with CUPED</th><th>MDE at share</th><th>with CUPED</th></tr>",
        );
        for row in &d.durations {
            let share = |s: Option<f64>| s.map_or_else(|| "> 50 %".to_owned(), pct);
            let _ = write!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{:.3}</td><td>{:.2}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                row.days,
                row.stats.customers,
                row.stats.mean,
                row.stats.correlation,
                share(row.share_needed),
                share(row.share_needed_cuped),
                pct(row.mde),
                pct(row.mde_cuped)
            );
        }
        o.push_str("</table>");
    }
    if let Some(d) = stores {
        let _ = write!(
            o,
            "<h2>Store test</h2><p>{} candidate sets of {} stores out of {} ranked on {} simulated \
             tests of {} days each, ending by period {}; the figures of the best {} come from the \
             {} tests after it, which the ranking did not see ({} periods of history).</p>",
            d.candidates,
            d.treat,
            d.stores,
            d.screening_windows,
            d.days,
            d.ranked_before,
            d.top.len(),
            d.stated_windows,
            d.periods
        );
        if let Some(svg) = stores_chart(d) {
            o.push_str(&svg);
        }
        o.push_str(
            "<table><tr><th>rank</th><th>stores</th><th>MDE</th><th>power at MDE</th>\
             <th>bias at 0</th><th>false positives</th><th>interval width</th><th>controls</th></tr>",
        );
        for c in &d.top {
            let controls: Vec<String> = c
                .weights
                .iter()
                .take(4)
                .map(|w| format!("{} {:.2}", esc(&w.store), w.weight))
                .collect();
            let _ = write!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                c.rank,
                esc(&c.stores.join(", ")),
                c.mde.map_or_else(|| "—".to_owned(), pct),
                c.power_at_mde.map_or_else(|| "—".to_owned(), pct),
                pct(c.bias),
                pct(c.false_positive_rate),
                pct(c.interval_width),
                controls.join(", ")
            );
        }
        o.push_str("</table>");
    }
    o.push_str("</body></html>\n");
    o
}
