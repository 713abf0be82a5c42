#!/usr/bin/env bash
# Time the working tree's identity resolution against REV's in one process (see
# scripts/ab/ab_resolve.rs for why): copies the tree, puts REV's resolve.rs and hub.rs beside the
# current ones as `resolve_old`/`hub_old`, builds the timing example and runs it.
#
#   scripts/ab-resolve.sh [REV] [PAIRS] [OBSERVATIONS]     (defaults: HEAD 16 10000000)
#
# A/A first (REV = HEAD on a clean tree) to see the method's spread on the day: docs/identity.md.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-HEAD}
pairs=${2:-16}
n=${3:-10000000}
root=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$tmp"
id="$tmp/o2o-core/src/identity"
{
    echo '#![allow(dead_code)] // experiment only: the old code beside the new'
    git show "$rev:o2o-core/src/identity/resolve.rs" | sed 's/^use super::hub::hub_guard;$/use super::hub_old::hub_guard;/'
    cat <<'RS'

impl super::graph::IdentityGraph {
    /// The old resolve (experiment only).
    pub fn resolve_old(&self) -> Resolution {
        resolve(self)
    }
}
RS
} > "$id/resolve_old.rs"
{
    echo '#![allow(dead_code)] // experiment only: the old code beside the new'
    git show "$rev:o2o-core/src/identity/hub.rs"
} > "$id/hub_old.rs"
sed -i 's/^mod resolve;$/mod resolve;\nmod resolve_old;/; s/^mod hub;$/mod hub;\nmod hub_old;/' "$id/mod.rs"
cp scripts/ab/ab_resolve.rs "$tmp/benches/examples/ab_resolve.rs"
(cd "$tmp" && CARGO_TARGET_DIR="$root/target/ab" cargo build --release -q -p o2o-benches --example ab_resolve)
"$root/target/ab/release/examples/ab_resolve" "$pairs" "$n"
