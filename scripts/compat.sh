#!/usr/bin/env bash
# make compat: the collection on each older ansible-core it supports (meta/runtime.yml), one venv
# each (.venv-core-X.Y, from requirements-compat.txt plus the pinned ansible-core): the unit tests and
# ansible-test sanity on each, the functional tests and one molecule scenario on the oldest (the first
# argument), whose venv also gets molecule (molecule 26 runs on 2.16.19+, but not on 2.17).
#   scripts/compat.sh 2.16.19 2.17.14 2.18.19
set -euo pipefail
cd "$(dirname "$0")/.."
MOLECULE=molecule==26.10.0
oldest=""
# The ansible-core a venv really holds (empty without one).
core_in() { "$1/bin/python" -c 'from ansible.release import __version__; print(__version__)' 2>/dev/null || true; }
for core in "$@"; do
  venv=".venv-core-${core%.*}"
  extra=()
  [ -n "$oldest" ] || [ "${COMPAT_MOLECULE:-1}" != 1 ] || extra=("$MOLECULE")
  want="$core ${extra[*]} $(sha256sum requirements-compat.txt | cut -c1-16)"
  # The stamp, and the ansible-core that is really there (a venv once bootstrapped over had 2.19 under its stamp).
  if [ "$(core_in "$venv")" != "$core" ] || [ "$(cat "$venv/.stamp" 2>/dev/null)" != "$want" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q "ansible-core==$core" -r requirements-compat.txt "${extra[@]}"
    echo "$want" >"$venv/.stamp"
  fi
  # The functional tests (real ansible-playbook runs, real etcd) on the oldest release, as make functional runs
  # them on the newest; the releases between get the unit tests and sanity (CI time: each run costs 4 minutes).
  if [ -z "$oldest" ]; then
    echo "=== ansible-core $core: unit and functional tests"
    "$venv/bin/pytest" -q tests/unit tests/functional
  else
    echo "=== ansible-core $core: unit tests"
    "$venv/bin/pytest" -q tests/unit
  fi
  echo "=== ansible-core $core: ansible-test sanity"
  make --no-print-directory sanity VENV="$venv"
  [ "$(core_in "$venv")" = "$core" ] || { echo "compat: $venv runs ansible-core $(core_in "$venv"), not $core" >&2; exit 1; }
  [ -n "$oldest" ] || oldest="$venv"
done
if [ -n "$oldest" ] && [ "${COMPAT_MOLECULE:-1}" = 1 ]; then
  echo "=== molecule on $oldest: default"
  VENV="$oldest" tests/molecule.sh default
fi
