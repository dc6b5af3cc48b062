#!/bin/bash
# What the CLI and the daemon cost to start and stop, for one or more built checkouts,
# interleaved: each round runs every command once per checkout, in turn. Per checkout and
# command, the median wall time of the rounds (ms). The daemon has no remotes configured.
#   scripts/bench-cli-start.sh ROUNDS CHECKOUT...        (each built: npm run build)
# Commands: `reprise --version`; `reprise stats` with the daemon running; `reprise daemon start`
# with none running (it returns once the daemon answers); `reprise daemon stop` (it returns once
# the daemon has exited).
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 ROUNDS CHECKOUT..." >&2; exit 2; }
rounds=$1; shift
scratch=$(mktemp -d /tmp/reprise-bench-cli-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
ms() { local t0=$EPOCHREALTIME; "$@" >/dev/null 2>&1 || { echo "$0: failed: $*" >&2; exit 1; }; local t1=$EPOCHREALTIME; echo $(( (${t1/./} - ${t0/./}) / 1000 )); }

for r in $(seq "$rounds"); do
  i=0
  for c in "$@"; do
    i=$((i + 1))
    d=$scratch/$i; mkdir -p "$d/run" "$d/cache"; chmod 700 "$d/run"; : > "$d/config.toml"
    export REPRISE_RUNTIME_DIR=$d/run REPRISE_CACHE_DIR=$d/cache REPRISE_CONFIG=$d/config.toml
    cli=(node "$c/bin/reprise.js")
    echo "$i version $(ms "${cli[@]}" --version)" >> "$scratch/times"
    echo "$i start $(ms "${cli[@]}" daemon start)" >> "$scratch/times"
    echo "$i stats $(ms "${cli[@]}" stats)" >> "$scratch/times"
    echo "$i stop $(ms "${cli[@]}" daemon stop)" >> "$scratch/times"
  done
done

echo "| checkout | reprise --version | reprise stats | reprise daemon start | reprise daemon stop |"
echo "|---|---|---|---|---|"
i=0
for c in "$@"; do
  i=$((i + 1))
  row="| $(git -C "$c" log -1 --format=%h) ($c)"
  for cmd in version stats start stop; do
    med=$(awk -v i="$i" -v c="$cmd" '$1 == i && $2 == c { print $3 }' "$scratch/times" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
    row="$row | $med ms"
  done
  echo "$row |"
done
