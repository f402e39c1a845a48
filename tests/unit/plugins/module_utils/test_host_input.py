# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every per-host value that reaches a file, a unit, an OpenRC script or a shell is held to a whole-string pattern."""

import os

import pytest
import yaml

from ansible_collections.etcdtls.cluster.plugins.module_utils import host_input, preflight
from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))

GOOD = {
    "etcd_data_dir": "/var/lib/etcd",
    "etcd_config_dir": "/etc/etcd",
    "etcd_pki_host_dir": "/etc/etcd/pki",
    "etcd_backup_host_dir": "/var/backups/etcd",
    "etcd_bin_dir": "/usr/local/bin",
    "etcd_package_bin_dir": "/usr/bin",
    "etcd_profile_file": "/etc/profile.d/etcdctl.sh",
    "etcd_system_user": "etcd",
    "etcd_system_group": "etcd",
    "etcd_backup_schedule": "",
    "etcd_openrc_net": "use",
}


def problems(manager="systemd", **overrides):
    return host_input.check_host_values("m1", dict(GOOD, **overrides), manager)


def test_the_role_defaults_pass():
    assert problems() == []
    assert problems(manager="openrc", etcd_backup_schedule="daily", etcd_openrc_net="need") == []
    assert problems(etcd_profile_file="", etcd_backup_schedule="*-*-* 03:00:00") == []
    assert problems(etcd_backup_schedule="Mon..Fri 02:30") == []


def test_the_role_checks_exactly_the_variables_it_passes():
    """vars/main.yml names the variables the preflight checks; host_input knows how to check each of them."""
    with open(os.path.join(ROOT, "roles", "etcd", "vars", "main.yml")) as handle:
        passed = yaml.safe_load(handle)["__etcd_host_checked"]
    known = [name for name, _empty, _system in host_input.PATH_VARIABLES] + list(host_input.ACCOUNT_VARIABLES)
    known += ["etcd_backup_schedule", "etcd_openrc_net", *host_input.HOST_SETTING_VARIABLES]
    assert sorted(passed) == sorted(known)


GROUP = {
    "cluster_name": "etcd",
    "service_name": "etcd",
    "version": "3.5.17",
    "install_method": "archive",
    "client_port": 2379,
    "peer_port": 2380,
    "heartbeat_interval": 100,
    "election_timeout": 1000,
    "tls_min_version": "TLS1.2",
    "tls_cipher_suites": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"],
    "auth_enabled": False,
    "extra_config": {},
    "allow_insecure_config": False,
    "metrics_urls": ["http://127.0.0.1:2381"],
    "log_level": "info",
}


def test_a_hosts_own_values_as_the_inventory_gives_them_are_the_groups():
    """What a variable looks like in hostvars (a port from -e is text, a list may be one comma string) is the
    group's value when it means the same."""
    same = {
        "etcd_client_port": "2379",
        "etcd_auth_enabled": "no",
        "etcd_tls_cipher_suites": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "etcd_listen_metrics_urls": ["http://127.0.0.1:2381"],
        "etcd_extra_config": None,
    }
    assert host_input.check_host_settings(GROUP, "m2", same) == []


@pytest.mark.parametrize(
    "values, message",
    [
        ({"etcd_peer_port": 2390}, "host m2: etcd_peer_port is 2390 there, and 2380 for the group"),
        ({"etcd_peer_port": True}, "host m2: etcd_peer_port True is not a whole number"),
        ({"etcd_auth_enabled": "maybe"}, "host m2: etcd_auth_enabled 'maybe' is not true or false"),
        ({"etcd_extra_config": ["a"]}, "host m2: etcd_extra_config ['a'] is not a mapping"),
        ({"etcd_service_name": "etcd2"}, "host m2: etcd_service_name is 'etcd2' there"),
        ({"etcd_log_level": "debug"}, "host m2: etcd_log_level debug also switches on Go's profiler"),
        ({"etcd_allow_insecure_config": True, "etcd_log_level": "debug"}, None),
        ({"etcd_extra_config": {"max-request-bytes": 2097152}}, None),
    ],
)
def test_a_hosts_own_values_are_judged(values, message):
    problems = host_input.check_host_settings(GROUP, "m2", values)
    if message is None:
        assert problems == []
    else:
        assert any(message in problem for problem in problems), problems


@pytest.mark.parametrize(
    "variable, value",
    [
        # The review's examples: a command substitution in the data dir (OpenRC conf.d, the snapshot shell), a
        # separator in the backup dir (the backup script).
        ("etcd_data_dir", "/var/lib/etcd $(touch /tmp/X)"),
        ("etcd_backup_host_dir", "/var/backups/etcd;touch /tmp/X"),
        ("etcd_config_dir", "/etc/etcd\n"),
        ("etcd_pki_host_dir", "/etc/etcd/pki`id`"),
        ("etcd_bin_dir", "/usr/local/bin/%n"),
        ("etcd_data_dir", "var/lib/etcd"),
        ("etcd_data_dir", "/var/lib/../etcd"),
        ("etcd_data_dir", "/var//lib/etcd"),
        ("etcd_data_dir", "/"),
        ("etcd_config_dir", "/etc"),
        ("etcd_backup_host_dir", "/var/lib"),
        ("etcd_data_dir", "/var/lib/\u0435tcd"),
        ("etcd_profile_file", "/etc/profile.d/etcd ctl.sh"),
        ("etcd_system_user", "etcd\n"),
        ("etcd_system_user", "-etcd"),
        ("etcd_system_group", "etcd;id"),
        ("etcd_system_user", "Etcd"),
        ("etcd_backup_schedule", "daily\nExecStart=/bin/sh"),
        ("etcd_backup_schedule", "daily; touch /tmp/X"),
        ("etcd_backup_schedule", "*-*-* 03:00:00  "),
        ("etcd_openrc_net", "need net\nstart_pre"),
    ],
)
def test_hostile_values_are_refused_with_the_host_and_variable(variable, value):
    found = problems(**{variable: value})
    assert len(found) == 1, found
    assert found[0].startswith("host m1: ")
    assert variable in found[0]


def test_an_openrc_schedule_is_a_period():
    found = problems(manager="openrc", etcd_backup_schedule="*-*-* 03:00:00")
    assert len(found) == 1 and "15min, hourly, daily, weekly, monthly" in found[0]


@pytest.mark.parametrize("variable", ["etcd_config_dir", "etcd_pki_host_dir", "etcd_backup_host_dir"])
def test_nothing_root_trusts_lives_in_the_etcd_users_data_dir(variable):
    found = problems(**{variable: "/var/lib/etcd/inside"})
    assert len(found) == 1 and "overlap" in found[0] and variable in found[0]
    assert problems(etcd_data_dir="/etc/etcd/data") != []


def test_a_bundle_destination_is_checked():
    assert host_input.check_bundle("kube", {"path": "/etc/kubernetes/pki/etcd", "owner": "root", "group": ""}) == []
    found = host_input.check_bundle("kube", {"path": "/etc/k8s $(id)", "owner": "root\n"})
    assert len(found) == 2 and all(text.startswith("client kube: bundle") for text in found)


@pytest.mark.parametrize(
    "variable, value, message",
    [
        ("etcd_data_dir", "/root/.ssh", "is inside /root, which belongs to the system or to its users"),
        ("etcd_data_dir", "/home/alice", "is inside /home"),
        ("etcd_backup_host_dir", "/var/spool/cron", "is inside /var/spool"),
        ("etcd_config_dir", "/etc/ssh", "is inside /etc/ssh, which belongs to the system"),
        ("etcd_pki_host_dir", "/etc/systemd/system", "is inside /etc/systemd"),
        # Naming etcd is not enough where root reads every file as its own configuration.
        ("etcd_data_dir", "/etc/systemd/system/etcd.service.d", "is inside /etc/systemd"),
        ("etcd_data_dir", "/run/systemd/system/sshd.service.d", "is inside /run"),
        ("etcd_config_dir", "/etc/profile.d/etcd", "is inside /etc/profile.d"),
        ("etcd_config_dir", "/etc/apache", "is in /etc, shared by every program"),
        ("etcd_data_dir", "/var/lib/docker", "is in /var/lib, shared by every program"),
        ("etcd_system_user", "root", "'root' is an account of the system's or one with root's power"),
        ("etcd_system_group", "shadow", "'shadow' is an account of the system's"),
        ("etcd_system_group", "docker", "'docker' is an account of the system's"),
        ("etcd_system_group", "libvirt", "'libvirt' is an account of the system's"),
    ],
)
def test_etcd_never_gets_what_is_the_systems(variable, value, message):
    problems = host_input.check_host_values("m1", dict(GOOD, **{variable: value}), "systemd")
    assert len(problems) == 1 and message in problems[0], problems


def test_etcds_own_places_in_shared_trees_pass():
    for value in ("/etc/etcd-prod", "/etc/kubernetes/pki/etcd", "/var/lib/etcd-moved", "/mnt/ssd/etcd", "/srv/kv"):
        assert host_input.check_host_values("m1", dict(GOOD, etcd_data_dir=value), "systemd") == []
    # A client's bundle may be root's and anywhere its program reads it.
    assert host_input.check_bundle("gw", {"path": "/etc/apisix/ssl", "owner": "root", "group": "root"}) == []


def test_check_path_returns_the_normal_form():
    assert host_input.check_path("/var/lib/etcd/", "etcd_data_dir", "host m1") == "/var/lib/etcd"
    with pytest.raises(EtcdTLSError):
        host_input.check_path(None, "etcd_data_dir", "host m1")


def test_the_preflight_refuses_a_hostile_path_before_any_change(tmp_path):
    from test_preflight import MEMBERS, settings

    hosts = {
        member["host"]: {
            "service_manager": "systemd",
            "arch": "amd64",
            "machine": "x86_64",
            "values": dict(GOOD, etcd_data_dir="/var/lib/etcd $(touch /tmp/X)"),
        }
        for member in MEMBERS
    }
    names = [member["host"] for member in MEMBERS]
    with pytest.raises(EtcdTLSError) as caught:
        preflight.plan(settings(tmp_path), MEMBERS, hosts, dict.fromkeys(names), names, names)
    assert "etcd_data_dir '/var/lib/etcd $(touch /tmp/X)' is not usable" in caught.value.msg
    assert not (tmp_path / "pki").exists()
