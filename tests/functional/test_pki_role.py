# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pki role through ansible-playbook: inventory in, PKI on the controller out."""

import os

PLAY = """
- name: PKI
  hosts: etcd
  gather_facts: false
  roles:
    - role: etcdtls.cluster.pki
      vars:
        pki_dir: {pki_dir}
        pki_clients: [{{name: apisix}}]
"""

INVENTORY = """
etcd:
  hosts:
    node1: {{etcd_address: 192.168.7.11, etcd_name: x-k3s-m-1, etcd_extra_sans: [etcd.edge.huatai.me]}}
    node2: {{etcd_address: 192.168.7.12, etcd_name: x-k3s-m-2}}
    node3: {{etcd_address: {third}, etcd_name: x-k3s-m-3}}
  vars:
    ansible_connection: local
    ansible_python_interpreter: "{{{{ ansible_playbook_python }}}}"
"""


def test_role_builds_pki_once_and_is_idempotent(playbook, tmp_path):
    pki_dir = tmp_path / "pki"
    play = PLAY.format(pki_dir=pki_dir)
    rc, data = playbook.run(play, INVENTORY.format(third="192.168.7.13"))
    assert rc == 0, data
    results = playbook.task_results(data, "Ensure the cluster PKI on the controller")
    assert list(results) == ["node1"], "run_once: the module runs once for the play"
    assert results["node1"]["changed"] is True
    assert sorted(os.listdir(str(pki_dir / "members"))) == ["x-k3s-m-1", "x-k3s-m-2", "x-k3s-m-3"]
    assert sorted(os.listdir(str(pki_dir / "clients"))) == ["admin.crt", "admin.key", "apisix.crt", "apisix.key"]

    rc, data = playbook.run(play, INVENTORY.format(third="192.168.7.13"))
    assert rc == 0
    assert all(s["changed"] == 0 for s in playbook.stats(data).values())

    rc, data = playbook.run(play, INVENTORY.format(third="192.168.7.23"), "--check", "--diff")
    assert rc == 0
    result = playbook.task_results(data, "Ensure the cluster PKI on the controller")["node1"]
    assert [i["id"] for i in result["issued"]] == ["members/x-k3s-m-3/server", "members/x-k3s-m-3/peer"]


def test_bad_inventory_fails_before_writing(playbook, tmp_path):
    pki_dir = tmp_path / "pki"
    rc, data = playbook.run(PLAY.format(pki_dir=pki_dir), INVENTORY.format(third="192.168.7.12"))
    assert rc != 0
    result = playbook.task_results(data, "Ensure the cluster PKI on the controller")["node1"]
    assert "host node3 (member x-k3s-m-3): IP 192.168.7.12 is also the IP of member x-k3s-m-2" in result["msg"]
    assert not pki_dir.exists()

    rc, data = playbook.run(PLAY.format(pki_dir=pki_dir), INVENTORY.format(third="192.168.7.300"))
    assert rc != 0
    result = playbook.task_results(data, "Ensure the cluster PKI on the controller")["node1"]
    assert "host node3: etcd_address '192.168.7.300' is not an IP address" in result["msg"]
    assert not pki_dir.exists()


def test_role_honours_the_inventory_etcd_pki_dir(playbook, tmp_path):
    play = PLAY.format(pki_dir="ignored").replace("        pki_dir: ignored\n", "")
    inventory = INVENTORY.format(third="192.168.7.13") + "    etcd_pki_dir: %s\n" % (tmp_path / "from-inventory")
    rc, data = playbook.run(play, inventory)
    assert rc == 0, data
    assert (tmp_path / "from-inventory" / "ca.crt").exists()


def test_collection_playbook_resolves(playbook, tmp_path):
    """site.yml is also reachable as the collection playbook etcdtls.cluster.site."""
    import os
    import subprocess
    import sys

    from conftest import ROOT

    inventory = tmp_path / "hosts.yml"
    inventory.write_text(INVENTORY.format(third="192.168.7.13"))
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"))
    for target in ("etcdtls.cluster.site", os.path.join(ROOT, "site.yml")):
        proc = subprocess.run(
            [
                os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
                "-i",
                str(inventory),
                target,
                "--list-tasks",
            ],
            env=env,
            cwd=str(tmp_path),
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert "Push this member's binaries, certificates, keys and configuration" in proc.stdout
        assert "Restart members one at a time behind a health gate" in proc.stdout


def test_argument_specs_reject_bad_types(playbook, tmp_path):
    play = PLAY.format(pki_dir=tmp_path / "pki").replace("pki_clients: [{name: apisix}]", "pki_key_type: dsa")
    rc, data = playbook.run(play, INVENTORY.format(third="192.168.7.13"))
    assert rc != 0
    assert "pki_key_type" in str(data)
    assert not (tmp_path / "pki").exists()
