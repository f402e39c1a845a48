# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # The cluster's named clients (the role's etcd_clients), as every module that takes them reads them
    # (plugins/module_utils/pki_input.py: CLIENT_ARGSPEC). Each module reads the keys it needs.
    DOCUMENTATION = r"""
options:
  clients:
    description:
      - The cluster's named clients beside C(admin) (APISIX, kube-apiserver, k3s), one dict each; the role's
        C(etcd_clients). M(etcdtls.cluster.etcd_pki) issues each one's certificate, M(etcdtls.cluster.etcd_auth)
        makes its etcd user and role.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description:
          - Client name; its files are C(clients/<name>.crt|key) and its etcd role is named after it.
            C(admin) is reserved.
        type: str
        required: true
      common_name:
        description:
          - CN of its certificate, which is its etcd user (etcd takes a gRPC client's user from its
            certificate's CN when authentication is on). Defaults to O(clients[].name). Not for a
            V(json) client.
        type: str
      organization:
        description:
          - O of its certificate's subject; a V(json) client's defaults to its name.
        type: str
      api:
        description:
          - How the client talks to etcd. V(grpc), etcd's gRPC API (etcdctl, kube-apiserver, k3s), or V(json),
            the v3 JSON API of etcd's gRPC gateway (APISIX).
          - Once authentication is on, etcd answers every gateway request whose client certificate has a CN
            with 400 (CVE-2018-16886). So a V(json) client's certificate has no CN, its user is its name,
            and it logs in with O(clients[].password).
        type: str
        choices: [grpc, json]
        default: grpc
      password:
        description:
          - Password of its etcd user; required for a V(json) client when authentication is on, optional for
            a V(grpc) one (whose certificate identifies it). No whitespace. Keep it in Ansible Vault.
        type: str
      prefixes:
        description:
          - Key prefixes its role may read and write, for instance V(/apisix/).
        type: list
        elements: str
        default: []
      read_prefixes:
        description:
          - Key prefixes its role may only read.
        type: list
        elements: str
        default: []
      bundle:
        description:
          - Where the role delivers its bundle (C(ca.crt), C(<name>.crt), C(<name>.key)) besides the controller's
            C(etcd_client_bundle_dir). The modules do not read it.
        type: dict
        suboptions:
          host:
            description: Inventory host that receives the bundle.
            type: str
            required: true
          path:
            description: Directory on that host.
            type: str
            required: true
          owner:
            description: Owner of the directory and the files.
            type: str
          group:
            description: Group of the directory and the files.
            type: str
"""
