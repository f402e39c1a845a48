# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""etcd_member's decisions: which etcdctl calls for which member list, the bounds of its retries, and the quorum
rule of a removal (the real-etcd behaviour is in tests/functional/test_member_real_etcd.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.etcdtls.cluster.plugins.module_utils import membership
from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError


def listed(*members):
    """etcdctl member list's JSON: (decimal id, name, peer URL, learner)."""
    return {
        "members": [
            dict(
                {"ID": ident, "name": name, "peerURLs": [peer]},
                clientURLs=[peer.replace("2380", "2379")] if name else [],
                isLearner=learner,
            )
            for ident, name, peer, learner in members
        ]
    }


THREE = listed(
    (1, "m1", "https://a:2380", False), (2, "m2", "https://b:2380", False), (3, "m3", "https://c:2380", False)
)


class Etcd:
    """etcdctl as a script: ``answers`` maps a command (its words after the flags) to a list of answers, taken in
    order, the last one repeated; every call is recorded."""

    def __init__(self, answers):
        self.answers = dict((key, list(value)) for key, value in answers.items())
        self.calls = []

    def run(self, endpoints, *args):
        self.calls.append((tuple(endpoints), args))
        for key, queue in self.answers.items():
            if args[: len(key)] == key:
                return queue.pop(0) if len(queue) > 1 else queue[0]
        raise AssertionError("unexpected etcdctl %s" % (args,))

    def writes(self):
        return [args for _endpoints, args in self.calls if args[:2] != ("member", "list") and args[0] != "endpoint"]


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def cluster(etcd, check_mode=False, wait=10, endpoints=("https://a:2379", "https://b:2379")):
    clock = Clock()
    return membership.Cluster(etcd, list(endpoints), check_mode, wait, 2, clock.sleep, clock)


def test_a_new_member_is_added_as_a_learner_after_every_voting_member_is_connected():
    two = listed((1, "m1", "https://a:2380", False), (2, "m2", "https://b:2380", False))
    etcd = Etcd(
        {
            ("member", "list"): [(0, two, "")],
            ("member", "add"): [(1, None, "etcdserver: unhealthy cluster"), (0, {"member": {"ID": 3}}, "")],
        }
    )
    member, before = membership.present(cluster(etcd), "m3", "https://c:2380", True, ["m2", "m1"])
    assert etcd.writes() == [("member", "add", "--peer-urls=https://c:2380", "--learner", "--", "m3")] * 2
    assert member == dict(member, id="3", is_learner=True, started=False) and len(before) == 2


def test_check_mode_reads_and_writes_nothing():
    two = listed((1, "m1", "https://a:2380", False), (2, "m2", "https://b:2380", False))
    etcd = Etcd({("member", "list"): [(0, two, "")]})
    c = cluster(etcd, check_mode=True)
    member, _before = membership.present(c, "m3", "https://c:2380")
    assert etcd.writes() == [] and c.actions == ["add member m3 (https://c:2380) as a learner"]
    assert member["id"] is None


def test_another_error_is_not_asked_again_and_the_retries_are_bounded():
    two = listed((1, "m1", "https://a:2380", False), (2, "m2", "https://b:2380", False))
    etcd = Etcd({("member", "list"): [(0, two, "")], ("member", "add"): [(1, None, "etcdserver: too many learners")]})
    with pytest.raises(EtcdTLSError, match="too many learners"):
        membership.present(cluster(etcd), "m3", "https://c:2380")
    assert len(etcd.writes()) == 1
    etcd = Etcd({("member", "list"): [(0, two, "")], ("member", "add"): [(1, None, "etcdserver: unhealthy cluster")]})
    with pytest.raises(EtcdTLSError, match="after 6 tries in 10s"):
        membership.present(cluster(etcd, wait=10), "m3", "https://c:2380")


def test_the_started_members_must_be_the_ones_expected():
    etcd = Etcd({("member", "list"): [(0, THREE, "")]})
    with pytest.raises(EtcdTLSError) as caught:
        membership.present(cluster(etcd), "m3", "https://c:2380", True, ["m1", "m2"])
    assert caught.value.msg.startswith("m3 is a member already, with an empty data dir (etcd lists https://c:2380")
    assert "Nothing was changed. Remove it first with playbooks/remove-member.yml" in caught.value.msg
    assert etcd.writes() == []
    with pytest.raises(EtcdTLSError, match="make the inventory list exactly"):
        membership.present(cluster(etcd), "m4", "https://d:2380", True, ["m1", "m2"])


def test_an_added_member_not_started_is_left_and_a_moved_one_updated():
    unstarted = listed((1, "m1", "https://a:2380", False), (3, "", "https://c:2380", True))
    etcd = Etcd({("member", "list"): [(0, unstarted, "")]})
    assert membership.present(cluster(etcd), "m3", "https://c:2380")[0]["started"] is False and etcd.writes() == []
    etcd = Etcd({("member", "list"): [(0, THREE, "")], ("member", "update"): [(0, {}, "")]})
    membership.present(cluster(etcd), "m3", "https://10.0.0.3:2380")
    assert etcd.writes() == [("member", "update", "--peer-urls=https://10.0.0.3:2380", "--", "3")]


def test_a_peer_url_of_another_member_is_refused():
    etcd = Etcd({("member", "list"): [(0, THREE, "")]})
    with pytest.raises(EtcdTLSError, match="peer URL https://b:2380 belongs to member m2"):
        membership.present(cluster(etcd), "m9", "https://b:2380")


def test_a_learner_is_promoted_once_caught_up_and_a_lost_answer_counts():
    learner = listed((1, "m1", "https://a:2380", False), (3, "m3", "https://c:2380", True))
    etcd = Etcd(
        {
            ("member", "list"): [(0, learner, "")],
            ("member", "promote"): [(1, None, "can only promote a learner member which is in sync with leader")] * 2
            + [(0, {}, "")],
        }
    )
    member, _before = membership.voting(cluster(etcd), "m3", "https://c:2380")
    assert member["is_learner"] is False and etcd.writes() == [("member", "promote", "--", "3")] * 3
    # Promoted, but its answer lost: the member list says so, and no error is raised.
    etcd = Etcd(
        {
            ("member", "list"): [(0, learner, ""), (0, THREE, "")],
            ("member", "promote"): [(1, None, "context deadline exceeded")],
        }
    )
    membership.voting(cluster(etcd), "m3", "https://c:2380")
    assert etcd.writes() == [("member", "promote", "--", "3")]


def test_a_voting_member_is_not_promoted_and_an_unknown_one_is_an_error():
    etcd = Etcd({("member", "list"): [(0, THREE, "")]})
    assert membership.voting(cluster(etcd), "m3", "https://c:2380")[0]["is_learner"] is False and not etcd.writes()
    with pytest.raises(EtcdTLSError, match=r"m9 .* is not a member"):
        membership.voting(cluster(etcd), "m9", "https://z:2380")


def health(*healthy):
    return (1 if len(healthy) < 2 else 0, [{"endpoint": e, "health": True} for e in healthy], "")


def status(leader):
    return (0, [{"Endpoint": "https://a:2379", "Status": {"leader": leader}}], "")


def test_a_removal_that_would_lose_the_quorum_is_refused_before_any_change():
    # m3 leaves, m2 is down: 2 voting members stay, the quorum is 2, only m1 answers.
    etcd = Etcd({("member", "list"): [(0, THREE, "")], ("endpoint", "health"): [health("https://a:2379")]})
    with pytest.raises(EtcdTLSError, match=r"would have no quorum \(2 of 2 voting members\)"):
        membership.absent(cluster(etcd), "m3", "https://c:2380")
    assert etcd.writes() == []


def test_the_leader_hands_over_to_a_member_that_stays_then_leaves():
    etcd = Etcd(
        {
            ("member", "list"): [(0, THREE, ""), (0, THREE, ""), (0, listed(*[]), "")],
            ("endpoint", "health"): [health("https://a:2379", "https://b:2379")],
            ("endpoint", "status"): [status(3)],
            ("move-leader",): [(0, None, "")],
            ("member", "remove"): [(1, None, "etcdserver: unhealthy cluster"), (0, {}, "")],
        }
    )
    c = cluster(etcd)
    member, _before = membership.absent(c, "m3", "https://c:2380")
    moved = [(endpoints, args) for endpoints, args in etcd.calls if args[0] == "move-leader"]
    # Sent to the leader itself, to hand over to m1, the first voting member among the endpoints.
    assert moved == [(("https://c:2379",), ("move-leader", "--", "1"))]
    assert c.actions == ["move the leadership from m3 to m1", "remove member m3 (3)"] and member["id"] == "3"


def test_a_member_gone_already_is_no_change():
    etcd = Etcd({("member", "list"): [(0, THREE, "")]})
    assert membership.absent(cluster(etcd), "m9", "https://z:2380")[0] is None and etcd.writes() == []


FIVE = listed(*[(i, "m%d" % i, "https://%s:2380" % "abcde"[i - 1], False) for i in range(1, 6)])
FOUR_STAY = ["https://%s:2379" % host for host in "abcd"]


def test_a_member_leaves_while_one_that_stays_is_down_if_the_rest_keep_the_quorum():
    """etcdctl's rc is 1 when one endpoint fails (b is down), its JSON still the others': 3 of the 4 that stay answer,
    the quorum of 4 is 3. m5 leads, so the leadership goes to a member that answers, not to b."""
    up = ["https://a:2379", "https://c:2379", "https://d:2379"]
    etcd = Etcd(
        {
            ("member", "list"): [(0, FIVE, "")],
            ("endpoint", "health"): [(1, [{"endpoint": e, "health": e in up} for e in FOUR_STAY], "unhealthy")],
            ("endpoint", "status"): [(1, [{"Endpoint": e, "Status": {"leader": 5}} for e in up], "b: deadline")],
            ("move-leader",): [(0, None, "")],
            ("member", "remove"): [(0, {}, "")],
        }
    )
    # m2 (b, down) listed first: the hand-over skips it.
    etcd.answers[("member", "list")] = [
        (0, {"members": FIVE["members"][1:2] + FIVE["members"][:1] + FIVE["members"][2:]}, "")
    ]
    c = cluster(etcd, endpoints=FOUR_STAY)
    membership.absent(c, "m5", "https://e:2380")
    assert c.actions[0] == "move the leadership from m5 to m1"
    assert c.actions[1] == "remove member m5 (5)"


def test_a_settling_look_that_fails_is_tried_again():
    learner = listed((1, "m1", "https://a:2380", False), (3, "m3", "https://c:2380", True))
    etcd = Etcd(
        {
            ("member", "list"): [(0, learner, ""), (1, None, "election under way"), (0, THREE, "")],
            ("member", "promote"): [(1, None, "context deadline exceeded")],
        }
    )
    membership.voting(cluster(etcd), "m3", "https://c:2380")
    assert etcd.writes() == [("member", "promote", "--", "3")] * 2
