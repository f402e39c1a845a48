#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: etcd_audit
short_description: What an etcd member shows of its security, read-only, for a compliance report
version_added: 0.3.0
description:
  - Reads, in one call on the member and with the standard library only, what the compliance report judges - its
    C(conf.yml) as text, the owner and mode of the files it is given, the fingerprints of the CAs its client and
    peer ports trust - and tries its own ports for real - a TLS 1.2 handshake offering CBC suites only on both
    ports, the admin client certificate on the peer port, a plain HTTP request on both ports - and reads the
    certificates it serves.
  - The judgement is the P(etcdtls.cluster.etcd_compliance#filter) filter's, on the controller.
author:
  - etcdtls.cluster contributors (@etcdtls)
extends_documentation_fragment:
  - etcdtls.cluster.attributes.read_only
options:
  config_file:
    description: The member's C(conf.yml).
    type: path
    default: /etc/etcd/conf.yml
  paths:
    description: Files and directories whose owner, group and mode to report (data dir, keys, C(conf.yml)).
    type: list
    elements: path
    default: []
  client_url:
    description: The member's client URL.
    type: str
    required: true
  peer_url:
    description: The member's peer URL.
    type: str
    required: true
  ca_file:
    description: The CA file the client port trusts.
    type: path
    default: /etc/etcd/pki/ca.crt
  peer_ca_file:
    description: The CA file the peer port trusts.
    type: path
    default: /etc/etcd/pki/peer-ca.crt
  cert_file:
    description: A client certificate (the admin's), presented on the client port and, as a test, on the peer port.
    type: path
    default: /etc/etcd/pki/admin.crt
  key_file:
    description: The key of O(cert_file).
    type: path
    default: /etc/etcd/pki/admin.key
  peer_cert_file:
    description: The member's peer certificate, presented on the peer port.
    type: path
    default: /etc/etcd/pki/peer.crt
  peer_key_file:
    description: The key of O(peer_cert_file).
    type: path
    default: /etc/etcd/pki/peer.key
  timeout:
    description: Seconds for each connection.
    type: int
    default: 5
"""

EXAMPLES = r"""
- name: Read what the member shows
  etcdtls.cluster.etcd_audit:
    client_url: https://192.168.7.11:2379
    peer_url: https://192.168.7.11:2380
    paths: [/var/lib/etcd, /etc/etcd/conf.yml, /etc/etcd/pki/server.key]
  register: audit

- name: Judge it
  ansible.builtin.debug:
    msg: "{{ audit.audit | etcdtls.cluster.etcd_compliance(expect) }}"
  vars:
    expect: {user: etcd, group: etcd, data_dir: /var/lib/etcd, key_files: [/etc/etcd/pki/server.key],
             config_file: /etc/etcd/conf.yml, renew_days: 30, known_cas: []}
"""

RETURN = r"""
audit:
  description: What the member shows.
  returned: always
  type: dict
  contains:
    config_text:
      description: The text of O(config_file), or null when it cannot be read (then RV(audit.config_error)).
      type: str
    config_error:
      description: Why O(config_file) could not be read.
      type: str
    files:
      description: Per path of O(paths), C(exists), C(mode) (octal string), C(owner), C(group), C(is_dir).
      type: dict
    trusted:
      description: C(client) and C(peer), the SHA-256 fingerprints of the CAs in O(ca_file) and O(peer_ca_file).
      type: dict
    cbc_client:
      description: C(accepted) and C(detail) of a TLS 1.2 handshake offering CBC suites only on the client port.
      type: dict
    cbc_peer:
      description: The same on the peer port.
      type: dict
    client_cert_on_peer:
      description: C(accepted) and C(detail) of a request to the peer port with the client certificate.
      type: dict
    http_client:
      description: C(answered) (a 2xx) and C(detail) (the status line) of a plain HTTP request to the client port.
      type: dict
    http_peer:
      description: The same on the peer port.
      type: dict
    served_client:
      description: C(serial), C(not_after) or C(error) of the certificate served on the client port.
      type: dict
    served_peer:
      description: The same on the peer port.
      type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.etcdtls.cluster.plugins.module_utils.audit import audit_member


def main():
    module = AnsibleModule(
        argument_spec=dict(
            config_file=dict(type="path", default="/etc/etcd/conf.yml"),
            paths=dict(type="list", elements="path", default=[]),
            client_url=dict(type="str", required=True),
            peer_url=dict(type="str", required=True),
            ca_file=dict(type="path", default="/etc/etcd/pki/ca.crt"),
            peer_ca_file=dict(type="path", default="/etc/etcd/pki/peer-ca.crt"),
            cert_file=dict(type="path", default="/etc/etcd/pki/admin.crt"),
            key_file=dict(type="path", default="/etc/etcd/pki/admin.key"),
            peer_cert_file=dict(type="path", default="/etc/etcd/pki/peer.crt"),
            peer_key_file=dict(type="path", default="/etc/etcd/pki/peer.key"),
            timeout=dict(type="int", default=5),
        ),
        supports_check_mode=True,
    )
    params = module.params
    pki = {
        "ca": params["ca_file"],
        "peer_ca": params["peer_ca_file"],
        "cert": params["cert_file"],
        "key": params["key_file"],
        "peer_cert": params["peer_cert_file"],
        "peer_key": params["peer_key_file"],
    }
    audit = audit_member(
        params["config_file"], params["paths"], params["client_url"], params["peer_url"], pki, params["timeout"]
    )
    module.exit_json(changed=False, audit=audit)


if __name__ == "__main__":
    main()
