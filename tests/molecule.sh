#!/usr/bin/env bash
# Run the molecule scenarios: each brings up 3 real etcd members in podman containers and runs
# destroy, create, converge, idempotence, verify, destroy.
#   tests/molecule.sh [scenario ...]     default: every scenario under molecule/ but shared
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tests/podman-env.sh
. tests/podman-env.sh
# VENV: the venv whose ansible-core and molecule run the scenarios (make compat uses an older one).
export PATH="$PWD/${VENV:-.venv}/bin:$PATH"
# Molecule installs this collection where Ansible keeps its home: keep that inside the checkout, so no
# copy is left in ~/.ansible to shadow the checkout for other tools.
export ANSIBLE_HOME="$PWD/.cache/ansible-home"
scenarios=("$@")
if [ "${#scenarios[@]}" -eq 0 ]; then
  for dir in molecule/*/molecule.yml; do
    scenarios+=("$(basename "$(dirname "$dir")")")
  done
fi
for scenario in "${scenarios[@]}"; do
  echo "=== molecule test -s $scenario"
  molecule test -s "$scenario"
done
