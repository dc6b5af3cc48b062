#!/bin/bash
# Go builds side by side, interleaved round by round (docs/benchmarks.md, "Go"), on go 1.23
# with GOCACHEPROG compiled in (../shared/go/build-go-cacheprog.sh), for restic 0.14.0
# (../shared/corpora/go-restic.sh, `go build -p 2 ./cmd/restic`) and a small program (one
# main package, one library, encoding/json; std compiled from source as go 1.23 does):
#   bare           go alone, an empty GOCACHE
#   go-warm        go alone, GOCACHE full from `bare` (the anchor)
#   reprise-cold   the shims first on PATH (`reprise env`), an empty store, a new daemon, an empty GOCACHE
#                  (the daemon is started before the timed build: a new store's fan-out directories are
#                  made as it starts, so they are not in this figure; a user's first build pays them there)
#   reprise-warm   the same with the store kept and a fresh empty GOCACHE: every entry comes from reprise
#   exec-warm      reprise-warm through `reprise exec --` (adds the Node start of the CLI)
#   noindex-warm   reprise-warm with the child's go index off (REPRISE_GO_NO_INDEX=1): every get a daemon round trip
#   child-cold     bare's build with GOCACHEPROG naming the child by hand and no usable daemon (a runtime dir
#                  it refuses): go's GOCACHEPROG path and the child alone, every get a miss, every put spooled;
#                  what reprise-cold costs beyond it is the daemon's
# and on Debian's go 1.19, which reads no GOCACHEPROG, with the shims' -toolexec:
#   bare-119, go-warm-119        the same anchors on go 1.19
#   toolexec-cold, toolexec-warm the shims first on PATH (compile and asm through the store), an
#                                empty store then the store kept, an empty GOCACHE each time
# The output binary is removed before every build (go skips a link whose output is current).
# go's own builds use their own GOCACHE, so that each warm one runs beside reprise's.
# usage: [CORPORA="small restic"] [SMALL_REPS=5] scripts/bench-go.sh ROOT [ROUNDS]
#   ROOT holds the corpus (prepared there if it is not yet), the caches and the results.
# Writes ROOT/results/go.<stamp>.md (and .csv) and prints it.
set -u
checkout=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED_DIR:-$checkout/../shared}
die() { echo "bench-go: $*" >&2; exit 1; }
[ $# -ge 1 ] || die "usage: bench-go.sh ROOT [ROUNDS]"
root=$(mkdir -p "$1" && cd "$1" && pwd); rounds=${2:-3}
results=$root/results logs=$root/logs gobin=$root/gobin
gobin119=$root/gobin119
mkdir -p "$results" "$logs" "$gobin" "$gobin119" "$root/no-daemon"
chmod 755 "$root/no-daemon" # not private: the child refuses it, and answers go on its own
ln -sf /usr/lib/go-1.19/bin/go "$gobin119/go"
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
export GOTOOLCHAIN=local GOFLAGS= GOPROXY=off
unset GOCACHEPROG GOEXPERIMENT REPRISE_GO
base_path=$PATH
# The go a config runs: 1.23 with the experiment, or Debian's 1.19.
use_go() { if [ "$1" = 119 ]; then export GOROOT=/usr/lib/go-1.19 PATH=$gobin119:$base_path; else export GOROOT=/usr/lib/go-1.23 PATH=$gobin:$base_path; fi; }
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
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" > "$root/load.$stamp"
for r in $(seq "$rounds"); do
  for corpus in ${CORPORA:-small restic}; do
    gc=$root/gocache own=$root/gocache-own
    # A small program's warm builds take 0.1-0.3 s: each is repeated, interleaved with its anchor.
    reps=1; [ "$corpus" = small ] && reps=${SMALL_REPS:-5}
    use_go 123
    rm -rf "$own"; s=$(timed $corpus bare "$own" env); echo "$r,$corpus,bare,$s" >> "$csv"
    fresh_reprise; rm -rf "$gc"; s=$(timed $corpus reprise-cold "$gc" shimmed); echo "$r,$corpus,reprise-cold,$s" >> "$csv"
    rm -rf "$gc"; s=$(timed $corpus child-cold "$gc" env GOCACHEPROG="$checkout/build/reprise-shim --cacheprog" REPRISE_RUNTIME_DIR="$root/no-daemon"); echo "$r,$corpus,child-cold,$s" >> "$csv"
    for k in $(seq $reps); do
      s=$(timed $corpus go-warm "$own" env); echo "$r,$corpus,go-warm,$s" >> "$csv"
      rm -rf "$gc"; s=$(timed $corpus reprise-warm "$gc" shimmed); echo "$r,$corpus,reprise-warm,$s" >> "$csv"
      rm -rf "$gc"; s=$(timed $corpus exec-warm "$gc" viaexec); echo "$r,$corpus,exec-warm,$s" >> "$csv"
      rm -rf "$gc"; s=$(timed $corpus noindex-warm "$gc" shimmed env REPRISE_GO_NO_INDEX=1); echo "$r,$corpus,noindex-warm,$s" >> "$csv"
    done
    use_go 119
    rm -rf "$own"; s=$(timed $corpus bare-119 "$own" env); echo "$r,$corpus,bare-119,$s" >> "$csv"
    fresh_reprise; rm -rf "$gc"; s=$(timed $corpus toolexec-cold "$gc" shimmed); echo "$r,$corpus,toolexec-cold,$s" >> "$csv"
    for k in $(seq $reps); do
      s=$(timed $corpus go-warm-119 "$own" env); echo "$r,$corpus,go-warm-119,$s" >> "$csv"
      rm -rf "$gc"; s=$(timed $corpus toolexec-warm "$gc" shimmed); echo "$r,$corpus,toolexec-warm,$s" >> "$csv"
    done
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$root/load.$stamp"
SMALL_REPS=${SMALL_REPS:-5} node - "$csv" "$rounds" > "$out" <<'JS'
const [csv, rounds] = process.argv.slice(2);
const rows = require('fs').readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const out = [`# Go builds, -p 2, medians of ${rounds} interleaved rounds (a small program's warm builds ${process.env.SMALL_REPS || 5} times a round)`, '', '| corpus | go | bare | go-warm | reprise-cold | child-cold | reprise-warm | exec-warm | noindex-warm | cold / bare | child-cold / bare | reprise-warm / go-warm | exec-warm / go-warm | noindex-warm / go-warm |', '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|'];
const f = (x) => (x === undefined || Number.isNaN(x) ? '-' : `${x.toFixed(2)} s`);
const q = (a, b) => (a === undefined || b === undefined || Number.isNaN(a) || Number.isNaN(b) ? '-' : (a / b).toFixed(3));
for (const corpus of ['small', 'restic']) {
  const m = {};
  for (const c of ['bare', 'go-warm', 'reprise-cold', 'child-cold', 'reprise-warm', 'exec-warm', 'noindex-warm', 'bare-119', 'go-warm-119', 'toolexec-cold', 'toolexec-warm']) m[c] = med(rows.filter((r) => r[1] === corpus && r[2] === c).map((r) => Number(r[3])));
  out.push(`| ${corpus} | 1.23 GOCACHEPROG | ${f(m.bare)} | ${f(m['go-warm'])} | ${f(m['reprise-cold'])} | ${f(m['child-cold'])} | ${f(m['reprise-warm'])} | ${f(m['exec-warm'])} | ${f(m['noindex-warm'])} | ${q(m['reprise-cold'], m.bare)} | ${q(m['child-cold'], m.bare)} | ${q(m['reprise-warm'], m['go-warm'])} | ${q(m['exec-warm'], m['go-warm'])} | ${q(m['noindex-warm'], m['go-warm'])} |`);
  out.push(`| ${corpus} | 1.19 -toolexec | ${f(m['bare-119'])} | ${f(m['go-warm-119'])} | ${f(m['toolexec-cold'])} | - | ${f(m['toolexec-warm'])} | - | - | ${q(m['toolexec-cold'], m['bare-119'])} | - | ${q(m['toolexec-warm'], m['go-warm-119'])} | - | - |`);
}
console.log(out.join('\n'));
JS
cat "$root/load.$stamp" "$out"
