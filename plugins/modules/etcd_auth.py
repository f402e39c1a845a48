#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: etcd_auth
short_description: etcd RBAC for the cluster's named clients, then authentication on
version_added: 0.2.0
description:
  - Gives each named client an etcd role named after it, with read-write permission on each of its
    O(clients[].prefixes) and read permission on each of its O(clients[].read_prefixes) and nothing else, and a
    user that holds that role alone. A gRPC client's user is its certificate's CN (etcd takes the user from it);
    a JSON-API client's user is its name and logs in with its password.
  - Makes the root user (etcd requires one before authentication is enabled) and gives the admin certificate's
    CN (O(admin_user)) the root role, so health checks and restart gates keep working; then enables authentication.
  - Users and roles no client names are left as they are. Authentication is never disabled.
  - Passwords go to etcdctl on its stdin and in its environment, never on its command line. A password is
    checked by a login, which etcd answers only while authentication is on; before that, it is set again.
  - Needs etcd 3.5 or later (users without a password, C(auth status)).
author:
  - etcdtls.cluster contributors (@etcdtls)
extends_documentation_fragment:
  - etcdtls.cluster.connection
  - etcdtls.cluster.clients
attributes:
  check_mode:
    support: full
    description: Reads etcd's users and roles and reports the calls it would make; changes nothing.
  diff_mode:
    support: full
    description: The calls it makes (or would make).
options:
  admin_user:
    description:
      - CN of the admin client certificate the modules connect with (the role's C(etcd_pki_admin_common_name));
        it gets the root role.
    type: str
    default: root
  enable:
    description:
      - Enable authentication once the users and roles are in place. V(false) only prepares them.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Give APISIX /apisix/ and kube-apiserver /registry/, then turn authentication on
  etcdtls.cluster.etcd_auth:
    endpoints: https://192.168.7.11:2379
    ca_file: /etc/etcd/pki/ca.crt
    cert_file: /etc/etcd/pki/admin.crt
    key_file: /etc/etcd/pki/admin.key
    clients:
      - name: apisix
        api: json
        password: "{{ vault_etcd_apisix_password }}"
        prefixes: [/apisix/]
      - name: kube-apiserver
        prefixes: [/registry/]
  run_once: true
"""

RETURN = r"""
changes:
  description: The etcdctl calls made (or, in check mode, that would be made), described.
  returned: always
  type: list
  elements: str
  sample: [add role apisix, grant role apisix readwrite on prefix /apisix/, enable authentication]
before:
  description: etcd's authentication before the calls.
  returned: always
  type: dict
  contains:
    enabled:
      description: Whether authentication was on.
      type: bool
    users:
      description: Each user's roles.
      type: dict
    roles:
      description: Each role's permissions, as C(<type> <key>*) for a prefix.
      type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.etcdtls.cluster.plugins.module_utils import auth
from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError
from ansible_collections.etcdtls.cluster.plugins.module_utils.etcdctl import ETCD_CONNECTION_ARGSPEC, etcdctl_for
from ansible_collections.etcdtls.cluster.plugins.module_utils.pki_input import CLIENT_ARGSPEC


def run(module):
    params, etcdctl = etcdctl_for(module)
    changes, state = auth.ensure(
        etcdctl,
        params["endpoints"],
        params["clients"],
        params["admin_user"],
        enable=params["enable"],
        check_mode=module.check_mode,
    )
    before = auth.summary(state)
    result = dict(changed=bool(changes), changes=changes, before=before)
    if module._diff and changes:
        result["diff"] = dict(prepared="".join("+ %s\n" % change for change in changes))
    return result


def main():
    argument_spec = dict(ETCD_CONNECTION_ARGSPEC)
    argument_spec.update(
        clients=dict(type="list", elements="dict", default=[], options=CLIENT_ARGSPEC),
        admin_user=dict(type="str", default="root"),
        enable=dict(type="bool", default=True),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        result = run(module)
    except EtcdTLSError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
