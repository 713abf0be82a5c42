#!/usr/bin/env bash
# Docs are for users: no development diary. Fails when a doc page (README.md, docs/**/*.md) or a
# comment in the sources (Rust, C, JS/TS, shell, Python, TOML) holds
#   - a session number or a reference to a working session ("ninth session", "this session"),
#   - a load figure ("load average ~19", "[load 1.2]", "load ≈ 17"),
#   - a date of work ("measured on 2026-03-01", "ran this morning"),
#   - a commit hash of this repository (any 7-40 hex digit word that names a commit here).
# History lives in git log; current figures, with the command that measures each, live in
# docs/performance.md. Run from anywhere in the repository; CI runs it (.ci/run).
set -euo pipefail
root="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
cd "$root"

python3 - "$@" <<'PY'
import re
import subprocess
import sys

ORDINALS = (
    "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    "thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth"
)
PATTERNS = [
    ("session number", re.compile(
        rf"\b(?:{ORDINALS}|this|last|previous|earlier) (?:work(?:ing)? )?session\b"
        r"|\bsession (?:#\s*)?\d+\b|\bsessions? ago\b", re.I)),
    ("load figure", re.compile(
        r"\bload ?(?:average|avg)\b|\[load\b|\bload ?[≈~=]|\bload of (?:~|about )?\d", re.I)),
    ("date of work", re.compile(
        r"\b(?:measured|ran|run|timed|benchmarked) (?:on|in|at) (?:20\d\d-\d\d|(?:jan|feb|mar|apr|"
        r"may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d|this morning|this afternoon|last night|"
        r"yesterday|today)\b", re.I)),
]
HEX = re.compile(r"\b[0-9a-f]{7,40}\b")
SLASH = {".rs", ".c", ".h", ".js", ".mjs", ".cjs", ".ts", ".go", ".java"}
HASH = {".sh", ".py", ".toml", ".yml", ".yaml", ".cfg"}
SKIP = ("scripts/ci/check-docs.sh",)


def comments(path, text):
    """(line number, text) of each doc line or comment."""
    ext = path[path.rfind("."):] if "." in path else ""
    base = path.rsplit("/", 1)[-1]
    for n, line in enumerate(text.splitlines(), 1):
        if ext == ".md":
            yield n, line
        elif ext in SLASH:
            s = line.lstrip()
            if s.startswith(("*", "/*")):
                yield n, s
                continue
            # A `//` comment, not a URL's `://`.
            m = re.search(r"(?<![:\w])//(.*)", line)
            if m:
                yield n, m.group(1)
        elif ext in HASH or base in ("run", "Makefile", "Dockerfile"):
            m = re.search(r"(?:^|\s)#(.*)", line)
            if m:
                yield n, m.group(1)


files = subprocess.run(
    ["git", "ls-files", "-co", "--exclude-standard", "-z"],
    check=True, capture_output=True,
).stdout.decode().split("\0")
found = []
hexes = {}
for path in filter(None, files):
    if path in SKIP or path.startswith(("target/", "fuzz/corpus/", "fuzz/artifacts/")):
        continue
    is_doc = path.endswith(".md")
    try:
        text = open(path, encoding="utf-8").read()
    except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
        continue
    for n, line in comments(path, text):
        for what, rx in PATTERNS:
            m = rx.search(line)
            if m:
                found.append(f"{path}:{n}: {what}: {m.group(0)!r}")
        for tok in HEX.findall(line):
            if re.search(r"[a-f]", tok) and re.search(r"\d", tok):
                hexes.setdefault(tok, []).append(f"{path}:{n}")

# A hex word is a commit hash when it names a commit of this repository.
if hexes:
    toks = sorted(hexes)
    out = subprocess.run(
        ["git", "cat-file", "--batch-check=%(objecttype)"],
        input="".join(f"{t}\n" for t in toks).encode(),
        capture_output=True, check=True,
    ).stdout.decode().splitlines()
    for tok, kind in zip(toks, out):
        if kind.strip() == "commit":
            for where in hexes[tok]:
                found.append(f"{where}: commit hash: {tok!r}")

if found:
    print("check-docs: docs and comments are for users, not a diary (history lives in git log;")
    print("current figures with their commands in docs/performance.md):")
    for f in sorted(found):
        print("  " + f)
    sys.exit(1)
print("check-docs: no session numbers, load figures, dates of work or commit hashes")
PY
