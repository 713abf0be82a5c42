//! `uplift`: see the issue that builds it; filled in by that work.
