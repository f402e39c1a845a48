# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A running etcd's settings read as etcd reads them, on the seeds' own clusters."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.etcdtls.cluster.plugins.module_utils import running

# The kube-apiserver seed's /etc/etcd/etcd.conf, as the unit's EnvironmentFile hands it to etcd.
KUBE_SEED_ENV = {
    "ETCD_DATA_DIR": "/var/lib/etcd/default.etcd",
    "ETCD_LISTEN_PEER_URLS": "https://10.93.81.17:2380",
    "ETCD_LISTEN_CLIENT_URLS": "https://10.93.81.17:2379,https://10.93.81.17:4001",
    "ETCD_INITIAL_ADVERTISE_PEER_URLS": "https://10.93.81.17:2380",
    "ETCD_ADVERTISE_CLIENT_URLS": "https://10.93.81.17:2379",
    "ETCD_NAME": "node1",
    "ETCD_CERT_FILE": "/etc/ssl/etcd/server.pem",
    "ETCD_KEY_FILE": "/etc/ssl/etcd/server-key.pem",
    "ETCD_TRUSTED_CA_FILE": "/etc/ssl/etcd/ca.pem",
    "ETCD_CLIENT_CERT_AUTH": "true",
    "ETCD_PEER_CERT_FILE": "/etc/ssl/etcd/member1.pem",
    "ETCD_PEER_KEY_FILE": "/etc/ssl/etcd/member1-key.pem",
    "ETCD_PEER_TRUSTED_CA_FILE": "/etc/ssl/etcd/ca.pem",
    "ETCD_PEER_CLIENT_CERT_AUTH": "true",
}

# The Raspberry Pi seed's conf.yml (one member's), parsed.
PI_SEED_CONFIG = {
    "name": "etcd1",
    "data-dir": "/var/lib/etcd",
    "listen-peer-urls": "https://192.168.7.11:2380",
    "listen-client-urls": "https://192.168.7.11:2379,https://127.0.0.1:2379",
    "initial-advertise-peer-urls": "https://etcd1.edge.huatai.me:2380",
    "advertise-client-urls": "https://etcd1.edge.huatai.me:2379",
    "client-transport-security": {
        "cert-file": "/etc/etcd/server.pem",
        "key-file": "/etc/etcd/server-key.pem",
        "client-cert-auth": True,
        "trusted-ca-file": "/etc/etcd/ca.pem",
        "auto-tls": False,
    },
    "peer-transport-security": {
        "cert-file": "/etc/etcd/etcd1.pem",
        "key-file": "/etc/etcd/etcd1-key.pem",
        "client-cert-auth": True,
        "trusted-ca-file": "/etc/etcd/ca.pem",
        "auto-tls": False,
    },
}


def test_the_kube_seed_environment_is_mutual_tls_on_both_ports():
    described = running.describe(running.settings(["/usr/bin/etcd"], KUBE_SEED_ENV))
    assert described["source"] == "flags" and described["name"] == "node1"
    assert described["data_dir"] == "/var/lib/etcd/default.etcd"
    assert described["listen_client_urls"] == ["https://10.93.81.17:2379", "https://10.93.81.17:4001"]
    assert described["client_scheme"] == described["peer_scheme"] == "https"
    assert described["client_tls"] == {
        "cert_file": "/etc/ssl/etcd/server.pem",
        "key_file": "/etc/ssl/etcd/server-key.pem",
        "trusted_ca_file": "/etc/ssl/etcd/ca.pem",
        "client_cert_auth": True,
        "auto_tls": False,
    }
    assert described["peer_tls"]["cert_file"] == "/etc/ssl/etcd/member1.pem"
    assert described["shortfalls"] == []


def test_the_pi_seed_reads_its_config_file_alone():
    # With --config-file etcd ignores every other flag and ETCD_* variable: the plain-http name here is not read.
    cmdline = ["/usr/bin/etcd", "--config-file=/etc/etcd/conf.yml", "--listen-client-urls=http://0.0.0.0:2379"]
    found = running.settings(cmdline, {"ETCD_NAME": "ignored"}, PI_SEED_CONFIG)
    described = running.describe(found)
    assert described["source"] == "config-file" and described["config_file"] == "/etc/etcd/conf.yml"
    assert described["name"] == "etcd1" and described["client_scheme"] == "https"
    assert described["advertise_peer_urls"] == ["https://etcd1.edge.huatai.me:2380"]
    assert described["peer_tls"]["cert_file"] == "/etc/etcd/etcd1.pem"
    assert described["peer_tls"]["client_cert_auth"] is True
    assert described["shortfalls"] == []
    # ETCD_CONFIG_FILE names one as well; a config file named but not read is refused.
    assert running.settings(["etcd"], {"ETCD_CONFIG_FILE": "/c.yml"}, PI_SEED_CONFIG)["config_file"] == "/c.yml"
    assert running.config_file(cmdline, {}) == "/etc/etcd/conf.yml" and running.config_file(["etcd"], {}) is None
    with pytest.raises(running.RunningConfigError, match=r"/etc/etcd/conf\.yml, which was not read"):
        running.settings(cmdline, {})


def test_the_kube_seeds_half_way_cluster_shows_each_shortfall():
    # Section 7 of the kube-apiserver seed: clients moved to https, peers left on http; one client URL still plain.
    env = dict(KUBE_SEED_ENV, ETCD_LISTEN_PEER_URLS="http://10.93.81.17:2380", ETCD_PEER_CLIENT_CERT_AUTH="false")
    cmdline = ["/usr/bin/etcd", "--listen-client-urls", "https://10.93.81.17:2379,http://127.0.0.1:2379"]
    described = running.describe(running.settings(cmdline, env))
    # The flag wins over its variable.
    assert described["listen_client_urls"] == ["https://10.93.81.17:2379", "http://127.0.0.1:2379"]
    assert described["client_scheme"] == "http+https" and described["peer_scheme"] == "http"
    assert described["shortfalls"] == [
        "its client port serves plain http (https://10.93.81.17:2379, http://127.0.0.1:2379)",
        "its peer port serves plain http (http://10.93.81.17:2380)",
    ]
    # TLS without client certificates, and etcd's self-signed certificates, are shortfalls as well.
    tls_only = running.describe(running.settings(["etcd", "--peer-auto-tls", "--listen-peer-urls=https://a:2380"], env))
    assert tls_only["shortfalls"] == [
        "its peer certificate is etcd's self-signed auto-tls one",
        "its peer port does not require a client certificate (peer-client-cert-auth off)",
    ]


def test_debians_default_member_is_etcds_defaults():
    described = running.describe(running.settings(["/usr/bin/etcd"], {"ETCD_DATA_DIR": "/var/lib/etcd/default"}))
    assert described["name"] == "default" and described["data_dir"] == "/var/lib/etcd/default"
    assert described["listen_client_urls"] == ["http://localhost:2379"]
    assert described["listen_peer_urls"] == ["http://localhost:2380"]
    assert running.describe(running.settings(["etcd", "-name", "n1"], {}))["data_dir"] == "n1.etcd"


@pytest.mark.parametrize(
    "cmdline, env, message",
    [
        # Go's flag package: a bool flag takes no separate value; "true" ends the flags and etcd refuses it.
        (["etcd", "--client-cert-auth", "true"], {}, "'true' where a flag belongs"),
        (["etcd", "--debug", "--", "--name", "x"], {}, "goes on after its flags"),
        (["etcd", "--name"], {}, "--name has no value"),
        (["etcd", "name=x"], {}, "where a flag belongs"),
        (["etcd", "--client-cert-auth=yes"], {}, "--client-cert-auth is 'yes'"),
        (["etcd"], {"ETCD_PEER_CLIENT_CERT_AUTH": "on"}, "peer-client-cert-auth is 'on'"),
    ],
)
def test_what_etcd_would_refuse_is_refused(cmdline, env, message):
    with pytest.raises(running.RunningConfigError, match=message):
        running.settings(cmdline, env)


def test_flags_after_the_double_dash_and_bool_values():
    assert running.parse_flags(["--auto-tls=false", "-debug", "--"]) == {
        "auto-tls": False,
        "debug": True,
    }
    with pytest.raises(running.RunningConfigError, match="not a YAML mapping"):
        running.settings(["etcd", "--config-file", "/c"], {}, ["a"])
