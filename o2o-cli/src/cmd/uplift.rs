//! `o2o uplift --test X/N --control Y/M [--alpha A] [--alternative two-sided|larger|smaller]`
//! and `o2o uplift --metric mean --test MEAN,SD,N --control MEAN,SD,N [--alpha A]`.

use super::CliError;
use super::attribute::labelled;
use o2o_core::measure::NumberKind;
use o2o_core::uplift::TestOptions;
use o2o_core::uplift::{Alternative, Counts, SummaryStats, compare_proportions, welch_ttest};

/// What is compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Metric {
    /// Conversion rates: `--test X/N --control Y/M` (converters / customers).
    Proportion,
    /// Means such as revenue per customer: `--test MEAN,SD,N --control MEAN,SD,N`.
    Mean,
}

/// Flags of `o2o uplift`.
#[derive(clap::Args)]
#[command(after_help = "Output (JSON on stdout):\n  \
proportion: {\"z\", \"p_value\", \"absolute_lift\", \"relative_lift\", \"ci_newcombe\": [lo, hi], \
\"ci_wald\": [lo, hi], \"ci_agresti_caffo\": [lo, hi], \"ci_ratio_log\": [lo, hi], …}\n  \
mean: {\"t\", \"df\", \"p_value\", \"absolute_lift\", \"ci_welch\": [lo, hi], …}\n\
z is the pooled two-proportion z-test (as statsmodels proportions_ztest); intervals are two-sided \
at level 1 − alpha whatever the alternative. Example: o2o uplift --test 66/1000 --control 20/1000\n\
Which number: *incremental* (`\"measure\": \"incremental\"`), the test arm against the control \
arm with an interval; it is what the treatment caused only when the arms were assigned at random \
(a holdout, a randomised exposure).")]
pub struct Args {
    /// Test (exposed) arm: `X/N` for proportions, `MEAN,SD,N` for means (a negative mean is
    /// fine: `--test -3,10,100`).
    #[arg(long, allow_hyphen_values = true, required_unless_present_any = ["cuped", "p_values"])]
    pub test: Option<String>,
    /// Control arm, same format as --test.
    #[arg(long, allow_hyphen_values = true, required_unless_present_any = ["cuped", "p_values"])]
    pub control: Option<String>,
    /// CUPED: a CSV of units with columns `group,pre,post` (`group` = test or control, `pre` =
    /// the pre-period value, `post` = the outcome); prints the pre-period-adjusted Welch test.
    #[arg(long, conflicts_with_all = ["test", "control", "p_values"])]
    pub cuped: Option<std::path::PathBuf>,
    /// Several comparisons' p-values, comma-separated: prints them adjusted by --correction.
    #[arg(long, value_delimiter = ',', conflicts_with_all = ["test", "control"])]
    pub p_values: Option<Vec<f64>>,
    /// Multiple-testing correction of --p-values: holm or bh (Benjamini–Hochberg).
    #[arg(long, default_value = "holm")]
    pub correction: String,
    /// What the arms measure.
    #[arg(long, value_enum, default_value_t = Metric::Proportion)]
    pub metric: Metric,
    /// Significance level; intervals are at 1 − alpha.
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
    /// Alternative hypothesis of the p-value: two-sided, larger (test > control), smaller.
    #[arg(long, default_value = "two-sided")]
    pub alternative: String,
}

fn parse_counts(flag: &str, s: &str) -> Result<Counts, CliError> {
    let usage = |why: String| CliError::Usage(format!("--{flag} `{s}`: {why}"));
    let (x, n) = s
        .split_once('/')
        .ok_or_else(|| usage("expected X/N, e.g. 66/1000".into()))?;
    let x: u64 = x
        .trim()
        .parse()
        .map_err(|_| usage(format!("`{x}` is not a whole number of conversions")))?;
    let n: u64 = n
        .trim()
        .parse()
        .map_err(|_| usage(format!("`{n}` is not a whole number of customers")))?;
    Counts::new(x, n, flag).map_err(|e| usage(e.to_string()))
}

fn parse_stats(flag: &str, s: &str) -> Result<SummaryStats, CliError> {
    let usage = |why: String| CliError::Usage(format!("--{flag} `{s}`: {why}"));
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    let [mean, sd, n] = parts.as_slice() else {
        return Err(usage("expected MEAN,SD,N, e.g. 12.5,20.1,400".into()));
    };
    let num = |name: &str, v: &str| {
        v.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| usage(format!("{name} `{v}` is not a finite number")))
    };
    let mean = num("MEAN", mean)?;
    let sd = num("SD", sd)?;
    if sd < 0.0 {
        return Err(usage(format!("SD {sd} is negative")));
    }
    let n: u64 = n
        .parse()
        .map_err(|_| usage(format!("N `{n}` is not a whole number")))?;
    if n < 2 {
        return Err(usage(format!("N = {n}: need at least 2 customers")));
    }
    Ok(SummaryStats { mean, sd, n })
}

/// Units of a CUPED comparison: `group,pre,post` rows, test and control (every bad row named
/// by its line and field; the good ones kept).
fn read_cuped_csv(path: &std::path::Path) -> Result<CupedArms, CliError> {
    let text = std::fs::read_to_string(path).map_err(CliError::io(path))?;
    let (mut test, mut control) = (Vec::new(), Vec::new());
    let mut lines = text.lines().enumerate();
    let header: Vec<String> = lines
        .next()
        .map(|(_, h)| {
            h.split(',')
                .map(|c| c.trim().to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let col = |name: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| {
            CliError::Usage(format!(
                "{}: line 1: no `{name}` column (expected group,pre,post)",
                path.display()
            ))
        })
    };
    let (g, x, y) = (col("group")?, col("pre")?, col("post")?);
    let mut bad = 0usize;
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let num = |k: usize| {
            cells
                .get(k)
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite())
        };
        let arm = match cells.get(g).copied() {
            Some("test" | "treatment") => Ok(&mut test),
            Some("control" | "holdout") => Ok(&mut control),
            _ => Err("group (test or control)"),
        };
        let unit = match (arm, num(x), num(y)) {
            (Ok(arm), Some(pre), Some(post)) => {
                arm.push((pre, post));
                continue;
            }
            (Err(why), ..) => why,
            (_, None, _) => "pre (a number)",
            (_, _, None) => "post (a number)",
        };
        bad += 1;
        if bad <= super::input::SHOWN_ERRORS {
            eprintln!("{}: line {}: bad {unit}", path.display(), i + 1);
        }
    }
    if bad > super::input::SHOWN_ERRORS {
        eprintln!(
            "{}: … {} more rejected lines",
            path.display(),
            bad - super::input::SHOWN_ERRORS
        );
    }
    Ok((test, control))
}

type CupedArms = (Vec<(f64, f64)>, Vec<(f64, f64)>);

/// Print a value as pretty JSON on stdout; a closed pipe (`| head`) is not an error.
pub(crate) fn print_json(v: &impl serde::Serialize) -> Result<(), CliError> {
    use std::io::Write;
    let s = serde_json::to_string_pretty(v)?;
    match writeln!(std::io::stdout().lock(), "{s}") {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::Io {
            path: "stdout".into(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// Run `o2o uplift`.
pub fn run(a: Args) -> Result<(), CliError> {
    let alternative: Alternative = a
        .alternative
        .parse()
        .map_err(|e: o2o_core::uplift::UpliftError| CliError::Usage(format!("--{e}")))?;
    if !(a.alpha > 0.0 && a.alpha < 1.0) {
        return Err(CliError::Usage(format!(
            "--alpha {}: must be strictly between 0 and 1",
            a.alpha
        )));
    }
    if let Some(p) = &a.p_values {
        let method = super::report::parse_correction(&a.correction)?;
        let r = o2o_core::uplift::adjust_p_values(p, a.alpha, method)
            .map_err(|e| CliError::Usage(format!("--p-values: {e}")))?;
        return print_json(&r);
    }
    if let Some(path) = &a.cuped {
        let (test, control) = read_cuped_csv(path)?;
        let r = o2o_core::uplift::cuped(
            &test,
            &control,
            &TestOptions {
                alpha: a.alpha,
                alternative,
            },
        )
        .map_err(CliError::at::<o2o_core::uplift::UpliftError>(path))?;
        let json = serde_json::to_value(&r)?;
        return print_json(&labelled(json, NumberKind::Incremental));
    }
    let (test, control) = match (&a.test, &a.control) {
        (Some(t), Some(c)) => (t.as_str(), c.as_str()),
        _ => return Err(CliError::Usage("give --test and --control".into())),
    };
    let json = match a.metric {
        Metric::Proportion => {
            let t = parse_counts("test", test)?;
            let c = parse_counts("control", control)?;
            let r = compare_proportions(
                t,
                c,
                &TestOptions {
                    alpha: a.alpha,
                    alternative,
                },
            )?;
            serde_json::to_value(&r)
        }
        Metric::Mean => {
            let t = parse_stats("test", test)?;
            let c = parse_stats("control", control)?;
            let r = welch_ttest(
                &t,
                &c,
                &TestOptions {
                    alpha: a.alpha,
                    alternative,
                },
            )?;
            serde_json::to_value(&r)
        }
    }?;
    print_json(&labelled(json, NumberKind::Incremental))
}
