#!/usr/bin/env bash
# Time the working tree's identity resolution against REV's in one process: old and new
# alternate on one built graph, the order flipped every pair, and their results must be equal
# (see scripts/bench/ab/ab_resolve.rs for why one process). Copies the tree, puts REV's resolver
# beside the current one as `identity::resolve_old` (with its own memory module), builds the
# timing example and runs it.
#
#   scripts/bench/ab-resolve.sh [--quick] [REV] [PAIRS] [OBSERVATIONS]   (defaults: HEAD 16 10000000)
#
# Run an A/A first (REV = HEAD on a clean tree) to see the method's spread on the day; a change
# is seen only where the A/B median moves by more than that (docs/dev/identity-resolver.md).
# --quick builds with the dev profile in the workspace's target directory (no timing worth
# reading, but seconds to run once the tests are built): CI runs `--quick HEAD 2 20000` so that
# a change of the resolver's signature breaks CI rather than this tool.
#
# REV may hold the resolver as a folder (identity/resolve/, identity/memory/) or, before the
# resolver was split into passes, as identity/resolve.rs, hub.rs, tables.rs and pages.rs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(git -C "$here" rev-parse --show-toplevel)"
cd "$root"

profile=release
if [[ "${1:-}" == "--quick" ]]; then
    profile=dev
    shift
fi
rev=${1:-HEAD}
pairs=${2:-16}
n=${3:-10000000}
harness="$here/ab/ab_resolve.rs"
[[ -f "$harness" ]] || harness="$root/scripts/bench/ab/ab_resolve.rs"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$tmp"
id="$tmp/o2o-core/src/identity"
old="$id/resolve_old"
mkdir -p "$old"
src=o2o-core/src/identity

if git cat-file -e "$rev:$src/resolve/mod.rs" 2>/dev/null; then
    # The resolver in passes: REV's folder, and REV's memory module inside it.
    mkdir -p "$tmp/rev-tree"
    git archive "$rev" "$src/resolve" "$src/memory" | tar -x -C "$tmp/rev-tree"
    cp -r "$tmp/rev-tree/$src/resolve/." "$old/"
    cp -r "$tmp/rev-tree/$src/memory" "$old/memory"
    find "$old" -name '*.rs' -print0 | xargs -0 sed -i \
        -e 's/crate::identity::memory\b/crate::identity::resolve_old::memory/g' \
        -e 's/crate::identity::resolve::/crate::identity::resolve_old::/g'
    sed -i 's/\bsuper::memory::/self::memory::/g' "$old/mod.rs"
    cat >>"$old/mod.rs" <<'RS'

// --- A/B shim (scripts/bench/ab-resolve.sh): REV's resolver on its own kept working memory.
mod memory;

thread_local! {
    static KEPT: std::cell::RefCell<memory::tables::Tables> = Default::default();
}

impl crate::identity::IdentityGraph {
    /// REV's resolution (experiment only).
    pub fn resolve_old(&self) -> crate::identity::Profiles<'_> {
        let (kinds, hashes) = self.ids.columns();
        let input = Input {
            rules: &self.compiled,
            obs: &self.obs,
            kinds,
            hashes,
            seen: &self.seen,
            sources: &self.sources,
        };
        let res = KEPT.with(|k| resolve(&input, &mut k.borrow_mut()));
        crate::identity::profiles::Profiles::new(self, std::borrow::Cow::Owned(res))
    }
}
RS
else
    # Before the split: one resolve.rs beside hub.rs, tables.rs and pages.rs, taking the graph.
    for f in resolve hub tables pages; do
        git show "$rev:$src/$f.rs" >"$old/$f.rs"
    done
    mv "$old/resolve.rs" "$old/mod.rs"
    sed -i \
        -e 's/^use super::hub::hub_guard;$/use self::hub::hub_guard;/' \
        -e '/^use super::pages;$/d' \
        -e 's/^use super::tables::/use self::tables::/' \
        -e 's/g\.source_hashes()/g.input().source_hashes()/g' \
        -e 's/g\.obs_key(/g.input().obs_key(/g' \
        "$old/mod.rs"
    sed -i \
        -e 's/^use super::graph::{IdentityGraph, Observations};$/use crate::identity::graph::IdentityGraph;\nuse crate::identity::observations::Observations;/' \
        -e 's/^use super::resolve::/use super::/' \
        -e 's/^use super::rules::/use crate::identity::rules::/' \
        "$old/hub.rs"
    cat >>"$old/mod.rs" <<'RS'

// --- A/B shim (scripts/bench/ab-resolve.sh): REV's resolver on its own kept working memory, its
// result in today's form.
mod hub;
mod pages;
mod tables;

thread_local! {
    static KEPT: std::cell::RefCell<tables::Tables> = Default::default();
}

impl crate::identity::IdentityGraph {
    /// REV's resolution (experiment only).
    pub fn resolve_old(&self) -> crate::identity::Profiles<'_> {
        use crate::identity::resolution as now;
        let r = KEPT.with(|k| resolve(self, &mut k.borrow_mut()));
        let res = now::Resolution {
            profile_of: r.profile_of,
            starts: r.starts,
            members: r.members,
            profile_hash: r.profile_hash,
            first_seen: r.first_seen,
            last_seen: r.last_seen,
            n_obs: r.n_obs,
            source_starts: r.source_starts,
            sources: r.sources,
            hubs: r.hubs.into_iter().map(|(id, distinct_higher)| now::Hub { id, distinct_higher }).collect(),
            audit: r
                .audit
                .into_iter()
                .map(|(observation, dropped, limit)| now::Prevented { observation, dropped, limit })
                .collect(),
            split_sessions: r.split_sessions,
        };
        crate::identity::profiles::Profiles::new(self, std::borrow::Cow::Owned(res))
    }
}
RS
fi
sed -i 's/^mod resolve;$/mod resolve;\n#[allow(warnings, unsafe_code)]\nmod resolve_old;/' "$id/mod.rs"
grep -q '^mod resolve_old;$' "$id/mod.rs" || { echo "ab-resolve: no 'mod resolve;' line in $src/mod.rs" >&2; exit 1; }
cp "$harness" "$tmp/benches/examples/ab_resolve.rs"

if [[ $profile == release ]]; then
    target="$root/target/ab"
    bin="$target/release/examples/ab_resolve"
    (cd "$tmp" && CARGO_TARGET_DIR="$target" cargo build --release -q -p o2o-benches --example ab_resolve)
else
    target="${CARGO_TARGET_DIR:-$root/target}"
    bin="$target/debug/examples/ab_resolve"
    (cd "$tmp" && CARGO_TARGET_DIR="$target" cargo build -q -p o2o-benches --example ab_resolve)
fi
"$bin" "$pairs" "$n"
