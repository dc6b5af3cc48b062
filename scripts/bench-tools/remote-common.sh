# Shared by the remote-cache bench tools (scripts/bench-remote.sh): wiping a remote.
# BENCH_NGINX_ROOT, BENCH_NGINX_URL, BENCH_REDIS_PORT and BENCH_SERVE_* are set by bench-remote.sh.
remote_wipe() { # nginx NAMESPACE | redis | serve
  case $1 in
    nginx) rm -rf "${BENCH_NGINX_ROOT:?}/$2" ;;
    redis) redis-cli -p "$BENCH_REDIS_PORT" flushall >/dev/null ;;
    serve) serve_restart ;;
  esac
}
# `reprise serve` keeps its size accounting in memory: an empty store means a fresh server, on the same ports.
serve_restart() {
  [ -f "$BENCH_SERVE_DIR/pid" ] && kill "$(cat "$BENCH_SERVE_DIR/pid")" 2>/dev/null && sleep 0.5
  rm -rf "$BENCH_SERVE_DIR/store"
  node "$REPRISE_CHECKOUT/bin/reprise.js" serve --dir "$BENCH_SERVE_DIR/store" --max-size 0 \
    --listen "127.0.0.1:$BENCH_SERVE_GRPC_PORT" --http "127.0.0.1:$BENCH_SERVE_HTTP_PORT" >"$BENCH_SERVE_DIR/log" 2>&1 &
  echo $! > "$BENCH_SERVE_DIR/pid"
  local i; for i in $(seq 50); do grep -q 'listening on' "$BENCH_SERVE_DIR/log" 2>/dev/null && return 0; sleep 0.1; done
  echo "reprise serve did not start: $(cat "$BENCH_SERVE_DIR/log")" >&2
}
