//! Shared helpers for the o2o criterion benchmarks.
