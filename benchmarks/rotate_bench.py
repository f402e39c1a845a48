#!/usr/bin/env python3
"""Rotation on 3 members in local podman containers: rotate-certs (every leaf) and rotate-ca (all
three phases, in one run: the bench inventory has no named client to wait for), each timed as one
ansible-playbook run on a cluster deployed just before.

Prints wall times, how many members rotate-certs had to restart (the fallback; the target is none)
and how many restarts rotate-ca made (one per member per restart phase: 6). Run with `make bench`
(after `make bootstrap-podman`). Numbers are printed, never asserted.
"""

import os
import sys
import tempfile

import deploy_bench as deploy


def main():
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with tempfile.TemporaryDirectory(prefix="etcdtls-rotate-bench-") as workdir:
        inv = deploy.inventory(os.path.join(workdir, "inventory-%d" % size), size)
        deploy.playbook(inv, os.path.join(deploy.SHARED, "destroy.yml"))
        deploy.playbook(inv, os.path.join(deploy.SHARED, "create.yml"))
        try:
            deploy.playbook(inv, os.path.join(deploy.ROOT, "site.yml"))
            certs, certs_data, _w = deploy.playbook(
                inv, os.path.join(deploy.ROOT, "playbooks", "rotate-certs.yml"), True, ["-e", "etcd_pki_reissue=all"]
            )
            ca, ca_data, _w = deploy.playbook(inv, os.path.join(deploy.ROOT, "playbooks", "rotate-ca.yml"), True)
        finally:
            deploy.playbook(inv, os.path.join(deploy.SHARED, "destroy.yml"))
    print("%-7s %14s %9s %10s %9s" % ("members", "rotate-certs", "restarts", "rotate-ca", "restarts"))
    certs_restarts = restarts(certs_data, "Restart behind the health gate")
    ca_restarts = restarts(ca_data, "Service (systemd): restart")
    print("%-7d %13.1fs %9d %9.1fs %9d" % (size, certs, certs_restarts, ca, ca_restarts))


def restarts(data, prefix):
    """Members restarted: results of tasks named prefix... that ran (changed or ok, not skipped)."""
    count = 0
    for play in data["plays"]:
        for task in play["tasks"]:
            if prefix in task["task"]["name"]:
                count += sum(1 for result in task["hosts"].values() if not result.get("skipped"))
    return count


if __name__ == "__main__":
    main()
