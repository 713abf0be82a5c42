#!/usr/bin/env python3
"""Single process against Spark local[2] on the same simulated store: wall time and peak memory
per step (docs/scale.md). Run with the Python of the test suite's venv after
`./scripts/test.sh python` (or `maturin develop --release -m o2o-py/Cargo.toml` for release
figures):

    .venv/bin/python scripts/bench/spark_scale.py 1000000 [WORKDIR] [--memory-limit-gb N] [--partitions N]

Steps on one machine: simulate into a store, Store.resolve, Store.attribute("markov").
Steps on Spark: read the store's events, o2o.spark.resolve (link keys, hub guard, components,
per-component resolution), Resolution.attribute("markov"). Peak memory is the largest resident
set of the process tree (the Python process, Spark's JVM and its Python workers), sampled
every 0.2 s; the single-machine steps run in a fresh process each, so their peaks are theirs.
With --memory-limit-gb N each single-machine step runs under an address-space limit of N GB
(RLIMIT_AS): a step that needs more fails on its own and is reported as not fitting, instead of
pushing the machine into swap or its out-of-memory killer. The limit is on address space, which
runs ahead of resident memory (allocator arenas, mapped libraries): give it room. --partitions sets Spark's shuffle
partitions (default 8); the driver's heap is Spark's setting (PYSPARK_SUBMIT_ARGS="--driver-memory
6g pyspark-shell" for a large run in local mode, where the driver is the executor).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def tree_rss_mb(root: int) -> float:
    """Resident memory of `root` and all its descendants, in MB (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                parts = f.read().rsplit(")", 1)[1].split()
            ppid = int(parts[1])
            pages = int(parts[21])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(d))
        rss[int(d)] = pages * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [root]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack.extend(children.get(p, []))
    return total / 2**20


class Peak:
    """The peak of tree_rss_mb(pid) while in a `with` block."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()

    def __enter__(self) -> "Peak":
        def run() -> None:
            while not self._stop.is_set():
                self.peak = max(self.peak, tree_rss_mb(self.pid))
                time.sleep(0.2)

        self._t = threading.Thread(target=run, daemon=True)
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, tree_rss_mb(self.pid))


STEP = r"""
import json, resource, sys, time, o2o
step, store, customers = sys.argv[1], sys.argv[2], int(sys.argv[3])
t = time.perf_counter()
if step == "simulate":
    o2o.simulate(store, customers=customers, seed=42)
elif step == "resolve":
    o2o.Store(store).resolve()
elif step == "attribute":
    o2o.Store(store).attribute("markov")
print(json.dumps({"seconds": time.perf_counter() - t,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def row(label: str, r: dict) -> str:
    if "failed" in r:
        return f"{label:<48} {r['failed']}"
    return f"{label:<48} {r['seconds']:>9.1f} {r['peak_mb']:>9.0f}"


def report(label: str, r: dict) -> tuple:
    """Print a step's row as soon as it is measured (a long run shows its progress)."""
    print(row(label, r), flush=True)
    return (label, r)


def single(step: str, store: Path, customers: int, limit_gb: float | None) -> dict:
    """One single-machine step in a fresh process; under `limit_gb`, a step that runs out of
    address space is reported as not fitting (with its time until then)."""

    def limit() -> None:
        if limit_gb is not None:
            n = int(limit_gb * 2**30)
            resource.setrlimit(resource.RLIMIT_AS, (n, n))

    t = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", STEP, step, str(store), str(customers)],
        capture_output=True, text=True, preexec_fn=limit,
    )
    if out.returncode != 0:
        if limit_gb is None:
            sys.exit(f"{step} failed:\n{out.stderr}")
        why = out.stderr.strip().splitlines()[-1:] or [f"exit {out.returncode}"]
        return {"failed": f"did not fit in {limit_gb:g} GB after {time.perf_counter() - t:.0f} s ({why[0][:80]})"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    args = sys.argv[1:]
    limit_gb = None
    if "--memory-limit-gb" in args:
        i = args.index("--memory-limit-gb")
        limit_gb = float(args[i + 1])
        del args[i : i + 2]
    partitions = 8
    if "--partitions" in args:
        i = args.index("--partitions")
        partitions = int(args[i + 1])
        del args[i : i + 2]
    customers = int(args[0]) if args else 1_000_000
    work = Path(args[1]) if len(args) > 1 else Path(tempfile.mkdtemp(prefix="o2o-scale-"))
    store = work / "store"
    rows = []
    print(f"{'step':<48} {'seconds':>9} {'peak MB':>9}", flush=True)
    if not (store / "o2o-store.json").exists():
        r = single("simulate", store, customers, limit_gb)
        rows.append(report("one machine: simulate into the store", r))
        if "failed" in r:
            sys.exit("no store to measure: the simulation did not fit")
    rows.append(report("one machine: Store.resolve", single("resolve", store, customers, limit_gb)))
    rows.append(report("one machine: Store.attribute(markov)", single("attribute", store, customers, limit_gb)))

    from o2o import spark as osp

    spark = osp.session("local[2]", partitions=partitions, app="o2o-scale")
    me = os.getpid()
    with Peak(me) as p:
        t = time.perf_counter()
        events = osp.read_events(spark, str(store))
        n = events.count()
    rows.append(report(f"Spark local[2]: read {n:,} events", {"seconds": time.perf_counter() - t, "peak_mb": p.peak}))
    with Peak(me) as p:
        t = time.perf_counter()
        res = osp.resolve(events)
        n_prof = res.profiles.select("profile").distinct().count()
    rows.append(report(f"Spark local[2]: resolve ({n_prof:,} profiles)", {"seconds": time.perf_counter() - t, "peak_mb": p.peak}))
    with Peak(me) as p:
        t = time.perf_counter()
        res.attribute("markov")
    rows.append(report("Spark local[2]: attribute(markov)", {"seconds": time.perf_counter() - t, "peak_mb": p.peak}))
    spark.stop()
    print(f"{customers:,} simulated customers ({work})")
    print(f"{'step':<48} {'seconds':>9} {'peak MB':>9}")
    for label, r in rows:
        print(row(label, r))


if __name__ == "__main__":
    main()
