# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The etcd role's preflight through real ansible-playbook: bad input and a foreign CA are refused
before anything is written, on the controller (no PKI) or a host (no file)."""

import json
import os
import socket

import pytest
from conftest import ROOT

from ansible_collections.etcdtls.cluster.plugins.module_utils import pki, pki_input

PLAY = """
- name: Deploy
  hosts: etcd
  gather_facts: true
  gather_subset: [min, network]
  any_errors_fatal: true
  roles:
    - role: etcdtls.cluster.etcd
"""

INVENTORY = """
etcd:
  hosts:
    m1: {{etcd_address: 127.0.0.1}}
    m2: {{etcd_address: 127.0.0.2}}
    m3: {{etcd_address: 127.0.0.3}}
  vars:
    ansible_connection: local
    ansible_python_interpreter: "{{{{ ansible_playbook_python }}}}"
    ansible_become: false
    etcd_service_manager: systemd
    etcd_pki_dir: {tmp}/controller/pki
    etcd_archive_cache_dir: {tmp}/controller/archives
    etcd_config_dir: {tmp}/host/etc
    etcd_pki_host_dir: {tmp}/host/etc/pki
    etcd_data_dir: {tmp}/host/data
    etcd_bin_dir: {tmp}/host/bin
    etcd_profile_file: ""
"""


UNSHARE = ("unshare", "--pid", "--fork", "--mount-proc")


def written(tmp_path):
    return sorted(
        os.path.relpath(os.path.join(directory, name), str(tmp_path))
        for directory, _subdirs, names in os.walk(str(tmp_path))
        for name in names
    )


def refusal(playbook, tmp_path, *extra, play=PLAY, prefix=(), ignore=None, inventory=INVENTORY):
    """The play is refused by the preflight, and nothing was written (but what ``ignore`` matches: an etcd's own)."""
    before = [f for f in written(tmp_path) if not (ignore and f.startswith(ignore))]
    rc, data = playbook.run(play, inventory.format(tmp=tmp_path), *extra, prefix=prefix)
    assert rc != 0
    result = playbook.task_results(data, "Check every input and every member's state before any change")
    msg = next(iter(result.values())).get("msg") or str(result)
    assert msg.startswith("refused before any change")
    # Nothing written: no PKI on the controller, no file on the host (the playbook itself aside).
    after = [f for f in written(tmp_path) if not (ignore and f.startswith(ignore))]
    assert [f for f in after if f not in ("play.yml", "hosts.yml")] == [
        f for f in before if f not in ("play.yml", "hosts.yml")
    ]
    assert not (tmp_path / "controller" / "pki").exists()
    return msg


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"etcd_version": "3.5"}, "etcd_version '3.5' is not a release this collection installs"),
        ({"etcd_cluster_name": "../../escape"}, "etcd_cluster_name: the cluster name '../../escape' is not usable"),
        ({"etcd_peer_port": 2379}, "etcd_client_port and etcd_peer_port are both 2379"),
        ({"etcd_pki_ca_days": 99999999}, "etcd_pki_ca_days must be between 1 and 36500"),
        ({"etcd_clients": [{"name": "gw", "common_name": "x" * 65}]}, "client gw: common_name"),
        # Values that reach a shell, a unit or a script, matched as whole strings (issue 17, class 4).
        (
            {"etcd_data_dir": "/var/lib/etcd $(touch /tmp/etcdtls-injected)"},
            "host m1: etcd_data_dir '/var/lib/etcd $(touch /tmp/etcdtls-injected)' is not usable",
        ),
        ({"etcd_backup_host_dir": "/var/backups/etcd;id"}, "host m2: etcd_backup_host_dir"),
        ({"etcd_system_user": "etcd\n"}, "host m3: etcd_system_user 'etcd\\n' is not usable"),
        ({"etcd_backup_schedule": "daily\nExecStartPre=/bin/sh"}, "etcd_backup_schedule 'daily\\nExecStartPre"),
        ({"etcd_name": "etcd1\n"}, "etcd_name name 'etcd1\\n' is not usable"),
        ({"etcd_clients": [{"name": "a", "common_name": "root"}]}, "client a: its etcd user 'root' (its CN)"),
        (
            {"etcd_extra_config": {"peer-transport-security": {"client-cert-auth": False}}},
            "peer-transport-security.client-cert-auth False lets clients in without a certificate",
        ),
    ],
)
def test_bad_input_is_refused_before_any_write(playbook, tmp_path, extra, message):
    msg = refusal(playbook, tmp_path, "-e", json.dumps(extra))
    assert message in msg


@pytest.mark.parametrize(
    "m2_vars, message",
    [
        (
            {"etcd_extra_config": {"listen-client-http-urls": "http://0.0.0.0:2391"}},
            "host m2: etcd_extra_config weakens mutual TLS: listen-client-http-urls",
        ),
        (
            {"etcd_listen_metrics_urls": ["http://0.0.0.0:2392"]},
            "host m2: etcd_listen_metrics_urls http://0.0.0.0:2392",
        ),
        (
            {"etcd_cluster_name": "etcd\nExecStartPre=/bin/touch /tmp/etcdtls-injected"},
            "host m2: etcd_cluster_name is 'etcd\\nExecStartPre=/bin/touch /tmp/etcdtls-injected' there, and 'etcd'",
        ),
        ({"etcd_service_name": "../../../tmp/evil"}, "host m2: etcd_service_name is '../../../tmp/evil' there"),
        ({"etcd_tls_min_version": "TLS1.3"}, "host m2: etcd_tls_min_version is 'TLS1.3' there, and 'TLS1.2' for"),
    ],
)
def test_one_hosts_own_values_are_judged_too(playbook, tmp_path, m2_vars, message):
    """Every member renders its conf.yml and unit from its own host variables: a value set for one host alone is
    judged, not only the first host's (the preflight runs once)."""
    m2 = json.dumps(dict(m2_vars, etcd_address="127.0.0.2")).replace("{", "{{").replace("}", "}}")
    inventory = INVENTORY.replace("    m2: {{etcd_address: 127.0.0.2}}", "    m2: " + m2)
    assert message in refusal(playbook, tmp_path, inventory=inventory)


def test_a_member_that_trusts_another_ca_is_refused(playbook, tmp_path):
    foreign = tmp_path / "foreign"
    pki.ensure_pki(pki.PkiSettings(str(foreign)), pki_input.parse_members([{"name": "x", "ips": ["10.9.9.9"]}]), [])
    host_pki = tmp_path / "host" / "etc" / "pki"
    host_pki.mkdir(parents=True)
    (host_pki / "ca.crt").write_bytes((foreign / "ca.crt").read_bytes())
    msg = refusal(playbook, tmp_path)
    assert "the members already trust a CA, but the controller has no CA in %s/controller/pki" % tmp_path in msg
    assert "m1, m2, m3 trust" in msg and "point etcd_pki_dir at" in msg


GROUPS = "etcd:\n  hosts: {}\nother:\n  hosts:\n    x: {ansible_connection: local}\n"


@pytest.mark.parametrize("name", ["site.yml", "check-certs.yml", "verify.yml", "backup.yml", "remove-member.yml"])
def test_an_empty_group_is_an_error_of_every_playbook(playbook, name):
    # Before, a playbook but site.yml matched no host and passed (rc 0), which a cron job would never notice.
    rc, data = playbook.run("- import_playbook: %s/playbooks/%s\n" % (ROOT, name), GROUPS)
    assert rc != 0
    result = playbook.task_results(data, "The inventory group lists the members")["localhost"]
    assert "The inventory group 'etcd' has no hosts" in result["msg"]
    assert "give the group that lists them with -e etcd_inventory_group=GROUP" in result["msg"]
    rc, data = playbook.run(
        "- import_playbook: %s/playbooks/%s\n" % (ROOT, name), GROUPS, "-e", "etcd_inventory_group=nope"
    )
    assert rc != 0 and "The inventory group 'nope' has no hosts" in str(data)


def test_etcd_group_is_still_read_and_says_it_is_deprecated(playbook):
    text = "- import_playbook: %s/playbooks/inventory_group.yml\n" % ROOT
    rc, data = playbook.run(text, GROUPS, "-e", "etcd_group=other")
    assert rc == 0
    said = playbook.task_results(data, "Say that etcd_group is deprecated")["x"]
    assert "[DEPRECATED] etcd_group is now etcd_inventory_group" in said["msg"]
    assert "etcd_group=other is still read" in said["msg"]
    rc, data = playbook.run(text, GROUPS, "-e", "etcd_inventory_group=other")
    assert rc == 0 and playbook.task_results(data, "Say that etcd_group is deprecated")["x"].get("skipped")
    rc, data = playbook.run(text, GROUPS, "-e", "etcd_group=other", "-e", "etcd_inventory_group=etcd")
    assert rc != 0
    refused = playbook.task_results(data, "Every host reads the group the plays run on")["x"]
    assert "x reads etcd_group=other and etcd_inventory_group=etcd" in refused["msg"]


def test_a_group_set_in_the_inventory_is_not_the_one_the_plays_run_on(playbook):
    # The plays' hosts read -e alone: a value set in the inventory would run the plays on one group and the role on
    # another. Refused on the hosts themselves, before any other play.
    inventory = (
        "all:\n  vars:\n    etcd_inventory_group: other\n  children:\n    etcd:\n      hosts:\n"
        "        x: {ansible_connection: local}\n    other:\n      hosts:\n        x: {}\n"
    )
    rc, data = playbook.run("- import_playbook: %s/playbooks/check-certs.yml\n" % ROOT, inventory)
    assert rc != 0
    refused = playbook.task_results(data, "Every host reads the group the plays run on")["x"]
    assert "but the plays run on the group etcd" in refused["msg"]
    assert "Give the group once, with -e etcd_inventory_group=GROUP" in refused["msg"]
    assert [play["play"]["name"] for play in data["plays"]][-1].startswith("Check the inventory group")
    rc, data = playbook.run(
        "- import_playbook: %s/playbooks/inventory_group.yml\n" % ROOT, inventory, "-e", "etcd_inventory_group=other"
    )
    assert rc == 0


@pytest.mark.parametrize(
    "playbook_name, extra, what",
    [
        ("rotate-certs.yml", {"etcd_pki_reissue": "all"}, "rotate certificates in"),
        ("rotate-ca.yml", {}, "rotate the CA of"),
        ("backup.yml", {}, "back up"),
        ("restore.yml", {"etcd_restore_snapshot": "SNAPSHOT"}, "restore into"),
        ("upgrade.yml", {"etcd_version": "3.5.16"}, "upgrade"),
        ("add-member.yml", {}, "join"),
        ("remove-member.yml", {"etcd_remove_members": ["m3"]}, "remove members from"),
    ],
)
def test_day2_playbooks_need_a_deployed_cluster(playbook, tmp_path, playbook_name, extra, what):
    """Before site.yml deployed anything, every day-2 playbook is refused by the preflight, with the others'
    refusals, and writes nothing: not even a CA on the controller. The "hosts" are this machine: the play runs in
    a PID namespace of its own, so that an etcd running here (a demo or scenario container) is not taken for a
    deployed member."""
    if "etcd_restore_snapshot" in extra:
        (tmp_path / "controller").mkdir()
        (tmp_path / "controller" / "etcd.db").write_bytes(b"not read")
        extra["etcd_restore_snapshot"] = str(tmp_path / "controller" / "etcd.db")
    play = "- import_playbook: %s/playbooks/%s\n" % (ROOT, playbook_name)
    msg = refusal(playbook, tmp_path, "-e", json.dumps(extra), play=play, prefix=UNSHARE)
    assert (
        "no member holds data or runs etcd, so there is no cluster to %s; deploy it with site.yml first" % what in msg
    )


def test_an_etcd_started_by_hand_is_refused_before_any_change(playbook, tmp_path):
    """The seed's cluster: etcd started with flags and an ETCD_* variable, not by this collection. site.yml names it
    and points at adopt.yml, and writes nothing: no CA on the controller, no file on the host, no user. The etcd runs
    in the play's own PID namespace, started just before ansible-playbook, with its data in etcd_data_dir (as the
    seed's /var/lib/etcd: the old preflight took it for a member of its own, without a CA)."""
    from local_etcd import ETCD, free_port

    own = tmp_path / "host"
    client, peer = free_port("127.0.0.1"), free_port("127.0.0.1")
    start = (
        'ETCD_HEARTBEAT_INTERVAL=100 "$0" --name m1 --data-dir %s --listen-client-urls http://127.0.0.1:%d '
        "--advertise-client-urls http://127.0.0.1:%d --listen-peer-urls http://127.0.0.1:%d "
        "--initial-advertise-peer-urls http://127.0.0.1:%d --initial-cluster m1=http://127.0.0.1:%d "
        "--log-level error >/dev/null 2>&1 & "
        'for i in $(seq 1 100); do [ -d %s/member ] && break; sleep 0.1; done; exec "$@"'
    ) % (own / "data", client, client, peer, peer, peer, own / "data")
    msg = refusal(playbook, tmp_path, prefix=(*UNSHARE, "sh", "-c", start, ETCD), ignore="host/data/")
    assert "host m1: an etcd this collection did not deploy: etcd runs as pid" in msg
    assert "--data-dir %s" % (own / "data") in msg and "ETCD_HEARTBEAT_INTERVAL" in msg
    # What it runs with, read from the real process's command line and environment as etcd reads them.
    assert ": member m1, data in %s, clients on http, peers on http" % (own / "data") in msg
    assert "playbooks/adopt.yml, which is not available yet: nothing was changed" in msg


def test_etcds_port_taken_by_another_program_is_refused(playbook, tmp_path):
    """An etcd inside another program (k3s) or under another name shows only as its port taken: a listener on
    etcd_client_port, with no process named etcd (the play in its own PID namespace), is refused before any write."""
    from local_etcd import free_port

    port = free_port("127.0.0.1")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
        sock.listen()
        msg = refusal(playbook, tmp_path, "-e", "etcd_client_port=%d" % port, prefix=UNSHARE)
    assert "host m1: an etcd this collection did not deploy: something listens on port %d, but no" % port in msg


def test_member_data_without_a_conf_yml_of_ours_is_refused(playbook, tmp_path):
    (tmp_path / "host" / "data" / "member" / "wal").mkdir(parents=True)
    msg = refusal(playbook, tmp_path, prefix=UNSHARE)
    assert "host m1: an etcd this collection did not deploy: %s/host/data holds member data" % tmp_path in msg
