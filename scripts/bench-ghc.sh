#!/bin/bash
# GHC through cabal, bare and through reprise, interleaved round by round (docs/benchmarks.md,
# "GHC"), on hledger-lib 1.25 (../shared/corpora/haskell-hledger-lib.sh; 48 modules):
#   bare-cold     cabal build lib:hledger-lib in a fresh tree (no dist-newstyle)
#   bare-body     then a function-body edit of Hledger.Data.Amount (showAmountDebug's literal)
#   bare-export   then a new export in Hledger.Utils.Text (re-exported by Hledger.Utils)
#   bare-unf      (-O1) then an edit of `num`'s body, whose unfolding the interface exposes
#   reprise-*     the same through `reprise exec --`, an empty store and a new daemon at cold,
#   reprise-warm  plus a rebuild after `rm -rf dist-newstyle` with the store kept
# Each line gives the wall time and the modules compiled (bare: cabal's `Compiling` lines,
# which are ghc's own recompilation checker at work; reprise: misses).
# usage: scripts/bench-ghc.sh ROOT [ROUNDS] [OPT...]   (OPT: -O0 and -O1 by default)
# Writes ROOT/results/ghc.<stamp>.md (and .csv) and prints it.
set -u
checkout=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED_DIR:-$checkout/../shared}
die() { echo "bench-ghc: $*" >&2; exit 1; }
[ $# -ge 1 ] || die "usage: bench-ghc.sh ROOT [ROUNDS] [OPT...]"
root=$(mkdir -p "$1" && cd "$1" && pwd); rounds=${2:-1}; shift; shift || true
opts=("$@"); [ ${#opts[@]} -gt 0 ] || opts=(-O0 -O1)
corpus=${REPRISE_GHC_HLEDGER:-$HOME/.cache/reprise-test/ghc-hledger}
[ -f "$corpus/haskell-hledger-lib-1.25/hledger-lib.cabal" ] || "$shared/corpora/haskell-hledger-lib.sh" "$corpus" >/dev/null || die "cannot prepare hledger-lib"
results=$root/results logs=$root/logs
mkdir -p "$results" "$logs"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
csv=$results/ghc.$stamp.csv out=$results/ghc.$stamp.md
export CABAL_DIR=$root/cabal-home REPRISE_RUNTIME_DIR=$root/run/reprise REPRISE_CACHE_DIR=$root/cache/reprise REPRISE_IDLE_TIMEOUT=0
rm -rf "$CABAL_DIR"; cp -a "$corpus/cabal-home" "$CABAL_DIR"
reprise() { node "$checkout/bin/reprise.js" "$@"; }
trap 'reprise daemon stop >/dev/null 2>&1' EXIT
# Modules ghc ran: misses, modules compiled ahead (speculated), and compiles not stored.
ghc_misses() { reprise stats --json | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const j=JSON.parse(s),t=j.tools.ghc||{};console.log((t.miss||0)+(t.speculated||0)+(j.uncacheableReasons['input-changed-during-compile']||0))})"; }

edit() { # tree kind
  local t=$1/haskell-hledger-lib-1.25
  case $2 in
    body) sed -i 's/"Amount {acommodity="/"Amount#1 {acommodity="/' "$t/Hledger/Data/Amount.hs" ;;
    export) sed -i 's/^  tests_Text$/  tests_Text, probeExport1/' "$t/Hledger/Utils/Text.hs"; printf '\nprobeExport1 :: Int -> Int\nprobeExport1 = (+1)\n' >> "$t/Hledger/Utils/Text.hs" ;;
    unf) sed -i 's/^num n = amount{acommodity="",  aquantity=n}/num n = amount{acommodity="",  aquantity=n*1}/' "$t/Hledger/Data/Amount.hs" ;;
  esac
  sleep 0.05
}
# One build: appends "round,opt,config,seconds,modules" to the csv.
build() { # tree opt config via(bare|reprise)
  local tree=$1 opt=$2 config=$3 via=$4 log=$logs/ghc.$stamp.$2.$3.r$r.log
  local m0=0; [ "$via" = reprise ] && m0=$(ghc_misses)
  local t0=$EPOCHREALTIME
  if [ "$via" = reprise ]; then
    (cd "$tree/haskell-hledger-lib-1.25" && reprise exec -- cabal build "$opt" lib:hledger-lib) > "$log" 2>&1 || die "$config $opt failed (see $log)"
  else
    (cd "$tree/haskell-hledger-lib-1.25" && cabal build "$opt" lib:hledger-lib) > "$log" 2>&1 || die "$config $opt failed (see $log)"
  fi
  local t1=$EPOCHREALTIME
  local s; s=$(echo "scale=3; (${t1/./} - ${t0/./}) / 1000000" | bc)
  local n; if [ "$via" = reprise ]; then n=$(( $(ghc_misses) - m0 )); else n=$(grep -c '] Compiling ' "$log"); fi
  echo "$r,$opt,$config,$s,$n" >> "$csv"
}
fresh_tree() { rm -rf "$1"; mkdir -p "$1"; cp -a "$corpus/haskell-hledger-lib-1.25" "$1/"; }

echo "round,opt,config,seconds,modules" > "$csv"
for r in $(seq "$rounds"); do
  for opt in "${opts[@]}"; do
    edits=(body export); [ "$opt" = -O0 ] || edits+=(unf)
    fresh_tree "$root/bare"
    build "$root/bare" "$opt" bare-cold bare
    reprise daemon stop >/dev/null 2>&1; rm -rf "$REPRISE_CACHE_DIR"; mkdir -p "$REPRISE_RUNTIME_DIR"; chmod 700 "$REPRISE_RUNTIME_DIR"
    fresh_tree "$root/reprise"
    build "$root/reprise" "$opt" reprise-cold reprise
    rm -rf "$root/reprise/haskell-hledger-lib-1.25/dist-newstyle"
    build "$root/reprise" "$opt" reprise-warm reprise
    for e in "${edits[@]}"; do
      edit "$root/bare" "$e"; build "$root/bare" "$opt" "bare-$e" bare
      edit "$root/reprise" "$e"; build "$root/reprise" "$opt" "reprise-$e" reprise
    done
  done
done

node - "$csv" "$rounds" > "$out" <<'JS'
const [csv, rounds] = process.argv.slice(2);
const rows = require('fs').readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const med = (xs) => { if (xs.length === 0) return NaN; const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const f = (x) => (Number.isNaN(x) ? '-' : `${x.toFixed(2)} s`);
const q = (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? '-' : (a / b).toFixed(3));
const out = [`# hledger-lib through cabal, medians of ${rounds} interleaved round(s): wall time (modules compiled)`, '', '| opt | step | bare cabal | reprise | reprise / bare | reprise / bare cold |', '|---|---|---|---|---|---|'];
for (const opt of [...new Set(rows.map((r) => r[1]))]) {
  const get = (c) => ({ s: med(rows.filter((r) => r[1] === opt && r[2] === c).map((r) => Number(r[3]))), n: med(rows.filter((r) => r[1] === opt && r[2] === c).map((r) => Number(r[4]))) });
  const cold = get('bare-cold');
  for (const step of ['cold', 'warm', 'body', 'export', 'unf']) {
    const b = step === 'warm' ? { s: NaN, n: NaN } : get(`bare-${step}`);
    const p = get(`reprise-${step}`);
    if (Number.isNaN(p.s)) continue;
    const cell = (x) => (Number.isNaN(x.s) ? '-' : `${f(x.s)} (${x.n})`);
    out.push(`| ${opt} | ${step === 'warm' ? 'warm (rm -rf dist-newstyle)' : step} | ${cell(b)} | ${cell(p)} | ${q(p.s, b.s)} | ${q(p.s, cold.s)} |`);
  }
}
console.log(out.join('\n'));
JS
cat "$out"
