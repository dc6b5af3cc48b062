#!/bin/bash
# ripgrep 13.0.0 (../shared/corpora/rust-ripgrep.sh) built with `cargo build -j2`, side by
# side, interleaved round by round (docs/benchmarks.md, "Rust"):
#   bare           cargo alone, an empty target directory
#   sccache-cold   RUSTC_WRAPPER=sccache (Debian's), an empty sccache cache and a new server
#   sccache-warm   the target directory removed, sccache's cache kept
#   reprise-cold   `reprise exec --`, an empty cache and a new daemon
#   reprise-warm   the target directory removed, the cache kept
# Every build uses the same target directory (outputs record their paths). For the warm
# builds, the share of rustc compile calls served from the cache: sccache's Rust cache hits
# and reprise's rustc hits, over the rustc compile calls cargo made (reprise counts
# those: hits, misses, uncacheable and failed; probes such as `rustc -vV` are not compiles).
# usage: scripts/bench-rust.sh ROOT [ROUNDS]
#   ROOT holds the corpus (prepared there if it is not yet) and the caches.
# Writes ROOT/results/rust.<stamp>.md (and .csv) and prints it.
set -u
checkout=$(cd "$(dirname "$0")/.." && pwd)
corpora=${CORPORA_DIR:-$checkout/../shared/corpora}
die() { echo "bench-rust: $*" >&2; exit 1; }
[ $# -ge 1 ] || die "usage: bench-rust.sh ROOT [ROUNDS]"
root=$(mkdir -p "$1" && cd "$1" && pwd); rounds=${2:-3}
proj=$root/rg target=$root/target results=$root/results logs=$root/logs
mkdir -p "$results" "$logs"
[ -f "$proj/Cargo.lock" ] || "$corpora/rust-ripgrep.sh" "$root" >/dev/null || die "cannot prepare the corpus"
command -v sccache >/dev/null || die "sccache is not installed (apt-get install sccache)"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
csv=$results/rust.$stamp.csv out=$results/rust.$stamp.md

# Private daemons and caches, away from the user's.
export REPRISE_RUNTIME_DIR=$root/run/reprise REPRISE_CACHE_DIR=$root/cache/reprise REPRISE_IDLE_TIMEOUT=0
export SCCACHE_DIR=$root/cache/sccache SCCACHE_SERVER_PORT=${SCCACHE_SERVER_PORT:-4299} SCCACHE_CACHE_SIZE=10G SCCACHE_IDLE_TIMEOUT=0
export CARGO_TERM_COLOR=never
reprise() { node "$checkout/bin/reprise.js" "$@"; }
cleanup() { reprise daemon stop >/dev/null 2>&1; sccache --stop-server >/dev/null 2>&1; }
trap cleanup EXIT

# One build: the command after the config name; prints its wall time in seconds.
timed() { # name cmd...
  local name=$1; shift
  local t0=$EPOCHREALTIME
  (cd "$proj" && "$@" cargo build -j2 --target-dir "$target") > "$logs/rust.$stamp.$name.r$r.log" 2>&1 || die "$name build failed (see $logs)"
  local t1=$EPOCHREALTIME
  echo "scale=2; (${t1/./} - ${t0/./}) / 1000000" | bc
}
fresh_sccache() { sccache --stop-server >/dev/null 2>&1; rm -rf "$SCCACHE_DIR"; sccache --start-server >/dev/null 2>&1 || die "sccache --start-server failed"; }
fresh_reprise() { reprise daemon stop >/dev/null 2>&1; rm -rf "$REPRISE_CACHE_DIR"; mkdir -p "$REPRISE_RUNTIME_DIR"; chmod 700 "$REPRISE_RUNTIME_DIR"; reprise daemon start >/dev/null 2>&1 || die "reprise daemon start failed"; }
# rustc counters from reprise: "hits calls"
reprise_rustc() { reprise stats --json | node -e 'const t=JSON.parse(require("fs").readFileSync(0,"utf8")).tools.rustc||{};const n=(k)=>t[k]||0;console.log(n("direct-hit"),n("direct-hit")+n("miss")+n("uncacheable")+n("tool-failed"))'; }
# Rust cache hits from sccache's statistics.
sccache_rust_hits() { sccache --show-stats 2>/dev/null | awk '/^Cache hits \(Rust\)/ {print $NF; f=1} END {if (!f) print 0}'; }
sw() { env RUSTC_WRAPPER=sccache "$@"; }
rw() { reprise exec -- "$@"; }

echo "round,config,seconds,served,calls" > "$csv"
for r in $(seq "$rounds"); do
  rm -rf "$target"; s=$(timed bare env); echo "$r,bare,$s,," >> "$csv"
  fresh_sccache; rm -rf "$target"; s=$(timed sccache-cold sw); echo "$r,sccache-cold,$s,," >> "$csv"
  sccache --zero-stats >/dev/null 2>&1; rm -rf "$target"; s=$(timed sccache-warm sw)
  sccache --show-stats > "$logs/rust.$stamp.sccache.r$r.stats" 2>&1
  echo "$r,sccache-warm,$s,$(sccache_rust_hits),," >> "$csv"
  fresh_reprise; rm -rf "$target"; s=$(timed reprise-cold rw)
  read -r _ calls < <(reprise_rustc); echo "$r,reprise-cold,$s,,$calls" >> "$csv"
  rm -rf "$target"; read -r h0 c0 < <(reprise_rustc); s=$(timed reprise-warm rw); read -r h1 c1 < <(reprise_rustc)
  echo "$r,reprise-warm,$s,$((h1 - h0)),$((c1 - c0))" >> "$csv"
  reprise stats > "$logs/rust.$stamp.reprise.r$r.stats" 2>&1
done

node - "$csv" "$out" "$rounds" "$(rustc --version)" "$(sccache --version)" <<'EOF'
const fs = require('node:fs');
const [csv, out, rounds, rustc, sccache] = process.argv.slice(2);
const rows = fs.readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const med = (a) => { const s = [...a].sort((x, y) => x - y); const n = s.length; return n ? (n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2) : NaN; };
const secs = (c) => med(rows.filter((r) => r[1] === c).map((r) => Number(r[2])));
// Every build makes the same rustc compile calls; reprise's cold build counted them.
const calls = med(rows.filter((r) => r[1] === 'reprise-cold').map((r) => Number(r[4])));
const served = (c) => med(rows.filter((r) => r[1] === c).map((r) => Number(r[3])));
const f = (x) => x.toFixed(2);
const share = (c) => `${served(c)} of ${calls} (${Math.round((100 * served(c)) / calls)}%)`;
const lines = [
  `# ripgrep 13.0.0, cargo build -j2: bare, sccache and reprise (${rounds} round${rounds === '1' ? '' : 's'}, medians)`, '',
  `${rustc}; ${sccache}; ${new Date().toISOString()}`, '',
  '| build | wall time (s) | vs bare | rustc compile calls served from the cache |', '|---|---|---|---|',
  `| bare cargo | ${f(secs('bare'))} | 1.00x | — |`,
  `| sccache, empty cache | ${f(secs('sccache-cold'))} | ${f(secs('sccache-cold') / secs('bare'))}x | — |`,
  `| sccache, target removed, warm | ${f(secs('sccache-warm'))} | ${f(secs('sccache-warm') / secs('bare'))}x | ${share('sccache-warm')} |`,
  `| reprise, empty cache | ${f(secs('reprise-cold'))} | ${f(secs('reprise-cold') / secs('bare'))}x | — |`,
  `| reprise, target removed, warm | ${f(secs('reprise-warm'))} | ${f(secs('reprise-warm') / secs('bare'))}x | ${share('reprise-warm')} |`, '',
  `reprise warm / sccache warm: ${f(secs('reprise-warm') / secs('sccache-warm'))}x (target ≤ 0.8x); reprise cold / bare: ${f(secs('reprise-cold') / secs('bare'))}x (target ≤ 1.2x).`,
];
fs.writeFileSync(out, lines.join('\n') + '\n');
console.log(lines.join('\n'));
EOF
