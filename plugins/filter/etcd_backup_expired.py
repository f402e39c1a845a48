# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: etcd_backup_expired
short_description: The snapshots of one cluster that retention removes
version_added: 0.1.0
author:
  - etcdtls.cluster contributors (@etcdtls)
description:
  - Takes the paths of snapshot descriptions found in a backup directory and returns the files to remove, each
    snapshot's C(.db) and C(.json), for every described snapshot of the cluster but the newest O(keep).
  - Only names of the exact shape C(<cluster>-YYYYmmddTHHMMSSZ.json) count, so another cluster sharing the directory
    (C(etcd-prod) beside C(etcd)) and files without a description are never removed.
options:
  _input:
    description: Paths of C(.json) files found in the backup directory.
    type: list
    elements: str
    required: true
  cluster:
    description: The cluster's name (C(etcd_cluster_name)).
    type: str
    required: true
  keep:
    description: How many of the newest snapshots stay.
    type: int
    required: true
"""

EXAMPLES = r"""
- name: Remove what retention does not keep
  ansible.builtin.file:
    path: "{{ item }}"
    state: absent
  loop: "{{ found.files | map(attribute='path') | etcdtls.cluster.etcd_backup_expired('etcd', 7) }}"
"""

RETURN = r"""
_value:
  description: The paths to remove.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.etcdtls.cluster.plugins.module_utils.backups import expired
from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError


def etcd_backup_expired(paths, cluster, keep):
    try:
        return expired(paths, cluster, keep)
    except EtcdTLSError as exc:
        raise AnsibleFilterError(exc.msg) from None


class FilterModule:
    def filters(self):
        return {"etcd_backup_expired": etcd_backup_expired}
