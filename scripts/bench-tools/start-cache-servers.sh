# Sourced by the team-cache benchmark scripts: starts nginx (WebDAV, the bazel-remote layout)
# and redis-server on free loopback ports under $srv, setting nport, rport, npid and rpid.
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rm -rf "$srv"; mkdir -p "$srv/nginx/root" "$srv/nginx/tmp" "$srv/nginx/logs" "$srv/redis"
nport=$(port); rport=$(port)
cat > "$srv/nginx/nginx.conf" <<CONF
$( [ "$(id -u)" = 0 ] && echo 'user root;' )
worker_processes 1;
pid $srv/nginx/nginx.pid;
error_log $srv/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $srv/nginx/tmp/body;
  proxy_temp_path $srv/nginx/tmp/proxy;
  fastcgi_temp_path $srv/nginx/tmp/fastcgi;
  uwsgi_temp_path $srv/nginx/tmp/uwsgi;
  scgi_temp_path $srv/nginx/tmp/scgi;
  server {
    listen 127.0.0.1:$nport;
    root $srv/nginx/root;
    client_max_body_size 0;
    location / { dav_methods PUT DELETE MKCOL; create_full_put_path on; }
  }
}
CONF
nginx -c "$srv/nginx/nginx.conf" -p "$srv/nginx" -e "$srv/nginx/logs/error.log" -g 'daemon off;' &
npid=$!
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --dir "$srv/redis" >"$srv/redis/log" 2>&1 &
rpid=$!
