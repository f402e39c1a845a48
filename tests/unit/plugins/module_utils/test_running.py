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


PEER_HTTPS = "--listen-peer-urls=https://10.93.81.17:2380"


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
        "requires_client_cert": True,
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
    del env["ETCD_LISTEN_CLIENT_URLS"]
    cmdline = ["/usr/bin/etcd", "--listen-client-urls", "https://10.93.81.17:2379,http://127.0.0.1:2379"]
    described = running.describe(running.settings(cmdline, env))
    assert described["listen_client_urls"] == ["https://10.93.81.17:2379", "http://127.0.0.1:2379"]
    assert described["client_scheme"] == "http+https" and described["peer_scheme"] == "http"
    assert described["shortfalls"] == [
        "its client port serves plain http (http://127.0.0.1:2379)",
        "its peer port serves plain http (http://10.93.81.17:2380)",
    ]
    # A flag given on the command line and as its variable too: etcd refuses to start (pkg/flags verifyEnv).
    with pytest.raises(running.RunningConfigError, match="both --listen-client-urls and ETCD_LISTEN_CLIENT_URLS"):
        running.settings(cmdline, KUBE_SEED_ENV)


def test_auto_tls_and_client_certificates_as_etcd_serves_them():
    # auto-tls alone: a self-signed certificate that checks no client certificate, whatever client-cert-auth says.
    alone = running.describe(running.settings(["etcd", "--peer-auto-tls", "--peer-client-cert-auth", PEER_HTTPS], {}))
    assert alone["peer_tls"]["auto_tls"] is True and alone["peer_tls"]["requires_client_cert"] is False
    assert alone["shortfalls"] == [
        "its client port serves plain http (http://localhost:2379)",
        "its peer certificate is etcd's self-signed auto-tls one, which checks no client certificate",
    ]
    # auto-tls beside a certificate of one's own: etcd ignores it ("ignoring peer auto TLS since certs given").
    given = running.describe(running.settings(["etcd", "--peer-auto-tls"], KUBE_SEED_ENV))
    assert given["peer_tls"]["auto_tls"] is False and given["peer_tls"]["cert_file"] == "/etc/ssl/etcd/member1.pem"
    assert given["shortfalls"] == []
    # A trusted CA file alone makes the handshake require a client certificate; client-cert-auth alone checks it
    # against the system's CAs; neither requires none.
    env = dict(KUBE_SEED_ENV, ETCD_CLIENT_CERT_AUTH="false")
    assert running.describe(running.settings(["etcd"], env))["client_tls"]["requires_client_cert"] is True
    del env["ETCD_TRUSTED_CA_FILE"]
    assert running.describe(running.settings(["etcd"], env))["shortfalls"] == [
        "its client port does not require a client certificate (neither client-cert-auth nor trusted-ca-file)"
    ]
    env["ETCD_CLIENT_CERT_AUTH"] = "true"
    assert running.describe(running.settings(["etcd"], env))["shortfalls"] == [
        "its client port checks client certificates against the system's CAs, not a CA of its own (trusted-ca-file "
        "unset)"
    ]


def test_every_client_listener_and_unix_sockets():
    env = dict(KUBE_SEED_ENV, ETCD_LISTEN_CLIENT_HTTP_URLS="http://10.93.81.17:2381")
    described = running.describe(running.settings(["etcd"], env))
    assert described["listen_client_urls"][-1] == "http://10.93.81.17:2381"
    assert described["shortfalls"] == ["its client port serves plain http (http://10.93.81.17:2381)"]
    sockets = dict(KUBE_SEED_ENV, ETCD_LISTEN_CLIENT_URLS="unix://etcd.sock,unixs://etcd-tls.sock")
    described = running.describe(running.settings(["etcd"], sockets))
    assert described["client_scheme"] == "unix+unixs"
    assert described["shortfalls"] == ["its client port serves plain http (unix://etcd.sock)"]


def test_the_environment_as_etcd_reads_it():
    env = {
        "ETCD_NAME": "",  # empty: not read, etcd's default stays
        "ETCD_VERSION": "3.5.1",  # a container image's label: etcd 3.5 and later unset it unread (3.4 would not start)
        "ETCD_UNKNOWN_THING": "x",  # no flag of that name: etcd warns and goes on
        "ETCD_data_dir": "/d",  # not the variable of any flag
    }
    described = running.describe(running.settings(["etcd"], env))
    assert described["name"] == "default" and described["data_dir"] == "default.etcd"
    # An empty --config-file is no config file: ETCD_CONFIG_FILE is looked at then.
    assert running.config_file(["etcd", "--config-file="], {"ETCD_CONFIG_FILE": "/c.yml"}) == "/c.yml"


def test_url_flags_as_etcds_unique_urls_sets_them():
    # An empty value, or a URL the list already has, keeps the list (etcd's default at first); another replaces it.
    assert running.describe(running.settings(["etcd", "--listen-client-urls="], {}))["listen_client_urls"] == [
        "http://localhost:2379"
    ]
    twice = [
        "etcd",
        "--listen-client-urls=http://127.0.0.1:2379,https://h:2379",
        "--listen-client-urls",
        "https://h:2379",
    ]
    described = running.describe(running.settings(twice, {}))
    assert described["listen_client_urls"] == ["http://127.0.0.1:2379", "https://h:2379"]
    assert described["shortfalls"][0] == "its client port serves plain http (http://127.0.0.1:2379)"
    replaced = running.settings(["etcd", "--listen-peer-urls=http://a:2380", "--listen-peer-urls=https://a:2380"], {})
    assert running.describe(replaced)["listen_peer_urls"] == ["https://a:2380"]
    # In a config file, an empty list keeps etcd's default; a list of anything but URLs is not read.
    config = dict(PI_SEED_CONFIG, **{"listen-client-urls": ""})
    found = running.settings(["etcd", "--config-file=/c.yml"], {}, config)
    assert running.describe(found)["listen_client_urls"] == ["http://localhost:2379"]
    config["listen-client-urls"] = [1]
    with pytest.raises(running.RunningConfigError, match="not a URL"):
        running.describe(running.settings(["etcd", "--config-file=/c.yml"], {}, config))


def test_the_legacy_flags_etcd_parses_and_drops():
    # flags.IgnoredFlag: no separate value, any value after "=", no effect.
    assert running.parse_flags(["--config=x", "-v", "--name=n"]) == {"name": "n"}
    assert running.settings(["etcd"], {"ETCD_FORCE": "x"})["settings"]["name"] == "default"
    with pytest.raises(running.RunningConfigError, match="'x' where a flag belongs"):
        running.parse_flags(["--config", "x"])


def test_a_config_file_as_etcd_reads_it():
    config = dict(PI_SEED_CONFIG, **{"Name": None})
    del config["name"]
    config["Name"] = "etcd1"
    # Keys match without regard to case.
    found = running.settings(["etcd", "--config-file=/c.yml"], {}, config)
    assert found["settings"]["name"] == "etcd1" and found["settings"]["cert-file"] == "/etc/etcd/server.pem"
    config["name"] = "other"
    with pytest.raises(running.RunningConfigError, match="sets name twice"):
        running.settings(["etcd", "--config-file=/c.yml"], {}, config)
    # A key that is no json tag of etcd's config: it may be the Go name of an untagged field, which etcd matches too.
    for odd in (
        {"ListenClientUrls": [{"Scheme": "http", "Host": "0.0.0.0:2379"}]},
        {"peer-transport-security": {"InsecureSkipVerify": True}},
    ):
        with pytest.raises(running.RunningConfigError, match="which is not one etcd reads"):
            running.settings(["etcd", "--config-file=/c.yml"], {}, dict(PI_SEED_CONFIG, **odd))


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
        # A flag no release defines: Go's flag package refuses it ("flag provided but not defined").
        (["etcd", "--listen-client-url=http://0.0.0.0:2379"], {}, "--listen-client-url, a flag no etcd release"),
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
    # Every bool flag of every release takes no separate value: the flag after it is read as a flag, not as its value.
    for flag in ("unsafe-no-fsync", "experimental-initial-corrupt-check", "socket-reuse-port", "enable-log-rotation"):
        parsed = running.parse_flags(["--" + flag, "--listen-client-urls=https://10.0.0.1:2379"])
        assert parsed == {flag: True, "listen-client-urls": "https://10.0.0.1:2379"}
    with pytest.raises(running.RunningConfigError, match="not a YAML mapping"):
        running.settings(["etcd", "--config-file", "/c"], {}, ["a"])
