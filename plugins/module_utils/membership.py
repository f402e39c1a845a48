# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""etcd's membership, through the Etcdctl JSON runner: a member added (as a learner), its peer URL updated,
promoted once it has caught up, and removed with the leadership moved away first, never when the members that
stay would lose their quorum. The quorum arithmetic is etcdctl.quorum's, the one place it lives.

etcd's JSON gives member ids as decimal numbers; etcdctl's commands take them in hex (etcdctl.member_id)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError
from ansible_collections.etcdtls.cluster.plugins.module_utils.etcdctl import leader_of, member_id, members_of, quorum

# etcd adds or removes a member only once every voting member has been connected to the leader for 5 s (so also
# right after a promotion or a leadership move): asked again until then.
NOT_READY = ("unhealthy cluster",)


class Cluster:
    """One cluster, reached through ``endpoints``; ``sleep`` and ``clock`` injectable for the tests."""

    def __init__(self, etcdctl, endpoints, check_mode=False, wait=60, delay=2, sleep=time.sleep, clock=time.monotonic):
        self.etcdctl = etcdctl
        self.endpoints = list(endpoints)
        self.check_mode = check_mode
        self.wait = wait
        self.delay = delay
        self.sleep = sleep
        self.clock = clock
        self.actions = []

    def call(self, what, *args, endpoints=None):
        rc, parsed, err = self.etcdctl.run(endpoints or self.endpoints, *args)
        if rc != 0:
            raise EtcdTLSError("etcdctl %s failed: %s" % (what, err or "rc %d" % rc), rc=rc, stderr=err)
        return parsed

    def members(self):
        """The member list, as etcdctl.members_of reads it."""
        return members_of(self.call("member list", "member", "list"))

    def retried(self, what, args, again=None, settled=None):
        """Runs etcdctl until it succeeds, for at most ``wait`` seconds; ``again``: the errors worth another try
        (any error, when None); ``settled``: a check, after a failure, that the change is there all the same (an
        answer lost, or etcdctl's own JSON output failing after the call). Returns the parsed answer, or raises
        with etcd's last word."""
        deadline = self.clock() + max(self.wait, 0)
        tries = 0
        while True:
            tries += 1
            rc, parsed, err = self.etcdctl.run(self.endpoints, *args)
            if rc == 0:
                return parsed
            if settled is not None and self.settles(settled):
                return None
            worth = again is None or any(text in (err or "") for text in again)
            if not worth or self.clock() + self.delay > deadline:
                raise EtcdTLSError(
                    "etcdctl %s failed%s: %s"
                    % (what, " after %d tries in %ds" % (tries, self.wait) if worth else "", err),
                    rc=rc,
                    stderr=err,
                )
            self.sleep(self.delay)

    @staticmethod
    def settles(settled):
        """Whether ``settled`` says the change is there; a look that fails (an election under way) says no."""
        try:
            return settled()
        except EtcdTLSError:
            return False

    def act(self, description, what, args, again=None, retry=False, settled=None):
        self.actions.append(description)
        if self.check_mode:
            return None
        return self.retried(what, args, again, settled) if retry else self.call(what, *args)


def find(members, name=None, peer_url=None):
    """The member with this peer URL, else the started member with this name; None when there is none."""
    for member in members:
        if peer_url and peer_url in member["peer_urls"]:
            return member
    for member in members:
        if name and member["started"] and member["name"] == name:
            return member
    return None


def check_expected(members, expected, name, peer_url):
    """The started members must be ``expected`` (names), the member itself not among them."""
    started = sorted(m["name"] for m in members if m["started"])
    if any(m["started"] and peer_url in m["peer_urls"] for m in members):
        raise EtcdTLSError(
            "%s is a member already, with an empty data dir (etcd lists %s as started): it cannot start as that "
            "member again. Nothing was changed. Remove it first with playbooks/remove-member.yml "
            "-e etcd_remove_members=<its inventory host>, then add it" % (name, peer_url),
            started=started,
        )
    if started != sorted(expected):
        raise EtcdTLSError(
            "etcd's started members are %s, the inventory's %s: make the inventory list exactly the running "
            "members and the hosts to add. Nothing was changed" % (started, sorted(expected)),
            started=started,
        )


def present(cluster, name, peer_url, learner=True, expected=None):
    """The member ``name`` is listed with ``peer_url``: added when it is not (as a learner by default), its peer
    URL updated when it is listed under its name with another. Returns (member, members before)."""
    members = cluster.members()
    if expected is not None:
        check_expected(members, expected, name, peer_url)
    member = find(members, name, peer_url)
    if member and member["started"] and member["name"] != name and peer_url in member["peer_urls"]:
        raise EtcdTLSError(
            "peer URL %s belongs to member %s (%s), not %s: give each member its own address"
            % (peer_url, member["name"], member["id"], name)
        )
    if member and peer_url in member["peer_urls"]:
        return member, members
    if member:
        cluster.act(
            "update member %s (%s) peer URLs %s -> %s" % (name, member["id"], member["peer_urls"], peer_url),
            "member update",
            ["member", "update", "--peer-urls=%s" % peer_url, "--", member["id"]],
        )
        return dict(member, peer_urls=[peer_url]), members
    args = ["member", "add", "--peer-urls=%s" % peer_url] + (["--learner"] if learner else []) + ["--", name]
    answer = cluster.act(
        "add member %s (%s)%s" % (name, peer_url, " as a learner" if learner else ""),
        "member add",
        args,
        again=NOT_READY,
        retry=True,
    )
    added = (answer or {}).get("member") or {}
    member = {
        "id": member_id(added["ID"]) if added.get("ID") is not None else None,
        "name": "",
        "peer_urls": [peer_url],
        "client_urls": [],
        "is_learner": learner,
        "started": False,
    }
    return member, members


def voting(cluster, name, peer_url=None):
    """The member is a voting one: a learner promoted, asked again (within ``wait``) until it has caught up with
    the leader, which etcd requires. Returns (member, members before)."""
    members = cluster.members()
    member = find(members, name, peer_url)
    if member is None:
        raise EtcdTLSError(
            "%s (%s) is not a member: add it first (state=present)" % (name, peer_url or "no peer URL given"),
            members=members,
        )
    if member["is_learner"]:
        cluster.act(
            "promote learner %s (%s)" % (name, member["id"]),
            "member promote",
            ["member", "promote", "--", member["id"]],
            retry=True,
            settled=lambda: any(m["id"] == member["id"] and not m["is_learner"] for m in cluster.members()),
        )
        member = dict(member, is_learner=False)
    return member, members


def healthy_endpoints(cluster):
    # Its rc is not 0 as soon as one endpoint is unhealthy: each endpoint's own answer is what counts.
    _rc, parsed, err = cluster.etcdctl.run(cluster.endpoints, "endpoint", "health")
    return sorted(item.get("endpoint") for item in parsed or [] if item.get("health")), err


def leader_id(cluster):
    """The leader's id (hex), as most endpoints report it. etcdctl's rc is not 0 as soon as one endpoint does not
    answer: the answers of the others count; none at all is an error."""
    _rc, parsed, err = cluster.etcdctl.run(cluster.endpoints, "endpoint", "status")
    leader = leader_of((item.get("Status") or {}).get("leader") for item in parsed or [])
    if leader is None:
        raise EtcdTLSError(
            "etcdctl endpoint status failed: no member among %s answered (%s)" % (", ".join(cluster.endpoints), err)
        )
    return leader


def absent(cluster, name, peer_url=None):
    """The member is gone. Refused when the healthy members among ``endpoints`` (the ones that stay) would be
    fewer than the quorum of the voting members left; when it leads, the leadership moves first to a member that
    stays. Returns (member removed or None, members before)."""
    members = cluster.members()
    member = find(members, name, peer_url)
    if member is None:
        return None, members
    staying_voting = len([m for m in members if not m["is_learner"]]) - (0 if member["is_learner"] else 1)
    healthy, err = healthy_endpoints(cluster)
    if staying_voting > 0 and len(healthy) < quorum(staying_voting):
        raise EtcdTLSError(
            "Only %s of the members that stay (%s) are healthy: without %s the cluster would have no quorum "
            "(%d of %d voting members). Nothing was removed. Bring the others back first%s."
            % (
                healthy,
                ", ".join(cluster.endpoints),
                name,
                quorum(staying_voting),
                staying_voting,
                " (%s)" % err if err else "",
            ),
            healthy=healthy,
        )
    if not member["is_learner"] and leader_id(cluster) == member["id"]:
        # To a member that stays and answers: a healthy one among ``endpoints``.
        target = next(
            (
                m
                for m in members
                if m["id"] != member["id"] and not m["is_learner"] and set(m["client_urls"]) & set(healthy)
            ),
            None,
        )
        if target is None or not member["client_urls"]:
            raise EtcdTLSError(
                "%s leads, and no healthy voting member among %s can take over: nothing was removed"
                % (name, ", ".join(cluster.endpoints))
            )
        # move-leader is answered by the leader alone.
        cluster.actions.append("move the leadership from %s to %s" % (name, target["name"]))
        if not cluster.check_mode:
            cluster.call("move-leader", "move-leader", "--", target["id"], endpoints=member["client_urls"][:1])
    cluster.act(
        "remove member %s (%s)" % (name, member["id"]),
        "member remove",
        ["member", "remove", "--", member["id"]],
        again=NOT_READY,
        retry=True,
        settled=lambda: all(m["id"] != member["id"] for m in cluster.members()),
    )
    return member, members
