#!/bin/bash
# What an action sent to an executor costs this host, without the build tool's noise: the Lua
# core's C units compiled one after another through the shim (no make, no libtool), every miss
# sent (REPRISE_EXECUTE=remote) to `reprise serve --execute` on CPU 1, the daemon on CPU 0 in a
# cpuacct cgroup of its own, so its CPU and all its descendants' (pre-passes, sandboxes) are
# counted. Modes, alternated ROUNDS times:
#   untrusted: the executor is not trusted: every miss has its traced pre-pass here;
#   trusted:   `trusted = true`: misses after the first go without a pre-pass, with the files
#              earlier compiles found, proven by the executor's lookup trace (guesses).
#   scripts/bench-rexec-host-cpu.sh ROOT [ROUNDS]
# ROOT holds the Lua corpus (prepared there if missing, as bench-rexec.sh does). Needs root
# (the cgroup) and two CPUs.
set -euo pipefail
checkout=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 ROOT [ROUNDS]" >&2; exit 2; }
root=$(mkdir -p "$1" && cd "$1" && pwd)
rounds=${2:-2}
cg=/sys/fs/cgroup/cpuacct
[ -w "$cg" ] || { echo "$0: needs a writable $cg (root)" >&2; exit 2; }
[ -d "$root/src/lua5.4-5.4.4" ] || "$checkout/../shared/bench/prepare-corpus.sh" lua5.4 "$root"
cli() { node "$checkout/bin/reprise.js" "$@"; }

one() { # MODE ROUND
  local mode=$1 d=$root/host-cpu/$1-$2
  rm -rf "$d"; mkdir -p "$d/run" "$d/cache" "$d/serve"; chmod 700 "$d/run"
  cp -a "$root/src/lua5.4-5.4.4/src" "$d/src"
  printf '#ifndef _LUA_DEB_MULTIARCH_\n#define _LUA_DEB_MULTIARCH_\n#define DEB_HOST_MULTIARCH "x86_64-linux-gnu"\n#endif\n' > "$d/src/lua5.4-deb-multiarch.h"
  local port; port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  taskset -c 1 node "$checkout/bin/reprise.js" serve --listen "127.0.0.1:$port" --dir "$d/serve" --execute --jobs 1 > "$d/serve.log" 2>&1 &
  local serve=$!
  for _ in $(seq 100); do grep -q 'listening on' "$d/serve.log" 2>/dev/null && break; sleep 0.1; done
  local trusted=false; [ "$mode" = trusted ] && trusted=true
  printf '[daemon]\nexecute = "remote"\n\n[[executor]]\nurl = "grpc://127.0.0.1:%s"\ntrusted = %s\ntimeout = "2m"\n' "$port" "$trusted" > "$d/config.toml"
  local group=$cg/bench-host-cpu-$$-$mode-$2
  mkdir -p "$group"
  (
    export REPRISE_RUNTIME_DIR=$d/run REPRISE_CACHE_DIR=$d/cache REPRISE_CONFIG=$d/config.toml LC_ALL=C
    (echo "$BASHPID" > "$group/cgroup.procs"; taskset -c 0 node "$checkout/bin/reprise.js" daemon start >/dev/null)
    mkdir -p "$d/shims"; cli shims install "$d/shims" >/dev/null
    cd "$d/src"
    for f in l*.c; do PATH=$d/shims:$PATH taskset -c 0 gcc -c -O2 -Wall -DLUA_COMPAT_5_3 -DLUA_USE_LINUX -fPIC "$f" -o "${f%.c}.o"; done
    cli stats --json > "$d/stats.json"
    cli daemon stop >/dev/null 2>&1 || true
  )
  local used; used=$(cat "$group/cpuacct.usage")
  kill "$serve" 2>/dev/null || true
  wait "$serve" 2>/dev/null || true
  rmdir "$group" 2>/dev/null || true
  node -e '
    const [file, ns, mode, round] = process.argv.slice(1);
    const s = JSON.parse(require("fs").readFileSync(file, "utf8"));
    const e = Object.values(s.executors)[0] ?? {};
    const units = s.tools.gcc?.calls ?? 0;
    const cpu = Number(ns) / 1e9;
    console.log(`| ${mode} | ${round} | ${units} | ${e.completed ?? 0} | ${e.guessed ?? 0} | ${e["guess-failed"] ?? 0} + ${e["guess-unproven"] ?? 0} | ${cpu.toFixed(2)} | ${(1000 * cpu / units).toFixed(1)} |`);
  ' "$d/stats.json" "$used" "$mode" "$2"
}

echo '| mode | round | compiles | completed remotely | guessed | guess failed + unproven | CPU 0 s (daemon and descendants) | ms per compile |'
echo '|---|---|---|---|---|---|---|---|'
for r in $(seq "$rounds"); do
  one untrusted "$r"
  one trusted "$r"
done
