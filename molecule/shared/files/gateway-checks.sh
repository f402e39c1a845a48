#!/usr/bin/env bash
# APISIX's TLS client, for real: Debian's nginx (OpenResty's TLS code, OpenSSL's X509_check_host, which
# matches DNS names only, never IP SANs) proxies to each member by IP with proxy_ssl_verify on and the
# apisix client certificate, verifying the server name the README's recipe gives (APISIX: tls.sni).
# Through it: /health, then a v3 JSON put and range. The old recipe (the member's IP as the name to
# verify) must fail with nginx's own "upstream SSL certificate does not match" (the seed's "certificate
# host mismatch"), so this check can fail.
#   gateway-checks.sh PKI_DIR SERVER_NAME MEMBER_IP...
set -uo pipefail
pki=$1 name=$2
shift 2
fail=0
prefix=$(mktemp -d /tmp/etcdtls-gateway.XXXXXX)
conf=$prefix/nginx.conf
{
  echo "daemon on; pid $prefix/nginx.pid; error_log $prefix/error.log info;"
  echo "events {}"
  echo "http {"
  echo "  access_log off; client_body_temp_path $prefix; proxy_temp_path $prefix;"
  echo "  fastcgi_temp_path $prefix; uwsgi_temp_path $prefix; scgi_temp_path $prefix;"
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
      echo "      proxy_ssl_trusted_certificate $pki/ca.crt;"
      echo "      proxy_ssl_certificate $pki/clients/apisix.crt;"
      echo "      proxy_ssl_certificate_key $pki/clients/apisix.key;"
      echo "      proxy_ssl_name $verify_name; proxy_ssl_server_name on;"
      echo "    }"
      echo "  }"
    done
  done
  echo "}"
} >"$conf"
if ! nginx -p "$prefix" -c "$conf" -e "$prefix/error.log"; then
  echo "FAIL: nginx did not start"
  cat "$prefix/error.log"
  exit 1
fi
trap 'nginx -p "$prefix" -c "$conf" -e "$prefix/error.log" -s stop; rm -rf "$prefix"' EXIT
b64() { printf %s "$1" | base64 -w0; }
port=18400
for ip in "$@"; do
  port=$((port + 1))
  out=$(curl -sS --max-time 10 "http://127.0.0.1:$port/health" 2>&1)
  if [[ $out == *'"health":"true"'* ]]; then echo "ok: nginx -> $ip verifying $name: /health $out"
  else echo "FAIL: nginx -> $ip verifying $name: /health: $out"; fail=1; fi
  key=$(b64 "gateway/$ip") value=$(b64 "through nginx")
  out=$(curl -sS --max-time 10 -X POST "http://127.0.0.1:$port/v3/kv/put" -d "{\"key\":\"$key\",\"value\":\"$value\"}" 2>&1)
  if [[ $out == *'"revision"'* ]]; then echo "ok: nginx -> $ip: v3 put"; else echo "FAIL: nginx -> $ip: v3 put: $out"; fail=1; fi
  out=$(curl -sS --max-time 10 -X POST "http://127.0.0.1:$port/v3/kv/range" -d "{\"key\":\"$key\"}" 2>&1)
  if [[ $out == *"\"value\":\"$value\""* ]]; then echo "ok: nginx -> $ip: v3 range reads it back"
  else echo "FAIL: nginx -> $ip: v3 range: $out"; fail=1; fi
  port=$((port + 1))
  out=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health" 2>&1)
  if [[ $out == 502 ]] && grep -q "upstream SSL certificate does not match \"$ip\"" "$prefix/error.log"; then
    echo "ok: nginx -> $ip verifying the IP (the old recipe): 502, upstream SSL certificate does not match \"$ip\""
  else
    echo "FAIL: nginx -> $ip verifying the IP did not fail as OpenSSL's host check must: $out"
    fail=1
  fi
done
exit $fail
