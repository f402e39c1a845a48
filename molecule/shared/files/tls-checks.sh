#!/usr/bin/env bash
# TLS versions and cipher suites, by real handshakes with openssl on both ports of every member:
# an ECDHE-AEAD TLS 1.2 handshake must succeed (the probe can see a success), TLS 1.1, an ECDHE CBC
# suite and RSA key exchange must be refused.
#   tls-checks.sh PKI_DIR PEER_NAME MEMBER_IP...
# The client port is reached as the admin client, the peer port with member PEER_NAME's peer certificate.
# Exits non-zero, naming the case, when a handshake goes the wrong way.
set -uo pipefail
pki=$1 peer=$2
shift 2
fail=0
handshake() { # ip port protocol-flag cipher-flag...
  local ip=$1 port=$2 cert key
  shift 2
  local ca=$pki/ca.crt
  if [[ $port == 2379 ]]; then cert=$pki/clients/admin.crt key=$pki/clients/admin.key
  else cert=$pki/members/$peer/peer.crt key=$pki/members/$peer/peer.key ca=$pki/peer-ca.crt; fi
  timeout 10 openssl s_client -connect "$ip:$port" -CAfile "$ca" -cert "$cert" -key "$key" "$@" </dev/null 2>&1
}
check() { # want(accepted|refused) what ip port args...
  local want=$1 what=$2 ip=$3 port=$4 out got
  shift 4
  out=$(handshake "$ip" "$port" "$@")
  got=refused
  if grep -qE 'Cipher is [A-Z0-9_-]+' <<<"$out" && ! grep -q 'Cipher is (NONE)' <<<"$out"; then got=accepted; fi
  if [[ $got == "$want" ]]; then
    echo "ok: $ip:$port $what: $got"
  else
    echo "FAIL: $ip:$port $what was $got: $(grep -m3 -E 'Cipher is|alert|error|Protocol' <<<"$out" | tr '\n' ' ')"
    fail=1
  fi
}
for ip in "$@"; do
  for port in 2379 2380; do
    check accepted "TLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256" "$ip" "$port" -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256
    # Information only: etcd before 3.5.8 caps TLS at 1.2 once cipher suites are set (measured on 3.5.1).
    echo "info: $ip:$port TLS 1.3: $(handshake "$ip" "$port" -tls1_3 | grep -m1 -oE 'Cipher is [^ ]+')"
    check refused "TLS 1.1" "$ip" "$port" -tls1_1 -cipher 'ALL:@SECLEVEL=0'
    check refused "TLS 1.2 ECDHE-ECDSA-AES128-SHA (CBC)" "$ip" "$port" -tls1_2 -cipher 'ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0'
    check refused "TLS 1.2 AES128-GCM-SHA256 (RSA key exchange)" "$ip" "$port" -tls1_2 -cipher 'AES128-GCM-SHA256:@SECLEVEL=0'
  done
done
exit $fail
