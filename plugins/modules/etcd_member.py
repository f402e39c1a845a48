#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: etcd_member
short_description: One etcd member added as a learner, promoted, updated or removed, over mutual TLS
version_added: 0.3.0
description:
  - Reads the member list with etcdctl's JSON output and makes one member what O(state) says, through the
    members in O(endpoints).
  - V(present) adds the member when no member has O(peer_url) (as a learner unless O(learner=false)), asking
    again within O(wait_timeout) while etcd answers C(unhealthy cluster) (it takes a new member only once every
    voting member has been connected for 5 s). A started member of that name with another peer URL gets
    O(peer_url) by C(member update). A member added but not started yet is left as it is.
  - V(voting) promotes the member when it is a learner, asking again within O(wait_timeout) until etcd takes it
    (it promotes a learner only once it has caught up with the leader).
  - V(absent) removes the member. Refused, with nothing changed, when the healthy members among O(endpoints)
    (the members that stay) are fewer than the quorum of the voting members left. When it leads, the leadership
    moves first to a healthy voting member among O(endpoints) (C(move-leader), sent to the leaving member itself).
author:
  - etcdtls.cluster contributors (@etcdtls)
extends_documentation_fragment:
  - etcdtls.cluster.connection
attributes:
  check_mode:
    support: full
    description: Reads the member list and reports the calls it would make in RV(actions); changes nothing.
  diff_mode:
    support: full
    description: The calls it makes (or would make).
options:
  name:
    description:
      - The member's name (etcd's C(--name)).
    type: str
    required: true
  peer_url:
    description:
      - The member's peer URL, for instance V(https://192.168.7.14:2380). A member is found by it first, then
        by O(name) among the started members.
      - Required with O(state=present).
    type: str
  state:
    description:
      - V(present) - listed with O(peer_url); V(voting) - listed and not a learner; V(absent) - not listed.
    type: str
    choices: [present, voting, absent]
    default: present
  learner:
    description:
      - With O(state=present), add the member as a learner (it gets no vote until promoted, so the quorum does
        not change while it catches up).
    type: bool
    default: true
  started_members:
    description:
      - With O(state=present), the names the started members must have, the member itself not among them;
        anything else is refused before any change (the cluster is not the inventory's, or the member was
        started before with the data dir it has lost).
    type: list
    elements: str
  wait_timeout:
    description:
      - Seconds within which C(member add), C(member promote) and C(member remove) are asked again while etcd is
        not ready for them.
    type: int
    default: 60
"""

EXAMPLES = r"""
- name: Add etcd4 as a learner, to the three members there are
  etcdtls.cluster.etcd_member:
    endpoints: [https://192.168.7.11:2379, https://192.168.7.12:2379, https://192.168.7.13:2379]
    name: etcd4
    peer_url: https://192.168.7.14:2380
    started_members: [etcd1, etcd2, etcd3]
  run_once: true

- name: Promote etcd4 once it has caught up (after it was started)
  etcdtls.cluster.etcd_member:
    endpoints: [https://192.168.7.11:2379]
    name: etcd4
    peer_url: https://192.168.7.14:2380
    state: voting
  run_once: true

- name: Remove etcd4, talking to the members that stay
  etcdtls.cluster.etcd_member:
    endpoints: [https://192.168.7.11:2379, https://192.168.7.12:2379, https://192.168.7.13:2379]
    name: etcd4
    peer_url: https://192.168.7.14:2380
    state: absent
  run_once: true
"""

RETURN = r"""
actions:
  description: The membership changes made (or, in check mode, that would be made), described.
  returned: always
  type: list
  elements: str
  sample: [add member etcd4 (https://192.168.7.14:2380) as a learner]
member:
  description: The member after the change (for V(absent), the member removed), or null when there is none.
  returned: always
  type: dict
  contains:
    id:
      description: Member id, in hex as etcdctl shows it; null for a member added in check mode.
      type: str
    name:
      description: Its name; empty until it has started.
      type: str
    peer_urls:
      description: Its peer URLs.
      type: list
      elements: str
    client_urls:
      description: Its client URLs; empty until it has started.
      type: list
      elements: str
    is_learner:
      description: Whether it is a learner.
      type: bool
    started:
      description: Whether it has started (etcd lists a member added but not started without a name).
      type: bool
members:
  description: The member list before the change, each entry as RV(member).
  returned: always
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.etcdtls.cluster.plugins.module_utils import membership
from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError
from ansible_collections.etcdtls.cluster.plugins.module_utils.etcdctl import ETCD_CONNECTION_ARGSPEC, etcdctl_for


def run(module):
    params, etcdctl = etcdctl_for(module)
    cluster = membership.Cluster(
        etcdctl, params["endpoints"], check_mode=module.check_mode, wait=params["wait_timeout"]
    )
    name, peer_url, state = params["name"], params["peer_url"], params["state"]
    if state == "present":
        member, members = membership.present(cluster, name, peer_url, params["learner"], params["started_members"])
    elif state == "voting":
        member, members = membership.voting(cluster, name, peer_url)
    else:
        member, members = membership.absent(cluster, name, peer_url)
    result = dict(changed=bool(cluster.actions), actions=cluster.actions, member=member, members=members)
    if module._diff and cluster.actions:
        result["diff"] = dict(prepared="".join("+ %s\n" % action for action in cluster.actions))
    return result


def main():
    argument_spec = dict(ETCD_CONNECTION_ARGSPEC)
    argument_spec.update(
        name=dict(type="str", required=True),
        peer_url=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "voting", "absent"]),
        learner=dict(type="bool", default=True),
        started_members=dict(type="list", elements="str"),
        wait_timeout=dict(type="int", default=60),
    )
    module = AnsibleModule(
        argument_spec=argument_spec, supports_check_mode=True, required_if=[("state", "present", ["peer_url"])]
    )
    try:
        result = run(module)
    except EtcdTLSError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
