#!/usr/bin/env python3
"""GeoLift's market selection, reimplemented from its published algorithm (R is not available
here), run on a store x day panel so that `o2o design stores` can be compared with it.

GeoLift (Meta, R package, `GeoLiftMarketSelection`, https://facebookincubator.github.io/GeoLift/)
selects test markets as follows; this script follows those steps:

1. Candidate treatment groups: the markets' similarity matrix (Pearson correlation of their
   series, GeoLift's `MarketCorrelations`), and for every market the group of itself and its
   N - 1 most similar markets (`stochastic_market_selector` without the stochastic option).
2. Simulated tests: for each group and each of `lookback_window` test windows (the latest
   ending on the last period, each earlier one a period before), every effect size is planted by
   multiplying the group's values in the window by (1 + effect).
3. Estimation: the group's values are summed into one treated series; the other markets are the
   donors. The synthetic control has unit fixed effects (`fixed_effects = TRUE`: every series
   less its pre-period mean) and simplex weights (augsynth `progfunc = "none"`, `scm = TRUE`).
4. Inference: conformal inference (Chernozhukov, Wuthrich and Zhu), as augsynth's
   `conformal_inf` with `conformal_type = "iid"`, `ns` permutations: under the null of no
   effect the weights are fitted on every period, the statistic is |mean post-period residual|
   and the p-value is the share of random permutations of the residuals whose statistic is at
   least as large.
5. Ranking: power per effect = share of windows with p < alpha; the group's MDE is the smallest
   effect with power >= the target; `abs_lift_in_zero` is the mean |estimated lift| with no
   effect; `ScaledL2Imbalance` the pre-period misfit over the misfit of equal weights. Groups
   rank by the mean of their ranks on the three (GeoLift's `rank`).

Usage (from the repository root):
    python3 scripts/gen/geolift_market_selection.py docs/examples/stores_panel.csv \
        --treat 4 --days 21 --out o2o-core/tests/fixtures/design/geolift_selection.json
"""

import argparse
import json
import platform
import sys

import numpy as np
import pandas as pd
import scipy
from scipy.optimize import nnls


def simplex_weights(A, y):
    """min ||A w - y||^2 with w >= 0, sum w = 1 (a heavily weighted sum row, then nnls)."""
    scale = max(np.abs(A).max(), np.abs(y).max(), 1e-12)
    lam = 1e4 * scale
    A2 = np.vstack([A, lam * np.ones((1, A.shape[1]))])
    y2 = np.append(y, lam)
    w, _ = nnls(A2, y2, maxiter=50 * A.shape[1])
    s = w.sum()
    return w / s if s > 0 else np.full(A.shape[1], 1.0 / A.shape[1])


def fit(treated, donors, pre, effect, rng, ns):
    """One simulated test: planted effect, conformal p-value, estimated lift, imbalance."""
    y = treated.copy()
    y[pre:] *= 1.0 + effect
    mu_t = y[:pre].mean()
    mu_d = donors[:pre].mean(axis=0)
    yc = y - mu_t
    Dc = donors - mu_d
    # Estimate: weights on the pre-period.
    w = simplex_weights(Dc[:pre], yc[:pre])
    synth = Dc @ w + mu_t
    lift = (y[pre:] - synth[pre:]).sum() / synth[pre:].sum()
    imbalance = np.sqrt(np.mean((Dc[:pre] @ w - yc[:pre]) ** 2))
    uniform = np.sqrt(np.mean((Dc[:pre].mean(axis=1) - yc[:pre]) ** 2))
    # Conformal inference under the null of no effect: weights on every period.
    w0 = simplex_weights(Dc, yc)
    u = yc - Dc @ w0
    post = len(y) - pre
    stat = abs(u[pre:].mean())
    perms = np.array([abs(rng.permutation(u)[-post:].mean()) for _ in range(ns)])
    p = (1 + (perms >= stat).sum()) / (1 + ns)
    return p, lift, imbalance / uniform if uniform > 0 else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("panel")
    ap.add_argument("--treat", type=int, required=True)
    ap.add_argument("--days", type=int, required=True)
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--power", type=float, default=0.8)
    ap.add_argument("--lookback", type=int, default=8)
    ap.add_argument("--ns", type=int, default=200)
    ap.add_argument("--effects", default="0,0.01,0.02,0.03,0.04,0.05,0.075,0.1,0.15,0.2")
    ap.add_argument("--top", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out")
    a = ap.parse_args()

    df = pd.read_csv(a.panel)
    wide = df.pivot(index="period", columns="store", values="value").sort_index()
    stores = list(wide.columns)
    Y = wide.to_numpy(dtype=float)  # periods x stores
    T = Y.shape[0]
    effects = [float(e) for e in a.effects.split(",")]
    corr = np.corrcoef(Y.T)
    groups = {}
    for i in range(len(stores)):
        order = [j for j in np.argsort(-corr[i], kind="stable") if j != i]
        g = tuple(sorted([i] + order[: a.treat - 1]))
        groups.setdefault(g, stores[i])
    rng = np.random.default_rng(a.seed)
    rows = []
    for g, origin in groups.items():
        donors_idx = [j for j in range(len(stores)) if j not in g]
        power = []
        lifts0 = []
        imb = []
        for k, e in enumerate(effects):
            hits = 0
            for s in range(a.lookback):
                end = T - s
                pre = end - a.days
                treated = Y[:end, list(g)].sum(axis=1)
                p, lift, scaled = fit(treated, Y[:end, donors_idx], pre, e, rng, a.ns)
                hits += p < a.alpha and (e == 0 or lift * e > 0)
                if e == 0:
                    lifts0.append(lift)
                    imb.append(scaled)
            power.append(hits / a.lookback)
        mde = next((e for e, pw in zip(effects, power) if e > 0 and pw >= a.power), None)
        rows.append(
            {
                "stores": [stores[j] for j in g],
                "origin": f"neighbours of {origin}",
                "power_curve": [{"effect": e, "power": pw} for e, pw in zip(effects, power)],
                "mde": mde,
                "abs_lift_in_zero": float(np.mean(np.abs(lifts0))),
                "scaled_l2_imbalance": float(np.mean(imb)),
            }
        )
    frame = pd.DataFrame(
        {
            "mde": [r["mde"] if r["mde"] is not None else np.inf for r in rows],
            "zero": [r["abs_lift_in_zero"] for r in rows],
            "imb": [r["scaled_l2_imbalance"] for r in rows],
        }
    )
    score = (
        frame["mde"].rank(method="min") + frame["zero"].rank(method="min") + frame["imb"].rank(method="min")
    ) / 3.0
    order = sorted(range(len(rows)), key=lambda i: (score[i], rows[i]["stores"]))
    top = []
    for r, i in enumerate(order[: a.top]):
        row = dict(rows[i])
        row["rank"] = r + 1
        row["mean_rank"] = float(score[i])
        top.append(row)
    out = {
        "provenance": {
            "method": "GeoLift GeoLiftMarketSelection, reimplemented in Python from its published "
            "algorithm (correlation groups, lookback windows, fixed-effects SCM, iid conformal "
            "inference, mean rank of MDE / abs_lift_in_zero / ScaledL2Imbalance)",
            "script": "scripts/gen/geolift_market_selection.py",
            "command": " ".join(["python3"] + sys.argv),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "pandas": pd.__version__,
            "note": "conformal p-values are Monte Carlo (ns permutations, numpy seed --seed)",
        },
        "panel": a.panel,
        "treat": a.treat,
        "days": a.days,
        "alpha": a.alpha,
        "power": a.power,
        "lookback_window": a.lookback,
        "groups": len(rows),
        "top": top,
    }
    text = json.dumps(out, indent=2) + "\n"
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
