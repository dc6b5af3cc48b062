#!/bin/bash
# The sandbox's cost, side by side in one run (docs/benchmarks.md, "Sandboxed fills"):
#  1. cold builds of the Lua corpus: bare gcc, reprise with the sandbox (the default) and
#     reprise with REPRISE_SANDBOX=off, interleaved round by round (A B C A B C ...);
#  2. the cost per miss: every compile command of the cold build replayed one at a time
#     through the shim with a fresh -D (so each is a miss), sandbox on and off alternately,
#     and bare gcc beside them.
# usage: scripts/bench-sandbox.sh ROOT [ROUNDS [MISS_ROUNDS]]
#   ROOT as for ../shared/bench/bench.sh (the corpus is prepared there if it is not yet).
# Writes ROOT/results/sandbox.<stamp>.md and prints it.
set -u
. "$(dirname "$0")/lua-bench.sh"
lua_bench_start "bench-sandbox.sh ROOT [ROUNDS [MISS_ROUNDS]]" "$@"
rounds=${2:-3}; miss_rounds=${3:-3}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=$RESULTS_DIR/sandbox.$stamp.md

reprise() { node "$checkout/bin/reprise.js" "$@"; }
shim=$ROOT/shims/reprise-sb
bare=$ROOT/shims/bare
mkdir -p "$shim" "$bare"
reprise shims install "$shim" >/dev/null || die "reprise shims install failed"
# Each configuration has its own daemon (runtime dir) and cache, so both stay warm in memory.
cfg_env() { # on|off -> the environment of a build through that daemon
  echo "REPRISE_RUNTIME_DIR=$ROOT/run/sb-$1 REPRISE_CACHE_DIR=$ROOT/cache/sb-$1 REPRISE_SANDBOX=$1 REPRISE_IDLE_TIMEOUT=0"
}
restart() { # on|off: an empty cache, a daemon started with that setting
  env $(cfg_env "$1") node "$checkout/bin/reprise.js" daemon stop >/dev/null 2>&1
  rm -rf "$ROOT/cache/sb-$1"; mkdir -p "$ROOT/cache/sb-$1" "$ROOT/run/sb-$1"; chmod 700 "$ROOT/run/sb-$1"
  env $(cfg_env "$1") node "$checkout/bin/reprise.js" daemon start >/dev/null 2>&1
}
cleanup() { for m in on off; do env $(cfg_env $m) node "$checkout/bin/reprise.js" daemon stop >/dev/null 2>&1; done; }
trap cleanup EXIT
ensure_snapshot "$shim"

csv=$RESULTS_DIR/sandbox.$stamp.csv
echo "round,config,seconds" > "$csv"
reset_tree; note "warm-up: $(timed_build "$bare" "$LOG_DIR/sandbox.warmup.log")s"
for r in $(seq "$rounds"); do
  reset_tree; s=$(timed_build "$bare" "$LOG_DIR/sandbox.$stamp.bare.r$r.log") || die "bare build failed"
  echo "$r,bare,$s" >> "$csv"; note "round $r bare: ${s}s"
  for m in on off; do
    restart $m; reset_tree
    s=$(export $(cfg_env $m); timed_build "$shim" "$LOG_DIR/sandbox.$stamp.$m.r$r.log") || die "build sandbox=$m failed"
    echo "$r,sandbox-$m,$s" >> "$csv"; note "round $r sandbox=$m: ${s}s"
    env $(cfg_env $m) node "$checkout/bin/reprise.js" stats > "$LOG_DIR/sandbox.$stamp.$m.r$r.stats" 2>&1
  done
done

# Per miss: the compile commands of the last cold build, each run with a new -D.
mapfile -t cmds < <(sed -n 's/^libtool: compile: *//p' "$LOG_DIR/sandbox.$stamp.on.r$rounds.log" | head -40)
[ ${#cmds[@]} -gt 0 ] || die "no compile commands in the build log"
reset_tree; mkdir -p "$WORK_DIR/src/.libs"
times=$RESULTS_DIR/sandbox.$stamp.miss.csv
echo "round,command,bare_ms,on_ms,off_ms" > "$times"
ms() { local t0=$EPOCHREALTIME; "$@" >/dev/null 2>&1; local t1=$EPOCHREALTIME; echo $(( (${t1/./} - ${t0/./}) / 1000 )); }
for r in $(seq "$miss_rounds"); do
  for i in "${!cmds[@]}"; do
    nonce="-DREPRISE_BENCH_NONCE=$r$i$RANDOM"
    b=$(cd "$WORK_DIR/src" && ms env PATH="$bare:$PATH" bash -c "${cmds[$i]} $nonce")
    on=$(cd "$WORK_DIR/src" && ms env $(cfg_env on) PATH="$shim:$PATH" bash -c "${cmds[$i]} $nonce")
    off=$(cd "$WORK_DIR/src" && ms env $(cfg_env off) PATH="$shim:$PATH" bash -c "${cmds[$i]} $nonce")
    echo "$r,$i,$b,$on,$off" >> "$times"
  done
done

node - "$csv" "$times" "$out" "$rounds" <<'EOF'
const fs = require('node:fs');
const [csv, times, out, rounds] = process.argv.slice(2);
const med = (a) => { const s = [...a].sort((x, y) => x - y); const n = s.length; return n ? (n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2) : NaN; };
const rows = fs.readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const by = (c) => rows.filter((r) => r[1] === c).map((r) => Number(r[2]));
const ratio = (a, b) => rows.filter((r) => r[1] === a).map((r) => Number(r[2]) / Number(rows.find((q) => q[0] === r[0] && q[1] === b)[2]));
const m = fs.readFileSync(times, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
const f = (x) => x.toFixed(2);
const lines = [
  `## Sandbox cost, Lua 5.4 corpus, ${rounds} interleaved rounds, make -j${process.env.JOBS ?? 2}`,
  '',
  '| build | median s | per round |',
  '|---|---|---|',
  ...['bare', 'sandbox-on', 'sandbox-off'].map((c) => `| ${c} | ${f(med(by(c)))} | ${by(c).map(f).join(' ')} |`),
  '',
  `- cold with the sandbox / without it: **${f(med(by('sandbox-on')) / med(by('sandbox-off')))}x** by medians; per round ${ratio('sandbox-on', 'sandbox-off').map(f).join(', ')}`,
  `- cold with the sandbox / bare: ${f(med(by('sandbox-on')) / med(by('bare')))}x; without it / bare: ${f(med(by('sandbox-off')) / med(by('bare')))}x`,
  '',
  `Per miss (${m.length} compiles of ${new Set(m.map((r) => r[1])).size} commands, each with a fresh -D, one at a time):`,
  '',
  '| | median ms |',
  '|---|---|',
  `| bare gcc | ${f(med(m.map((r) => r[2])))} |`,
  `| reprise, sandbox on | ${f(med(m.map((r) => r[3])))} |`,
  `| reprise, sandbox off | ${f(med(m.map((r) => r[4])))} |`,
  `| **sandbox overhead per miss** (median of on − off, paired) | **${f(med(m.map((r) => r[3] - r[4])))}** |`,
  `| reprise miss overhead over bare, sandbox on (median, paired) | ${f(med(m.map((r) => r[3] - r[2])))} |`,
  '',
];
fs.writeFileSync(out, lines.join('\n'));
console.log(lines.join('\n'));
EOF
