# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's filters."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.etcdtls.cluster.plugins.filter.etcd_cert_report import etcd_cert_report
from ansible_collections.etcdtls.cluster.plugins.filter.etcd_client_recipes import etcd_client_recipes
from ansible_collections.etcdtls.cluster.plugins.filter.etcd_health_table import etcd_health_table
from ansible_collections.etcdtls.cluster.plugins.filter.etcd_members import etcd_members
from ansible_collections.etcdtls.cluster.plugins.filter.etcd_release_arch import etcd_release_arch
from ansible_collections.etcdtls.cluster.plugins.filter.etcd_unsupported_arch import etcd_unsupported_arch


@pytest.mark.parametrize(
    "machine, release",
    [
        ("x86_64", "amd64"),
        ("aarch64", "arm64"),
        ("armv7l", "arm"),
        ("ppc64le", "ppc64le"),
        ("s390x", "s390x"),
        ("riscv64", "unsupported"),
    ],
)
def test_release_arch(machine, release):
    assert etcd_release_arch(machine) == release


@pytest.mark.parametrize(
    "arch, version, wanted",
    [
        ("arm", "3.5.17", "arm"),
        ("arm", "3.4.23", "arm"),
        ("arm64", "3.4.23", "arm64"),
        ("arm64", "3.5.0", ""),
        ("arm64", "v3.6.1", ""),
        ("arm64", "3.5", ""),
        ("arm64", "3.6.0-rc.1", ""),
        ("arm64", "3.4.23-1", "arm64"),
        ("amd64", "3.4.23", ""),
    ],
)
def test_unsupported_arch(arch, version, wanted):
    assert etcd_unsupported_arch(arch, version) == wanted


HOSTVARS = {
    "pi1": {"etcd_address": "192.168.7.11", "etcd_name": "x-k3s-m-1", "etcd_fqdn": "x-k3s-m-1.edge.huatai.me"},
    "pi2": {"ansible_default_ipv4": {"address": "192.168.7.12"}, "etcd_extra_sans": ["etcd.edge.huatai.me"]},
    "v6": {"etcd_address": "fd00::13", "etcd_extra_addresses": ["fd00::13", "10.0.0.13"]},
}


def test_members_from_inventory():
    members = etcd_members(["pi1", "pi2", "v6"], HOSTVARS, 2379, 2380)
    assert [m["name"] for m in members] == ["x-k3s-m-1", "pi2", "v6"]
    assert members[0]["fqdn"] == "x-k3s-m-1.edge.huatai.me" and "fqdn" not in members[1]
    assert members[1]["address"] == "192.168.7.12" and members[1]["extra_sans"] == ["etcd.edge.huatai.me"]
    assert members[0]["peer_url"] == "https://192.168.7.11:2380"
    assert members[2]["client_url"] == "https://[fd00::13]:2379"
    assert members[2]["ips"] == ["fd00::13", "10.0.0.13"]


@pytest.mark.parametrize(
    "hostvars, message",
    [
        ({"h": {}}, "host h: no etcd_address, and no default IPv4 address was gathered"),
        ({"h": {"etcd_address": "pi.local"}}, "host h: etcd_address 'pi.local' is not an IP address"),
    ],
)
def test_members_bad_inventory(hostvars, message):
    with pytest.raises(AnsibleFilterError, match=message):
        etcd_members(["h"], hostvars)
    with pytest.raises(AnsibleFilterError, match="the etcd group is empty"):
        etcd_members([], hostvars)


def test_health_table():
    result = {
        "healthy": False,
        "voting_members": 3,
        "learners": 0,
        "quorum": 2,
        "leader": {"name": "e1"},
        "alarms": [{"alarm": "NOSPACE"}],
        "failures": ["active alarms: NOSPACE on 1"],
        "endpoints": [
            {
                "name": "e1",
                "endpoint": "https://10.0.0.1:2379",
                "healthy": True,
                "leader": True,
                "version": "3.5.1",
                "db_size": 20480,
                "raft_term": 2,
                "raft_index": 11,
                "took": "9ms",
                "cert_not_after": "2027-01-01T00:00:00Z",
            },
            {"endpoint": "https://10.0.0.2:2379", "healthy": False},
        ],
    }
    lines = etcd_health_table(result)
    assert lines[0].split()[:3] == ["NAME", "ENDPOINT", "HEALTH"]
    assert lines[1].split() == [
        "e1",
        "https://10.0.0.1:2379",
        "healthy",
        "*",
        "3.5.1",
        "20.5",
        "kB",
        "2",
        "11",
        "9ms",
        "2027-01-01T00:00:00Z",
    ]
    assert "UNHEALTHY" in lines[2]
    assert lines[3] == "UNHEALTHY: 3 voting member(s), 0 learner(s), quorum 2, leader e1, alarms: NOSPACE"
    assert lines[4] == "  - active alarms: NOSPACE on 1"


RECIPE_MEMBERS = [
    {"name": "m%d" % i, "address": "10.0.0.%d" % i, "client_url": "https://10.0.0.%d:2379" % i} for i in (1, 2, 3)
]


def test_client_recipes_apisix_by_ip_verifying_the_shared_name():
    clients = [
        {
            "name": "apisix",
            "api": "json",
            "password": "p",
            "bundle": {"host": "gw", "path": "/usr/local/apisix/conf/etcd/"},
        },
        {"name": "kube", "common_name": "kube-apiserver", "bundle": {"host": "cp", "path": "/etc/kubernetes/pki/etcd"}},
    ]
    apisix, kube = etcd_client_recipes(clients, RECIPE_MEMBERS, "etcd.etcd.internal", "/srv/etcd/", True)
    # A client with a bundle host finds its bundle there, one without in the controller's directory of bundles.
    (alone,) = etcd_client_recipes([{"name": "kube"}], RECIPE_MEMBERS, "etcd.etcd.internal", "/srv/etcd/")
    assert alone["dir"] == "/srv/etcd/kube" and "--etcd-cafile=/srv/etcd/kube/ca.crt" in alone["lines"]
    assert (apisix["name"], apisix["user"], apisix["dir"]) == ("apisix", "apisix", "/usr/local/apisix/conf/etcd")
    assert sorted(apisix["recipes"]) == ["apisix.yaml", "etcdctl.sh"]
    # The same recipes as files to write, and as the lines to print under the client's user and bundle.
    assert apisix["files"] == [{"file": name, "text": text} for name, text in apisix["recipes"].items()]
    assert apisix["lines"][:3] == [
        "apisix: etcd user apisix; bundle (ca.crt, apisix.crt, apisix.key) in /usr/local/apisix/conf/etcd",
        "",
        "# apisix.yaml",
    ]
    assert apisix["lines"].count("") == 2 and "# etcdctl.sh" in apisix["lines"]
    assert apisix["recipes"]["apisix.yaml"] == (
        "deployment:\n  etcd:\n    host:\n"
        '      - "https://10.0.0.1:2379"\n      - "https://10.0.0.2:2379"\n      - "https://10.0.0.3:2379"\n'
        '    user: apisix\n    password: "<apisix\'s etcd password>"\n'
        "    tls:\n      cert: /usr/local/apisix/conf/etcd/apisix.crt\n"
        "      key: /usr/local/apisix/conf/etcd/apisix.key\n"
        "      verify: true\n      sni: etcd.etcd.internal\n"
        "apisix:\n  ssl:\n    ssl_trusted_certificate: /usr/local/apisix/conf/etcd/ca.crt\n"
    )
    assert "p" not in apisix["recipes"]["apisix.yaml"].split('"')
    assert "export ETCDCTL_USER=apisix\n" in apisix["recipes"]["etcdctl.sh"]
    assert sorted(kube["recipes"]) == ["etcdctl.sh", "k3s.sh", "kube-apiserver.flags"]
    assert kube["user"] == "kube-apiserver"
    assert kube["recipes"]["kube-apiserver.flags"].splitlines() == [
        "--etcd-servers=https://10.0.0.1:2379,https://10.0.0.2:2379,https://10.0.0.3:2379",
        "--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt",
        "--etcd-certfile=/etc/kubernetes/pki/etcd/kube.crt",
        "--etcd-keyfile=/etc/kubernetes/pki/etcd/kube.key",
    ]
    assert (
        "--datastore-endpoint=https://10.0.0.1:2379,https://10.0.0.2:2379,https://10.0.0.3:2379"
        in (kube["recipes"]["k3s.sh"])
    )
    assert kube["recipes"]["etcdctl.sh"].endswith("etcdctl endpoint health\n")
    assert "ETCDCTL_USER" not in kube["recipes"]["etcdctl.sh"]


def test_client_recipes_without_a_shared_name():
    clients = [{"name": "apisix", "api": "json"}]
    members = [dict(m, fqdn="m%d.example.net" % i) for i, m in enumerate(RECIPE_MEMBERS, 1)]
    (apisix,) = etcd_client_recipes(clients, members, "", "/b")
    assert '      - "https://m1.example.net:2379"\n' in apisix["recipes"]["apisix.yaml"]
    assert "sni" not in apisix["recipes"]["apisix.yaml"] and "user:" not in apisix["recipes"]["apisix.yaml"]
    (apisix,) = etcd_client_recipes(clients, RECIPE_MEMBERS, "", "/b")
    text = apisix["recipes"]["apisix.yaml"]
    assert "set etcd_server_name" in text and "deployment" not in text
    with pytest.raises(AnsibleFilterError, match="etcd_client_recipes"):
        etcd_client_recipes(clients, RECIPE_MEMBERS, "x", {})
    with pytest.raises(AnsibleFilterError, match="etcd_client_bundle_dir"):
        etcd_client_recipes(clients, RECIPE_MEMBERS, "x", "")


def test_systemd_quote_leaves_plain_words_and_escapes_the_rest():
    from ansible_collections.etcdtls.cluster.plugins.filter.etcd_systemd_quote import etcd_systemd_quote

    assert etcd_systemd_quote("/usr/local/bin/etcd") == "/usr/local/bin/etcd"
    assert etcd_systemd_quote("--config-file=/etc/etcd/conf.yml") == "--config-file=/etc/etcd/conf.yml"
    assert etcd_systemd_quote("/opt/my etcd/%n $HOME") == '"/opt/my etcd/%%n $$HOME"'
    assert etcd_systemd_quote('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'


def test_the_certificate_report_puts_the_soonest_expiry_first_and_says_what_it_could_not_read():
    pki = {
        "certificates": [
            {"id": "members/e1/server", "action": "unchanged", "not_after": "2027-05-01T00:00:00Z"},
            {"id": "clients/apisix", "action": "issued", "not_after": "2028-01-01T00:00:00Z", "reason": "missing"},
        ]
    }
    served = {
        "endpoints": [
            {
                "name": "e1",
                "endpoint": "https://10.0.0.1:2379",
                "cert_not_after": "2027-04-01T00:00:00Z",
                "cert_days_left": 115.0,
                "peer_cert_not_after": None,
                "peer_cert_days_left": None,
            },
        ]
    }
    assert etcd_cert_report(pki, served) == [
        "2027-04-01T00:00:00Z  served  e1 client  115.0 days left",
        "2027-05-01T00:00:00Z  controller  members/e1/server  ",
        "RENEW  controller  clients/apisix  missing",
        "UNREADABLE  served  e1 peer  None days left",
    ]
