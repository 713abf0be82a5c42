#!/usr/bin/env bash
# The docs tour: runs every ```sh block of README.md and docs/*.md as pasted, in a fresh clone,
# and fails on the first command that fails, naming the page and the line. Part of
# ./scripts/test.sh (the README's test command).
#
# The convention (docs/dev/contributing.md says the same):
#  - A ```sh block holds commands a user pastes into a shell at the repository root of a fresh
#    clone, after the page's earlier blocks; every command must succeed. Comments (`#`) and
#    continuation lines (`\`) work as in a shell. A command that needs an input file uses one
#    under docs/examples/ or one an earlier command of the same page wrote.
#  - Output, transcripts and illustrations go in ```text; code in ```rust, ```c, ```js, ```json,
#    ```toml… A ```console, ```bash or ```shell block is an error: make it a ```sh block that
#    runs, or ```text.
#  - Each page runs on its own, in its own fresh clone, with an empty HOME: its blocks in order,
#    in one shell (a variable or a `cd` carries from one block to the next), under
#    `set -eo pipefail`. docs/dev/ pages are for maintainers and are not run.
#  - A block that builds the C library or compiles C (scripts/install-c.sh, cc) or builds the WASM
#    package (scripts/build-wasm.sh) is skipped, with a line saying so, when the tools of that
#    suite are missing (a failure under O2O_REQUIRE_ALL=1, as in CI).
#  - Every `scripts/…` and `docs/examples/…` path the pages mention must exist.
#  - The commands leave tracked files (docs/examples/…) unchanged and write only files git
#    ignores (.gitignore lists what the pages write at the repository root), so a user who
#    follows a page keeps a clean checkout.
#
# What "fresh clone" means here: `git clone` of this repository at HEAD plus the working tree's
# uncommitted changes (tracked and untracked files, not ignored ones), so that a developer tours
# what they are about to commit; with --committed, HEAD alone. The clone's files get the working
# tree's modification times and cargo builds into this repository's target directory, so the
# commands that build (cargo run, scripts/install-c.sh, scripts/build-wasm.sh) reuse the test
# suite's builds instead of starting over (--committed builds in target/tour-committed/). The
# `o2o` binary is built once (release) and put first on PATH, as `cargo install --path o2o-cli`
# would. A page that runs ./scripts/test.sh gets a line saying it is already running.
#
# Usage: scripts/ci/tour.sh [--committed] [--verbose] [PAGE.md...]   (default: README.md docs/*.md)
#   --verbose  print every page's output as it runs (default: only a failing page's last lines)
set -euo pipefail
cd "$(dirname "$0")/../.."
O2O_ROOT=$PWD
source scripts/ci/tools.sh

committed=0
verbose=0
pages=()
for a in "$@"; do
  case "$a" in
    --committed) committed=1 ;;
    --verbose) verbose=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "tour: unknown option $a" >&2; exit 2 ;;
    *) pages+=("$a") ;;
  esac
done
((${#pages[@]})) || pages=(README.md docs/*.md)
say() { echo "tour: $*"; }

# 1. The convention, and the paths the pages mention.
bad=0
for p in "${pages[@]}"; do
  [[ -f "$p" ]] || { say "$p: no such page" >&2; exit 2; }
  while IFS= read -r msg; do
    echo "$msg" >&2
    bad=1
  done < <(awk -v P="$p" '
    /^[ \t]*```/ {
      if (!inb) {
        inb = 1; lang = $0; sub(/^[ \t]*```[ \t]*/, "", lang); sub(/[ \t].*$/, "", lang)
        if (lang ~ /^(bash|shell|console|zsh|shell-session|sh-session|terminal)$/)
          print P ":" NR ": a ```" lang " block: use ```sh for commands the tour runs, ```text for output"
      } else if ($0 ~ /^[ \t]*```[ \t]*$/) inb = 0
    }
    END { if (inb) print P ": a code block is not closed" }' "$p")
  while IFS=: read -r line path; do
    path="${path#[\` (]}"
    if [[ ! -e "$path" ]]; then
      echo "$p:$line: $path does not exist" >&2
      bad=1
    fi
  done < <(grep -noE '(^|[` (])(scripts|docs/examples)/[A-Za-z0-9_./-]*[A-Za-z0-9_]' "$p" || true)
done
((bad == 0)) || { say "the pages break the convention above (see scripts/ci/tour.sh)" >&2; exit 1; }

# 2. A fresh clone, as a template copied for each page.
missing_c="$(o2o_missing_c | paste -sd';' - | sed 's/;/; /g')"
missing_wasm="$(o2o_missing_wasm | paste -sd';' - | sed 's/;/; /g')"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/o2o-tour.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
template="$tmp/clone"
git clone --quiet --no-checkout "$O2O_ROOT" "$template"
git -C "$template" checkout --quiet --detach "$(git rev-parse HEAD)"
target_dir="$(o2o_target_dir)"
if ((committed)); then
  say "clone of HEAD ($(git rev-parse --short HEAD)), uncommitted changes left out"
  target_dir="$target_dir/tour-committed"
else
  git diff HEAD --binary >"$tmp/wip.patch"
  if [[ -s "$tmp/wip.patch" ]]; then
    git -C "$template" apply --whitespace=nowarn "$tmp/wip.patch"
  fi
  git ls-files -o --exclude-standard -z | tar --null -T - -cf - | tar -C "$template" -xf -
  # The working tree's modification times, so cargo finds the test suite's builds current.
  git ls-files -z | while IFS= read -r -d '' f; do
    if [[ -e "$f" || -L "$f" ]]; then touch -h -r "$f" "$template/$f"; fi
  done
  changed=$( (git diff HEAD --name-only; git ls-files -o --exclude-standard) | wc -l)
  say "clone of HEAD ($(git rev-parse --short HEAD)) with the working tree's $changed uncommitted file(s)"
fi

say "building the o2o binary once (cargo build --release -p o2o-cli)"
(cd "$template" && CARGO_TARGET_DIR="$target_dir" cargo build --quiet --release -p o2o-cli)
mkdir -p "$tmp/bin"
ln -s "$target_dir/release/o2o" "$tmp/bin/o2o"

# 3. Each page's ```sh blocks as one script whose line N is the page's line N (so a failure names
# the page's line); lines outside the blocks are blank.
page_script() { # $1 = page
  awk -v skipc="$missing_c" -v skipwasm="$missing_wasm" '
    function q(s) { gsub(/\047/, "\047\\\047\047", s); return "\047" s "\047" }
    { line[NR] = $0 }
    END {
      n = NR
      i = 1
      while (i <= n) {
        if (line[i] !~ /^[ \t]*```/) { i++; continue }
        lang = line[i]; sub(/^[ \t]*```[ \t]*/, "", lang); sub(/[ \t].*$/, "", lang)
        j = i + 1
        while (j <= n && line[j] !~ /^[ \t]*```[ \t]*$/) j++
        if (lang == "sh") {
          text = ""; shown = ""
          for (k = i + 1; k < j; k++) { text = text line[k] "\n"; shown = shown " " q(line[k]) }
          why = ""
          if (skipc != "" && (text ~ /install-c\.sh/ || text ~ /(^|[ \t;&|(])(cc|gcc|g\+\+|c\+\+)[ \t]/))
            why = "needs the C tools, missing: " skipc
          if (skipwasm != "" && text ~ /build-wasm\.sh/)
            why = "needs the WASM tools, missing: " skipwasm
          if (why != "") out[i] = "__tour_skip " i " " j " " q(why)
          else {
            out[i] = "__tour_block " i " " j shown
            for (k = i + 1; k < j; k++) out[k] = line[k]
          }
        }
        i = j + 1
      }
      pre = "set -eo pipefail; trap \047rc=$?; echo \"tour: $TOUR_PAGE:$LINENO: this command failed (exit $rc)\" >&2; exit $rc\047 ERR;"
      pre = pre " __tour_block() { printf \"\\n--- %s:%s-%s (at %s s)\\n\" \"$TOUR_PAGE\" \"$1\" \"$2\" \"$SECONDS\"; shift 2; printf \"\\$ %s\\n\" \"$@\"; };"
      pre = pre " __tour_skip() { echo \"tour: SKIPPED $TOUR_PAGE:$1-$2: $3\"; echo \"$TOUR_PAGE:$1\" >>\"$TOUR_SKIPS\"; };"
      out[1] = pre " " out[1]
      for (k = 1; k <= n; k++) print out[k]
    }' "$1"
}

export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export npm_config_cache="${npm_config_cache:-$HOME/.npm}"
touch "$tmp/skips"
failed=0
for p in "${pages[@]}"; do
  blocks=$(grep -cE '^[[:blank:]]*```sh[[:blank:]]*$' "$p" || true)
  ((blocks > 0)) || continue
  slug="${p//\//_}"
  dir="$tmp/page-$slug"
  cp -a "$template" "$dir"
  # The npm tools the test suite installed (wasm-opt), as in the working tree.
  if [[ -d "$O2O_ROOT/$O2O_NPM_DIR/node_modules" ]]; then
    ln -sfn "$O2O_ROOT/$O2O_NPM_DIR/node_modules" "$dir/$O2O_NPM_DIR/node_modules"
  fi
  mkdir -p "$tmp/home-$slug"
  page_script "$p" >"$tmp/$slug.sh"
  git -C "$dir" status --porcelain --untracked-files=all >"$tmp/$slug.before"
  t0=$SECONDS
  log="$tmp/$slug.log"
  set +e
  (
    cd "$dir"
    export HOME="$tmp/home-$slug" PATH="$tmp/bin:$PATH" CARGO_TARGET_DIR="$target_dir" O2O_TOUR=1 \
      TOUR_PAGE="$p" TOUR_SKIPS="$tmp/skips" CARGO_INSTALL_ROOT="$tmp/home-$slug/.cargo"
    if ((verbose)); then
      bash "$tmp/$slug.sh" </dev/null 2>&1 | tee "$log"
    else
      bash "$tmp/$slug.sh" </dev/null >"$log" 2>&1
    fi
  )
  rc=$?
  set -e
  grep '^tour: SKIPPED' "$log" || true
  # What the commands wrote must be ignored by git, and tracked files (docs/examples/…) left
  # alone: a user following the page keeps a clean checkout.
  if ((rc == 0)); then
    # (diff exits 1 when it finds a difference: not an error of the tour's own under pipefail.)
    left="$(git -C "$dir" status --porcelain --untracked-files=all | { diff "$tmp/$slug.before" - || true; } | sed -n 's/^> //p')"
    if [[ -n "$left" ]]; then
      echo "tour: $p: its commands changed tracked files or wrote files git does not ignore" \
        "(write elsewhere, or add them to .gitignore):" >&2
      echo "$left" | sed 's/^/  /' >&2
      rc=1
    fi
  fi
  if ((rc == 0)); then
    n_skipped=$(grep -c "^$p:" "$tmp/skips" || true)
    say "$p: $((blocks - n_skipped)) block(s) ran as pasted$( ((n_skipped)) && echo ", $n_skipped skipped") ($((SECONDS - t0)) s)"
  else
    ((verbose)) || { echo "tour: $p failed; the end of its output:"; tail -n 60 "$log" | sed 's/^/  | /'; }
    say "FAILED $p ($((SECONDS - t0)) s)" >&2
    failed=1
  fi
done

skips=$(wc -l <"$tmp/skips")
[[ -z "${O2O_TOUR_SKIPS_FILE:-}" ]] || echo "$skips" >"$O2O_TOUR_SKIPS_FILE"
((failed == 0)) || exit 1
if ((skips > 0)); then
  if [[ -n "${O2O_REQUIRE_ALL:-}" ]]; then
    say "$skips block(s) skipped for missing tools, and O2O_REQUIRE_ALL is set: failing" >&2
    exit 1
  fi
  say "every block ran as pasted, except $skips SKIPPED for missing tools"
else
  say "every block ran as pasted"
fi
