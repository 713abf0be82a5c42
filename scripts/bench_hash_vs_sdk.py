#!/usr/bin/env python3
"""Time `o2o hash --kind email` (release binary) against the facebook-business SDK's
normalise + hashlib loop on the same 1,000,000 emails, and print both rates and the ratio.

Target (issue 4): >= 15x on one thread. Both sides are also reported per CPU-second (user+sys
time of the process), because on a shared machine wall-clock time depends on other jobs.

Usage: cargo build --release -p o2o-cli && python3 scripts/bench_hash_vs_sdk.py [N] [--threads T]
"""
import argparse
import os
import pathlib
import random
import resource
import subprocess
import sys
import tempfile
import time

from facebook_business.adobjects.serverside.normalize import Normalize

ROOT = pathlib.Path(__file__).resolve().parents[1]
BIN = ROOT / "target" / "release" / "o2o"


def emails(n, seed=4):
    rng = random.Random(seed)
    first = ["anh", "binh", "chi", "dung", "minh", "lan", "anna", "david", "maria", "peter"]
    last = ["nguyen", "tran", "le", "pham", "smith", "garcia"]
    dom = ["gmail.com", "yahoo.com", "outlook.com", "Example.VN", "hotmail.com"]
    out = []
    for i in range(n):
        e = f"{rng.choice(first)}.{rng.choice(last)}{i}@{rng.choice(dom)}"
        r = rng.random()
        out.append(e.upper() if r < 0.1 else (f" {e}" if r < 0.2 else e))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=1_000_000)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    if not BIN.exists():
        sys.exit(f"{BIN} missing: cargo build --release -p o2o-cli")
    data = emails(a.n)
    with tempfile.NamedTemporaryFile("w", delete=False, suffix=".txt") as f:
        f.write("\n".join(data) + "\n")
        path = f.name

    # SDK: normalise + SHA-256 per email, as an uploader script would.
    c0 = time.process_time()
    w0 = time.perf_counter()
    sdk_out = [Normalize.normalize_field("em", e) for e in data]
    sdk_wall = time.perf_counter() - w0
    sdk_cpu = time.process_time() - c0

    # o2o: the CLI over the same file.
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    w0 = time.perf_counter()
    with open(path, "rb") as fin:
        p = subprocess.run([str(BIN), "hash", "--kind", "email", "--threads", str(a.threads)],
                           stdin=fin, stdout=subprocess.PIPE, check=True)
    o2o_wall = time.perf_counter() - w0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    o2o_cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    os.unlink(path)

    lines = p.stdout.decode().split("\n")[:-1]
    same = sum(1 for x, y in zip(lines, sdk_out) if x == y)
    print(f"emails: {a.n}, identical hashes: {same}/{a.n}")
    print(f"facebook-business SDK: {a.n / sdk_wall / 1e6:.3f} M/s wall, {a.n / sdk_cpu / 1e6:.3f} M per CPU-second")
    print(f"o2o hash (--threads {a.threads}): {a.n / o2o_wall / 1e6:.3f} M/s wall, {a.n / max(o2o_cpu, 1e-9) / 1e6:.3f} M per CPU-second")
    print(f"ratio (wall): {sdk_wall / o2o_wall:.1f}x   ratio (CPU time): {sdk_cpu / max(o2o_cpu, 1e-9):.1f}x   (target >= 15x on one thread)")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
