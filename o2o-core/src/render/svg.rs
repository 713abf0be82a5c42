//! Small SVG charts drawn as strings: horizontal bars with interval whiskers, grouped columns
//! and a daily line chart. Each data mark is one element with `class="mark"`, its series, its
//! key and its value as data attributes, so a reader (or a test) can check a chart against the
//! report's JSON; no script is needed to see them.
//!
//! Our own module rather than `plotters`: the report needs four chart shapes, plain text in the
//! system font (plotters' SVG backend either pulls a font stack or draws no text) and data
//! attributes on every mark, which plotters does not write.

use std::fmt::Write as _;

/// Width of every chart in SVG user units (the page scales it to its column).
pub const WIDTH: f64 = 760.0;
const LABEL_W: f64 = 190.0;
const VALUE_W: f64 = 150.0;
const ROW_BAR: f64 = 13.0;
const FONT: &str =
    "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif\"";

/// Colours of the series, in order (colour-blind safe: Okabe–Ito).
pub const PALETTE: [&str; 7] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999",
];

/// Escape text for SVG/HTML content and attributes.
#[must_use]
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// One bar: a value, optionally its interval, and the text printed beside it.
#[derive(Clone, Debug)]
pub struct Bar {
    /// Series index (colour and legend entry).
    pub series: usize,
    /// The value.
    pub value: f64,
    /// Its interval.
    pub ci: Option<[f64; 2]>,
    /// Text printed after the bar.
    pub text: String,
}

/// A labelled group of bars (one campaign, one store…).
#[derive(Clone, Debug)]
pub struct Row {
    /// Label on the left.
    pub label: String,
    /// Its bars, one per series shown.
    pub bars: Vec<Bar>,
}

/// A horizontal bar chart.
#[derive(Clone, Debug, Default)]
pub struct HBars {
    /// Machine name (`data-chart`).
    pub id: String,
    /// Accessible title.
    pub title: String,
    /// Series names (legend); one series needs no legend.
    pub series: Vec<String>,
    /// Rows, top to bottom.
    pub rows: Vec<Row>,
    /// A dashed reference line (1 for iROAS: pays back its spend).
    pub reference: Option<(f64, String)>,
    /// Draw the value as a dot (an estimate) rather than a bar (a count).
    pub dots: bool,
}

fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let span = (hi - lo).max(1e-9);
    let raw = span / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| span / s <= 6.0)
        .unwrap_or(10.0 * mag);
    let mut t = (lo / step).ceil() * step;
    let mut out = Vec::new();
    while t <= hi + step * 1e-9 && out.len() < 12 {
        out.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
        t += step;
    }
    out
}

fn tick_text(x: f64) -> String {
    let a = x.abs();
    if a >= 1e6 {
        format!(
            "{}M",
            super::format::thousands(x / 1e6, if a >= 1e7 { 0 } else { 1 })
        )
    } else if a >= 1e4 {
        format!("{}k", super::format::thousands(x / 1e3, 0))
    } else if a >= 10.0 || x == x.trunc() {
        super::format::thousands(x, 0)
    } else {
        super::format::thousands(x, 1)
    }
}

fn legend(out: &mut String, series: &[String], x0: f64, y: f64) {
    let mut x = x0;
    for (i, s) in series.iter().enumerate() {
        let _ = write!(
            out,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\">{}</text>",
            y - 9.0,
            PALETTE[i % PALETTE.len()],
            x + 14.0,
            y,
            esc(s)
        );
        x += 24.0 + 7.0 * s.chars().count() as f64;
    }
}

impl HBars {
    /// The chart as an `<svg>` element.
    pub fn svg(&self) -> String {
        let legend_h = if self.series.len() > 1 { 22.0 } else { 0.0 };
        let top = 8.0 + legend_h;
        let row_h: Vec<f64> = self
            .rows
            .iter()
            .map(|r| 10.0 + ROW_BAR * r.bars.len().max(1) as f64)
            .collect();
        let plot_h: f64 = row_h.iter().sum();
        let height = top + plot_h + 28.0;
        let (mut lo, mut hi) = (0.0f64, 0.0f64);
        for b in self.rows.iter().flat_map(|r| &r.bars) {
            for v in [Some(b.value), b.ci.map(|c| c[0]), b.ci.map(|c| c[1])]
                .into_iter()
                .flatten()
                .filter(|v| v.is_finite())
            {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        if let Some((r, _)) = &self.reference {
            lo = lo.min(*r);
            hi = hi.max(*r);
        }
        if hi - lo < 1e-9 {
            hi = lo + 1.0;
        }
        let pad = (hi - lo) * 0.04;
        let (lo, hi) = (if lo < 0.0 { lo - pad } else { lo }, hi + pad);
        let x0 = LABEL_W;
        let x1 = WIDTH - VALUE_W;
        let sx = |v: f64| x0 + (v.clamp(lo, hi) - lo) / (hi - lo) * (x1 - x0);
        let mut o = String::new();
        let _ = write!(
            o,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" data-chart=\"{}\" viewBox=\"0 0 {WIDTH} {height:.0}\" width=\"100%\" {FONT}><title>{}</title>",
            esc(&self.id),
            esc(&self.title)
        );
        if legend_h > 0.0 {
            legend(&mut o, &self.series, LABEL_W, 18.0);
        }
        for t in ticks(lo, hi) {
            let x = sx(t);
            let _ = write!(
                o,
                "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{top:.1}\" y2=\"{:.1}\" stroke=\"#e3e3e3\"/><text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#555\">{}</text>",
                top + plot_h,
                top + plot_h + 14.0,
                tick_text(t)
            );
        }
        let zero = sx(0.0);
        let _ = write!(
            o,
            "<line x1=\"{zero:.1}\" x2=\"{zero:.1}\" y1=\"{top:.1}\" y2=\"{:.1}\" stroke=\"#444\"/>",
            top + plot_h
        );
        let mut y = top;
        for (r, h) in self.rows.iter().zip(&row_h) {
            let _ = write!(
                o,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\">{}</text>",
                x0 - 8.0,
                y + h / 2.0 + 4.0,
                esc(&shorten(&r.label, 28))
            );
            for (i, b) in r.bars.iter().enumerate() {
                let cy = y + 5.0 + ROW_BAR * i as f64 + ROW_BAR / 2.0;
                let col = PALETTE[b.series % PALETTE.len()];
                let series = self.series.get(b.series).map_or("", String::as_str);
                let data = format!(
                    "class=\"mark\" data-series=\"{}\" data-key=\"{}\" data-value=\"{}\"",
                    esc(series),
                    esc(&r.label),
                    b.value
                );
                if let Some([a, z]) = b.ci {
                    let (xa, xz) = (sx(a), sx(z));
                    let _ = write!(
                        o,
                        "<path d=\"M{xa:.1} {:.1}V{:.1}M{xa:.1} {cy:.1}H{xz:.1}M{xz:.1} {:.1}V{:.1}\" stroke=\"#222\" stroke-width=\"1.2\" fill=\"none\" class=\"ci\" data-lo=\"{a}\" data-hi=\"{z}\"/>",
                        cy - 4.0,
                        cy + 4.0,
                        cy - 4.0,
                        cy + 4.0
                    );
                }
                let xv = sx(b.value);
                if self.dots {
                    let _ = write!(
                        o,
                        "<circle cx=\"{xv:.1}\" cy=\"{cy:.1}\" r=\"4.5\" fill=\"{col}\" {data}/>"
                    );
                } else {
                    let (a, z) = if xv < zero { (xv, zero) } else { (zero, xv) };
                    let _ = write!(
                        o,
                        "<rect x=\"{a:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{col}\" {data}/>",
                        cy - ROW_BAR / 2.0 + 1.0,
                        (z - a).max(0.5),
                        ROW_BAR - 2.0
                    );
                }
                let _ = write!(
                    o,
                    "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#333\">{}</text>",
                    x1 + 6.0,
                    cy + 4.0,
                    esc(&b.text)
                );
            }
            y += h;
        }
        if let Some((r, label)) = &self.reference {
            let x = sx(*r);
            let _ = write!(
                o,
                "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{top:.1}\" y2=\"{:.1}\" stroke=\"#C00\" stroke-dasharray=\"4 3\"/><text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#C00\" text-anchor=\"middle\">{}</text>",
                top + plot_h,
                top + plot_h + 26.0,
                esc(label)
            );
        }
        o.push_str("</svg>");
        o
    }
}

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// Grouped vertical columns over categories (a histogram when the categories are buckets).
#[derive(Clone, Debug, Default)]
pub struct Columns {
    /// Machine name (`data-chart`).
    pub id: String,
    /// Accessible title.
    pub title: String,
    /// Category labels, left to right.
    pub categories: Vec<String>,
    /// Series: name and one value per category.
    pub series: Vec<(String, Vec<f64>)>,
    /// Axis unit shown after tick values (`%`).
    pub unit: String,
}

impl Columns {
    /// The chart as an `<svg>` element.
    pub fn svg(&self) -> String {
        let (left, top, plot_h) = (56.0, 30.0, 170.0);
        let height = top + plot_h + 40.0;
        let hi = self
            .series
            .iter()
            .flat_map(|(_, v)| v.iter().copied())
            .filter(|v| v.is_finite())
            .fold(0.0f64, f64::max)
            .max(1e-9)
            * 1.08;
        let n = self.categories.len().max(1) as f64;
        let band = (WIDTH - left - 10.0) / n;
        let k = self.series.len().max(1) as f64;
        let bw = (band * 0.8 / k).max(1.0);
        let sy = |v: f64| top + plot_h - v.max(0.0) / hi * plot_h;
        let mut o = String::new();
        let _ = write!(
            o,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" data-chart=\"{}\" viewBox=\"0 0 {WIDTH} {height:.0}\" width=\"100%\" {FONT}><title>{}</title>",
            esc(&self.id),
            esc(&self.title)
        );
        let names: Vec<String> = self.series.iter().map(|(s, _)| s.clone()).collect();
        if names.len() > 1 {
            legend(&mut o, &names, left, 16.0);
        }
        for t in ticks(0.0, hi) {
            let y = sy(t);
            let _ = write!(
                o,
                "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e3e3e3\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\" fill=\"#555\">{}{}</text>",
                WIDTH - 10.0,
                left - 6.0,
                y + 4.0,
                tick_text(t),
                esc(&self.unit)
            );
        }
        for (ci, cat) in self.categories.iter().enumerate() {
            let bx = left + band * ci as f64 + band * 0.1;
            for (si, (name, vals)) in self.series.iter().enumerate() {
                let v = vals.get(ci).copied().unwrap_or(0.0);
                let y = sy(v);
                let _ = write!(
                    o,
                    "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" fill=\"{}\" class=\"mark\" data-series=\"{}\" data-key=\"{}\" data-value=\"{v}\"/>",
                    bx + bw * si as f64,
                    top + plot_h - y,
                    PALETTE[si % PALETTE.len()],
                    esc(name),
                    esc(cat)
                );
            }
            let _ = write!(
                o,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
                left + band * (ci as f64 + 0.5),
                top + plot_h + 16.0,
                esc(cat)
            );
        }
        let _ = write!(
            o,
            "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#444\"/></svg>",
            WIDTH - 10.0,
            top + plot_h,
            top + plot_h
        );
        o
    }
}

/// Daily lines: one point per day and series, joined.
#[derive(Clone, Debug, Default)]
pub struct Lines {
    /// Machine name (`data-chart`).
    pub id: String,
    /// Accessible title.
    pub title: String,
    /// X labels (dates), left to right.
    pub x: Vec<String>,
    /// Series: name and one value per x.
    pub series: Vec<(String, Vec<f64>)>,
}

impl Lines {
    /// The chart as an `<svg>` element.
    pub fn svg(&self) -> String {
        let (left, top, plot_h) = (56.0, 30.0, 180.0);
        let height = top + plot_h + 34.0;
        let hi = self
            .series
            .iter()
            .flat_map(|(_, v)| v.iter().copied())
            .filter(|v| v.is_finite())
            .fold(0.0f64, f64::max)
            .max(1e-9)
            * 1.08;
        let n = self.x.len().max(2) as f64;
        let sx = |i: usize| left + (WIDTH - left - 16.0) * i as f64 / (n - 1.0);
        let sy = |v: f64| top + plot_h - v.max(0.0) / hi * plot_h;
        let mut o = String::new();
        let _ = write!(
            o,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" data-chart=\"{}\" viewBox=\"0 0 {WIDTH} {height:.0}\" width=\"100%\" {FONT}><title>{}</title>",
            esc(&self.id),
            esc(&self.title)
        );
        let names: Vec<String> = self.series.iter().map(|(s, _)| s.clone()).collect();
        legend(&mut o, &names, left, 16.0);
        for t in ticks(0.0, hi) {
            let y = sy(t);
            let _ = write!(
                o,
                "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e3e3e3\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\" fill=\"#555\">{}</text>",
                WIDTH - 16.0,
                left - 6.0,
                y + 4.0,
                tick_text(t)
            );
        }
        // About six date labels whatever the number of days.
        let every = (self.x.len() / 6).max(1);
        for (i, d) in self.x.iter().enumerate().filter(|(i, _)| i % every == 0) {
            let _ = write!(
                o,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
                sx(i),
                top + plot_h + 16.0,
                esc(&super::format::date_words(d))
            );
        }
        for (si, (name, vals)) in self.series.iter().enumerate() {
            let col = PALETTE[si % PALETTE.len()];
            let mut path = String::new();
            for (i, v) in vals.iter().enumerate() {
                let _ = write!(
                    path,
                    "{}{:.1} {:.1}",
                    if i == 0 { "M" } else { "L" },
                    sx(i),
                    sy(*v)
                );
            }
            let _ = write!(
                o,
                "<path d=\"{path}\" stroke=\"{col}\" stroke-width=\"1.6\" fill=\"none\"/>"
            );
            for (i, v) in vals.iter().enumerate() {
                let _ = write!(
                    o,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2\" fill=\"{col}\" class=\"mark\" data-series=\"{}\" data-key=\"{}\" data-value=\"{v}\"/>",
                    sx(i),
                    sy(*v),
                    esc(name),
                    esc(self.x.get(i).map_or("", String::as_str))
                );
            }
        }
        let _ = write!(
            o,
            "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#444\"/></svg>",
            WIDTH - 16.0,
            top + plot_h,
            top + plot_h
        );
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_mark_per_bar_and_escaped_labels() {
        let c = HBars {
            id: "x".into(),
            title: "t".into(),
            series: vec!["a".into()],
            rows: vec![
                Row {
                    label: "<b>".into(),
                    bars: vec![Bar {
                        series: 0,
                        value: 3.0,
                        ci: Some([1.0, 5.0]),
                        text: "3".into(),
                    }],
                },
                Row {
                    label: "c".into(),
                    bars: vec![Bar {
                        series: 0,
                        value: -2.0,
                        ci: None,
                        text: "-2".into(),
                    }],
                },
            ],
            reference: Some((1.0, "pays back".into())),
            dots: false,
        }
        .svg();
        assert_eq!(c.matches("class=\"mark\"").count(), 2);
        assert!(c.contains("&lt;b&gt;"));
        assert!(!c.contains("<b>"));
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(ticks(0.0, 10.0), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(ticks(-1.0, 1.0).first(), Some(&-1.0));
    }
}
