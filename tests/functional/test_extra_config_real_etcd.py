# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fact the etcd_extra_config allow-list rests on, shown by a real etcd (3.5.1) reading a conf.yml: keys are
matched without regard to case, and with Unicode folding (a long s is an s), so `Data-Dir` moves the data dir and
`\u017fnapshot-count` sets snapshot-count. A key spelled so is refused by the preflight: it would really change the
member."""

import json
import os
import subprocess
import time

import pytest
from local_etcd import ETCD, LocalCluster, free_port

from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError
from ansible_collections.etcdtls.cluster.plugins.module_utils.extra_config import check_extra_config


def test_etcd_reads_keys_without_regard_to_case(tmp_path):
    client, peer = free_port("127.0.0.1"), free_port("127.0.0.1")
    moved = tmp_path / "moved"
    conf = tmp_path / "conf.yml"
    conf.write_text(
        "name: m1\n"
        "Data-Dir: %s\n"
        "\u017fnapshot-count: 1234\n"
        "listen-client-urls: http://127.0.0.1:%d\n"
        "advertise-client-urls: http://127.0.0.1:%d\n"
        "listen-peer-urls: http://127.0.0.1:%d\n"
        "initial-advertise-peer-urls: http://127.0.0.1:%d\n"
        "initial-cluster: m1=http://127.0.0.1:%d\n" % (moved, client, client, peer, peer, peer),
        encoding="utf-8",
    )
    log_path = tmp_path / "etcd.log"
    started = None
    with open(str(log_path), "w") as log:
        proc = subprocess.Popen([ETCD, "--config-file", str(conf)], cwd=str(tmp_path), stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + 30
            while started is None and time.monotonic() < deadline:
                time.sleep(0.3)
                for line in log_path.read_text().splitlines():
                    if '"msg":"starting an etcd server"' in line:
                        started = json.loads(line)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    assert started is not None, log_path.read_text()[-2000:]
    assert started["data-dir"] == str(moved) and os.path.isdir(str(moved)), started
    assert started["snapshot-count"] == 1234, started
    assert not (tmp_path / "m1.etcd").exists(), "no default data dir"


def test_etcd_3_5_1_takes_allowed_names_from_flags_but_not_from_its_config_file(tmp_path):
    """Why the preflight refuses allowed-cn / allowed-hostname in etcd_extra_config before 3.5.14: a 3.5.1 member
    narrows its clients by name when told so by flag, and ignores the same narrowing in its config file."""
    local = LocalCluster(str(tmp_path / "c"), ["127.0.0.1"])
    local.build_pki()
    member = local.members[0]
    ca_file = os.path.join(local.pki, "ca.crt")

    def answer(start, stop):
        start()
        try:
            return local.answer(member)
        finally:
            stop()

    # By flag: honoured (the negative case: the look below can fail).
    narrowed = [*local.client_tls(member), "--client-cert-allowed-hostname=nobody.example"]
    flagged = answer(lambda: local.start(member, client_tls=narrowed), lambda: local.stop(member))
    assert flagged is not None and "bad certificate" in flagged.lower(), flagged

    # In the config file: ignored, the admin certificate gets in.
    certs = os.path.join(local.pki, "members", member["name"])
    conf = tmp_path / "conf.yml"
    conf.write_text(
        json.dumps(
            {
                "name": member["name"],
                "data-dir": str(tmp_path / "data"),
                "listen-client-urls": member["client"],
                "advertise-client-urls": member["client"],
                "listen-peer-urls": member["peer"],
                "initial-advertise-peer-urls": member["peer"],
                "initial-cluster": "%s=%s" % (member["name"], member["peer"]),
                "client-transport-security": {
                    "cert-file": os.path.join(certs, "server.crt"),
                    "key-file": os.path.join(certs, "server.key"),
                    "trusted-ca-file": ca_file,
                    "client-cert-auth": True,
                    "allowed-hostname": ["nobody.example"],
                },
                "peer-transport-security": {
                    "cert-file": os.path.join(certs, "peer.crt"),
                    "key-file": os.path.join(certs, "peer.key"),
                    "trusted-ca-file": os.path.join(local.pki, "peer-ca.crt"),
                    "client-cert-auth": True,
                },
            }
        )
    )
    procs = []
    with open(str(tmp_path / "etcd.log"), "w") as log:
        ignored = answer(
            lambda: procs.append(subprocess.Popen([ETCD, "--config-file", str(conf)], stdout=log, stderr=log)),
            lambda: (procs[0].terminate(), procs[0].wait(timeout=10)),
        )
    assert ignored is None, (ignored, (tmp_path / "etcd.log").read_text()[-2000:])
    # The preflight's rule for that release.
    with pytest.raises(EtcdTLSError, match=r"which etcd 3\.5\.1 does not read from its config file"):
        check_extra_config(
            {"client-transport-security": {"allowed-hostname": ["nobody.example"]}}, False, version="3.5.1"
        )
