#!/usr/bin/env python3
"""Probabilistic matching on FEBRL 1-4: `o2o match` vs Splink (DuckDB backend), same machine.

Builds the release CLI, then for each FEBRL fixture (o2o-core/tests/fixtures/febrl) times one
run of `o2o match --settings … --input …` (training and prediction, the process included) and one
run of Splink with the same blocking and its documented model (the functions of
scripts/gen/fixtures/febrl_splink.py, in this process: Python start-up and imports are not
counted for Splink). Prints both times, the ratio (target >= 10x) and both pairwise F1s.

Usage (from the repository root; pip install splink first):
    python3 scripts/bench/match_vs_splink.py
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts", "gen", "fixtures"))
os.chdir(ROOT)
import febrl_splink  # noqa: E402

DIR = "o2o-core/tests/fixtures/febrl"


def person(rec_id):
    return re.match(r"^(rec-\d+)-", rec_id).group(1)


def o2o(n, binary, tmp):
    settings = f"{DIR}/link.json" if n == 4 else f"{DIR}/dedupe.json"
    out = os.path.join(tmp, f"o2o{n}.jsonl")
    start = time.perf_counter()
    subprocess.run([binary, "match", "--settings", settings, "--input", f"{DIR}/febrl{n}.csv",
                    "--output", out], check=True, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    pairs = [json.loads(line) for line in open(out)]
    tp = sum(person(p["a"]) == person(p["b"]) for p in pairs)
    df = febrl_splink.load(n)
    truth = febrl_splink.true_pairs(df, n == 4)
    p, r = tp / max(len(pairs), 1), tp / truth
    return seconds, 2 * p * r / (p + r) if p + r else 0.0


def main():
    subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "o2o-cli"], check=True)
    binary = os.path.join(ROOT, "target", "release", "o2o")
    print(f"{'set':8} {'o2o s':>8} {'Splink s':>9} {'speed-up':>9} {'o2o F1':>8} {'Splink F1':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (1, 2, 3, 4):
            o_s, o_f1 = o2o(n, binary, tmp)
            s = febrl_splink.run(n)
            print(f"febrl{n:<3} {o_s:8.3f} {s['seconds']:9.3f} {s['seconds'] / o_s:8.1f}x "
                  f"{o_f1:8.4f} {s['f1']:10.4f}", flush=True)


if __name__ == "__main__":
    main()
