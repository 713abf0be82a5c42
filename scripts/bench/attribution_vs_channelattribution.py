#!/usr/bin/env python3
"""o2o's exact Markov attribution vs ChannelAttribution's markov_model on the same path table.

1. Runs the criterion bench `attribution` with O2O_EXPORT_PATHS set, so it writes the path table
   it builds from 1,000,000 synthetic journeys, and measures o2o (markov_order1, markov_order2).
2. Runs ChannelAttribution.markov_model with its default settings (order 1 and 2) on that table.
3. Prints the times, the ratio (target: o2o >= 5x faster), and how far ChannelAttribution's
   simulated credit is from o2o's exact credit.

Usage: python3 scripts/bench/attribution_vs_channelattribution.py [--skip-bench]
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import pandas as pd
import ChannelAttribution as ca

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Cargo's target directory: CARGO_TARGET_DIR when set, as cargo does.
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
TABLE = os.path.join(TARGET, "attribution_bench_paths.csv")
CRIT = os.path.join(TARGET, "criterion", "attribution")


def criterion_seconds(name):
    with open(os.path.join(CRIT, name, "new", "estimates.json")) as f:
        est = json.load(f)
    return est["mean"]["point_estimate"] / 1e9


def o2o_credit(order):
    # The release binary when built (`cargo build --release -p o2o-cli`), else the dev one: the
    # speed comparison uses criterion's numbers, the CLI run only supplies the exact credit.
    exe = os.path.join(TARGET, "release", "o2o")
    if not os.path.exists(exe):
        subprocess.run(["cargo", "build", "-p", "o2o-cli"], cwd=ROOT, check=True)
        exe = os.path.join(TARGET, "debug", "o2o")
    t0 = time.perf_counter()
    out = subprocess.run([exe, "attribute", "--paths", TABLE, "--model", "markov", "--order", str(order)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out), time.perf_counter() - t0, exe


def main():
    if "--skip-bench" not in sys.argv or not os.path.exists(TABLE):
        env = dict(os.environ, O2O_EXPORT_PATHS=TABLE)
        subprocess.run(["cargo", "bench", "-p", "o2o-benches", "--bench", "attribution", "--",
                        "--warm-up-time", "1", "--measurement-time", "3"], cwd=ROOT, env=env, check=True)
    df = pd.read_csv(TABLE, sep=";")
    print(f"path table: {len(df)} distinct paths, {df.total_conversions.sum():.0f} conversions, "
          f"{df.total_null.sum():.0f} nulls")
    for order in (1, 2):
        t0 = time.perf_counter()
        res = ca.markov_model(df, "path", "total_conversions", var_value="total_conversion_value",
                              var_null="total_null", order=order, verbose=False, flg_pro=False)
        t_ca = time.perf_counter() - t0
        t_o2o = criterion_seconds(f"markov_order{order}")
        ours, t_cli, exe = o2o_credit(order)
        exact = {c["channel"]: c["conversions"] for c in ours["channels"]}
        worst = max(abs(r.total_conversions - exact[r.channel_name]) / exact[r.channel_name]
                    for r in res.itertuples() if exact.get(r.channel_name))
        print(f"order {order}: ChannelAttribution {t_ca:.3f} s | o2o markov (criterion) {t_o2o:.4f} s "
              f"-> {t_ca / t_o2o:.1f}x faster | o2o CLI ({os.path.basename(os.path.dirname(exe))}) incl. parsing "
              f"the CSV {t_cli:.3f} s | ChannelAttribution's largest deviation from the exact credit "
              f"{100 * worst:.2f}%")


if __name__ == "__main__":
    main()
