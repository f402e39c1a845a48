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
mkdir -p .cache/logs
for scenario in "${scenarios[@]}"; do
  echo "=== molecule test -s $scenario"
  log=".cache/logs/molecule-$scenario.log"
  if ! molecule test -s "$scenario" 2>&1 | tee "$log"; then
    # CI shows only the end of the output, and molecule ends with its summary: repeat what failed
    # (each failed task's one-line result, cut short) as the very last lines.
    echo "=== molecule scenario $scenario FAILED (whole log: $log). What failed:"
    # molecule wraps the output in a box: unwrap each failed task's result back into one line.
    sed 's/\x1b\[[0-9;]*m//g; s/^ *\xe2\x94\x82 \?//' "$log" | awk '
      /^(fatal|failed): \[/ { if (hit != "") print hit; hit = $0; next }
      hit != "" && /^ *$|^\[ERROR\]|^(TASK|PLAY|RUNNING) / { print hit; hit = ""; next }
      hit != "" { sub(/^ +/, " "); hit = hit $0 }
      END { if (hit != "") print hit }' | cut -c1-900 | tail -n 3
    exit 1
  fi
done
