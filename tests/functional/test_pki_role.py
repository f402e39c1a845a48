# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The etcd role's pki entry point through ansible-playbook: inventory in, PKI on the controller out."""

import datetime
import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from ansible_collections.etcdtls.cluster.plugins.module_utils import pki, pki_input

PLAY = """
- name: PKI
  hosts: etcd
  gather_facts: false
  tasks:
    - name: Only the PKI
      ansible.builtin.include_role:
        name: etcdtls.cluster.etcd
        tasks_from: pki
      vars:
        etcd_pki_dir: {pki_dir}
        etcd_clients: [{{name: apisix}}]
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
    play = PLAY.format(pki_dir="ignored").replace("        etcd_pki_dir: ignored\n", "")
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
    play = PLAY.format(pki_dir=tmp_path / "pki").replace("etcd_clients: [{name: apisix}]", "etcd_pki_key_type: dsa")
    rc, data = playbook.run(play, INVENTORY.format(third="192.168.7.13"))
    assert rc != 0
    assert "etcd_pki_key_type" in str(data)
    assert not (tmp_path / "pki").exists()


INVENTORY_SETTINGS = {
    "etcd_pki_key_type": "rsa",
    "etcd_pki_key_size": 3072,
    "etcd_pki_ca_common_name": "inventory-ca",
    "etcd_pki_ca_days": 1000,
    "etcd_pki_leaf_days": 100,
    "etcd_pki_renew_days": 10,
    "etcd_pki_ca_passphrase": "inventory-secret",
    "etcd_pki_admin_common_name": "inventory-root",
    "etcd_clients": [{"name": "gw", "common_name": "gw-user", "organization": "inventory-org"}],
}
BARE_PLAY = PLAY.replace("      vars:\n        etcd_pki_dir: {pki_dir}\n        etcd_clients: [{{name: apisix}}]\n", "")


def load(path):
    with open(str(path), "rb") as handle:
        return x509.load_pem_x509_certificate(handle.read())


def days(cert):
    return round((cert.not_valid_after_utc - cert.not_valid_before_utc) / datetime.timedelta(days=1))


def cn(cert, oid=NameOID.COMMON_NAME):
    return [a.value for a in cert.subject.get_attributes_for_oid(oid)]


def test_every_pki_setting_from_the_inventory_reaches_the_certificates(playbook, tmp_path):
    """One name per setting: the inventory's value wins, and it shows in the certificates."""
    pki_dir = tmp_path / "pki"
    inventory = INVENTORY.format(third="192.168.7.13") + "    etcd_pki_dir: %s\n" % pki_dir
    inventory += "".join("    %s: %s\n" % (name, json.dumps(value)) for name, value in INVENTORY_SETTINGS.items())
    rc, data = playbook.run(BARE_PLAY, inventory)
    assert rc == 0, data
    ca = load(pki_dir / "ca.crt")
    assert cn(ca) == ["inventory-ca"] and days(ca) == 1000
    ca_key = (pki_dir / "ca.key").read_bytes()
    with pytest.raises(TypeError):  # encrypted: etcd_pki_ca_passphrase reached the key
        serialization.load_pem_private_key(ca_key, password=None)
    server = load(pki_dir / "members" / "x-k3s-m-1" / "server.crt")
    assert days(server) == 100
    assert isinstance(server.public_key(), rsa.RSAPublicKey) and server.public_key().key_size == 3072
    assert cn(load(pki_dir / "clients" / "admin.crt")) == ["inventory-root"]
    client = load(pki_dir / "clients" / "gw.crt")
    assert cn(client) == ["gw-user"] and cn(client, NameOID.ORGANIZATION_NAME) == ["inventory-org"]
    result = playbook.task_results(data, "Ensure the cluster PKI on the controller")["node1"]
    assert result["invocation"]["module_args"]["renew_days"] == 10

    # On demand, from the inventory too: re-issue one certificate, with a new key.
    before = load(pki_dir / "clients" / "gw.crt")
    inventory += '    etcd_pki_reissue: ["clients/gw"]\n    etcd_pki_regenerate_keys: true\n'
    rc, data = playbook.run(BARE_PLAY, inventory)
    assert rc == 0, data
    after = load(pki_dir / "clients" / "gw.crt")
    assert after.serial_number != before.serial_number
    assert after.public_key().public_numbers() != before.public_key().public_numbers()
    issued = playbook.task_results(data, "Ensure the cluster PKI on the controller")["node1"]["issued"]
    assert [i["id"] for i in issued] == ["clients/gw"]


def run_with_inventory_dir(inventory_dir, play_path):
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
        ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, "collections"),
        ANSIBLE_NOCOLOR="1",
    )
    return subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", str(inventory_dir), str(play_path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def fingerprint(path):
    return load(path).fingerprint(hashes.SHA256())


def test_default_pki_dir_is_never_read_as_inventory_and_the_former_default_is_kept(tmp_path):
    play = tmp_path / "play.yml"
    play.write_text(BARE_PLAY)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "hosts.yml").write_text(INVENTORY.format(third="192.168.7.13"))
    for _run in range(2):  # the second run has the PKI files beside the inventory
        proc = run_with_inventory_dir(fresh, play)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "as an inventory source" not in proc.stdout + proc.stderr
    assert (fresh / ".pki" / "etcd" / "ca.key").exists() and not (fresh / "pki").exists()

    # A PKI at the former default <inventory>/pki/<cluster> stays in use: no new CA beside it.
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (legacy / "hosts.yml").write_text(INVENTORY.format(third="192.168.7.13"))
    members = [{"name": "x-k3s-m-%d" % i, "ips": ["192.168.7.1%d" % i]} for i in (1, 2, 3)]
    pki.ensure_pki(pki.PkiSettings(str(legacy / "pki" / "etcd")), pki_input.parse_members(members), [])
    before = fingerprint(legacy / "pki" / "etcd" / "ca.crt")
    proc = run_with_inventory_dir(legacy, play)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert fingerprint(legacy / "pki" / "etcd" / "ca.crt") == before
    assert not (legacy / ".pki").exists()
    # That former location is what made Ansible read the PKI as inventory.
    assert "as an inventory source" in proc.stdout + proc.stderr
