# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""etcd_extra_config is an allow-list: tuning keys pass, the role's keys never, anything else needs the opt-in."""

import re

import pytest

from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError
from ansible_collections.etcdtls.cluster.plugins.module_utils.extra_config import OWNED, check_extra_config

LOOPBACK_METRICS = ["http://127.0.0.1:2381"]


def refused(extra, allow_insecure=False, **kwargs):
    with pytest.raises(EtcdTLSError) as caught:
        check_extra_config(extra, allow_insecure, kwargs.pop("metrics_urls", LOOPBACK_METRICS), **kwargs)
    return caught.value.msg


# The security review's examples: each passed the old deny-list.
@pytest.mark.parametrize(
    "extra, words",
    [
        ({"listen-client-http-urls": "http://0.0.0.0:2382"}, "listen-client-http-urls http://0.0.0.0:2382 serves"),
        (
            {"client-transport-security": {"trusted-ca-file": "/etc/ssl/certs/ca-certificates.crt"}},
            "client-transport-security.trusted-ca-file /etc/ssl/certs/ca-certificates.crt replaces the role's file",
        ),
        (
            {"peer-transport-security": {"trusted-ca-file": "/etc/etcd/pki/ca.crt"}},
            "peer-transport-security.trusted-ca-file /etc/etcd/pki/ca.crt replaces the role's file",
        ),
        (
            {"peer-transport-security": {"skip-client-san-verification": True}},
            "peer-transport-security.skip-client-san-verification lets a peer connect from any address",
        ),
        ({"listen-client-urls": "unix://localhost:2379"}, "listen-client-urls unix://localhost:2379 is plain http"),
        ({"peer-transport-security": None}, "peer-transport-security must be a mapping of settings, not None"),
        ({"client-transport-security": "off"}, "client-transport-security must be a mapping of settings"),
        ({"unsafe-no-fsync": True}, "unsafe-no-fsync is not on the list of tuning keys"),
        ({"cors": "*"}, "cors is not on the list of tuning keys"),
        ({"log-outputs": ["/var/log/etcd.log"]}, "log-outputs is not on the list of tuning keys"),
        ({"enable-pprof": True}, "enable-pprof true serves Go's profiler"),
        ({"client-transport-security": {"client-cert-auth": False}}, "client-cert-auth False lets clients in"),
    ],
)
def test_what_is_not_on_the_allow_list_needs_the_opt_in(extra, words):
    message = refused(extra)
    assert words in message and "etcd_allow_insecure_config: true" in message
    check_extra_config(extra, True, LOOPBACK_METRICS)


@pytest.mark.parametrize(
    "extra, words",
    [
        ({"Data-Dir": "/srv/elsewhere"}, "key 'Data-Dir' is not written as etcd documents it"),
        ({"NAME": "x"}, "key 'NAME'"),
        ({"\u017fnapshot-count": 1}, "key '\u017fnapshot-count'"),
        ({"peer-transport-security": {"Trusted-CA-File": "/x"}}, "key 'peer-transport-security.Trusted-CA-File'"),
        (
            {"listen-metrics-urls": "http://0.0.0.0:2381"},
            "sets listen-metrics-urls, which comes from etcd_listen_metrics",
        ),
        ({"heartbeat-interval": 50}, "sets heartbeat-interval, which comes from etcd_heartbeat_interval"),
        ({"force-new-cluster": True}, "sets force-new-cluster"),
        ({"wal-dir": "/srv/wal"}, "sets wal-dir"),
    ],
)
def test_keys_the_role_owns_are_refused_even_with_the_opt_in(extra, words):
    assert words in refused(extra, allow_insecure=True)


def test_every_owned_key_is_refused():
    for key in OWNED:
        assert "sets %s, which comes from" % key in refused({key: "x"}, allow_insecure=True)


def test_metrics_in_plain_http_only_on_loopback():
    message = refused({}, metrics_urls=["http://0.0.0.0:2381"])
    assert "etcd_listen_metrics_urls http://0.0.0.0:2381 serves /metrics" in message
    assert "etcd_listen_metrics_urls http://10.0.0.1:2381" in refused({}, metrics_urls=["http://10.0.0.1:2381"])
    # The template joins the list with commas, as etcd reads it: a comma inside one item is a second URL.
    sneaked = refused({}, metrics_urls=["http://127.0.0.1:2381,http://0.0.0.0:2382"])
    assert "http://0.0.0.0:2382 serves /metrics" in sneaked
    for urls in (["http://127.0.0.1:2381"], ["http://[::1]:2381", "http://localhost:2381"], ["https://0.0.0.0:2381"]):
        check_extra_config({}, False, urls)


def test_debug_logging_serves_pprof():
    assert "etcd_log_level debug also switches on Go's profiler" in refused({}, log_level="debug")


def test_tuning_and_narrowing_pass():
    check_extra_config(
        {
            "max-request-bytes": 2097152,
            "grpc-keepalive-timeout": "20s",
            "experimental-compaction-batch-limit": 1000,
            "peer-transport-security": {"allowed-cn": "etcd"},
            "client-transport-security": {"allowed-hostname": "gw.example"},
            "enable-v2": False,
        },
        False,
        LOOPBACK_METRICS,
    )


@pytest.mark.parametrize(
    "version, narrowing, words",
    [
        # etcd reads allowed-cn / allowed-hostname from its config file only from 3.5.14 on: before, ignored silently.
        ("3.4.23", {"allowed-cn": ["etcd"]}, "peer-transport-security.allowed-cn, which etcd 3.4.23 does not read"),
        ("3.5.13", {"allowed-hostname": ["gw"]}, "3.5.14 and later has it"),
        # 3.5.14 reads one name, 3.5.15 and later a list: anything else stops the member.
        ("3.5.14", {"allowed-cn": ["etcd"]}, "this etcd reads one name (allowed-cn: etcd1; a list from 3.5.15)"),
        ("3.5.17", {"allowed-cn": "etcd"}, "is 'etcd': this etcd reads a list of names"),
        ("3.6.0", {"allowed-cn": ["etcd", ""]}, "this etcd reads a list of names"),
        # Empty: etcd starts, and narrows nothing.
        ("3.6.0", {"allowed-cn": []}, "is []: etcd would start and narrow nothing"),
        ("3.5.14", {"allowed-hostname": None}, "is None: etcd would start and narrow nothing"),
        # Both in one section: etcd refuses to start.
        ("3.6.0", {"allowed-cn": ["a"], "allowed-hostname": ["b"]}, "sets both allowed-cn and allowed-hostname"),
    ],
)
def test_narrowing_a_release_would_not_take_is_refused(version, narrowing, words):
    with pytest.raises(EtcdTLSError, match=re.escape(words)):
        check_extra_config({"peer-transport-security": narrowing}, False, LOOPBACK_METRICS, version=version)


def test_narrowing_as_each_release_reads_it_passes():
    extra = {
        "peer-transport-security": {"allowed-cn": ["etcd"]},
        "client-transport-security": {"allowed-hostname": ["gw"]},
    }
    for version in ("3.5.15", "3.5.17", "3.6.5", "3.7.1"):
        check_extra_config(extra, False, LOOPBACK_METRICS, version=version)
    check_extra_config({"peer-transport-security": {"allowed-cn": "etcd"}}, False, LOOPBACK_METRICS, version="3.5.14")
    # An etcd_version that is no release is check_version's to report, once.
    check_extra_config(extra, False, LOOPBACK_METRICS, version="3.5")


def test_narrowing_is_refused_for_a_package_whose_release_is_not_known_yet():
    extra = {"peer-transport-security": {"allowed-cn": ["etcd"]}}
    with pytest.raises(EtcdTLSError, match="with etcd_install_method: package the release is known only once"):
        check_extra_config(extra, False, LOOPBACK_METRICS, version="3.5.17", install_method="package")
