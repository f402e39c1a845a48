#!/usr/bin/env bash
# The seeds' own check, with curl as users run it, plus what must be refused.
#   seed-curl-checks.sh PKI_DIR FOREIGN_PKI_DIR MEMBER_IP...
# Exits non-zero, naming the case, when an accepted client is refused or a refused one gets in.
set -uo pipefail
pki=$1 foreign=$2
shift 2
fail=0
curl_=(curl -sS --max-time 5)
for ip in "$@"; do
  out=$("${curl_[@]}" --fail --cacert "$pki/ca.crt" --cert "$pki/clients/admin.crt" --key "$pki/clients/admin.key" \
    "https://$ip:2379/health" 2>&1)
  if [[ $out == *'"health":"true"'* ]]; then
    echo "ok: https://$ip:2379/health answers healthy to the admin client: $out"
  else
    echo "FAIL: https://$ip:2379/health with the admin client: $out"
    fail=1
  fi
done
ip=$1
out=$("${curl_[@]}" --fail --cacert "$pki/ca.crt" --cert "$pki/clients/apisix.crt" --key "$pki/clients/apisix.key" \
  "https://$ip:2379/health" 2>&1)
if [[ $out == *'"health":"true"'* ]]; then echo "ok: the apisix client is accepted"; else echo "FAIL: apisix client: $out"; fail=1; fi

refused() {
  local what=$1
  shift
  local out
  if out=$("$@" 2>&1) || [[ $out == *'"health"'* || $out == *'"peerURLs"'* ]]; then
    echo "FAIL: $what was let in: $out"
    fail=1
  else
    echo "ok: $what is refused: $out"
  fi
}
refused "a client without a certificate" "${curl_[@]}" --cacert "$pki/ca.crt" "https://$ip:2379/health"
refused "a client certificate from another CA" "${curl_[@]}" --cacert "$pki/ca.crt" \
  --cert "$foreign/clients/admin.crt" --key "$foreign/clients/admin.key" "https://$ip:2379/health"
refused "plain http" "${curl_[@]}" "http://$ip:2379/health"

# Peers have a CA of their own, which the peer port trusts alone: a client certificate (the one handed
# to APISIX, or even the admin's) talks raft to nobody. (A peer certificate is accepted only from its own
# member's address: verify.yml proves it from the members.)
# --http1.1: over HTTP/2 the peer handler closes the stream and curl shows code 000.
for client in apisix admin; do
  refused "the $client client certificate on the peer port" "${curl_[@]}" --http1.1 --fail --cacert "$pki/peer-ca.crt" \
    --cert "$pki/clients/$client.crt" --key "$pki/clients/$client.key" "https://$ip:2380/members"
done
exit $fail
