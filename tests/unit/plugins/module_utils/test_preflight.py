# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The preflight: every input refused before any write, and the new-cluster and CA decisions."""

import copy
import datetime
import ipaddress
import os

import pytest

from ansible_collections.etcdtls.cluster.plugins.module_utils import extra_config, pki, pki_input, preflight, probe
from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError

HOSTS = ["etcd1", "etcd2", "etcd3"]
# The unspecified address, which a member must never be given as its own.
ANY_V4 = str(ipaddress.IPv4Address(0))
NOW = datetime.datetime(2026, 11, 23, 12, 0, 0, tzinfo=datetime.timezone.utc)


def member(host, address, **extra):
    item = {"host": host, "name": host, "address": address, "ips": [address]}
    item.update(extra)
    return item


MEMBERS = [member("etcd1", "10.0.0.11"), member("etcd2", "10.0.0.12"), member("etcd3", "10.0.0.13")]


def empty_probe(data_dir="/var/lib/etcd"):
    return {
        "config_file": "/etc/etcd/conf.yml",
        "config_exists": False,
        "config_data_dir": None,
        "data_dirs": {data_dir: False},
        "has_data": False,
        "ca_files": ["/etc/etcd/pki/ca.crt"],
        "ca_fingerprints": [],
        "running": False,
        "config_managed": False,
        "processes": [],
    }


def live_probe(fingerprint, data_dir="/var/lib/etcd"):
    item = empty_probe(data_dir)
    item.update(config_exists=True, config_managed=True, config_data_dir=data_dir, has_data=True, running=True)
    item["data_dirs"] = {data_dir: True}
    # One CA, or those a member trusts on its client and its peer port (controller_pki()).
    item["ca_fingerprints"] = list(fingerprint) if isinstance(fingerprint, list) else [fingerprint]
    return item


def settings(tmp_path, **overrides):
    values = dict(
        pki_dir=str(tmp_path / "pki"),
        cluster_name="etcd",
        service_name="etcd",
        version="3.5.17",
        install_method="archive",
        client_port=2379,
        peer_port=2380,
        heartbeat_interval=100,
        election_timeout=1000,
        data_dir="/var/lib/etcd",
        ca_days=3650,
        leaf_days=365,
        renew_days=30,
        clients=[{"name": "apisix"}],
        extra_config={},
        allow_insecure_config=False,
        metrics_urls=["http://127.0.0.1:2381"],
        log_level="info",
        tls_min_version="TLS1.2",
        tls_cipher_suites=list(extra_config.AEAD_SUITES[:4]),
        auth_enabled=False,
        admin_common_name="root",
        server_names=[],
        joining_allowed=False,
        removing=[],
        allow_any_size=False,
        needs_cluster=None,
    )
    values.update(overrides)
    return preflight.Settings(**values)


def host_facts(**overrides):
    facts = {"service_manager": "systemd", "arch": "amd64", "machine": "x86_64"}
    facts.update(overrides)
    return dict((host, dict(facts)) for host in HOSTS)


def run(tmp_path, members=None, hosts=None, probes=None, play_hosts=None, play_batch=None, **overrides):
    play_hosts = HOSTS if play_hosts is None else play_hosts
    return preflight.plan(
        settings(tmp_path, **overrides),
        MEMBERS if members is None else members,
        host_facts() if hosts is None else hosts,
        dict((host, empty_probe()) for host in HOSTS) if probes is None else probes,
        play_hosts,
        play_hosts if play_batch is None else play_batch,
    )


def refused(tmp_path, message, **kwargs):
    with pytest.raises(EtcdTLSError) as caught:
        run(tmp_path, **kwargs)
    assert message in caught.value.msg, caught.value.msg
    assert caught.value.msg.startswith("refused before any change")
    return caught.value.msg


def controller_pki(tmp_path):
    path = str(tmp_path / "pki")
    pki.ensure_pki(pki.PkiSettings(path), pki_input.parse_members(MEMBERS), [], now=NOW)
    """The fingerprints of its CA and its peer CA, as a member of the cluster trusts them."""
    found = []
    for name in ("ca.crt", "peer-ca.crt"):
        with open(os.path.join(path, name), "rb") as handle:
            found.append(probe.pem_fingerprints(handle.read())[0])
    return found


# --------------------------------------------------------------------------- a good inventory


def test_a_new_cluster_when_every_member_was_seen_and_none_has_data(tmp_path):
    result = run(tmp_path)
    assert result["cluster_new"] is True
    assert result["hosts_with_data"] == [] and result["members_hold_ca"] is False
    assert result["controller_ca"] is None and result["warnings"] == []


def test_an_existing_cluster_that_trusts_the_controllers_ca(tmp_path):
    fingerprint = controller_pki(tmp_path)
    result = run(tmp_path, probes=dict((host, live_probe(fingerprint)) for host in HOSTS))
    assert result["cluster_new"] is False and result["members_hold_ca"] is True
    assert result["hosts_with_data"] == HOSTS and result["controller_ca"] == fingerprint[0]
    # A day-2 playbook's need of a deployed cluster is met.
    probes = dict((host, live_probe(fingerprint)) for host in HOSTS)
    assert run(tmp_path, probes=probes, needs_cluster="back up")["cluster_new"] is False


def test_a_day2_playbook_before_any_deploy_is_refused_with_the_other_problems(tmp_path):
    msg = refused(
        tmp_path,
        "no member holds data or runs etcd, so there is no cluster to back up; deploy it with site.yml first",
        needs_cluster="back up",
        peer_port=2379,
    )
    assert "etcd_client_port and etcd_peer_port are both 2379" in msg


def test_an_even_cluster_is_a_warning(tmp_path):
    result = run(tmp_path, members=MEMBERS[:2], hosts=host_facts(), play_hosts=HOSTS[:2])
    assert "the cluster has 2 members" in result["warnings"][0]


# --------------------------------------------------------------------------- 1. the CA of a running cluster


def test_lost_pki_directory_is_refused_naming_members_and_fingerprints(tmp_path):
    fingerprint = "AB:CD"
    msg = refused(
        tmp_path,
        "the members already trust a CA, but the controller has no CA in",
        probes=dict((host, live_probe(fingerprint)) for host in HOSTS),
    )
    assert "etcd1, etcd2, etcd3 trust AB:CD. Ways out" in msg
    assert "restore the PKI directory" in msg and "point etcd_pki_dir at" in msg and "rotation playbook" in msg
    assert not os.path.exists(str(tmp_path / "pki"))


@pytest.mark.parametrize("kind", ["fifo", "directory", "symlink"])
def test_an_odd_file_in_the_pki_directory_is_refused_not_read(tmp_path, kind):
    """A FIFO at ca.crt would hang the read, a directory there was a traceback: the tree is checked before any file
    of it is read, and the problem names the path."""
    pki_dir = tmp_path / "pki"
    pki_dir.mkdir()
    target = pki_dir / ("ca.crt" if kind != "symlink" else "peer-ca-next.crt")
    if kind == "fifo":
        os.mkfifo(str(target))
    elif kind == "directory":
        target.mkdir()
    else:
        target.symlink_to("/etc/hostname")
    message = "is a symbolic link" if kind == "symlink" else "is neither a file nor a directory"
    if kind == "directory":
        message = "is not a regular file"
    msg = refused(tmp_path, "%s %s" % (target, message))
    assert "Traceback" not in msg


def test_a_different_controller_ca_is_refused(tmp_path):
    controller_pki(tmp_path)
    msg = refused(
        tmp_path,
        "etcd1, etcd2, etcd3 do(es) not trust the controller's CA",
        probes=dict((host, live_probe("AB:CD")) for host in HOSTS),
    )
    assert "etcd1, etcd2, etcd3 trust AB:CD" in msg


def test_a_trust_bundle_of_a_ca_rotation_is_fine(tmp_path):
    fingerprint = controller_pki(tmp_path)
    path = str(tmp_path / "pki")
    pki.ensure_pki(pki.PkiSettings(path, ca_rotation="trust"), pki_input.parse_members(MEMBERS), [], now=NOW)
    bundles = []
    for name in ("ca-next.crt", "peer-ca-next.crt"):
        with open(os.path.join(path, name), "rb") as handle:
            bundles.extend(probe.pem_fingerprints(handle.read()))
    probes = dict((host, live_probe(fingerprint + bundles)) for host in HOSTS)
    assert run(tmp_path, probes=probes)["members_hold_ca"] is True


def test_a_trust_bundle_with_a_foreign_ca_is_refused(tmp_path):
    fingerprint = controller_pki(tmp_path)
    refused(
        tmp_path,
        "trust(s) a CA the controller does not hold",
        probes=dict((host, live_probe(["AB:CD", *fingerprint])) for host in HOSTS),
    )


def test_a_ca_key_lost_on_the_controller_is_refused(tmp_path):
    fingerprint = controller_pki(tmp_path)
    os.unlink(str(tmp_path / "pki" / "ca.key"))
    refused(tmp_path, "(no ca.key)", probes=dict((host, live_probe(fingerprint)) for host in HOSTS))


def test_the_pki_module_never_creates_a_ca_when_members_hold_one(tmp_path):
    path = str(tmp_path / "pki")
    with pytest.raises(EtcdTLSError, match="missing while the members already trust a CA"):
        pki.ensure_pki(pki.PkiSettings(path, require_existing_ca=True), pki_input.parse_members(MEMBERS), [], now=NOW)
    assert not os.path.exists(path)


# --------------------------------------------------------------------------- 2. a moved data dir


def test_a_moved_data_dir_is_refused(tmp_path):
    fingerprint = controller_pki(tmp_path)
    probes = {}
    for host in HOSTS:
        item = live_probe(fingerprint)
        item["data_dirs"] = {"/srv/etcd": False, "/var/lib/etcd": True}
        probes[host] = item
    msg = refused(
        tmp_path,
        "host etcd1: etcd_data_dir is /srv/etcd, but its etcd keeps its data in /var/lib/etcd",
        probes=probes,
        data_dir="/srv/etcd",
    )
    assert "Moving data is a procedure" in msg and "host etcd3" in msg


def test_a_running_member_without_data_at_the_data_dir_is_refused(tmp_path):
    probes = dict((host, empty_probe("/srv/etcd")) for host in HOSTS)
    probes["etcd2"]["running"] = True
    refused(
        tmp_path, "host etcd2: etcd is running but /srv/etcd holds no member data", probes=probes, data_dir="/srv/etcd"
    )


# --------------------------------------------------------------------------- 3. the whole cluster decides


def test_an_unreachable_member_stops_a_bootstrap(tmp_path):
    probes = dict((host, empty_probe()) for host in HOSTS)
    probes["etcd3"] = None
    msg = refused(tmp_path, "etcd3 could not be reached", probes=probes, play_hosts=HOSTS[:2])
    assert "Members seen: etcd1, etcd2" in msg


def test_a_wiped_member_beside_members_with_data_is_refused(tmp_path):
    fingerprint = controller_pki(tmp_path)
    probes = dict((host, live_probe(fingerprint)) for host in HOSTS)
    probes["etcd2"] = empty_probe()
    msg = refused(
        tmp_path, "etcd2 has no data in /var/lib/etcd while etcd1, etcd3 belong to an existing cluster", probes=probes
    )
    assert "run playbooks/add-member.yml" in msg and "removed first with playbooks/remove-member.yml" in msg


FIVE = [*MEMBERS, member("etcd4", "10.0.0.14"), member("etcd5", "10.0.0.15")]


def five_hosts():
    facts = host_facts()["etcd1"]
    return dict((m["host"], dict(facts)) for m in FIVE)


def test_new_hosts_join_a_running_cluster_with_add_member(tmp_path):
    fingerprint = controller_pki(tmp_path)
    probes = dict((host, live_probe(fingerprint)) for host in HOSTS)
    probes.update(etcd4=empty_probe(), etcd5=empty_probe())
    hosts = [m["host"] for m in FIVE]
    result = run(tmp_path, members=FIVE, hosts=five_hosts(), probes=probes, play_hosts=hosts, joining_allowed=True)
    assert result["joining"] == ["etcd4", "etcd5"] and result["cluster_new"] is False
    # To four members: an even count, refused unless told.
    four = {k: v for k, v in probes.items() if k != "etcd5"}
    kwargs = dict(members=FIVE[:4], hosts=five_hosts(), probes=four, play_hosts=hosts[:4], joining_allowed=True)
    refused(tmp_path, "adding etcd4 would leave a cluster of 4 members: an even count", **kwargs)
    assert run(tmp_path, allow_any_size=True, **kwargs)["joining"] == ["etcd4"]
    # Without add-member.yml the same hosts are refused.
    refused(tmp_path, "etcd4, etcd5 have no data", members=FIVE, hosts=five_hosts(), probes=probes, play_hosts=hosts)


def test_members_to_remove_may_be_unreachable(tmp_path):
    fingerprint = controller_pki(tmp_path)
    probes = dict((m["host"], live_probe(fingerprint)) for m in FIVE)
    probes["etcd5"] = None
    hosts = [m["host"] for m in FIVE]
    kwargs = dict(members=FIVE, hosts=five_hosts(), probes=probes, play_hosts=hosts)
    refused(tmp_path, "etcd5 could not be reached", **kwargs)
    assert run(tmp_path, removing=["etcd4", "etcd5"], **kwargs)["joining"] == []
    refused(tmp_path, "removing etcd5 would leave a cluster of 4 members", removing=["etcd5"], **kwargs)
    refused(
        tmp_path, "etcd_remove_members names etcd9, which is not in the group", removing=["etcd9", "etcd5"], **kwargs
    )


def test_limit_to_one_member_of_a_running_cluster_is_fine(tmp_path):
    fingerprint = controller_pki(tmp_path)
    probes = dict((host, live_probe(fingerprint)) for host in HOSTS)
    result = run(tmp_path, probes=probes, play_hosts=["etcd2"])
    assert result["cluster_new"] is False


def test_serial_is_refused(tmp_path):
    refused(tmp_path, "the play runs in batches (serial)", play_batch=["etcd1"])


# --------------------------------------------------------------------------- 5. input


@pytest.mark.parametrize(
    "change, message",
    [
        ({"name": "a..b"}, "etcd_name name 'a..b' is not usable"),
        ({"name": "a.-b"}, "etcd_name name 'a.-b' is not usable"),
        (
            {"name": "ETCD2"},
            "member etcd2: the name is also the name or FQDN of member ETCD2 (names are compared without regard",
        ),
        ({"address": ANY_V4, "ips": [ANY_V4]}, "etcd_address: 0.0.0.0 is not a unicast address"),
        ({"address": "::", "ips": ["::"]}, "etcd_address: :: is not a unicast address"),
        ({"address": "224.0.0.1", "ips": ["224.0.0.1"]}, "etcd_address: 224.0.0.1 is not a unicast address"),
        ({"address": "127.0.0.1", "ips": ["127.0.0.1"]}, "member(s) etcd1 listen on a loopback address"),
        (
            {"ips": ["10.0.0.11", "banana"]},
            "member etcd1: etcd_extra_addresses: 'banana' is not an IP",
        ),
        ({"extra_sans": ["10.0.0.12"]}, "etcd_extra_sans entry 10.0.0.12 is the name or address of member etcd2"),
        ({"extra_sans": ["etcd3"]}, "etcd_extra_sans entry etcd3 is the name or address of member etcd3"),
        ({"fqdn": "etcd2"}, "member etcd2: the name is also the name or FQDN of member etcd1"),
    ],
)
def test_bad_members(tmp_path, change, message):
    members = copy.deepcopy(MEMBERS)
    members[0].update(change)
    refused(tmp_path, message, members=members)


def test_duplicate_fqdns(tmp_path):
    members = copy.deepcopy(MEMBERS)
    members[0]["fqdn"] = "db.example.com"
    members[1]["fqdn"] = "DB.example.com"
    refused(tmp_path, "etcd_fqdn db.example.com is also the name or FQDN of member etcd1", members=members)


def test_loopback_is_fine_when_every_member_is_local(tmp_path):
    members = [member(host, "127.0.0.%d" % (i + 1)) for i, host in enumerate(HOSTS)]
    assert run(tmp_path, members=members)["cluster_new"] is True


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"client_port": 0}, "etcd_client_port 0 is not a TCP port"),
        ({"peer_port": 70000}, "etcd_peer_port 70000 is not a TCP port"),
        ({"peer_port": 2379}, "etcd_client_port and etcd_peer_port are both 2379"),
        ({"version": "3.5"}, "etcd_version '3.5' is not a release this collection installs"),
        ({"version": "latest"}, "etcd_version 'latest'"),
        ({"version": "3.5.1/../../x"}, "etcd_version '3.5.1/../../x'"),
        ({"version": "3.3.27"}, "etcd_version '3.3.27'"),
        ({"cluster_name": "../etc"}, "etcd_cluster_name: the cluster name '../etc' is not usable"),
        ({"cluster_name": "a/b"}, "etcd_cluster_name: the cluster name 'a/b' is not usable"),
        ({"cluster_name": "c" * 57}, "at most 56 fit the CA's CN"),
        ({"service_name": "../etcd"}, "etcd_service_name '../etcd' is not usable"),
        ({"ca_days": 10**7}, "etcd_pki_ca_days must be between 1 and 36500"),
        ({"leaf_days": 0}, "etcd_pki_leaf_days (0) must be at least 1"),
        ({"renew_days": 365}, "etcd_pki_renew_days (365) must be at least 0 and smaller than etcd_pki_leaf_days"),
        ({"clients": [{"name": "apisix", "common_name": "x" * 65}]}, "client apisix: common_name"),
        ({"clients": [{"name": "a/b"}]}, "client #1 name 'a/b' is not usable"),
        ({"election_timeout": 400}, "etcd_election_timeout (400) must be at least 5 x etcd_heartbeat_interval (100)"),
        ({"data_dir": "var/lib/etcd"}, "etcd_data_dir 'var/lib/etcd' must be an absolute directory"),
        ({"auth_enabled": True, "version": "3.4.23"}, "etcd_auth_enabled needs etcd 3.5 or later"),
        (
            {"auth_enabled": True, "clients": [{"name": "apisix", "api": "json"}]},
            "client apisix: a JSON-API client logs in with a password",
        ),
        (
            {
                "auth_enabled": True,
                "clients": [{"name": "k", "common_name": "etcd-admin"}],
                "admin_common_name": "etcd-admin",
            },
            "client k: its user 'etcd-admin' is the cluster's admin",
        ),
    ],
)
def test_bad_settings(tmp_path, overrides, message):
    refused(tmp_path, message, **overrides)


def test_auth_settings_that_etcd_auth_can_make(tmp_path):
    clients = [{"name": "apisix", "api": "json", "password": "p", "prefixes": ["/apisix/"]}, {"name": "kube"}]
    assert run(tmp_path, auth_enabled=True, clients=clients)["cluster_new"] is True
    # Without authentication, a JSON client needs no password; the package method's version is read later.
    assert run(tmp_path, clients=[{"name": "apisix", "api": "json"}])["cluster_new"] is True
    assert run(tmp_path, auth_enabled=True, version="3.4.23", install_method="package")["cluster_new"] is True


def test_every_problem_is_listed_at_once(tmp_path):
    msg = refused(tmp_path, "etcd_version 'latest'", version="latest", peer_port=2379, cluster_name="a..b")
    assert "etcd_client_port and etcd_peer_port" in msg and "'a..b'" in msg


@pytest.mark.parametrize(
    "machine, arch, message",
    [
        ("armv7l", "arm", "host etcd1: 32-bit arm (armv7l). etcd publishes no linux-arm release tarball"),
        ("mips", "unsupported", "host etcd1: etcd publishes no release for architecture mips"),
    ],
)
def test_arch_without_release_tarball(tmp_path, machine, arch, message):
    hosts = host_facts()
    hosts["etcd1"].update(machine=machine, arch=arch)
    msg = refused(tmp_path, message, hosts=hosts)
    if arch == "arm":
        assert "etcd_install_method: package" in msg and "ETCD_UNSUPPORTED_ARCH=arm" in msg
    hosts_pkg = copy.deepcopy(hosts)
    assert run(tmp_path, hosts=hosts_pkg, install_method="package")["cluster_new"] is True


def test_unknown_service_manager(tmp_path):
    hosts = host_facts()
    hosts["etcd2"]["service_manager"] = "sysvinit"
    refused(tmp_path, "host etcd2: service manager 'sysvinit' is neither systemd nor openrc", hosts=hosts)


# --------------------------------------------------------------------------- 6. etcd_extra_config


@pytest.mark.parametrize(
    "extra, message",
    [
        (
            {"client-transport-security": {"client-cert-auth": False}},
            "client-transport-security.client-cert-auth False",
        ),
        ({"peer-transport-security": {"auto-tls": True}}, "peer-transport-security.auto-tls True"),
        ({"peer-transport-security": {"trusted-ca-file": ""}}, "peer-transport-security.trusted-ca-file is empty"),
        ({"listen-client-urls": "http://10.0.0.11:2379"}, "listen-client-urls http://10.0.0.11:2379 is plain http"),
        ({"initial-advertise-peer-urls": ["http://10.0.0.11:2380"]}, "initial-advertise-peer-urls"),
        ({"peer-transport-security": "off"}, "peer-transport-security must be a mapping"),
        ({"enable-pprof": True}, "enable-pprof true serves Go's profiler"),
        ({"enable-v2": True}, "enable-v2 true serves the v2 API"),
    ],
)
def test_extra_config_that_weakens_mutual_tls(tmp_path, extra, message):
    msg = refused(tmp_path, message, extra_config=extra)
    assert "etcd_allow_insecure_config: true" in msg


def test_weakening_is_accepted_with_the_opt_in(tmp_path):
    extra = {"client-transport-security": {"client-cert-auth": False}}
    assert run(tmp_path, extra_config=extra, allow_insecure_config=True)["cluster_new"] is True


@pytest.mark.parametrize(
    "key",
    [
        "data-dir",
        "name",
        "initial-cluster",
        "initial-cluster-state",
        "initial-cluster-token",
        "cipher-suites",
        "tls-min-version",
    ],
)
def test_extra_config_cannot_set_what_the_role_derives(tmp_path, key):
    refused(
        tmp_path,
        "etcd_extra_config sets %s, which comes from" % key,
        extra_config={key: "x"},
        allow_insecure_config=True,
    )


def test_extra_config_that_keeps_tls_is_fine(tmp_path):
    extra = {"peer-transport-security": {"allowed-cn": ["etcd1"]}, "max-request-bytes": 2097152, "metrics": "extensive"}
    assert run(tmp_path, extra_config=extra)["cluster_new"] is True


# --------------------------------------------------------------------------- TLS settings


@pytest.mark.parametrize(
    "version, wanted",
    [("3.4.23", False), ("3.4.25", True), ("3.5.1", False), ("3.5.7", False), ("3.5.8", True), ("3.6.0", True)],
)
def test_which_versions_know_tls_min_version(version, wanted):
    assert preflight.has_tls_min_version(version) is wanted


def test_tls13_is_refused_where_etcd_would_ignore_it(tmp_path):
    refused(
        tmp_path,
        "etcd_tls_min_version TLS1.3 needs etcd 3.4.25+, 3.5.8+ or 3.6",
        version="3.5.1",
        tls_min_version="TLS1.3",
    )
    assert run(tmp_path, version="3.5.8", tls_min_version="TLS1.3", tls_cipher_suites=[])["cluster_new"] is True


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"tls_min_version": "TLS1.1"}, "etcd_tls_min_version 'TLS1.1': use TLS1.2 or TLS1.3"),
        ({"tls_cipher_suites": []}, "etcd_tls_cipher_suites is empty"),
        (
            {"tls_cipher_suites": ["TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"]},
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, which is not an ECDHE suite with AEAD",
        ),
    ],
)
def test_weak_tls_settings_are_refused(tmp_path, overrides, message):
    refused(tmp_path, message, **overrides)


def test_a_weak_suite_is_accepted_with_the_opt_in(tmp_path):
    suites = ["TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"]
    assert run(tmp_path, tls_cipher_suites=suites, allow_insecure_config=True)["cluster_new"] is True


def test_members_that_do_not_trust_the_peer_ca_are_refused(tmp_path):
    fingerprint = controller_pki(tmp_path)
    refused(
        tmp_path,
        "do(es) not trust the controller's peer CA %s" % fingerprint[1],
        probes=dict((host, live_probe(fingerprint[:1])) for host in HOSTS),
    )


def test_members_that_trust_a_ca_the_controller_lost_are_refused(tmp_path):
    # peer-ca.crt|key lost: the PKI would fall back to issuing peer certificates from ca.crt.
    fingerprint = controller_pki(tmp_path)
    for name in ("peer-ca.crt", "peer-ca.key"):
        os.unlink(str(tmp_path / "pki" / name))
    refused(
        tmp_path,
        "trust(s) a CA the controller does not hold",
        probes=dict((host, live_probe(fingerprint)) for host in HOSTS),
    )


def test_a_cluster_from_before_peer_ca_is_fine(tmp_path):
    fingerprint = controller_pki(tmp_path)
    for name in ("peer-ca.crt", "peer-ca.key"):
        os.unlink(str(tmp_path / "pki" / name))
    assert run(tmp_path, probes=dict((host, live_probe(fingerprint[:1])) for host in HOSTS))["members_hold_ca"]
