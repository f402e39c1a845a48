# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: etcd_client_recipes
short_description: Ready-to-paste configuration for each named client of the cluster
version_added: 0.2.0
author:
  - etcdtls.cluster contributors (@etcdtls)
description:
  - For each named client (the role's C(etcd_clients)), the configuration that connects it with its bundle and
    verification on. A C(json) client gets APISIX's C(deployment.etcd) (members by IP, verifying
    O(server_name) with C(sni), since APISIX checks DNS names only), a C(grpc) client kube-apiserver's
    C(--etcd-*) flags and k3s' C(--datastore-*) flags (Go matches IP SANs), and both the etcdctl environment.
  - With O(auth_enabled), a C(json) client's recipes add its user (its password is never printed).
options:
  _input:
    description: The named clients, as C(etcd_clients).
    type: list
    elements: dict
    required: true
  members:
    description: The members, as the P(etcdtls.cluster.etcd_members#filter) filter gives them.
    type: list
    elements: dict
    required: true
  server_name:
    description: C(etcd_server_name), the DNS name in every member's server certificate; empty for none.
    type: str
    required: true
  bundle_dir:
    description:
      - C(etcd_client_bundle_dir), the controller's directory of bundles - where a client without a bundle host
        finds its own (C(<bundle_dir>/<name>)); a client with one finds it in its C(bundle.path).
    type: str
    required: true
  auth_enabled:
    description: C(etcd_auth_enabled).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Print each client's recipes
  ansible.builtin.debug:
    msg: "{{ etcd_clients | etcdtls.cluster.etcd_client_recipes(members, 'etcd.etcd.internal', '/srv/etcd-clients') }}"
  vars:
    members: "{{ groups['etcd'] | etcdtls.cluster.etcd_members(hostvars) }}"
"""

RETURN = r"""
_value:
  description: One entry per client.
  type: list
  elements: dict
  contains:
    name:
      description: The client's name.
      type: str
    user:
      description: Its etcd user.
      type: str
    api:
      description: C(grpc) or C(json).
      type: str
    dir:
      description: The directory of its bundle.
      type: str
    recipes:
      description: Text by file name (C(apisix.yaml), C(kube-apiserver.flags), C(k3s.sh), C(etcdctl.sh)).
      type: dict
    files:
      description: The same recipes as a list, each C(file) (its name) and C(text), in the order of
        RV(_value[].recipes).
      type: list
      elements: dict
    lines:
      description: What to print for people - the client's user and bundle, then each recipe under its file name.
      type: list
      elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError
from ansible_collections.etcdtls.cluster.plugins.module_utils.recipes import client_recipes


def etcd_client_recipes(clients, members, server_name, bundle_dir, auth_enabled=False):
    try:
        return client_recipes(list(clients), list(members), server_name, bundle_dir, bool(auth_enabled))
    except (EtcdTLSError, KeyError) as exc:
        raise AnsibleFilterError("etcd_client_recipes: %s" % exc) from None


class FilterModule:
    def filters(self):
        return {"etcd_client_recipes": etcd_client_recipes}
