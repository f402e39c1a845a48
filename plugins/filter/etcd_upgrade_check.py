# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: etcd_upgrade_check
short_description: Whether the members may move to an etcd release, by etcd's upgrade rules
version_added: 0.2.0
author:
  - etcdtls.cluster contributors (@etcdtls)
description:
  - One minor at a time and never down; a cluster left mixed by an interrupted upgrade resumes towards the same
    release; 3.5 to 3.6 needs every member on 3.5.32 or later, C(etcdutl check v2store) clean on each and no
    C(enable-v2); a rolling 3.4 to 3.5 upgrade with authentication on is refused, as etcd's guide warns.
options:
  _input:
    description: The version each member runs, by member name.
    type: dict
    required: true
  target:
    description: The release to move to (C(etcd_version)).
    type: str
    required: true
  auth_enabled:
    description: C(etcd_auth_enabled).
    type: bool
    default: false
  extra_config:
    description: C(etcd_extra_config).
    type: dict
    default: {}
  v2store:
    description:
      - What C(etcdutl check v2store) said on each member, by member name - its output, or the result registered by
        the task that ran it there; null, or a result of a task skipped, not run or answered with C(unknown command),
        where it could not run.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Judge the upgrade
  ansible.builtin.set_fact:
    plan: "{{ {'etcd1': '3.4.23', 'etcd2': '3.4.23'} | etcdtls.cluster.etcd_upgrade_check('3.5.16') }}"
"""

RETURN = r"""
_value:
  description: The judgement.
  type: dict
  contains:
    kind:
      description: C(none) (nothing to do), C(patch) or C(minor).
      type: str
    source:
      description: The oldest release the members run.
      type: str
    target:
      description: The release to move to.
      type: str
    problems:
      description: Why it may not go ahead, each with the way out. Empty when it may.
      type: list
      elements: str
    warnings:
      description: What to know before it goes ahead.
      type: list
      elements: str
"""

from ansible_collections.etcdtls.cluster.plugins.module_utils.upgrade import judge


def etcd_upgrade_check(running, target, auth_enabled=False, extra_config=None, v2store=None):
    return judge(dict(running), str(target), bool(auth_enabled), dict(extra_config or {}), dict(v2store or {}))


class FilterModule:
    def filters(self):
        return {"etcd_upgrade_check": etcd_upgrade_check}
