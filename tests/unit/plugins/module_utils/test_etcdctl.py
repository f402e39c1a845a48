# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""etcd_health's logic apart from etcd: gather (run_command injected), parse, judge.

The canned answers have the shapes etcdctl 3.5 prints with --write-out=json; the functional tests
run the same code against a real etcd."""

import copy
import json
import threading

import pytest

from ansible_collections.etcdtls.cluster.plugins.module_utils import etcdctl
from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError

EPS = ["https://10.0.0.1:2379", "https://10.0.0.2:2379", "https://10.0.0.3:2379"]
IDS = [111, 222, 333]


def status(endpoint, member, leader, learner=False):
    return {
        "Endpoint": endpoint,
        "Status": {
            "header": {"cluster_id": 9, "member_id": member, "revision": 5, "raft_term": 2},
            "version": "3.5.1",
            "dbSize": 20480,
            "dbSizeInUse": 16384,
            "leader": leader,
            "raftIndex": 9,
            "raftTerm": 2,
            "raftAppliedIndex": 9,
            "isLearner": learner,
        },
    }


def answers(**override):
    base = {
        "endpoint health": [{"endpoint": ep, "health": True, "took": "5ms"} for ep in EPS],
        "endpoint status": [status(ep, member, 111) for ep, member in zip(EPS, IDS)],
        "member list": {
            "members": [
                {"ID": member, "name": "e%d" % (i + 1), "peerURLs": [ep.replace("2379", "2380")], "clientURLs": [ep]}
                for i, (ep, member) in enumerate(zip(EPS, IDS))
            ]
        },
        "alarm list": {"header": {"cluster_id": 9}},
    }
    base.update(override)
    return base


class FakeRun:
    """run_command that answers like etcdctl, and records every call."""

    def __init__(self, table, stderr=None):
        self.table, self.stderr, self.calls = table, stderr or {}, []

    def __call__(self, args, environ_update=None):
        self.calls.append((args, environ_update))
        what = " ".join(a for a in args[-2:])
        value = self.table.get(what)
        if value is None:
            return 1, "", self.stderr.get(what, "Error: context deadline exceeded")
        return 0, json.dumps(value), ""


def look(table, stderr=None, tls=None, expected=None):
    run = FakeRun(table, stderr)
    ctl = etcdctl.Etcdctl(run, "/usr/bin/etcdctl", "/p/ca.crt", "/p/admin.crt", "/p/admin.key", timeout=3)
    probes = tls or {}

    def probe(endpoint):
        return probes.get(endpoint, {"error": None, "not_after": "2027-01-01T00:00:00Z", "serial": "ab"})

    return etcdctl.collect_health(ctl, EPS, probe, expected), run


def test_gather_runs_etcdctl_over_mutual_tls():
    _report, run = look(answers())
    # They run side by side (test_a_look_runs_its_parts_side_by_side): in no set order.
    assert sorted(args[-2:] for args, _env in run.calls) == [
        ["alarm", "list"],
        ["endpoint", "health"],
        ["endpoint", "status"],
        ["member", "list"],
    ]
    args, env = run.calls[0]
    assert args[:8] == [
        "/usr/bin/etcdctl",
        "--endpoints=" + ",".join(EPS),
        "--cacert=/p/ca.crt",
        "--cert=/p/admin.crt",
        "--key=/p/admin.key",
        "--dial-timeout=3s",
        "--command-timeout=3s",
        "--write-out=json",
    ]
    assert env == {"ETCDCTL_API": "3"}


def test_a_look_runs_its_parts_side_by_side():
    """The four etcdctl calls wait for each other at a barrier, then the three client and three peer handshakes at
    another: one at a time, the first of each would wait in vain (and its barrier break); side by side, all pass.
    Every handshake comes after every etcdctl answer (a member still starting is waited for by etcdctl first)."""
    calls = threading.Barrier(len(etcdctl.ETCDCTL_LOOKS), timeout=5)
    shakes = threading.Barrier(2 * len(EPS), timeout=5)
    answered = []
    table = answers()

    # etcdctl answers only once a handshake has begun, or after half a second: a handshake made beside the calls
    # would find them unanswered.
    shaking = threading.Event()

    def run(args, environ_update=None):
        calls.wait()
        shaking.wait(0.5)
        answered.append(args[-2:])
        return 0, json.dumps(table[" ".join(args[-2:])]), ""

    def probe(url):
        shaking.set()
        assert len(answered) == len(etcdctl.ETCDCTL_LOOKS), "a handshake before etcdctl's answers"
        shakes.wait()
        return {"error": None, "serial": url[-6:], "not_after": "2028-01-01T00:00:00Z"}

    ctl = etcdctl.Etcdctl(run, "etcdctl", "ca", "cert", "key")
    report = etcdctl.parse(etcdctl.gather(ctl, EPS, probe), EPS)
    assert [e["cert_serial"] for e in report["endpoints"]] == [ep[-6:] for ep in EPS]
    assert [e["peer_cert_serial"] for e in report["endpoints"]] == [ep[-6:].replace("2379", "2380") for ep in EPS]


def test_an_etcdctl_that_cannot_start_is_an_answer_not_an_exit():
    """AnsibleModule.run_command would fail_json (print and exit) from each thread of a look: it is asked not to, and
    the OSError becomes rc 127 with the reason, which the health report names like any failed call."""
    asked = []

    def run_command(args, handle_exceptions=True, **kwargs):
        asked.append(handle_exceptions)
        if handle_exceptions:
            raise SystemExit("fail_json printed")
        raise PermissionError(13, "Permission denied", args[0])

    ctl = etcdctl.Etcdctl(etcdctl.quiet_run_command(run_command), "/opt/etcdctl", "ca", "cert", "key")
    report = etcdctl.collect_health(ctl, EPS, probe=None)
    assert asked == [False] * len(etcdctl.ETCDCTL_LOOKS)
    assert not report["healthy"]
    assert report["endpoints"][0]["error"] == "cannot run /opt/etcdctl: Permission denied"
    assert report["endpoints"][0]["cause"].startswith("local files")


def test_a_healthy_cluster():
    report, _run = look(answers(), expected=3)
    assert report["healthy"] and report["failures"] == []
    assert report["voting_members"] == 3 and report["quorum"] == 2 and report["learners"] == 0
    assert report["leader"] == {"id": "6f", "name": "e1", "endpoint": EPS[0]}
    assert [e["leader"] for e in report["endpoints"]] == [True, False, False]
    assert report["endpoints"][0]["cert_not_after"] == "2027-01-01T00:00:00Z"
    assert report["healthy_voting_members"] == 3


def test_parse_alone_judges_nothing():
    run = FakeRun(answers())
    ctl = etcdctl.Etcdctl(run, "etcdctl", "ca", "cert", "key")
    report = etcdctl.parse(etcdctl.gather(ctl, EPS, probe=None), EPS)
    assert report["failures"] == [] and report["healthy"] is False
    assert report["leaders_seen"] == ["6f"]


def test_a_member_down_names_the_endpoint_and_the_cause():
    table = answers()
    table["endpoint health"][2] = {"endpoint": EPS[2], "health": False, "error": "context deadline exceeded"}
    tls = {EPS[2]: {"error": "[Errno 111] Connection refused"}}
    report, _run = look(table, tls=tls, expected=3)
    assert not report["healthy"]
    assert report["failures"] == [
        "%s: context deadline exceeded; TLS handshake: [Errno 111] Connection refused (likely cause: connection "
        "refused: nothing listens there; is etcd running, and on this address and port?)" % EPS[2]
    ]


def test_members_that_disagree_about_the_leader():
    table = answers()
    table["endpoint status"][2] = status(EPS[2], 333, 333)
    report, _run = look(table)
    assert "members disagree about the leader (an election is under way)" in report["failures"]


def test_no_leader_and_an_alarm():
    table = answers(**{"alarm list": {"alarms": [{"memberID": 222, "alarm": "NOSPACE"}]}})
    table["endpoint status"] = [status(ep, member, 0) for ep, member in zip(EPS, IDS)]
    report, _run = look(table)
    assert "active alarms: NOSPACE on de" in report["failures"]
    assert "no member reports a leader" in report["failures"]


def test_expected_members_and_a_failed_member_list():
    table = answers()
    del table["member list"]
    report, _run = look(table, stderr={"member list": "Error: permission denied"}, expected=3)
    assert "member list failed: Error: permission denied" in report["failures"]
    assert "0 voting members, expected 3" in report["failures"]


def test_connection_params_split_etcdctl_endpoints_and_find_etcdctl():
    params = dict(etcdctl.ETCD_CONNECTION_ARGSPEC, endpoints=["https://a:2379,https://b:2379"], etcdctl_path=None)

    def find(name, required=False, opt_dirs=None):
        assert opt_dirs == etcdctl.ETCDCTL_DIRS
        return "/usr/bin/" + name

    found = etcdctl.connection_params(params, find)
    assert found["endpoints"] == ["https://a:2379", "https://b:2379"] and found["etcdctl_path"] == "/usr/bin/etcdctl"
    with pytest.raises(EtcdTLSError, match="etcdctl was not found in PATH, /usr/local/bin, /usr/bin: set etcdctl_path"):
        etcdctl.connection_params(params, lambda name, required=False, opt_dirs=None: None)
    with pytest.raises(EtcdTLSError, match="endpoints is empty"):
        etcdctl.connection_params(dict(params, endpoints=[" "]), find)


def test_served_certificates_on_both_ports_and_the_renewal_window():
    now = etcdctl.datetime.datetime(2027, 1, 1, tzinfo=etcdctl.datetime.timezone.utc)
    run = FakeRun(answers())
    ctl = etcdctl.Etcdctl(run, "etcdctl", "ca", "cert", "key")
    served = {EPS[0]: ("c1", "2027-01-21T00:00:00Z"), EPS[0].replace("2379", "2380"): ("p1", "2027-01-06T00:00:00Z")}

    def probe(url):
        serial, not_after = served.get(url, ("zz", "2028-01-01T00:00:00Z"))
        return {"error": None, "serial": serial, "not_after": not_after}

    report = etcdctl.judge(etcdctl.parse(etcdctl.gather(ctl, EPS, probe), EPS, now=now), renew_days=30)
    first = report["endpoints"][0]
    assert first["peer_url"] == "https://10.0.0.1:2380"
    assert (first["cert_serial"], first["peer_cert_serial"]) == ("c1", "p1")
    assert (first["cert_days_left"], first["peer_cert_days_left"]) == (20.0, 5.0)
    assert report["expiring"] == [
        {"endpoint": EPS[0], "name": "e1", "port": "peer", "days_left": 5.0},
        {"endpoint": EPS[0], "name": "e1", "port": "client", "days_left": 20.0},
    ]
    assert report["healthy"], "a certificate inside the window is a warning, not a failure"
    assert etcdctl.judge(etcdctl.parse(etcdctl.gather(ctl, EPS, probe), EPS, now=now), renew_days=3)["expiring"] == []


def test_the_peer_port_is_read_with_its_own_probe():
    ctl = etcdctl.Etcdctl(FakeRun(answers()), "etcdctl", "ca", "cert", "key")
    asked = {"client": [], "peer": []}

    def probe(url):
        asked["client"].append(url)
        return {"error": None, "serial": "c", "not_after": "2028-01-01T00:00:00Z"}

    def peer_probe(url):
        asked["peer"].append(url)
        return {"error": "sslv3 alert bad certificate", "serial": None, "not_after": None}

    report = etcdctl.parse(etcdctl.gather(ctl, EPS, probe, peer_probe), EPS)
    assert sorted(asked["client"]) == EPS and all(url.endswith(":2380") for url in asked["peer"]) and asked["peer"]
    first = report["endpoints"][0]
    assert first["cert_serial"] == "c" and first["peer_cert_error"] == "sslv3 alert bad certificate"


def test_an_endpoint_serving_certificates_the_pki_does_not_hold_is_a_failure():
    report, _run = look(answers(), expected=3)
    for entry in report["endpoints"]:
        entry["cert_serial"], entry["peer_cert_serial"] = "s-" + entry["name"], "p-" + entry["name"]
    serials = dict(
        ("members/e%d/%s" % (i, kind), ("s-" if kind == "server" else "p-") + "e%d" % i)
        for i in (1, 2, 3)
        for kind in ("server", "peer")
    )
    assert etcdctl.check_served(copy.deepcopy(report), None)["stale"] == []
    fresh = etcdctl.check_served(copy.deepcopy(report), serials)
    assert fresh["healthy"] and fresh["stale"] == [] and fresh["failures"] == []
    stale = etcdctl.check_served(copy.deepcopy(report), dict(serials, **{"members/e2/peer": "new"}))
    assert not stale["healthy"] and stale["stale"] == [EPS[1]]
    assert stale["failures"] == [
        "%s (e2) serves the certificates ['s-e2', 'p-e2'] (client, peer port), not the PKI's ['s-e2', 'new']" % EPS[1]
    ]
    # A member the PKI has no certificate for cannot be shown to serve the right ones.
    unknown = etcdctl.check_served(copy.deepcopy(report), dict((k, v) for k, v in serials.items() if "e3" not in k))
    assert unknown["stale"] == [EPS[2]]
