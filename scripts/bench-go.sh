#!/bin/bash
# Go builds side by side, interleaved round by round (docs/benchmarks.md, "Go"), on go 1.23
# with GOCACHEPROG compiled in (../shared/go/build-go-cacheprog.sh), for restic 0.14.0
# (../shared/corpora/go-restic.sh, `go build -p 2 ./cmd/restic`) and a small program (one
# main package, one library, encoding/json; std compiled from source as go 1.23 does):
#   bare           go alone, an empty GOCACHE
#   go-warm        go alone, GOCACHE full from `bare` (the anchor)
#   reprise-cold   the shims first on PATH (`reprise env`), an empty store, a new daemon, an empty GOCACHE
#   reprise-warm   the same with the store kept and a fresh empty GOCACHE: every entry comes from reprise
#   exec-warm      reprise-warm through `reprise exec --` (adds the Node start of the CLI)
# The output binary is removed before every build (go skips a link whose output is current).
# usage: scripts/bench-go.sh ROOT [ROUNDS]
#   ROOT holds the corpus (prepared there if it is not yet), the caches and the results.
# Writes ROOT/results/go.<stamp>.md (and .csv) and prints it.
set -u
checkout=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED_DIR:-$checkout/../shared}
die() { echo "bench-go: $*" >&2; exit 1; }
[ $# -ge 1 ] || die "usage: bench-go.sh ROOT [ROUNDS]"
root=$(mkdir -p "$1" && cd "$1" && pwd); rounds=${2:-3}
results=$root/results logs=$root/logs gobin=$root/gobin
mkdir -p "$results" "$logs" "$gobin"
goprog=${REPRISE_GO_CACHEPROG:-$HOME/.cache/reprise-test/go-cacheprog}
[ -x "$goprog" ] || "$shared/go/build-go-cacheprog.sh" "$goprog" >/dev/null || die "cannot build the cacheprog go"
ln -sf "$goprog" "$gobin/go"
restic_root=${REPRISE_GO_RESTIC:-$HOME/.cache/reprise-test/go-restic}
[ -d "$restic_root/gp/src/github.com/restic/restic" ] || "$shared/corpora/go-restic.sh" "$restic_root" >/dev/null || die "cannot prepare restic"
small=$root/small
mkdir -p "$small/greet"
printf 'module example.com/hello\n\ngo 1.19\n' > "$small/go.mod"
printf 'package main\n\nimport (\n\t"encoding/json"\n\t"fmt"\n\n\t"example.com/hello/greet"\n)\n\nfunc main() {\n\tb, _ := json.Marshal(map[string]string{"g": greet.Hello("go")})\n\tfmt.Println(string(b))\n}\n' > "$small/main.go"
printf 'package greet\n\nimport "strings"\n\nfunc Hello(n string) string { return "hello, " + strings.ToUpper(n) }\n' > "$small/greet/greet.go"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
csv=$results/go.$stamp.csv out=$results/go.$stamp.md

export REPRISE_RUNTIME_DIR=$root/run/reprise REPRISE_CACHE_DIR=$root/cache/reprise REPRISE_IDLE_TIMEOUT=0
export GOROOT=/usr/lib/go-1.23 GOTOOLCHAIN=local GOFLAGS= GOPROXY=off
unset GOCACHEPROG GOEXPERIMENT REPRISE_GO
export PATH=$gobin:$PATH
shims=$checkout/build/shims
reprise() { node "$checkout/bin/reprise.js" "$@"; }
trap 'reprise daemon stop >/dev/null 2>&1' EXIT

# One build of a corpus: prints its wall time in seconds.
timed() { # corpus name GOCACHE prefix...
  local corpus=$1 name=$2 gocache=$3; shift 3
  local dir=$small pkg=. extra=()
  if [ "$corpus" = restic ]; then
    dir=$restic_root/gp/src/github.com/restic/restic pkg=./cmd/restic
    extra=(env GOPATH="$restic_root/gp:/usr/share/gocode" GO111MODULE=off)
  else
    extra=(env GOPATH="$root/gopath" GO111MODULE=on)
  fi
  rm -f "$root/out.bin"
  local t0=$EPOCHREALTIME
  (cd "$dir" && "$@" "${extra[@]}" GOCACHE="$gocache" go build -p 2 -o "$root/out.bin" "$pkg") > "$logs/go.$stamp.$corpus.$name.r$r.log" 2>&1 || die "$corpus $name build failed (see $logs)"
  local t1=$EPOCHREALTIME
  echo "scale=3; (${t1/./} - ${t0/./}) / 1000000" | bc
}
fresh_reprise() { reprise daemon stop >/dev/null 2>&1; rm -rf "$REPRISE_CACHE_DIR"; mkdir -p "$REPRISE_RUNTIME_DIR"; chmod 700 "$REPRISE_RUNTIME_DIR"; reprise daemon start >/dev/null 2>&1 || die "reprise daemon start failed"; }
shimmed() { env PATH="$shims:$PATH" "$@"; }
viaexec() { reprise exec -- "$@"; }

echo "round,corpus,config,seconds" > "$csv"
for r in $(seq "$rounds"); do
  for corpus in small restic; do
    gc=$root/gocache
    rm -rf "$gc"; s=$(timed $corpus bare "$gc" env); echo "$r,$corpus,bare,$s" >> "$csv"
    s=$(timed $corpus go-warm "$gc" env); echo "$r,$corpus,go-warm,$s" >> "$csv"
    fresh_reprise; rm -rf "$gc"; s=$(timed $corpus reprise-cold "$gc" shimmed); echo "$r,$corpus,reprise-cold,$s" >> "$csv"
    rm -rf "$gc"; s=$(timed $corpus reprise-warm "$gc" shimmed); echo "$r,$corpus,reprise-warm,$s" >> "$csv"
    rm -rf "$gc"; s=$(timed $corpus exec-warm "$gc" viaexec); echo "$r,$corpus,exec-warm,$s" >> "$csv"
    cmp -s "$root/out.bin" "$root/out.bin" || true
  done
done

# Medians per corpus and config, with the ratios the targets name.
node - "$csv" "$rounds" > "$out" <<'JS'
const [csv, rounds] = process.argv.slice(2);
const rows = require('fs').readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const out = [`# Go builds, go 1.23 with GOCACHEPROG, -p 2, medians of ${rounds} interleaved rounds`, '', '| corpus | bare | go-warm | reprise-cold | reprise-warm | exec-warm | cold / bare | reprise-warm / go-warm | exec-warm / go-warm |', '|---|---|---|---|---|---|---|---|---|'];
for (const corpus of ['small', 'restic']) {
  const m = {};
  for (const c of ['bare', 'go-warm', 'reprise-cold', 'reprise-warm', 'exec-warm']) m[c] = med(rows.filter((r) => r[1] === corpus && r[2] === c).map((r) => Number(r[3])));
  out.push(`| ${corpus} | ${m.bare.toFixed(2)} s | ${m['go-warm'].toFixed(2)} s | ${m['reprise-cold'].toFixed(2)} s | ${m['reprise-warm'].toFixed(2)} s | ${m['exec-warm'].toFixed(2)} s | ${(m['reprise-cold'] / m.bare).toFixed(3)} | ${(m['reprise-warm'] / m['go-warm']).toFixed(3)} | ${(m['exec-warm'] / m['go-warm']).toFixed(3)} |`);
}
console.log(out.join('\n'));
JS
cat "$out"
