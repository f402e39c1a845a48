#!/usr/bin/env bash
# APISIX's TLS client, for real: Debian's nginx (OpenResty's TLS code, OpenSSL's X509_check_host, which
# matches DNS names only, never IP SANs) proxies to each member by IP with proxy_ssl_verify on and the
# apisix client certificate, verifying the server name the README's recipe gives (APISIX: tls.sni).
# Through it: /health, then a v3 JSON put and range. The old recipe (the member's IP as the name to
# verify) must fail with nginx's own "upstream SSL certificate does not match" (the seed's "certificate
# host mismatch"), so this check can fail.
# With etcd's authentication on (ETCD_USER and ETCD_PASSWORD set), the client logs in through the gateway as
# APISIX does (/v3/auth/authenticate, then the token in Authorization), writes under PREFIX, and is refused
# outside it.
#   gateway-checks.sh CA_FILE CERT_FILE KEY_FILE SERVER_NAME PREFIX MEMBER_IP...
set -uo pipefail
ca=$1 cert=$2 keyfile=$3 name=$4 prefix=$5
shift 5
fail=0
dir=$(mktemp -d /tmp/etcdtls-gateway.XXXXXX)
conf=$dir/nginx.conf
{
  echo "daemon on; pid $dir/nginx.pid; error_log $dir/error.log info;"
  echo "events {}"
  echo "http {"
  echo "  access_log off; client_body_temp_path $dir; proxy_temp_path $dir;"
  echo "  fastcgi_temp_path $dir; uwsgi_temp_path $dir; scgi_temp_path $dir;"
  port=18400
  for ip in "$@"; do
    for recipe in name ip; do
      port=$((port + 1))
      verify_name=$name
      [[ $recipe == ip ]] && verify_name=$ip
      echo "  server {"
      echo "    listen 127.0.0.1:$port;"
      echo "    location / {"
      echo "      proxy_pass https://$ip:2379;"
      echo "      proxy_ssl_verify on; proxy_ssl_verify_depth 2;"
      echo "      proxy_ssl_trusted_certificate $ca;"
      echo "      proxy_ssl_certificate $cert;"
      echo "      proxy_ssl_certificate_key $keyfile;"
      echo "      proxy_ssl_name $verify_name; proxy_ssl_server_name on;"
      echo "    }"
      echo "  }"
    done
  done
  echo "}"
} >"$conf"
if ! nginx -p "$dir" -c "$conf" -e "$dir/error.log"; then
  echo "FAIL: nginx did not start"
  cat "$dir/error.log"
  exit 1
fi
trap 'nginx -p "$dir" -c "$conf" -e "$dir/error.log" -s stop; rm -rf "$dir"' EXIT
b64() { printf %s "$1" | base64 -w0; }
auth=()
if [[ -n ${ETCD_USER:-} ]]; then
  out=$(curl -sS --max-time 10 -X POST http://127.0.0.1:18401/v3/auth/authenticate \
    -d "{\"name\":\"$ETCD_USER\",\"password\":\"$ETCD_PASSWORD\"}" 2>&1)
  token=$(printf %s "$out" | python3 -c 'import json, sys; print(json.load(sys.stdin).get("token", ""))' 2>/dev/null)
  if [[ -n $token ]]; then echo "ok: logged in through nginx as $ETCD_USER"; auth=(-H "Authorization: $token")
  else echo "FAIL: no token for $ETCD_USER through nginx: $out"; fail=1; fi
fi
port=18400
for ip in "$@"; do
  port=$((port + 1))
  out=$(curl -sS --max-time 10 "http://127.0.0.1:$port/health" 2>&1)
  if [[ $out == *'"health":"true"'* ]]; then echo "ok: nginx -> $ip verifying $name: /health $out"
  else echo "FAIL: nginx -> $ip verifying $name: /health: $out"; fail=1; fi
  key=$(b64 "${prefix}gateway/$ip") value=$(b64 "through nginx")
  out=$(curl -sS --max-time 10 "${auth[@]}" -X POST "http://127.0.0.1:$port/v3/kv/put" -d "{\"key\":\"$key\",\"value\":\"$value\"}" 2>&1)
  if [[ $out == *'"revision"'* ]]; then echo "ok: nginx -> $ip: v3 put ${prefix}gateway/$ip"; else echo "FAIL: nginx -> $ip: v3 put: $out"; fail=1; fi
  out=$(curl -sS --max-time 10 "${auth[@]}" -X POST "http://127.0.0.1:$port/v3/kv/range" -d "{\"key\":\"$key\"}" 2>&1)
  if [[ $out == *"\"value\":\"$value\""* ]]; then echo "ok: nginx -> $ip: v3 range reads it back"
  else echo "FAIL: nginx -> $ip: v3 range: $out"; fail=1; fi
  if [[ -n ${ETCD_USER:-} ]]; then
    out=$(curl -sS --max-time 10 "${auth[@]}" -X POST "http://127.0.0.1:$port/v3/kv/put" -d "{\"key\":\"$(b64 "outside/$ip")\",\"value\":\"$value\"}" 2>&1)
    if [[ $out == *'permission denied'* ]]; then echo "ok: nginx -> $ip: a put outside $prefix is refused: permission denied"
    else echo "FAIL: nginx -> $ip: a put outside $prefix was not refused: $out"; fail=1; fi
  fi
  port=$((port + 1))
  out=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health" 2>&1)
  if [[ $out == 502 ]] && grep -q "upstream SSL certificate does not match \"$ip\"" "$dir/error.log"; then
    echo "ok: nginx -> $ip verifying the IP (the old recipe): 502, upstream SSL certificate does not match \"$ip\""
  else
    echo "FAIL: nginx -> $ip verifying the IP did not fail as OpenSSL's host check must: $out"
    fail=1
  fi
done
exit $fail
