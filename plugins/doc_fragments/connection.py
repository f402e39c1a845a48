# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # The TLS and endpoint options every module that talks to etcd takes
    # (plugins/module_utils/etcdctl.py: ETCD_CONNECTION_ARGSPEC).
    DOCUMENTATION = r"""
options:
  endpoints:
    description:
      - Client URLs of the members to talk to, for instance V(https://192.168.7.11:2379).
      - If not given, the comma-separated list in the E(ETCDCTL_ENDPOINTS) environment variable.
    type: list
    elements: str
    required: true
  ca_file:
    description:
      - CA certificate that the members' server certificates must chain to.
      - If not given, E(ETCDCTL_CACERT), else the default.
    type: path
    default: /etc/etcd/pki/ca.crt
  cert_file:
    description:
      - Client certificate presented to etcd (mutual TLS).
      - If not given, E(ETCDCTL_CERT), else the default.
    type: path
    default: /etc/etcd/pki/admin.crt
  key_file:
    description:
      - Private key of O(cert_file).
      - If not given, E(ETCDCTL_KEY), else the default.
    type: path
    default: /etc/etcd/pki/admin.key
  etcdctl_path:
    description:
      - Path of the etcdctl binary on the host that runs the module.
      - If not given, etcdctl is looked up in E(PATH), C(/usr/local/bin) and C(/usr/bin).
    type: path
  timeout:
    description:
      - Dial and command timeout, in seconds, for each etcdctl call and TLS probe.
    type: int
    default: 5
"""
