# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compliance judgement: a member as the role leaves it passes every check, and each drift is a
miss that names what was found and the fix."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import datetime

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.etcdtls.cluster.plugins.filter.etcd_compliance import etcd_compliance
from ansible_collections.etcdtls.cluster.plugins.module_utils import compliance

NOW = datetime.datetime(2026, 11, 24, tzinfo=datetime.timezone.utc)
KEYS = ["/etc/etcd/pki/server.key", "/etc/etcd/pki/peer.key", "/etc/etcd/pki/admin.key"]
EXPECT = {
    "user": "etcd",
    "group": "etcd",
    "data_dir": "/var/lib/etcd",
    "config_file": "/etc/etcd/conf.yml",
    "key_files": KEYS,
    "renew_days": 30,
    "known_cas": ["CA", "PEER"],
}
CONFIG = {
    "listen-client-urls": "https://10.0.0.1:2379,https://127.0.0.1:2379",
    "listen-peer-urls": "https://10.0.0.1:2380",
    "cipher-suites": ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"],
    "client-transport-security": {
        "cert-file": "s.crt",
        "key-file": "s.key",
        "trusted-ca-file": "/etc/etcd/pki/ca.crt",
        "client-cert-auth": True,
        "auto-tls": False,
    },
    "peer-transport-security": {
        "cert-file": "p.crt",
        "key-file": "p.key",
        "trusted-ca-file": "/etc/etcd/pki/peer-ca.crt",
        "client-cert-auth": True,
        "auto-tls": False,
    },
}


def good_audit():
    files = dict((path, {"exists": True, "mode": "0640", "owner": "root", "group": "etcd"}) for path in KEYS)
    files["/var/lib/etcd"] = {"exists": True, "mode": "0700", "owner": "etcd", "group": "etcd"}
    files["/etc/etcd/conf.yml"] = {"exists": True, "mode": "0640", "owner": "root", "group": "etcd"}
    served = {"error": None, "serial": "1", "not_after": "2027-11-24T00:00:00Z"}
    return {
        "config_error": None,
        "files": files,
        "trusted": {"client": ["CA"], "peer": ["PEER"]},
        "trusted_files": {"client": "/etc/etcd/pki/ca.crt", "peer": "/etc/etcd/pki/peer-ca.crt"},
        "peer_url": "https://10.0.0.1:2380",
        "cbc_client": {"accepted": False, "detail": "handshake failure"},
        "cbc_peer": {"accepted": False, "detail": "handshake failure"},
        "client_cert_on_peer": {"accepted": False, "detail": "bad certificate"},
        "http_client": {"answered": False, "detail": "HTTP/1.0 400 Bad Request"},
        "http_peer": {"answered": False, "detail": ""},
        "served_client": dict(served),
        "served_peer": dict(served),
    }


def misses(audit, config):
    return [(c["id"], c["detail"], c["fix"]) for c in compliance.judge(audit, config, EXPECT, NOW) if not c["ok"]]


def test_a_member_as_the_role_leaves_it_passes_every_check():
    checks = compliance.judge(good_audit(), CONFIG, EXPECT, NOW)
    assert [c["id"] for c in checks][:7] == ["2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7"]
    assert len(checks) == 20 and all(c["ok"] and c["fix"] is None for c in checks)


def drift(audit=None, config=None):
    a, c = good_audit(), copy.deepcopy(CONFIG)
    (audit or (lambda _: None))(a)
    (config or (lambda _: None))(c)
    return misses(a, c)


@pytest.mark.parametrize(
    "audit, config, wanted",
    [
        (None, lambda c: c["client-transport-security"].update({"client-cert-auth": False}), "2.2"),
        (None, lambda c: c["client-transport-security"].update({"auto-tls": True}), "2.3"),
        (None, lambda c: c["peer-transport-security"].pop("key-file"), "2.4"),
        (None, lambda c: c["peer-transport-security"].update({"client-cert-auth": False}), "2.5"),
        (None, lambda c: c["peer-transport-security"].update({"auto-tls": True}), "2.6"),
        (lambda a: a["trusted"].update({"peer": ["CA"]}), None, "2.7"),
        (lambda a: a["trusted"].update({"client": ["CA", "KUBE"]}), None, "2.7"),
        (lambda a: a["files"]["/var/lib/etcd"].update({"mode": "0755"}), None, "data-dir"),
        (lambda a: a["files"]["/etc/etcd/pki/peer.key"].update({"mode": "0644"}), None, "key"),
        (lambda a: a["files"]["/etc/etcd/pki/server.key"].update({"owner": "etcd"}), None, "key"),
        (lambda a: a["files"]["/etc/etcd/conf.yml"].update({"mode": "0644"}), None, "conf"),
        (None, lambda c: c.pop("cipher-suites"), "tls"),
        (lambda a: a["cbc_peer"].update({"accepted": True}), None, "tls"),
        (
            lambda a: a["client_cert_on_peer"].update({"accepted": True, "detail": "HTTP/1.1 200 OK"}),
            None,
            "peer-isolation",
        ),
        (None, lambda c: c.update({"listen-peer-urls": "http://10.0.0.1:2380"}), "https-only"),
        (lambda a: a["http_client"].update({"answered": True}), None, "https-only"),
        # Every listener key, in every spelling etcd reads (it matches keys without regard to case).
        (None, lambda c: c.update({"listen-client-http-urls": "https://10.0.0.1:2382"}), None),
        (None, lambda c: c.update({"listen-client-http-urls": "http://0.0.0.0:2382"}), "https-only"),
        (None, lambda c: c.update({"listen-client-urls": "unix://localhost:2379"}), "https-only"),
        (None, lambda c: c.update({"listen-metrics-urls": "http://0.0.0.0:2381"}), "metrics-loopback"),
        (None, lambda c: c.update({"listen-metrics-urls": "http://[::1]:2381,https://10.0.0.1:2381"}), None),
        (lambda a: a["served_peer"].update({"not_after": "2026-12-01T00:00:00Z"}), None, "cert-peer"),
        # What the review found verify passing: the system CA store trusted, SAN checks skipped, a key etcd folds.
        (
            None,
            lambda c: c["client-transport-security"].update({"trusted-ca-file": "/etc/ssl/certs/ca-certificates.crt"}),
            "mtls-whole",
        ),
        (
            None,
            lambda c: c["peer-transport-security"].update({"trusted-ca-file": "/etc/etcd/pki/ca.crt"}),
            "mtls-whole",
        ),
        (None, lambda c: c["peer-transport-security"].update({"skip-client-san-verification": True}), "mtls-whole"),
        (None, lambda c: c.update({"experimental-peer-skip-client-san-verification": True}), "mtls-whole"),
        (None, lambda c: c.update({"enable-v2": False, "enable-pprof": False}), None),
        (None, lambda c: c["client-transport-security"].update({"allowed-cn": "apisix"}), None),
    ],
)
def test_each_drift_is_a_miss_with_its_fix(audit, config, wanted):
    found = drift(audit, config)
    assert [m[0] for m in found] == ([wanted] if wanted else []), found
    assert not found or found[0][2]


def test_a_listener_key_in_another_case_is_two_misses():
    found = drift(config=lambda c: c.update({"Listen-Client-Http-Urls": "http://0.0.0.0:2382"}))
    assert [m[0] for m in found] == ["config-keys", "https-only"], found
    assert "Listen-Client-Http-Urls" in found[0][1] and "http://0.0.0.0:2382" in found[1][1]


def test_a_transport_key_etcd_folds_is_a_miss_too():
    found = drift(config=lambda c: c["client-transport-security"].update({"tru\u017fted-ca-file": "/etc/ssl/ca.crt"}))
    assert [m[0] for m in found] == ["config-keys", "mtls-whole"], found


def test_an_unreadable_conf_misses_every_config_check():
    audit = dict(good_audit(), config_error="/etc/etcd/conf.yml: Permission denied")
    ids = [m[0] for m in misses(audit, None)]
    assert ids[:7] == ["2.1", "2.2", "2.4", "2.5", "tls", "mtls-whole", "https-only"]


def test_the_filter_puts_the_host_on_each_check_and_reads_no_file():
    audit = dict(good_audit(), config_text=None)
    report = etcd_compliance(audit, EXPECT, "m1")
    assert set(check["host"] for check in report["checks"]) == set(["m1"])
    first = report["checks"][0]
    assert first["line"] == "- m1 %s %s: %s. Fix: %s" % (first["id"], first["title"], first["detail"], first["fix"])
    assert "host" not in etcd_compliance(audit, EXPECT)["checks"][0]
    # The CAs a member may trust come from the PKI module: without them there is no judgement, and no disk read.
    with pytest.raises(AnsibleFilterError, match="known_cas"):
        etcd_compliance(audit, dict(EXPECT, known_cas=None, pki_dir="/nonexistent"))
