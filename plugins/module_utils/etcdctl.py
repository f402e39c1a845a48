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
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from ansible.module_utils.basic import env_fallback

from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError
from ansible_collections.etcdtls.cluster.plugins.module_utils.pki_layout import member_cert_id

# Each option falls back to the variable etcdctl itself reads, so a member's etcdctl environment
# (the role's profile file) serves as the modules' defaults too.
ETCD_CONNECTION_ARGSPEC = dict(
    endpoints=dict(type="list", elements="str", required=True, fallback=(env_fallback, ["ETCDCTL_ENDPOINTS"])),
    ca_file=dict(type="path", default="/etc/etcd/pki/ca.crt", fallback=(env_fallback, ["ETCDCTL_CACERT"])),
    cert_file=dict(type="path", default="/etc/etcd/pki/admin.crt", fallback=(env_fallback, ["ETCDCTL_CERT"])),
    key_file=dict(type="path", default="/etc/etcd/pki/admin.key", fallback=(env_fallback, ["ETCDCTL_KEY"])),
    etcdctl_path=dict(type="path"),
    timeout=dict(type="int", default=5),
)
ETCDCTL_DIRS = ["/usr/local/bin", "/usr/bin"]


def connection_params(params, find_binary):
    """The connection options, with ETCDCTL_ENDPOINTS' comma list split and etcdctl looked up."""
    endpoints = []
    for item in params["endpoints"] or []:
        endpoints.extend(part.strip() for part in str(item).split(",") if part.strip())
    if not endpoints:
        raise EtcdTLSError("endpoints is empty: give the members' client URLs (or set ETCDCTL_ENDPOINTS)")
    etcdctl = params["etcdctl_path"] or find_binary("etcdctl", required=False, opt_dirs=ETCDCTL_DIRS)
    if not etcdctl:
        raise EtcdTLSError("etcdctl was not found in PATH, %s: set etcdctl_path" % ", ".join(ETCDCTL_DIRS))
    return dict(params, endpoints=endpoints, etcdctl_path=etcdctl)


def drop_etcdctl_environment(environ):
    """etcdctl refuses to run when ETCDCTL_CACERT and --cacert are both given ("conflicting environment
    variable is shadowed by corresponding command-line flag"). Etcdctl passes every option as a flag, so
    the variables, already read as the options' fallbacks, must go before it runs."""
    for name in [name for name in environ if name.startswith("ETCDCTL_")]:
        del environ[name]


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

    def run(self, endpoints, *args, data=None, environ=None):
        """(rc, parsed JSON or None, stderr). ``data`` goes to etcdctl's stdin, ``environ`` to its environment
        (a password: never on the command line)."""
        kwargs = {"data": data} if data is not None else {}
        rc, out, err = self.run_command(
            self.base_args(endpoints) + list(args), environ_update=dict(environ or {}, ETCDCTL_API="3"), **kwargs
        )
        parsed = None
        text = (out or "").strip()
        if text:
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = None
        return rc, parsed, (err or "").strip()


def quiet_run_command(run_command):
    """``run_command`` (AnsibleModule's) that neither prints nor exits: an etcdctl that cannot start (not
    executable, built for another architecture) answers rc 127 with the reason, as a failed call does. AnsibleModule
    would call fail_json itself, and from the threads of one look (gather) each would print its own result."""

    def run(args, **kwargs):
        try:
            return run_command(args, handle_exceptions=False, **kwargs)
        except OSError as exc:
            return 127, "", "cannot run %s: %s" % (args[0], exc.strerror or exc)

    return run


def etcdctl_for(module):
    """The connection options of a module that talks to etcd, checked, and its etcdctl: (params, Etcdctl)."""
    params = connection_params(module.params, module.get_bin_path)
    drop_etcdctl_environment(os.environ)
    require_files([(name, params[name]) for name in ("etcdctl_path", "ca_file", "cert_file", "key_file")])
    etcdctl = Etcdctl(
        quiet_run_command(module.run_command),
        params["etcdctl_path"],
        params["ca_file"],
        params["cert_file"],
        params["key_file"],
        params["timeout"],
    )
    return params, etcdctl


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


ETCDCTL_LOOKS = (
    ("health", ("endpoint", "health")),
    ("status", ("endpoint", "status")),
    ("members", ("member", "list")),
    ("alarms", ("alarm", "list")),
)


def gather(etcdctl, endpoints, probe=probe_served_certificate, peer_probe=None):
    """One look at the cluster, raw: etcdctl's four answers, and a TLS handshake with each endpoint
    and with each member's peer URL (to read the certificate it serves there; ``peer_probe``, with the
    peer port's CA and a peer certificate, when peers have a CA of their own).

    Each part waits on the network (an etcdctl process, a socket), so the four etcdctl calls run side by side, then
    every handshake side by side: a look costs the slowest call plus the slowest handshake, not the sum of them all.
    The handshakes come after etcdctl's answers, as they did one at a time: etcdctl waits (up to its dial timeout)
    for a member that is still starting, and a handshake made before that would see an earlier moment than the
    answers it is reported beside."""
    peer_probe = peer_probe or probe
    with ThreadPoolExecutor(max_workers=len(ETCDCTL_LOOKS)) as pool:
        looks = [(name, pool.submit(etcdctl.run, endpoints, *args)) for name, args in ETCDCTL_LOOKS]
        raw = {}
        for name, future in looks:
            rc, parsed, err = future.result()
            raw[name] = {"rc": rc, "json": parsed, "stderr": err}
    peers = [member["peer_urls"][0] for member in members_of(raw["members"]["json"]) if member["peer_urls"]]
    with ThreadPoolExecutor(max_workers=max(len(endpoints) + len(peers), 1)) as pool:
        handshakes = [(endpoint, pool.submit(probe, endpoint) if probe else None) for endpoint in endpoints]
        peer_handshakes = [(url, pool.submit(peer_probe, url) if peer_probe else None) for url in peers]
        raw["tls"] = dict((endpoint, future.result() if future else {}) for endpoint, future in handshakes)
        raw["tls_peer"] = dict((url, future.result() if future else {}) for url, future in peer_handshakes)
    return raw


def days_left(not_after, now=None):
    """Days (with a fraction) from ``now`` until an ISO ``not_after``; None when unknown."""
    if not not_after:
        return None
    now = now or datetime.datetime.now(datetime.timezone.utc)
    end = datetime.datetime.strptime(not_after, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    return round((end - now).total_seconds() / 86400.0, 2)


def _endpoint_entries(raw, endpoints):
    by_endpoint = dict((ep, {"endpoint": ep, "healthy": False, "error": None, "cause": None}) for ep in endpoints)
    health = raw["health"]
    for item in health["json"] or []:
        entry = by_endpoint.setdefault(item.get("endpoint"), {"endpoint": item.get("endpoint")})
        entry["healthy"] = bool(item.get("health"))
        entry["took"] = item.get("took")
        entry["error"] = item.get("error") or None
    if not health["json"] and health["stderr"]:
        for entry in by_endpoint.values():
            entry["error"] = health["stderr"]
    leaders = []
    for item in raw["status"]["json"] or []:
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
            leaders.append(st["leader"])
    return by_endpoint, leaders


def _with_tls(entry, tls):
    """Fold our own handshake into an endpoint: etcdctl often says only "context deadline exceeded"
    when the TLS handshake failed, and the handshake names the real reason."""
    entry["cert_not_after"] = tls.get("not_after")
    entry["cert_serial"] = tls.get("serial")
    tls_cause = likely_cause(tls.get("error"))
    if tls.get("error") and (tls_cause or not entry.get("error")):
        entry["error"] = (
            tls["error"] if not entry.get("error") else "%s; TLS handshake: %s" % (entry["error"], tls["error"])
        )
        entry["cause"] = tls_cause
    elif entry.get("error"):
        entry["cause"] = likely_cause(entry["error"])
    return entry


def members_of(member_list):
    """etcdctl member list's JSON as the modules return it: id (hex), name ('' while not started), peer and client
    URLs, learner or voting, started."""
    return [
        {
            "id": member_id(item.get("ID")),
            "name": item.get("name") or "",
            "peer_urls": item.get("peerURLs") or [],
            "client_urls": item.get("clientURLs") or [],
            "is_learner": bool(item.get("isLearner")),
            "started": bool(item.get("name")),
        }
        for item in (member_list or {}).get("members") or []
    ]


def leader_of(leaders):
    """The leader id (hex) most members report, from the raw ids of etcdctl's endpoint status; None without any."""
    leaders = [leader for leader in leaders if leader is not None]
    return member_id(max(set(leaders), key=leaders.count)) if leaders else None


def parse(raw, endpoints, now=None):
    """The facts of one look (endpoints, members, leader, alarms, votes, served certificates),
    nothing judged yet."""
    by_endpoint, leaders = _endpoint_entries(raw, endpoints)
    members = members_of(raw["members"]["json"])
    names = dict((m["id"], m["name"]) for m in members)
    report = {
        "healthy": False,
        "endpoints": [],
        "members": members,
        "member_list_error": None if raw["members"]["json"] is not None else (raw["members"]["stderr"] or "no output"),
        "leader": None,
        "leaders_seen": sorted(set(member_id(leader) for leader in leaders)),
        "alarms": [
            {"member_id": member_id(item.get("memberID")), "alarm": item.get("alarm")}
            for item in (raw["alarms"]["json"] or {}).get("alarms", []) or []
        ],
        "failures": [],
    }
    # Every member reports whom it follows, so the leader is known even when the endpoints asked
    # do not include it (the rolling-restart gate asks every member but one).
    leader_id = leader_of(leaders)
    if leader_id:
        leader_member = next((m for m in members if m["id"] == leader_id), {})
        report["leader"] = {
            "id": leader_id,
            "name": names.get(leader_id),
            "endpoint": (leader_member.get("client_urls") or [None])[0],
        }
    voting = [m for m in members if not m["is_learner"]]
    report["voting_members"] = len(voting)
    report["learners"] = len(members) - len(voting)
    report["quorum"] = quorum(len(voting)) if voting else None
    peer_url_of = dict((m["id"], (m["peer_urls"] or [None])[0]) for m in members)
    for entry in by_endpoint.values():
        entry["name"] = names.get(entry.get("id"))
        _with_tls(entry, raw["tls"].get(entry["endpoint"]) or {})
        entry["peer_url"] = peer_url_of.get(entry.get("id"))
        peer = (raw.get("tls_peer") or {}).get(entry["peer_url"]) or {}
        entry["peer_cert_serial"] = peer.get("serial")
        entry["peer_cert_not_after"] = peer.get("not_after")
        entry["peer_cert_error"] = peer.get("error")
        entry["cert_days_left"] = days_left(entry["cert_not_after"], now)
        entry["peer_cert_days_left"] = days_left(entry["peer_cert_not_after"], now)
        report["endpoints"].append(entry)
    report["healthy_voting_members"] = len([e for e in report["endpoints"] if e["healthy"] and not e.get("is_learner")])
    return report


def expiring(report, renew_days):
    """Served certificates with fewer than ``renew_days`` days left, soonest first."""
    found = []
    for entry in report["endpoints"]:
        for port, days in (("client", entry.get("cert_days_left")), ("peer", entry.get("peer_cert_days_left"))):
            if days is not None and days < renew_days:
                found.append(
                    {"endpoint": entry["endpoint"], "name": entry.get("name"), "port": port, "days_left": days}
                )
    return sorted(found, key=lambda item: item["days_left"])


def judge(report, expected_members=None, renew_days=None):
    """Why the cluster is not healthy, one line each; healthy when there is no reason. Certificates
    inside the renewal window are listed in ``expiring`` (a warning, not a failure)."""
    report["expiring"] = expiring(report, renew_days) if renew_days is not None else []
    failures = report["failures"]
    if report["member_list_error"]:
        failures.append("member list failed: %s" % report["member_list_error"])
    for entry in report["endpoints"]:
        if not entry["healthy"]:
            failures.append(
                "%s: %s%s"
                % (
                    entry["endpoint"],
                    entry.get("error") or "unhealthy",
                    " (likely cause: %s)" % entry["cause"] if entry.get("cause") else "",
                )
            )
    if report["alarms"]:
        failures.append(
            "active alarms: %s" % ", ".join("%s on %s" % (a["alarm"], a["member_id"]) for a in report["alarms"])
        )
    if report["members"] and not report["leader"]:
        failures.append("no member reports a leader")
    if len(report["leaders_seen"]) > 1:
        failures.append("members disagree about the leader (an election is under way)")
    report["healthy"] = not failures and bool(report["endpoints"])
    return check_expectations(report, expected_members)


def collect_health(
    etcdctl,
    endpoints,
    probe=probe_served_certificate,
    expected_members=None,
    renew_days=None,
    peer_probe=None,
    pki_serials=None,
):
    """One look at the cluster through ``endpoints``: gathered, parsed, judged. Never raises for an
    unhealthy cluster."""
    report = judge(parse(gather(etcdctl, endpoints, probe, peer_probe), endpoints), expected_members, renew_days)
    return check_served(report, pki_serials)


def check_served(report, pki_serials=None):
    """With ``pki_serials`` ({certificate id: serial}, the PKI's), a failure for each endpoint that does not serve its
    member's server and peer certificates from it, listed in ``stale``."""
    report["stale"] = []
    if pki_serials is None:
        return report
    for entry in report["endpoints"]:
        name = entry.get("name")
        wanted = [pki_serials.get(member_cert_id(name, kind)) if name else None for kind in ("server", "peer")]
        served = [entry.get("cert_serial"), entry.get("peer_cert_serial")]
        if served != wanted or None in wanted:
            report["stale"].append(entry["endpoint"])
            report["failures"].append(
                "%s (%s) serves the certificates %s (client, peer port), not the PKI's %s"
                % (entry["endpoint"], name or "no member", served, wanted)
            )
            report["healthy"] = False
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
