# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: etcd_release_arch
short_description: etcd's release architecture for a kernel architecture
version_added: 0.1.0
author:
  - etcdtls.cluster contributors (@etcdtls)
description:
  - Maps C(ansible_architecture) (V(x86_64), V(aarch64), V(armv7l)...) to the architecture in etcd's
    release file names (V(amd64), V(arm64), V(arm)...), or V(unsupported).
options:
  _input:
    description: A kernel architecture.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Release architecture of this host
  ansible.builtin.debug:
    msg: "{{ ansible_facts['architecture'] | etcdtls.cluster.etcd_release_arch }}"
"""

RETURN = r"""
_value:
  description: The release architecture, or V(unsupported).
  type: str
"""

RELEASE_ARCH = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "armv7l": "arm",
    "armv6l": "arm",
    "armhf": "arm",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
}


def etcd_release_arch(machine):
    return RELEASE_ARCH.get(str(machine).lower(), "unsupported")


class FilterModule:
    def filters(self):
        return {"etcd_release_arch": etcd_release_arch}
