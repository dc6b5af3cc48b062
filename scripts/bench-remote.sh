#!/bin/bash
# Issue 16's benchmark: the Lua corpus's warm build from a remote only (local store empty),
# for each backend on loopback, side by side in one interleaved run with ccache's
# remote-only warm build (remote_only = true) on the same nginx and Redis, and reprise's own
# local warm build. Starts nginx (WebDAV, bazel-remote layout) and redis-server itself.
#   scripts/bench-remote.sh ROOT [ROUNDS [TOOL...]]
#   tools: reprise-local reprise-nginx ccache-nginx reprise-redis ccache-redis reprise-serve_grpc
#          reprise-serve_http (the default: all)
set -euo pipefail
checkout=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 ROOT [ROUNDS [TOOL...]]" >&2; exit 2; }
root=$(mkdir -p "$1" && cd "$1" && pwd)
shift
rounds=${1:-3}; [ $# -gt 0 ] && shift
tools=("$@"); [ ${#tools[@]} -eq 0 ] && tools=(reprise-local reprise-nginx ccache-nginx reprise-redis ccache-redis reprise-serve_grpc reprise-serve_http)

bench="$root/bench"
rm -rf "$bench"
cp -a "$checkout/../shared/bench" "$bench"
chmod -R u+w "$bench"
cp "$checkout/scripts/bench-tools/remote-common.sh" "$bench/tools/"
for kind in local nginx redis serve_grpc serve_http; do
  sed "s/\$REMOTE_KIND/$kind/g" "$checkout/scripts/bench-tools/reprise-remote.sh" > "$bench/tools/reprise-$kind.sh"
done
for kind in nginx redis; do
  sed "s/\$REMOTE_KIND/$kind/g" "$checkout/scripts/bench-tools/ccache-remote.sh" > "$bench/tools/ccache-$kind.sh"
done
[ -d "$root/src/lua5.4-5.4.4" ] || "$bench/prepare-corpus.sh" lua5.4 "$root"

srv="$root/servers"
. "$(dirname "$0")/bench-tools/start-cache-servers.sh"
mkdir -p "$srv/serve"
export BENCH_SERVE_DIR=$srv/serve BENCH_SERVE_GRPC_PORT=$(port) BENCH_SERVE_HTTP_PORT=$(port) REPRISE_CHECKOUT=$checkout
trap 'kill $npid $rpid 2>/dev/null; [ -f "$srv/serve/pid" ] && kill "$(cat "$srv/serve/pid")" 2>/dev/null; true' EXIT
sleep 1
export BENCH_NGINX_ROOT=$srv/nginx/root BENCH_NGINX_URL=http://127.0.0.1:$nport BENCH_REDIS_PORT=$rport
REPRISE_CHECKOUT=$checkout BENCH_DIR=$bench "$bench/bench.sh" lua5.4 "$root" "$rounds" "${tools[@]}"
