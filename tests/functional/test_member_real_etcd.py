# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""etcd_member against a real etcd on loopback, as the role calls it (the members' etcdctl environment, through
ansible-playbook): a third member added as a learner (check mode first), refused when the started members are not
the ones expected, promoted once it has caught up, its removal refused while the members that stay have no quorum,
then removed while it leads (the leadership moves first). Each step is judged by etcd's own member list."""

import ipaddress
import json

import pytest
from local_etcd import LOCAL_INVENTORY, LocalCluster

from ansible_collections.etcdtls.cluster.plugins.module_utils import pki, pki_input


@pytest.fixture
def two(tmp_path):
    """m1 and m2 running, m3 to join. Every member's certificate also names 127.0.0.1, where loopback peers dial
    from (as in test_quorum_watch_real_etcd)."""
    local = LocalCluster(str(tmp_path / "c"), ["127.0.0.1", "127.0.0.2", "127.0.0.3"])
    members = [
        pki_input.Member(m["name"], [ipaddress.ip_address(a) for a in dict.fromkeys([m["address"], "127.0.0.1"])])
        for m in local.members
    ]
    pki.ensure_pki(pki.PkiSettings(local.pki), members, pki_input.parse_clients([]))
    for member in local.members[:2]:
        local.start(member, initial_members=local.members[:2])
    local.ensure_healthy(endpoints=local.endpoints()[:2])
    yield local
    local.stop_all()


def listed(local, endpoints):
    report = local.look(endpoints=endpoints)
    return sorted((m["name"] or "(unstarted)", m["is_learner"]) for m in report["members"]), report


def run(playbook, local, tasks, *args):
    """One play of etcd_member tasks: [(task name, options dict)], each allowed to fail; the results by name."""
    body = "".join(
        "    - name: %s\n      etcdtls.cluster.etcd_member: %s\n      ignore_errors: true\n"
        % (name, json.dumps(options))
        for name, options in tasks
    )
    rc, data = playbook.run(local.play_head("etcd_member") + body, LOCAL_INVENTORY, *args)
    assert rc == 0, data
    return dict((name, playbook.task_results(data, name)["here"]) for name, _options in tasks)


def test_join_promote_and_leave(two, playbook):
    local = two
    m1, m2, m3 = local.members
    first_two = [m1["client"], m2["client"]]
    add = {"name": "m3", "peer_url": m3["peer"], "started_members": ["m1", "m2"], "endpoints": first_two}

    # Check mode says what it would do and does nothing; so does diff mode.
    result = run(playbook, local, [("add", add)], "--check", "--diff")["add"]
    assert result["changed"] and result["actions"] == ["add member m3 (%s) as a learner" % m3["peer"]], result
    assert "+ add member m3" in result["diff"]["prepared"]
    assert listed(local, first_two)[0] == [("m1", False), ("m2", False)]

    # Not the members expected (the negative case), then for real, then again: nothing more to do.
    results = run(
        playbook,
        local,
        [("wrong", dict(add, started_members=["m1"])), ("add", add), ("again", add)],
    )
    assert results["wrong"]["failed"] and "etcd's started members are ['m1', 'm2']" in results["wrong"]["msg"]
    assert results["add"]["changed"] and results["add"]["member"]["is_learner"], results["add"]
    assert not results["again"]["changed"], results["again"]
    assert listed(local, first_two)[0] == [("(unstarted)", True), ("m1", False), ("m2", False)]

    # Started, it is promoted once it has caught up; a second promotion changes nothing.
    local.start(m3, state="existing")
    voting = {"name": "m3", "peer_url": m3["peer"], "state": "voting", "endpoints": first_two, "wait_timeout": 60}
    results = run(playbook, local, [("promote", voting), ("promote again", voting)])
    assert results["promote"]["changed"] and results["promote"]["actions"][0].startswith("promote learner m3"), results[
        "promote"
    ]["msg"]
    assert not results["promote again"]["changed"]
    local.ensure_healthy()
    assert listed(local, local.endpoints())[0] == [("m1", False), ("m2", False), ("m3", False)]

    # m1 cannot leave while m2 is down: of the two that would stay, only m3 answers, and 2 voting members need 2.
    local.stop(m2)
    leave_m1 = {"name": "m1", "peer_url": m1["peer"], "state": "absent", "endpoints": [m2["client"], m3["client"]]}
    result = run(playbook, local, [("refused", leave_m1)])["refused"]
    assert result["failed"] and "would have no quorum" in result["msg"], result
    assert len(listed(local, [m1["client"], m3["client"]])[0]) == 3, "nothing was removed"
    local.start(m2, state="existing")
    local.ensure_healthy()

    # m3 leads, then leaves: the leadership moves to a member that stays before it is removed.
    rc, _parsed, err = local.ctl().run([m1["client"]], "move-leader", "--", local.look()["endpoints"][2]["id"])
    assert rc == 0, err
    assert local.look()["leader"]["name"] == "m3"
    leave_m3 = {"name": "m3", "peer_url": m3["peer"], "state": "absent", "endpoints": first_two}
    results = run(playbook, local, [("leave", leave_m3), ("leave again", leave_m3)])
    assert results["leave"].get("actions", [""])[0].startswith("move the leadership from m3 to "), results["leave"][
        "msg"
    ]
    assert results["leave"]["actions"][1].startswith("remove member m3")
    assert not results["leave again"]["changed"]
    names, report = listed(local, first_two)
    assert names == [("m1", False), ("m2", False)] and report["leader"]["name"] in ("m1", "m2")
