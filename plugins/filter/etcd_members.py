# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: etcd_members
short_description: The etcd members of a list of inventory hosts
version_added: 0.1.0
author:
  - etcdtls.cluster contributors (@etcdtls)
description:
  - Turns inventory hosts into member dicts with name, address, IPs, SANs and URLs, the one view of the
    cluster that the PKI and the deploy roles share.
  - "Per host it reads C(etcd_name) (default: the inventory hostname), C(etcd_address) (default: the
    gathered default IPv4 address), C(etcd_extra_addresses), C(etcd_fqdn) and C(etcd_extra_sans)."
options:
  _input:
    description: Inventory hostnames, usually C(groups['etcd']).
    type: list
    elements: str
    required: true
  hostvars:
    description: The C(hostvars) magic variable.
    type: dict
    required: true
  client_port:
    description: Client port used in the URLs.
    type: int
    default: 2379
  peer_port:
    description: Peer port used in the URLs.
    type: int
    default: 2380
"""

EXAMPLES = r"""
- name: Show the members
  ansible.builtin.debug:
    msg: "{{ groups['etcd'] | etcdtls.cluster.etcd_members(hostvars) }}"
"""

RETURN = r"""
_value:
  description: One dict per host, in inventory order.
  type: list
  elements: dict
  contains:
    host:
      description: Inventory hostname.
      type: str
    name:
      description: etcd member name.
      type: str
    address:
      description: The IP the member listens on.
      type: str
    ips:
      description: Every IP of the member (address first).
      type: list
      elements: str
    fqdn:
      description: DNS name of the member, when C(etcd_fqdn) is set.
      type: str
    extra_sans:
      description: Extra SANs for the member's server certificate.
      type: list
      elements: str
    peer_url:
      description: C(https://address:peer_port).
      type: str
    client_url:
      description: C(https://address:client_port).
      type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError
from ansible_collections.etcdtls.cluster.plugins.module_utils.members import members_from_inventory


def etcd_members(hosts, hostvars, client_port=2379, peer_port=2380):
    try:
        return members_from_inventory(list(hosts), hostvars, int(client_port), int(peer_port))
    except EtcdTLSError as exc:
        raise AnsibleFilterError(exc.msg) from None


class FilterModule:
    def filters(self):
        return {"etcd_members": etcd_members}
