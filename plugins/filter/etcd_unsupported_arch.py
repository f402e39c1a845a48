# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: etcd_unsupported_arch
short_description: The ETCD_UNSUPPORTED_ARCH value etcd demands on a release architecture, if any
version_added: 0.1.0
author:
  - etcdtls.cluster contributors (@etcdtls)
description:
  - Returns V(arm) for any 32-bit arm, V(arm64) for arm64 with etcd older than 3.5, and an empty string
    where etcd runs without C(ETCD_UNSUPPORTED_ARCH).
options:
  _input:
    description: A release architecture, as from P(etcdtls.cluster.etcd_release_arch#filter).
    type: str
    required: true
  version:
    description: The etcd version.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: What etcd 3.4 wants on a Raspberry Pi 4
  ansible.builtin.debug:
    msg: "{{ 'arm64' | etcdtls.cluster.etcd_unsupported_arch('3.4.23') }}"
"""

RETURN = r"""
_value:
  description: The ETCD_UNSUPPORTED_ARCH value, or an empty string.
  type: str
"""


from ansible_collections.etcdtls.cluster.plugins.module_utils.releases import loose_release, unsupported_arch


def etcd_unsupported_arch(release_arch, version):
    return unsupported_arch(loose_release(version), release_arch)


class FilterModule:
    def filters(self):
        return {"etcd_unsupported_arch": etcd_unsupported_arch}
