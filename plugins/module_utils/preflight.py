# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Everything the deploy must know before its first write, judged on the controller.

:func:`plan` takes the inventory's settings, the members, and what each host already holds
(:func:`probe.probe_member`), and either returns the plan (a new cluster, or an existing one to
tend) or raises one :class:`EtcdTLSError` that lists every problem with the variable, the host
and the fix. Nothing is written anywhere until it has passed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import time

from ansible_collections.etcdtls.cluster.plugins.module_utils import (
    auth,
    extra_config,
    host_input,
    host_state,
    pki_input,
    pki_store,
)
from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError
from ansible_collections.etcdtls.cluster.plugins.module_utils.releases import SUPPORTED_MINORS, release, supports

_SERVICE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")
# "<cluster>-etcd-ca" is the CA's CN, which x509 caps at 64 characters.
CLUSTER_NAME_MAX = pki_input.SUBJECT_MAX - len("-etcd-ca")
SERVICE_MANAGERS = ("systemd", "openrc")

INSECURE_OPT_IN = extra_config.INSECURE_OPT_IN


class Settings:
    """The cluster-wide inventory variables the preflight judges, by their variable names."""

    def __init__(self, **values):
        self.values = values

    def __getattr__(self, name):
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


def _collect(problems, check, *args):
    try:
        return check(*args)
    except EtcdTLSError as exc:
        problems.append(exc.msg)
    return None


def check_version(version):
    found = release(version)
    if not found or found[:2] not in SUPPORTED_MINORS:
        raise EtcdTLSError(
            "etcd_version %r is not a release this collection installs: give a full X.Y.Z release of etcd %s "
            "(for instance 3.5.17), not a minor (3.5), 'latest' or a path"
            % (version, ", ".join("%d.%d" % minor for minor in SUPPORTED_MINORS))
        )


def has_tls_min_version(version):
    """etcd knows tls-min-version from 3.4.25 and 3.5.8 on (releases.FEATURES)."""
    return supports(version, "tls_min_version")


def check_tls(min_version, cipher_suites, version, allow_insecure):
    if min_version not in extra_config.TLS_VERSIONS:
        raise EtcdTLSError("etcd_tls_min_version %r: use TLS1.2 or TLS1.3" % (min_version,))
    if min_version == "TLS1.3" and not has_tls_min_version(version):
        raise EtcdTLSError(
            "etcd_tls_min_version TLS1.3 needs etcd 3.4.25+, 3.5.8+ or 3.6 (tls-min-version), and etcd_version is "
            "%s, which would silently ignore it: raise etcd_version or keep TLS1.2" % (version,)
        )
    if min_version == "TLS1.3":
        return
    if not cipher_suites:
        raise EtcdTLSError(
            "etcd_tls_cipher_suites is empty: with TLS1.2 the members would accept Go's defaults (CBC and TLS "
            "1.0/1.1 included); list ECDHE AEAD suites, or set etcd_tls_min_version: TLS1.3"
        )
    weak = [suite for suite in cipher_suites if suite not in extra_config.AEAD_SUITES]
    if weak and not allow_insecure:
        raise EtcdTLSError(
            "etcd_tls_cipher_suites lists %s, which is not an ECDHE suite with AEAD encryption (%s): remove it; if "
            "you really want it, set %s: true"
            % (", ".join(weak), ", ".join(extra_config.AEAD_SUITES[:4]), INSECURE_OPT_IN)
        )


def check_auth(enabled, clients, admin_common_name, version, install_method):
    """etcd_auth_enabled: the clients' users and roles as etcd_auth would make them, on a release that can."""
    if not enabled:
        return
    if install_method == "archive" and release(version) and not supports(version, "auth_without_password"):
        raise EtcdTLSError(
            "etcd_auth_enabled needs etcd 3.5 or later (users without a password, auth status), and etcd_version is "
            "%s: raise etcd_version or leave etcd_auth_enabled false" % (version,)
        )
    auth.wanted(pki_input.parse_clients(clients), admin_common_name)


def check_cluster_name(name):
    pki_input.check_name(name, "etcd_cluster_name: the cluster")
    if len(name) > CLUSTER_NAME_MAX:
        raise EtcdTLSError(
            "etcd_cluster_name %r is %d characters long; at most %d fit the CA's CN (<name>-etcd-ca)"
            % (name, len(name), CLUSTER_NAME_MAX)
        )


def check_service_name(name):
    if not isinstance(name, str) or not _SERVICE.fullmatch(name) or ".." in name:
        raise EtcdTLSError(
            "etcd_service_name %r is not usable: it names a unit file, so use 1-64 letters, digits, '-', '_', '.' "
            "or '@', starting with a letter or digit" % (name,)
        )


def check_ports(client_port, peer_port):
    for variable, port in (("etcd_client_port", client_port), ("etcd_peer_port", peer_port)):
        if not 1 <= port <= 65535:
            raise EtcdTLSError("%s %s is not a TCP port: use 1-65535" % (variable, port))
    if client_port == peer_port:
        raise EtcdTLSError("etcd_client_port and etcd_peer_port are both %s: give them different ports" % client_port)


def check_timing(heartbeat, election):
    if heartbeat < 1 or election < 5 * heartbeat:
        raise EtcdTLSError(
            "etcd_election_timeout (%s) must be at least 5 x etcd_heartbeat_interval (%s), and the heartbeat at "
            "least 1 ms" % (election, heartbeat)
        )


def check_data_dir(data_dir):
    if not isinstance(data_dir, str) or not os.path.isabs(data_dir) or os.path.normpath(data_dir) == "/":
        raise EtcdTLSError("etcd_data_dir %r must be an absolute directory other than /" % (data_dir,))


def check_host(host, facts, install_method):
    manager, arch = facts.get("service_manager"), facts.get("arch")
    if manager not in SERVICE_MANAGERS:
        raise EtcdTLSError(
            "host %s: service manager %r is neither systemd nor openrc; set etcd_service_manager" % (host, manager)
        )
    if install_method == "archive" and arch == "arm":
        raise EtcdTLSError(
            "host %s: 32-bit arm (%s). etcd publishes no linux-arm release tarball, so the archive method cannot "
            "serve it: set etcd_install_method: package (Debian's etcd-server, Alpine's etcd), which runs etcd "
            "with ETCD_UNSUPPORTED_ARCH=arm" % (host, facts.get("machine") or arch)
        )
    if install_method == "archive" and arch in (None, "", "unsupported"):
        raise EtcdTLSError(
            "host %s: etcd publishes no release for architecture %s; set etcd_install_method: package"
            % (host, facts.get("machine") or arch)
        )


def judge_trust(probes, pki_dir):
    """check_trust on the controller's PKI as it is: its tree refused first if it holds anything but files and
    directories, nothing in it read unchecked. Returns (whether members hold a CA, the controller's CA fingerprints)."""
    pki_store.check_tree(pki_dir)
    fingerprints, key_exists = pki_store.controller_ca(pki_dir)
    known, peer_ca = pki_store.controller_known(pki_dir)
    return check_trust(probes, pki_dir, fingerprints, key_exists, known, peer_ca), fingerprints


def _ways_out(pki_dir):
    return (
        "Ways out: restore the PKI directory %s from your backup, or point etcd_pki_dir at the directory that holds "
        "the cluster's ca.crt and ca.key; to change the CA on purpose, use the CA rotation playbook (a new CA "
        "must be trusted by every member before any certificate from it is used)" % pki_dir
    )


def check_trust(probes, pki_dir, ca_fingerprints, ca_key_exists, known=None, peer_ca=None):
    """The members that trust a CA must trust the controller's (its peer CA too, when it has one), and no CA the
    controller does not hold (a lost peer-ca would otherwise hand the peers certificates nobody trusts); a CA is
    never made when they trust one."""
    holders = dict(
        (host, probe["ca_fingerprints"]) for host, probe in probes.items() if probe and probe["ca_fingerprints"]
    )
    if not holders:
        return False
    by_cas = {}
    for host, fps in sorted(holders.items()):
        by_cas.setdefault(tuple(fps), []).append(host)
    listing = "; ".join(
        "%s %s %s" % (", ".join(hosts), "trusts" if len(hosts) == 1 else "trust", ", ".join(fps))
        for fps, hosts in sorted(by_cas.items(), key=lambda item: item[1])
    )
    if not ca_fingerprints or not ca_key_exists:
        raise EtcdTLSError(
            "the members already trust a CA, but the controller has no CA in %s (%s). Going on would make a new CA "
            "and cut every member off. %s. %s"
            % (pki_dir, "no ca.key" if ca_fingerprints else "no ca.crt", listing, _ways_out(pki_dir))
        )
    strangers = sorted(host for host, fps in holders.items() if ca_fingerprints[0] not in fps)
    if known is not None and not strangers:
        unknown = sorted(host for host, fps in holders.items() if set(fps) - known)
        if unknown:
            raise EtcdTLSError(
                "%s trust(s) a CA the controller does not hold in %s (a lost peer-ca.crt|key, or a CA from elsewhere): "
                "certificates from the controller would be refused. %s. %s"
                % (", ".join(unknown), pki_dir, listing, _ways_out(pki_dir))
            )
        if peer_ca is not None:
            strangers = sorted(host for host, fps in holders.items() if peer_ca not in fps)
            if strangers:
                raise EtcdTLSError(
                    "%s do(es) not trust the controller's peer CA %s (%s/peer-ca.crt): peer certificates from it "
                    "would be refused. %s. %s" % (", ".join(strangers), peer_ca, pki_dir, listing, _ways_out(pki_dir))
                )
    if strangers:
        raise EtcdTLSError(
            "%s do(es) not trust the controller's CA %s (%s/ca.crt): pushing certificates from it would cut them "
            "off. %s. %s" % (", ".join(strangers), ca_fingerprints[0], pki_dir, listing, _ways_out(pki_dir))
        )
    return True


def judge_state(group_hosts, probes, data_dir, problems, joining_allowed=False, removing=()):
    """New cluster or existing one, from what every member of the group holds: (hosts with data, existing,
    hosts that join). With ``joining_allowed`` (add-member.yml), hosts without data beside members with data
    join the cluster; ``removing`` (remove-member.yml) may be unreachable."""
    unseen = [host for host in group_hosts if not probes.get(host) and host not in removing]
    if unseen:
        problems.append(
            "%s could not be reached, so the state of the cluster is not known: every member of the group must "
            "answer before anything changes (bring it back, or remove it from the cluster first). Members seen: %s"
            % (", ".join(unseen), ", ".join(h for h in group_hosts if h not in unseen) or "none")
        )
    seen = [host for host in group_hosts if probes.get(host)]
    for host in seen:
        probe = probes[host]
        old = probe.get("config_data_dir")
        if old and os.path.normpath(old) != os.path.normpath(data_dir) and probe["data_dirs"].get(old):
            problems.append(
                "host %s: etcd_data_dir is %s, but its etcd keeps its data in %s (%s). Changing the variable would "
                "leave that member with an empty data dir and arm a second bootstrap. Moving data is a procedure: "
                "stop the member, move the directory, then set etcd_data_dir; or set etcd_data_dir back to %s"
                % (host, data_dir, old, probe["config_file"], old)
            )
        elif probe["running"] and not probe["data_dirs"].get(data_dir):
            problems.append(
                "host %s: etcd is running but %s holds no member data: its data lives elsewhere. Set etcd_data_dir "
                "to the directory the running member uses, or stop that etcd first" % (host, data_dir)
            )
    with_data = [host for host in seen if probes[host]["has_data"] or probes[host]["running"]]
    without = [host for host in seen if host not in with_data and host not in removing]
    joining = []
    if with_data and without and joining_allowed:
        joining = without
    elif with_data and without:
        problems.append(
            "%s %s no data in %s while %s belong to an existing cluster. Starting %s would bootstrap a second "
            "cluster. A new or rebuilt member joins through etcd's membership API: run playbooks/add-member.yml "
            "(a learner first, promoted once it has caught up); a member that is still listed (a rebuilt host) "
            "is removed first with playbooks/remove-member.yml"
            % (
                ", ".join(without),
                "has" if len(without) == 1 else "have",
                data_dir,
                ", ".join(with_data),
                "it" if len(without) == 1 else "them",
            )
        )
    return with_data, bool(with_data) or bool(unseen), joining


def check_scale(size, joining, removing, allow_any_size):
    """add-member.yml and remove-member.yml: the cluster they leave has an odd size of 7 at most, unless told."""
    if not (joining or removing) or allow_any_size:
        return
    if size > 7 or size % 2 == 0:
        raise EtcdTLSError(
            "%s would leave a cluster of %d members: %s. An odd count of 7 at most tolerates the most failures for "
            "its size (%d members tolerate %d failed, no more than %d would). %s, or set "
            "etcd_scale_allow_any_size=true"
            % (
                "adding " + ", ".join(joining) if joining else "removing " + ", ".join(removing),
                size,
                "more than 7 slows every write" if size > 7 else "an even count",
                size,
                (size - 1) // 2,
                size - 1 if size % 2 == 0 else 7,
                "Add or remove one more host" if size % 2 == 0 else "Keep 7 at most",
            )
        )


def plan(settings, members, hosts, probes, play_hosts, play_batch, now=None):
    """Judge everything; return the plan or raise one error listing every problem.

    ``members`` is the output of the etcd_members filter for the whole group (inventory order),
    ``hosts`` maps each play host to its facts (``service_manager``, ``arch``, ``machine``), and
    ``probes`` each group host to its :func:`probe.probe_member` result (None: not reached), ``now`` the
    controller's time (epoch seconds; the hosts' clocks are compared with it).
    """
    problems = []
    if len(play_batch) < len(play_hosts):
        problems.append(
            "the play runs in batches (serial), %s of %s host(s) in this one: this role restarts members one at a "
            "time itself and must see every member at once; remove serial from the play"
            % (len(play_batch), len(play_hosts))
        )
    _collect(problems, check_cluster_name, settings.cluster_name)
    _collect(problems, check_service_name, settings.service_name)
    _collect(problems, check_version, settings.version)
    _collect(problems, check_ports, settings.client_port, settings.peer_port)
    _collect(problems, check_timing, settings.heartbeat_interval, settings.election_timeout)
    _collect(problems, check_data_dir, settings.data_dir)
    _collect(
        problems,
        pki_input.check_lifetimes,
        settings.ca_days,
        settings.leaf_days,
        settings.renew_days,
        {"ca_days": "etcd_pki_ca_days", "leaf_days": "etcd_pki_leaf_days", "renew_days": "etcd_pki_renew_days"},
    )
    _collect(
        problems,
        extra_config.check_extra_config,
        settings.extra_config,
        settings.allow_insecure_config,
        settings.metrics_urls,
        settings.log_level,
        settings.version,
        settings.install_method,
    )
    _collect(
        problems,
        check_tls,
        settings.tls_min_version,
        settings.tls_cipher_suites,
        settings.version,
        settings.allow_insecure_config,
    )
    parsed_members = _collect(problems, pki_input.parse_members, members)
    parsed_clients = _collect(problems, pki_input.parse_clients, settings.clients)
    if parsed_members and parsed_clients is not None:
        _collect(
            problems,
            pki_input.check_identities,
            parsed_members,
            parsed_clients,
            settings.admin_common_name,
            settings.server_names,
        )
    for client in settings.clients or []:
        if client.get("bundle"):
            problems.extend(host_input.check_bundle(client.get("name"), client["bundle"]))
    _collect(
        problems,
        check_auth,
        settings.auth_enabled,
        settings.clients,
        settings.admin_common_name,
        settings.version,
        settings.install_method,
    )
    for host in play_batch:
        facts = hosts.get(host) or {}
        _collect(problems, check_host, host, facts, settings.install_method)
        problems.extend(host_input.check_host_values(host, facts.get("values") or {}, facts.get("service_manager")))
        problems.extend(host_input.check_host_settings(settings.values, host, facts.get("values") or {}))
    group_hosts = [member["host"] for member in members]
    removing = [host for host in settings.removing if host in group_hosts]
    unknown = [host for host in settings.removing if host not in group_hosts]
    if unknown:
        problems.append(
            "etcd_remove_members names %s, which %s not in the group: list inventory hosts of the cluster"
            % (", ".join(unknown), "is" if len(unknown) == 1 else "are")
        )
    with_data, existing, joining = judge_state(
        group_hosts, probes, settings.data_dir, problems, settings.joining_allowed, removing
    )
    problems.extend(host_state.check_foreign(probes, settings.data_dir, removing))
    problems.extend(host_state.check_clocks(probes, time.time() if now is None else now))
    _collect(problems, check_scale, len(group_hosts) - len(removing), joining, removing, settings.allow_any_size)
    if settings.needs_cluster and not existing:
        problems.append(
            "no member holds data or runs etcd, so there is no cluster to %s; deploy it with site.yml first"
            % settings.needs_cluster
        )
    trust = _collect(problems, judge_trust, probes, settings.pki_dir)
    if problems:
        raise EtcdTLSError(
            "refused before any change, on the controller or a host:\n- %s" % "\n- ".join(problems),
            problems=problems,
        )
    size = len(members)
    warnings = []
    if size % 2 == 0 or size > 7:
        warnings.append(
            "the cluster has %d members; an odd number (3 or 5, 7 at most) tolerates the most failures for its "
            "size, and %d members tolerate %d" % (size, size, (size - 1) // 2)
        )
    return {
        "cluster_new": not existing,
        "joining": joining,
        "hosts_with_data": with_data,
        "hosts_running": [host for host in group_hosts if (probes.get(host) or {}).get("running")],
        "members_hold_ca": bool(trust[0]),
        "controller_ca": trust[1][0] if trust[1] else None,
        "warnings": warnings,
    }


# The options of etcd_preflight: the module and its in-process action validate against this one spec.
SETTINGS_SPEC = dict(
    pki_dir=dict(type="path", required=True),
    cluster_name=dict(type="str", required=True),
    service_name=dict(type="str", required=True),
    version=dict(type="str", required=True),
    install_method=dict(type="str", required=True),
    client_port=dict(type="int", required=True),
    peer_port=dict(type="int", required=True),
    heartbeat_interval=dict(type="int", required=True),
    election_timeout=dict(type="int", required=True),
    data_dir=dict(type="str", required=True),
    ca_days=dict(type="int", required=True),
    leaf_days=dict(type="int", required=True),
    renew_days=dict(type="int", required=True),
    clients=dict(type="list", elements="dict", default=[], options=pki_input.CLIENT_ARGSPEC),
    auth_enabled=dict(type="bool", default=False),
    admin_common_name=dict(type="str", default="root"),
    server_names=dict(type="list", elements="str", default=[]),
    extra_config=dict(type="dict", default={}),
    allow_insecure_config=dict(type="bool", default=False),
    metrics_urls=dict(type="list", elements="str", default=[]),
    log_level=dict(type="str", default="info"),
    tls_min_version=dict(type="str", required=True),
    tls_cipher_suites=dict(type="list", elements="str", required=True),
    joining_allowed=dict(type="bool", default=False),
    removing=dict(type="list", elements="str", default=[]),
    allow_any_size=dict(type="bool", default=False),
    needs_cluster=dict(type="str"),
)
ARGUMENT_SPEC = dict(
    members=dict(type="list", elements="dict", required=True),
    hosts=dict(type="dict", required=True),
    probes=dict(type="dict", required=True),
    play_hosts=dict(type="list", elements="str", required=True),
    play_batch=dict(type="list", elements="str", required=True),
    **SETTINGS_SPEC,
)


def run(params, check_mode=False, diff=False):
    """etcd_preflight on validated ``params``: the plan, with its ``warnings``. Raises EtcdTLSError."""
    settings = Settings(**dict((name, params[name]) for name in SETTINGS_SPEC))
    return plan(
        settings, params["members"], params["hosts"], params["probes"], params["play_hosts"], params["play_batch"]
    )
