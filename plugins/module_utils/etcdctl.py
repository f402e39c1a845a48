# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Talking to etcd over mutual TLS: the shared options, etcdctl, and a TLS probe.

Every module that talks to etcd takes :data:`ETCD_CONNECTION_ARGSPEC` (documented
by the ``etcdtls.cluster.connection`` doc fragment).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import os
import re
import socket
import ssl
from urllib.parse import urlsplit

from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError

ETCD_CONNECTION_ARGSPEC = dict(
    endpoints=dict(type="list", elements="str", required=True),
    ca_file=dict(type="path", default="/etc/etcd/pki/ca.crt"),
    cert_file=dict(type="path", default="/etc/etcd/pki/admin.crt"),
    key_file=dict(type="path", default="/etc/etcd/pki/admin.key"),
    etcdctl_path=dict(type="path", default="/usr/local/bin/etcdctl"),
    timeout=dict(type="int", default=5),
)

# What etcdctl or Go's TLS stack says, and what it means for the operator.
CAUSES = (
    (
        re.compile(
            r"certificate is valid for|not valid for any names|doesn't contain any ip sans|host mismatch"
            r"|ip address mismatch|hostname mismatch"
        ),
        "SAN mismatch: the server certificate does not name the address the client dialled; "
        "re-issue it with that IP or DNS name in its SANs",
    ),
    (
        re.compile(
            r"signed by unknown authority|unknown certificate authority|unknown ca"
            r"|unable to get local issuer certificate|self.signed certificate in certificate chain"
        ),
        "unknown authority: the server certificate was not issued by the CA in ca_file (or the server does not "
        "trust the client's CA); push the cluster's ca.crt",
    ),
    (
        re.compile(r"incompatible key usage"),
        "key usage: a certificate lacks serverAuth/clientAuth extended key usage (etcd needs both on server certs)",
    ),
    (
        re.compile(r"expired|not yet valid"),
        "expired: a certificate is outside its validity period (or the clocks disagree); renew it",
    ),
    (
        re.compile(r"connection refused"),
        "connection refused: nothing listens there; is etcd running, and on this address and port?",
    ),
    (
        re.compile(r"bad certificate|certificate required"),
        "client certificate rejected: the server does not accept cert_file (another CA, or no clientAuth usage)",
    ),
    (
        re.compile(r"no route to host|network is unreachable|i/o timeout|context deadline exceeded|timed out"),
        "unreachable or too slow: no answer within the timeout (firewall, wrong address, or the member is down)",
    ),
    (
        re.compile(r"no such file or directory|permission denied", re.IGNORECASE),
        "local files: etcdctl or a certificate/key file is missing or unreadable on this host",
    ),
)


def likely_cause(message):
    text = (message or "").lower()
    for pattern, cause in CAUSES:
        if pattern.search(text):
            return cause
    return None


def member_id(value):
    """etcd's JSON carries member ids as decimal uint64; etcdctl shows them as hex."""
    try:
        return "%x" % int(value)
    except (TypeError, ValueError):
        return str(value)


class Etcdctl:
    """Runs etcdctl with ``--write-out=json`` over mutual TLS through ``run_command``."""

    def __init__(self, run_command, etcdctl_path, ca_file, cert_file, key_file, timeout=5):
        self.run_command = run_command
        self.etcdctl_path = etcdctl_path
        self.ca_file = ca_file
        self.cert_file = cert_file
        self.key_file = key_file
        self.timeout = timeout

    def base_args(self, endpoints):
        return [
            self.etcdctl_path,
            "--endpoints=%s" % ",".join(endpoints),
            "--cacert=%s" % self.ca_file,
            "--cert=%s" % self.cert_file,
            "--key=%s" % self.key_file,
            "--dial-timeout=%ds" % self.timeout,
            "--command-timeout=%ds" % self.timeout,
            "--write-out=json",
        ]

    def run(self, endpoints, *args):
        """(rc, parsed JSON or None, stderr)."""
        rc, out, err = self.run_command(self.base_args(endpoints) + list(args), environ_update={"ETCDCTL_API": "3"})
        parsed = None
        text = (out or "").strip()
        if text:
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = None
        return rc, parsed, (err or "").strip()


def probe_served_certificate(endpoint, ca_file, cert_file, key_file, timeout):
    """TLS handshake with ``endpoint`` as etcdctl does it (our CA, our client cert, name checked).

    Returns the served certificate's notAfter and serial, or the handshake error. Needs only the
    ssl module: a verified peer certificate is decoded by Python itself.
    """
    parts = urlsplit(endpoint)
    host, port = parts.hostname, parts.port or 2379
    try:
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca_file)
        context.load_cert_chain(cert_file, key_file)
        with socket.create_connection((host, port), timeout=timeout) as sock, context.wrap_socket(
            sock, server_hostname=host
        ) as tls:
            peer = tls.getpeercert()
    except (OSError, ssl.SSLError, ValueError) as exc:
        return {"error": str(exc)}
    not_after = datetime.datetime.fromtimestamp(ssl.cert_time_to_seconds(peer["notAfter"]), datetime.timezone.utc)
    return {
        "error": None,
        "not_after": not_after.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "serial": peer.get("serialNumber", "").lower().lstrip("0") or None,
    }


def quorum(voting_members):
    return voting_members // 2 + 1


def collect_health(etcdctl, endpoints, probe=probe_served_certificate):
    """One look at the cluster through ``endpoints``. Never raises for an unhealthy cluster."""
    report = {
        "healthy": False,
        "endpoints": [],
        "members": [],
        "leader": None,
        "alarms": [],
        "voting_members": 0,
        "learners": 0,
        "quorum": None,
        "healthy_voting_members": 0,
        "failures": [],
    }
    by_endpoint = dict((ep, {"endpoint": ep, "healthy": False, "error": None, "cause": None}) for ep in endpoints)

    _rc, health, err = etcdctl.run(endpoints, "endpoint", "health")
    for item in health or []:
        entry = by_endpoint.setdefault(item.get("endpoint"), {"endpoint": item.get("endpoint")})
        entry["healthy"] = bool(item.get("health"))
        entry["took"] = item.get("took")
        entry["error"] = item.get("error") or None
    if not health and err:
        for entry in by_endpoint.values():
            entry["error"] = err

    _rc, status, err = etcdctl.run(endpoints, "endpoint", "status")
    seen_leaders = []
    for item in status or []:
        entry = by_endpoint.setdefault(item.get("Endpoint"), {"endpoint": item.get("Endpoint")})
        st = item.get("Status") or {}
        header = st.get("header") or {}
        entry.update(
            {
                "id": member_id(header.get("member_id")),
                "version": st.get("version"),
                "db_size": st.get("dbSize"),
                "db_size_in_use": st.get("dbSizeInUse"),
                "leader": header.get("member_id") is not None and st.get("leader") == header.get("member_id"),
                "raft_term": st.get("raftTerm"),
                "raft_index": st.get("raftIndex"),
                "raft_applied_index": st.get("raftAppliedIndex"),
                "is_learner": bool(st.get("isLearner")),
                "status_errors": st.get("errors") or [],
            }
        )
        if st.get("leader"):
            seen_leaders.append(st["leader"])

    _rc, members, err = etcdctl.run(endpoints, "member", "list")
    for item in (members or {}).get("members", []) or []:
        report["members"].append(
            {
                "id": member_id(item.get("ID")),
                "name": item.get("name") or "",
                "peer_urls": item.get("peerURLs") or [],
                "client_urls": item.get("clientURLs") or [],
                "is_learner": bool(item.get("isLearner")),
                "started": bool(item.get("name")),
            }
        )
    if members is None:
        report["failures"].append("member list failed: %s" % (err or "no output"))

    _rc, alarms, _err = etcdctl.run(endpoints, "alarm", "list")
    for item in (alarms or {}).get("alarms", []) or []:
        report["alarms"].append({"member_id": member_id(item.get("memberID")), "alarm": item.get("alarm")})

    names = dict((m["id"], m["name"]) for m in report["members"])
    # Every member reports whom it follows, so the leader is known even when the endpoints asked
    # do not include it (the rolling-restart gate asks every member but one).
    if seen_leaders:
        leader_id = member_id(max(set(seen_leaders), key=seen_leaders.count))
        leader_member = next((m for m in report["members"] if m["id"] == leader_id), {})
        report["leader"] = {
            "id": leader_id,
            "name": names.get(leader_id),
            "endpoint": (leader_member.get("client_urls") or [None])[0],
        }
    voting = [m for m in report["members"] if not m["is_learner"]]
    report["voting_members"] = len(voting)
    report["learners"] = len(report["members"]) - len(voting)
    report["quorum"] = quorum(len(voting)) if voting else None

    for entry in by_endpoint.values():
        entry["name"] = names.get(entry.get("id"))
        tls = probe(entry["endpoint"]) if probe else {}
        entry["cert_not_after"] = tls.get("not_after")
        entry["cert_serial"] = tls.get("serial")
        # etcdctl often says only "context deadline exceeded" when the TLS handshake failed; our own
        # handshake names the real reason, so its cause wins over a generic one.
        tls_cause = likely_cause(tls.get("error"))
        if tls.get("error") and (tls_cause or not entry.get("error")):
            entry["error"] = (
                tls["error"]
                if not entry.get("error")
                else "%s; TLS handshake: %s"
                % (
                    entry["error"],
                    tls["error"],
                )
            )
            entry["cause"] = tls_cause
        elif entry.get("error"):
            entry["cause"] = likely_cause(entry["error"])
        report["endpoints"].append(entry)
        if not entry["healthy"]:
            report["failures"].append(
                "%s: %s%s"
                % (
                    entry["endpoint"],
                    entry.get("error") or "unhealthy",
                    " (likely cause: %s)" % entry["cause"] if entry.get("cause") else "",
                )
            )
    report["healthy_voting_members"] = len([e for e in report["endpoints"] if e["healthy"] and not e.get("is_learner")])
    if report["alarms"]:
        report["failures"].append(
            "active alarms: %s" % ", ".join("%s on %s" % (a["alarm"], a["member_id"]) for a in report["alarms"])
        )
    if report["members"] and not report["leader"]:
        report["failures"].append("no member reports a leader")
    if len(set(seen_leaders)) > 1:
        report["failures"].append("members disagree about the leader (an election is under way)")
    report["healthy"] = not report["failures"] and bool(report["endpoints"])
    return report


def check_expectations(report, expected_members=None):
    """Add failures for an unexpected voting member count."""
    if expected_members is not None and report["voting_members"] != expected_members:
        report["failures"].append("%d voting members, expected %d" % (report["voting_members"], expected_members))
        report["healthy"] = False
    return report


def require_files(paths):
    for option, path in paths:
        if not os.path.exists(path):
            raise EtcdTLSError("%s %s does not exist on this host" % (option, path))
