#!/usr/bin/env python3
"""Connected components of the identity graph's links: o2o (Rust union-find) vs networkx.

Runs `cargo run --release -p o2o-benches --example identity_memory -- N --links FILE`, which
builds N synthetic observations (default 1,000,000), resolves them with the full rules, and
writes every co-occurrence link as `a b`; then loads the same links into networkx and times
`nx.number_connected_components` (best of 3 runs on each side; neither side's time includes
reading the links or building the graph). Prints both times and the ratios (target >= 30x):
networkx CC vs o2o plain CC on the same links, and networkx CC vs o2o's full rule-checked resolve.

Usage: scripts/bench/identity_vs_networkx.py [N]
"""
import os
import re
import subprocess
import sys
import tempfile
import time

import networkx as nx


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with tempfile.TemporaryDirectory() as tmp:
        links_path = os.path.join(tmp, "links.txt")
        out = subprocess.run(
            ["cargo", "run", "--quiet", "--release", "-p", "o2o-benches", "--example",
             "identity_memory", "--", str(n), "--links", links_path],
            cwd=root, check=True, capture_output=True, text=True).stdout
        print(out, end="")
        ids = int(re.search(r"distinct identifiers (\d+)", out).group(1))
        resolve_s = float(re.search(r"resolve ([\d.]+) s", out).group(1))
        m = re.search(r"rust connected components (\d+) in ([\d.]+) s", out)
        rust_cc, rust_s = int(m.group(1)), float(m.group(2))
        g = nx.Graph()
        g.add_nodes_from(range(ids))
        with open(links_path) as f:
            g.add_edges_from(tuple(map(int, line.split())) for line in f)
    nx_s = float("inf")
    for _ in range(3):  # best of 3, as the Rust side
        t = time.perf_counter()
        nx_cc = nx.number_connected_components(g)
        nx_s = min(nx_s, time.perf_counter() - t)
    assert nx_cc == rust_cc, f"component counts differ: networkx {nx_cc}, o2o {rust_cc}"
    print(f"networkx {nx.__version__}: {nx_cc} components in {nx_s:.3f} s")
    print(f"ratio (networkx CC / o2o CC on the same links): {nx_s / rust_s:.0f}x (target >= 30x)")
    print(f"ratio (networkx CC / o2o full resolve with rules): {nx_s / resolve_s:.1f}x")


if __name__ == "__main__":
    main()
