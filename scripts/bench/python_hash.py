#!/usr/bin/env python3
"""o2o.hash over a 1,000,000-row Arrow array against the Rust criterion figure of the same work
(`email_normalize_sha256_hex_meta` in benches/benches/hashing.rs: Meta normalisation, SHA-256,
lowercase hex; docs/performance.md). Target: within 1.5x of it. Build the package in release
first (`maturin develop --release -m o2o-py/Cargo.toml`), then:

    .venv/bin/python scripts/bench/python_hash.py [RUST_VALUES_PER_SECOND]
"""

from __future__ import annotations

import statistics
import sys
import time

import pyarrow as pa

import o2o

N = 1_000_000


def emails(n: int) -> pa.Array:
    # The criterion bench's values: four shapes, as in benches/benches/hashing.rs.
    shapes = [
        lambda i: f"User.{i}@Example.com",
        lambda i: f" nguyen.van{i}@gmail.com",
        lambda i: f"TRAN.THI{i}@YAHOO.COM  ",
        lambda i: f"le{i}@outlook.com",
    ]
    return pa.array([shapes[i % 4](i) for i in range(n)])


def main() -> None:
    rust = float(sys.argv[1]) if len(sys.argv) > 1 else 7.77e6
    values = emails(N)
    o2o.hash(values[:1000], "email", permit=True)  # warm up
    times = []
    for _ in range(7):
        t = time.perf_counter()
        out = o2o.hash(values, "email", permit=True)
        times.append(time.perf_counter() - t)
    assert len(out) == N and out.null_count == 0
    best, med = min(times), statistics.median(times)
    rate = N / med
    print(f"o2o.hash, {N:,} emails (pyarrow array in, pyarrow array out): median {med * 1e3:.0f} ms"
          f" (best {best * 1e3:.0f} ms) = {rate / 1e6:.2f} M values/s")
    print(f"Rust criterion email_normalize_sha256_hex_meta: {rust / 1e6:.2f} M values/s;"
          f" Python takes {rust / rate:.2f}x its time (target: within 1.5x)")


if __name__ == "__main__":
    main()
