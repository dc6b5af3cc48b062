#!/bin/bash
# Go's -toolexec steps on an executor (issue 17; docs/remote-execution.md, "Go"): restic 0.14.0
# (../shared/corpora/go-restic.sh) built cold with Debian's go 1.19, `go build -p JOBS ./cmd/restic`,
# the build and the local daemon pinned to CPU 0, interleaved round by round:
#   bare1    go alone on CPU 0 (-p 2), an empty GOCACHE
#   local1   through reprise, local-only (-p 2): an empty store, a new daemon, an empty GOCACHE
#   auto     the same with REPRISE_EXECUTE=auto and `reprise serve --execute --jobs 1` on CPU 1
#            (trusted, a new empty store each build, so the go tools are uploaded every build) (-p 4)
# Every binary is compared with bare1's. Prints a table of wall times, medians and ratios.
# usage: scripts/bench-go-rexec.sh ROOT [ROUNDS]   (ROOT holds the corpus, prepared there if missing)
set -euo pipefail
checkout=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 ROOT [ROUNDS]" >&2; exit 2; }
[ "$(nproc --all)" -ge 2 ] || { echo "$0: needs two CPUs" >&2; exit 2; }
root=$(mkdir -p "$1" && cd "$1" && pwd)
rounds=${2:-3}
src=$root/gp/src/github.com/restic/restic
[ -d "$src" ] || "$checkout/../shared/corpora/go-restic.sh" --install-deps "$root"
[ -x /usr/lib/go-1.19/bin/go ] || { echo "$0: needs Debian's go 1.19 (golang-1.19-go)" >&2; exit 2; }
cli() { node "$checkout/bin/reprise.js" "$@"; }
work=$root/go-rexec
rm -rf "$work"; mkdir -p "$work/shims"
cli shims install "$work/shims" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
serve_pid=
stop_serve() { [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null || true; serve_pid=; }
trap stop_serve EXIT

one() { # KIND ROUND -> prints the wall seconds
  local kind=$1 d=$work/$1-$2
  rm -rf "$d"; mkdir -p "$d/run" "$d/cache" "$d/gocache"; chmod 700 "$d/run"
  local -a env=(GOROOT=/usr/lib/go-1.19 GOCACHE="$d/gocache" GOPATH="$root/gp:/usr/share/gocode" GO111MODULE=off GOPROXY=off GOFLAGS=
    REPRISE_RUNTIME_DIR="$d/run" REPRISE_CACHE_DIR="$d/cache" REPRISE_CONFIG="$d/config.toml")
  local path=/usr/lib/go-1.19/bin:$PATH jobs=2
  : > "$d/config.toml"
  if [ "$kind" = auto ]; then
    taskset -c 1 node "$checkout/bin/reprise.js" serve --listen "127.0.0.1:$port" --dir "$d/serve" --execute --jobs 1 > "$d/serve.log" 2>&1 &
    serve_pid=$!
    for _ in $(seq 100); do grep -q 'listening on' "$d/serve.log" 2>/dev/null && break; sleep 0.1; done
    printf '[daemon]\nexecute = "auto"\n\n[[executor]]\nurl = "grpc://127.0.0.1:%s"\ntrusted = true\ntimeout = "2m"\n' "$port" > "$d/config.toml"
    jobs=4
  fi
  [ "$kind" != bare1 ] && { path=$work/shims:$path; env "${env[@]}" taskset -c 0 node "$checkout/bin/reprise.js" daemon start >/dev/null; }
  local t0 t1
  t0=$(date +%s.%N)
  (cd "$src" && env "${env[@]}" PATH="$path" taskset -c 0 go build -p "$jobs" -o "$d/restic" ./cmd/restic) > "$d/build.log" 2>&1 || { echo "$kind: build failed: $(tail -5 "$d/build.log")" >&2; exit 1; }
  t1=$(date +%s.%N)
  if [ "$kind" != bare1 ]; then
    env "${env[@]}" node "$checkout/bin/reprise.js" stats --json > "$d/stats.json"
    env "${env[@]}" node "$checkout/bin/reprise.js" daemon stop >/dev/null 2>&1 || true
  fi
  stop_serve
  echo "$t0 $t1" | awk '{ printf "%.2f\n", $2 - $1 }'
}

declare -A walls
for r in $(seq "$rounds"); do
  for kind in bare1 local1 auto; do
    w=$(one "$kind" "$r")
    walls[$kind]="${walls[$kind]:-} $w"
    cmp -s "$work/bare1-$r/restic" "$work/$kind-$r/restic" || { echo "$kind round $r: the binary differs from bare go build's" >&2; exit 1; }
    extra=
    if [ "$kind" = auto ]; then
      extra=$(node -e 'const s=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));const e=Object.values(s.executors??{})[0]??{};const f=Object.values(s.executorFallbackReasons??{})[0]??{};console.log(`completed ${e.completed??0}, fallen back ${JSON.stringify(f)}, go misses ${s.tools?.go?.miss??0}`)' "$work/auto-$r/stats.json")
    fi
    echo "bench-go-rexec: round $r $kind: ${w} s ${extra:+($extra)} loadavg $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo "| build | wall s per round | median |"
echo "|---|---|---|"
for kind in bare1 local1 auto; do echo "| $kind |${walls[$kind]} | $(echo "${walls[$kind]}" | median) |"; done
b=$(echo "${walls[local1]}" | median); a=$(echo "${walls[auto]}" | median)
echo "local1 / auto (medians): $(echo "$b $a" | awk '{ printf "%.2f", $1 / $2 }')"
