#!/usr/bin/env bash
# One bootstrap path for a fresh Debian/Ubuntu machine: system packages, then .venv with the
# pinned development requirements. Safe to re-run; it only does what is missing.
#   scripts/bootstrap.sh            python toolchain only (lint, unit tests, sanity, build)
#   scripts/bootstrap.sh --podman   also podman, runc, debootstrap and nginx (molecule scenarios, demo)
set -euo pipefail
cd "$(dirname "$0")/.."

want_podman=false
[ "${1:-}" = "--podman" ] && want_podman=true

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

pkgs=()
command -v python3 >/dev/null || pkgs+=(python3)
python3 -c 'import ensurepip, venv' 2>/dev/null || pkgs+=(python3-venv)
command -v openssl >/dev/null || pkgs+=(openssl)
command -v git >/dev/null || pkgs+=(git)
command -v curl >/dev/null || pkgs+=(curl)
if $want_podman; then
  command -v podman >/dev/null || pkgs+=(podman)
  command -v runc >/dev/null || pkgs+=(runc)
  command -v debootstrap >/dev/null || pkgs+=(debootstrap)
  command -v ssh >/dev/null || pkgs+=(openssh-client)
  command -v ip >/dev/null || pkgs+=(iproute2)
  [ -e /usr/share/keyrings/debian-archive-keyring.gpg ] || pkgs+=(debian-archive-keyring)
  # The gateway of the client checks: nginx has APISIX's TLS client (OpenSSL's host check).
  command -v nginx >/dev/null || pkgs+=(nginx)
fi
if [ "${#pkgs[@]}" -gt 0 ]; then
  echo "bootstrap: installing ${pkgs[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${pkgs[@]}" >/dev/null
fi

python3 - <<'PY'
import sys
if sys.version_info < (3, 11):
    sys.exit("bootstrap: ansible-core 2.19 needs Python 3.11 or newer on the controller (found %s)" % sys.version.split()[0])
PY

VENV=${VENV:-.venv}
stamp="$VENV/.requirements-dev.sha256"
want=$(sha256sum requirements-dev.txt | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q -r requirements-dev.txt
  echo "$want" > "$stamp"
fi
