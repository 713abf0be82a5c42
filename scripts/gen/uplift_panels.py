#!/usr/bin/env python3
"""Made-up but plausible panels for the worked examples in docs/uplift.md.

    python3 scripts/gen/uplift_panels.py   # writes docs/examples/{geo,segment}_panel.csv
"""
import numpy as np

rng = np.random.default_rng(7)

# Geo test: 24 stores, the 12 near indoor ads (treated) are larger stores; 8 weeks before the
# campaign, 4 weeks during. True effect: +7 % of a treated store's weekly sales.
with open("docs/examples/geo_panel.csv", "w") as f:
    f.write("store,period,treated,post,value\n")
    for s in range(24):
        treated = s < 12
        base = rng.normal(5200 if treated else 4300, 600)
        for w in range(12):
            post = w >= 8
            season = 1 + 0.01 * w
            v = base * season * (1.07 if treated and post else 1.0) * rng.normal(1, 0.03)
            f.write(f"S{s:02d},2026-W{w + 1:02d},{int(treated)},{int(post)},{v:.2f}\n")

# Pre / during / post: segment sales per store and week; the campaign targeted the "young-parents"
# segment (treated) in all 16 stores; the other segment is the comparison. The whole market
# grew 12 % during the campaign weeks (a holiday), the targeted segment 46 % in total.
with open("docs/examples/segment_panel.csv", "w") as f:
    f.write("store,period,treated,post,value\n")
    for s in range(16):
        size = rng.normal(1, 0.15)
        for seg, treated in [("young-parents", 1), ("others", 0)]:
            base = size * (800 if treated else 2400)
            for w in range(8):
                post = w >= 4
                market = 1.12 if post else 1.0
                lift = 1.46 / 1.12 if (treated and post) else 1.0
                v = base * market * lift * rng.normal(1, 0.06)
                f.write(f"S{s:02d},{seg}-W{w + 1:02d},{treated},{int(post)},{v:.2f}\n")

# The four weeks after the campaign (W9-W12) against the same pre-period (W1-W4): the market is
# back to normal, the targeted segment keeps +8 % (lingering effect).
rng = np.random.default_rng(8)
with open("docs/examples/segment_after_panel.csv", "w") as f:
    f.write("store,period,treated,post,value\n")
    for s in range(16):
        size = rng.normal(1, 0.15)
        for seg, treated in [("young-parents", 1), ("others", 0)]:
            base = size * (800 if treated else 2400)
            for w in list(range(4)) + list(range(8, 12)):
                post = w >= 8
                lift = 1.08 if (treated and post) else 1.0
                v = base * lift * rng.normal(1, 0.06)
                f.write(f"S{s:02d},{seg}-W{w + 1:02d},{treated},{int(post)},{v:.2f}\n")
